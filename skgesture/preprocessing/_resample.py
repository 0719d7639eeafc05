"""Linear resampling of the time axis, and the FrameRateResampler transformer."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval

from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    frame_feature_names,
    join_recordings,
    split_recordings,
    validate_skeleton_data,
)

__all__ = ["FrameRateResampler", "interpolate_frames", "resample_length"]


def interpolate_frames(recording, positions):
    """Sample a recording at fractional frame positions by linear interpolation.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    positions : ndarray of shape (n_out,)
        Frame positions in ``[0, n_frames - 1]``.

    Returns
    -------
    ndarray of shape (n_out, n_joints, n_coords), same dtype as ``recording``
    """
    positions = np.clip(np.asarray(positions, dtype=np.float64), 0, len(recording) - 1)
    below = np.floor(positions).astype(np.intp)
    above = np.minimum(below + 1, len(recording) - 1)
    weight = (positions - below)[:, np.newaxis, np.newaxis]
    mixed = recording[below] * (1 - weight) + recording[above] * weight
    return mixed.astype(recording.dtype, copy=False)


def resample_length(recording, n_frames):
    """Stretch or shrink a recording to exactly ``n_frames`` frames (linear in time)."""
    return interpolate_frames(recording, np.linspace(0, len(recording) - 1, n_frames))


def _rate_positions(n_frames, source_rate, target_rate):
    """Source frame positions of the frames at ``target_rate`` spanning the same duration."""
    # The tolerance keeps the last frame when the duration is an exact multiple of the step.
    n_out = int(np.floor((n_frames - 1) * target_rate / source_rate + 1e-9)) + 1
    return np.arange(n_out) * (source_rate / target_rate)


class FrameRateResampler(SkeletonTransformerMixin, BaseEstimator):
    """Resample recordings from one frame rate to another by linear interpolation.

    A recording of ``n`` frames at ``source_rate`` lasts ``(n - 1) / source_rate`` seconds;
    it becomes ``floor((n - 1) * target_rate / source_rate) + 1`` frames at ``target_rate``
    covering the same time, each interpolated linearly between its two nearest source frames.
    Use it to bring recordings captured at different rates to one rate, or to thin out
    high-rate motion capture before a network.

    scikit-learn has no side channel for per-recording timestamps, so the rate is a
    parameter. For a MocapLab export, read it from the ``Time`` column, e.g.
    ``1 / np.median(np.diff(read_mocap_csv(path).times))``; recordings captured at different
    rates need one resampler per rate (for example in separate pipelines).

    The transformer learns nothing from the data: ``fit`` only validates the parameters and
    records the frame shape.

    Parameters
    ----------
    source_rate : float, default=None
        Frame rate of the input, in frames per second. Required; None raises in ``fit``.
    target_rate : float, default=30.0
        Frame rate of the output, in frames per second.

    Attributes
    ----------
    n_features_in_ : int
        Values per frame (``n_joints * n_coords``), or columns for 2-D input.
    feature_names_in_ : ndarray of str
        Column names, for DataFrame input only.
    n_joints_in_ : int
        Joints per frame seen in ``fit``.
    n_coords_in_ : int
        Coordinates per joint seen in ``fit``.

    Notes
    -----
    Layouts come back as they came: a list stays a list of ``(n_frames_i, n_joints,
    n_coords)`` recordings; a dense array stays dense, each recording resampled over its true
    length and zero-padded to the resampled length of the array's frame axis. For 2-D input
    the output columns are frames, so their number changes.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import FrameRateResampler
    >>> recordings = [np.zeros((121, 2, 3)), np.zeros((61, 2, 3))]
    >>> resampled = FrameRateResampler(source_rate=120, target_rate=30).fit_transform(recordings)
    >>> [len(recording) for recording in resampled]
    [31, 16]
    """

    _parameter_constraints: dict = {
        "source_rate": [Interval(Real, 0, None, closed="neither"), None],
        "target_rate": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, source_rate=None, target_rate=30.0):
        self.source_rate = source_rate
        self.target_rate = target_rate

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the frame shape of ``X``.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings in any layout of the data conventions.
        y : None
            Ignored.

        Returns
        -------
        self : FrameRateResampler
        """
        if self.source_rate is None:
            raise ValueError(
                "FrameRateResampler needs source_rate, the frame rate of X in frames per "
                "second (for a MocapLab export: 1 / np.median(np.diff(times)))."
            )
        validate_skeleton_data(self, X, reset=True)
        return self

    def transform(self, X):
        """Resample every recording to ``target_rate``.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the frame shape seen in ``fit``.

        Returns
        -------
        list of ndarray or ndarray
            Same layout as ``X`` (see Notes).
        """
        recordings = validate_skeleton_data(self, X, reset=False)
        resampled = [
            interpolate_frames(
                recording, _rate_positions(len(recording), self.source_rate, self.target_rate)
            )
            for recording in split_recordings(recordings)
        ]
        n_frames = None
        if recordings.layout != "list":
            n_frames = self._n_frames_out(recordings.data.shape[1])
        return join_recordings(resampled, recordings.layout, n_frames)

    def _n_frames_out(self, n_frames):
        return len(_rate_positions(n_frames, self.source_rate, self.target_rate))

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Per-frame features keep their names; for 2-D input the output columns are frames,
        named ``frame0, frame1, ...``.

        Parameters
        ----------
        input_features : array-like of str, optional
            Input feature names; must match ``feature_names_in_`` when it exists.

        Returns
        -------
        ndarray of str objects
        """
        names = frame_feature_names(self, input_features)
        if self._tabular_in:
            n_frames = self._n_frames_out(self.n_features_in_)
            return np.asarray([f"frame{t}" for t in range(n_frames)], dtype=object)
        return names
