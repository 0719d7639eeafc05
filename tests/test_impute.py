"""JointImputer: the opt-in for recordings with missing positions (NaN)."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skgesture import CNNClassifier
from skgesture.preprocessing import JointImputer


def occluded_recordings():
    """Three recordings (frames, 2 joints, 3 coords) with an occluded hand here and there."""
    rng = np.random.default_rng(0)
    recordings = [rng.normal(size=(n_frames, 2, 3)) for n_frames in (6, 4, 5)]
    recordings[0][2:4, 1] = np.nan  # the hand disappears for two frames
    recordings[1][0, 0, 2] = np.nan  # one coordinate of the first frame
    recordings[2][:, 1, 0] = np.nan  # the hand's x is never seen in this recording
    return recordings


def test_gaps_are_interpolated_over_frames_and_ends_hold_the_nearest_value():
    recording = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]).reshape(6, 1, 1)
    (filled,) = JointImputer().fit_transform([recording])
    np.testing.assert_array_equal(filled[:, 0, 0], [1, 1, 2, 3, 4, 4])
    assert filled.dtype == np.float32


def test_a_joint_missing_in_a_whole_recording_takes_the_training_mean():
    recordings = occluded_recordings()
    imputer = JointImputer().fit(recordings)
    seen = np.concatenate([r[:, 1, 0] for r in recordings[:2]])
    np.testing.assert_allclose(imputer.fill_values_[1, 0], np.nanmean(seen), rtol=1e-6)
    filled = imputer.transform(recordings)
    assert not any(np.isnan(r).any() for r in filled)
    np.testing.assert_allclose(filled[2][:, 1, 0], imputer.fill_values_[1, 0])


def test_a_number_as_fill_value():
    filled = JointImputer(fill_value=0.0).fit_transform(occluded_recordings())
    np.testing.assert_array_equal(filled[2][:, 1, 0], 0.0)


def test_known_values_are_kept_and_the_input_is_not_modified():
    recordings = occluded_recordings()
    before = [r.copy() for r in recordings]
    filled = JointImputer().fit_transform(recordings)
    for original, copy, result in zip(recordings, before, filled):
        np.testing.assert_array_equal(original, copy)
        known = ~np.isnan(original)
        np.testing.assert_array_equal(result[known], original[known].astype(np.float32))


def test_dense_input_keeps_its_shape_and_its_padding():
    padded = np.zeros((3, 6, 2, 3))
    for dense, recording in zip(padded, occluded_recordings()):
        dense[: len(recording)] = recording
    filled = JointImputer().fit_transform(padded)
    assert filled.shape == padded.shape
    assert not np.isnan(filled).any()
    np.testing.assert_array_equal(filled[1, 4:], 0.0)  # the 4-frame recording's padding


def test_a_joint_never_seen_in_training_cannot_take_a_mean():
    recordings = occluded_recordings()
    for recording in recordings:
        recording[:, 0, 1] = np.nan
    with pytest.raises(ValueError, match=r"joint 0, coordinate 1 is missing \(NaN\) in every"):
        JointImputer().fit(recordings)
    assert JointImputer(fill_value=-1.0).fit(recordings).fill_values_[0, 1] == -1.0


@pytest.mark.parametrize("fill_value", [np.nan, np.inf, "median"])
def test_invalid_fill_values_are_refused(fill_value):
    with pytest.raises(ValueError, match="fill_value"):
        JointImputer(fill_value=fill_value).fit(occluded_recordings())


def test_infinity_is_still_refused():
    recordings = occluded_recordings()
    recordings[1][2, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"X\[1\] contains infinity"):
        JointImputer().fit(recordings)


def test_a_classifier_refuses_nan_and_points_at_the_imputer_which_makes_it_work():
    recordings = occluded_recordings() * 2
    y = ["wave", "point", "wave", "point", "wave", "point"]
    clf = CNNClassifier(n_filters=4, n_blocks=1, kernel_size=3, max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"Input X\[0\] contains NaN.*JointImputer"):
        clf.fit(recordings, y)
    pipeline = make_pipeline(JointImputer(), clf).fit(recordings, y)
    assert np.isfinite(pipeline.predict_proba(recordings)).all()
