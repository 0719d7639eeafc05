"""Convolutional networks for skeleton sequences.

All three take a zero-padded batch ``x`` of shape ``(batch, frames, joints, coords)`` and the true
``lengths`` of its recordings, and return class scores (logits). Convolutions are "same"-padded
along frames and padded frames are reset to zero after every layer, so a recording's scores do
not depend on how much padding its batch carries. Each network names its last convolution layer
``last_conv``, the layer Grad-CAM explains:

- :class:`JointCNN` keeps a joint axis: ``last_conv`` outputs ``(batch, channels, frames, joints)``.
- :class:`TemporalCNN` mixes joints at the first layer: ``(batch, channels, frames)``.
- :class:`HybridCNN` runs :class:`TemporalCNN`'s trunk beside a shallow joint-wise branch and
  reads both out per joint: ``(batch, channels, frames, joints)``.
- :class:`ImageCNN` sees the ``frames x (joints * coords)`` image, as the paper's CNN does:
  ``(batch, channels, frames, joints * coords)``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from skgesture.nn.masking import MaskedBatchNorm, frame_mask, masked_mean

__all__ = [
    "JointEncoder",
    "JointCNN",
    "TemporalCNN",
    "HybridCNN",
    "ImageCNN",
    "downsampled_lengths",
]


class ConvNormReLU(nn.Module):
    """A convolution, masked batch normalisation and ReLU.

    Parameters
    ----------
    conv : torch.nn.Conv1d or torch.nn.Conv2d
        A "same"-padded convolution whose second axis of output is frames.
    """

    def __init__(self, conv):
        super().__init__()
        self.conv = conv
        self.norm = MaskedBatchNorm(conv.out_channels)

    def forward(self, x, mask):
        return F.relu(self.norm(self.conv(x), mask), inplace=True)


def _temporal_conv2d(in_channels, out_channels, kernel_size, stride=1):
    """A convolution along frames only, with weights shared by all joints.

    With ``stride`` 1 it keeps the frames ("same" padding); with a stride ``s`` it keeps
    ``ceil(frames / s)`` of them, output frame ``i`` centred on input frame ``i * s``.
    """
    if stride == 1:
        return nn.Conv2d(in_channels, out_channels, (kernel_size, 1), padding="same", bias=False)
    return StridedTemporalConv(in_channels, out_channels, kernel_size, stride)


class StridedTemporalConv(nn.Conv2d):
    """A temporal convolution with a stride ``s`` that keeps ``ceil(frames / s)`` frames.

    The input is padded as "same" padding would pad it (``(k - 1) // 2`` frames before,
    ``k // 2`` after), so output frame ``i`` is centred on input frame ``i * s`` for any kernel
    length, and a recording of ``l`` real frames has ``ceil(l / s)`` real output frames
    whatever the padding of its batch (padded input frames must be zero).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__(
            in_channels, out_channels, (kernel_size, 1), stride=(stride, 1), bias=False
        )
        self.frame_padding = ((kernel_size - 1) // 2, kernel_size // 2)

    def forward(self, x):
        # x: (batch, channels, frames, joints)
        return super().forward(F.pad(x, (0, 0, *self.frame_padding)))


def downsampled_lengths(lengths, stride):
    """Real frames left after a stride: ``ceil(lengths / stride)``."""
    return torch.div(lengths + stride - 1, stride, rounding_mode="floor")


def stage_strides(n_stages, downsample):
    """Strides of ``n_stages`` stages that downsample frames by ``downsample`` (a power of 2).

    The first ``log2(downsample)`` stages get a stride of 2, the others 1.

    Raises
    ------
    ValueError
        If ``downsample`` is not a power of 2, or needs more stages than there are.
    """
    n_strided = int(downsample).bit_length() - 1
    if downsample < 1 or 2**n_strided != downsample:
        raise ValueError(f"downsample={downsample!r} must be a power of 2 (1, 2, 4, 8...).")
    if n_strided > n_stages:
        raise ValueError(
            f"downsample={downsample} needs {n_strided} strided stages, but the network has "
            f"{n_stages}; use at most {2**n_stages}."
        )
    return (2,) * n_strided + (1,) * (n_stages - n_strided)


class JointBlock(nn.Module):
    """Residual block of temporal convolutions shared across joints, with global joint context.

    The context is the mean over joints passed through a 1x1 convolution and added back to every
    joint, so that each joint's features can depend on what the whole body does.
    """

    def __init__(self, n_filters, kernel_size, stride=1):
        super().__init__()
        self.stride = stride
        self.conv1 = ConvNormReLU(_temporal_conv2d(n_filters, n_filters, kernel_size, stride))
        self.conv2 = _temporal_conv2d(n_filters, n_filters, kernel_size)
        self.context = nn.Conv2d(n_filters, n_filters, kernel_size=1)
        self.norm2 = MaskedBatchNorm(n_filters)

    def __setstate__(self, state):
        # Blocks pickled before strides existed kept every frame.
        state.setdefault("stride", 1)
        super().__setstate__(state)

    def forward(self, x, mask):
        # x: (batch, filters, frames, joints); mask: real frames of the output,
        # (batch, ceil(frames / stride))
        h = self.conv2(self.conv1(x, mask))
        h = h + self.context(h.mean(dim=3, keepdim=True))  # (batch, filters, frames, 1) broadcast
        return F.relu(self.norm2(h, mask) + x[:, :, :: self.stride], inplace=True)


class JointEncoder(nn.Module):
    """The convolutional trunk of :class:`JointCNN`: joint-wise temporal features, no head.

    Shared by the classifier and the self-supervised pre-training networks
    (:mod:`skgesture.nn.pretext`), so that a pre-trained trunk loads into a classifier by
    parameter name (``stem.*``, ``blocks.*``, ``last_conv.*``).

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_filters : int, default=48
        Channels of every convolution.
    n_blocks : int, default=2
        Residual blocks between the first and the last convolution.
    kernel_size : int, default=7
        Length (in frames) of the temporal convolutions.
    downsample : int, default=1
        Temporal downsampling of the trunk, a power of 2: the stem and the first blocks
        convolve with a stride of 2 until frames are divided by ``downsample``, so that
        ``last_conv`` has ``ceil(frames / downsample)`` frames. Each halving divides the cost
        of the layers after it by about 2; 4 makes the trunk about 4 times cheaper.
    """

    def __init__(self, n_joints, n_coords, n_filters=48, n_blocks=2, kernel_size=7, downsample=1):
        super().__init__()
        self.n_joints = n_joints
        self.n_filters = n_filters
        self.strides = stage_strides(n_blocks + 1, downsample)
        self.downsample = downsample
        self.stem = ConvNormReLU(
            _temporal_conv2d(n_coords, n_filters, kernel_size, self.strides[0])
        )
        self.blocks = nn.ModuleList(
            JointBlock(n_filters, kernel_size, stride) for stride in self.strides[1:]
        )
        self.last_conv = ConvNormReLU(_temporal_conv2d(n_filters, n_filters, kernel_size))

    def __setstate__(self, state):
        # Encoders pickled before downsample existed kept every frame.
        state.setdefault("downsample", 1)
        state.setdefault("strides", (1,) * (len(state["_modules"]["blocks"]) + 1))
        super().__setstate__(state)

    @property
    def embedding_size(self):
        """Length of :meth:`embed`'s vectors: ``n_filters * n_joints``."""
        return self.n_filters * self.n_joints

    def features(self, x, lengths):
        """Feature maps of the last convolution and the mask of real frames.

        Returns
        -------
        features : Tensor of shape (batch, filters, ceil(frames / downsample), joints)
        mask : Tensor of shape (batch, ceil(frames / downsample)), bool
        """
        # x: (batch, frames, joints, coords); lengths: (batch,)
        n_frames = x.shape[1]
        h = x.permute(0, 3, 1, 2)  # (batch, coords, frames, joints)
        if self.downsample > 1:  # strided convolutions read padded frames: make them zero
            h = h * frame_mask(lengths, n_frames)[:, None, :, None]
        for stage, stride in zip((self.stem, *self.blocks), self.strides):
            lengths = downsampled_lengths(lengths, stride)
            n_frames = (n_frames + stride - 1) // stride
            mask = frame_mask(lengths, n_frames)  # (batch, frames')
            h = stage(h, mask)  # (batch, filters, frames', joints)
        return self.last_conv(h, mask), mask

    def embed(self, x, lengths):
        """One vector per recording: the features averaged over real frames, per joint.

        Returns
        -------
        Tensor of shape (batch, filters * joints)
        """
        h, mask = self.features(x, lengths)
        return masked_mean(h, mask).flatten(1)  # (batch, filters * joints)


class JointCNN(JointEncoder):
    """Temporal convolutions over each joint's trajectory, joined by a global joint context.

    The input is read as ``coords`` channels over a ``frames x joints`` grid. Convolutions run
    along frames with weights shared by all joints; each residual block adds a global joint
    context (the mean over joints, through a 1x1 convolution). The head averages over real frames
    but keeps the joint axis, and a linear layer reads ``channels x joints``, so the network knows
    which joint moved. The trunk is a :class:`JointEncoder`, so pre-trained weights load into it.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_classes : int
    n_filters : int, default=48
        Channels of every convolution.
    n_blocks : int, default=2
        Residual blocks between the first and the last convolution.
    kernel_size : int, default=7
        Length (in frames) of the temporal convolutions.
    dropout : float, default=0.2
        Dropout before the linear head.
    freeze_trunk : bool, default=False
        Train only the head: the trunk's parameters get no gradients and its normalisation
        layers stay in evaluation mode (their running statistics fixed) even in training mode.
    downsample : int, default=1
        Temporal downsampling of the trunk, a power of 2 (see :class:`JointEncoder`).
    """

    def __init__(
        self,
        n_joints,
        n_coords,
        n_classes,
        n_filters=48,
        n_blocks=2,
        kernel_size=7,
        dropout=0.2,
        freeze_trunk=False,
        downsample=1,
    ):
        super().__init__(n_joints, n_coords, n_filters, n_blocks, kernel_size, downsample)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.embedding_size, n_classes)
        self.freeze_trunk = freeze_trunk
        if freeze_trunk:
            for name, parameter in self.named_parameters():
                if not name.startswith("head."):
                    parameter.requires_grad_(False)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_trunk:
            for part in (self.stem, self.blocks, self.last_conv):
                part.train(False)
        return self

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        return self.head(self.dropout(self.embed(x, lengths)))  # (batch, classes)


class TemporalBlock(nn.Module):
    """Residual block of two 1-D convolutions along frames."""

    def __init__(self, n_filters, kernel_size):
        super().__init__()
        self.conv1 = ConvNormReLU(
            nn.Conv1d(n_filters, n_filters, kernel_size, padding="same", bias=False)
        )
        self.conv2 = nn.Conv1d(n_filters, n_filters, kernel_size, padding="same", bias=False)
        self.norm2 = MaskedBatchNorm(n_filters)

    def forward(self, x, mask):
        # x: (batch, filters, frames)
        h = self.norm2(self.conv2(self.conv1(x, mask)), mask)
        return F.relu(h + x, inplace=True)


class TemporalCNN(nn.Module):
    """Residual 1-D convolutions over frames, with every joint coordinate as an input channel.

    The fastest of the three; its explanations resolve frames but not joints. The head averages
    the last convolution's output over real frames (global average pooling).

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_classes : int
    n_filters : int, default=64
    n_blocks : int, default=2
    kernel_size : int, default=7
    dropout : float, default=0.2
    """

    def __init__(
        self, n_joints, n_coords, n_classes, n_filters=64, n_blocks=2, kernel_size=7, dropout=0.2
    ):
        super().__init__()
        self.stem = ConvNormReLU(
            nn.Conv1d(n_joints * n_coords, n_filters, kernel_size, padding="same", bias=False)
        )
        self.blocks = nn.ModuleList(TemporalBlock(n_filters, kernel_size) for _ in range(n_blocks))
        self.last_conv = ConvNormReLU(
            nn.Conv1d(n_filters, n_filters, kernel_size, padding="same", bias=False)
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_filters, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        mask = frame_mask(lengths, x.shape[1])  # (batch, frames)
        h = x.flatten(2).transpose(1, 2)  # (batch, joints * coords, frames)
        h = self.stem(h, mask)  # (batch, filters, frames)
        for block in self.blocks:
            h = block(h, mask)
        h = self.last_conv(h, mask)  # (batch, filters, frames)
        h = masked_mean(h, mask)  # (batch, filters)
        return self.head(self.dropout(h))  # (batch, classes)


class JointReadout(nn.Module):
    """Per-joint features of a joint-wise branch, gated by a joint-mixing trunk.

    Each joint's output is its own branch features through a 1x1 convolution, masked batch
    normalisation and ReLU, multiplied channel by channel by a gate in (0, 1) that the trunk's
    features at the same frame set (shared by all joints): what the joint did, weighed by what
    the body did. A gate can only scale a joint's own evidence, never put the trunk's evidence
    on a joint; adding the trunk's features to every joint instead pointed Grad-CAM at joints
    that did not move (``benchmarks/select_defaults.py`` and ``docs/design.md``).
    """

    def __init__(self, joint_channels, trunk_channels, out_channels):
        super().__init__()
        self.joint = nn.Conv2d(joint_channels, out_channels, kernel_size=1, bias=False)
        self.norm = MaskedBatchNorm(out_channels)
        self.gate = nn.Conv1d(trunk_channels, out_channels, kernel_size=1)

    def forward(self, joints, trunk, mask):
        # joints: (batch, channels, frames, joints); trunk: (batch, channels, frames)
        h = F.relu(self.norm(self.joint(joints), mask), inplace=True)
        return h * torch.sigmoid(self.gate(trunk))[..., None]  # (batch, out, frames, joints)


class HybridCNN(nn.Module):
    """:class:`TemporalCNN`'s trunk for speed, a joint axis at the end for explanations.

    Two paths read the recording. The trunk is :class:`TemporalCNN`'s (every joint coordinate
    an input channel of residual 1-D convolutions over frames), where the joints are mixed and
    the gesture is recognised. Beside it, one temporal convolution shared by all joints
    (``joint_conv``) describes each joint's own movement. ``last_conv`` (a
    :class:`JointReadout`) weighs, per frame and joint, the joint's own features by gates the
    trunk sets, and the head averages it over real frames, keeping the joint axis, before a
    linear layer. Every path to the class scores goes through ``last_conv``'s frames x joints cells,
    so Grad-CAM on it resolves joints as for :class:`JointCNN`, at about the cost of
    :class:`TemporalCNN`: the only joint-wise layers are the branch's convolution and the
    readout's 1x1 convolutions.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_classes : int
    n_filters : int, default=24
        Channels of every convolution, in the trunk and per joint.
    n_blocks : int, default=2
        Residual blocks of the trunk.
    kernel_size : int, default=7
    dropout : float, default=0.2
    """

    def __init__(
        self, n_joints, n_coords, n_classes, n_filters=24, n_blocks=2, kernel_size=7, dropout=0.2
    ):
        super().__init__()
        self.stem = ConvNormReLU(
            nn.Conv1d(n_joints * n_coords, n_filters, kernel_size, padding="same", bias=False)
        )
        self.blocks = nn.ModuleList(TemporalBlock(n_filters, kernel_size) for _ in range(n_blocks))
        self.joint_conv = ConvNormReLU(_temporal_conv2d(n_coords, n_filters, kernel_size))
        self.last_conv = JointReadout(n_filters, n_filters, n_filters)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_filters * n_joints, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        mask = frame_mask(lengths, x.shape[1])  # (batch, frames)
        h = self.stem(x.flatten(2).transpose(1, 2), mask)  # (batch, filters, frames)
        for block in self.blocks:
            h = block(h, mask)
        joints = self.joint_conv(x.permute(0, 3, 1, 2), mask)  # (batch, filters, frames, joints)
        h = self.last_conv(joints, h, mask)  # (batch, filters, frames, joints)
        return self.head(self.dropout(masked_mean(h, mask).flatten(1)))  # (batch, classes)


class ImageBlock(nn.Module):
    """Residual block of two 3x3 convolutions over the frames x features image."""

    def __init__(self, n_filters, kernel_size):
        super().__init__()
        self.conv1 = ConvNormReLU(
            nn.Conv2d(n_filters, n_filters, kernel_size, padding="same", bias=False)
        )
        self.conv2 = nn.Conv2d(n_filters, n_filters, kernel_size, padding="same", bias=False)
        self.norm2 = MaskedBatchNorm(n_filters)

    def forward(self, x, mask):
        # x: (batch, filters, frames, features)
        h = self.norm2(self.conv2(self.conv1(x, mask)), mask)
        return F.relu(h + x, inplace=True)


class ImageCNN(nn.Module):
    """2-D convolutions over the ``frames x (joints * coords)`` image, as in the paper.

    Unlike the paper's network, the image keeps its size (no resizing to 256 x 256) and the head
    averages over real frames, keeping the feature axis, before one linear layer.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_classes : int
    n_filters : int, default=16
    n_blocks : int, default=1
    kernel_size : int, default=3
        Side of the square convolution kernels.
    dropout : float, default=0.2
    """

    def __init__(
        self, n_joints, n_coords, n_classes, n_filters=16, n_blocks=1, kernel_size=3, dropout=0.2
    ):
        super().__init__()
        self.stem = ConvNormReLU(nn.Conv2d(1, n_filters, kernel_size, padding="same", bias=False))
        self.blocks = nn.ModuleList(ImageBlock(n_filters, kernel_size) for _ in range(n_blocks))
        self.last_conv = ConvNormReLU(
            nn.Conv2d(n_filters, n_filters, kernel_size, padding="same", bias=False)
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_filters * n_joints * n_coords, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        mask = frame_mask(lengths, x.shape[1])  # (batch, frames)
        h = x.flatten(2).unsqueeze(1)  # (batch, 1, frames, joints * coords)
        h = self.stem(h, mask)  # (batch, filters, frames, joints * coords)
        for block in self.blocks:
            h = block(h, mask)
        h = self.last_conv(h, mask)  # (batch, filters, frames, joints * coords)
        h = masked_mean(h, mask)  # (batch, filters, joints * coords)
        return self.head(self.dropout(h.flatten(1)))  # (batch, classes)
