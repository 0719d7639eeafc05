"""The whole of a fitted classifier's prediction as one torch module: what gets exported.

Pure torch: :mod:`skgesture.export.onnx` builds :class:`ExportableClassifier` from a fitted
estimator (or a Pipeline ending in one) and hands it to torch's ONNX exporter.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ExportableClassifier"]


class ExportableClassifier(nn.Module):
    """Raw padded positions and true lengths in, class probabilities out.

    ``forward(positions, lengths)`` does what ``predict_proba`` does to a batch: crop to
    ``max_frames`` (a :class:`~skgesture.preprocessing.SkeletonPadder` in front), bring the
    frames to ``n_frames`` (a fixed-length network), compute the input features and
    standardise them (``preprocessing``), run ``network`` and take the softmax.

    Parameters
    ----------
    preprocessing : torch.nn.Module
        ``preprocessing(positions, lengths)`` gives the network's input.
    network : torch.nn.Module
        ``network(x, lengths)`` gives logits, in evaluation mode.
    n_frames : int or None, default=None
        Frames a fixed-length network takes: recordings are zero-padded or cropped to it.
    max_frames : int or None, default=None
        Frames kept of each recording before anything else (longer ones are cropped).

    Notes
    -----
    ``lengths`` are brought into ``[1, frames]``, the range ``predict_proba``'s validation
    guarantees: a length beyond the input's frames counts them all, and a length of 0 (an
    empty recording, which ``predict_proba`` refuses) counts one frame.
    """

    def __init__(self, preprocessing, network, *, n_frames=None, max_frames=None):
        super().__init__()
        self.preprocessing = preprocessing
        self.network = network
        self.n_frames = n_frames
        self.max_frames = max_frames

    def forward(self, positions, lengths):
        # positions: (batch, frames, joints, coords) float32; lengths: (batch,) int64
        if self.max_frames is not None:
            positions = positions[:, : self.max_frames]
        if self.n_frames is not None:
            padding = positions.new_zeros((positions.shape[0], self.n_frames) + positions.shape[2:])
            positions = torch.cat([positions, padding], dim=1)[:, : self.n_frames]
        # Counting the frames before each length clips it to the frames there are.
        frames = torch.arange(positions.shape[1], device=lengths.device)
        lengths = (frames[None, :] < lengths[:, None]).sum(dim=1).clamp(min=1)
        x = self.preprocessing(positions, lengths)  # (batch, frames, joints, channels)
        return torch.softmax(self.network(x, lengths), dim=1)  # (batch, classes)
