"""A dense stand-in for the sparse graph convolution of large skeletons, for ONNX export.

Above :data:`~skgesture.nn.graph.MAX_DENSE_JOINTS` joints, :class:`~skgesture.nn.graph.GraphConv`
applies its fixed adjacency as a list of edges summed with ``index_add_``, which torch's ONNX
exporter cannot write when several edges reach one joint (it always happens). :func:`densified`
returns a copy of a network whose sparse graph convolutions are replaced by
:class:`DenseGraphConv`: the same adjacency as a dense matrix, applied as the small skeletons'
is. The function is the same; the cost per frame grows with the square of the joints instead
of the bones, which the exported model pays only for skeletons of more than 128 joints.
"""

from __future__ import annotations

import torch
from torch import nn

from skgesture.nn.graph import GraphConv

__all__ = ["DenseGraphConv", "densified"]


class DenseGraphConv(nn.Module):
    """:class:`~skgesture.nn.graph.GraphConv`'s sparse aggregation as a dense product.

    Parameters
    ----------
    sparse : skgesture.nn.graph.GraphConv
        A graph convolution without a dense adjacency; its channel mixing is shared.
    """

    def __init__(self, sparse):
        super().__init__()
        self.conv = sparse.conv
        self.n_parts = sparse.n_parts
        part, target, source = sparse.edges
        n_joints = int(max(target.max(), source.max())) + 1
        adjacency = torch.zeros(self.n_parts, n_joints, n_joints)
        adjacency.index_put_((part, target, source), sparse.weights, accumulate=True)
        self.register_buffer("adjacency", adjacency)

    def forward(self, x):
        # x: (batch, in_channels, frames, joints)
        h = self.conv(x).unflatten(1, (self.n_parts, -1))  # (batch, parts, out, frames, joints)
        return torch.einsum("bkctv,kwv->bctw", h, self.adjacency)  # (batch, out, frames, joints)


def densified(network):
    """``network`` (modified in place) with each sparse GraphConv replaced by a dense one."""
    for module in list(network.modules()):
        for name, child in module.named_children():
            if isinstance(child, GraphConv) and not child.dense:
                setattr(module, name, DenseGraphConv(child))
    return network
