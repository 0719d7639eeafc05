"""Per-channel standardisation of skeleton sequences, learned on real frames only.

A channel is one coordinate of one joint. Its mean and standard deviation are taken over the real
(non-padding) frames of every training recording, and padded frames stay exactly zero after
standardisation so that networks can keep telling them apart. This is the one place where the
estimators standardise their input.
"""

from __future__ import annotations

import numpy as np

__all__ = ["channel_statistics", "standardize"]


def _real_frames(lengths, n_frames):
    """(n_samples, n_frames, 1, 1) float mask of the real frames."""
    mask = np.arange(n_frames)[np.newaxis, :] < np.asarray(lengths)[:, np.newaxis]
    return mask[:, :, np.newaxis, np.newaxis]


def channel_statistics(data, lengths):
    """Mean and scale of each joint coordinate over the real frames of a padded dataset.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings.
    lengths : ndarray of shape (n_samples,)
        Number of real frames of each recording.

    Returns
    -------
    mean : ndarray of shape (n_joints, n_coords), float32
    scale : ndarray of shape (n_joints, n_coords), float32
        Standard deviation; channels that never change get 1, so they stay constant (zero)
        instead of dividing by zero.
    """
    mask = _real_frames(lengths, data.shape[1])
    count = max(int(np.sum(lengths)), 1)
    mean = np.sum(data, axis=(0, 1), where=mask, dtype=np.float64) / count
    centred = np.where(mask, data - mean, 0.0)
    var = np.sum(centred * centred, axis=(0, 1)) / count
    scale = np.sqrt(var)
    # Channels that are constant up to float32 rounding count as constant.
    tiny = 10 * np.finfo(np.float32).eps * np.maximum(np.abs(mean), 1.0)
    scale = np.where(scale > tiny, scale, 1.0)
    return mean.astype(np.float32), scale.astype(np.float32)


def standardize(data, lengths, mean, scale):
    """Standardise each channel of a padded dataset; padded frames stay zero.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords)
    lengths : ndarray of shape (n_samples,)
    mean, scale : ndarray of shape (n_joints, n_coords)
        From :func:`channel_statistics`.

    Returns
    -------
    ndarray of shape (n_samples, n_frames, n_joints, n_coords), float32
        A new array; ``data`` is left untouched.
    """
    mask = _real_frames(lengths, data.shape[1])
    # In float64: with values near float32's limit (3.4e38), data - mean would overflow.
    standardized = (data.astype(np.float64) - mean) / scale
    return np.where(mask, standardized, 0.0).astype(np.float32, copy=False)
