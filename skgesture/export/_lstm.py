"""An :class:`~skgesture.nn.LSTMNet` that ONNX export can trace: no packed sequences.

:class:`~skgesture.nn.LSTMNet` feeds the real frames to its LSTM as a packed sequence, which
neither of torch's ONNX exporters can translate. :class:`UnpackedLSTM` computes the same
function from the same weights on the padded batch: each direction of each layer runs as its
own one-directional LSTM, the backward one on every recording reversed within its true length
(so it starts at the last real frame, as packing makes it), and the head reads the forward
state at the last real frame and the backward state at the first (``pooling="last"``), or
pools the last layer's outputs over the real frames as the network does. Padded frames only
ever come after the real ones in time, so they never reach a real frame's state.
"""

from __future__ import annotations

import torch
from torch import nn

from skgesture.nn.lstm import pool_frames

__all__ = ["UnpackedLSTM"]


def _within_length(lengths, n_frames):
    """(batch, n_frames) frame indices that reverse each recording's real frames."""
    frames = torch.arange(n_frames, device=lengths.device)[None, :]
    last = lengths[:, None] - 1
    return torch.where(frames <= last, last - frames, frames)


def _take_frames(h, index):
    """``h[b, index[b, t]]`` for h of shape (batch, frames, channels)."""
    return torch.gather(h, 1, index[:, :, None].expand(-1, -1, h.shape[2]))


class UnpackedLSTM(nn.Module):
    """The function of a trained :class:`~skgesture.nn.LSTMNet` without packed sequences.

    Parameters
    ----------
    network : skgesture.nn.LSTMNet
        Its projection and head are shared, its LSTM's weights copied.
    """

    def __init__(self, network):
        super().__init__()
        lstm = network.lstm
        self.projection = network.projection
        self.head = network.head
        self.hidden_size = lstm.hidden_size
        self.bidirectional = lstm.bidirectional
        # Networks saved before pooling existed read the final hidden states.
        self.pooling = getattr(network, "pooling", "last")
        suffixes = ("", "_reverse") if lstm.bidirectional else ("",)
        layers = []
        for layer in range(lstm.num_layers):
            directions = []
            for suffix in suffixes:
                weights = {
                    f"{name}_l0": getattr(lstm, f"{name}_l{layer}{suffix}")
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                }
                n_inputs = weights["weight_ih_l0"].shape[1]
                direction = nn.LSTM(n_inputs, lstm.hidden_size, batch_first=True)
                direction.load_state_dict({name: value.detach() for name, value in weights.items()})
                directions.append(direction)
            layers.append(nn.ModuleList(directions))
        self.layers = nn.ModuleList(layers)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,), each in [1, frames]
        h = self.projection(x.flatten(2))  # (batch, frames, projection)
        reverse = _within_length(lengths, h.shape[1])  # (batch, frames)
        # Zero initial states, as LSTMNet's, given so that their batch size is the input's.
        start = h.new_zeros((1, h.shape[0], self.hidden_size))
        start = (start, start)
        for directions in self.layers:
            outputs = [directions[0](h, start)[0]]  # (batch, frames, hidden)
            if len(directions) == 2:
                backward = directions[1](_take_frames(h, reverse), start)[0]
                outputs.append(_take_frames(backward, reverse))
            h = torch.cat(outputs, dim=2)  # (batch, frames, directions * hidden)
        if self.pooling != "last":
            return self.head(pool_frames(h, lengths, self.pooling))  # (batch, classes)
        # Forward: the state after the last real frame; backward: after the first frame.
        last = _take_frames(h, (lengths - 1)[:, None])[:, 0]  # (batch, directions * hidden)
        if self.bidirectional:
            last = torch.cat([last[:, : self.hidden_size], h[:, 0, self.hidden_size :]], dim=1)
        return self.head(last)  # (batch, classes)
