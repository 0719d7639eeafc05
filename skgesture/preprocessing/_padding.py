"""SkeletonPadder: recordings of any length to one dense, fixed-length array."""

from __future__ import annotations

import sys
import warnings
from numbers import Integral
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

import skgesture
from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    complete_docstrings,
    frame_feature_names,
    split_recordings,
    validate_skeleton_data,
)
from skgesture.preprocessing._resample import resample_length
from skgesture.utils.validation import pad_recordings, restore_layout

__all__ = ["SkeletonPadder"]

# Crop warnings list at most this many recording indices.
_MAX_LISTED = 20


# Frames in these packages are skipped when a warning looks for the user's call (a Pipeline
# calls its steps through joblib's Memory).
_LIBRARY_DIRS = tuple(
    Path(package.__file__).parent.as_posix() + "/" for package in (sklearn, joblib, skgesture)
)


def _caller_stacklevel():
    """``stacklevel`` that makes a warning point at the first call outside skgesture and sklearn.

    Call it in the function that calls ``warnings.warn``. A fixed level cannot do this, as the
    same warning is reached through ``transform``, scikit-learn's ``set_output`` wrapper,
    ``fit_transform`` or a Pipeline.
    """
    level = 1
    frame = sys._getframe(1)
    while frame.f_back is not None and Path(frame.f_code.co_filename).as_posix().startswith(
        _LIBRARY_DIRS
    ):
        frame = frame.f_back
        level += 1
    return level


def _listed(indices):
    shown = ", ".join(str(i) for i in indices[:_MAX_LISTED])
    return shown + (", ..." if len(indices) > _MAX_LISTED else "")


@complete_docstrings()
class SkeletonPadder(SkeletonTransformerMixin, BaseEstimator):
    """Bring recordings of different lengths to one fixed number of frames.

    This is the paper's pre-processing: every recording is extended with frames of zeros up
    to the length of the longest recording of the training set (``max_frames=None``), so
    that fixed-size models (a flattened vector for a fully connected network, an image for a
    CNN) can take it.

    Parameters
    ----------
    max_frames : int, default=None
        Number of output frames. None learns it in ``fit`` as the longest true length
        (trailing all-zero frames of dense input are padding, not data).
    fill : {"zeros", "edge", "resample"}, default="zeros"
        How short recordings are completed: ``"zeros"`` appends zero frames (the paper's
        padding, which later steps recognise as padding); ``"edge"`` repeats the last real
        frame; ``"resample"`` stretches or shrinks each recording in time (linear
        interpolation) to exactly ``max_frames`` frames, so nothing is padding and nothing is
        cropped.
    truncate : {"crop", "error"}, default="crop"
        What ``transform`` does with recordings longer than ``max_frames_`` (``"zeros"`` and
        ``"edge"`` only): ``"crop"`` keeps their first ``max_frames_`` frames and warns with
        the indices of the cropped recordings; ``"error"`` raises a ValueError instead.

    Attributes
    ----------
    max_frames_ : int
        Number of frames of the output.
    %(fitted_input_attributes)s

    Notes
    -----
    A list or 4-D input gives a dense array ``(n_samples, max_frames_, n_joints, n_coords)``;
    3-D input gives ``(n_samples, max_frames_, n_features)`` and 2-D input
    ``(n_samples, max_frames_)``. Nothing is lost: with ``fill="zeros"`` the true lengths
    can be recovered from the trailing zero frames
    (:func:`~skgesture.utils.validation.recording_lengths`).

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import SkeletonPadder
    >>> recordings = [np.ones((3, 2, 3)), np.ones((5, 2, 3))]
    >>> padder = SkeletonPadder().fit(recordings)
    >>> padder.max_frames_
    5
    >>> padder.transform(recordings).shape
    (2, 5, 2, 3)
    >>> padder.transform(recordings)[0, :, 0, 0]
    array([1., 1., 1., 0., 0.], dtype=float32)
    """

    _parameter_constraints: dict = {
        "max_frames": [Interval(Integral, 1, None, closed="left"), None],
        "fill": [StrOptions({"zeros", "edge", "resample"})],
        "truncate": [StrOptions({"crop", "error"})],
    }

    def __init__(self, max_frames=None, fill="zeros", truncate="crop"):
        self.max_frames = max_frames
        self.fill = fill
        self.truncate = truncate

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn ``max_frames_`` (unless given) and record the frame shape.

        %(fit_parameters)s
        """
        _, lengths, _ = validate_skeleton_data(self, X, reset=True, padded=True)
        self.max_frames_ = int(lengths.max()) if self.max_frames is None else self.max_frames
        return self

    def transform(self, X):
        """Pad (or fill, or resample) every recording to ``max_frames_`` frames.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the frame shape seen in ``fit``; any lengths.

        Returns
        -------
        ndarray
            ``(n_samples, max_frames_, n_joints, n_coords)`` for list and 4-D input,
            ``(n_samples, max_frames_, n_features)`` for 3-D and ``(n_samples, max_frames_)``
            for 2-D input.

        Warns
        -----
        UserWarning
            When recordings longer than ``max_frames_`` are cropped (``truncate="crop"``).
        """
        recordings = validate_skeleton_data(self, X, reset=False)
        real = split_recordings(recordings)
        if self.fill == "resample":
            data = np.stack([resample_length(recording, self.max_frames_) for recording in real])
        else:
            self._check_lengths(np.array([len(recording) for recording in real]))
            data, lengths = pad_recordings(real, self.max_frames_)
            if self.fill == "edge":
                for recording, length in zip(data, lengths):
                    recording[length:] = recording[length - 1]
        return restore_layout(data, recordings.layout)

    def _check_lengths(self, lengths):
        too_long = np.flatnonzero(lengths > self.max_frames_)
        if too_long.size == 0:
            return
        if self.truncate == "error":
            raise ValueError(
                f"{too_long.size} recording(s) of X are longer than max_frames_="
                f"{self.max_frames_} (indices {_listed(too_long)}; lengths "
                f"{_listed(lengths[too_long])}). Raise max_frames, refit, or use "
                "truncate='crop'."
            )
        warnings.warn(
            f"SkeletonPadder cropped {too_long.size} recording(s) longer than max_frames_="
            f"{self.max_frames_} to their first {self.max_frames_} frames: indices "
            f"{_listed(too_long)}.",
            UserWarning,
            stacklevel=_caller_stacklevel(),
        )

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Per-frame features keep their names; for 2-D input the output columns are frames,
        named ``frame0, frame1, ...``.

        %(feature_names_parameters)s
        """
        names = frame_feature_names(self, input_features)
        if self._tabular_in:
            return np.asarray([f"frame{t}" for t in range(self.max_frames_)], dtype=object)
        return names
