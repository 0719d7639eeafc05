"""Faithfulness with imputed removal (ROAD), stability, and explaining a dataset chunk by chunk."""

import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _tiny import mono_bi_gestures, small_cnn_of

from skgesture.explain import (
    GradCAMExplainer,
    explanation_stability,
    impute,
    imputed_deletion_curve,
    insertion_curve,
    random_map,
)


@pytest.fixture(scope="module")
def gestures():
    return mono_bi_gestures()


@pytest.fixture(scope="module")
def explainer(gestures):
    train, _ = gestures
    return GradCAMExplainer(small_cnn_of(train)).fit(train.data)


@pytest.fixture(scope="module")
def two_hand_signs(gestures):
    """The "Bi" test recordings and their true relevance (the left arm, mid-recording)."""
    _, test = gestures
    bi = np.flatnonzero(test.target == "Bi")
    return [test.data[i] for i in bi], [test.relevance[i] for i in bi]


# ----------------------------------------------------------------------------- imputation
def test_linear_imputation_interpolates_in_time_and_holds_the_ends():
    # 6 frames of 3 joints with 1 coordinate: joint 0 moves 0, 10, ..., 50; joint 1 0, -1, ...
    recording = np.stack([np.arange(6) * 10.0, -np.arange(6.0), np.arange(6.0) + 100], axis=1)
    recording = recording[:, :, None]
    removed = np.zeros((6, 3), dtype=bool)
    removed[[0, 2, 3, 5], 0] = True  # joint 0 keeps frames 1 and 4
    removed[[1, 2, 3], 1] = True  # joint 1 keeps frames 0, 4 and 5
    removed[:, 2] = True  # joint 2 keeps nothing: frozen at its mean position

    filled = impute(recording, removed, noise=0)[:, :, 0]

    np.testing.assert_allclose(filled[:, 0], [10, 10, 20, 30, 40, 40])
    np.testing.assert_allclose(filled[:, 1], [0, -1, -2, -3, -4, -5])
    np.testing.assert_allclose(filled[:, 2], [102.5] * 6)


def test_mean_and_zero_imputation_fill_only_the_removed_cells():
    recording = np.arange(24.0).reshape(4, 3, 2)
    removed = np.zeros((4, 3), dtype=bool)
    removed[1:3, 1] = True

    by_mean = impute(recording, removed, imputation="mean", noise=0)
    by_zero = impute(recording, removed, imputation="zero", noise=0)

    np.testing.assert_array_equal(by_mean[1:3, 1], [[11.0, 12.0], [11.0, 12.0]])
    np.testing.assert_array_equal(by_zero[1:3, 1], 0.0)
    for filled in (by_mean, by_zero):
        np.testing.assert_array_equal(filled[~removed], recording[~removed])
    np.testing.assert_array_equal(recording, np.arange(24.0).reshape(4, 3, 2))  # not modified


def test_noise_is_sized_by_the_recordings_spread_and_seeded():
    rng = np.random.default_rng(0)
    recording = 50 * rng.normal(size=(200, 20, 3))  # spread about 50 * sqrt(3)
    removed = rng.random((200, 20)) < 0.5

    exact = impute(recording, removed, noise=0)
    noisy = impute(recording, removed, noise=0.02, rng=1)

    spread = np.sqrt(np.mean(np.sum((recording - recording.mean(axis=(0, 1))) ** 2, axis=-1)))
    assert np.std(noisy[removed] - exact[removed]) == pytest.approx(0.02 * spread, rel=0.05)
    np.testing.assert_array_equal(noisy[~removed], recording[~removed])
    np.testing.assert_array_equal(noisy, impute(recording, removed, noise=0.02, rng=1))


# -------------------------------------------------------------------------- ROAD curves
def test_removing_truly_relevant_cells_first_drops_the_class_fastest(explainer, two_hand_signs):
    X, truth = two_hand_signs

    most = imputed_deletion_curve(explainer, X, explanation=truth, order="most", n_steps=5)
    least = imputed_deletion_curve(explainer, X, explanation=truth, order="least", n_steps=5)
    random = imputed_deletion_curve(explainer, X, explanation=truth, order="random", n_steps=5)

    assert most.area < random.area - 0.3
    assert least.area > random.area
    np.testing.assert_allclose(most.fraction, [0, 0.2, 0.4, 0.6, 0.8, 1])
    assert most.per_recording.shape == (len(X), 6)
    assert most.areas.mean() == pytest.approx(most.area)


def test_inserting_truly_relevant_cells_first_restores_the_class_fastest(explainer, two_hand_signs):
    X, truth = two_hand_signs

    most = insertion_curve(explainer, X, explanation=truth, order="most", n_steps=5)
    random = insertion_curve(explainer, X, explanation=truth, order="random", n_steps=5)

    assert most.probability[1] > random.probability[1] + 0.1
    assert most.area > random.area
    assert (most.kind, most.order, most.imputation) == ("insertion", "most", "linear")


def test_the_explainers_map_beats_the_random_map_of_itself(explainer, two_hand_signs):
    X, _ = two_hand_signs
    explanation = explainer.explain(X)

    found = imputed_deletion_curve(explainer, X, explanation=explanation, n_steps=5)
    shuffled = imputed_deletion_curve(
        explainer, X, explanation=random_map(explanation, random_state=0), n_steps=5
    )

    assert found.area < shuffled.area - 0.2


def test_deletion_and_insertion_meet_at_the_fully_imputed_recording(explainer, two_hand_signs):
    X, _ = two_hand_signs
    original = explainer.estimator_.predict_proba(X)[:, 0]  # "Bi" is the first class

    deletion = imputed_deletion_curve(explainer, X, noise=0, n_steps=4)
    insertion = insertion_curve(explainer, X, noise=0, n_steps=4)

    np.testing.assert_allclose(deletion.per_recording[:, 0], original, rtol=1e-5)
    np.testing.assert_allclose(insertion.per_recording[:, -1], original, rtol=1e-5)
    np.testing.assert_allclose(deletion.per_recording[:, -1], insertion.per_recording[:, 0])


def test_random_map_gives_each_recording_its_own_joint_order(explainer, two_hand_signs):
    X, _ = two_hand_signs
    explanation = explainer.explain(X)

    shuffled = random_map(explanation, random_state=0)

    assert shuffled.heatmaps.shape == explanation.heatmaps.shape
    np.testing.assert_array_equal(shuffled.target, explanation.target)
    np.testing.assert_allclose(
        np.sort(shuffled.joint_importance, axis=1),
        np.sort(explanation.joint_importance, axis=1),
        rtol=1e-5,
    )
    assert not np.array_equal(shuffled.heatmaps, explanation.heatmaps)


def test_curve_arguments_are_checked(explainer, two_hand_signs):
    X, truth = two_hand_signs
    with pytest.raises(ValueError, match="order must be one of"):
        imputed_deletion_curve(explainer, X, explanation=truth, order="backwards")
    with pytest.raises(ValueError, match="imputation must be one of"):
        insertion_curve(explainer, X, explanation=truth, imputation="cubic")
    with pytest.raises(ValueError, match="noise must be a non-negative finite number"):
        insertion_curve(explainer, X, explanation=truth, noise=-1)
    with pytest.raises(ValueError, match="n_steps must be at least 1"):
        imputed_deletion_curve(explainer, X, explanation=truth, n_steps=0)
    with pytest.raises(ValueError, match=r"explanation\[0\] has shape"):
        imputed_deletion_curve(explainer, X, explanation=[m[:-1] for m in truth])
    with pytest.raises(ValueError, match="explanation has 2 maps but X has"):
        imputed_deletion_curve(explainer, X, explanation=truth[:2])
    with pytest.raises(TypeError, match="explainer must be a GradCAMExplainer"):
        insertion_curve(explainer.estimator_, X)
    with pytest.raises(ValueError, match="removed must be a boolean array of shape"):
        impute(X[0], truth[0][:, :3])
    with pytest.raises(TypeError, match="explanation must be an Explanation"):
        random_map(truth)


# ---------------------------------------------------------------------------- stability
def test_a_perturbation_that_changes_nothing_is_perfectly_stable(explainer, two_hand_signs):
    X = two_hand_signs[0][:4]

    for metric in ("ris", "max_sensitivity"):
        unchanged = explanation_stability(
            explainer, X, perturbation=lambda recording, rng: recording.copy(), metric=metric
        )
        np.testing.assert_array_equal(unchanged.scores, 0.0)
    not_turned = explanation_stability(explainer, X, perturbation="rotation", magnitude=0)
    assert not_turned.summary == {"mean": 0.0, "median": 0.0, "max": 0.0}


def test_stronger_jitter_moves_the_maps_more(explainer, two_hand_signs):
    X = two_hand_signs[0][:6]

    def sensitivity(magnitude):
        return explanation_stability(
            explainer,
            X,
            perturbation="jitter",
            magnitude=magnitude,
            metric="max_sensitivity",
            n_samples=3,
            random_state=0,
        )

    slight, strong = sensitivity(0.001), sensitivity(0.2)
    assert slight.scores.shape == (6,)
    assert 0 < slight.summary["mean"] < strong.summary["mean"]
    assert (slight.perturbation, slight.magnitude, slight.metric) == (
        "jitter",
        0.001,
        "max_sensitivity",
    )


@pytest.mark.parametrize("perturbation", ["rotation", "shift"])
def test_turns_and_shifts_score_every_recording(explainer, two_hand_signs, perturbation):
    X = two_hand_signs[0][:4]

    stability = explanation_stability(
        explainer, X, perturbation=perturbation, n_samples=2, up_axis=1, random_state=0
    )

    assert stability.scores.shape == (4,)
    assert np.isfinite(stability.scores).all() and (stability.scores >= 0).all()


def test_summary_of_recordings_too_short_to_shift_is_nan_without_warnings():
    import warnings

    from skgesture.explain import Stability

    stability = Stability(np.array([np.nan, np.nan]), "ris", "shift", 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = stability.summary
    assert set(summary) == {"mean", "median", "max"}
    assert all(np.isnan(value) for value in summary.values())
    partly = Stability(np.array([np.nan, 2.0, 4.0]), "ris", "shift", 1.0).summary
    assert partly == {"mean": 3.0, "median": 3.0, "max": 4.0}


def test_stability_arguments_are_checked(explainer, two_hand_signs):
    X = two_hand_signs[0][:2]
    with pytest.raises(ValueError, match="perturbation must be one of"):
        explanation_stability(explainer, X, perturbation="mirror")
    with pytest.raises(ValueError, match="metric must be one of"):
        explanation_stability(explainer, X, metric="lipschitz")
    with pytest.raises(ValueError, match="n_samples must be at least 1"):
        explanation_stability(explainer, X, n_samples=0)
    with pytest.raises(ValueError, match="magnitude must be a non-negative finite number"):
        explanation_stability(explainer, X, perturbation="jitter", magnitude=-0.1)
    with pytest.raises(ValueError, match="up_axis must be 0, 1, 2 or None"):
        explanation_stability(explainer, X, perturbation="rotation", up_axis=3)
    with pytest.raises(ValueError, match="a callable sizes itself"):
        explanation_stability(explainer, X, perturbation=lambda r, rng: r, magnitude=1)
    with pytest.raises(ValueError, match="it must keep the shape"):
        explanation_stability(explainer, X, perturbation=lambda r, rng: r[1:])


# ------------------------------------------------------------------ explaining in chunks
def recordings_read_one_by_one(n_recordings, seed=0):
    """A stream of recordings, as a reader of a large folder of files would yield them."""
    rng = np.random.default_rng(seed)
    for _ in range(n_recordings):
        yield rng.normal(scale=10.0, size=(30, 10, 3)).astype(np.float32)


def test_chunks_give_the_maps_of_one_explanation(explainer, gestures):
    _, test = gestures

    whole = explainer.explain(test.data, target="Bi")
    chunks = list(explainer.explain_iter(test.data, target="Bi", chunk_size=5))

    assert [len(chunk) for chunk in chunks] == [5, 5, 5, 5, 4]
    np.testing.assert_allclose(
        np.concatenate([chunk.joint_importance for chunk in chunks]),
        whole.joint_importance,
        atol=1e-6,
    )
    per_recording = list(explainer.explain_iter(test.data, target=test.target, chunk_size=7))
    np.testing.assert_array_equal(
        np.concatenate([chunk.target for chunk in per_recording]), test.target
    )


def peak_memory_of_streaming(explainer, n_chunks, chunk_size=4):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        chunks = explainer.explain_iter(
            recordings_read_one_by_one(n_chunks * chunk_size), chunk_size=chunk_size
        )
        importance = [chunk.joint_importance.mean(axis=0) for chunk in chunks]
        assert len(importance) == n_chunks
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_number_of_chunks(explainer):
    peak_memory_of_streaming(explainer, 2)  # first calls allocate caches that stay

    few, many = peak_memory_of_streaming(explainer, 5), peak_memory_of_streaming(explainer, 50)

    assert many < 1.3 * few
    tracemalloc.start()
    try:  # what the measure sees when everything is explained at once
        explainer.explain(list(recordings_read_one_by_one(200)))
        all_at_once = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert all_at_once > 3 * few


def test_no_hook_stays_on_the_network_even_when_the_caller_stops_early(explainer):
    network = explainer.classifier_.net_.module_
    layers = list(network.modules())
    was_training = network.training

    chunks = explainer.explain_iter(recordings_read_one_by_one(40), chunk_size=4)
    next(chunks)
    assert not any(layer._forward_hooks for layer in layers)
    chunks.close()

    assert not any(layer._forward_hooks or layer._backward_hooks for layer in layers)
    assert network.training == was_training


def test_progress_bar_shows_on_stderr(explainer, capsys):
    X = list(recordings_read_one_by_one(6))

    list(explainer.explain_iter(X, chunk_size=4, verbose=True))

    captured = capsys.readouterr()
    assert "explaining" in captured.err and "/6" in captured.err
    assert captured.out == ""


def test_chunk_arguments_are_checked(explainer, gestures):
    _, test = gestures
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        explainer.explain_iter(test.data, chunk_size=0)
    with pytest.raises(ValueError, match="target gives 3 labels for 24 recordings"):
        explainer.explain_iter(test.data, target=test.target[:3])
    with pytest.raises(ValueError, match="target gives 3 labels but X has more"):
        list(explainer.explain_iter(recordings_read_one_by_one(8), target=["Bi"] * 3))


def test_an_empty_X_is_refused_as_explain_refuses_it(explainer):
    with pytest.raises(ValueError, match="X holds no recording"):
        explainer.explain_iter([])
    chunks = explainer.explain_iter(recordings_read_one_by_one(0))
    with pytest.raises(ValueError, match="X holds no recording"):
        list(chunks)


def test_chunks_explained_from_several_threads_match_one_at_a_time(explainer, gestures):
    _, test = gestures

    def importance():
        chunks = explainer.explain_iter(test.data, target="Bi", chunk_size=5)
        return np.concatenate([chunk.joint_importance for chunk in chunks])

    expected = importance()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: importance(), range(3)))

    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_an_explanation_of_other_recordings_is_named(explainer, two_hand_signs):
    X, _ = two_hand_signs
    shorter = explainer.explain([recording[:-2] for recording in X])
    with pytest.raises(ValueError, match="explanation's recording 0 has .* frames but recording"):
        imputed_deletion_curve(explainer, X, explanation=shorter, n_steps=2)
