"""The GPU path: everything a user does on a CPU, done with ``device="cuda"``.

Skipped where torch finds no CUDA device (CI has none); run on a machine with one.
"""

import io
import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

from skgesture import (
    CNNClassifier,
    FCClassifier,
    GradCAMExplainer,
    LSTMClassifier,
    SkeletonPadder,
    StreamingRecognizer,
)
from skgesture.datasets import make_gestures
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

SMALL = {"max_epochs": 15, "random_state": 0, "device": "cuda"}
SMALL_CNN = {"n_filters": 8, "n_blocks": 1, **SMALL}


@pytest.fixture(scope="module")
def recordings():
    """Ragged 10-joint recordings of two gestures that differ by one arm."""
    data = make_gestures(60, n_joints=10, min_frames=20, max_frames=30, random_state=0)
    return data.data, data.target


def network_device(estimator):
    return next(estimator.net_.module_.parameters()).device.type


@pytest.mark.parametrize(
    "estimator",
    [
        CNNClassifier(**SMALL_CNN),
        CNNClassifier(architecture="image", **SMALL_CNN),
        LSTMClassifier(hidden_size=8, projection_size=8, **{**SMALL, "max_epochs": 40}),
        FCClassifier(hidden_sizes=(16,), **SMALL),
    ],
    ids=["cnn-joint", "cnn-image", "lstm", "fc"],
)
def test_each_classifier_trains_and_predicts_on_the_gpu(recordings, estimator):
    X, y = recordings
    estimator.fit(X, y)

    assert network_device(estimator) == "cuda"
    proba = estimator.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert estimator.score(X, y) > 0.8


def test_device_auto_picks_the_gpu(recordings):
    clf = CNNClassifier(**{**SMALL_CNN, "device": "auto", "max_epochs": 1}).fit(*recordings)
    assert network_device(clf) == "cuda"


def test_the_same_random_state_gives_the_same_model_on_the_gpu(recordings):
    X, y = recordings
    first = CNNClassifier(**SMALL_CNN).fit(X, y).predict_proba(X)
    second = CNNClassifier(**SMALL_CNN).fit(X, y).predict_proba(X)
    # cuDNN may sum in another order from run to run: equal up to float rounding.
    np.testing.assert_allclose(first, second, atol=1e-4)


def test_a_gpu_model_pickles_and_its_saved_file_loads_on_the_cpu(recordings, tmp_path):
    X, y = recordings
    clf = CNNClassifier(**SMALL_CNN).fit(X, y)
    expected = clf.predict_proba(X)

    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    np.testing.assert_allclose(joblib.load(buffer).predict_proba(X), expected, atol=1e-6)
    unpickled = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(unpickled.predict_proba(X), expected, atol=1e-6)

    clf.save(tmp_path / "model.npz")
    loaded = CNNClassifier.load(tmp_path / "model.npz")
    np.testing.assert_allclose(loaded.predict_proba(X), expected, atol=1e-4)


def test_a_gpu_pipeline_cross_validates(recordings):
    X, y = recordings
    pipe = Pipeline([("pad", SkeletonPadder()), ("clf", CNNClassifier(**SMALL_CNN))])
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.8


@pytest.mark.parametrize("objective", ["reconstruction", "contrastive", "hybrid"])
def test_the_pretrainer_learns_on_the_gpu(recordings, objective):
    X, _ = recordings
    pretrainer = AutoencoderPretrainer(
        objective=objective, n_filters=8, n_blocks=1, max_epochs=3, random_state=0, device="cuda"
    ).fit(X)

    embeddings = pretrainer.transform(X)
    assert isinstance(embeddings, np.ndarray) and embeddings.shape == (len(X), 8 * 10)
    assert np.isfinite(pretrainer.score(X))
    if objective != "contrastive":
        rebuilt = pretrainer.reconstruct(X[:3])
        assert [r.shape for r in rebuilt] == [r.shape for r in X[:3]]


def test_a_trunk_pre_trained_on_the_cpu_is_fine_tuned_on_the_gpu(recordings):
    X, y = recordings
    pretrainer = AutoencoderPretrainer(
        objective="contrastive", n_filters=8, n_blocks=1, max_epochs=3, random_state=0
    ).fit(X)
    y_partial = y.astype(object)
    y_partial[10:] = -1  # hide most labels, keep both classes among the first ten
    assert len(set(y_partial[:10])) == 2

    clf = SSLClassifier(
        pretrainer=FrozenEstimator(pretrainer),
        linear_probe_epochs=3,
        self_training=1,
        self_training_threshold=0.5,
        **SMALL,
    ).fit(X, y_partial)

    assert network_device(clf) == "cuda"
    assert clf.predict(X).shape == (len(X),)
    assert clf.n_pseudo_labeled_ > 0


def test_gradcam_explains_a_gpu_model_as_it_explains_its_cpu_copy(recordings, tmp_path):
    X, y = recordings
    gpu_model = CNNClassifier(**SMALL_CNN).fit(X, y)
    gpu_model.save(tmp_path / "model.npz")
    cpu_model = CNNClassifier.load(tmp_path / "model.npz", device="cpu")
    assert network_device(cpu_model) == "cpu"

    on_gpu = GradCAMExplainer(gpu_model).fit(X).explain(X[:5])
    on_cpu = GradCAMExplainer(cpu_model).fit(X).explain(X[:5])

    for gpu_map, cpu_map in zip(on_gpu.heatmaps, on_cpu.heatmaps, strict=True):
        np.testing.assert_allclose(gpu_map, cpu_map, atol=1e-3)
    np.testing.assert_array_equal(on_gpu.predicted, on_cpu.predicted)


def test_a_gpu_model_recognises_a_stream(recordings):
    X, y = recordings
    clf = CNNClassifier(**SMALL_CNN).fit(X, y)
    recognizer = StreamingRecognizer(clf, window=20, step=5)
    steps = recognizer.update(X[0])
    assert len(steps.labels) > 0
