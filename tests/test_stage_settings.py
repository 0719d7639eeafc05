"""fit never writes the estimator's parameters, not even for one stage of training.

A user's callback looks at the estimator being fitted at the end of every epoch of every
training that its fit runs (pre-training, linear probe, fine-tuning, the from-scratch teacher,
each round of self-training) and finds ``get_params()`` as it was before the call.
"""

import copy

import numpy as np
from skorch.callbacks import Callback

from skgesture import CNNClassifier
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

TINY = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, "random_state": 0, "n_threads": 1}


def waves(n_samples=24, seed=0):
    """Ragged recordings of 4 joints; in class "wave" joint 2 oscillates vertically."""
    rng = np.random.default_rng(seed)
    labels = np.array(["point", "wave"] * (n_samples // 2), dtype=object)
    X = []
    for label in labels:
        recording = rng.normal(scale=0.3, size=(int(rng.integers(12, 18)), 4, 3))
        if label == "wave":
            recording[:, 2, 1] += 2 * np.sin(np.linspace(0, 3 * np.pi, len(recording)))
        X.append(recording)
    return X, labels


class WatchParams(Callback):
    """Calls ``watch("begin")`` when a training starts and ``watch("epoch")`` after each epoch.

    skorch deep-copies callbacks for every training, but deepcopy keeps a function as it is,
    so every copy calls the same ``watch``.
    """

    def __init__(self, watch):
        self.watch = watch

    def on_train_begin(self, net, **kwargs):
        self.watch("begin")

    def on_epoch_end(self, net, **kwargs):
        self.watch("epoch")


def params_watcher(estimator):
    """A ``watch`` function that records ``estimator()``'s parameters at every epoch end, and
    its records: one list per training, in the order the trainings started."""
    trainings = []

    def watch(event):
        if event == "begin":
            trainings.append([])
        else:
            trainings[-1].append(copy.deepcopy(estimator().get_params(deep=False)))

    return watch, trainings


def comparable(value):
    """``value`` with estimators and callbacks replaced by their type and settings, so that
    deep copies compare equal where the settings are equal."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(comparable(item) for item in value)
    if hasattr(value, "get_params"):
        return type(value), comparable(value.get_params(deep=False))
    if isinstance(value, Callback):
        return type(value), comparable(vars(value))
    return value


def assert_params_never_changed(before, trainings, n_trainings):
    assert len(trainings) == n_trainings
    assert all(len(epochs) >= 1 for epochs in trainings), [len(e) for e in trainings]
    expected = comparable(before)
    for number, epochs in enumerate(trainings, start=1):
        for epoch, params in enumerate(epochs, start=1):
            changed = {
                name: value for name, value in comparable(params).items() if value != expected[name]
            }
            assert not changed, f"training {number}, epoch {epoch} saw {changed}"


def test_ssl_fit_never_writes_its_parameters_in_any_stage():
    X, labels = waves()
    y = np.where(np.arange(len(labels)) < 8, labels, -1)  # 4 labelled per class
    watch, trainings = params_watcher(lambda: model)
    raw = {"body_frame": False, "streams": ("joint",)}  # four noisy joints: no body to centre
    model = SSLClassifier(
        pretrainer=AutoencoderPretrainer(
            max_epochs=2, callbacks=[WatchParams(watch)], **TINY, **raw
        ),
        **raw,
        linear_probe_epochs=2,
        max_epochs=3,
        encoder_lr=1e-3,
        self_training=1,
        self_training_teacher="agreement",
        self_training_threshold=0.01,  # every round pseudo-labels, so every stage trains
        fallback="never",  # the safeguard's folds add a data-dependent number of trainings
        lr=0.01,
        callbacks=[("watch", WatchParams(watch))],
        random_state=0,
        n_threads=1,
    )
    before = copy.deepcopy(model.get_params(deep=False))
    model.fit(X, y)
    assert model.n_pseudo_labeled_ > 0
    # pre-training, linear probe, fine-tuning, the teacher from scratch, then the round's
    # probe and fine-tuning
    assert_params_never_changed(before, trainings, n_trainings=6)
    assert comparable(model.get_params(deep=False)) == comparable(before)
    assert not model.interrupted_


def test_cnn_fit_never_writes_its_parameters():
    X, labels = waves()
    watch, trainings = params_watcher(lambda: model)
    model = CNNClassifier(max_epochs=3, early_stopping=True, callbacks=[WatchParams(watch)], **TINY)
    before = copy.deepcopy(model.get_params(deep=False))
    model.fit(X, labels)
    model.set_params(warm_start=True)
    before_warm = copy.deepcopy(model.get_params(deep=False))
    model.fit(X, labels)
    assert_params_never_changed(before, trainings[:1], n_trainings=1)
    assert_params_never_changed(before_warm, trainings[1:], n_trainings=1)


def test_pretrainer_fit_never_writes_its_parameters():
    X, _ = waves()
    watch, trainings = params_watcher(lambda: model)
    model = AutoencoderPretrainer(
        objective="hybrid", max_epochs=2, callbacks=[WatchParams(watch)], **TINY
    )
    before = copy.deepcopy(model.get_params(deep=False))
    model.fit(X)
    assert_params_never_changed(before, trainings, n_trainings=1)
