"""Faults during training: fit is all or nothing, and a diverging loss stops it clearly."""

import warnings

import _tiny
import numpy as np
import pytest
import torch
from _faults import CtrlCAt
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from skgesture import CNNClassifier, FCClassifier

# Three epochs leave room for a fault in the second or the third.
EPOCHS = 3
TINY_CNN = {**_tiny.TINY_CNN, "max_epochs": EPOCHS}
TINY_FC = {**_tiny.TINY_FC, "max_epochs": EPOCHS}


@pytest.fixture
def gestures():
    """16 recordings of 10 frames x 4 joints; "point" lifts joint 1, "wave" does not."""
    return _tiny.gestures(n_per_class=8, n_frames=10, labels=("wave", "point"))


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
    assert not hasattr(estimator, "_tabular_in")


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
def test_exploding_learning_rate_stops_with_epoch_and_lr_and_leaves_estimator_unfitted(gestures):
    X, y = gestures
    clf = CNNClassifier(optimizer="sgd", lr=1e6, batch_size=4, **TINY_CNN)
    with pytest.raises(
        ValueError, match=r"loss became (nan|inf|-inf) at epoch \d+, .*lr=1000000\.0"
    ):
        clf.fit(X, y)
    assert_unfitted(clf)


def test_exploding_learning_rate_on_a_refit_keeps_the_previous_model(gestures):
    X, y = gestures
    clf = CNNClassifier(batch_size=4, **TINY_CNN).fit(X, y)
    before = fitted_state(clf)
    predictions = clf.predict(X)
    clf.set_params(optimizer="sgd", lr=1e6)
    with pytest.raises(ValueError, match=r"lower lr"):
        clf.fit(X, y)
    assert_state_unchanged(clf, before)
    np.testing.assert_array_equal(clf.predict(X), predictions)


def test_a_sensible_learning_rate_is_not_flagged(gestures):
    X, y = gestures
    clf = CNNClassifier(optimizer="sgd", lr=0.01, **TINY_CNN)
    clf.fit(X, y)
    assert np.isfinite(clf.history_[:, "train_loss"]).all()
    assert clf.n_iter_ == EPOCHS


# -------------------------------------------------------------------- faults mid-training
@pytest.mark.parametrize(
    "clf", _tiny.tiny_estimators(max_epochs=EPOCHS), ids=lambda e: type(e).__name__
)
def test_failing_callback_leaves_an_unfitted_estimator_unfitted(clf, gestures):
    X, y = gestures
    clf.set_params(callbacks=[FailAtEpoch(2)])
    with pytest.raises(RuntimeError, match="callback failed at epoch 2"):
        clf.fit(X, y)
    assert_unfitted(clf)
    with pytest.raises(NotFittedError):
        clf.predict(X)


@pytest.mark.parametrize(
    "clf", _tiny.tiny_estimators(max_epochs=EPOCHS), ids=lambda e: type(e).__name__
)
def test_failing_callback_during_warm_start_keeps_the_previous_model(clf, gestures):
    X, y = gestures
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


def test_failed_refit_on_other_data_keeps_the_first_fit(gestures):
    X, y = gestures
    clf = FCClassifier(**TINY_FC).fit(X, y)
    before = fitted_state(clf)
    flat = X.reshape(len(X), 10, -1)[:, :, :5]  # a different skeleton, in another layout
    clf.set_params(callbacks=[FailAtEpoch(1)])
    with pytest.raises(RuntimeError, match="callback failed at epoch 1"):
        clf.fit(flat, np.where(y == "wave", 0, 1))
    assert_state_unchanged(clf, before)
    assert clf.n_features_in_ == 12
    assert clf._tabular_in is False
    np.testing.assert_array_equal(clf.classes_, ["point", "wave"])


def test_error_in_the_first_batch_propagates_unchanged_and_leaves_nothing_behind(gestures):
    class OutOfMemory(Callback):
        def on_batch_begin(self, net, **kwargs):
            raise MemoryError("out of memory in batch")

    X, y = gestures
    clf = FCClassifier(callbacks=[OutOfMemory()], **TINY_FC)
    with pytest.raises(MemoryError, match="out of memory in batch"):
        clf.fit(X, y)
    assert_unfitted(clf)


def test_invalid_warm_start_architecture_change_keeps_the_previous_model(gestures):
    X, y = gestures
    clf = FCClassifier(warm_start=True, **TINY_FC).fit(X, y)
    before = fitted_state(clf)
    clf.set_params(hidden_sizes=(16,))
    with pytest.raises(ValueError, match="must not change between fits"):
        clf.fit(X, y)
    assert_state_unchanged(clf, before)


# ----------------------------------------------------------------------- Ctrl+C during fit
def test_ctrl_c_keeps_the_best_completed_epoch_and_says_so(gestures):
    X, y = gestures
    clf = CNNClassifier(**TINY_CNN, callbacks=[CtrlCAt(epoch=3)]).set_params(max_epochs=6)
    with pytest.warns(UserWarning, match=r"interrupted during epoch 3 of 6.*epoch [12] "):
        clf.fit(X, y)
    assert clf.interrupted_
    best = dict(clf.net_.callbacks_)["best_epoch_weights"]
    for name, value in clf.net_.module_.state_dict().items():
        assert torch.equal(value, best.best_state_[name]), name
    assert clf.predict(X).shape == (len(y),)


def test_ctrl_c_in_the_first_epoch_still_warns(gestures):
    X, y = gestures
    clf = CNNClassifier(**TINY_CNN, callbacks=[CtrlCAt(epoch=1)])
    with pytest.warns(UserWarning, match="no epoch had completed"):
        clf.fit(X, y)
    assert clf.interrupted_


def test_a_finished_fit_is_not_interrupted(gestures):
    X, y = gestures
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = CNNClassifier(**TINY_CNN).fit(X, y)
    assert clf.interrupted_ is False
