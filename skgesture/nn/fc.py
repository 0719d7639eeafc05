"""Fully connected network over the whole (padded) sequence: the paper's baseline."""

from __future__ import annotations

from torch import nn

__all__ = ["FCNet"]


class FCNet(nn.Module):
    """Multi-layer perceptron over the flattened ``frames x joints x coords`` sequence.

    Every recording must be padded (or cropped) to the same ``n_frames``; padded frames are zero
    and the network sees them as such, as in the paper.

    Parameters
    ----------
    n_frames : int
    n_joints : int
    n_coords : int
    n_classes : int
    hidden_sizes : sequence of int, default=(32, 64)
        Width of each hidden layer (the paper's: 32 then 64).
    dropout : float, default=0.2
        Dropout after each hidden layer.
    """

    def __init__(self, n_frames, n_joints, n_coords, n_classes, hidden_sizes=(32, 64), dropout=0.2):
        super().__init__()
        layers = []
        width = n_frames * n_joints * n_coords
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        self.hidden = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths are implied by the zero padding.
        h = self.hidden(x.flatten(1))  # (batch, last hidden size)
        return self.head(h)  # (batch, classes)
