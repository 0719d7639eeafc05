"""2-D recordings (image keypoints, n_coords=2) go through the same estimators and pictures."""

import dataclasses
import json

import numpy as np
import pytest
from _tiny import SMALL_CNN
from sklearn.pipeline import make_pipeline

from skgesture import CNNClassifier, FCClassifier, GradCAMExplainer, LSTMClassifier
from skgesture.io import load_mocap_folder
from skgesture.preprocessing import SkeletonNormalizer, SkeletonPadder
from skgesture.skeleton import COCO_17_SKELETON

# A person standing in a 640 x 480 image, COCO-17 order, y pointing down.
STANDING = np.array(
    [
        [320, 100], [330, 90], [310, 90], [340, 95], [300, 95],
        [360, 150], [280, 150], [370, 210], [270, 210], [375, 265], [265, 265],
        [345, 270], [295, 270], [345, 350], [295, 350], [345, 430], [295, 430],
    ],
    dtype=float,
)  # fmt: skip
RIGHT_ARM = [6, 8, 10]  # right shoulder, elbow, wrist


def signer(wave, n_frames, rng):
    """One recording: a standing person who waves the right forearm, or keeps it still."""
    recording = np.repeat(STANDING[None], n_frames, axis=0)
    recording += rng.normal(scale=2.0, size=recording.shape)
    if wave:
        phase = np.sin(np.linspace(0, 4 * np.pi, n_frames))
        recording[:, 8, 1] -= 60 + 10 * phase  # elbow raised
        recording[:, 10, 1] -= 150 + 40 * phase  # wrist above the head, waving
        recording[:, 10, 0] += 30 * phase
    return recording


@pytest.fixture(scope="module")
def waves():
    rng = np.random.default_rng(0)
    y = np.array(["wave", "still"] * 16)
    X = [signer(label == "wave", int(rng.integers(20, 30)), rng) for label in y]
    return X, y


@pytest.fixture(scope="module")
def cnn(waves):
    X, y = waves
    return CNNClassifier(max_epochs=15, **SMALL_CNN).fit(X[:24], y[:24])


def test_cnn_learns_from_2d_keypoints(cnn, waves):
    X, y = waves
    assert cnn.n_features_in_ == 17 * 2
    assert cnn.score(X[24:], y[24:]) >= 0.75
    assert cnn.predict_proba(X[24:]).shape == (8, 2)


def test_a_folder_of_openpose_json_files_trains_a_classifier(tmp_path, waves):
    X, y = waves
    labels = {}
    for index, (recording, label) in enumerate(zip(X[:12], y[:12])):
        frames = [
            {"people": [{"pose_keypoints_2d": np.c_[frame, np.ones(17)].ravel().tolist()}]}
            for frame in recording
        ]
        (tmp_path / f"take_{index:02d}.json").write_text(json.dumps(frames))
        labels[f"take_{index:02d}"] = label
    dataset = load_mocap_folder(tmp_path, labels=labels, pattern="*.json")
    assert dataset.joint_names == list(COCO_17_SKELETON.joint_names)
    assert all(recording.shape[1:] == (17, 2) for recording in dataset.data)
    model = CNNClassifier(max_epochs=2, **SMALL_CNN).fit(dataset.data, dataset.target)
    assert set(model.predict(dataset.data)) <= {"wave", "still"}


def test_gradcam_explains_2d_recordings(cnn, waves):
    X, y = waves
    explanation = GradCAMExplainer(cnn, skeleton=COCO_17_SKELETON).fit().explain(X[24:])
    assert explanation.heatmaps.shape == (8, max(map(len, X[24:])), 17)
    assert explanation.joint_names == list(COCO_17_SKELETON.joint_names)
    waving = [i for i in range(8) if y[24 + i] == "wave" and explanation.predicted[i] == "wave"]
    assert waving
    # What tells a wave apart is the right arm: among the 3 most important joints.
    for i in waving:
        top = np.argsort(-explanation.joint_importance[i])[:3]
        assert set(top) & set(RIGHT_ARM)


def test_2d_skeleton_is_drawn_upright_in_image_coordinates(cnn, waves, pyplot):
    X, _ = waves
    explanation = GradCAMExplainer(cnn, skeleton="coco17", top_k=3).fit().explain(X[:1])
    ax = explanation.plot_skeleton(0, frame=5)
    assert len(ax.lines) == len(COCO_17_SKELETON.bones)
    # Image y points down: the axis is flipped so that the head is drawn above the feet.
    bottom, top = ax.get_ylim()
    assert bottom > top
    assert "frame 6/" in ax.get_title()


def test_2d_animation_is_saved(cnn, waves, pyplot, tmp_path):
    image = pytest.importorskip("PIL.Image")
    X, _ = waves
    short = X[0][:8]
    explanation = GradCAMExplainer(cnn, skeleton=COCO_17_SKELETON).fit().explain([short])
    path = explanation.animate(0, tmp_path / "wave.gif", fps=20)
    with image.open(path) as gif:
        assert gif.n_frames == 8


def test_a_skeleton_facing_along_x_still_draws_2d_recordings(cnn, waves, pyplot):
    X, _ = waves
    facing_x = dataclasses.replace(COCO_17_SKELETON, forward_axis=0)
    explanation = GradCAMExplainer(cnn, skeleton=facing_x).fit().explain(X[:1])
    ax = explanation.plot_skeleton(0, frame=0)
    assert len(ax.lines) == len(COCO_17_SKELETON.bones)


@pytest.mark.parametrize("classifier", [FCClassifier, LSTMClassifier])
def test_a_pipeline_normalises_and_classifies_2d_keypoints(waves, classifier):
    X, y = waves
    params = {"max_epochs": 2, "random_state": 0, "n_threads": 1}
    model = make_pipeline(
        SkeletonNormalizer(center="centroid", align=True, skeleton=COCO_17_SKELETON),
        SkeletonPadder(),
        classifier(**params),
    )
    model.fit(X, y)
    assert set(model.predict(X[:8])) <= {"wave", "still"}
