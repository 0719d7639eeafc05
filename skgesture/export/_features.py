"""The estimators' input preprocessing as a torch module that ONNX export can trace.

:class:`InputPreprocessing` does in torch what :func:`skgesture._features.skeleton_features`
and :func:`skgesture._standardize.standardize` do in numpy, one padded batch at a time: body
frame, streams, then the standardisation learned in ``fit``. It computes in float64, as the
numpy code does, and hands the network float32, so that an exported model gives the
estimator's probabilities to float32 rounding. Only traceable operations are used: no
Python branch depends on a tensor's values, and the number of frames may change between
calls (it is read from the input's shape).

Pure torch: it knows nothing of estimators; :mod:`skgesture.export.onnx` builds it from one.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["InputPreprocessing"]

# numpy's "size below float32 rounding of the coordinates": 10 * eps, computed in float32.
_TINY_SIZE = float(np.float32(10) * np.finfo(np.float32).eps)


def _real_frames(lengths, n_frames):
    """(batch, n_frames) boolean mask of the real frames."""
    frames = torch.arange(n_frames, device=lengths.device)
    return frames[None, :] < lengths[:, None]


def _median_over_real_frames(values, lengths):
    """Median of (batch, frames) values over each recording's real frames.

    ``lengths`` must lie in ``[1, frames]``, so both middle indices are real frames.
    """
    real = _real_frames(lengths, values.shape[1])
    ordered = torch.sort(torch.where(real, values, torch.full_like(values, np.inf)), dim=1).values
    low = torch.div(lengths - 1, 2, rounding_mode="floor")[:, None]
    high = torch.div(lengths, 2, rounding_mode="floor")[:, None]
    return 0.5 * (torch.gather(ordered, 1, low) + torch.gather(ordered, 1, high))[:, 0]


class InputPreprocessing(nn.Module):
    """Body frame, streams and standardisation of padded recordings, in torch.

    Parameters
    ----------
    mean, scale : array-like of shape (n_joints, n_channels)
        The standardisation learned in ``fit`` (``channel_mean_``, ``channel_scale_``);
        ``n_channels`` is ``n_coords * len(streams)``.
    parents : sequence of int or None
        Parent of each joint, ``-1`` for a root (the fitted skeleton's). Unused when
        ``features`` is False.
    root : int
        The fitted root joint. Unused when ``features`` is False.
    streams : tuple of {"joint", "bone", "motion"}
        Streams stacked per joint, in this order.
    body_frame : bool
        Express the joint stream relative to ``root`` and scale every stream by the body size.
    features : bool, default=True
        False: the network sees the positions as given (only standardised).

    Notes
    -----
    ``forward(positions, lengths)`` takes float32 positions ``(batch, frames, joints, coords)``
    and int64 ``lengths`` (each in ``[1, frames]``), and returns the network's float32 input
    ``(batch, frames, joints, n_channels)``, zero on padded frames.
    """

    def __init__(self, mean, scale, *, parents, root, streams, body_frame, features=True):
        super().__init__()
        mean = torch.as_tensor(np.asarray(mean, dtype=np.float32)).double()
        scale = torch.as_tensor(np.asarray(scale, dtype=np.float32)).double()
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        self.features = bool(features)
        self.streams = tuple(streams)
        self.body_frame = bool(body_frame)
        self.root = int(root)
        n_joints = mean.shape[0]
        parents = np.full(n_joints, -1) if parents is None else np.asarray(parents)
        self.has_bones = bool((parents >= 0).any())
        # Joints without a parent are their own parent: their bone is zero.
        parent_or_self = np.where(parents >= 0, parents, np.arange(n_joints))
        self.register_buffer("parent_or_self", torch.as_tensor(parent_or_self, dtype=torch.int64))
        self.n_segments = int((parents >= 0).sum()) if self.has_bones else n_joints - 1
        self.register_buffer("is_root", torch.arange(n_joints) == self.root)

    def forward(self, positions, lengths):
        # positions: (batch, frames, joints, coords); lengths: (batch,)
        real = _real_frames(lengths, positions.shape[1])[:, :, None, None]  # (batch, frames, 1, 1)
        positions = positions.double()
        if self.features:
            positions = self._streams(torch.where(real, positions, 0.0), lengths, real)
            positions = positions.float().double()  # numpy stores the features as float32
        standardised = torch.where(real, (positions - self.mean) / self.scale, 0.0)
        return standardised.float()  # (batch, frames, joints, coords * streams)

    def _streams(self, positions, lengths, real):
        """The streams of float64 positions that are zero on padded frames."""
        bones = None
        if "bone" in self.streams or self.body_frame:
            bones = positions - positions.index_select(2, self.parent_or_self)
        if self.body_frame:
            size = self._body_size(positions, lengths, bones)[:, None, None, None]
            positions = positions / size
            bones = bones / size
        joints = positions
        if self.body_frame:
            root_track = positions[:, :, self.root : self.root + 1]  # (batch, frames, 1, coords)
            trajectory = torch.where(real, root_track - root_track[:, :1], 0.0)
            joints = torch.where(self.is_root[:, None], trajectory, positions - root_track)
        streams = {"joint": joints, "bone": bones}
        if "motion" in self.streams:
            step = joints[:, 1:] - joints[:, :-1]
            motion = torch.cat([step, torch.zeros_like(joints[:, :1])], dim=1)
            streams["motion"] = torch.where(
                _real_frames(lengths - 1, joints.shape[1])[:, :, None, None], motion, 0.0
            )
        return torch.cat([streams[name] for name in self.streams], dim=3)

    def _body_size(self, positions, lengths, bones):
        """Body size of each recording (see :func:`skgesture._features.body_size`)."""
        if self.n_segments == 0:
            return torch.ones_like(positions[:, 0, 0, 0])
        if self.has_bones:
            segments = bones
        else:
            segments = positions - positions[:, :, self.root : self.root + 1]
        lengths_of = torch.sqrt((segments * segments).sum(dim=3))  # (batch, frames, joints)
        per_frame = lengths_of.sum(dim=2) / self.n_segments  # (batch, frames)
        size = _median_over_real_frames(per_frame, lengths)
        magnitude = positions.abs().flatten(1).amax(dim=1)  # padded frames are zero
        usable = torch.isfinite(size) & (size > _TINY_SIZE * magnitude)
        return torch.where(usable, size, torch.ones_like(size))
