"""Augmentation functions, the Augmenter and make_augmenter, as a classifier would use them."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skgesture.preprocessing.augment import (
    Augmenter,
    augment_batch,
    drop_joints,
    jitter,
    make_augmenter,
    mirror,
    random_crop,
    rotate,
    scale,
    time_warp,
)
from skgesture.skeleton import Skeleton

ARMS = Skeleton(
    "arms",
    ["chest", "l_hand", "r_hand", "l_foot", "r_foot"],
    parents=[-1, 0, 0, 0, 0],
    mirror_pairs=[(1, 2), (3, 4)],
)
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None)


def walk(n_frames=20, n_joints=5, n_coords=3, seed=0):
    """A random recording away from the origin, as raw motion capture is."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n_frames, n_joints, n_coords)).cumsum(axis=0) + 5.0).astype(np.float32)


def pairwise_distances(recording):
    return np.linalg.norm(recording[:, :, None] - recording[:, None, :], axis=-1)


recordings = st.builds(
    walk,
    n_frames=st.integers(1, 25),
    n_joints=st.integers(1, 6),
    n_coords=st.sampled_from([2, 3]),
    seed=st.integers(0, 2**16),
)


# ---------------------------------------------------------------- single augmentations


@pytest.mark.parametrize("n_coords", [2, 3])
def test_rotate_is_rigid_and_keeps_the_vertical_axis(n_coords):
    recording = walk(n_coords=n_coords)
    turned = rotate(recording, 40)
    assert turned.dtype == np.float32 and turned.shape == recording.shape
    np.testing.assert_allclose(pairwise_distances(turned), pairwise_distances(recording), atol=1e-4)
    np.testing.assert_allclose(rotate(turned, -40), recording, atol=1e-4)
    np.testing.assert_allclose(rotate(recording, 360), recording, atol=1e-4)
    if n_coords == 3:
        np.testing.assert_array_equal(turned[..., 1], recording[..., 1])


def test_rotate_turns_about_the_centroid():
    recording = walk()
    np.testing.assert_allclose(
        rotate(recording, 75).mean(axis=(0, 1)), recording.mean(axis=(0, 1)), atol=1e-4
    )


def test_rotate_about_z_when_z_is_up():
    recording = walk()
    np.testing.assert_array_equal(rotate(recording, 30, up_axis=2)[..., 2], recording[..., 2])


def test_scale_multiplies_distances_about_the_centroid():
    recording = walk()
    grown = scale(recording, 1.5)
    np.testing.assert_allclose(
        pairwise_distances(grown), 1.5 * pairwise_distances(recording), rtol=1e-4
    )
    np.testing.assert_allclose(grown.mean(axis=(0, 1)), recording.mean(axis=(0, 1)), atol=1e-4)


def test_jitter_adds_noise_of_the_given_size():
    recording = walk(n_frames=200)
    noise = jitter(recording, 0.1, rng=0) - recording
    assert noise.std() == pytest.approx(0.1, rel=0.05)
    np.testing.assert_array_equal(jitter(recording, 0.0, rng=0), recording)


def test_time_warp_keeps_length_endpoints_and_order():
    ramp = np.repeat(np.arange(30.0)[:, None, None], 2, axis=1).repeat(3, axis=2)
    warped = time_warp(ramp, 0.5, rng=1)
    assert warped.shape == ramp.shape
    np.testing.assert_allclose(warped[[0, -1]], ramp[[0, -1]])
    assert np.all(np.diff(warped[:, 0, 0]) > 0)  # time still runs forwards
    assert not np.allclose(warped, ramp)
    np.testing.assert_array_equal(time_warp(ramp, 0.0, rng=1), ramp)


def test_random_crop_keeps_a_contiguous_part():
    recording = walk(n_frames=40)
    for seed in range(10):
        cropped = random_crop(recording, 0.5, rng=seed)
        assert 20 <= len(cropped) <= 40
        start = int(np.flatnonzero(np.all(recording == cropped[0], axis=(1, 2)))[0])
        np.testing.assert_array_equal(cropped, recording[start : start + len(cropped)])


def test_drop_joints_zeroes_whole_joints_and_keeps_one():
    recording = walk(n_joints=8)
    dropped = drop_joints(recording, 0.5, rng=3)
    zeroed = np.all(dropped == 0, axis=(0, 2))
    assert 0 < zeroed.sum() < 8
    np.testing.assert_array_equal(dropped[:, ~zeroed], recording[:, ~zeroed])
    assert drop_joints(recording, 1.0, rng=0).any(axis=(0, 2)).sum() == 1
    np.testing.assert_array_equal(drop_joints(recording, 0.0, rng=0), recording)


def test_mirror_swaps_sides_and_twice_is_identity():
    recording = walk()
    mirrored = mirror(recording, ARMS)
    center = recording[..., 0].mean()
    np.testing.assert_allclose(mirrored[:, 1, 0], 2 * center - recording[:, 2, 0], atol=1e-5)
    np.testing.assert_array_equal(mirrored[:, 1, 1:], recording[:, 2, 1:])
    np.testing.assert_allclose(mirror(mirrored, ARMS), recording, atol=1e-5)


def test_functions_do_not_modify_their_input():
    recording = walk()
    before = recording.copy()
    for augmented in (
        rotate(recording, 10),
        scale(recording, 2),
        jitter(recording, 1, rng=0),
        time_warp(recording, 0.3, rng=0),
        random_crop(recording, 0.5, rng=0),
        drop_joints(recording, 0.5, rng=0),
        mirror(recording, ARMS),
    ):
        assert augmented is not recording
    np.testing.assert_array_equal(recording, before)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda r: rotate(r[..., :1], 10), "Rotations need 2 or 3 coordinates"),
        (lambda r: rotate(r[0], 10), r"recording has shape \(5, 3\)"),
        (lambda r: rotate(r, float("nan")), "angle=nan must be a finite number"),
        (lambda r: scale(r, 0), "factor=0 must be a positive finite number"),
        (lambda r: scale(r, float("inf")), "factor=inf must be a positive finite number"),
        (lambda r: scale(r, "2"), "factor='2' must be a positive finite number"),
        (lambda r: jitter(r, -1), "sigma=-1 must be a non-negative finite number"),
        (lambda r: jitter(r, float("inf")), "sigma=inf must be a non-negative finite number"),
        (lambda r: time_warp(r, 1.5), r"strength=1.5 must be in \[0, 1\)"),
        (lambda r: time_warp(r, 0.1, n_knots=1), "n_knots=1 must be an integer of at least 2"),
        (lambda r: time_warp(r, 0.1, n_knots=2.5), "n_knots=2.5 must be an integer"),
        (lambda r: random_crop(r, 0), r"min_fraction=0 must be in \(0, 1\]"),
        (lambda r: drop_joints(r, 2), r"probability=2 must be in \[0, 1\]"),
        (lambda r: mirror(r, None), "mirror needs a skeleton with mirror_permutation"),
        (lambda r: mirror(r[:, :3], ARMS), "has 5 entries but the recording has 3 joints"),
        (lambda r: mirror(r, ARMS, lateral_axis=3), "lateral_axis=3 is not an axis"),
    ],
)
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call(walk())


# ---------------------------------------------------------------- Augmenter


def test_augmenter_is_a_scikit_learn_style_object():
    augmenter = Augmenter(rotation=10, mirror=True, skeleton=ARMS)
    assert clone(augmenter).get_params()["rotation"] == 10
    restored = pickle.loads(pickle.dumps(augmenter))
    recording = walk()
    np.testing.assert_array_equal(restored(recording, rng=4), augmenter(recording, rng=4))


def test_augmenter_without_augmentations_returns_a_copy():
    recording = walk()
    result = Augmenter()(recording, rng=0)
    assert result is not recording
    np.testing.assert_array_equal(result, recording)


def test_augmenter_is_reproducible_with_a_seed_and_varies_without():
    augmenter = make_augmenter("medium")
    recording = walk()
    np.testing.assert_array_equal(augmenter(recording, rng=7), augmenter(recording, rng=7))
    rng = np.random.default_rng(0)
    assert not np.allclose(augmenter(recording, rng), augmenter(recording, rng))


def test_augmenter_mirrors_about_half_the_time():
    recording = walk()
    augmenter = Augmenter(mirror=True, skeleton=ARMS)
    rng = np.random.default_rng(0)
    mirrored = sum(not np.array_equal(augmenter(recording, rng), recording) for _ in range(200))
    assert 70 < mirrored < 130


@pytest.mark.parametrize(
    ("augmenter", "error", "match"),
    [
        (Augmenter(rotation=-5), InvalidParameterError, "'rotation' parameter of Augmenter"),
        (Augmenter(crop=1.0), InvalidParameterError, "'crop' parameter"),
        (Augmenter(up_axis=3), InvalidParameterError, "'up_axis' parameter"),
        (Augmenter(mirror=True), ValueError, r"Augmenter\(mirror=True\) needs a skeleton"),
    ],
)
def test_augmenter_refuses_bad_settings(augmenter, error, match):
    with pytest.raises(error, match=match):
        augmenter(walk(), rng=0)


def test_rotation_needs_spatial_coordinates():
    with pytest.raises(ValueError, match="Rotations need 2 or 3 coordinates per joint"):
        Augmenter(rotation=10)(walk(n_coords=1), rng=0)


# ---------------------------------------------------------------- make_augmenter


def test_make_augmenter_presets_and_augmenters():
    assert make_augmenter(None) is None
    light = make_augmenter("light")
    assert (light.scaling, light.jitter, light.rotation) == (0.1, 0.01, 0.0)
    medium = make_augmenter("medium")
    assert (medium.rotation, medium.scaling, medium.jitter, medium.time_warp) == (
        15.0,
        0.15,
        0.02,
        0.1,
    )
    mine = Augmenter(crop=0.2)
    assert make_augmenter(mine) is mine


def reverse(recording, rng):
    return recording[::-1]


def test_make_augmenter_gives_plain_callables_the_batch_method():
    augmenter = make_augmenter(reverse)
    recording = walk(n_frames=4)
    np.testing.assert_array_equal(augmenter(recording, rng=0), recording[::-1])
    batch = np.zeros((1, 5, 5, 3), dtype=np.float32)
    batch[0, :4] = recording
    augmented, lengths = augmenter.augment_batch(batch, [4], rng=0)
    np.testing.assert_array_equal(augmented[0, :4], recording[::-1])
    assert lengths.tolist() == [4] and np.all(augmented[0, 4] == 0)
    restored = pickle.loads(pickle.dumps(augmenter))
    np.testing.assert_array_equal(restored(recording, rng=0), recording[::-1])


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ("heavy", ValueError, "augment='heavy' is not a preset; expected one of 'light'"),
        (3, ValueError, "augment=3 is not understood"),
        (Augmenter(jitter=-1), InvalidParameterError, "'jitter' parameter of Augmenter"),
        (Augmenter(mirror=True), ValueError, "needs a skeleton with mirror_permutation"),
    ],
)
def test_make_augmenter_refuses_what_it_does_not_know(spec, error, match):
    with pytest.raises(error, match=match):
        make_augmenter(spec)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, -0.1])
@pytest.mark.parametrize(
    "parameter", ["rotation", "scaling", "jitter", "time_warp", "crop", "joint_dropout"]
)
def test_augmenter_refuses_non_finite_and_negative_magnitudes(parameter, value):
    augmenter = Augmenter(**{parameter: value})
    with pytest.raises(ValueError, match=rf"'{parameter}' parameter of Augmenter must be"):
        augmenter(walk(n_frames=6), rng=0)


@pytest.mark.parametrize(
    ("parameter", "too_large", "largest"),
    [
        ("rotation", 180.5, 180.0),
        ("scaling", 1.0, 0.99),
        ("jitter", 1.5, 1.0),
        ("time_warp", 1.0, 0.99),
        ("crop", 1.0, 0.99),
        ("joint_dropout", 1.0, 0.99),
    ],
)
def test_augmenter_magnitudes_have_an_upper_bound(parameter, too_large, largest):
    recording = walk(n_frames=6)
    result = Augmenter(**{parameter: largest})(recording, rng=0)
    assert result.shape[1:] == recording.shape[1:] and np.all(np.isfinite(result))
    with pytest.raises(ValueError, match=rf"'{parameter}' parameter of Augmenter must be"):
        make_augmenter(Augmenter(**{parameter: too_large}))


# ---------------------------------------------------------------- batches and properties


def test_augment_batch_applies_any_callable_to_real_frames_only():
    batch = np.zeros((2, 6, 2, 3), dtype=np.float32)
    batch[0, :4] = 1
    batch[1, :6] = 2

    def halve_and_double(recording, rng):
        return 2 * recording[: (len(recording) + 1) // 2]

    augmented, lengths = augment_batch(halve_and_double, batch, [4, 6], rng=0)
    assert lengths.tolist() == [2, 3]
    assert np.all(augmented[0, :2] == 2) and np.all(augmented[0, 2:] == 0)
    assert np.all(augmented[1, :3] == 4) and np.all(augmented[1, 3:] == 0)
    np.testing.assert_array_equal(batch[0, :4], 1)  # the input batch is untouched


@pytest.mark.parametrize(
    ("augment", "lengths", "match"),
    [
        (Augmenter(), [3, 7], r"one length in \[1, 6\] per recording"),
        (Augmenter(), [3], r"one length in \[1, 6\] per recording of data \(2\)"),
        (lambda r, rng: np.concatenate([r, r]), [6, 6], "returned 12 frames for recording 0"),
        (lambda r, rng: r[:, :1], [6, 6], r"returned shape \(6, 1, 3\) for recording 0"),
    ],
)
def test_augment_batch_refuses_bad_lengths_and_bad_augmenters(augment, lengths, match):
    with pytest.raises(ValueError, match=match):
        augment_batch(augment, np.ones((2, 6, 2, 3)), lengths)


augmenters = st.builds(
    Augmenter,
    rotation=st.floats(0, 180),
    scaling=st.floats(0, 0.9),
    jitter=st.floats(0, 0.5),
    time_warp=st.floats(0, 0.9),
    crop=st.floats(0, 0.9),
    joint_dropout=st.floats(0, 1, exclude_max=True),
    mirror=st.booleans(),
    skeleton=st.just(ARMS),
)


@PROPERTY_SETTINGS
@given(augmenter=augmenters, n_frames=st.integers(1, 25), n_coords=st.sampled_from([2, 3]))
def test_augmented_recordings_keep_their_skeleton_and_stay_finite(augmenter, n_frames, n_coords):
    recording = walk(n_frames=n_frames, n_coords=n_coords)
    result = augmenter(recording, rng=0)
    assert result.shape[1:] == recording.shape[1:] and 1 <= len(result) <= n_frames
    assert result.dtype == recording.dtype and np.all(np.isfinite(result))


@PROPERTY_SETTINGS
@given(
    augmenter=augmenters,
    lengths=st.lists(st.integers(1, 12), min_size=1, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_augment_batch_leaves_padding_at_zero(augmenter, lengths, seed):
    batch = np.zeros((len(lengths), 12, 5, 3), dtype=np.float32)
    for index, length in enumerate(lengths):
        batch[index, :length] = walk(n_frames=length, seed=seed + index)
    augmented, new_lengths = augment_batch(augmenter, batch, lengths, rng=seed)
    assert augmented.shape == batch.shape and augmented.dtype == batch.dtype
    assert np.all(np.isfinite(augmented))
    assert np.all((new_lengths >= 1) & (new_lengths <= lengths))
    for recording, length in zip(augmented, new_lengths):
        assert np.all(recording[length:] == 0)


@PROPERTY_SETTINGS
@given(
    recording=arrays(
        np.float64,
        st.tuples(st.integers(1, 15), st.integers(1, 5), st.sampled_from([2, 3])),
        elements=st.floats(-1e3, 1e3),
    ),
    angle=st.floats(-360, 360),
    factor=st.floats(0.1, 10),
)
def test_rigid_changes_keep_finite_values_and_shapes(recording, angle, factor):
    for result in (rotate(recording, angle), scale(recording, factor), time_warp(recording, 0.5)):
        assert result.shape == recording.shape and np.all(np.isfinite(result))
    np.testing.assert_allclose(
        pairwise_distances(rotate(recording, angle)), pairwise_distances(recording), atol=1e-6
    )
