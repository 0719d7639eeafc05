"""Estimators on degenerate data: the smallest, flattest and emptiest datasets a user can pass.

Each case either works (finite probabilities, one row per recording) or fails at once with a
ValueError that says what is wrong and what to do.
"""

import numpy as np
import pytest
from _tiny import TINY, TINY_FC, TINY_LSTM, estimator_name, registered_classifiers, tiny_estimators
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier
from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointImputer,
    JointSelector,
    SkeletonNormalizer,
    SkeletonPadder,
)
from skgesture.utils import check_dataset

# Tiny networks train in well under a second; a fit that takes minutes is a hang.
pytestmark = pytest.mark.timeout(120)


def each_classifier(**params):
    """Parametrise a test over a tiny instance of every registered classifier."""
    return pytest.mark.parametrize("clf", tiny_estimators(**params), ids=estimator_name)


def gestures(n_per_class=3, shape=(5, 4, 3), seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n_per_class, *shape)).astype(np.float32)
    y = np.array(["wave", "point"] * n_per_class)
    return X, y


def assert_probabilities(clf, X):
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(clf.classes_)


# ------------------------------------------------------------------------------- labels
@each_classifier()
def test_one_class_is_refused_before_training(clf):
    X, _ = gestures()
    with pytest.raises(ValueError, match=r"only one class is present: y holds only 'wave'"):
        clf.fit(X, ["wave"] * len(X))
    assert not hasattr(clf, "net_")


@each_classifier(early_stopping=True)
def test_one_recording_per_class_cannot_hold_out_a_validation_set(clf):
    X, y = gestures(n_per_class=1)
    with pytest.raises(ValueError, match=r"early_stopping=True holds out .*the rarest has 1"):
        clf.fit(X, y)


@each_classifier(early_stopping="auto")
def test_one_recording_per_class_trains_without_early_stopping_on_auto(clf):
    X, y = gestures(n_per_class=1)
    clf.fit(X, y)
    assert clf.early_stopping_ is False
    assert_probabilities(clf, X)


# ------------------------------------------------------------------------------ values
@each_classifier()
def test_constant_recordings_train_and_give_finite_probabilities(clf):
    X = np.full((6, 5, 4, 3), 7.5, dtype=np.float32)
    y = np.array(["wave", "point"] * 3)
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.channel_scale_, 1.0)  # no division by zero
    assert_probabilities(clf, X)


@each_classifier()
def test_recordings_constant_in_time_but_different_per_class(clf):
    X = np.zeros((6, 5, 4, 3), dtype=np.float32)
    X[::2] = 1.0
    X[1::2] = -1.0
    clf.fit(X, ["up", "down"] * 3)
    assert_probabilities(clf, X)


@each_classifier()
def test_extreme_but_finite_values_train_or_fail_naming_the_cause(clf):
    X, y = gestures()
    X[:, :, 0, 0] = np.float32(1e30)
    X[0, 0, 0, 0] = np.float32(-3e38)
    clf.fit(X, y)  # standardisation brings every channel back to a sensible range
    assert_probabilities(clf, X)


@each_classifier()
def test_predicting_on_values_far_beyond_the_training_range_names_the_value(clf):
    """Regression: standardised beyond float32's range, they became inf, and the probabilities
    NaN, silently."""
    X, y = gestures()
    clf.fit(X * 0.01, y)
    X[3, 2, 1, 0] = 3e38
    with pytest.raises(
        ValueError,
        match=r"holds 3e\+38 at frame 2, joint 1, coordinate 0: .* standard deviations from the "
        r"training mean .*beyond float32's range",
    ):
        clf.predict_proba(X)


def test_values_at_float32s_limit_with_augmentation_fail_naming_the_cause():
    X, y = gestures()
    X[:, :, 0, 0] = -3e38
    X[0, :, 0, 0] = 3e38
    clf = LSTMClassifier(augment="light", **TINY_LSTM)
    with pytest.raises(ValueError, match=r"too close to float32's limit .*augment=None"):
        clf.fit(X, y)
    clf.set_params(augment=None).fit(X, y)
    assert_probabilities(clf, X)


# ------------------------------------------------------------------------ missing values
@each_classifier()
def test_nan_is_refused_with_the_way_to_opt_in(clf):
    X, y = gestures()
    X[4, 2, 1, 0] = np.nan
    with pytest.raises(
        ValueError,
        match=rf"Input X contains NaN .*first at X\[4, 2, 1, 0\]\. {type(clf).__name__} does "
        r"not accept missing values: .*JointImputer",
    ):
        clf.fit(X, y)
    clean, _ = gestures()
    clf.fit(clean, y)
    with pytest.raises(ValueError, match="JointImputer"):
        clf.predict(X)


def test_the_opt_in_for_nan_is_a_joint_imputer_in_front():
    X, y = gestures()
    X[4, 2, 1, 0] = np.nan
    X[1, :, 3] = np.nan  # a joint never seen in one recording
    pipeline = make_pipeline(JointImputer(), FCClassifier(**TINY_FC))
    pipeline.fit(X, y)
    assert_probabilities(pipeline, X)


# ------------------------------------------------------------------------------ lengths
def test_an_all_zero_recording_in_a_dense_array_counts_as_one_frame():
    """Documented in docs/conventions.md: trailing all-zero frames are padding, and a
    recording that is all zeros keeps one frame (a pose at the origin), never zero frames."""
    X, _ = gestures()
    X[2] = 0.0
    _, lengths, _ = check_dataset(X)
    assert lengths.tolist() == [5, 5, 1, 5, 5, 5]
    # In a list, lengths are explicit: all five zero frames are data.
    _, lengths, _ = check_dataset(list(X))
    assert lengths.tolist() == [5] * 6


@each_classifier()
def test_an_all_zero_recording_trains_and_predicts(clf):
    X, y = gestures()
    X[2] = 0.0
    clf.fit(X, y)
    assert_probabilities(clf, X)
    assert_probabilities(clf, np.zeros((2, 5, 4, 3), dtype=np.float32))


@each_classifier()
def test_one_frame_recordings(clf):
    X, y = gestures(shape=(1, 4, 3))
    clf.fit(X, y)
    assert_probabilities(clf, X)
    assert_probabilities(clf, [recording for recording in X])


@each_classifier()
def test_one_joint_of_one_coordinate(clf):
    X, y = gestures(shape=(5, 1, 1))
    clf.fit(X, y)
    assert_probabilities(clf, X)


@each_classifier()
def test_two_thousand_joints(clf):
    X, y = gestures(shape=(2, 2000, 3))
    clf.fit(X, y)
    assert_probabilities(clf, X)


@each_classifier()
def test_predict_on_another_skeleton_names_both_shapes(clf):
    X, y = gestures()
    clf.fit(X, y)
    with pytest.raises(
        ValueError, match=r"X has 3 joints x 3 coordinates per frame, .*4 joints x 3"
    ):
        clf.predict(X[:, :, :3])
    with pytest.raises(ValueError, match=r"X has 4 joints x 2 coordinates per frame"):
        clf.predict_proba(list(X[:, :, :, :2]))


# ------------------------------------------------------------------- invalid parameters
class Untouchable(list):
    """A dataset that fails the test if anything reads it."""

    def _touch(self, *args, **kwargs):
        raise AssertionError("X was read before the parameters were checked")

    __iter__ = __len__ = __getitem__ = __array__ = _touch


# Training parameters that every network classifier takes, each given an invalid value.
INVALID_TRAINING_PARAMETERS = [
    ("max_epochs", 0),
    ("lr", np.inf),
    ("lr", np.nan),
    ("validation_fraction", 1.0),
    ("batch_size", 2.5),
    ("early_stopping", "yes"),
    ("device", "gpu"),
    ("weight_decay", np.inf),
]


@pytest.mark.parametrize(
    ("estimator", "parameter"),
    [
        *(
            (cls(**{parameter: value}), parameter)
            for cls in registered_classifiers().values()
            for parameter, value in INVALID_TRAINING_PARAMETERS
        ),
        (CNNClassifier(kernel_size=0), "kernel_size"),
        (CNNClassifier(architecture="resnet"), "architecture"),
        (LSTMClassifier(hidden_size=0), "hidden_size"),
        (LSTMClassifier(dropout=1.0), "dropout"),
        (FCClassifier(hidden_sizes="abc"), "hidden_sizes"),
        (SkeletonPadder(max_frames=0), "max_frames"),
        (SkeletonPadder(fill="mirror"), "fill"),
        (FrameRateResampler(target_rate=np.inf), "target_rate"),
        (FrameRateResampler(source_rate=np.nan), "source_rate"),
        (SkeletonNormalizer(root_joint=-1), "root_joint"),
        (JointSelector(joints=5), "joints"),
        (JointImputer(fill_value=np.inf), "fill_value"),
        (JointImputer(fill_value="median"), "fill_value"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_invalid_parameters_are_refused_before_the_data_is_read(estimator, parameter):
    with pytest.raises(InvalidParameterError, match=rf"The '{parameter}' parameter of"):
        estimator.fit(Untouchable(), ["wave", "point"])


def late_checked_parameters(**params):
    """Estimators with a parameter that only fit checks: augment (every registered classifier
    takes it) and FCClassifier's hidden_sizes."""
    return [
        *(
            pytest.param(cls(augment="heavy", **params), id=f"augment-{name}")
            for name, cls in registered_classifiers().items()
        ),
        pytest.param(FCClassifier(hidden_sizes=(0,), **params), id="hidden_sizes"),
    ]


@pytest.mark.parametrize("estimator", late_checked_parameters())
def test_parameters_checked_late_are_still_refused_before_the_data_is_read(estimator):
    with pytest.raises(ValueError, match="augment|hidden_sizes"):
        estimator.fit(Untouchable(), ["wave", "point"])


@pytest.mark.parametrize("estimator", late_checked_parameters(**TINY))
def test_parameters_checked_late_are_refused_naming_them(estimator):
    X, y = gestures()
    with pytest.raises(ValueError, match=r"augment='heavy' is not a preset|hidden_sizes must"):
        estimator.fit(X, y)
    assert not hasattr(estimator, "net_")


def test_transformers_on_one_frame_of_one_joint():
    recording = np.array([[[1.0, 2.0, 3.0]]])
    for transformer in [
        SkeletonPadder(max_frames=3, fill="edge"),
        SkeletonNormalizer(),
        JointSelector(),
        FrameRateResampler(source_rate=100.0),
        JointImputer(),
    ]:
        (result,) = transformer.fit_transform([recording])
        assert result.shape[1:] == (1, 3) and np.isfinite(result).all(), transformer
    assert Flattener().fit_transform([recording]).shape == (1, 3)


def test_labels_that_cannot_be_sorted_are_named():
    X, y = gestures()
    y = np.array(y, dtype=object)
    y[0] = None
    with pytest.raises(ValueError, match=r"y mixes labels of types \['NoneType', 'str'\]"):
        CNNClassifier(**TINY).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"streams": 5}, "streams must be a non-empty tuple"),
        ({"streams": ("joint", ["x"])}, "streams must be a non-empty tuple"),
        ({"streams": ()}, "streams must be a non-empty tuple"),
        ({"streams": ("joint", "joint")}, "streams must be a non-empty tuple"),
        ({"skeleton": "nope"}, "Unknown skeleton 'nope'"),
        ({"skeleton": 3}, "skeleton must be None, a Skeleton or the name"),
    ],
)
def test_input_parameters_are_refused_before_the_data_is_read(params, message):
    with pytest.raises(ValueError, match=message):
        CNNClassifier(**params).fit(Untouchable(), ["wave", "point"])


def test_a_skeleton_of_other_size_is_refused_naming_both():
    X, y = gestures()  # 4 joints
    with pytest.raises(ValueError, match=r"skeleton='natops' has 8 joints but the recordings"):
        CNNClassifier(skeleton="natops", **TINY).fit(X, y)
