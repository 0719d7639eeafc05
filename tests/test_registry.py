"""The registry of network estimators, and the recipe for adding one (docs/design.md), followed
once with a throwaway estimator: its network, its estimator class and a registry entry are all
it takes for the common checks, persistence, the command line and the lazy imports to know it."""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator
from torch import nn

import skgesture
from skgesture import _registry
from skgesture._persistence import load, save
from skgesture.app.cli import _estimator
from skgesture.estimators._base import (
    NETWORK_DEFAULTS,
    TRAINING_CONSTRAINTS,
    SkeletonClassifierBase,
    parameters_init,
)


def test_every_entry_names_a_class_of_its_module():
    names = [entry.name for entry in _registry.ESTIMATORS]
    assert len(set(names)) == len(names)
    for entry in _registry.ESTIMATORS:
        cls = _registry.estimator_class(entry.name)
        assert cls.__name__ == entry.name and cls.__module__ == entry.module
        assert getattr(skgesture, entry.name) is cls
        assert cls._get_test_params(), f"{entry.name} lists no test configuration"


def test_the_command_line_offers_the_registered_classifiers():
    assert _registry.cli_models() == {
        "cnn": "CNNClassifier",
        "fc": "FCClassifier",
        "lstm": "LSTMClassifier",
        "ssl": "SSLClassifier",
    }


def test_an_unregistered_name_is_a_key_error():
    with pytest.raises(KeyError):
        _registry.estimator_class("os.system")


# --------------------------------------------------------------- the recipe, followed once
class LinearNet(nn.Module):
    """Step 1, the network: one linear layer over the whole (padded) recording."""

    def __init__(self, n_frames, n_joints, n_coords, n_classes):
        super().__init__()
        self.head = nn.Linear(n_frames * n_joints * n_coords, n_classes)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords), cropped or padded to n_frames.
        return self.head(x.flatten(1))  # (batch, classes)


class LinearClassifier(SkeletonClassifierBase):
    """Step 2, the estimator: on the shared base, its parameters (here only the input and
    training ones every network estimator has), its network and its test configuration."""

    _parameter_constraints = TRAINING_CONSTRAINTS
    _fixed_length = True  # the linear layer sees n_frames_ frames
    __init__ = parameters_init(NETWORK_DEFAULTS)

    @classmethod
    def _get_test_params(cls):
        return [{"max_epochs": 40, "batch_size": 64, "lr": 0.1, "random_state": 0, "n_threads": 1}]

    def _module(self):
        return LinearNet, {
            "n_frames": self.n_frames_,
            "n_joints": self.n_joints_in_,
            "n_coords": self._n_network_coords,  # coordinates x input streams
        }


@pytest.fixture
def registered(monkeypatch):
    """Step 3, the registry entry."""
    entry = _registry.Entry("LinearClassifier", __name__, "classifier", "linear")
    monkeypatch.setattr(_registry, "ESTIMATORS", (*_registry.ESTIMATORS, entry))
    return LinearClassifier


def test_a_registered_estimator_passes_the_common_checks(registered):
    (params,) = registered._get_test_params()
    estimator = registered(**params)
    check_estimator(estimator, expected_failed_checks=estimator._expected_failed_checks())


def test_a_registered_estimator_saves_and_loads_without_pickle(registered, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 8, 3, 3)).astype(np.float32)
    y = np.repeat(["left", "right"], 10)
    X[y == "right", :, 0, 0] += 2
    model = registered(**registered._get_test_params()[0]).fit(X, y)
    save(model, tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert type(loaded) is registered
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_an_unregistered_estimator_is_refused_by_save(tmp_path):
    X = np.zeros((4, 5, 2, 3), dtype=np.float32)
    model = LinearClassifier(max_epochs=1, n_threads=1).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="only skgesture's"):
        save(model, tmp_path / "model.npz")


def test_a_registered_estimator_is_a_command_line_model(registered):
    args = SimpleNamespace(seed=3, device="cpu", epochs=4)
    model = _estimator("linear", args)
    assert isinstance(model, registered)
    assert (model.random_state, model.max_epochs) == (3, 4)
