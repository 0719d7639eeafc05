"""Convert series collections between aeon's (and sktime's) layout and skgesture's.

aeon and sktime hold a collection of multivariate series channels first, time last:
``(n_cases, n_channels, n_timepoints)``, or a list of ``(n_channels, n_timepoints_i)`` arrays
when the series differ in length. skgesture holds recordings frames first: a dense
``(n_recordings, n_frames, n_joints, n_coords)`` array, or a list of ``(n_frames_i, n_joints,
n_coords)`` recordings (see ``docs/conventions.md``). The channels of a skeleton go joint by
joint: x, y, z of the first joint, then x, y, z of the second, and so on, as in the UEA files
of NATOPS.
"""

from __future__ import annotations

import numpy as np

from skgesture.utils.validation import LayoutWarning, check_integer, check_recordings

__all__ = ["LayoutWarning", "from_aeon", "to_aeon"]


def _check_values(array, name):
    """``array`` with floating values (integers and booleans become float64)."""
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise TypeError(
        f"{name} holds {array.dtype} values, not numbers; from_aeon reads numpy arrays of "
        "numbers (aeon's 'numpy3D' or 'np-list' types)."
    )


def _check_channels(n_channels, n_coords, name, shape):
    if n_channels % n_coords:
        raise ValueError(
            f"{name} has shape {shape}: {n_channels} channels, which is not a multiple of "
            f"n_coords={n_coords}, so they cannot be joints of {n_coords} coordinates. Pass "
            "the n_coords of the data (3 for 3-D positions, 2 for 2-D keypoints, 1 to keep "
            "each channel as a joint), or, if X is already (n_recordings, n_frames, "
            "n_features), use it as it is."
        )


def _series_as_recording(series, n_coords):
    """One ``(n_channels, n_timepoints)`` series as an ``(n_frames, n_joints, n_coords)``
    recording."""
    n_channels, n_timepoints = series.shape
    # A copy even where the transpose is contiguous already (one channel or one timepoint).
    return series.T.copy(order="C").reshape(n_timepoints, n_channels // n_coords, n_coords)


def from_aeon(X, n_coords=3):
    """Convert an aeon / sktime collection of series to skgesture's recordings.

    Channel ``j * n_coords + c`` of a series becomes coordinate ``c`` of joint ``j``, and
    timepoints become frames.

    Parameters
    ----------
    X : array-like of shape (n_cases, n_channels, n_timepoints) or list of array-like
        The collection in aeon's layout: a 3-D array (aeon's ``"numpy3D"``, sktime's
        ``"numpy3D"``), a 2-D array ``(n_cases, n_timepoints)`` of univariate series, or a
        list of ``(n_channels, n_timepoints_i)`` arrays whose lengths may differ (aeon's
        ``"np-list"``).
    n_coords : int, default=3
        Coordinates per joint: 3 for 3-D positions, 2 for 2-D keypoints, 1 to read each
        channel as a joint of its own. ``n_channels`` must be a multiple of it.

    Returns
    -------
    recordings : ndarray of shape (n_cases, n_timepoints, n_channels // n_coords, n_coords) \
or list of ndarray of shape (n_timepoints_i, n_channels // n_coords, n_coords)
        A dense array for array input, a list of recordings for list input: what skgesture's
        estimators and transformers take. Floating values keep their dtype; integers and
        booleans become float64. The result is a new array (it shares no memory with ``X``).

    Raises
    ------
    TypeError
        If ``n_coords`` is not an integer, ``X`` is a pandas object (sktime's DataFrame
        types) or holds values that are not numbers.
    ValueError
        If ``n_coords`` is less than 1, ``X`` has the wrong number of dimensions or is
        empty, a series has no timepoint, the number of channels is not a multiple of
        ``n_coords``, or the series of a list differ in their number of channels; the
        message names ``X`` or the series ``X[i]`` at fault.

    See Also
    --------
    to_aeon : The reverse conversion.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.io.arrays import from_aeon
    >>> X = np.zeros((10, 24, 51))  # 10 series of 24 channels (8 joints x 3) by 51 timepoints
    >>> from_aeon(X).shape
    (10, 51, 8, 3)
    >>> unequal = [np.zeros((24, 40)), np.zeros((24, 51))]
    >>> [recording.shape for recording in from_aeon(unequal)]
    [(40, 8, 3), (51, 8, 3)]
    """
    n_coords = check_integer(n_coords, "n_coords")
    if n_coords < 1:
        raise ValueError(f"n_coords must be at least 1; got {n_coords}.")
    if hasattr(X, "iloc"):
        raise TypeError(
            f"X is a pandas {type(X).__name__}; from_aeon reads numpy arrays. Convert sktime's "
            "DataFrames first, e.g. with sktime.datatypes.convert_to(X, 'numpy3D')."
        )
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1:
        X = list(X)  # np.array(series, dtype=object): a list of series in an array
    if isinstance(X, list | tuple):
        return _from_series_list(X, n_coords)
    X = _check_values(np.asarray(X), "X")
    if X.ndim == 2:
        X = X[:, np.newaxis, :]  # univariate: one channel
    if X.ndim != 3:
        raise ValueError(
            f"X has {X.ndim} dimension(s) {X.shape}; aeon's collections are "
            "(n_cases, n_channels, n_timepoints) arrays, (n_cases, n_timepoints) for "
            "univariate series, or lists of (n_channels, n_timepoints_i) arrays."
        )
    n_cases, n_channels, n_timepoints = X.shape
    if min(X.shape) < 1:
        raise ValueError(
            f"X has shape {X.shape}; it needs at least one case, one channel and one timepoint."
        )
    _check_channels(n_channels, n_coords, "X", X.shape)
    recordings = X.transpose(0, 2, 1).copy(order="C")  # a copy, however X is laid out
    return recordings.reshape(n_cases, n_timepoints, n_channels // n_coords, n_coords)


def _from_series_list(X, n_coords):
    if len(X) == 0:
        raise ValueError("X is an empty list; it needs at least one series.")
    recordings = []
    n_channels_first = None
    for index, item in enumerate(X):
        name = f"X[{index}]"
        series = _check_values(np.asarray(item), name)
        if series.ndim != 2:
            raise ValueError(
                f"{name} has {series.ndim} dimension(s) {series.shape}; each series of a "
                "list is an (n_channels, n_timepoints) array."
            )
        n_channels, n_timepoints = series.shape
        if n_timepoints < 1 or n_channels < 1:
            raise ValueError(
                f"{name} has shape {series.shape}; a series needs at least one channel and "
                "one timepoint."
            )
        if n_channels_first is None:
            n_channels_first = n_channels
            _check_channels(n_channels, n_coords, name, series.shape)
        elif n_channels != n_channels_first:
            raise ValueError(
                f"{name} has {n_channels} channels but X[0] has {n_channels_first}; all "
                "series of a collection have the same channels."
            )
        recordings.append(_series_as_recording(series, n_coords))
    return recordings


def to_aeon(X):
    """Convert skgesture's recordings to an aeon / sktime collection of series.

    Coordinate ``c`` of joint ``j`` becomes channel ``j * n_coords + c``, and frames become
    timepoints: the reverse of :func:`from_aeon`.

    Parameters
    ----------
    X : list of array-like or array-like
        A dataset in any layout of skgesture's data conventions: a list of recordings
        ``(n_frames_i, n_joints, n_coords)`` (or ``(n_frames_i, n_features)``), a dense array
        ``(n_recordings, n_frames, n_joints, n_coords)``, ``(n_recordings, n_frames,
        n_features)`` or ``(n_recordings, n_frames)``. Missing values (NaN) are kept.

    Returns
    -------
    series : ndarray of shape (n_recordings, n_joints * n_coords, n_frames) or list of \
ndarray of shape (n_joints * n_coords, n_frames_i)
        float32 values: a 3-D array (aeon's ``"numpy3D"``) for array input, a list of 2-D
        arrays (aeon's ``"np-list"``, which takes series of different lengths) for list
        input. The zero padding of a dense array (see :class:`~skgesture.preprocessing.
        SkeletonPadder`) is kept as timepoints.

    Raises
    ------
    ValueError
        If ``X`` is not a valid dataset (the messages of
        :func:`~skgesture.utils.check_recordings`, naming ``X`` or the recording ``X[i]``).

    See Also
    --------
    from_aeon : The reverse conversion.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.io.arrays import from_aeon, to_aeon
    >>> recordings = [np.zeros((40, 8, 3)), np.zeros((51, 8, 3))]
    >>> [series.shape for series in to_aeon(recordings)]
    [(24, 40), (24, 51)]
    >>> X = np.random.default_rng(0).normal(size=(10, 51, 8, 3)).astype(np.float32)
    >>> to_aeon(X).shape
    (10, 24, 51)
    >>> np.array_equal(from_aeon(to_aeon(X), n_coords=3), X)
    True
    """
    data, layout = check_recordings(X, allow_nan=True, input_name="X")
    if layout == "list":
        return [np.ascontiguousarray(recording.reshape(len(recording), -1).T) for recording in data]
    n_recordings, n_frames = data.shape[:2]
    return np.ascontiguousarray(data.reshape(n_recordings, n_frames, -1).transpose(0, 2, 1))
