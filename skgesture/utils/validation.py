"""The one place where skgesture's data conventions are checked.

A *recording* is an array ``(n_frames, n_joints, n_coords)``. A *dataset* is one of

- a list (or tuple) of recordings (arrays), whose lengths may differ; nested Python lists of
  numbers that form one rectangular array are read as that array, as scikit-learn does;
- a dense array ``(n_samples, n_frames, n_joints, n_coords)``;
- a 3-D array ``(n_samples, n_frames, n_features)``, read as ``n_features`` joints of one
  coordinate;
- a 2-D array ``(n_samples, n_frames)``, read as one joint of one coordinate (this is what
  scikit-learn's own checks feed).

In a dense array, trailing frames that are zero in every joint and coordinate are padding
(this is what :class:`~skgesture.preprocessing.SkeletonPadder` writes), so the true length of
each recording can be recovered. Every estimator and transformer validates its input through
:func:`check_recordings` or :func:`check_dataset`, so the rules and the error messages are the
same everywhere. See ``docs/conventions.md``.
"""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = [
    "Recordings",
    "Dataset",
    "check_recordings",
    "check_dataset",
    "pad_recordings",
    "recording_lengths",
    "restore_layout",
    "validate_skeleton_data",
    "record_frame_shape",
]

#: The layouts a dataset can come in, named by what the user passed.
LAYOUTS = ("list", "2d", "3d", "4d")


class LayoutWarning(UserWarning):
    """A 3-D dataset whose shape suggests aeon's / sktime's ``(n_cases, n_channels,
    n_timepoints)`` rather than skgesture's ``(n_samples, n_frames, n_features)``; convert
    such data with :func:`skgesture.io.from_aeon`. Public as ``skgesture.io.LayoutWarning``,
    beside the converter."""


def _warn_if_channels_first(X):
    """Warn when a 3-D dataset reads like aeon's channels-first layout the wrong way round.

    Two tests, both needed. The shape: a number of "frames" that could count joints x 3
    coordinates, and at least twice as many "features", 30 or more (twice, so that NATOPS as
    aeon loads it, 24 channels by 51 timepoints, is caught; 30, so that toy arrays are not).
    The values: movement is smooth in time, so consecutive frames differ less than
    consecutive features (the x, y, z of different joints) do; channels-first data is the other
    way round. A skeleton dataset whose shape happens to match (79 joints x 3 = 237 features
    over 60 frames) is not smoother along its features, so it gets no warning.
    """
    n_frames, n_features = X.shape[1], X.shape[2]
    if n_frames % 3 or n_features < max(2 * n_frames, 30):
        return
    sample = np.asarray(X[:32], dtype=np.float64)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN samples
        along_frames = np.nanmedian(np.abs(np.diff(sample, axis=1)))
        along_features = np.nanmedian(np.abs(np.diff(sample, axis=2)))
    if not along_features < 0.5 * along_frames:
        return
    warnings.warn(
        f"X has shape {tuple(X.shape)}, read as (n_samples, n_frames={n_frames}, "
        f"n_features={n_features}), but its values change more from one frame to the next "
        "than from one feature to the next, as in aeon's / sktime's (n_cases, n_channels, "
        "n_timepoints) layout. If X comes from aeon or sktime, convert it with "
        "skgesture.io.from_aeon(X, n_coords=3).",
        LayoutWarning,
        stacklevel=4,
    )


class Recordings(NamedTuple):
    """A validated dataset kept as it came: ragged list or dense 4-D array.

    Attributes
    ----------
    data : list of ndarray or ndarray
        A list of float32 recordings ``(n_frames_i, n_joints, n_coords)`` when the input was a
        list, else a float32 array ``(n_samples, n_frames, n_joints, n_coords)``.
    layout : {"list", "2d", "3d", "4d"}
        What the user passed, so that transformers can give back the same layout.
    """

    data: list | np.ndarray
    layout: str


class Dataset(NamedTuple):
    """A validated dataset as one zero-padded array plus each recording's true length.

    Attributes
    ----------
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords), float32
        Recordings padded with zeros after their last frame.
    lengths : ndarray of shape (n_samples,), int64
        Number of real (non-padding) frames of each recording, at least 1.
    layout : {"list", "2d", "3d", "4d"}
        What the user passed.
    """

    data: np.ndarray
    lengths: np.ndarray
    layout: str


def _missing_values_message(input_name, position, estimator):
    where = ", ".join(map(str, position))
    if estimator is None:
        refused = "Missing values are not accepted here"
    else:
        name = estimator if isinstance(estimator, str) else type(estimator).__name__
        refused = f"{name} does not accept missing values"
    return (
        f"Input {input_name} contains NaN (a missing value), first at {input_name}[{where}]. "
        f"{refused}: fill them first, for instance with "
        "skgesture.preprocessing.JointImputer as a Pipeline step (or read files with "
        "read_mocap_csv(path, missing='interpolate'))."
    )


def _checked_values(array, *, allow_nan, input_name, estimator):
    """``check_array``, then NaN, infinity and float32's range; returns float32 values."""
    plain = (
        type(array) is np.ndarray
        and array.dtype in (np.float32, np.float64)
        and array.ndim >= 2
        and min(array.shape[:2]) >= 1
    )
    if not plain:
        # A plain float array of at least one sample and one feature is all check_array would
        # give back, without its look for dataframes and its conversions: a millisecond of a
        # single-recording prediction.
        array = check_array(
            array,
            accept_sparse=False,
            dtype=[np.float32, np.float64],
            ensure_all_finite=False,
            allow_nd=True,
            ensure_min_samples=1,
            ensure_min_features=1,
            estimator=estimator,
            input_name=input_name,
        )
    nan = np.isnan(array)
    if not allow_nan and nan.any():
        position = np.argwhere(nan)[0]
        raise ValueError(_missing_values_message(input_name, position, estimator))
    # Values are stored as float32, where anything beyond about 3.4e38 becomes infinite.
    with np.errstate(over="ignore"):
        values = array.astype(np.float32, copy=False)
    infinite = np.isinf(values)
    if infinite.any():
        position = tuple(np.argwhere(infinite)[0])
        where = ", ".join(map(str, position))
        raise ValueError(
            f"Input {input_name} contains infinity or a value too large for dtype('float32'): "
            f"{input_name}[{where}] is {float(array[position])!r}. Values are stored as float32 "
            "(up to about 3.4e38); rescale the data or mark missing values as NaN."
        )
    return values


def _check_dense(X, *, allow_nan, input_name, estimator):
    X = _checked_values(X, allow_nan=allow_nan, input_name=input_name, estimator=estimator)
    if X.ndim in (3, 4) and min(X.shape[1:]) < 1:
        raise ValueError(
            f"{input_name} has shape {X.shape}: recordings need at least one frame, one joint "
            "and one coordinate."
        )
    if X.ndim == 2:
        return X[:, :, np.newaxis, np.newaxis], "2d"
    if X.ndim == 3:
        return X[:, :, :, np.newaxis], "3d"
    if X.ndim == 4:
        return X, "4d"
    raise ValueError(
        f"{input_name} has {X.ndim} dimensions {X.shape}; expected a dataset of shape "
        "(n_samples, n_frames, n_joints, n_coords), (n_samples, n_frames, n_features), "
        "(n_samples, n_frames) or a list of recordings (n_frames, n_joints, n_coords)."
    )


def _check_one_recording(recording, index, *, allow_nan, input_name, estimator):
    name = f"{input_name}[{index}]"
    if hasattr(recording, "toarray") or hasattr(recording, "tocsr"):
        raise TypeError(f"{name} is a sparse matrix; recordings must be dense arrays.")
    array = np.asarray(recording)
    if array.ndim == 0:
        raise ValueError(
            f"{name} is a scalar; a list dataset holds recordings of shape "
            "(n_frames, n_joints, n_coords) or (n_frames, n_features). Expected 2D array, "
            "got scalar array instead."
        )
    if array.ndim > 3:
        raise ValueError(
            f"{name} has {array.ndim} dimensions {array.shape}; a recording is "
            "(n_frames, n_joints, n_coords)."
        )
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.shape[0] == 0:
        raise ValueError(f"{name} has 0 frames; every recording needs at least one frame.")
    array = _checked_values(array, allow_nan=allow_nan, input_name=name, estimator=estimator)
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    return array


def _is_nested_sequence_array(X):
    """Whether a list is plain nested lists of numbers forming one rectangular array."""
    if any(hasattr(item, "__array__") or hasattr(item, "tocsr") for item in X):
        return False
    try:
        array = np.asarray(X)
    except ValueError:  # ragged nested lists: a list of recordings of different lengths
        return False
    return array.dtype != object


def _is_array_of_recordings(X):
    """Whether X is ``np.array(recordings, dtype=object)``: a 1-D object array of arrays."""
    return (
        isinstance(X, np.ndarray)
        and X.dtype == object
        and X.ndim == 1
        and len(X) > 0
        and all(np.ndim(item) > 0 for item in X)
    )


def check_integer(value, name):
    """``value`` as an int if it is an integer (not a bool); a TypeError naming ``name``
    otherwise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__}).")
    return int(value)


def check_recordings(X, *, allow_nan=False, input_name="X", estimator=None):
    """Validate a dataset and keep its layout (ragged list or dense array).

    Parameters
    ----------
    X : list of array-like or array-like
        A dataset in one of the layouts described in the module docstring.
    allow_nan : bool, default=False
        Accept NaN (missing values); infinity is always refused.
    input_name : str, default="X"
        Name used in error messages.
    estimator : estimator instance or str, optional
        Named in scikit-learn's error messages.

    Returns
    -------
    Recordings
        ``data`` is a list of float32 ``(n_frames_i, n_joints, n_coords)`` arrays for list
        input, otherwise a float32 array ``(n_samples, n_frames, n_joints, n_coords)``.

    Raises
    ------
    ValueError
        Empty datasets, recordings without frames, NaN or infinite values (unless allowed),
        recordings whose joints or coordinates disagree, or an unsupported number of
        dimensions; the message names the recording at fault.
    """
    if _is_array_of_recordings(X):
        X = list(X)
    if isinstance(X, list | tuple):
        if len(X) == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required. "
                f"{input_name} is an empty list of recordings."
            )
        text = next((i for i, item in enumerate(X) if isinstance(item, str | bytes)), None)
        if text is not None:
            raise ValueError(
                f"{input_name}[{text}] is the string {X[text]!r}, not a recording; read files "
                "into arrays first (skgesture.io.read_mocap_csv, load_mocap_folder, read_ts)."
            )
        if _is_nested_sequence_array(X):
            # Nested Python lists of numbers are scikit-learn's "array-like" (X.tolist()), and a
            # flat list of numbers gets scikit-learn's 1-D message; a list of arrays is a list of
            # recordings.
            data, layout = _check_dense(
                X, allow_nan=allow_nan, input_name=input_name, estimator=estimator
            )
            return Recordings(data, layout)
        recordings = [
            _check_one_recording(
                r, i, allow_nan=allow_nan, input_name=input_name, estimator=estimator
            )
            for i, r in enumerate(X)
        ]
        reference = recordings[0].shape[1:]
        for i, recording in enumerate(recordings[1:], start=1):
            if recording.shape[1:] != reference:
                raise ValueError(
                    f"{input_name}[{i}] has {recording.shape[1]} joints x "
                    f"{recording.shape[2]} coordinates per frame but {input_name}[0] has "
                    f"{reference[0]} x {reference[1]}; all recordings of a dataset must "
                    "share one skeleton."
                )
        return Recordings(recordings, "list")
    data, layout = _check_dense(X, allow_nan=allow_nan, input_name=input_name, estimator=estimator)
    return Recordings(data, layout)


def recording_lengths(data):
    """True length of each recording of a zero-padded dense dataset.

    Trailing frames that are zero in every joint and coordinate count as padding; a recording
    that is all zeros keeps one frame.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords)

    Returns
    -------
    lengths : ndarray of shape (n_samples,), int64

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.utils import recording_lengths
    >>> data = np.ones((2, 4, 1, 3))
    >>> data[0, 2:] = 0  # two frames of padding
    >>> recording_lengths(data).tolist()
    [2, 4]
    """
    data = np.asarray(data)
    if data.shape[1] == 0:
        return np.zeros(data.shape[0], dtype=np.int64)
    # NaN is "not zero", so recordings with missing values keep their frames.
    nonzero = np.any(data.reshape(data.shape[0], data.shape[1], -1) != 0, axis=2)
    last = data.shape[1] - np.argmax(nonzero[:, ::-1], axis=1)
    return np.where(nonzero.any(axis=1), last, 1).astype(np.int64)


def pad_recordings(recordings, n_frames=None):
    """Stack recordings of different lengths into one zero-padded array.

    Parameters
    ----------
    recordings : list of ndarray of shape (n_frames_i, n_joints, n_coords)
    n_frames : int, optional
        Length of the output; defaults to the longest recording. Longer recordings are cropped.

    Returns
    -------
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords), float32
    lengths : ndarray of shape (n_samples,), int64
        Length of each recording after cropping.
    """
    lengths = np.array([len(r) for r in recordings], dtype=np.int64)
    if n_frames is None:
        n_frames = int(lengths.max())
    n_joints, n_coords = recordings[0].shape[1:]
    data = np.zeros((len(recordings), n_frames, n_joints, n_coords), dtype=np.float32)
    for i, recording in enumerate(recordings):
        data[i, : min(len(recording), n_frames)] = recording[:n_frames]
    return data, np.minimum(lengths, n_frames)


def check_dataset(X, *, allow_nan=False, input_name="X", estimator=None):
    """Validate a dataset and return it zero-padded, with each recording's true length.

    This is what estimators call: ragged lists are padded here, and dense arrays get their
    lengths from their trailing all-zero frames (see :func:`recording_lengths`).

    Parameters
    ----------
    X : list of array-like or array-like
        A dataset in one of the layouts of the data conventions.
    allow_nan : bool, default=False
        Accept NaN (missing values); infinity is always refused.
    input_name : str, default="X"
        Name used in error messages.
    estimator : estimator instance or str, optional
        Named in scikit-learn's error messages.

    Returns
    -------
    Dataset
        ``(data, lengths, layout)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.utils import check_dataset
    >>> data, lengths, layout = check_dataset([np.ones((3, 8, 3)), np.ones((5, 8, 3))])
    >>> data.shape, lengths.tolist(), layout
    ((2, 5, 8, 3), [3, 5], 'list')
    """
    data, layout = check_recordings(
        X, allow_nan=allow_nan, input_name=input_name, estimator=estimator
    )
    if layout == "list":
        padded, lengths = pad_recordings(data)
        return Dataset(padded, lengths, layout)
    return Dataset(data, recording_lengths(data), layout)


def restore_layout(data, layout):
    """Give a dense 4-D dataset back in the layout the user passed.

    ``"2d"`` and ``"3d"`` squeeze the axes that :func:`check_recordings` added; ``"list"`` and
    ``"4d"`` return the 4-D array unchanged (a padded list is dense from then on).
    """
    if layout == "2d":
        return data.reshape(data.shape[0], data.shape[1] * data.shape[2] * data.shape[3])
    if layout == "3d":
        return data.reshape(data.shape[0], data.shape[1], data.shape[2] * data.shape[3])
    return data


def validate_skeleton_data(estimator, X, *, reset, padded=False, allow_nan=False):
    """Validate a dataset and record (``reset=True``) or check the shape of its frames.

    The one validator of skgesture's transformers and estimators: values and layouts are
    checked by :func:`check_recordings` / :func:`check_dataset`, then
    :func:`record_frame_shape` records or checks the frame shape, the way scikit-learn's
    ``validate_data`` records or checks ``n_features_in_``.

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
        Return a :class:`Dataset` (zero-padded array and true lengths, from
        :func:`check_dataset`) instead of the layout-keeping :class:`Recordings` (from
        :func:`check_recordings`).
    allow_nan : bool, default=False
        Accept NaN values.

    Returns
    -------
    Recordings or Dataset

    Warns
    -----
    ~skgesture.io.LayoutWarning
        For a 3-D array whose "frames" are a multiple of 3, whose "features" are at least
        twice as many and at least 30, and whose values are smoother along the features than
        along the frames, as aeon's ``(n_cases, n_channels, n_timepoints)`` would be; the
        message names :func:`skgesture.io.from_aeon`.

    Raises
    ------
    ValueError
        Everything ``check_recordings`` refuses; a frame shape that differs from the fitted
        one ("X has 5 joints x 3 coordinates per frame, but SkeletonPadder was fitted on
        recordings of 8 joints x 3 coordinates"); a different number of columns for 2-D input.
    """
    check = check_dataset if padded else check_recordings
    checked = check(X, allow_nan=allow_nan, estimator=estimator)
    # One recording, (n_frames, n_joints, n_coords), in either a list or a dense array.
    record_frame_shape(estimator, X, checked.data[0].shape[1:], checked.layout, reset=reset)
    return checked


def record_frame_shape(estimator, X, frame_shape, layout, *, reset):
    """Record (``reset=True``) or check the ``(n_joints, n_coords)`` of a validated dataset.

    The bookkeeping half of :func:`validate_skeleton_data`, for data validated otherwise (a
    :class:`~skgesture.store.RecordingStore` is checked as training reads it).

    - 2-D input ``(n_samples, n_frames)`` is tabular data, as in scikit-learn:
      ``n_features_in_ = X.shape[1]``, DataFrame column names become ``feature_names_in_``,
      and later calls must give the same number of columns;
    - sequence input (list, 3-D, 4-D): ``n_features_in_`` is the number of values per frame,
      ``n_joints * n_coords``; the number of frames may change between calls but the skeleton
      may not.

    ``n_joints_in_``, ``n_coords_in_`` and a private flag ``_tabular_in`` (which meaning
    ``n_features_in_`` has) are set in both cases. A 3-D array shaped like aeon's
    ``(n_cases, n_channels, n_timepoints)`` gets a :class:`~skgesture.io.LayoutWarning`.
    """
    n_joints, n_coords = (int(size) for size in frame_shape)
    if layout == "3d":
        _warn_if_channels_first(X)
    tabular = layout == "2d"
    if reset:
        # ``ensure_2d=False`` makes validate_data skip its ``n_features_in_ = X.shape[1]``,
        # which counts frames for sequences; feature names are still recorded (or forgotten).
        validate_data(estimator, X, reset=True, skip_check_array=True, ensure_2d=tabular)
        if not tabular:
            estimator.n_features_in_ = n_joints * n_coords
        estimator.n_joints_in_ = n_joints
        estimator.n_coords_in_ = n_coords
        estimator._tabular_in = tabular
        return
    check_is_fitted(estimator)
    if (n_joints, n_coords) != (estimator.n_joints_in_, estimator.n_coords_in_):
        raise ValueError(_frame_shape_message(estimator, X, layout, n_joints, n_coords))
    validate_data(
        estimator,
        X,
        reset=False,
        skip_check_array=True,
        ensure_2d=tabular and estimator._tabular_in,
    )


def _frame_shape_message(estimator, X, layout, n_joints, n_coords):
    fitted_joints, fitted_coords = estimator.n_joints_in_, estimator.n_coords_in_
    message = (
        f"X has {n_joints} joints x {n_coords} coordinates per frame, but "
        f"{type(estimator).__name__} was fitted on recordings of {fitted_joints} joints x "
        f"{fitted_coords} coordinates."
    )
    if (
        layout == "3d"
        and fitted_coords > 1
        and not estimator._tabular_in
        and tuple(np.shape(X)[1:]) == (fitted_joints, fitted_coords)
    ):
        message += (
            f" X looks like one recording of (n_frames, n_joints={fitted_joints}, "
            f"n_coords={fitted_coords}); a 3-D array is always a dataset (n_samples, n_frames, "
            "n_features). To pass one recording, wrap it as [recording] or pass X[np.newaxis]."
        )
    elif n_coords == 1 and n_joints == fitted_joints * fitted_coords:
        message += (
            f" Reshape it to (n_samples, n_frames, {fitted_joints}, {fitted_coords}) to give "
            "each joint its coordinates."
        )
    return message
