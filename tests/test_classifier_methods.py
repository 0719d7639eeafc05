"""decision_function, predict_log_proba and fit(..., sample_weight=) used as a user would."""

import numpy as np
import pytest
import torch
from scipy.special import expit, softmax
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier
from skgesture.store import RecordingStore

TINY = {"max_epochs": 3, "batch_size": 8, "random_state": 0, "n_threads": 1}
TINY_CNN = {"n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}
TINY_LSTM = {"projection_size": 4, "hidden_size": 4, **TINY}
TINY_FC = {"hidden_sizes": (8,), **TINY}
TINY_SSL = {
    "pretrainer": AutoencoderPretrainer(
        n_filters=4, n_blocks=1, kernel_size=3, max_epochs=1, random_state=0, n_threads=1
    ),
    "linear_probe_epochs": 1,
    "self_training": 0,
    **TINY,
}


def tiny_estimators():
    return [
        CNNClassifier(**TINY_CNN),
        LSTMClassifier(**TINY_LSTM),
        FCClassifier(**TINY_FC),
        SSLClassifier(**TINY_SSL),
    ]


def ids(estimator):
    return type(estimator).__name__


def gestures(labels=("down", "up"), n_per_class=12, seed=0):
    """Recordings in which each class lifts joint 1 by a different amount."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.5, size=(n_per_class * len(labels), 10, 4, 3))
    y = np.repeat(np.asarray(labels), n_per_class)
    for offset, label in enumerate(labels):
        X[y == label, :, 1, 0] += offset
    return X.astype(np.float32), y


# ------------------------------------------------------------------------ decision_function
@pytest.mark.parametrize("estimator", tiny_estimators(), ids=ids)
def test_binary_decision_function_is_one_score_positive_for_the_second_class(estimator):
    X, y = gestures()
    estimator.fit(X, y)

    scores = estimator.decision_function(X)

    assert scores.shape == (len(X),)
    np.testing.assert_array_equal(
        estimator.classes_[(scores > 0).astype(int)], estimator.predict(X)
    )
    # The score is the log-odds of classes_[1].
    np.testing.assert_allclose(estimator.predict_proba(X)[:, 1], expit(scores), rtol=1e-5)


@pytest.mark.parametrize("estimator", tiny_estimators(), ids=ids)
def test_multiclass_decision_function_gives_the_logits(estimator):
    X, y = gestures(labels=("down", "level", "up"))
    estimator.fit(X, y)

    logits = estimator.decision_function(X)

    assert logits.shape == (len(X), 3)
    np.testing.assert_array_equal(estimator.classes_[logits.argmax(axis=1)], estimator.predict(X))
    np.testing.assert_allclose(estimator.predict_proba(X), softmax(logits, axis=1), rtol=1e-5)


@pytest.mark.parametrize("method", ["decision_function", "predict_log_proba"])
def test_scores_need_a_fitted_estimator(method):
    X, _ = gestures()
    with pytest.raises(NotFittedError):
        getattr(FCClassifier(**TINY_FC), method)(X)


@pytest.mark.parametrize("estimator", tiny_estimators(), ids=ids)
def test_predict_log_proba_is_the_log_of_predict_proba(estimator):
    X, y = gestures(labels=("down", "level", "up"))
    estimator.fit(X, y)

    log_proba = estimator.predict_log_proba(X)

    assert log_proba.shape == (len(X), 3)
    np.testing.assert_allclose(log_proba, np.log(estimator.predict_proba(X)), rtol=1e-5)


def test_predict_log_proba_stays_finite_where_probabilities_round_to_zero():
    X, y = gestures()
    # Positions as given: the body frame would divide the scale away.
    model = FCClassifier(**TINY_FC, body_frame=False, streams=("joint",)).fit(X, y)
    far = X * 1e4  # far outside the training data: huge logits

    with np.errstate(divide="ignore"):
        log_of_proba = np.log(model.predict_proba(far))
    log_proba = model.predict_log_proba(far)

    assert np.isneginf(log_of_proba).any()
    assert np.isfinite(log_proba).all()
    assert (log_proba.max(axis=1) > -1e-6).all()  # the predicted class keeps probability ~1


def test_roc_auc_cross_validation_scores_with_decision_function():
    X, y = gestures(n_per_class=16)
    model = CNNClassifier(**{**TINY_CNN, "max_epochs": 30, "lr": 0.02})

    scores = cross_val_score(model, X, y, cv=2, scoring="roc_auc")

    assert scores.shape == (2,) and (scores > 0.8).all()
    fitted = model.fit(X[::2], y[::2])
    assert roc_auc_score(y[1::2], fitted.decision_function(X[1::2])) == pytest.approx(
        roc_auc_score(y[1::2], fitted.predict_proba(X[1::2])[:, 1])
    )


def test_scores_survive_save_and_load(tmp_path):
    X, y = gestures(labels=("down", "level", "up"))
    model = CNNClassifier(**TINY_CNN).fit(X, y)
    model.save(tmp_path / "model.npz")

    loaded = CNNClassifier.load(tmp_path / "model.npz")

    np.testing.assert_array_equal(loaded.decision_function(X), model.decision_function(X))
    np.testing.assert_array_equal(loaded.predict_log_proba(X), model.predict_log_proba(X))


# ------------------------------------------------------------------------------ sample_weight
def some_zero_weights(n_samples):
    weights = np.ones(n_samples)
    weights[::5] = 0.0
    return weights


@pytest.mark.parametrize("estimator", tiny_estimators(), ids=ids)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_zero_weight_equals_dropping_the_recording(estimator, early_stopping):
    X, y = gestures(n_per_class=15)
    estimator = clone(estimator).set_params(early_stopping=early_stopping, validation_fraction=0.3)
    weights = some_zero_weights(len(X))
    kept = weights > 0

    weighted = clone(estimator).fit(X, y, sample_weight=weights)
    dropped = clone(estimator).fit(X[kept], y[kept], sample_weight=weights[kept])
    unweighted = clone(estimator).fit(X[kept], y[kept])

    # The same recordings, split, batches and random draws: the same model.
    np.testing.assert_array_equal(weighted.predict_proba(X), dropped.predict_proba(X))
    assert weighted.n_frames_ == dropped.n_frames_
    np.testing.assert_array_equal(weighted.channel_mean_, dropped.channel_mean_)
    # Unweighted, the batch losses are means computed another way: equal up to rounding.
    np.testing.assert_allclose(weighted.predict_proba(X), unweighted.predict_proba(X), atol=1e-3)


def test_only_the_ratios_of_the_weights_matter():
    X, y = gestures()
    weights = np.random.default_rng(0).uniform(0.5, 3.0, size=len(X))

    small = FCClassifier(**TINY_FC).fit(X, y, sample_weight=weights)
    large = FCClassifier(**TINY_FC).fit(X, y, sample_weight=weights * 1e30)

    np.testing.assert_array_equal(small.predict_proba(X), large.predict_proba(X))


def test_heavier_recordings_pull_the_model_towards_their_class():
    X, y = gestures()
    X[:, :, 1, 0] = np.random.default_rng(1).normal(size=X.shape[:2])  # nothing to learn
    up_heavy = np.where(y == "up", 10.0, 1.0)

    params = {**TINY_FC, "max_epochs": 10, "lr": 0.01}
    plain = FCClassifier(**params).fit(X, y)
    weighted = FCClassifier(**params).fit(X, y, sample_weight=up_heavy)

    up = list(plain.classes_).index("up")
    assert weighted.predict_proba(X)[:, up].mean() > plain.predict_proba(X)[:, up].mean() + 0.1


def test_sample_weight_multiplies_the_class_weight():
    X, y = gestures()
    params = {**TINY_FC, "label_smoothing": 0.0}
    by_class = FCClassifier(class_weight={"down": 3.0, "up": 1.0}, **params).fit(X, y)
    by_recording = FCClassifier(**params).fit(X, y, sample_weight=np.where(y == "down", 3.0, 1.0))
    both = FCClassifier(class_weight={"down": 3.0, "up": 1.0}, **params).fit(
        X, y, sample_weight=np.where(y == "down", 1 / 3, 1.0)
    )
    plain = FCClassifier(**params).fit(X, y)

    np.testing.assert_allclose(by_class.predict_proba(X), by_recording.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(both.predict_proba(X), plain.predict_proba(X), atol=1e-5)


def test_balanced_class_weight_counts_recordings_by_their_weight():
    X, y = gestures()
    weights = some_zero_weights(len(X))
    kept = weights > 0

    weighted = FCClassifier(class_weight="balanced", **TINY_FC).fit(X, y, sample_weight=weights)
    dropped = FCClassifier(class_weight="balanced", **TINY_FC).fit(
        X[kept], y[kept], sample_weight=weights[kept]
    )

    np.testing.assert_array_equal(weighted.predict_proba(X), dropped.predict_proba(X))


def test_sample_weight_reaches_the_classifier_through_a_pipeline():
    X, y = gestures()
    recordings = [recording[: 6 + i % 5] for i, recording in enumerate(X)]
    weights = np.linspace(0.2, 2.0, len(X))

    pipeline = Pipeline([("pad", SkeletonPadder()), ("clf", FCClassifier(**TINY_FC))])
    pipeline.fit(recordings, y, clf__sample_weight=weights)
    by_hand = FCClassifier(**TINY_FC).fit(
        SkeletonPadder().fit_transform(recordings), y, sample_weight=weights
    )

    np.testing.assert_array_equal(
        pipeline.predict_proba(recordings),
        by_hand.predict_proba(SkeletonPadder().fit_transform(recordings)),
    )


def test_sample_weight_works_with_recordings_on_disk(tmp_path):
    X, y = gestures()
    np.save(tmp_path / "padded.npy", X)
    store = RecordingStore.from_array(tmp_path / "padded.npy")
    weights = some_zero_weights(len(X)) * np.linspace(0.5, 2.0, len(X))

    on_disk = CNNClassifier(**TINY_CNN).fit(store, y, sample_weight=weights)
    in_memory = CNNClassifier(**TINY_CNN).fit(X, y, sample_weight=weights)

    np.testing.assert_allclose(on_disk.predict_proba(X), in_memory.predict_proba(X), atol=1e-6)


def test_warm_start_continues_training_with_weights():
    X, y = gestures()
    weights = some_zero_weights(len(X))
    kept = weights > 0
    weighted = FCClassifier(warm_start=True, **TINY_FC).fit(X, y)
    dropped = FCClassifier(warm_start=True, **TINY_FC).fit(X, y)

    weighted.fit(X, y, sample_weight=weights)
    dropped.fit(X[kept], y[kept], sample_weight=weights[kept])

    np.testing.assert_array_equal(weighted.predict_proba(X), dropped.predict_proba(X))


@pytest.mark.parametrize(
    "weights, message",
    [
        (-np.ones(24), "Negative values in data passed to `sample_weight`"),
        (np.r_[np.nan, np.ones(23)], "sample_weight contains NaN"),
        (np.r_[np.inf, np.ones(23)], "sample_weight contains infinity"),
        (np.ones(23), r"sample_weight.shape == \(23,\), expected \(24,\)"),
        (np.ones((24, 2)), "Sample weights must be 1D array or scalar"),
        (np.zeros(24), "Sample weights must contain at least one non-zero number"),
        (
            np.r_[np.zeros(12), np.ones(12)],
            r"sample_weight is zero for every recording of the classes \['down'\]",
        ),
    ],
    ids=["negative", "nan", "inf", "length", "2d", "all-zero", "class-zero"],
)
@pytest.mark.parametrize("estimator", [FCClassifier(**TINY_FC), SSLClassifier(**TINY_SSL)], ids=ids)
def test_bad_sample_weight_is_refused(estimator, weights, message):
    X, y = gestures()
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y, sample_weight=weights)
    assert not hasattr(estimator, "net_")


def test_ssl_leaves_zero_weight_unlabelled_recordings_out():
    X, y = gestures()
    y[1::2] = "?"  # every other recording unlabelled
    weights = np.where(y == "?", 0.0, 1.0)

    model = SSLClassifier(unlabeled_label="?", **TINY_SSL).fit(X, y, sample_weight=weights)

    assert model.n_labeled_ == 12
    assert list(model.classes_) == ["down", "up"]


def test_sample_weight_is_refused_with_a_criterion_it_cannot_weigh():
    X, y = gestures()
    model = FCClassifier(net_params={"criterion": torch.nn.CrossEntropyLoss}, **TINY_FC)

    with pytest.raises(ValueError, match="sample_weight weighs skgesture's cross-entropy loss"):
        model.fit(X, y, sample_weight=np.ones(len(X)))


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_predict_shows_a_progress_bar_over_batches_only_at_verbose_2(verbose, capfd):
    pytest.importorskip("tqdm")
    X, y = gestures(n_per_class=6)
    clf = CNNClassifier(**{**TINY_CNN, "batch_size": 4}).fit(X, y)
    capfd.readouterr()

    clf.set_params(verbose=verbose).predict(X)

    err = capfd.readouterr().err
    assert ("Predicting" in err) == (verbose == 2)
