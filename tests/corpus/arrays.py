"""Malformed arrays, and the error every entry point that takes recordings must raise for each.

Read by ``tests/test_corpus_arrays.py`` (see ``README.md``); nothing here imports skgesture.
Each case builds its input afresh, so a test can keep a copy and check that the entry point
left the input as it was.

- ``stage="fit"``: the input is bad whatever was fitted: given to ``check_dataset``, to every
  transformer's ``fit`` and every classifier's ``fit``, and (when ``y`` is None) to every
  fitted transformer's ``transform``, classifier's ``predict`` and ``GradCAMExplainer.explain``;
- ``stage="labels"``: good recordings with bad labels, given to every classifier's ``fit``;
- ``stage="predict"``: recordings that are fine alone but do not match the fitted data, given to
  ``transform``, ``predict`` and ``explain`` after a fit on :func:`good_recordings`.

``match`` is a regular expression searched in the message; ``{name}`` in it stands for the
entry point's class name (``check_dataset`` for the function, ``CNNClassifier`` for the
explainer, whose classifier checks the recordings).
"""

from typing import NamedTuple

import numpy as np
from scipy import sparse

N_RECORDINGS, N_FRAMES, N_JOINTS, N_COORDS = 6, 5, 4, 3


def good_recordings():
    """A dense dataset (6 recordings, 5 frames, 4 joints, 3 coordinates), float32."""
    rng = np.random.default_rng(0)
    shape = (N_RECORDINGS, N_FRAMES, N_JOINTS, N_COORDS)
    return rng.normal(size=shape).astype(np.float32)


def good_labels():
    return np.array(["wave", "point"] * (N_RECORDINGS // 2))


def ragged_recordings():
    """The same recordings as a list, cut to different lengths."""
    return [recording[: 2 + index % 4] for index, recording in enumerate(good_recordings())]


class ArrayCase(NamedTuple):
    name: str
    make_X: object
    error: type
    match: str
    why: str
    stage: str = "fit"
    make_y: object = None
    #: The input's only fault is NaN, which JointImputer accepts (it is the opt-in for it).
    missing_values: bool = False


def _set(value, *index, dtype=None, ragged=False):
    """Recordings with one value replaced."""

    def make():
        X = ragged_recordings() if ragged else good_recordings()
        if ragged:
            X[index[0]] = X[index[0]].astype(dtype or X[index[0]].dtype)
            X[index[0]][index[1:]] = value
            return X
        X = X.astype(dtype or X.dtype)
        X[index] = value
        return X

    return make


def _labels(values):
    return lambda: np.array(values, dtype=object if None in values else None)


CASES = [
    # ------------------------------------------------------------------------------ values
    ArrayCase(
        "nan_in_dense",
        _set(np.nan, 2, 1, 0, 0),
        ValueError,
        r"Input X contains NaN \(a missing value\), first at X\[2, 1, 0, 0\]\. .*JointImputer",
        "one occluded coordinate in a dense array",
        missing_values=True,
    ),
    ArrayCase(
        "nan_in_list",
        _set(np.nan, 3, 1, 2, 0, ragged=True),
        ValueError,
        r"Input X\[3\] contains NaN \(a missing value\), first at X\[3\]\[1, 2, 0\].*JointImputer",
        "one occluded coordinate in a ragged list",
        missing_values=True,
    ),
    ArrayCase(
        "all_nan_frame",
        _set(np.nan, 0, 4),
        ValueError,
        r"Input X contains NaN .*first at X\[0, 4, 0, 0\]",
        "a whole last frame lost",
        missing_values=True,
    ),
    ArrayCase(
        "inf_in_dense",
        _set(np.inf, 1, 3, 2, 1),
        ValueError,
        r"Input X contains infinity .*X\[1, 3, 2, 1\] is inf",
        "+inf in a dense array",
    ),
    ArrayCase(
        "minus_inf_in_list",
        _set(-np.inf, 2, 0, 0, 0, ragged=True),
        ValueError,
        r"Input X\[2\] contains infinity .*X\[2\]\[0, 0, 0\] is -inf",
        "-inf in a ragged list",
    ),
    ArrayCase(
        "beyond_float32_dense",
        _set(1e300, 0, 0, 0, 0, dtype=np.float64),
        ValueError,
        r"Input X contains infinity or a value too large .*X\[0, 0, 0, 0\] is 1e\+300",
        "float64 value that float32 cannot hold (it became inf, silently)",
    ),
    ArrayCase(
        "beyond_float32_in_list",
        _set(-4e38, 1, 1, 3, 2, dtype=np.float64, ragged=True),
        ValueError,
        r"Input X\[1\] contains infinity or a value too large .*X\[1\]\[1, 3, 2\] is -4e\+38",
        "just beyond float32's range, in a ragged list",
    ),
    ArrayCase(
        "complex_dtype",
        lambda: good_recordings() + 1j,
        ValueError,
        r"Complex data not supported",
        "complex positions",
    ),
    ArrayCase(
        "object_array_of_strings",
        lambda: np.array([["left_hand", "right_hand"]] * N_RECORDINGS, dtype=object),
        ValueError,
        r"could not convert string to float: 'left_hand'",
        "joint names where positions should be",
    ),
    ArrayCase(
        "list_of_file_names",
        lambda: ["Avion.csv", "Bonjour.csv"],
        ValueError,
        r"X\[0\] is the string 'Avion\.csv', not a recording; read files into arrays first",
        "file names instead of the recordings read from them",
    ),
    ArrayCase(
        "none_in_list",
        lambda: [*good_recordings()[:2], None],
        ValueError,
        r"X\[2\] is a scalar",
        "a recording that failed to load",
    ),
    ArrayCase(
        "dict_of_recordings",
        lambda: {"Avion": good_recordings()[0]},
        TypeError,
        r"float\(\) argument must be a string or a real number, not 'dict'",
        "a mapping of names to recordings",
    ),
    ArrayCase(
        "sparse_matrix",
        lambda: sparse.csr_matrix(np.ones((N_RECORDINGS, N_FRAMES))),
        TypeError,
        r"Sparse data was passed for X, but dense data is required",
        "a sparse matrix",
    ),
    # ------------------------------------------------------------------------------ shapes
    ArrayCase(
        "ragged_joints",
        lambda: [good_recordings()[0], good_recordings()[1][:, :3]],
        ValueError,
        r"X\[1\] has 3 joints x 3 coordinates per frame but X\[0\] has 4 x 3",
        "recordings with different skeletons",
    ),
    ArrayCase(
        "ragged_coordinates",
        lambda: [*ragged_recordings()[:3], good_recordings()[3][:, :, :2]],
        ValueError,
        r"X\[3\] has 4 joints x 2 coordinates per frame but X\[0\] has 4 x 3",
        "3-D and 2-D keypoints mixed",
    ),
    ArrayCase(
        "five_dimensions",
        lambda: good_recordings()[..., np.newaxis],
        ValueError,
        r"X has 5 dimensions \(6, 5, 4, 3, 1\); expected a dataset of shape",
        "an extra axis",
    ),
    ArrayCase(
        "recording_with_four_dimensions",
        lambda: [good_recordings()[0], good_recordings()[:2]],
        ValueError,
        r"X\[1\] has 4 dimensions \(2, 5, 4, 3\); a recording is",
        "a dataset nested in a list of recordings",
    ),
    ArrayCase(
        "empty_list",
        lambda: [],
        ValueError,
        r"X is an empty list of recordings",
        "no recording",
    ),
    ArrayCase(
        "no_recordings_dense",
        lambda: np.empty((0, N_FRAMES, N_JOINTS, N_COORDS), dtype=np.float32),
        ValueError,
        r"Found array with 0 sample\(s\) \(shape=\(0, 5, 4, 3\)\)",
        "a dense array of 0 recordings",
    ),
    ArrayCase(
        "zero_frame_recording",
        lambda: [*ragged_recordings()[:2], np.empty((0, N_JOINTS, N_COORDS))],
        ValueError,
        r"X\[2\] has 0 frames; every recording needs at least one frame",
        "an empty recording in a list",
    ),
    ArrayCase(
        "zero_frames_dense",
        lambda: np.empty((N_RECORDINGS, 0, N_JOINTS, N_COORDS), dtype=np.float32),
        ValueError,
        r"X has shape \(6, 0, 4, 3\): recordings need at least one frame",
        "a dense array without frames (crashed in torch's convolution)",
    ),
    ArrayCase(
        "zero_joints_dense",
        lambda: np.empty((N_RECORDINGS, N_FRAMES, 0, N_COORDS), dtype=np.float32),
        ValueError,
        r"X has shape \(6, 5, 0, 3\): recordings need at least one frame, one joint",
        "a skeleton without joints",
    ),
    ArrayCase(
        "zero_features_3d",
        lambda: np.empty((N_RECORDINGS, N_FRAMES, 0), dtype=np.float32),
        ValueError,
        r"X has shape \(6, 5, 0\): recordings need at least one frame, one joint",
        "a 3-D dataset without features",
    ),
    ArrayCase(
        "scalar",
        lambda: 3.0,
        ValueError,
        r"Expected 2D array, got scalar array instead",
        "a number",
    ),
    ArrayCase(
        "one_dimension",
        lambda: np.ones(N_RECORDINGS),
        ValueError,
        r"Expected 2D array, got 1D array instead",
        "one value per recording",
    ),
    # ------------------------------------------------------------------------------ labels
    ArrayCase(
        "labels_too_short",
        good_recordings,
        ValueError,
        r"inconsistent numbers of samples: \[6, 5\]",
        "one label missing",
        stage="labels",
        make_y=lambda: good_labels()[:5],
    ),
    ArrayCase(
        "labels_with_nan",
        good_recordings,
        ValueError,
        r"Input y contains NaN",
        "a float label that is NaN",
        stage="labels",
        make_y=lambda: np.array([0.0, 1.0, np.nan, 0.0, 1.0, 0.0]),
    ),
    ArrayCase(
        "one_class",
        good_recordings,
        ValueError,
        r"only one class is present: y holds only 'wave'",
        "every recording has the same label",
        stage="labels",
        make_y=lambda: np.array(["wave"] * N_RECORDINGS),
    ),
    ArrayCase(
        "continuous_labels",
        good_recordings,
        ValueError,
        r"Unknown label type: continuous",
        "regression targets given to a classifier",
        stage="labels",
        make_y=lambda: np.linspace(0.5, 3.0, N_RECORDINGS),
    ),
    ArrayCase(
        "labels_two_columns",
        good_recordings,
        ValueError,
        r"y should be a 1d array, got an array of shape \(6, 2\)",
        "one-hot labels",
        stage="labels",
        make_y=lambda: np.eye(2)[np.arange(N_RECORDINGS) % 2],
    ),
    # ------------------------------------------------------------------ predict vs fit
    ArrayCase(
        "fewer_joints_than_fitted",
        lambda: good_recordings()[:, :, :3],
        ValueError,
        r"X has 3 joints x 3 coordinates per frame, but {name} was fitted (with|on recordings "
        r"of) 4",
        "a skeleton with one joint less",
        stage="predict",
    ),
    ArrayCase(
        "other_coordinates_than_fitted",
        lambda: [recording[:, :, :2] for recording in ragged_recordings()],
        ValueError,
        r"X has 4 joints x 2 coordinates per frame, but {name} was fitted (with|on recordings "
        r"of) 4( joints)? x 3",
        "2-D keypoints after a fit on 3-D positions",
        stage="predict",
    ),
    ArrayCase(
        "one_recording_without_sample_axis",
        lambda: good_recordings()[0],
        ValueError,
        r"(A 3-D array is always a dataset|a 3-D array is always a dataset)",
        "one recording (frames, joints, coords) passed without wrapping it",
        stage="predict",
    ),
    ArrayCase(
        "flattened_frames",
        lambda: good_recordings().reshape(N_RECORDINGS, N_FRAMES, N_JOINTS * N_COORDS),
        ValueError,
        r"X has 12 joints x 1 coordinates per frame, but {name} was fitted",
        "frames flattened to 12 features after a fit on (joints, coords)",
        stage="predict",
    ),
]
