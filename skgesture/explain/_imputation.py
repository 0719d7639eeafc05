"""Filling removed (frame, joint) cells of a recording, for deletion and insertion measures.

Removing a cell must take its information away without making the recording look unlike any
the model has seen: a joint set to the origin is removed, but also teleported, and the model
may react to the teleport rather than to the missing motion (the point of Rong et al., 2022,
"A Consistent and Efficient Evaluation Strategy for Attribution Methods", ROAD). Here, as ROAD
does for pixels, removed cells are filled from the kept ones, with a little noise so that the
fill itself does not betray where cells were removed.
"""

from __future__ import annotations

import numpy as np

from skgesture.preprocessing._geometry import spread

__all__ = ["IMPUTATIONS", "impute"]

#: Ways of filling removed cells; see :func:`impute`.
IMPUTATIONS = ("linear", "mean", "zero")


def check_imputation(imputation, noise):
    """Validate the ``imputation`` and ``noise`` arguments shared by the curves."""
    if imputation not in IMPUTATIONS:
        raise ValueError(f"imputation must be one of {list(IMPUTATIONS)}; got {imputation!r}.")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.floating, np.integer)):
        raise TypeError(f"noise must be a non-negative number; got {type(noise).__name__}.")
    if not 0 <= noise < np.inf:
        raise ValueError(f"noise must be a non-negative finite number; got {noise}.")


def impute(recording, removed, *, imputation="linear", noise=0.01, rng=None):
    """A copy of ``recording`` whose ``removed`` (frame, joint) cells are filled in.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    removed : ndarray of shape (n_frames, n_joints), bool
        Cells to fill.
    imputation : {"linear", "mean", "zero"}, default="linear"
        - ``"linear"``: each coordinate of a joint is interpolated linearly in time between the
          nearest kept frames of that joint; before its first kept frame and after its last
          one the joint holds the nearest kept position. A joint with no kept frame at all is
          frozen at its mean position over the recording (as ``"mean"``).
        - ``"mean"``: the joint's mean position over the recording's frames (what
          :func:`~skgesture.explain.deletion_curve` does to a deleted joint).
        - ``"zero"``: the origin.
    noise : float, default=0.01
        Standard deviation of the Gaussian noise added to every filled coordinate, as a
        fraction of the recording's spread (the RMS distance of its points to their centroid,
        as for ``Augmenter(jitter=)``): 0.01 is about 3 mm for an adult performer. 0 fills
        exactly.
    rng : numpy.random.Generator, int or None, default=None
        Source of the noise.

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)
        Kept cells are unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.explain import impute
    >>> recording = np.arange(5.0).reshape(5, 1, 1)  # one joint moving 0, 1, 2, 3, 4
    >>> removed = np.array([[True], [False], [True], [False], [True]])
    >>> impute(recording, removed, noise=0).ravel()
    array([1., 1., 2., 3., 3.])
    """
    check_imputation(imputation, noise)
    recording = np.asarray(recording)
    if recording.ndim != 3 or not np.issubdtype(recording.dtype, np.number):
        raise ValueError(
            f"recording must be an array of numbers of shape (n_frames, n_joints, n_coords); "
            f"got shape {recording.shape} and dtype {recording.dtype}."
        )
    removed = np.asarray(removed)
    if removed.dtype != bool or removed.shape != recording.shape[:2]:
        raise ValueError(
            f"removed must be a boolean array of shape (n_frames, n_joints) = "
            f"{recording.shape[:2]}; got shape {removed.shape} and dtype {removed.dtype}."
        )
    filled = np.array(recording, dtype=np.result_type(recording.dtype, np.float32))
    if not removed.any():
        return filled
    if imputation == "zero":
        filled[removed] = 0
    elif imputation == "mean":
        filled[removed] = np.broadcast_to(recording.mean(axis=0), filled.shape)[removed]
    else:
        filled[removed] = _interpolated(recording, removed)[removed]
    if noise > 0:
        scale = noise * spread(recording)
        draws = np.random.default_rng(rng).normal(0.0, scale, size=filled[removed].shape)
        filled[removed] += draws.astype(filled.dtype, copy=False)
    return filled


def _interpolated(recording, removed):
    """Every cell linearly interpolated in time between its joint's nearest kept frames."""
    n_frames = len(recording)
    frames = np.arange(n_frames)[:, None]  # (n_frames, 1), broadcast over joints
    kept = ~removed
    # Index of the last kept frame at or before each frame, and the first at or after it.
    previous = np.maximum.accumulate(np.where(kept, frames, -1), axis=0)
    following = np.minimum.accumulate(np.where(kept, frames, n_frames)[::-1], axis=0)[::-1]
    has_previous, has_following = previous >= 0, following < n_frames
    # Before the first kept frame hold the first; after the last, hold the last.
    previous = np.where(has_previous, previous, following)
    following = np.where(has_following, following, previous)
    never_kept = ~has_previous & ~has_following
    previous[never_kept] = following[never_kept] = 0
    gap = following - previous
    weight = np.where(gap > 0, (frames - previous) / np.maximum(gap, 1), 0.0)[..., None]
    start = np.take_along_axis(recording, previous[..., None], axis=0)
    end = np.take_along_axis(recording, following[..., None], axis=0)
    values = start + weight * (end - start)
    return np.where(never_kept[..., None], recording.mean(axis=0), values)
