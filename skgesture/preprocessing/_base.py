"""Input bookkeeping shared by skgesture's transformers (and meant for its estimators too).

Every transformer validates its input with :func:`validate_skeleton_data`, which goes through
:mod:`skgesture.utils.validation` (so values, layouts and messages are the same everywhere) and
then records or checks the shape of one frame, the way scikit-learn's ``validate_data`` records
or checks ``n_features_in_``:

- 2-D input ``(n_samples, n_frames)`` is tabular data, as in scikit-learn:
  ``n_features_in_ = X.shape[1]``, DataFrame column names become ``feature_names_in_``, and
  later calls must give the same number of columns;
- sequence input (list, 3-D, 4-D): ``n_features_in_`` is the number of values per frame,
  ``n_joints * n_coords``; the number of frames may change between calls but the skeleton may
  not.

In both cases ``n_joints_in_`` and ``n_coords_in_`` are set, plus a private flag
``_tabular_in`` that tells later calls which meaning ``n_features_in_`` has.
:func:`frame_feature_names` gives the names of those features for ``get_feature_names_out``.
Nothing here is specific to transformers, so classifiers can call the same two functions
(``padded=True`` gives them the zero-padded array and true lengths they train on).

The documentation of what is shared is written once too: :func:`complete_docstrings` splices
:data:`FITTED_INPUT_ATTRIBUTES_DOC` and :data:`FIT_PARAMETERS_DOC` into a transformer's
docstrings.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from skgesture.utils.validation import (
    check_dataset,
    check_recordings,
    pad_recordings,
    recording_lengths,
    restore_layout,
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

_PLACEHOLDER_LINE = re.compile(r"^( *)%\((\w+)\)s$", flags=re.MULTILINE)


def _splice(docstring, fragments):
    """Replace each line ``%(name)s`` of a docstring by ``fragments[name]``, indented like it."""
    return _PLACEHOLDER_LINE.sub(
        lambda line: textwrap.indent(fragments[line[2]], line[1]), docstring
    )


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
        cls.__doc__ = _splice(cls.__doc__, fragments)
        for method in (cls.fit, cls.get_feature_names_out):
            method.__doc__ = _splice(method.__doc__, fragments)
        return cls

    return complete


def validate_skeleton_data(estimator, X, *, reset, padded=False, allow_nan=False):
    """Validate a dataset and record (``reset=True``) or check the shape of its frames.

    Parameters
    ----------
    estimator : estimator instance
        Receives ``n_features_in_``, ``n_joints_in_``, ``n_coords_in_`` (and
        ``feature_names_in_`` for DataFrames) when ``reset=True``; is checked against them
        (after ``check_is_fitted``) when ``reset=False``.
    X : list of array-like or array-like
        A dataset in any layout of the data conventions.
    reset : bool
        True in ``fit``, False in ``transform`` / ``predict``.
    padded : bool, default=False
        Return a :class:`~skgesture.utils.validation.Dataset` (zero-padded array and true
        lengths, from ``check_dataset``) instead of the layout-keeping
        :class:`~skgesture.utils.validation.Recordings` (from ``check_recordings``).
    allow_nan : bool, default=False
        Accept NaN values.

    Returns
    -------
    Recordings or Dataset

    Raises
    ------
    ValueError
        Everything ``check_recordings`` refuses; a frame shape that differs from the fitted
        one ("X has 5 joints x 3 coordinates per frame, but SkeletonPadder was fitted with
        8 x 3"); a different number of columns for 2-D input.
    """
    check = check_dataset if padded else check_recordings
    checked = check(X, allow_nan=allow_nan, estimator=estimator)
    # One recording, (n_frames, n_joints, n_coords), in either a list or a dense array.
    n_joints, n_coords = checked.data[0].shape[1:]
    tabular = checked.layout == "2d"
    if reset:
        # ``ensure_2d=False`` makes validate_data skip its ``n_features_in_ = X.shape[1]``,
        # which counts frames for sequences; feature names are still recorded (or forgotten).
        validate_data(estimator, X, reset=True, skip_check_array=True, ensure_2d=tabular)
        if not tabular:
            estimator.n_features_in_ = n_joints * n_coords
        estimator.n_joints_in_ = int(n_joints)
        estimator.n_coords_in_ = int(n_coords)
        estimator._tabular_in = tabular
        return checked
    check_is_fitted(estimator)
    if (n_joints, n_coords) != (estimator.n_joints_in_, estimator.n_coords_in_):
        raise ValueError(_frame_shape_message(estimator, X, checked.layout, n_joints, n_coords))
    validate_data(
        estimator,
        X,
        reset=False,
        skip_check_array=True,
        ensure_2d=tabular and estimator._tabular_in,
    )
    return checked


def _frame_shape_message(estimator, X, layout, n_joints, n_coords):
    name = type(estimator).__name__
    message = (
        f"X has {n_joints} joints x {n_coords} coordinates per frame, but {name} was fitted "
        f"with {estimator.n_joints_in_} x {estimator.n_coords_in_}."
    )
    fitted = (estimator.n_joints_in_, estimator.n_coords_in_)
    if layout == "3d" and estimator.n_coords_in_ > 1 and tuple(np.shape(X)[1:]) == fitted:
        message += (
            " A 3-D array is always a dataset (n_samples, n_frames, n_features); to pass one "
            "recording, wrap it as [recording] or recording[np.newaxis]."
        )
    return message


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
