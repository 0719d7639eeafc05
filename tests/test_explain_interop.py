"""Captum's LayerGradCam gives GradCAMExplainer's Grad-CAM maps; Quantus can score the explainer."""

import numpy as np
import pytest
from _tiny import TINY_CNN, gestures
from sklearn.pipeline import make_pipeline

from skgesture import CNNClassifier
from skgesture.explain import GradCAMExplainer
from skgesture.explain._interop import (
    captum_layer_gradcam,
    quantus_explain_func,
    quantus_model,
)
from skgesture.preprocessing import SkeletonNormalizer

pytest.importorskip("captum")


def ragged(X, lengths):
    return [recording[:length] for recording, length in zip(X, lengths)]


@pytest.fixture(scope="module")
def data():
    return gestures(n_per_class=6, n_frames=16, n_joints=5)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"architecture": "joint"},
        {"architecture": "joint", "downsample": 2},
        {"architecture": "image"},
    ],
    ids=["hybrid", "joint", "strided", "image"],
)
def test_captum_layer_gradcam_equals_the_explainers_gradcam(data, params):
    X, y = data
    clf = CNNClassifier(**TINY_CNN, **params).fit(X, y)
    # Bare logit, channel weights averaged over frames and joints, no reference: Captum's
    # definition. Both keep the positive part and scale each map to a maximum of 1.
    explainer = GradCAMExplainer(clf, method="gradcam", class_score="logit").fit()
    expected = explainer.explain(X).heatmaps

    maps = captum_layer_gradcam(clf, X)

    assert maps.shape == expected.shape == (12, 16, 5)
    assert maps.max() == pytest.approx(1.0)
    np.testing.assert_allclose(maps, expected, atol=1e-5)


def test_captum_maps_of_ragged_recordings_follow_each_recording(data):
    X, y = data
    clf = CNNClassifier(**TINY_CNN, architecture="joint", downsample=2).fit(X, y)
    recordings = ragged(X, [16, 9, 12, 5, 16, 7])
    # The explainer pads recordings into batches of 32; Captum gets one recording per pass.
    explainer = GradCAMExplainer(clf, method="gradcam", class_score="logit")
    expected = explainer.fit().explain(recordings, target="down").heatmaps

    maps = captum_layer_gradcam(clf, recordings, target="down")

    np.testing.assert_allclose(maps, expected, atol=1e-5)
    assert not maps[3, 5:].any()  # zero after the recording's 5 frames


def test_unscaled_captum_maps_keep_their_sign_and_size(data):
    X, y = data
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    signed = captum_layer_gradcam(clf, X, relu_attributions=False, normalize=False)
    scaled = captum_layer_gradcam(clf, X)

    positive = np.maximum(signed, 0)
    peaks = positive.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(scaled, positive / np.where(peaks > 0, peaks, 1), atol=1e-5)


def test_captum_layer_gradcam_rejects_a_pipeline_and_unknown_classes(data):
    X, y = data
    pipeline = make_pipeline(SkeletonNormalizer(), CNNClassifier(**TINY_CNN)).fit(X, y)
    with pytest.raises(ValueError, match=r"pass pipeline\[-1\]"):
        captum_layer_gradcam(pipeline, X)
    with pytest.raises(ValueError, match="not classes of the estimator"):
        captum_layer_gradcam(pipeline[-1], X, target="sideways")


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    return clf, GradCAMExplainer(clf).fit(X)


def test_quantus_explain_func_gives_the_explainers_maps_for_each_coordinate(data, fitted):
    X, _ = data
    clf, explainer = fitted
    explain_func = quantus_explain_func(explainer)
    targets = np.array([0, 1, 1, 0])

    attributions = explain_func(model=quantus_model(clf), inputs=X[:4], targets=targets)

    expected = explainer.explain(X[:4], target=clf.classes_[targets]).heatmaps
    assert attributions.shape == X[:4].shape
    for coord in range(X.shape[3]):
        np.testing.assert_array_equal(attributions[..., coord], expected)


def test_quantus_model_returns_the_classifiers_logits(data, fitted):
    import torch

    X, _ = data
    clf, _ = fitted
    model = quantus_model(clf)
    logits = model(torch.Tensor(X)).numpy()

    assert not model.training
    np.testing.assert_array_equal(clf.classes_[logits.argmax(axis=1)], clf.predict(X))


def test_quantus_explain_func_refuses_another_model_and_labels(data, fitted):
    X, _ = data
    clf, explainer = fitted
    explain_func = quantus_explain_func(explainer)
    other = CNNClassifier(**{**TINY_CNN, "random_state": 1}).fit(*data)
    with pytest.raises(ValueError, match="not the network of the explainer's classifier"):
        explain_func(model=quantus_model(other), inputs=X[:2], targets=np.array([0, 1]))
    with pytest.raises(ValueError, match="targets must be class indices"):
        explain_func(model=clf.net_.module_, inputs=X[:2], targets=np.array(["up", "down"]))
    with pytest.raises(TypeError, match="fitted GradCAMExplainer"):
        quantus_explain_func(clf)


def test_a_quantus_metric_scores_the_explainer(data, fitted):
    quantus = pytest.importorskip("quantus")
    X, _ = data
    clf, explainer = fitted
    y_codes = np.searchsorted(clf.classes_, clf.predict(X))
    metric = quantus.FaithfulnessCorrelation(
        nr_runs=5,
        subset_size=8,
        perturb_baseline="black",
        return_aggregate=False,
        disable_warnings=True,
    )

    scores = metric(
        model=quantus_model(clf),
        x_batch=X,
        y_batch=y_codes,
        explain_func=quantus_explain_func(explainer),
        channel_first=True,
        device="cpu",
    )

    assert len(scores) == len(X)
    assert np.all(np.abs(scores) <= 1)  # one Pearson correlation per recording


def test_quantus_explain_func_covers_frames_that_are_zero_in_every_recording(data, fitted):
    # Quantus's "black" baseline zeroes cells; where it zeroes the last frames of the whole
    # batch, those frames are padding to the explainer, and the attributions still need them.
    X, _ = data
    clf, explainer = fitted
    inputs = X[:3].copy()
    inputs[:, -4:] = 0.0

    attributions = quantus_explain_func(explainer)(inputs=inputs, targets=np.array([0, 1, 0]))

    assert attributions.shape == inputs.shape
    assert not attributions[:, -4:].any()
    expected = explainer.explain(inputs, target=clf.classes_[[0, 1, 0]]).heatmaps
    np.testing.assert_array_equal(attributions[:, :-4, :, 0], expected)


def test_quantus_explain_func_names_targets_when_there_are_none(data, fitted):
    X, _ = data
    _, explainer = fitted
    with pytest.raises(ValueError, match="targets must be class indices"):
        quantus_explain_func(explainer)(inputs=X[:2], targets=np.array([], dtype=int))
