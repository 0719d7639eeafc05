"""Explaining from several threads at once, and hostile arguments to explanations.

Concurrent explanations of one fitted network give exactly the maps of one-at-a-time calls;
every public argument of the explain module gives a result or a ValueError/TypeError that
names it -- never a ZeroDivisionError, OverflowError, IndexError or AttributeError.
"""

import copy
import math
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier
from skgesture.datasets import make_gestures
from skgesture.explain import (
    METHODS,
    GradCAMExplainer,
    deletion_curve,
    pointing_game,
    randomization_check,
    relevance_mass,
)

TINY = {"max_epochs": 2, "lr": 0.01, "random_state": 0, "n_threads": 1}
N_CALLS = 30


@pytest.fixture(scope="module")
def gestures():
    return make_gestures(
        N_CALLS, n_joints=6, min_frames=10, max_frames=14, random_state=0, return_relevance=True
    )


@pytest.fixture(scope="module")
def cnn(gestures):
    return CNNClassifier(n_filters=4, n_blocks=1, **TINY).fit(gestures.data, gestures.target)


@pytest.fixture(scope="module")
def lstm(gestures):
    return LSTMClassifier(hidden_size=8, **TINY).fit(gestures.data, gestures.target)


@pytest.fixture(scope="module")
def fc(gestures):
    return FCClassifier(hidden_sizes=(8,), **TINY).fit(gestures.data, gestures.target)


@pytest.fixture(scope="module")
def explanation(cnn, gestures):
    return GradCAMExplainer(cnn, top_k=3).fit().explain(gestures.data[:3])


def explain_each(explainer, recordings, n_threads=None):
    """One explain call per recording, one after the other or from a pool of threads."""
    calls = [[recording] for recording in recordings]
    if n_threads is None:
        return [explainer.explain(call) for call in calls]
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        return list(pool.map(explainer.explain, calls))


def assert_same_maps(explanations, expected):
    for got, want in zip(explanations, expected, strict=True):
        np.testing.assert_allclose(got.heatmaps, want.heatmaps, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(got.predicted, want.predicted)


# ------------------------------------------------------------------------------ threads
@pytest.mark.parametrize("method", METHODS)
def test_concurrent_explanations_match_sequential_ones(cnn, gestures, method):
    recordings = [recording.copy() for recording in gestures.data]
    explainer = GradCAMExplainer(cnn, method=method).fit(gestures.data)
    cnn.net_.module_.train()  # as fit leaves it: explaining must switch to evaluation and back
    sequential = explain_each(explainer, gestures.data)

    for n_threads in (4, 8, 8):
        assert_same_maps(explain_each(explainer, gestures.data, n_threads), sequential)
    assert cnn.net_.module_.training
    assert all(not layer._forward_hooks for layer in cnn.net_.module_.modules())
    for recording, original in zip(gestures.data, recordings, strict=True):
        np.testing.assert_array_equal(recording, original)


@pytest.mark.parametrize("network", ["lstm", "fc"])
def test_concurrent_gradient_x_input_matches_sequential_on_any_network(network, gestures, request):
    classifier = request.getfixturevalue(network)
    explainer = GradCAMExplainer(classifier, method="gradient_x_input").fit()
    classifier.net_.module_.train()  # dropout on: a call running in training mode would differ
    sequential = explain_each(explainer, gestures.data)

    for n_threads in (4, 8):
        assert_same_maps(explain_each(explainer, gestures.data, n_threads), sequential)
    assert classifier.net_.module_.training


def test_two_explainers_of_one_network_run_side_by_side(cnn, gestures):
    hirescam = GradCAMExplainer(cnn).fit()
    layercam = GradCAMExplainer(cnn, method="layercam", layer="joint_conv").fit()
    expected = {
        id(hirescam): explain_each(hirescam, gestures.data),
        id(layercam): explain_each(layercam, gestures.data),
    }
    calls = [(explainer, i) for i in range(N_CALLS) for explainer in (hirescam, layercam)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda call: call[0].explain([gestures.data[call[1]]]), calls))
    for (explainer, i), result in zip(calls, results, strict=True):
        assert_same_maps([result], [expected[id(explainer)][i]])


def test_explanations_stay_right_while_another_thread_predicts(cnn, gestures):
    explainer = GradCAMExplainer(cnn).fit()
    sequential = explain_each(explainer, gestures.data)
    probabilities = cnn.predict_proba(gestures.data)

    with ThreadPoolExecutor(max_workers=4) as pool:
        predictions = [pool.submit(cnn.predict_proba, gestures.data) for _ in range(6)]
        explanations = explain_each(explainer, gestures.data, n_threads=4)
    assert_same_maps(explanations, sequential)
    for future in predictions:
        np.testing.assert_allclose(future.result(), probabilities, rtol=1e-5)


def test_explainer_pickles_and_clones_after_concurrent_use(cnn, gestures):
    explainer = GradCAMExplainer(cnn, method="gradcam").fit()
    explain_each(explainer, gestures.data[:8], n_threads=4)

    restored = pickle.loads(pickle.dumps(explainer))
    assert_same_maps(
        explain_each(restored, gestures.data[:4]), explain_each(explainer, gestures.data[:4])
    )
    assert clone(explainer).get_params()["method"] == "gradcam"


def test_concurrent_randomization_checks_agree_with_one_at_a_time(cnn, gestures):
    explainer = GradCAMExplainer(cnn).fit()
    X = gestures.data[:4]
    expected = [randomization_check(explainer, X, seed=seed) for seed in range(4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda seed: randomization_check(explainer, X, seed=seed), range(4)))
    np.testing.assert_allclose(got, expected, rtol=1e-6)


# --------------------------------------------------------------------------- animation
@pytest.mark.parametrize("fps", [0, -1, -0.5, math.nan, math.inf, -math.inf])
def test_animation_refuses_fps_that_is_not_a_positive_finite_number(explanation, tmp_path, fps):
    with pytest.raises(ValueError, match=f"fps must be a positive finite number; got {fps}"):
        explanation.animate(0, tmp_path / "explanation.gif", fps=fps)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("fps", ["10", True, None, [10]])
def test_animation_refuses_fps_that_is_not_a_number(explanation, tmp_path, fps):
    with pytest.raises(TypeError, match="fps must be a positive finite number"):
        explanation.animate(0, tmp_path / "explanation.gif", fps=fps)


def test_gif_refuses_frames_longer_than_the_format_holds(explanation, tmp_path):
    with pytest.raises(ValueError, match=r"fps=0.001 is too slow for a GIF"):
        explanation.animate(0, tmp_path / "explanation.gif", fps=0.001)


def test_gif_takes_a_fractional_frame_rate(explanation, pyplot, tmp_path):
    pytest.importorskip("PIL.Image")
    path = explanation.animate(0, tmp_path / "explanation.gif", fps=2.5)
    assert path.stat().st_size > 0


def test_animation_checks_the_path_before_drawing(explanation, tmp_path):
    with pytest.raises(TypeError, match="path must be a str or path-like object; got NoneType"):
        explanation.animate(0, None)
    with pytest.raises(FileNotFoundError, match="the folder .*missing.* does not exist"):
        explanation.animate(0, tmp_path / "missing" / "explanation.gif")
    assert not list(tmp_path.iterdir())


def test_skeleton_of_the_wrong_type_is_refused(explanation, tmp_path):
    with pytest.raises(TypeError, match="skeleton must be a Skeleton.*got int"):
        explanation.animate(0, tmp_path / "explanation.gif", skeleton=5)
    with pytest.raises(TypeError, match="skeleton must be a Skeleton.*got list"):
        explanation.plot_skeleton(0, frame=0, skeleton=[0, 1])


# ------------------------------------------------------------------- explanation indices
@pytest.mark.parametrize("i", [1.5, "0", None, True, math.nan])
def test_recording_index_must_be_an_integer(explanation, i, tmp_path):
    with pytest.raises(TypeError, match="i must be an integer"):
        explanation.heatmap(i)
    with pytest.raises(TypeError, match="i must be an integer"):
        explanation.plot_skeleton(i, frame=0)
    with pytest.raises(TypeError, match="i must be an integer"):
        explanation.animate(i, tmp_path / "explanation.gif")


def test_numpy_integers_index_recordings_and_frames(explanation, pyplot):
    np.testing.assert_array_equal(explanation.heatmap(np.int64(-1)), explanation.heatmap(2))
    assert explanation.plot_skeleton(np.int32(1), frame=np.int64(2)).collections
    assert [len(top) for top in explanation.top_joints(np.int8(2))] == list(explanation.lengths)


@pytest.mark.parametrize("frame", [1.5, True, None, "2"])
def test_frame_must_be_an_integer(explanation, frame):
    with pytest.raises(TypeError, match="frame must be an integer"):
        explanation.plot_skeleton(0, frame=frame)


@pytest.mark.parametrize("k", [1.5, True, "2"])
def test_top_joints_k_must_be_an_integer(explanation, k):
    with pytest.raises(TypeError, match="k must be an integer"):
        explanation.top_joints(k)


def test_top_joints_by_default_stops_at_the_number_of_joints(cnn, gestures):
    explanation = GradCAMExplainer(cnn, top_k=10).fit().explain(gestures.data[:2])
    assert [top.shape for top in explanation.top_joints()] == [
        (length, 6) for length in explanation.lengths
    ]
    with pytest.raises(ValueError, match="k=10 must be between 1 and the number of joints, 6"):
        explanation.top_joints(10)


def test_axes_must_be_matplotlib_axes(explanation, pyplot):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None; got str"):
        explanation.plot(0, ax="left")
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None; got Figure"):
        explanation.plot_skeleton(0, frame=0, ax=pyplot.figure())


# ------------------------------------------------------------------------- faithfulness
@pytest.mark.parametrize(
    ("n_steps", "error", "message"),
    [
        (0, ValueError, "n_steps must be at least 1; got 0"),
        (-3, ValueError, "n_steps must be at least 1; got -3"),
        (1.5, TypeError, "n_steps must be an integer"),
        (None, TypeError, "n_steps must be an integer"),
    ],
)
def test_deletion_curve_refuses_bad_step_counts(cnn, gestures, n_steps, error, message):
    explainer = GradCAMExplainer(cnn).fit()
    with pytest.raises(error, match=message):
        deletion_curve(explainer, gestures.data[:3], n_steps=n_steps)


def test_deletion_curve_takes_many_steps_as_one_per_joint(cnn, gestures):
    curve = deletion_curve(GradCAMExplainer(cnn).fit(), gestures.data[:3], n_steps=10**30)
    np.testing.assert_allclose(curve.fraction, np.arange(7) / 6)


def test_deletion_curve_refuses_a_foreign_explanation(cnn, gestures, explanation):
    explainer = GradCAMExplainer(cnn).fit()
    with pytest.raises(ValueError, match="explanation explains 3 recordings of 6 joints but X"):
        deletion_curve(explainer, gestures.data[:2], explanation=explanation)
    with pytest.raises(TypeError, match="explanation must be an Explanation.*got dict"):
        deletion_curve(explainer, gestures.data[:3], explanation={"heatmaps": None})

    relabelled = copy.copy(explanation)
    relabelled.target = np.array(["Bi", "Tri", "Tri"])
    with pytest.raises(ValueError, match=r"explains classes \['Tri'\] that are not classes"):
        deletion_curve(explainer, gestures.data[:3], explanation=relabelled)


def test_faithfulness_measures_need_a_fitted_explainer(cnn, gestures, explanation):
    with pytest.raises(TypeError, match="explainer must be a GradCAMExplainer; got CNNClassifier"):
        deletion_curve(cnn, gestures.data[:3])
    with pytest.raises(TypeError, match="explainer must be a GradCAMExplainer; got CNNClassifier"):
        randomization_check(cnn, gestures.data[:3])
    with pytest.raises(NotFittedError, match="GradCAMExplainer instance is not fitted"):
        deletion_curve(GradCAMExplainer(cnn), gestures.data[:3], explanation=explanation)


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (-1, ValueError, r"seed must be between 0 and 2\*\*64 - 1; got -1"),
        (2**64, ValueError, r"seed must be between 0 and 2\*\*64 - 1"),
        (1.5, TypeError, "seed must be an integer"),
        ("0", TypeError, "seed must be an integer"),
    ],
)
def test_randomization_check_refuses_bad_seeds(cnn, gestures, seed, error, message):
    with pytest.raises(error, match=message):
        randomization_check(GradCAMExplainer(cnn).fit(), gestures.data[:2], seed=seed)


def test_relevance_must_be_masks_for_an_explanation(explanation, gestures):
    with pytest.raises(TypeError, match="relevance must be a list of boolean masks.*NoneType"):
        pointing_game(explanation, None)
    with pytest.raises(TypeError, match="relevance must be a list of boolean masks.*int"):
        relevance_mass(explanation, 5)
    with pytest.raises(TypeError, match="explanation must be an Explanation.*got str"):
        pointing_game("explanation", gestures.relevance[:3])
    with pytest.raises(ValueError, match=r"relevance\[0\] is not an array of booleans"):
        relevance_mass(explanation, [[[True, False], [True]]] * 3)


def test_relevance_may_come_from_any_iterable(explanation, gestures):
    masks = gestures.relevance[:3]
    assert relevance_mass(explanation, (mask for mask in masks)) == relevance_mass(
        explanation, masks
    )
