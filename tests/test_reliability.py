"""Faults during training: fit is all or nothing, and a diverging loss stops it clearly."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier

TINY = {"max_epochs": 3, "random_state": 0, "n_threads": 1}
TINY_CNN = {"n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}


def tiny_estimators():
    return [
        CNNClassifier(n_filters=4, n_blocks=1, kernel_size=3, **TINY),
        LSTMClassifier(projection_size=4, hidden_size=4, num_layers=1, **TINY),
        FCClassifier(hidden_sizes=(8,), **TINY),
    ]


def gestures(n_per_class=8, seed=0):
    """Two classes of recordings (frames, joints, coords) told apart by one lifted joint."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.3, size=(2 * n_per_class, 10, 4, 3)).astype(np.float32)
    y = np.repeat(np.array(["wave", "point"]), n_per_class)
    X[y == "point", :, 1, 0] += 2.0
    return X, y


class FailAtEpoch(Callback):
    """A user callback that breaks at the start of a given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError(f"callback failed at epoch {self.epoch}")


def assert_unfitted(estimator):
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    learned = [name for name in vars(estimator) if name.endswith("_") and not name.startswith("_")]
    assert learned == []
    assert not hasattr(estimator, "_fitted_layout")


def learned_attributes(estimator):
    """Everything fit stores on the estimator besides the constructor parameters."""
    params = estimator.get_params(deep=False)
    return {name: value for name, value in vars(estimator).items() if name not in params}


def fitted_state(estimator):
    """Everything fit learns, with the network weights copied out."""
    state = learned_attributes(estimator)
    weights = {k: v.clone() for k, v in estimator.net_.module_.state_dict().items()}
    return state, weights


def assert_state_unchanged(estimator, before):
    state, weights = before
    now_state = learned_attributes(estimator)
    assert now_state.keys() == state.keys()
    for name, value in state.items():
        assert now_state[name] is value, name
    now = estimator.net_.module_.state_dict()
    assert now.keys() == weights.keys()
    for name, tensor in weights.items():
        assert torch.equal(now[name], tensor), name


# ----------------------------------------------------------------------- diverging loss
def test_exploding_learning_rate_stops_with_epoch_and_lr_and_leaves_estimator_unfitted():
    X, y = gestures()
    clf = CNNClassifier(
        n_filters=4, n_blocks=1, kernel_size=3, optimizer="sgd", lr=1e6, batch_size=4, **TINY
    )
    with pytest.raises(ValueError, match=r"loss became (nan|inf|-inf) at epoch 1, .*lr=1000000\.0"):
        clf.fit(X, y)
    assert_unfitted(clf)


def test_exploding_learning_rate_on_a_refit_keeps_the_previous_model():
    X, y = gestures()
    clf = CNNClassifier(n_filters=4, n_blocks=1, kernel_size=3, batch_size=4, **TINY).fit(X, y)
    before = fitted_state(clf)
    predictions = clf.predict(X)
    clf.set_params(optimizer="sgd", lr=1e6)
    with pytest.raises(ValueError, match=r"lower lr"):
        clf.fit(X, y)
    assert_state_unchanged(clf, before)
    np.testing.assert_array_equal(clf.predict(X), predictions)


def test_a_sensible_learning_rate_is_not_flagged():
    X, y = gestures()
    clf = CNNClassifier(n_filters=4, n_blocks=1, kernel_size=3, optimizer="sgd", lr=0.01, **TINY)
    clf.fit(X, y)
    assert np.isfinite(clf.history_[:, "train_loss"]).all()
    assert clf.n_iter_ == 3


# -------------------------------------------------------------------- faults mid-training
@pytest.mark.parametrize("clf", tiny_estimators(), ids=lambda e: type(e).__name__)
def test_failing_callback_leaves_an_unfitted_estimator_unfitted(clf):
    X, y = gestures()
    clf.set_params(callbacks=[FailAtEpoch(2)])
    with pytest.raises(RuntimeError, match="callback failed at epoch 2"):
        clf.fit(X, y)
    assert_unfitted(clf)
    with pytest.raises(NotFittedError):
        clf.predict(X)


@pytest.mark.parametrize("clf", tiny_estimators(), ids=lambda e: type(e).__name__)
def test_failing_callback_during_warm_start_keeps_the_previous_model(clf):
    X, y = gestures()
    clf.fit(X, y)
    before = fitted_state(clf)
    proba = clf.predict_proba(X)
    clf.set_params(warm_start=True, callbacks=[FailAtEpoch(2)])
    with pytest.raises(RuntimeError, match="callback failed at epoch 2"):
        clf.fit(X, y)
    assert_state_unchanged(clf, before)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    # The estimator is still usable: warm start from the preserved weights works.
    clf.set_params(callbacks=None)
    clf.fit(X, y)
    assert clf.net_ is not before[0]["net_"]


def test_failed_refit_on_other_data_keeps_the_first_fit():
    X, y = gestures()
    clf = FCClassifier(hidden_sizes=(8,), **TINY).fit(X, y)
    before = fitted_state(clf)
    flat = X.reshape(len(X), 10, -1)[:, :, :5]  # a different skeleton, in another layout
    clf.set_params(callbacks=[FailAtEpoch(1)])
    with pytest.raises(RuntimeError, match="callback failed at epoch 1"):
        clf.fit(flat, np.where(y == "wave", 0, 1))
    assert_state_unchanged(clf, before)
    assert clf.n_features_in_ == 12
    assert clf._fitted_layout == "4d"
    np.testing.assert_array_equal(clf.classes_, ["point", "wave"])


def test_error_in_the_first_batch_propagates_unchanged_and_leaves_nothing_behind():
    class OutOfMemory(Callback):
        def on_batch_begin(self, net, **kwargs):
            raise MemoryError("out of memory in batch")

    X, y = gestures()
    clf = FCClassifier(hidden_sizes=(8,), callbacks=[OutOfMemory()], **TINY)
    with pytest.raises(MemoryError, match="out of memory in batch"):
        clf.fit(X, y)
    assert_unfitted(clf)


def test_invalid_warm_start_architecture_change_keeps_the_previous_model():
    X, y = gestures()
    clf = FCClassifier(hidden_sizes=(8,), warm_start=True, **TINY).fit(X, y)
    before = fitted_state(clf)
    clf.set_params(hidden_sizes=(16,))
    with pytest.raises(ValueError, match="must not change between fits"):
        clf.fit(X, y)
    assert_state_unchanged(clf, before)


# ----------------------------------------------------------------------- Ctrl+C during fit
class _CtrlCAt(Callback):
    """Simulates the user pressing Ctrl+C during a training batch of ``epoch``."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_ctrl_c_keeps_the_best_completed_epoch_and_says_so():
    X, y = gestures()
    clf = CNNClassifier(**TINY_CNN, callbacks=[_CtrlCAt(epoch=3)]).set_params(max_epochs=6)
    with pytest.warns(UserWarning, match=r"interrupted during epoch 3 of 6.*epoch [12] "):
        clf.fit(X, y)
    assert clf.interrupted_
    best = dict(clf.net_.callbacks_)["best_epoch_weights"]
    for name, value in clf.net_.module_.state_dict().items():
        assert torch.equal(value, best.best_state_[name]), name
    assert clf.predict(X).shape == (len(y),)


def test_ctrl_c_in_the_first_epoch_still_warns():
    X, y = gestures()
    clf = CNNClassifier(**TINY_CNN, callbacks=[_CtrlCAt(epoch=1)])
    with pytest.warns(UserWarning, match="no epoch had completed"):
        clf.fit(X, y)
    assert clf.interrupted_


def test_a_finished_fit_is_not_interrupted():
    X, y = gestures()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = CNNClassifier(**TINY_CNN).fit(X, y)
    assert clf.interrupted_ is False
