"""Flattener: one row of numbers per recording, for tabular models."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils.validation import check_array, check_is_fitted

from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    complete_docstrings,
    frame_feature_names,
    validate_skeleton_data,
)

__all__ = ["Flattener"]


def _stack(recordings, *, owner):
    """A dense array from validated ``Recordings``; a ragged list is refused."""
    data, layout = recordings
    if layout != "list":
        return data
    lengths = [len(recording) for recording in data]
    for index, length in enumerate(lengths):
        if length != lengths[0]:
            raise ValueError(
                f"{owner} needs recordings of one length, but X[0] has {lengths[0]} frames and "
                f"X[{index}] has {length}. Put SkeletonPadder first, e.g. "
                f"make_pipeline(SkeletonPadder(), {owner}(), ...)."
            )
    return np.stack(data)


@complete_docstrings(
    fit_X="Recordings of one length (a list of equal-length recordings is stacked)."
)
class Flattener(SkeletonTransformerMixin, BaseEstimator):
    """Flatten each recording into one row: ``(n_samples, ...)`` to ``(n_samples, n_values)``.

    This is how the paper feeds its fully connected network: a padded recording of 100
    frames x 79 joints x 3 coordinates becomes a vector of 23,700 values, frame-major
    (all values of frame 0, then frame 1, ...). Put :class:`SkeletonPadder` first when the
    recordings differ in length.

    Attributes
    ----------
    input_shape_ : tuple of int
        Shape of one recording as seen in ``fit``, in the layout given: ``(n_frames, n_joints,
        n_coords)`` for lists and 4-D arrays, ``(n_frames, n_features)`` for 3-D arrays and
        ``(n_features,)`` for 2-D arrays. ``inverse_transform`` gives this shape back.
    %(fitted_input_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import Flattener
    >>> X = np.arange(24.0).reshape(2, 3, 2, 2)
    >>> flattener = Flattener().fit(X)
    >>> flattener.transform(X).shape
    (2, 12)
    >>> np.array_equal(flattener.inverse_transform(flattener.transform(X)), X)
    True
    """

    _parameter_constraints: dict = {}

    def __init__(self):
        pass

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the shape of one recording.

        %(fit_parameters)s
        """
        recordings = validate_skeleton_data(self, X, reset=True)
        data = _stack(recordings, owner="Flattener")
        self.input_shape_ = self._user_shape(data.shape[1:], recordings.layout)
        return self

    @staticmethod
    def _user_shape(frame_shape, layout):
        n_frames, n_joints, n_coords = frame_shape
        if layout == "2d":
            return (n_frames,)
        if layout == "3d":
            return (n_frames, n_joints)
        return (n_frames, n_joints, n_coords)

    def transform(self, X):
        """Flatten every recording, frame-major.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings of the shape seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, ``prod(input_shape_)``), float32
        """
        recordings = validate_skeleton_data(self, X, reset=False)
        data = _stack(recordings, owner="Flattener")
        # The frame shape was checked above; only the number of frames can still differ.
        n_frames = self.input_shape_[0]
        if data.shape[1] != n_frames:
            raise ValueError(
                f"X has recordings of shape {self._user_shape(data.shape[1:], recordings.layout)}"
                f", but Flattener was fitted on {self.input_shape_}. Put "
                f"SkeletonPadder(max_frames={n_frames}) first so that every recording has "
                f"{n_frames} frames."
            )
        return data.reshape(len(data), -1)

    def inverse_transform(self, X):
        """Give flattened rows their fitted shape back.

        Parameters
        ----------
        X : array-like of shape (n_samples, ``prod(input_shape_)``)

        Returns
        -------
        ndarray of shape (n_samples, ``*input_shape_``), float32
        """
        check_is_fitted(self)
        X = check_array(X, dtype=[np.float32, np.float64], estimator=self)
        n_values = int(np.prod(self.input_shape_))
        if X.shape[1] != n_values:
            raise ValueError(
                f"X has {X.shape[1]} columns, but Flattener.inverse_transform expects "
                f"{n_values} (one recording of shape {self.input_shape_})."
            )
        return X.astype(np.float32, copy=False).reshape(len(X), *self.input_shape_)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, ``frame<t>_<feature>`` for sequence input.

        For 2-D input every column is kept, so the input names are returned.

        %(per_frame_feature_names_parameters)s
        """
        names = frame_feature_names(self, input_features)
        if self._tabular_in:
            return names
        return np.asarray(
            [f"frame{t}_{name}" for t in range(self.input_shape_[0]) for name in names],
            dtype=object,
        )
