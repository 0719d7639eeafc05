"""Saving a fitted classifier to one file with ``save`` and reading it back with ``load``."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from _tiny import registered_classifiers, tiny
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier
from skgesture._persistence import load

TINY = {"max_epochs": 2, "random_state": 0, "n_threads": 1}
TINY_CNN = {"architecture": "joint", "n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}
TINY_FC = {"hidden_sizes": (8,), **TINY}


def gestures(labels=("up", "down"), n_per_class=8, n_frames=10, n_joints=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.3, size=(n_per_class * len(labels), n_frames, n_joints, 3))
    y = np.repeat(np.asarray(labels), n_per_class)
    for offset, label in enumerate(labels):
        X[y == label, :, 1, 0] += 2.0 * offset
    return X.astype(np.float32), y


def ragged(X, seed=0):
    rng = np.random.default_rng(seed)
    return [recording[: rng.integers(3, len(recording) + 1)] for recording in X]


def comparable_params(estimator):
    """``get_params()``, with an estimator given as a parameter (SSLClassifier's pretrainer)
    replaced by its class and parameters: estimators compare equal only to themselves."""
    return {
        name: (type(value), comparable_params(value)) if isinstance(value, BaseEstimator) else value
        for name, value in estimator.get_params(deep=False).items()
    }


def assert_same_model(loaded, original, X):
    assert type(loaded) is type(original)
    assert comparable_params(loaded) == comparable_params(original)
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), original.predict(X))
    np.testing.assert_array_equal(loaded.classes_, original.classes_)
    assert loaded.classes_.dtype == original.classes_.dtype
    for name in ("n_features_in_", "n_joints_in_", "n_coords_in_", "n_frames_", "n_iter_"):
        assert getattr(loaded, name) == getattr(original, name)
    np.testing.assert_array_equal(loaded.channel_mean_, original.channel_mean_)
    np.testing.assert_array_equal(loaded.channel_scale_, original.channel_scale_)
    assert loaded.early_stopping_ == original.early_stopping_
    assert loaded.interrupted_ == original.interrupted_
    assert loaded.history_[:, "train_loss"] == original.history_[:, "train_loss"]


def rewrite_metadata(source, target, **changes):
    """Copy a saved model, changing entries of its metadata."""
    with np.load(source, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    metadata = json.loads(str(arrays["skgesture_metadata"]))
    metadata.update(changes)
    arrays["skgesture_metadata"] = np.array(json.dumps(metadata))
    with open(target, "wb") as file:
        np.savez(file, **arrays)


def _save(clf, path):
    clf.save(path)
    return path


@pytest.fixture(scope="module")
def fitted_cnn():
    X, y = gestures()
    return CNNClassifier(**TINY_CNN).fit(X, y), X


@pytest.fixture
def saved_cnn(fitted_cnn, tmp_path):
    clf, X = fitted_cnn
    path = tmp_path / "cnn.npz"
    clf.save(path)
    return path


# ----------------------------------------------------------------------------- round trips
@pytest.mark.parametrize(
    ("labels", "layout"),
    [
        (("up", "down"), "4d"),
        (("up", "down", "left"), "4d"),
        ((3, 7, 11), "list"),
        ((0, 1), "list"),
        ((False, True), "list"),
    ],
    ids=["str-4d", "str-three-classes-4d", "int-ragged", "int-binary-ragged", "bool-ragged"],
)
@pytest.mark.parametrize("cls", registered_classifiers().values(), ids=lambda cls: cls.__name__)
def test_a_saved_model_predicts_exactly_like_the_original(cls, labels, layout, tmp_path):
    estimator = tiny(cls)
    X, y = gestures(labels)
    X = ragged(X) if layout == "list" else X
    estimator.fit(X, y)
    path = tmp_path / "model.npz"
    estimator.save(path)
    assert_same_model(type(estimator).load(path), estimator, X)
    assert_same_model(load(path), estimator, X)


def test_save_writes_exactly_the_path_given(fitted_cnn, tmp_path):
    clf, X = fitted_cnn
    path = tmp_path / "gesture-model.skg"
    clf.save(str(path))
    assert [entry.name for entry in tmp_path.iterdir()] == ["gesture-model.skg"]
    assert_same_model(CNNClassifier.load(str(path)), clf, X)


def test_the_file_holds_no_pickle(saved_cnn):
    with np.load(saved_cnn, allow_pickle=False) as archive:
        for key in archive.files:
            assert archive[key].dtype.kind in "biufU", key
    metadata = json.loads(str(np.load(saved_cnn)["skgesture_metadata"]))
    assert metadata["class"] == "CNNClassifier"
    assert set(metadata["versions"]) >= {"skgesture", "torch", "scikit-learn", "numpy"}


def test_string_labels_of_an_object_array_and_feature_names_come_back(tmp_path):
    X, y = gestures()
    frame = pd.DataFrame(X[:, :, 1, 0], columns=[f"t{i}" for i in range(X.shape[1])])
    clf = FCClassifier(**TINY_FC).fit(frame, y.astype(object))
    assert clf.classes_.dtype == object
    clf.save(tmp_path / "fc.npz")
    loaded = FCClassifier.load(tmp_path / "fc.npz")
    assert loaded.classes_.dtype == object
    np.testing.assert_array_equal(loaded.feature_names_in_, clf.feature_names_in_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same_model(loaded, clf, frame)


def test_a_loaded_model_can_continue_training(saved_cnn, fitted_cnn):
    _, X = fitted_cnn
    _, y = gestures()
    loaded = CNNClassifier.load(saved_cnn).set_params(warm_start=True, max_epochs=1)
    assert loaded.fit(X, y).n_iter_ == 1


def test_loading_leaves_the_global_torch_random_state_alone(saved_cnn):
    before = torch.random.get_rng_state()
    CNNClassifier.load(saved_cnn)
    assert torch.equal(torch.random.get_rng_state(), before)


# ------------------------------------------------------------------------------- refusals
def test_an_unfitted_estimator_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        CNNClassifier().save(tmp_path / "model.npz")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("optimizer", torch.optim.SGD),
        ("augment", lambda data, lengths, rng: (data, lengths)),
        ("random_state", np.random.RandomState(0)),
        ("net_params", {"optimizer__momentum": 0.9, "iterator_train__worker_init_fn": print}),
    ],
    ids=["optimizer-class", "callable", "random-state", "nested-in-net_params"],
)
def test_parameters_that_need_pickle_are_refused_at_save(fitted_cnn, param, value, tmp_path):
    clf, _ = fitted_cnn
    clf = CNNClassifier.load(_save(clf, tmp_path / "ok.npz"))
    clf.set_params(**{param: value})
    with pytest.raises(ValueError, match=rf"parameter {param}.*joblib"):
        clf.save(tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").exists()


def test_labels_of_mixed_types_are_refused_at_save(fitted_cnn, tmp_path):
    clf, _ = fitted_cnn
    clf = CNNClassifier.load(_save(clf, tmp_path / "ok.npz"))
    clf.classes_ = np.array([1, "one"], dtype=object)
    with pytest.raises(ValueError, match="classes_ has dtype object.*int, str"):
        clf.save(tmp_path / "model.npz")


def test_a_model_of_another_class_is_refused(saved_cnn):
    with pytest.raises(ValueError, match=rf"{re.escape(str(saved_cnn))} holds a CNNClassifier"):
        LSTMClassifier.load(saved_cnn)


def test_a_truncated_file_is_refused_naming_it(saved_cnn, tmp_path):
    truncated = tmp_path / "truncated.npz"
    content = saved_cnn.read_bytes()
    truncated.write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match=re.escape(str(truncated))):
        CNNClassifier.load(truncated)


def test_a_file_of_random_bytes_is_refused_naming_it(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ValueError, match=re.escape(str(path))):
        CNNClassifier.load(path)


@pytest.mark.parametrize("kind", ["npz", "npy"])
def test_numpy_files_that_are_not_models_are_refused_naming_them(tmp_path, kind):
    path = tmp_path / f"arrays.{kind}"
    with open(path, "wb") as file:
        if kind == "npz":
            np.savez(file, weights=np.ones(3), names=np.array(["a", "b"]))
        else:
            np.save(file, np.ones(3))
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))} is not .*skgesture model"):
        load(path)


def test_a_file_naming_a_class_outside_skgesture_is_refused(saved_cnn, tmp_path):
    path = tmp_path / "evil.npz"
    rewrite_metadata(saved_cnn, path, **{"class": "os.system"})
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))} .*unknown class 'os.system'"):
        load(path)


def test_other_library_versions_warn_and_load(saved_cnn, fitted_cnn, tmp_path):
    clf, X = fitted_cnn
    path = tmp_path / "old.npz"
    metadata = json.loads(str(np.load(saved_cnn)["skgesture_metadata"]))
    versions = {**metadata["versions"], "torch": "1.0.0", "skgesture": "0.0.1"}
    rewrite_metadata(saved_cnn, path, versions=versions)
    with pytest.warns(UserWarning, match=r"skgesture 0\.0\.1 .*torch 1\.0\.0"):
        loaded = CNNClassifier.load(path)
    assert_same_model(loaded, clf, X)


def test_the_same_versions_load_without_warning(saved_cnn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CNNClassifier.load(saved_cnn)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_model_saved_on_cuda_loads_on_the_cpu_with_a_warning(saved_cnn, fitted_cnn, tmp_path):
    clf, X = fitted_cnn
    path = tmp_path / "cuda.npz"
    rewrite_metadata(saved_cnn, path, device="cuda")
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded = CNNClassifier.load(path)
    assert str(loaded.net_.device) == "cpu"
    assert_same_model(loaded, clf, X)


def test_load_puts_the_network_on_the_device_asked_for_without_a_warning(
    saved_cnn, fitted_cnn, tmp_path
):
    clf, X = fitted_cnn
    path = tmp_path / "cuda.npz"
    with np.load(saved_cnn, allow_pickle=False) as archive:
        params = json.loads(str(archive["skgesture_metadata"]))["params"]
    rewrite_metadata(saved_cnn, path, device="cuda", params={**params, "device": "cuda"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = CNNClassifier.load(path, device="cpu")
    assert str(loaded.net_.device) == "cpu" and loaded.device == "cpu"
    assert_same_model(loaded, clf, X)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_load_on_cuda_without_a_gpu_is_refused_clearly(saved_cnn):
    with pytest.raises(ValueError, match="device='cuda' but torch finds no CUDA device"):
        CNNClassifier.load(saved_cnn, device="cuda")


def test_load_refuses_an_unknown_device(saved_cnn):
    with pytest.raises(ValueError, match="device='tpu' is not understood"):
        CNNClassifier.load(saved_cnn, device="tpu")


def test_a_history_that_json_cannot_hold_is_refused_at_save(fitted_cnn, tmp_path):
    clf, _ = fitted_cnn
    clf = CNNClassifier.load(_save(clf, tmp_path / "ok.npz"))
    clf.history_.record("note", object())
    with pytest.raises(ValueError, match="training history .*joblib"):
        clf.save(tmp_path / "model.npz")
