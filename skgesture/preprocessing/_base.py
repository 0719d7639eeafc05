"""Input bookkeeping shared by skgesture's transformers.

Every transformer validates its input with
:func:`~skgesture.utils.validation.validate_skeleton_data`, the validator the network
estimators use too: it checks values and layouts and records or checks the shape of one frame
(``n_features_in_``, ``n_joints_in_``, ``n_coords_in_``). :func:`frame_feature_names` gives the
names of those features for ``get_feature_names_out``; :func:`split_recordings`,
:func:`join_recordings` and :func:`join_like` take datasets apart into recordings and give
results back in the layout the user passed.

The documentation of what is shared is written once too: :func:`complete_docstrings` splices
:data:`FITTED_INPUT_ATTRIBUTES_DOC` and :data:`FIT_PARAMETERS_DOC` into a transformer's
docstrings (through :func:`skgesture.utils._docstrings.splice`).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skgesture.utils._docstrings import splice
from skgesture.utils.validation import (
    pad_recordings,
    recording_lengths,
    restore_layout,
    validate_skeleton_data,
)

__all__ = [
    "SkeletonTransformerMixin",
    "complete_docstrings",
    "frame_feature_names",
    "join_like",
    "join_recordings",
    "split_recordings",
    "validate_skeleton_data",
]

_AXIS_NAMES = "xyz"

#: The attributes :func:`validate_skeleton_data` sets, as they end a transformer's Attributes.
FITTED_INPUT_ATTRIBUTES_DOC = """\
n_features_in_ : int
    Values per frame (``n_joints * n_coords``), or columns for 2-D input.
feature_names_in_ : ndarray of str
    Column names, for DataFrame input only.
n_joints_in_ : int
    Joints per frame seen in ``fit``.
n_coords_in_ : int
    Coordinates per joint seen in ``fit``."""

#: Parameters and Returns of a transformer's ``fit``; ``{X}`` describes the recordings and
#: ``{name}`` is the class.
FIT_PARAMETERS_DOC = """\
Parameters
----------
X : list of array-like or array-like
    {X}
y : None
    Ignored.

Returns
-------
self : {name}"""

#: Parameters and Returns of ``get_feature_names_out``, for output names that are the input's.
FEATURE_NAMES_PARAMETERS_DOC = """\
Parameters
----------
input_features : array-like of str, optional
    Input feature names; must match ``feature_names_in_`` when it exists.

Returns
-------
ndarray of str objects"""

#: The same for output names built from the names of one frame's values.
PER_FRAME_FEATURE_NAMES_PARAMETERS_DOC = """\
Parameters
----------
input_features : array-like of str, optional
    Input feature names (per frame for sequences); must match ``feature_names_in_``
    when it exists.

Returns
-------
ndarray of str objects"""


def complete_docstrings(fit_X="Recordings in any layout of the data conventions."):
    """Class decorator that writes the shared fragments into a transformer's docstrings.

    In the docstrings of the class, ``fit`` and ``get_feature_names_out``, a line
    ``%(fitted_input_attributes)s`` becomes :data:`FITTED_INPUT_ATTRIBUTES_DOC`,
    ``%(fit_parameters)s`` becomes :data:`FIT_PARAMETERS_DOC` (with ``fit_X`` describing
    ``X``), and ``%(feature_names_parameters)s`` or ``%(per_frame_feature_names_parameters)s``
    the matching ``get_feature_names_out`` documentation. Each is indented like its
    placeholder, so ``help()`` and Sphinx show the text as if written out.
    """

    def complete(cls):
        fragments = {
            "fitted_input_attributes": FITTED_INPUT_ATTRIBUTES_DOC,
            "fit_parameters": FIT_PARAMETERS_DOC.format(X=fit_X, name=cls.__name__),
            "feature_names_parameters": FEATURE_NAMES_PARAMETERS_DOC,
            "per_frame_feature_names_parameters": PER_FRAME_FEATURE_NAMES_PARAMETERS_DOC,
        }
        cls.__doc__ = splice(cls.__doc__, fragments)
        for method in (cls.fit, cls.get_feature_names_out):
            method.__doc__ = splice(method.__doc__, fragments)
        return cls

    return complete


def _default_frame_names(n_joints, n_coords, joint_names=None):
    if joint_names is None:
        joint_names = [f"joint{j}" for j in range(n_joints)]
    if n_coords == 1:
        return [str(joint) for joint in joint_names]
    axes = _AXIS_NAMES if n_coords <= 3 else [f"c{c}" for c in range(n_coords)]
    return [f"{joint}_{axes[c]}" for joint in joint_names for c in range(n_coords)]


def frame_feature_names(estimator, input_features=None, *, joint_names=None):
    """Names of the ``n_features_in_`` input features of a fitted estimator.

    For 2-D input these are the columns (``feature_names_in_`` or ``x0, x1, ...``); for
    sequences they are the values of one frame in joint-major order (``joint0_x, joint0_y,
    ...``, or ``<name>_x`` when ``joint_names`` are given).

    Parameters
    ----------
    estimator : fitted estimator
    input_features : array-like of str, optional
        Names to use instead; must match ``feature_names_in_`` when the estimator has it.
    joint_names : sequence of str, optional
        Joint names for the default names of sequence features.

    Returns
    -------
    ndarray of str objects, shape (``n_features_in_``,)
    """
    check_is_fitted(estimator, "n_features_in_")
    n_features = estimator.n_features_in_
    if input_features is not None:
        input_features = np.asarray(input_features, dtype=object)
        if len(input_features) != n_features:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({n_features}), got {len(input_features)}."
            )
        fitted_names = getattr(estimator, "feature_names_in_", None)
        if fitted_names is not None and not np.array_equal(fitted_names, input_features):
            raise ValueError("input_features is not equal to feature_names_in_.")
        return input_features
    if hasattr(estimator, "feature_names_in_"):
        return np.asarray(estimator.feature_names_in_, dtype=object)
    if estimator._tabular_in:
        return np.asarray([f"x{i}" for i in range(n_features)], dtype=object)
    names = _default_frame_names(estimator.n_joints_in_, estimator.n_coords_in_, joint_names)
    return np.asarray(names, dtype=object)


def split_recordings(recordings):
    """Real frames of each recording of a validated ``Recordings`` (padding dropped).

    Returns
    -------
    list of ndarray of shape (n_frames_i, n_joints, n_coords)
    """
    data, layout = recordings
    if layout == "list":
        return list(data)
    return [recording[:length] for recording, length in zip(data, recording_lengths(data))]


def join_recordings(recordings, layout, n_frames=None):
    """Give per-recording results back in the layout the user passed.

    A list stays a list; dense layouts are zero-padded to ``n_frames`` (default: the longest
    recording) and shaped back with :func:`~skgesture.utils.validation.restore_layout`.
    """
    if layout == "list":
        return recordings
    data, _ = pad_recordings(recordings, n_frames)
    return restore_layout(data, layout)


def join_like(results, recordings):
    """Give per-recording results back in the layout of the validated ``recordings``.

    Unlike :func:`join_recordings` with its default, a dense layout keeps its number of frames,
    so padding frames the input had stay in the output.
    """
    n_frames = None if recordings.layout == "list" else recordings.data.shape[1]
    return join_recordings(results, recordings.layout, n_frames)


class SkeletonTransformerMixin(TransformerMixin):
    """Tags shared by skgesture's transformers: 3-D input accepted, float32 output.

    Put it left of ``BaseEstimator``: ``class Flattener(SkeletonTransformerMixin,
    BaseEstimator)``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # Values are stored as float32 (data conventions); float64 input comes back float32.
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
