"""Body-frame features computed inside the estimators: skgesture._features."""

import warnings

import numpy as np
import pytest

from skgesture._features import (
    STREAMS,
    body_frame,
    body_size,
    bone_stream,
    default_root,
    motion_stream,
    n_feature_coords,
    skeleton_features,
)

# pelvis, chest, head, l_hand, r_hand, l_foot: pelvis roots the tree.
PARENTS = (-1, 0, 1, 1, 1, 0)
REST_POSE = np.array(
    [
        [0.0, 1.0, 0.0],
        [0.0, 1.4, 0.0],
        [0.0, 1.7, 0.0],
        [0.3, 1.0, 0.1],
        [-0.3, 1.0, 0.1],
        [0.1, 0.0, 0.0],
    ]
)


def make_batch(n_coords=3, lengths=(7, 4, 1), n_frames=9, seed=0):
    """Zero-padded recordings of a body that walks and moves its hands, camera far away."""
    rng = np.random.default_rng(seed)
    data = np.zeros((len(lengths), n_frames, len(PARENTS), n_coords))
    for index, length in enumerate(lengths):
        pose = REST_POSE[:, :n_coords] + rng.normal(0, 0.05, (length, len(PARENTS), n_coords))
        walk = np.linspace(0, 0.5, length)[:, np.newaxis, np.newaxis] * np.eye(n_coords)[0]
        data[index, :length] = pose + walk + rng.uniform(-3, 3, n_coords)
    return data, np.array(lengths)


def rotate_about_y(data, angle):
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.array([[cos, 0, sin], [0, 1, 0], [-sin, 0, cos]])
    return data @ rotation.T


@pytest.mark.parametrize("n_coords", [2, 3])
@pytest.mark.parametrize("streams", [("joint",), ("joint", "bone", "motion"), ("motion", "bone")])
def test_shape_dtype_and_channel_count(n_coords, streams):
    data, lengths = make_batch(n_coords)
    features = skeleton_features(data, lengths, parents=PARENTS, root=0, streams=streams)
    assert features.dtype == np.float32
    assert features.shape == data.shape[:3] + (n_feature_coords(n_coords, streams),)
    assert n_feature_coords(n_coords, streams) == n_coords * len(streams)
    assert np.isfinite(features).all()


def test_channels_are_stream_major_in_the_order_given():
    data, lengths = make_batch()
    stacked = skeleton_features(data, lengths, parents=PARENTS, root=0, streams=("motion", "joint"))
    motion = skeleton_features(data, lengths, parents=PARENTS, root=0, streams=("motion",))
    joint = skeleton_features(data, lengths, parents=PARENTS, root=0, streams=("joint",))
    np.testing.assert_array_equal(stacked[..., :3], motion)
    np.testing.assert_array_equal(stacked[..., 3:], joint)
    np.testing.assert_array_equal(joint, body_frame(data, lengths, root=0, parents=PARENTS))


@pytest.mark.parametrize("n_coords", [2, 3])
def test_translation_changes_nothing(n_coords):
    data, lengths = make_batch(n_coords)
    real = (np.arange(data.shape[1]) < lengths[:, np.newaxis])[..., np.newaxis, np.newaxis]
    moved = np.where(real, data + np.array([40.0, -7.0, 3.0][:n_coords]), 0.0)
    before = skeleton_features(data, lengths, parents=PARENTS, root=0)
    after = skeleton_features(moved, lengths, parents=PARENTS, root=0)
    np.testing.assert_allclose(after, before, atol=1e-4)


@pytest.mark.parametrize("parents", [PARENTS, None])
def test_uniform_scaling_changes_nothing_when_scale_is_on(parents):
    data, lengths = make_batch()
    before = skeleton_features(data, lengths, parents=parents, root=0)
    after = skeleton_features(data * 100.0, lengths, parents=parents, root=0)
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)

    unscaled = skeleton_features(data, lengths, parents=parents, root=0, scale=False)
    np.testing.assert_allclose(
        skeleton_features(data * 100.0, lengths, parents=parents, root=0, scale=False),
        100.0 * unscaled,
        rtol=1e-5,
    )


def test_rotation_about_the_vertical_axis_is_not_removed():
    data, lengths = make_batch()
    turned = rotate_about_y(data, np.pi / 3)
    features = skeleton_features(data, lengths, parents=PARENTS, root=0)
    turned_features = skeleton_features(turned, lengths, parents=PARENTS, root=0)
    assert not np.allclose(turned_features, features, atol=1e-3)
    # The features turn with the body: each stream is the rotated stream.
    for stream in range(3):
        channels = slice(3 * stream, 3 * stream + 3)
        np.testing.assert_allclose(
            turned_features[..., channels],
            rotate_about_y(features[..., channels], np.pi / 3),
            atol=1e-5,
        )


def test_padded_frames_stay_zero_whatever_they_held():
    data, lengths = make_batch()
    features = skeleton_features(data, lengths, parents=PARENTS, root=0)
    dirty = data.copy()
    dirty[0, lengths[0] :] = 123.0
    dirty[1, lengths[1] :] = -5.0
    dirty_features = skeleton_features(dirty, lengths, parents=PARENTS, root=0)
    np.testing.assert_array_equal(dirty_features, features)
    for index, length in enumerate(lengths):
        assert np.all(features[index, length:] == 0)
    assert np.all(motion_stream(dirty, lengths)[1, lengths[1] - 1 :] == 0)


def test_joint_stream_is_root_relative_with_the_root_trajectory_in_the_root_row():
    data, lengths = make_batch()
    size = body_size(data, lengths, root=0, parents=PARENTS)
    joint = body_frame(data, lengths, root=0, parents=PARENTS)
    first = data[0, : lengths[0]]
    np.testing.assert_allclose(
        joint[0, : lengths[0], 1:], (first[:, 1:] - first[:, :1]) / size[0], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        joint[0, : lengths[0], 0], (first[:, 0] - first[0, 0]) / size[0], rtol=1e-5, atol=1e-6
    )
    assert np.all(joint[:, 0, 0] == 0)  # the trajectory starts at the first frame

    kept = body_frame(data, lengths, root=0, parents=PARENTS, center=False, scale=False)
    np.testing.assert_allclose(kept[0, : lengths[0]], first, rtol=1e-6)


def test_body_size_from_bones_ignores_pose_and_outlier_frames():
    data, lengths = make_batch(lengths=(5, 5), n_frames=5)
    data[1] = data[0]
    raised = data[1, :3, 3] - data[1, :3, 1]
    data[1, :3, 3] = data[1, :3, 1] + raised[:, [1, 0, 2]]  # left hand up: same bone lengths
    data[1, 4, 1:] *= 50  # one glitched frame (Kinect loses track)
    size = body_size(data, lengths, root=0, parents=PARENTS)
    assert size[1] == pytest.approx(size[0], rel=0.05)
    bones = np.linalg.norm(data[0, :, 1:] - data[0, :, [0, 1, 1, 1, 0]].transpose(1, 0, 2), axis=2)
    assert size[0] == pytest.approx(np.median(bones.mean(axis=1)))


def test_bones_are_child_minus_parent_and_roots_get_zero():
    data, lengths = make_batch()
    bones = bone_stream(data, PARENTS)
    for child, parent in enumerate(PARENTS):
        expected = (
            np.zeros_like(data[:, :, child])
            if parent < 0
            else data[:, :, child] - data[:, :, parent]
        )
        np.testing.assert_allclose(bones[:, :, child], expected, rtol=1e-6, atol=1e-6)

    size = body_size(data, lengths, root=0, parents=PARENTS)
    features = skeleton_features(data, lengths, parents=PARENTS, root=0, streams=("bone",))
    np.testing.assert_allclose(
        features, bones / size[:, np.newaxis, np.newaxis, np.newaxis], rtol=1e-5, atol=1e-6
    )


def test_motion_is_the_frame_difference_and_zero_at_the_last_real_frame():
    data, lengths = make_batch()
    motion = motion_stream(data, lengths)
    for index, length in enumerate(lengths):
        np.testing.assert_allclose(
            motion[index, : length - 1], np.diff(data[index, :length], axis=0), atol=1e-6
        )
        assert np.all(motion[index, length - 1 :] == 0)

    # Inside skeleton_features, motion is the frame difference of the joint stream.
    joint, motion = np.split(
        skeleton_features(data, lengths, parents=PARENTS, root=0, streams=("joint", "motion")),
        2,
        axis=3,
    )
    np.testing.assert_allclose(motion[0, :6], np.diff(joint[0, :7], axis=0), atol=1e-5)


def test_without_topology_bones_are_zero_and_the_size_comes_from_the_root():
    data, lengths = make_batch()
    for parents in (None, (-1,) * len(PARENTS)):
        features = skeleton_features(data, lengths, parents=parents, root=0)
        assert np.all(features[..., 3:6] == 0)
        distances = np.linalg.norm(data[0, : lengths[0], 1:] - data[0, : lengths[0], :1], axis=2)
        assert body_size(data, lengths, root=0, parents=parents)[0] == pytest.approx(
            np.median(distances.mean(axis=1))
        )


@pytest.mark.parametrize("n_joints", [1, len(PARENTS)])
def test_a_body_of_zero_size_gives_finite_features_without_warnings(n_joints):
    data = np.zeros((3, 4, n_joints, 3))
    data[0, :] = [1.0, 2.0, 3.0]  # every joint at one point
    data[1, :2] = [[[1.0, 2.0, 3.0]], [[1.5, 2.0, 3.0]]]  # the point moves, two frames
    lengths = np.array([4, 2, 0])  # the last recording is empty
    parents = PARENTS if n_joints == len(PARENTS) else (-1,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features = skeleton_features(data, lengths, parents=parents, root=0)
        size = body_size(data, lengths, root=0, parents=parents)
    np.testing.assert_array_equal(size, [1.0, 1.0, 1.0])
    assert np.isfinite(features).all()
    np.testing.assert_allclose(features[1, 1, 0, :3], [0.5, 0.0, 0.0])  # trajectory, unscaled
    assert np.all(features[2] == 0)


def test_default_root():
    assert default_root(PARENTS) == 0
    assert default_root([1, -1, 1, 2, -1]) == 1
    # Two equal trees: the lowest index, or the one nearest the centroid given data.
    assert default_root([-1, 0, -1, 2]) == 0
    data = np.array([[[[0.0, 0.0], [9.0, 0.0], [5.0, 0.0], [6.0, 0.0]]]])
    assert default_root([-1, 0, -1, 2], data) == 2
    # No topology: the joint nearest the centroid, on real frames only.
    data, lengths = make_batch()
    others = [0, 2, 3, 4, 5]
    data[:, :, 1] = data[:, :, others].mean(axis=2)  # the chest sits at the centroid
    # Garbage in the padding that, if it counted, would put the pelvis at the centroid.
    data[2, 1:, :, 0] = [0.0, 100.0, -100.0, 100.0, -100.0, 0.0]
    assert default_root(None, data, lengths=lengths) == 1
    assert default_root((-1,) * len(PARENTS), data, lengths=lengths) == 1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda d, n: skeleton_features(d, n, parents=PARENTS, root=6), r"root = 6 is not"),
        (lambda d, n: skeleton_features(d, n, parents=PARENTS, root=-1), r"root = -1 is not"),
        (lambda d, n: skeleton_features(d, n, parents=PARENTS, root=1.5), "root must be"),
        (lambda d, n: skeleton_features(d, n, parents=PARENTS[:5], root=0), "5 entries .* 6 j"),
        (lambda d, n: skeleton_features(d, n, parents=(-1, 0, 1, 1, 1, 5), root=0), r"ts\[5\]"),
        (lambda d, n: bone_stream(d, PARENTS + (0,)), "7 entries but the data has 6 joints"),
        (
            lambda d, n: skeleton_features(d, n, parents=PARENTS, root=0, streams=("jnt",)),
            "unknown stream 'jnt'",
        ),
        (lambda d, n: skeleton_features(d, n, parents=PARENTS, root=0, streams=()), "empty"),
        (
            lambda d, n: skeleton_features(d, n, parents=None, root=0, streams=("bone", "bone")),
            "twice",
        ),
        (lambda d, n: n_feature_coords(3, ("joint", "speed")), "unknown stream 'speed'"),
        (lambda d, n: motion_stream(d, n + 5), r"lengths must lie in \[0, 9\]"),
        (lambda d, n: motion_stream(d, n[:2]), "one integer per recording"),
        (lambda d, n: skeleton_features(d[0], n, parents=PARENTS, root=0), "padded batch"),
        (lambda d, n: default_root(None), "needs data"),
        (lambda d, n: default_root((1, 2, 0, -1)), "cycle"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, match):
    data, lengths = make_batch()
    with pytest.raises(ValueError, match=match):
        call(data, lengths)


def test_streams_constant_lists_what_is_accepted():
    assert STREAMS == ("joint", "bone", "motion")
    assert n_feature_coords(2) == 6
