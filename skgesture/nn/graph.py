"""A skeleton-graph convolutional network: convolutions along frames and along the bones.

:class:`GraphCNN` follows the design of ST-GCN (Yan et al., 2018) and ST-GCN++ (Duan et al.,
2022), kept small for CPUs. Each block convolves every joint's trajectory along frames, possibly
with a stride, then mixes every joint's features with its neighbours' along the bones (a graph
convolution over a normalised adjacency split into partitions, see
:func:`partitioned_adjacency`, plus a learnable offset), and adds a shortcut. Like every network
of :mod:`skgesture.nn`, it takes a zero-padded batch ``(batch, frames, joints, coords)`` and the
true ``lengths``; padded frames never enter batch statistics or pooling and are reset to zero by
every block. A stride ``s`` turns a recording of ``l`` frames into ``ceil(l / s)`` frames, what
the block gives for that recording alone, so its scores do not depend on its batch's padding.
"""

from __future__ import annotations

import operator

import torch
from torch import nn
from torch.nn import functional as F

from skgesture.nn.cnn import downsampled_lengths
from skgesture.nn.masking import MaskedBatchNorm, frame_mask, masked_mean

__all__ = ["GraphCNN", "partitioned_adjacency", "PARTITIONS"]

#: Order of the partitions of :func:`partitioned_adjacency`'s first axis.
PARTITIONS = ("self", "inward", "outward")


def partitioned_adjacency(parents):
    """The normalised adjacency of a skeleton, split into self, inward and outward partitions.

    ``adjacency[k, i, j]`` is the weight of joint ``j``'s features in joint ``i``'s aggregate
    for partition ``k``: ``"self"`` (the joint itself), ``"inward"`` (from a child to its
    parent, towards the root) and ``"outward"`` (from a parent to its children). Each row is
    divided by the number of joints that row receives from (itself and its neighbours along
    the bones), so the three partitions together average every joint with its neighbours: the
    rows of ``adjacency.sum(0)`` sum to 1. Several roots (a forest) are allowed; a joint
    without bones keeps only its self weight 1.

    Parameters
    ----------
    parents : sequence of int
        Index of each joint's parent, ``-1`` for a root, as :attr:`skgesture.skeleton.Skeleton.
        parents`.

    Returns
    -------
    adjacency : Tensor of shape (3, n_joints, n_joints), float32

    Raises
    ------
    ValueError
        No joints, parents out of range or pointing at the joint itself, or a cycle.

    Examples
    --------
    >>> from skgesture.nn.graph import partitioned_adjacency
    >>> adjacency = partitioned_adjacency((-1, 0, 1))  # a chain: 0 -> 1 -> 2
    >>> adjacency.sum(0).sum(1).tolist()
    [1.0, 1.0, 1.0]
    >>> adjacency[1, 0, 1].item()  # inward: joint 0 (itself and 1 neighbour) hears from 1
    0.5
    >>> adjacency[2, 1, 0].item()  # outward: joint 1 (itself and 2 neighbours) hears from 0
    0.333...
    """
    parents = _check_parents(parents)
    n_joints = len(parents)
    adjacency = torch.zeros(len(PARTITIONS), n_joints, n_joints)
    joints = torch.arange(n_joints)
    adjacency[0, joints, joints] = 1.0
    for child, parent in enumerate(parents):
        if parent >= 0:
            adjacency[1, parent, child] = 1.0
            adjacency[2, child, parent] = 1.0
    received = adjacency.sum(dim=(0, 2))  # each joint itself and its neighbours
    return adjacency / received[None, :, None]


def _check_parents(parents):
    try:
        parents = tuple(operator.index(parent) for parent in parents)
    except TypeError:
        raise ValueError(f"parents must be a sequence of integers; got {parents!r}.") from None
    n_joints = len(parents)
    if n_joints == 0:
        raise ValueError("parents is empty; a skeleton needs at least one joint.")
    for child, parent in enumerate(parents):
        if not -1 <= parent < n_joints or parent == child:
            raise ValueError(
                f"parents[{child}] = {parent} is not -1 or another joint's index in "
                f"[0, {n_joints})."
            )
    reaches_root = [False] * n_joints
    for start in range(n_joints):
        path, joint = {}, start  # a dict keeps the walk's order and finds joints at once
        while joint >= 0 and not reaches_root[joint]:
            if joint in path:
                raise ValueError(f"parents form a cycle through joint {start}.")
            path[joint] = None
            joint = parents[joint]
        for walked in path:
            reaches_root[walked] = True
    return parents


#: Above this many joints the adjacency gets no learnable offset and is applied sparsely: a
#: dense offset costs joints**2 parameters and multiply-adds per frame (2000 joints would be 4
#: million per frame and channel), while the bones of a tree are fewer than 3 per joint.
MAX_DENSE_JOINTS = 128


class GraphConv(nn.Module):
    """Spatial graph convolution: every joint gathers its neighbours' features, per partition.

    ``out[w] = sum_k W_k (sum_v A_k[w, v] x[v])`` over the partitions ``k`` of the adjacency
    ``A`` and the joints ``v``, with one channel-mixing matrix ``W_k`` per partition (a 1x1
    convolution). The adjacency is fixed (a buffer, rebuilt from the skeleton); up to
    :data:`MAX_DENSE_JOINTS` joints a learnable offset of the same shape, zero at first, lets
    training reweight the bones and link joints that share none, as in ST-GCN++. Above, the
    adjacency is applied as a list of its nonzero entries, so the cost grows with the bones,
    not with the square of the joints.
    """

    def __init__(self, in_channels, out_channels, adjacency):
        super().__init__()
        self.n_parts = len(adjacency)
        self.conv = nn.Conv2d(in_channels, self.n_parts * out_channels, 1, bias=False)
        self.dense = adjacency.shape[-1] <= MAX_DENSE_JOINTS
        if self.dense:
            self.register_buffer("adjacency", adjacency.clone(), persistent=False)
            self.offset = nn.Parameter(torch.zeros_like(adjacency))
        else:
            part, target, source = torch.nonzero(adjacency, as_tuple=True)
            self.register_buffer("edges", torch.stack([part, target, source]), persistent=False)
            self.register_buffer("weights", adjacency[part, target, source], persistent=False)

    def forward(self, x):
        # x: (batch, in_channels, frames, joints)
        h = self.conv(x).unflatten(1, (self.n_parts, -1))  # (batch, parts, out, frames, joints)
        if self.dense:
            return torch.einsum("bkctv,kwv->bctw", h, self.adjacency + self.offset)
        part, target, source = self.edges
        # Indexing two separate axes puts the edge axis first: (edges, batch, out, frames).
        gathered = h[:, part, :, :, source] * self.weights[:, None, None, None]
        out = h.new_zeros((h.shape[-1],) + gathered.shape[1:])  # (joints, batch, out, frames)
        out.index_add_(0, target, gathered)
        return out.permute(1, 2, 3, 0)  # (batch, out_channels, frames, joints)


class GraphBlock(nn.Module):
    """A temporal convolution (with a stride), a graph convolution, then normalisation.

    The two convolutions factorise one spatio-temporal convolution: no normalisation or
    nonlinearity between them (as between the depthwise and pointwise convolutions of
    Xception), which saves a masked normalisation per block, about a fifth of the training
    time, with the same accuracy on NATOPS. The temporal
    convolution leaves values in padded frames, but the graph convolution mixes joints within
    each frame only and the masked normalisation resets them to zero.

    ``forward(x, lengths)`` returns ``(batch, out_channels, ceil(frames / stride), joints)``;
    ``output_lengths(lengths)`` gives the real frames of that output.
    """

    def __init__(self, in_channels, out_channels, adjacency, kernel_size, stride):
        super().__init__()
        self.stride = stride
        # An odd kernel padded by half its length keeps ceil(frames / stride) frames.
        self.temporal = nn.Conv2d(
            in_channels,
            out_channels,
            (kernel_size, 1),
            stride=(stride, 1),
            padding=(kernel_size // 2, 0),
            bias=False,
        )
        self.spatial = GraphConv(out_channels, out_channels, adjacency)
        self.norm = MaskedBatchNorm(out_channels)
        # A block that changes the channels (the first: its input is coordinates) has no
        # shortcut, as in ST-GCN.
        self.residual = in_channels == out_channels

    def output_lengths(self, lengths):
        return downsampled_lengths(lengths, self.stride)

    def forward(self, x, lengths):
        # x: (batch, in_channels, frames, joints), zero on padded frames
        h = self.temporal(x)  # (batch, out_channels, frames', joints)
        mask = frame_mask(self.output_lengths(lengths), h.shape[2])  # (batch, frames')
        h = self.norm(self.spatial(h), mask)
        if self.residual:
            h = h + x[:, :, :: self.stride]  # frames 0, stride, 2 * stride...: zero if padded
        return F.relu(h, inplace=True)


class GraphCNN(nn.Module):
    """Skeleton-graph convolutions (ST-GCN style) over joints and frames.

    Each of the ``n_blocks`` blocks runs a temporal convolution of ``kernel_size`` frames with
    the block's stride, then aggregates every joint's features with those of its neighbours
    along the bones, one set of weights per partition of :func:`partitioned_adjacency` (the
    joint itself, its children, its parent) plus a learnable adjacency offset, normalises them
    with :class:`MaskedBatchNorm` over real frames and adds a shortcut (the block's input,
    subsampled by the stride; none in the first block). The head averages the last block's
    features over real frames and all joints and reads them with a linear layer.

    A block with stride ``s`` turns ``l`` real frames into ``ceil(l / s)``; masks follow, so
    a recording's scores do not depend on the padding of its batch. Striding early and few
    channels keep the network cheap: with the defaults (about 8,000 parameters for 20 joints),
    a recording of 60 frames and 20 joints costs under a millisecond of training (forward and
    backward) on one CPU thread, a tenth of :class:`JointCNN`'s.

    The last block is named ``last_conv``: it outputs ``(batch, filters, frames', joints)``
    with ``frames' = ceil(frames / prod(strides))``, the layer Grad-CAM explains.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_classes : int
    parents : sequence of int or None, default=None
        Parent of each joint (``-1`` for a root), e.g. ``skeleton.parents``: the bones along
        which joints exchange features. None: no bones, each joint on its own (the learnable
        offset may still link joints).
    n_filters : int, default=12
        Channels of every block. The cost grows about linearly with it.
    n_blocks : int, default=3
    kernel_size : int, default=9
        Length (in frames) of the temporal convolutions; odd.
    strides : sequence of int or None, default=None
        Temporal stride of each block. None: 2 for the first two blocks and 1 for the others,
        so that ``last_conv`` sees a quarter of the frames.
    dropout : float, default=0.2
        Dropout before the linear head.

    Examples
    --------
    >>> import torch
    >>> from skgesture.nn import GraphCNN
    >>> network = GraphCNN(3, 3, n_classes=2, parents=(-1, 0, 1), n_filters=8)
    >>> x, lengths = torch.randn(4, 20, 3, 3), torch.tensor([20, 15, 9, 1])
    >>> network(x, lengths).shape  # frames after each length are ignored
    torch.Size([4, 2])
    """

    def __init__(
        self,
        n_joints,
        n_coords,
        n_classes,
        parents=None,
        n_filters=12,
        n_blocks=3,
        kernel_size=9,
        strides=None,
        dropout=0.2,
    ):
        super().__init__()
        parents = (-1,) * n_joints if parents is None else tuple(parents)
        if len(parents) != n_joints:
            raise ValueError(f"parents has {len(parents)} entries but there are {n_joints} joints.")
        if n_blocks < 1:
            raise ValueError(f"n_blocks={n_blocks}; GraphCNN needs at least one block.")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size={kernel_size} must be odd, so that a block keeps "
                "ceil(frames / stride) frames."
            )
        if strides is None:
            strides = tuple(2 if i < 2 else 1 for i in range(n_blocks))
        strides = tuple(strides)
        if len(strides) != n_blocks or any(stride < 1 for stride in strides):
            raise ValueError(
                f"strides={strides} must give one positive stride for each of the {n_blocks} "
                "blocks."
            )
        adjacency = partitioned_adjacency(parents)
        channels = (n_coords,) + (n_filters,) * n_blocks
        blocks = [
            GraphBlock(channels[i], channels[i + 1], adjacency, kernel_size, strides[i])
            for i in range(n_blocks)
        ]
        self.blocks = nn.ModuleList(blocks[:-1])
        self.last_conv = blocks[-1]
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_filters, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        mask = frame_mask(lengths, x.shape[1])  # (batch, frames)
        h = (x * mask[:, :, None, None]).permute(0, 3, 1, 2)  # (batch, coords, frames, joints)
        for block in self.blocks:
            h = block(h, lengths)  # (batch, filters, frames', joints)
            lengths = block.output_lengths(lengths)
        h = self.last_conv(h, lengths)  # (batch, filters, frames', joints)
        mask = frame_mask(self.last_conv.output_lengths(lengths), h.shape[2])
        h = masked_mean(h, mask).mean(dim=2)  # (batch, filters)
        return self.head(self.dropout(h))  # (batch, classes)
