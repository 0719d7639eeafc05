"""GradCAMExplainer: heatmaps of joints x frames that point at what really drove a decision."""

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch
from _tiny import SMALL_CNN, mono_bi_gestures, registered_classifiers, small_cnn_of, tiny
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from skgesture import CNNClassifier
from skgesture.explain import (
    METHODS,
    GradCAMExplainer,
    deletion_curve,
    pointing_game,
    randomization_check,
    relevance_mass,
)
from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointSelector,
    SkeletonPadder,
)
from skgesture.skeleton import NATOPS_SKELETON


@pytest.fixture(scope="module")
def gestures():
    return mono_bi_gestures()


@pytest.fixture(scope="module")
def cnn(gestures):
    train, _ = gestures
    return small_cnn_of(train)


@pytest.fixture(scope="module")
def random_data():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n_frames, 5, 3)) for n_frames in (12, 9, 12, 10, 11, 12)]
    y = np.array(["a", "b"] * 3)
    return X, y


# --------------------------------------------------------------------------- explanations
def test_heatmaps_cover_each_recording_in_unit_range(cnn, gestures):
    _, test = gestures
    explanation = GradCAMExplainer(cnn, skeleton=test.skeleton).fit().explain(test.data)

    lengths = [len(recording) for recording in test.data]
    assert explanation.heatmaps.shape == (24, max(lengths), 10)
    assert explanation.lengths.tolist() == lengths
    assert explanation.heatmaps.min() >= 0
    for i, length in enumerate(lengths):
        assert explanation.heatmap(i).shape == (length, 10)
        assert explanation.heatmap(i).max() == pytest.approx(1.0)
        assert not explanation.heatmaps[i, length:].any()
    assert explanation.joint_importance.shape == (24, 10)
    np.testing.assert_array_equal(explanation.predicted, cnn.predict(test.data))
    np.testing.assert_array_equal(explanation.target, explanation.predicted)
    assert explanation.joint_names == list(test.joint_names)


def test_top_joints_are_the_hottest_of_each_frame(cnn, gestures):
    _, test = gestures
    explanation = GradCAMExplainer(cnn, top_k=3).fit().explain(test.data[:4])

    top = explanation.top_joints()
    assert [t.shape for t in top] == [(len(r), 3) for r in test.data[:4]]
    heatmap = explanation.heatmap(2)
    frame = int(heatmap.max(axis=1).argmax())
    assert top[2][frame, 0] == heatmap[frame].argmax()
    assert heatmap[frame, top[2][frame, 0]] >= heatmap[frame, top[2][frame, 2]]
    assert explanation.top_joints(1)[0].shape == (len(test.data[0]), 1)
    with pytest.raises(ValueError, match="k=11 must be between 1"):
        explanation.top_joints(11)


def test_points_at_the_moving_arm_far_more_often_than_chance(cnn, gestures):
    _, test = gestures
    bi = np.flatnonzero(test.target == "Bi")
    explanation = GradCAMExplainer(cnn).fit().explain([test.data[i] for i in bi])
    relevance = [test.relevance[i] for i in bi]

    chance = np.mean([mask.any(axis=0).mean() for mask in relevance])
    assert chance < 0.6
    assert pointing_game(explanation, relevance) >= 0.9
    assert relevance_mass(explanation, relevance) > 2 * np.mean([m.mean() for m in relevance])


def planted_bursts(n_samples, seed):
    """Random-walk recordings of 12 joints; each class makes one known joint oscillate."""
    rng = np.random.default_rng(seed)
    signature_joints = {"a": 2, "b": 5, "c": 9}
    X, y, relevance = [], [], []
    for i in range(n_samples):
        label = "abc"[i % 3]
        n_frames = int(rng.integers(24, 36))
        recording = np.cumsum(rng.normal(scale=0.2, size=(n_frames, 12, 3)), axis=0)
        start = int(rng.integers(0, n_frames - 12))
        mask = np.zeros((n_frames, 12), dtype=bool)
        mask[start : start + 12, signature_joints[label]] = True
        burst = 2.5 * np.sin(np.linspace(0, 4 * np.pi, 12))
        recording[start : start + 12, signature_joints[label], 1] += burst
        X.append(recording)
        y.append(label)
        relevance.append(mask)
    return X, np.array(y), relevance


@pytest.mark.parametrize("architecture", ["joint", "hybrid"])
def test_points_at_planted_joints_on_data_it_never_saw(architecture):
    # Data unrelated to make_gestures: three classes, each told by a burst on its own joint.
    X, y, _ = planted_bursts(90, seed=0)
    X_test, y_test, relevance = planted_bursts(30, seed=1)
    clf = CNNClassifier(architecture=architecture, max_epochs=25, **SMALL_CNN).fit(X, y)
    assert clf.score(X_test, y_test) > 0.9
    chance = np.mean([mask.any(axis=0).mean() for mask in relevance])  # 1 joint of 12
    for reference in (X, None):
        explanation = GradCAMExplainer(clf).fit(reference).explain(X_test)
        assert pointing_game(explanation, relevance) >= 0.9 > 5 * chance
        assert relevance_mass(explanation, relevance) > 5 * np.mean([m.mean() for m in relevance])


def test_target_explains_the_class_asked_for(cnn, gestures):
    _, test = gestures
    explainer = GradCAMExplainer(cnn).fit()
    X = test.data[:4]

    as_bi = explainer.explain(X, target="Bi")
    per_recording = explainer.explain(X, target=["Bi", "Mono", "Bi", "Mono"])
    assert as_bi.target.tolist() == ["Bi"] * 4
    assert per_recording.target.tolist() == ["Bi", "Mono", "Bi", "Mono"]
    np.testing.assert_allclose(per_recording.heatmaps[0], as_bi.heatmaps[0])
    assert not np.allclose(per_recording.heatmaps[1], as_bi.heatmaps[1])
    np.testing.assert_array_equal(as_bi.predicted, cnn.predict(X))


def test_batches_give_the_same_maps_as_one_pass(cnn, gestures):
    _, test = gestures
    whole = GradCAMExplainer(cnn, batch_size=64).fit().explain(test.data)
    batched = GradCAMExplainer(cnn, batch_size=5).fit().explain(test.data)
    np.testing.assert_allclose(whole.heatmaps, batched.heatmaps, atol=1e-5)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_gives_a_frames_by_joints_map(cnn, gestures, method):
    _, test = gestures
    explanation = GradCAMExplainer(cnn, method=method).fit().explain(test.data[:3])
    assert explanation.heatmaps.shape == (3, max(map(len, test.data[:3])), 10)
    assert explanation.method == method
    assert all(explanation.heatmap(i).max() == pytest.approx(1.0) for i in range(3))


@pytest.mark.parametrize("method", METHODS)
def test_contrast_maps_ignore_what_every_class_shares(cnn, gestures, method):
    # Adding one vector to every class's head weights changes no probability, so it must not
    # change what explains the decision; it does move the bare logit's maps.
    _, test = gestures
    shifted = copy.deepcopy(cnn)
    head = shifted.net_.module_.head
    with torch.no_grad():
        head.weight += torch.randn(head.weight.shape[1], generator=torch.Generator().manual_seed(0))
    X = test.data[:6]
    np.testing.assert_allclose(shifted.predict_proba(X), cnn.predict_proba(X), atol=1e-5)

    def maps(model, class_score):
        explainer = GradCAMExplainer(model, method=method, class_score=class_score).fit()
        return explainer.explain(X).heatmaps

    np.testing.assert_allclose(maps(shifted, "contrast"), maps(cnn, "contrast"), atol=1e-4)
    assert not np.allclose(maps(shifted, "logit"), maps(cnn, "logit"), atol=1e-2)


def test_two_class_contrast_maps_are_each_others_negative_parts(cnn, gestures):
    # With two classes, "contrast" differentiates z_t - z_other: the map for one class is the
    # positive part of minus the other's, so no cell is hot in both.
    _, test = gestures
    explainer = GradCAMExplainer(cnn, method="gradcam_per_joint").fit()
    as_bi = explainer.explain(test.data[:4], target="Bi").heatmaps
    as_mono = explainer.explain(test.data[:4], target="Mono").heatmaps
    assert as_bi.max() > 0 and as_mono.max() > 0
    assert not np.any((as_bi > 1e-6) & (as_mono > 1e-6))


def test_reference_recordings_reveal_the_arm_that_stays_still(cnn, gestures):
    # "Mono" differs from "Bi" by a left arm that does *not* rise: against a zero reference
    # the still arm carries no activation to point at; against the training recordings (in
    # which it often rises) it is the evidence.
    train, test = gestures
    mono = np.flatnonzero(test.target == "Mono")
    X, relevance = [test.data[i] for i in mono], [test.relevance[i] for i in mono]
    chance = np.mean([mask.any(axis=0).mean() for mask in relevance])

    referenced = GradCAMExplainer(cnn).fit(train.data)
    assert referenced.reference_.shape == (8, 10)  # channels x joints of last_conv
    unreferenced = GradCAMExplainer(cnn).fit()
    assert unreferenced.reference_ is None
    assert chance < 0.5
    with_reference = pointing_game(referenced.explain(X), relevance)
    assert with_reference >= 0.9
    assert with_reference >= pointing_game(unreferenced.explain(X), relevance)


def test_reference_is_the_mean_activation_of_the_reference_recordings(cnn, gestures):
    train, _ = gestures
    whole = GradCAMExplainer(cnn, batch_size=64).fit(train.data).reference_
    np.testing.assert_allclose(
        GradCAMExplainer(cnn, batch_size=5).fit(train.data).reference_, whole, rtol=1e-5
    )
    doubled = GradCAMExplainer(cnn).fit(train.data + train.data).reference_
    np.testing.assert_allclose(doubled, whole, rtol=1e-5)
    one = GradCAMExplainer(cnn).fit(train.data[:1]).reference_
    assert not np.allclose(one, whole)
    on_input = GradCAMExplainer(cnn, method="gradient_x_input").fit(train.data).reference_
    # Channels (coordinates x input streams) x joints of the standardised input.
    assert on_input.shape == (3 * len(cnn.streams_), 10)
    np.testing.assert_allclose(on_input, 0, atol=1e-4)  # standardised on these recordings


def test_reference_recordings_go_through_the_pipeline(random_data):
    X, y = random_data
    pipeline = make_pipeline(
        JointSelector([0, 2, 4]), SkeletonPadder(), CNNClassifier(max_epochs=2, **SMALL_CNN)
    ).fit(X, y)
    explainer = GradCAMExplainer(pipeline).fit(X)
    assert explainer.reference_.shape == (8, 3)
    explanation = explainer.explain(X[:2])
    assert explanation.heatmaps.shape == (2, 12, 5)
    assert not explanation.heatmaps[:, :, [1, 3]].any()
    assert -1 <= randomization_check(explainer, X[:3], X_reference=X) <= 1
    with pytest.raises(ValueError, match="X has 4 joints"):
        GradCAMExplainer(pipeline).fit([x[:, :4] for x in X])


def test_paper_gradcam_differs_from_hirescam(cnn, gestures):
    _, test = gestures
    paper = GradCAMExplainer(cnn, method="gradcam").fit().explain(test.data[:3])
    hires = GradCAMExplainer(cnn, method="hirescam").fit().explain(test.data[:3])
    assert not np.allclose(paper.heatmaps, hires.heatmaps)


def test_explaining_leaves_the_model_untouched(cnn, gestures):
    _, test = gestures
    module = cnn.net_.module_
    weights = {name: value.clone() for name, value in module.state_dict().items()}
    before = cnn.predict_proba(test.data)
    module.zero_grad(set_to_none=True)  # training left the last step's gradients
    module.train()
    try:
        GradCAMExplainer(cnn).fit().explain(test.data[:5])
        assert module.training
    finally:
        module.eval()
    GradCAMExplainer(cnn, method="gradient_x_input").fit().explain(test.data[:5])

    assert not module.training
    assert all(parameter.grad is None for parameter in module.parameters())
    assert all(not layer._forward_hooks for layer in module.modules())
    for name, value in module.state_dict().items():
        torch.testing.assert_close(value, weights[name])
    np.testing.assert_allclose(cnn.predict_proba(test.data), before)


def test_hooks_are_removed_when_the_network_fails(cnn, gestures):
    _, test = gestures
    module = cnn.net_.module_

    def fail(layer, inputs):
        raise RuntimeError("head exploded")

    handle = module.head.register_forward_pre_hook(fail)
    try:
        with pytest.raises(RuntimeError, match="head exploded"):
            GradCAMExplainer(cnn).fit().explain(test.data[:2])
    finally:
        handle.remove()
    assert all(not layer._forward_hooks for layer in module.modules())
    assert not module.training


def test_named_layer_is_explained(cnn, gestures):
    _, test = gestures
    explainer = GradCAMExplainer(cnn, layer="joint_conv").fit()
    assert explainer.layer_ == "joint_conv"
    assert GradCAMExplainer(cnn).fit().layer_ == "last_conv"
    explanation = explainer.explain(test.data[:2])
    assert explanation.heatmaps.shape[2] == 10


# ------------------------------------------------------------------ other architectures
def test_image_cnn_pools_each_joints_coordinates(random_data):
    X, y = random_data
    clf = CNNClassifier(architecture="image", max_epochs=2, **SMALL_CNN).fit(X, y)
    explanation = GradCAMExplainer(clf, method="gradcam").fit().explain(X)
    assert explanation.heatmaps.shape == (6, 12, 5)


def test_temporal_cnn_needs_gradient_x_input(random_data):
    X, y = random_data
    clf = CNNClassifier(architecture="temporal", max_epochs=2, **SMALL_CNN).fit(X, y)
    with pytest.raises(ValueError, match="no axis of 5 joints.*gradient_x_input"):
        GradCAMExplainer(clf).fit()
    explanation = GradCAMExplainer(clf, method="gradient_x_input").fit().explain(X)
    assert explanation.heatmaps.shape == (6, 12, 5)
    assert explanation.heatmaps.std(axis=2).max() > 0  # joints differ: not a broadcast map


@pytest.mark.parametrize("cls", registered_classifiers().values(), ids=lambda cls: cls.__name__)
def test_every_classifier_is_explained_by_gradient_x_input(cls, random_data):
    """gradient_x_input needs no convolution; the default (Grad-CAM on last_conv) explains the
    networks that have one and refuses the others (LSTM, FC) naming the alternative."""
    X, y = random_data
    clf = tiny(cls).fit(X, y)
    clf.net_.module_.zero_grad(set_to_none=True)
    if hasattr(clf.net_.module_, "last_conv"):
        assert GradCAMExplainer(clf).fit().explain(X).heatmaps.shape == (6, 12, 5)
    else:
        with pytest.raises(ValueError, match="no convolution named 'last_conv'.*gradient_x_input"):
            GradCAMExplainer(clf).fit()
    explanation = GradCAMExplainer(clf, method="gradient_x_input").fit().explain(X)
    assert explanation.heatmaps.shape == (6, 12, 5)
    assert explanation.lengths.tolist() == [12, 9, 12, 10, 11, 12]
    assert all(parameter.grad is None for parameter in clf.net_.module_.parameters())


# ---------------------------------------------------------------------------- pipelines
def test_pipeline_maps_back_to_the_original_joints_and_frames(random_data):
    X, y = random_data
    model = make_pipeline(
        JointSelector(joints=[0, 2, 4]), SkeletonPadder(max_frames=10), CNNClassifier(**SMALL_CNN)
    )
    model.set_params(cnnclassifier__max_epochs=2)
    with pytest.warns(UserWarning, match="cropped"):
        model.fit(X, y)
    with pytest.warns(UserWarning, match="cropped"):
        explanation = GradCAMExplainer(model).fit().explain(X)
        predicted = model.predict(X)

    assert explanation.heatmaps.shape == (6, 12, 5)
    assert explanation.lengths.tolist() == [12, 9, 12, 10, 11, 12]
    assert not explanation.heatmaps[:, :, [1, 3]].any()  # dropped joints explain nothing
    assert explanation.heatmaps[:, :, [0, 2, 4]].any()
    assert not explanation.heatmaps[0, 10:].any()  # cropped frames explain nothing
    np.testing.assert_array_equal(explanation.predicted, predicted)


def test_pipeline_that_resamples_time_maps_back_by_position(random_data):
    X, y = random_data
    model = Pipeline(
        [
            ("resample", FrameRateResampler(source_rate=50, target_rate=25)),
            ("cnn", CNNClassifier(max_epochs=2, **SMALL_CNN)),
        ]
    ).fit(X, y)
    explanation = GradCAMExplainer(model).fit().explain(X)
    assert explanation.heatmaps.shape == (6, 12, 5)
    assert all(explanation.heatmap(i).any(axis=1).sum() > 6 for i in range(6))


# -------------------------------------------------------------------------- bad inputs
def test_unfitted_or_unexplainable_estimators_are_refused(random_data):
    X, y = random_data
    with pytest.raises(ValueError, match="CNNClassifier instance is not fitted"):
        GradCAMExplainer(CNNClassifier()).fit()
    tabular = make_pipeline(SkeletonPadder(), Flattener(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="no trained torch network"):
        GradCAMExplainer(tabular).fit()
    with pytest.raises(ValueError, match="method"):
        GradCAMExplainer(CNNClassifier(), method="saliency").fit()
    with pytest.raises(ValueError, match="class_score"):
        GradCAMExplainer(CNNClassifier(), class_score="probability").fit()


def test_bad_layer_target_and_skeleton_are_refused(cnn, gestures):
    _, test = gestures
    with pytest.raises(ValueError, match="layer='blocks.7' is not a submodule"):
        GradCAMExplainer(cnn, layer="blocks.7").fit()
    with pytest.raises(ValueError, match="layer 'head' outputs feature maps of shape"):
        GradCAMExplainer(cnn, layer="head").fit()
    with pytest.raises(ValueError, match="skeleton='natops' has 8 joints but the recordings"):
        GradCAMExplainer(cnn, skeleton=NATOPS_SKELETON).fit()

    explainer = GradCAMExplainer(cnn).fit()
    with pytest.raises(ValueError, match=r"target holds labels \['Tri'\] that are not classes"):
        explainer.explain(test.data[:2], target="Tri")
    with pytest.raises(ValueError, match="target gives 3 labels for 2 recordings"):
        explainer.explain(test.data[:2], target=["Bi", "Mono", "Bi"])
    with pytest.raises(ValueError, match="X has 8 joints x 3 coordinates"):
        explainer.explain(np.ones((2, 5, 8, 3)))


# ----------------------------------------------------------------------- faithfulness
def test_deleting_the_top_joints_hurts_more_than_random_ones(cnn, gestures):
    _, test = gestures
    explainer = GradCAMExplainer(cnn).fit()
    explanation = explainer.explain(test.data)
    top_first = deletion_curve(explainer, test.data, explanation=explanation, n_steps=5)
    randoms = [
        deletion_curve(
            explainer, test.data, explanation=explanation, order="random", n_steps=5, seed=seed
        )
        for seed in range(2)
    ]
    assert top_first.fraction[0] == 0 and top_first.fraction[-1] == 1
    assert top_first.probability[0] > top_first.probability[-1]
    assert top_first.area < np.mean([curve.area for curve in randoms]) - 0.05
    with pytest.raises(ValueError, match="order must be"):
        deletion_curve(explainer, test.data, order="backwards")


def test_maps_change_when_the_weights_are_random(cnn, gestures):
    _, test = gestures
    explainer = GradCAMExplainer(cnn).fit()
    assert randomization_check(explainer, test.data[:8]) < 0.5
    weights = cnn.net_.module_.head.weight
    assert not torch.equal(weights, torch.zeros_like(weights))


def test_relevance_must_match_the_explained_recordings(cnn, gestures):
    _, test = gestures
    explanation = GradCAMExplainer(cnn).fit().explain(test.data[:2])
    with pytest.raises(ValueError, match="relevance has 3 masks"):
        pointing_game(explanation, test.relevance[:3])
    with pytest.raises(ValueError, match=r"relevance\[1\] has shape"):
        relevance_mass(explanation, [test.relevance[0], test.relevance[0][:3]])


# ---------------------------------------------------------------------------- pictures
def test_heatmap_plot_names_the_joints(cnn, gestures, pyplot):
    _, test = gestures
    explanation = GradCAMExplainer(cnn, skeleton=test.skeleton).fit().explain(test.data[:2])
    ax = explanation.plot(1)
    assert [label.get_text() for label in ax.get_yticklabels()] == list(test.joint_names)
    assert ax.images[0].get_array().shape == (10, len(test.data[1]))
    with pytest.raises(ValueError, match="i=5 is not the index"):
        explanation.plot(5)


def test_skeleton_still_shows_top_joints_in_green(cnn, gestures, pyplot):
    _, test = gestures
    explanation = GradCAMExplainer(cnn, skeleton=test.skeleton, top_k=4).fit().explain(test.data)
    ax = explanation.plot_skeleton(0, frame=3)
    others, top = ax.collections
    assert len(top.get_offsets()) == 4 and len(others.get_offsets()) == 6
    assert len(ax.lines) == len(test.skeleton.bones)
    with pytest.raises(ValueError, match="frame=99 is outside recording 0"):
        explanation.plot_skeleton(0, frame=99)


def test_animation_is_saved_as_a_gif(cnn, gestures, pyplot, tmp_path):
    image = pytest.importorskip("PIL.Image")
    _, test = gestures
    explanation = GradCAMExplainer(cnn).fit().explain(test.data[:1])
    path = explanation.animate(0, tmp_path / "explanation.gif", skeleton=test.skeleton, fps=20)
    with image.open(path) as gif:
        assert gif.n_frames == len(test.data[0])
    assert [p.name for p in tmp_path.iterdir()] == ["explanation.gif"]
    with pytest.raises(ValueError, match="must end in .gif or .mp4"):
        explanation.animate(0, tmp_path / "explanation.avi")


def test_mp4_without_ffmpeg_is_refused_clearly(cnn, gestures, pyplot, tmp_path, monkeypatch):
    from matplotlib import animation

    _, test = gestures
    explanation = GradCAMExplainer(cnn, skeleton=test.skeleton).fit().explain(test.data[:1])
    monkeypatch.setattr(animation.FFMpegWriter, "isAvailable", classmethod(lambda cls: False))
    with pytest.raises(ValueError, match="needs ffmpeg"):
        explanation.animate(0, tmp_path / "explanation.mp4")
    assert not list(tmp_path.iterdir())


def test_joints_are_named_by_the_skeleton_or_by_index(random_data, pyplot):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 10, 8, 3)), np.array(["a", "b"] * 3)
    clf = CNNClassifier(max_epochs=1, **SMALL_CNN).fit(X, y)

    unnamed = GradCAMExplainer(clf).fit().explain(X[:1])
    assert unnamed.joint_names == [f"joint {j}" for j in range(8)]
    assert not unnamed.plot_skeleton(0, frame=0).lines  # no skeleton: joints only, no bones
    natops = GradCAMExplainer(clf, skeleton="natops").fit().explain(X[:1])
    assert natops.joint_names == list(NATOPS_SKELETON.joint_names)
    assert len(natops.plot_skeleton(0, frame=0).lines) == len(NATOPS_SKELETON.bones)


def test_importing_the_explainer_loads_neither_torch_nor_matplotlib():
    code = (
        "import sys\n"
        "from skgesture import GradCAMExplainer\n"
        "import skgesture.explain\n"
        "print(sorted({'torch', 'matplotlib', 'PIL'} & {m.partition('.')[0] for m in sys.modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_heatmap_of_many_joints_names_every_few(pyplot):
    from skgesture.explain._explanation import Explanation
    from skgesture.skeleton import MOCAPLAB_SKELETON

    names = MOCAPLAB_SKELETON.joint_names
    heatmaps = np.random.default_rng(0).random((1, 30, len(names)))
    explanation = Explanation(
        heatmaps=heatmaps,
        lengths=[30],
        predicted=np.array(["Bi"]),
        target=np.array(["Bi"]),
        joint_names=names,
        recordings=None,
        skeleton=None,
        method="hirescam",
        top_k=10,
    )
    labels = [label.get_text() for label in explanation.plot(0).get_yticklabels()]
    assert labels == list(names[::2])  # 79 joints: every second one named, none overlap


def test_a_one_step_pipeline_and_every_named_skeleton_are_explained(random_data):
    X, y = random_data
    pipeline = Pipeline([("clf", CNNClassifier(max_epochs=2, **SMALL_CNN))]).fit(X, y)
    explanation = GradCAMExplainer(pipeline).fit(X).explain(X[:2])
    assert explanation.heatmaps.shape == (2, 12, 5)
    kinect = CNNClassifier(max_epochs=2, **SMALL_CNN).fit(
        [np.zeros((6, 20, 3)) + i for i in range(4)], [0, 1, 0, 1]
    )
    assert GradCAMExplainer(kinect, skeleton="kinect_v1").fit().skeleton_.n_joints == 20
