"""Behaviour of the transformers in skgesture.preprocessing, used the way a user would."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skgesture.datasets import load_sample_mocap
from skgesture.io import load_mocap_folder
from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointSelector,
    SkeletonNormalizer,
    SkeletonPadder,
)
from skgesture.preprocessing.augment import rotate
from skgesture.skeleton import Skeleton
from skgesture.utils import recording_lengths

# A small upright body, y up, facing +z with its left side at +x; (left, right) mirror pairs.
BODY = Skeleton(
    "stick",
    ["pelvis", "chest", "head", "l_shoulder", "r_shoulder", "l_hand", "r_hand"],
    parents=[-1, 0, 1, 1, 1, 3, 4],
    mirror_pairs=[(3, 4), (5, 6)],
    up_axis=1,
)
REST_POSE = np.array(
    [
        [0.0, 1.0, 0.0],
        [0.0, 1.4, 0.0],
        [0.0, 1.7, 0.0],
        [0.2, 1.5, 0.0],
        [-0.2, 1.5, 0.0],
        [0.3, 1.0, 0.1],
        [-0.3, 1.0, 0.1],
    ]
)


def make_waves(n_recordings=40, seed=0):
    """Ragged recordings of BODY: class 0 waves the right hand sideways, class 1 lifts it."""
    rng = np.random.default_rng(seed)
    recordings, labels = [], []
    for index in range(n_recordings):
        label = index % 2
        n_frames = int(rng.integers(8, 21))
        phase = np.linspace(0, np.pi, n_frames)
        recording = np.repeat(REST_POSE[np.newaxis], n_frames, axis=0)
        recording[:, 6, 1 - label] += 0.4 * np.sin(phase) * (1 if label else -1)
        recording += rng.normal(0, 0.02, size=recording.shape)
        recordings.append(recording)
        labels.append(label)
    return recordings, np.array(labels)


TRANSFORMERS = [
    SkeletonPadder(),
    Flattener(),
    SkeletonNormalizer(),
    JointSelector(),
    FrameRateResampler(source_rate=60.0),
]


# ---------------------------------------------------------------- padding and flattening


def test_pipeline_pads_flattens_and_classifies_ragged_recordings():
    X, y = make_waves(n_recordings=60)
    model = make_pipeline(SkeletonPadder(), Flattener(), LogisticRegression())
    model.fit(X[:40], y[:40])
    assert model.score(X[40:], y[40:]) >= 0.9
    assert model[0].max_frames_ == max(len(recording) for recording in X[:40])
    assert model[1].input_shape_ == (model[0].max_frames_, 7, 3)
    names = model[:-1].get_feature_names_out()
    assert names[0] == "frame0_joint0_x" and len(names) == model[0].max_frames_ * 21


def test_max_frames_is_the_longest_true_length_not_the_array_length():
    X = np.ones((3, 10, 2, 3))
    X[0, 4:] = 0
    X[1, 7:] = 0
    X[2, 6:] = 0
    padder = SkeletonPadder().fit(X)
    assert padder.max_frames_ == 7
    assert padder.transform(X).shape == (3, 7, 2, 3)
    assert recording_lengths(padder.transform(X)).tolist() == [4, 7, 6]


def test_explicit_max_frames_pads_every_recording_to_it():
    X = [np.ones((3, 2, 3)), np.ones((5, 2, 3))]
    padded = SkeletonPadder(max_frames=8).fit_transform(X)
    assert padded.shape == (2, 8, 2, 3)
    assert recording_lengths(padded).tolist() == [3, 5]


def test_longer_recordings_are_cropped_with_a_warning_naming_them():
    padder = SkeletonPadder().fit([np.ones((5, 2, 3))])
    X = [np.ones((4, 2, 3)), np.ones((9, 2, 3)), np.ones((5, 2, 3)), np.ones((6, 2, 3))]
    with pytest.warns(UserWarning, match=r"cropped 2 recording\(s\).*indices 1, 3\."):
        padded = padder.transform(X)
    assert padded.shape == (4, 5, 2, 3)


def test_crop_warning_points_at_the_users_call():
    X = [np.ones((4, 2, 3)), np.ones((9, 2, 3))]
    padder = SkeletonPadder(max_frames=5)
    calls = {
        "transform": lambda: padder.fit(X).transform(X),
        "fit_transform": lambda: padder.fit_transform(X),
        "pipeline": lambda: make_pipeline(padder, Flattener()).fit(X),
    }
    for name, call in calls.items():
        with pytest.warns(UserWarning, match="cropped 1 recording") as record:
            call()
        assert [warning.filename for warning in record] == [__file__], name


def test_truncate_error_refuses_longer_recordings():
    padder = SkeletonPadder(truncate="error").fit([np.ones((5, 2, 3))])
    X = [np.ones((4, 2, 3)), np.ones((9, 2, 3))]
    with pytest.raises(ValueError, match=r"1 recording\(s\).*indices 1; lengths 9"):
        padder.transform(X)


def test_edge_fill_repeats_the_last_real_frame():
    short = np.arange(6.0).reshape(2, 1, 3) + 1
    padded = SkeletonPadder(max_frames=4, fill="edge").fit_transform([short])
    np.testing.assert_array_equal(padded[0, 2:], np.repeat(short[-1:], 2, axis=0))


def test_resample_fill_stretches_each_recording_over_max_frames():
    ramp = np.arange(1.0, 4.0).reshape(3, 1, 1)  # 1, 2, 3
    long = np.ones((9, 1, 1))
    padded = SkeletonPadder(max_frames=5, fill="resample").fit_transform([ramp, long])
    np.testing.assert_allclose(padded[0, :, 0, 0], [1.0, 1.5, 2.0, 2.5, 3.0])
    np.testing.assert_allclose(padded[1], 1.0)  # longer recordings are resampled, not cropped


@pytest.mark.parametrize(
    ("X", "shape"),
    [
        ([np.ones((3, 4, 3)), np.ones((6, 4, 3))], (2, 6, 4, 3)),
        (np.ones((2, 6, 4, 3)), (2, 6, 4, 3)),
        (np.ones((2, 6, 12)), (2, 6, 12)),
        (np.ones((2, 6)), (2, 6)),
    ],
    ids=["list", "4d", "3d", "2d"],
)
def test_padder_output_layout_follows_input(X, shape):
    assert SkeletonPadder().fit_transform(X).shape == shape


@pytest.mark.parametrize(
    "X",
    [np.arange(48.0).reshape(2, 4, 2, 3), np.arange(24.0).reshape(2, 4, 3), np.ones((2, 5))],
    ids=["4d", "3d", "2d"],
)
def test_flattener_inverse_transform_round_trip(X):
    flattener = Flattener().fit(X)
    flat = flattener.transform(X)
    assert flat.shape == (2, X[0].size)
    assert flattener.input_shape_ == X.shape[1:]
    np.testing.assert_array_equal(flattener.inverse_transform(flat), X)


def test_flattener_accepts_a_list_of_equal_length_recordings():
    X = [np.ones((4, 2, 3)), np.zeros((4, 2, 3))]
    assert Flattener().fit_transform(X).shape == (2, 24)


def test_flattener_refuses_ragged_lists_and_points_to_the_padder():
    X = [np.ones((4, 2, 3)), np.ones((4, 2, 3)), np.ones((6, 2, 3))]
    with pytest.raises(ValueError, match=r"X\[2\] has 6.*Put SkeletonPadder first"):
        Flattener().fit(X)


def test_flattener_refuses_a_different_number_of_frames():
    flattener = Flattener().fit(np.ones((2, 10, 2, 3)))
    with pytest.raises(ValueError, match=r"shape \(8, 2, 3\).*SkeletonPadder\(max_frames=10\)"):
        flattener.transform(np.ones((2, 8, 2, 3)))


def test_flattener_inverse_transform_refuses_wrong_width():
    flattener = Flattener().fit(np.ones((2, 10, 2, 3)))
    with pytest.raises(ValueError, match="X has 59 columns.*expects 60"):
        flattener.inverse_transform(np.ones((1, 59)))


# ---------------------------------------------------------------- normalisation


def _body_recording(seed=0, n_frames=12):
    rng = np.random.default_rng(seed)
    motion = rng.normal(0, 0.05, size=(n_frames, 7, 3)).cumsum(axis=0)
    return REST_POSE + motion


@pytest.mark.parametrize("center_mode", ["recording", "frame"])
@pytest.mark.parametrize("center", ["root", "centroid"])
def test_normalizer_removes_translation_and_size(center, center_mode):
    recording = _body_recording()
    moved = 2.5 * recording + np.array([3.0, -1.0, 7.0])
    normalizer = SkeletonNormalizer(center=center, center_mode=center_mode, skeleton=BODY)
    original, transformed = normalizer.fit_transform([recording, moved])
    np.testing.assert_allclose(original, transformed, atol=1e-5)


def test_normalizer_puts_the_root_at_the_origin_and_bones_at_unit_length():
    recording = 3.0 * _body_recording() + 1.0
    (result,) = SkeletonNormalizer(skeleton=BODY).fit_transform([recording])
    np.testing.assert_allclose(result[0, 0], 0.0, atol=1e-6)
    assert np.abs(result[1:, 0]).max() > 0  # the root still moves: motion is kept
    bones = np.array([(child, parent) for parent, child in BODY.bones])
    lengths = np.linalg.norm(result[:, bones[:, 0]] - result[:, bones[:, 1]], axis=-1)
    assert lengths.mean() == pytest.approx(1.0, rel=1e-5)


def test_frame_mode_keeps_the_root_at_the_origin_in_every_frame():
    (result,) = SkeletonNormalizer(center_mode="frame").fit_transform([_body_recording()])
    np.testing.assert_allclose(result[:, 0], 0.0, atol=1e-6)


@pytest.mark.parametrize("center_mode", ["recording", "frame"])
def test_aligned_normalizer_ignores_where_the_performer_faces(center_mode):
    recording = _body_recording(seed=1)
    turned = [rotate(recording, angle) + [1.0, 0.0, -2.0] for angle in (-120, 35, 90, 180)]
    normalizer = SkeletonNormalizer(align=True, center_mode=center_mode, skeleton=BODY)
    reference, *others = normalizer.fit_transform([recording, *turned])
    for other in others:
        np.testing.assert_allclose(other, reference, atol=1e-4)


def test_alignment_turns_the_shoulders_to_the_x_axis():
    turned = rotate(_body_recording(seed=2), 70)
    (result,) = SkeletonNormalizer(align=True, skeleton=BODY).fit_transform([turned])
    right_to_left = result[0, 3] - result[0, 4]
    assert right_to_left[0] > 0 and abs(right_to_left[2]) < 1e-5


def test_alignment_levels_image_keypoints():
    keypoints = _body_recording()[:, :, :2]
    tilted = rotate(keypoints, 30)
    normalizer = SkeletonNormalizer(align=True, skeleton=BODY)
    np.testing.assert_allclose(*normalizer.fit_transform([keypoints, tilted]), atol=1e-5)


def test_normalizer_keeps_layout_and_padding():
    dense = np.zeros((2, 15, 7, 3))
    dense[0, :12] = _body_recording(n_frames=12)
    dense[1, :9] = _body_recording(seed=3, n_frames=9)
    result = SkeletonNormalizer(skeleton=BODY).fit_transform(dense)
    assert result.shape == dense.shape
    assert np.all(result[0, 12:] == 0) and np.all(result[1, 9:] == 0)
    listed = SkeletonNormalizer().fit_transform([dense[0, :12], dense[1, :9]])
    assert isinstance(listed, list) and [len(r) for r in listed] == [12, 9]
    flat = dense.reshape(2, 15, 21)
    assert SkeletonNormalizer().fit_transform(flat).shape == flat.shape


# ---------------------------------------------------------------- joint selection


def test_joint_selector_by_name_with_a_skeleton():
    X, _ = make_waves(n_recordings=4)
    selector = JointSelector(["r_hand", "pelvis"], skeleton=BODY).fit(X)
    result = selector.transform(X)
    assert isinstance(result, list) and result[0].shape == (len(X[0]), 2, 3)
    np.testing.assert_array_equal(result[0][:, 0], np.float32(X[0][:, 6]))
    assert selector.joint_indices_.tolist() == [6, 0]
    assert selector.get_feature_names_out().tolist()[:4] == [
        "r_hand_x",
        "r_hand_y",
        "r_hand_z",
        "pelvis_x",
    ]


def test_joint_selector_by_index_on_dense_and_3d_input():
    X = np.random.default_rng(0).normal(size=(3, 5, 7, 3))
    np.testing.assert_array_equal(
        JointSelector([2, 4]).fit_transform(X), X[:, :, [2, 4]].astype(np.float32)
    )
    features = X.reshape(3, 5, 21)  # a 3-D array: every feature is a joint
    assert JointSelector([0, 20]).fit_transform(features).shape == (3, 5, 2)


def test_joint_names_parameter_takes_precedence_over_the_skeleton():
    X = np.ones((2, 4, 7, 3))
    names = ["a", "b", "c", "d", "e", "f", "g"]
    selector = JointSelector(["g"], joint_names=names, skeleton=BODY).fit(X)
    assert selector.joint_indices_.tolist() == [6]


@pytest.mark.parametrize(
    ("selector", "match"),
    [
        (
            JointSelector(["r_hand", "tail"], skeleton=BODY),
            r"Unknown joint name 'tail' in joints\[1\]",
        ),
        (JointSelector(["head"]), r"joints\[0\]='head' is a joint name, but no joint_names"),
        (JointSelector([0, 7]), r"joints\[1\]=7 is out of range for data with 7 joints"),
        (JointSelector([1, 1]), r"joints\[1\]=1 selects joint 1 twice"),
        (JointSelector([]), "joints is empty"),
        (JointSelector(joint_names=["a", "b"]), "joint_names has 2 names but X has 7 joints"),
        (JointSelector(skeleton=BODY.subset([0, 1])), "skeleton has 2 joints but X has 7"),
    ],
)
def test_joint_selector_refuses_bad_joints(selector, match):
    with pytest.raises(ValueError, match=match):
        selector.fit(np.ones((2, 4, 7, 3)))


# ---------------------------------------------------------------- frame rate


def test_resampler_changes_frame_rate_over_the_same_duration():
    ramp = np.arange(121.0).reshape(121, 1, 1)  # 1 s at 120 fps
    (result,) = FrameRateResampler(source_rate=120, target_rate=30).fit_transform([ramp])
    np.testing.assert_allclose(result[:, 0, 0], np.arange(0, 121, 4))
    (upsampled,) = FrameRateResampler(source_rate=2, target_rate=4).fit_transform([ramp[:3]])
    np.testing.assert_allclose(upsampled[:, 0, 0], [0, 0.5, 1, 1.5, 2])


def test_resampler_keeps_dense_layout_and_padding():
    X = np.ones((2, 11, 3, 3))
    X[1, 5:] = 0
    result = FrameRateResampler(source_rate=10, target_rate=5).fit_transform(X)
    assert result.shape == (2, 6, 3, 3)
    assert recording_lengths(result).tolist() == [6, 3]


def test_resampler_needs_time_stamps_or_the_source_rate():
    resampler = FrameRateResampler().fit([np.ones((3, 2, 3))])
    with pytest.raises(ValueError, match=r"needs the recordings' time stamps.*or source_rate"):
        resampler.transform([np.ones((3, 2, 3))])


def test_resampler_brings_recordings_of_different_rates_to_one_rate_by_their_times():
    # One gesture, a value moving at 3 units per second, captured at 120 and at 50 fps.
    times = [np.arange(121) / 120, np.arange(26) / 50]
    X = [(3 * stamps).reshape(-1, 1, 1) for stamps in times]
    resampler = FrameRateResampler(target_rate=10)
    first, second = resampler.fit_transform(X, times=times)
    np.testing.assert_allclose(first[:, 0, 0], 3 * np.arange(11) / 10, atol=1e-6)
    np.testing.assert_allclose(second[:, 0, 0], 3 * np.arange(6) / 10, atol=1e-6)


def test_resampler_repairs_dropped_frames_and_starts_at_the_first_time_stamp():
    stamps = 2.0 + np.arange(12) / 10  # 10 fps from 2 s ...
    kept = np.delete(np.arange(12), [3, 4, 8])  # ... with three frames lost in capture
    recording = np.stack([np.sin(stamps), np.cos(stamps)], axis=1)[:, :, np.newaxis]
    (repaired,) = FrameRateResampler(target_rate=10).fit_transform(
        [recording[kept]], times=[stamps[kept]]
    )
    assert repaired.shape == (12, 2, 1)
    np.testing.assert_allclose(repaired[kept], recording[kept], atol=1e-6)
    # Lost frames are interpolated in time: close to the true motion, not a copy of a neighbour.
    np.testing.assert_allclose(repaired, recording, atol=0.01)


def test_resampler_times_take_precedence_over_the_source_rate():
    ramp = np.arange(5.0).reshape(5, 1, 1)
    resampler = FrameRateResampler(source_rate=1, target_rate=2).fit([ramp])
    (by_rate,) = resampler.transform([ramp])
    (by_times,) = resampler.transform([ramp], times=[np.arange(5) / 4])
    assert len(by_rate) == 9 and len(by_times) == 3
    np.testing.assert_allclose(by_times[:, 0, 0], [0, 2, 4])


def test_resampler_with_times_keeps_dense_layouts():
    X = np.ones((2, 6, 3))  # 3-D: 3 joints of one coordinate
    X[1, 3:] = 0  # three frames of padding
    true_length_times = [np.arange(6) / 10, np.arange(3) / 10]
    padded_times = np.tile(np.arange(6) / 10, (2, 1))  # also stamps for the padding frames
    for times in (true_length_times, padded_times):
        result = FrameRateResampler(target_rate=20).fit_transform(X, times=times)
        assert result.shape == (2, 11, 3)
        assert recording_lengths(result[..., np.newaxis]).tolist() == [11, 5]


def test_sample_folder_times_resample_to_another_rate():
    folder = load_sample_mocap()
    dataset = load_mocap_folder(folder, pattern="gesture_00[0-3].csv")
    resampled = FrameRateResampler(target_rate=50).fit_transform(dataset.data, times=dataset.times)
    for original, stamps, result in zip(dataset.data, dataset.times, resampled):
        assert len(result) == round((stamps[-1] - stamps[0]) * 50) + 1
        np.testing.assert_allclose(result[::2], original, atol=1e-5)


@pytest.mark.parametrize(
    ("times", "match"),
    [
        ([np.arange(4)], r"times has 1 array\(s\) of time stamps but X has 2 recording\(s\)"),
        ([np.arange(4), np.arange(4)], r"times\[1\] has 4 time stamps but X\[1\] has 3 frames"),
        ([np.arange(4), [0, 1, np.nan]], r"times\[1\] is nan at frame 2; .* must be finite"),
        ([np.arange(4), [0, 2, np.inf]], r"times\[1\] is inf at frame 2"),
        (
            [[0, 1, 1, 2], np.arange(3)],
            r"times\[0\] is not strictly increasing: frame 2 is at 1.0, not after frame 1",
        ),
        ([[0, 3, 2, 4], np.arange(3)], r"times\[0\] is not strictly increasing: frame 2"),
        ([np.zeros((4, 1)), np.arange(3)], r"times\[0\] has shape \(4, 1\); expected a 1-D"),
        ([["a", "b", "c", "d"], np.arange(3)], r"times\[0\] is not an array of numbers"),
        (0.04, "times must hold one array of time stamps per recording, got float"),
    ],
)
def test_resampler_refuses_bad_time_stamps_naming_recording_and_frame(times, match):
    X = [np.ones((4, 2, 3)), np.ones((3, 2, 3))]
    resampler = FrameRateResampler(target_rate=10).fit(X)
    with pytest.raises(ValueError, match=match):
        resampler.transform(X, times=times)


def test_pipeline_routes_time_stamps_to_the_resampler():
    rng = np.random.default_rng(0)
    X, y = make_waves(n_recordings=40)
    # Each recording captured at its own rate, between 20 and 60 fps, starting at any time.
    times = [rng.uniform(0, 5) + np.arange(len(r)) / rng.uniform(20, 60) for r in X]
    with sklearn.config_context(enable_metadata_routing=True):
        model = make_pipeline(
            FrameRateResampler(target_rate=30).set_transform_request(times=True),
            SkeletonPadder(max_frames=30),
            Flattener(),
            LogisticRegression(),
        )
        model.fit(X[:30], y[:30], times=times[:30])
        predicted = model.predict(X[30:], times=times[30:])
        assert model.score(X[30:], y[30:], times=times[30:]) >= 0.9
    by_hand = FrameRateResampler(target_rate=30).fit(X[30:]).transform(X[30:], times=times[30:])
    expected = model[1:].predict(by_hand)
    np.testing.assert_array_equal(predicted, expected)


# ---------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_transform_refuses_another_skeleton(transformer):
    fitted = transformer.fit(np.ones((2, 4, 8, 3)))
    message = (
        rf"X has 5 joints x 3 coordinates per frame, but {type(transformer).__name__} "
        r"was fitted on recordings of 8 joints x 3 coordinates"
    )
    with pytest.raises(ValueError, match=message):
        fitted.transform(np.ones((2, 4, 5, 3)))


def test_a_single_recording_passed_as_3d_gets_a_hint():
    padder = SkeletonPadder().fit([np.ones((4, 8, 3))])
    with pytest.raises(ValueError, match=r"wrap it as \[recording\]"):
        padder.transform(np.ones((4, 8, 3)))


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_n_features_in_counts_values_per_frame_for_sequences(transformer):
    transformer.fit([np.ones((6, 8, 3)), np.ones((6, 8, 3))])
    assert (transformer.n_features_in_, transformer.n_joints_in_, transformer.n_coords_in_) == (
        24,
        8,
        3,
    )
    transformer.fit(np.ones((3, 10)))
    assert transformer.n_features_in_ == 10


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_tabular_input_keeps_scikit_learn_column_rules(transformer):
    frame = pd.DataFrame(np.ones((3, 5)), columns=[f"t{i}" for i in range(5)])
    transformer.fit(frame)
    assert transformer.feature_names_in_.tolist() == list(frame.columns)
    with (
        pytest.warns(UserWarning, match="X does not have valid feature names"),
        pytest.raises(ValueError, match="X has 4 features, but .* is expecting 5 features"),
    ):
        transformer.transform(np.ones((3, 4)))


@pytest.mark.parametrize(
    ("transformer", "match"),
    [
        (SkeletonPadder(max_frames=0), "'max_frames' parameter of SkeletonPadder"),
        (SkeletonPadder(fill="mirror"), "'fill' parameter of SkeletonPadder"),
        (SkeletonPadder(truncate="drop"), "'truncate' parameter of SkeletonPadder"),
        (SkeletonNormalizer(center="hips"), "'center' parameter of SkeletonNormalizer"),
        (SkeletonNormalizer(center_mode="clip"), "'center_mode' parameter"),
        (SkeletonNormalizer(root_joint=-1), "'root_joint' parameter"),
        (SkeletonNormalizer(scale="height"), "'scale' parameter"),
        (JointSelector(joints="head"), "'joints' parameter of JointSelector"),
        (FrameRateResampler(source_rate=0), "'source_rate' parameter"),
        (FrameRateResampler(60, target_rate=-1), "'target_rate' parameter"),
    ],
)
def test_bad_parameters_are_refused_in_fit(transformer, match):
    with pytest.raises(InvalidParameterError, match=match):
        transformer.fit([np.ones((3, 7, 3))])


@pytest.mark.parametrize(
    ("normalizer", "X", "match"),
    [
        (SkeletonNormalizer(align=True), np.ones((2, 3, 7, 3)), "needs a skeleton with mirror"),
        (SkeletonNormalizer(align=True), np.ones((2, 3, 7)), "align=True needs 2 or 3 coord"),
        (SkeletonNormalizer(root_joint=9), np.ones((2, 3, 7, 3)), r"root_joint\[0\]=9 is out"),
        (SkeletonNormalizer(root_joint="pelvis"), np.ones((2, 3, 7, 3)), "no joint_names"),
        (SkeletonNormalizer(skeleton=BODY), np.ones((2, 3, 6, 3)), "skeleton has 7 joints"),
    ],
)
def test_normalizer_refuses_settings_the_data_cannot_meet(normalizer, X, match):
    with pytest.raises(ValueError, match=match):
        normalizer.fit(X)


def test_root_joint_by_name():
    normalizer = SkeletonNormalizer(root_joint="chest", skeleton=BODY).fit([REST_POSE[None]])
    assert normalizer.root_joint_ == 1
