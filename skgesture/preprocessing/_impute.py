"""JointImputer: fill missing positions (NaN) of each joint from its neighbouring frames."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    complete_docstrings,
    frame_feature_names,
    join_like,
    split_recordings,
    validate_skeleton_data,
)

__all__ = ["JointImputer"]


def interpolate_missing(recording, fill_values):
    """Fill the NaN of each joint coordinate linearly over frames.

    Before the first and after the last valid frame, the nearest valid value is held; a joint
    coordinate with no valid frame takes its ``fill_values`` entry.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    fill_values : ndarray of shape (n_joints, n_coords)

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)
        A new array without NaN, of the dtype of ``recording``.
    """
    filled = recording.copy()
    missing = np.isnan(recording)
    frames = np.arange(len(recording))
    for joint, coord in zip(*np.nonzero(missing.any(axis=0))):
        gaps = missing[:, joint, coord]
        if gaps.all():
            filled[:, joint, coord] = fill_values[joint, coord]
        else:
            known = recording[~gaps, joint, coord]
            filled[gaps, joint, coord] = np.interp(frames[gaps], frames[~gaps], known)
    return filled


@complete_docstrings(
    fit_X="Recordings in any layout of the data conventions; NaN marks a missing value."
)
class JointImputer(SkeletonTransformerMixin, BaseEstimator):
    """Fill missing joint positions (NaN), such as occluded markers, from nearby frames.

    skgesture's other transformers and its classifiers refuse NaN; put this step first in a
    Pipeline to opt in to recordings with missing values. Each joint coordinate is
    interpolated linearly over the frames of its recording; before its first and after its
    last valid frame the nearest valid value is held. A joint coordinate missing in every frame
    of a recording takes ``fill_value``.

    Parameters
    ----------
    fill_value : "mean" or float, default="mean"
        Value for a joint coordinate missing in a whole recording: ``"mean"`` is its mean over
        the valid frames of the training recordings (learned in ``fit``), a number is used as
        is.

    Attributes
    ----------
    fill_values_ : ndarray of shape (n_joints, n_coords), float32
        The value used for each joint coordinate missing in a whole recording.
    %(fitted_input_attributes)s

    Notes
    -----
    The layout is kept, and dense input keeps its frames: trailing all-zero frames stay
    padding, and NaN frames count as frames (NaN is not zero). Infinite values are refused,
    as everywhere else. Frames are taken as evenly spaced; to interpolate over irregular time
    stamps, read files with ``read_mocap_csv(path, missing="interpolate")``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import JointImputer
    >>> recording = np.array([[[0.0]], [[np.nan]], [[2.0]], [[np.nan]]])  # 4 frames, 1 joint
    >>> JointImputer().fit_transform([recording])[0][:, 0, 0]
    array([0., 1., 2., 2.], dtype=float32)
    """

    _parameter_constraints: dict = {
        "fill_value": [StrOptions({"mean"}), Interval(Real, None, None, closed="neither")],
    }

    def __init__(self, fill_value="mean"):
        self.fill_value = fill_value

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the value for joint coordinates missing in a whole recording.

        %(fit_parameters)s
        """
        recordings = validate_skeleton_data(self, X, reset=True, allow_nan=True)
        shape = (self.n_joints_in_, self.n_coords_in_)
        if self.fill_value != "mean":
            self.fill_values_ = np.full(shape, self.fill_value, dtype=np.float32)
            return self
        frames = np.concatenate(split_recordings(recordings))
        valid = ~np.isnan(frames)
        counts = valid.sum(axis=0)
        if (counts == 0).any():
            joint, coord = np.argwhere(counts == 0)[0]
            raise ValueError(
                f"joint {joint}, coordinate {coord} is missing (NaN) in every frame of X, so "
                "fill_value='mean' has nothing to average; pass a number as fill_value, or "
                "drop that joint (JointSelector)."
            )
        totals = np.where(valid, frames, 0.0).sum(axis=0, dtype=np.float64)
        self.fill_values_ = (totals / counts).astype(np.float32)
        return self

    def transform(self, X):
        """Fill the missing values of every recording.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the frame shape seen in ``fit``; NaN marks a missing value.

        Returns
        -------
        list of ndarray or ndarray
            Same layout and shape as ``X``, float32, without NaN.
        """
        recordings = validate_skeleton_data(self, X, reset=False, allow_nan=True)
        filled = [
            interpolate_missing(recording, self.fill_values_)
            for recording in split_recordings(recordings)
        ]
        return join_like(filled, recordings)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features, which are the input features.

        %(feature_names_parameters)s
        """
        return frame_feature_names(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
