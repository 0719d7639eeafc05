"""Recurrent network over frames that skips padded frames (packed sequences)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["LSTMNet"]


class LSTMNet(nn.Module):
    """(Bi)LSTM over frames with a linear head on the last real hidden state.

    Each frame's ``joints x coords`` values first go through a linear layer and a ReLU (the
    paper projects each frame with a linear layer too), then the real frames are fed to the
    LSTM as a packed sequence, so padding is never seen. The head reads the final hidden state
    of the last layer: for the forward direction the state after the recording's last real
    frame, for the backward direction the state after its first frame.

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
    ):
        super().__init__()
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
        _, (h_n, _) = self.lstm(packed)  # h_n: (layers * directions, batch, hidden)
        last = torch.cat(list(h_n[-self.n_directions :]), dim=1)  # (batch, directions * hidden)
        return self.head(self.dropout(last))  # (batch, classes)
