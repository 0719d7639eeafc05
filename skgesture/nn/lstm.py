"""Recurrent network over frames that skips padded frames (packed sequences)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ["LSTMNet", "POOLINGS", "pool_frames"]

#: How :class:`LSTMNet` summarises a recording for its head.
POOLINGS = ("max", "mean", "last")


class LSTMNet(nn.Module):
    """(Bi)LSTM over frames with a linear head on its outputs pooled over the real frames.

    Each frame's ``joints x coords`` values first go through a linear layer and a ReLU (the
    paper projects each frame with a linear layer too), then the real frames are fed to the
    LSTM as a packed sequence, so padding is never seen. The head reads the last layer's
    outputs (both directions side by side) pooled over the real frames: their maximum
    (``pooling="max"``) or mean, or, with ``pooling="last"``, its final hidden state: for the
    forward direction the state after the recording's last real frame, for the backward
    direction the state after its first frame.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_classes : int
    projection_size : int or None, default=64
        Size of the per-frame linear projection; None feeds the raw values to the LSTM.
    hidden_size : int, default=64
    num_layers : int, default=1
    bidirectional : bool, default=True
    dropout : float, default=0.2
        Dropout between LSTM layers and before the head.
    pooling : {"max", "mean", "last"}, default="max"
        What the head reads: the outputs' maximum or mean over the real frames, or the final
        hidden states.
    """

    def __init__(
        self,
        n_joints,
        n_coords,
        n_classes,
        projection_size=64,
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.2,
        pooling="max",
    ):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}; got {pooling!r}.")
        self.pooling = pooling
        n_values = n_joints * n_coords
        if projection_size is None:
            self.projection = nn.Identity()
            input_size = n_values
        else:
            self.projection = nn.Sequential(nn.Linear(n_values, projection_size), nn.ReLU())
            input_size = projection_size
        self.lstm = nn.LSTM(
            input_size,
            hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            batch_first=True,
        )
        self.n_directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * self.n_directions, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        h = self.projection(x.flatten(2))  # (batch, frames, projection)
        packed = pack_padded_sequence(h, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_outputs, (h_n, _) = self.lstm(packed)  # h_n: (layers * directions, batch, hidden)
        if self.pooling == "last":
            summary = torch.cat(list(h_n[-self.n_directions :]), dim=1)
        else:
            outputs, _ = pad_packed_sequence(
                packed_outputs, batch_first=True, total_length=x.shape[1]
            )  # (batch, frames, directions * hidden), zero on padded frames
            summary = pool_frames(outputs, lengths, self.pooling)
        return self.head(self.dropout(summary))  # (batch, classes)


def pool_frames(outputs, lengths, pooling):
    """Maximum or mean of ``outputs`` (batch, frames, channels) over each recording's real
    frames (``lengths``, each at least 1): (batch, channels)."""
    frames = torch.arange(outputs.shape[1], device=outputs.device)
    real = (frames[None, :] < lengths[:, None]).unsqueeze(2)  # (batch, frames, 1)
    if pooling == "max":
        return outputs.masked_fill(~real, -torch.inf).amax(dim=1)
    return (outputs * real).sum(dim=1) / lengths[:, None].to(outputs.dtype)
