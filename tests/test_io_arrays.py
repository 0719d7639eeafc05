"""Arrays from aeon / sktime: from_aeon, to_aeon and the warning on channels-first input."""

import warnings

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from skgesture import FCClassifier, SkeletonPadder
from skgesture.datasets import load_natops, make_gestures
from skgesture.io import read_ts
from skgesture.io.arrays import LayoutWarning, from_aeon, to_aeon
from skgesture.preprocessing import Flattener


def aeon_collection(n_cases=4, n_channels=24, n_timepoints=51, seed=0):
    """What aeon's load_classification gives: (n_cases, n_channels, n_timepoints), float64."""
    return np.random.default_rng(seed).normal(size=(n_cases, n_channels, n_timepoints))


@pytest.fixture(scope="module")
def natops():
    return load_natops("train")


def test_channels_become_joints_and_timepoints_frames():
    X = aeon_collection()

    recordings = from_aeon(X, n_coords=3)

    assert recordings.shape == (4, 51, 8, 3)
    # Case 2, channel 7 (joint 2, coordinate y) at timepoint 10.
    assert recordings[2, 10, 2, 1] == X[2, 7, 10]
    assert recordings[0, 50, 7, 2] == X[0, 23, 50]
    assert recordings.dtype == X.dtype
    assert recordings.flags.c_contiguous and not np.shares_memory(recordings, X)


def test_the_uea_natops_files_read_as_aeon_give_the_shipped_natops(natops_dir, natops):
    # aeon's load_classification("NATOPS") is the .ts file with channels first.
    series = read_ts(natops_dir / "NATOPS_TRAIN.ts").data
    X = np.stack([one.T for one in series])
    assert X.shape == (180, 24, 51)

    np.testing.assert_array_equal(from_aeon(X, n_coords=3), natops.data)


def test_round_trips(natops):
    X = aeon_collection().astype(np.float32)
    np.testing.assert_array_equal(to_aeon(from_aeon(X)), X)

    np.testing.assert_array_equal(from_aeon(to_aeon(natops.data)), natops.data)
    assert to_aeon(natops.data).shape == (180, 24, 51)


def test_unequal_lengths_are_lists_both_ways():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(6, n_timepoints)) for n_timepoints in (20, 35, 9)]

    recordings = from_aeon(X, n_coords=3)

    assert isinstance(recordings, list)
    assert [recording.shape for recording in recordings] == [(20, 2, 3), (35, 2, 3), (9, 2, 3)]
    assert recordings[1][30, 1, 0] == X[1][3, 30]
    back = to_aeon(recordings)
    assert isinstance(back, list)
    for series, original in zip(back, X):
        np.testing.assert_allclose(series, original, rtol=1e-6)  # to_aeon gives float32
    # aeon also stores such a collection as an object array of series.
    as_objects = np.empty(3, dtype=object)
    as_objects[:] = X
    assert [r.shape for r in from_aeon(as_objects)] == [r.shape for r in recordings]


def test_two_d_keypoints_and_one_value_per_joint():
    X = aeon_collection(n_channels=4, n_timepoints=30)
    assert from_aeon(X, n_coords=2).shape == (4, 30, 2, 2)
    assert from_aeon(X, n_coords=1).shape == (4, 30, 4, 1)
    univariate = X[:, 0, :]  # aeon's (n_cases, n_timepoints)
    np.testing.assert_array_equal(from_aeon(univariate, n_coords=1)[:, :, 0, 0], univariate)
    assert from_aeon(np.ones((2, 3, 5), dtype=np.int64)).dtype == np.float64


def test_to_aeon_takes_every_layout_of_the_conventions():
    X = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6)  # (n, frames, features)
    np.testing.assert_array_equal(to_aeon(X), X.transpose(0, 2, 1))
    with_gap = np.ones((2, 4, 1, 3))
    with_gap[0, 1, 0, 2] = np.nan  # aeon takes missing values
    assert np.isnan(to_aeon(with_gap)[0, 2, 1])


def test_the_converted_natops_trains_a_pipeline(natops):
    X_aeon, y = to_aeon(natops.data[::6]), natops.target[::6]  # 30 recordings, as aeon holds

    model = Pipeline([("pad", SkeletonPadder()), ("clf", FCClassifier(max_epochs=2))])
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        model.fit(from_aeon(X_aeon, n_coords=3), y)

    assert model.named_steps["clf"].n_joints_in_ == 8
    assert model.named_steps["clf"].n_coords_in_ == 3


@pytest.mark.parametrize(
    ("X", "n_coords", "error", "match"),
    [
        (np.ones((2, 24, 51)), "3", TypeError, r"n_coords must be an integer; got '3'"),
        (np.ones((2, 24, 51)), 0, ValueError, "n_coords must be at least 1; got 0"),
        (np.ones((2, 50, 24)), 3, ValueError, r"X has shape \(2, 50, 24\): 50 channels, .*"),
        (np.ones((2, 3, 4, 5)), 3, ValueError, r"X has 4 dimension\(s\) \(2, 3, 4, 5\)"),
        (np.ones((2, 3, 0)), 3, ValueError, r"X has shape \(2, 3, 0\); it needs at least"),
        (np.array([["a", "b"]]), 1, TypeError, "X holds <U1 values, not numbers"),
        ([], 3, ValueError, "X is an empty list"),
        ([np.ones((3, 4)), np.ones(4)], 3, ValueError, r"X\[1\] has 1 dimension\(s\) \(4,\)"),
        ([np.ones((3, 4)), np.ones((6, 4))], 3, ValueError, r"X\[1\] has 6 channels but X\[0\]"),
        ([np.ones((4, 5))], 3, ValueError, r"X\[0\] has shape \(4, 5\): 4 channels, .*"),
        ([np.ones((3, 0))], 3, ValueError, r"X\[0\] has shape \(3, 0\); a series needs"),
    ],
)
def test_from_aeon_names_what_is_wrong(X, n_coords, error, match):
    with pytest.raises(error, match=match):
        from_aeon(X, n_coords=n_coords)


def test_sktime_dataframes_are_refused_with_the_way_to_convert_them():
    pandas = pytest.importorskip("pandas")
    long_table = pandas.DataFrame(np.ones((6, 3)), columns=["x", "y", "z"])  # rows: timepoints
    with pytest.raises(TypeError, match=r"X is a pandas DataFrame; .*convert_to\(X, 'numpy3D'\)"):
        from_aeon(long_table)


def test_a_channel_count_that_fits_no_skeleton_tells_how_to_go_on():
    with pytest.raises(ValueError, match=r"not a multiple of n_coords=3.*already \(n_record"):
        from_aeon(np.ones((2, 100, 24)))  # 100 frames of 8 joints x 3, frames first


def test_to_aeon_names_the_recording_at_fault():
    with pytest.raises(ValueError, match=r"X\[1\] has 0 frames"):
        to_aeon([np.ones((3, 2, 3)), np.ones((0, 2, 3))])


# ------------------------------------------------------------------------------ the warning
def test_an_aeon_array_given_as_it_is_warns_to_convert_it(natops):
    X_aeon = to_aeon(natops.data[:12])  # (12, 24, 51)

    with pytest.warns(LayoutWarning, match=r"shape \(12, 24, 51\).*skgesture\.io\.from_aeon"):
        SkeletonPadder().fit(X_aeon)
    with pytest.warns(LayoutWarning, match="from_aeon"):
        FCClassifier(max_epochs=1).fit(X_aeon, natops.target[:12])


@pytest.mark.parametrize(
    "shape",
    [
        (12, 51, 24),  # NATOPS flattened, frames first: skgesture's own 3-D layout
        (12, 24, 51, 1),  # a 4-D array is never read as aeon's
        (2, 6, 12),  # a toy array
        (4, 25, 75),  # 25 frames cannot be joints x 3
        (4, 30, 59),  # fewer than twice as many values as frames
    ],
)
def test_no_warning_for_skgesture_layouts(shape):
    X = np.random.default_rng(0).normal(size=shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        Flattener().fit(X)


def test_no_warning_for_skeleton_data_whose_shape_reads_like_aeons():
    # 79 joints x 3 = 237 values over 60 frames: the shape alone would suggest aeon's layout,
    # but movement is smooth along the frames, not along the features.
    recordings = make_gestures(8, random_state=0).data
    X = SkeletonPadder(max_frames=60).fit_transform(recordings).reshape(len(recordings), 60, -1)
    assert X.shape[1:] == (60, 237)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        Flattener().fit(X)


@pytest.mark.parametrize(
    "X, n_coords",
    [
        (np.zeros((3, 1, 5)), 1),  # one channel: the transpose is contiguous already
        (np.zeros((3, 5)), 1),  # univariate series
        (np.zeros((3, 6, 1)), 3),  # one timepoint
        ([np.zeros((1, 5)), np.zeros((1, 4))], 1),  # a list of univariate series
    ],
    ids=["one channel", "univariate", "one timepoint", "list"],
)
def test_from_aeon_never_shares_memory_with_its_input(X, n_coords):
    recordings = from_aeon(X, n_coords=n_coords)

    inputs = X if isinstance(X, list) else [X]
    outputs = recordings if isinstance(X, list) else [recordings]
    assert not any(np.shares_memory(a, b) for a in inputs for b in outputs)
