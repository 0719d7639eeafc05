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


def _chunk_statistics(data, lengths):
    """Real-frame count, mean and sum of squared deviations of each channel of one chunk."""
    mask = _real_frames(lengths, data.shape[1])
    count = int(np.sum(lengths))
    mean = np.sum(data, axis=(0, 1), where=mask, dtype=np.float64) / max(count, 1)
    centred = np.where(mask, data - mean, 0.0)
    return count, mean, np.sum(centred * centred, axis=(0, 1))


def channel_statistics(data, lengths, *, chunk_values=2**22, transform=None):
    """Mean and scale of each joint coordinate over the real frames of a padded dataset.

    The dataset is read in one streaming pass over chunks of recordings, whose statistics are
    merged exactly (Chan et al.'s pairwise update), so it need not fit in memory.

    Parameters
    ----------
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings: an ndarray, or anything whose ``data[start:stop]`` gives such an
        ndarray of recordings, such as a memory-mapped array or a
        :class:`~skgesture.store.RecordingStore`.
    lengths : ndarray of shape (n_samples,)
        Number of real frames of each recording.
    chunk_values : int, default=2**22
        About how many values to read at a time (whole recordings, at least one).
    transform : callable or None, default=None
        ``transform(chunk, chunk_lengths)`` turns each chunk into what is standardised (such
        as an estimator's input features, which may have more coordinates per joint); the
        statistics are then those of the transformed dataset, computed chunk by chunk.

    Returns
    -------
    mean : ndarray of shape (n_joints, n_coords), float32
    scale : ndarray of shape (n_joints, n_coords), float32
        ``n_coords`` of the transformed chunks when ``transform`` is given.
        Standard deviation; channels that never change get 1, so they stay constant (zero)
        instead of dividing by zero.
    """
    lengths = np.asarray(lengths)
    n_samples = data.shape[0]
    chunk = max(1, chunk_values // max(1, int(np.prod(data.shape[1:]))))
    count, mean, squares = 0, 0.0, 0.0
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        part = np.asarray(data[start:stop])
        if transform is not None:
            part = transform(part, lengths[start:stop])
        count_b, mean_b, squares_b = _chunk_statistics(part, lengths[start:stop])
        total = count + count_b
        delta = mean_b - mean
        mean = mean + delta * (count_b / max(total, 1))
        squares = squares + squares_b + delta * delta * (count * count_b / max(total, 1))
        count = total
    scale = np.sqrt(squares / max(count, 1))
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

    Raises
    ------
    ValueError
        When a standardised value is beyond float32's range: the network would see infinity
        and answer NaN. Such a value lies more than about 1e38 standard deviations from the
        training mean of its channel, so the data's units are almost surely wrong.
    """
    mask = _real_frames(lengths, data.shape[1])
    # In float64: with values near float32's limit (3.4e38), data - mean would overflow.
    standardized = np.where(mask, (data.astype(np.float64) - mean) / scale, 0.0)
    too_far = np.abs(standardized) > np.finfo(np.float32).max
    if too_far.any():
        where = tuple(np.argwhere(too_far)[0])
        _, frame, joint, coord = where
        raise ValueError(
            f"a recording holds {float(data[where]):.3g} at frame {frame}, joint {joint}, "
            f"coordinate {coord}: {float(standardized[where]):.3g} standard deviations from the "
            "training mean of that joint coordinate, beyond "
            "float32's range. Check the units of X against the training data."
        )
    return standardized.astype(np.float32)
