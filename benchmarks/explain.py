"""Faithfulness of the explanation methods, measured where the truth is known.

A CNNClassifier is trained on ``make_gestures`` (whose classes differ in known joints and
frames; the trained network is cached in ``benchmarks/cache/``) and each method of
GradCAMExplainer, with each class score and with or without the training recordings as
reference (``fit(X_train)`` / ``fit()``), explains the held-out recordings:

- pointing game: is a recording's most important joint among the truly relevant ones?
  (overall and per class; "Mono" recordings are told apart by what does *not* move);
- relevance mass: share of the heatmap on the relevant (frame, joint) cells;
- deletion curve: probability of the explained class as joints are frozen at their mean
  position, most important first, against random orders (lower area = more faithful);
- ROAD (Rong et al., 2022): (frame, joint) cells removed and filled by noisy linear
  interpolation in time, most relevant first (MoRF, lower area = more faithful) and least
  relevant first (LeRF, higher = more faithful), against a random order and a random map (the
  map with its joints shuffled); insertion of the most relevant cells into the fully imputed
  recording (higher = more faithful), against a random order; the same for the true
  relevance map, as the best a map can do;
- stability: relative change of the maps (max-sensitivity, Yeh et al. 2019) and relative
  input stability (RIS, Agarwal et al. 2022) under a 1 % jitter, turns of up to 5 degrees
  about the vertical axis and a shift by one frame (worst of 3 draws per recording);
- randomisation check (Adebayo et al., 2018): rank correlation of the maps of the trained
  network and of a randomly weighted copy (near 1 = the map ignores the model).

Then one NATOPS test recording is explained with the skeleton: a GIF and a still picture.

    python benchmarks/explain.py            # default CNN and make_gestures: ~30 min on 2 cores
    python benchmarks/explain.py --quick    # 20 joints, a small CNN: ~6 min (explain_quick_*)
    python benchmarks/explain.py --table    # the tables of docs/explain.md from explain.json
    python benchmarks/explain.py --figure   # redraw explain_gestures.png from the cached CNN
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import joblib
import numpy as np
from _common import RESULTS_DIR, write_result

from skgesture import CNNClassifier
from skgesture.datasets import load_natops, make_gestures
from skgesture.explain import (
    CLASS_SCORES,
    METHODS,
    GradCAMExplainer,
    deletion_curve,
    explanation_stability,
    imputed_deletion_curve,
    insertion_curve,
    pointing_game,
    random_map,
    randomization_check,
    relevance_mass,
)

#: Perturbations drawn per recording by the stability measures.
STABILITY_SAMPLES = 3


def settings(quick):
    # One torch thread: faster than several on a shared 2-core machine.
    data, model, natops = {}, {"n_threads": 1}, {"n_threads": 1}
    if quick:
        data["n_joints"] = 20
        model |= {"n_filters": 16, "n_blocks": 1, "max_epochs": 30}
        natops["max_epochs"] = 30
    return data, model, natops


def chance_levels(relevance):
    """What a map that knows nothing scores: random joint, uniform map."""
    return {
        "pointing_game": float(np.mean([mask.any(axis=0).mean() for mask in relevance])),
        "relevance_mass": float(np.mean([mask.mean() for mask in relevance])),
    }


def per_class(values, target):
    return {str(label): float(np.nanmean(values[target == label])) for label in np.unique(target)}


CACHE_DIR = Path(__file__).resolve().parent / "cache"


def evaluate_method(classifier, method, class_score, reference, test):
    """One explainer's faithfulness; ``reference``: the recordings ``fit`` gets, or None."""
    explainer = GradCAMExplainer(
        classifier, method=method, class_score=class_score, skeleton=test.skeleton
    ).fit(reference)
    start = time.perf_counter()
    explanation = explainer.explain(test.data)
    seconds = time.perf_counter() - start
    hits = pointing_game(explanation, test.relevance, average=False)
    mass = relevance_mass(explanation, test.relevance, average=False)
    deletion = deletion_curve(explainer, test.data, explanation=explanation)
    random_areas = [
        deletion_curve(explainer, test.data, explanation=explanation, order="random", seed=seed)
        for seed in range(3)
    ]
    return explanation, {
        "method": method,
        "class_score": class_score,
        "reference": "training recordings" if reference is not None else "zero",
        "pointing_game": float(np.nanmean(hits)),
        "pointing_game_per_class": per_class(hits, test.target),
        "relevance_mass": float(np.nanmean(mass)),
        "relevance_mass_per_class": per_class(mass, test.target),
        "deletion_area": deletion.area,
        "deletion_area_random": float(np.mean([curve.area for curve in random_areas])),
        "deletion_curve": deletion.probability.round(4).tolist(),
        "randomization_rank_correlation": randomization_check(
            explainer, test.data, X_reference=reference
        ),
        "explain_ms_per_recording": 1000 * seconds / len(test.data),
        "road": road_areas(explainer, test.data, explanation),
        "stability": stability_scores(explainer, test.data),
    }


def road_areas(explainer, X, explanation):
    """Areas of the ROAD curves of ``explanation`` (a list of maps or an Explanation)."""

    def area(curve, **params):
        return curve(explainer, X, explanation=explanation, **params).area

    areas = {
        "deletion_most": area(imputed_deletion_curve, order="most"),
        "deletion_least": area(imputed_deletion_curve, order="least"),
        "deletion_random_order": area(imputed_deletion_curve, order="random"),
        "insertion_most": area(insertion_curve, order="most"),
        "insertion_random_order": area(insertion_curve, order="random"),
    }
    if not isinstance(explanation, list):
        shuffled = random_map(explanation, random_state=0)
        areas["deletion_random_map"] = imputed_deletion_curve(
            explainer, X, explanation=shuffled
        ).area
        areas["insertion_random_map"] = insertion_curve(explainer, X, explanation=shuffled).area
    return areas


def stability_scores(explainer, X):
    """Mean over recordings of each stability measure, per perturbation (defaults)."""
    return {
        f"{perturbation}_{metric}": explanation_stability(
            explainer,
            X,
            perturbation=perturbation,
            metric=metric,
            n_samples=STABILITY_SAMPLES,
            random_state=0,
        ).summary["mean"]
        for perturbation in ("jitter", "rotation", "shift")
        for metric in ("max_sensitivity", "ris")
    }


def trained_classifier(name, train, model_params):
    """The benchmark's CNN, trained once and cached (``benchmarks/cache/``, not committed)."""
    path = CACHE_DIR / f"{name}_cnn.joblib"
    if path.is_file():
        classifier = joblib.load(path)
        if classifier.get_params() == CNNClassifier(random_state=0, **model_params).get_params():
            return classifier
    classifier = CNNClassifier(random_state=0, **model_params)
    start = time.perf_counter()
    classifier.fit(train.data, train.target)
    classifier.fit_seconds_ = time.perf_counter() - start
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(classifier, path)
    return classifier


def gestures_benchmark(name, data_params, model_params):
    train = make_gestures(random_state=0, return_relevance=True, **data_params)
    test = make_gestures(random_state=1, return_relevance=True, **data_params)
    classifier = trained_classifier(name, train, model_params)
    results, explanations = {}, {}
    for method in METHODS:
        for class_score in CLASS_SCORES:
            for reference in ("train", None):
                key = f"{method}, {class_score}, {reference or 'zero'}"
                explanations[key], results[key] = evaluate_method(
                    classifier, method, class_score, reference and train.data, test
                )
                print(key, {k: v for k, v in results[key].items() if "curve" not in k}, flush=True)
    truth_explainer = GradCAMExplainer(classifier).fit()  # only its model is used
    summary = {
        "data": {"n_samples_train": len(train.data), "n_samples_test": len(test.data)}
        | data_params,
        "model": model_params,
        "fit_seconds": classifier.fit_seconds_,
        "test_accuracy": float(classifier.score(test.data, test.target)),
        "chance": chance_levels(test.relevance),
        "road_true_relevance": road_areas(truth_explainer, test.data, list(test.relevance)),
        "methods": results,
    }
    return summary, explanations, test


#: The settings drawn by ``gestures_figure``: the recommended one, no reference, the paper's.
FIGURE_SETTINGS = ("hirescam, contrast, train", "hirescam, contrast, zero", "gradcam, logit, zero")


def redraw_gestures_figure(name, data_params, model_params):
    """Only the figure, from the cached network: no faithfulness measures are recomputed."""
    train = make_gestures(random_state=0, return_relevance=True, **data_params)
    test = make_gestures(random_state=1, return_relevance=True, **data_params)
    classifier = trained_classifier(name, train, model_params)
    explanations = {}
    for key in FIGURE_SETTINGS:
        method, class_score, reference = key.split(", ")
        explainer = GradCAMExplainer(
            classifier, method=method, class_score=class_score, skeleton=test.skeleton
        )
        explainer.fit(train.data if reference == "train" else None)
        explanations[key] = explainer.explain(test.data)
    gestures_figure(explanations, test, RESULTS_DIR / f"{name}_gestures.png")


def gestures_figure(explanations, test, path):
    """One "Bi" and one "Mono" recording: the truth, the default map and the paper's."""
    import matplotlib.pyplot as plt

    titles = ["fit(X_train)", "fit()", "paper"]
    height = max(7, 0.16 * len(test.joint_names))  # room for every joint's name
    figure, axes = plt.subplots(2, 4, figsize=(20, 2 * height), layout="constrained", sharey=True)
    for row, label in zip(axes, ("Bi", "Mono")):
        i = int(np.flatnonzero(test.target == label)[0])
        row[0].imshow(test.relevance[i].T, aspect="auto", cmap="Greens", interpolation="nearest")
        row[0].set_yticks(range(len(test.joint_names)), test.joint_names, fontsize=7)
        row[0].set_xlabel("frame")
        row[0].set_title(f"true relevance (recording {i}, {label})", fontsize=9)
        for ax, key, title in zip(row[1:], FIGURE_SETTINGS, titles):
            explanations[key].plot(i, ax=ax)
            ax.set_title(f"{ax.get_title()}, {key.split(', ')[1]}, {title}", fontsize=9)
    figure.savefig(path, dpi=80)
    plt.close(figure)


def natops_figures(model_params, name):
    import matplotlib.pyplot as plt

    train, test = load_natops("train"), load_natops("test")
    classifier = CNNClassifier(random_state=0, **model_params).fit(train.data, train.target)
    explainer = GradCAMExplainer(classifier, skeleton="natops", top_k=3).fit(train.data)
    explanation = explainer.explain(test.data[:1])
    gif = explanation.animate(0, RESULTS_DIR / f"{name}_natops.gif", fps=8)
    figure, axes = plt.subplots(
        1, 3, figsize=(16, 4.5), layout="constrained", width_ratios=[1.6, 1, 1]
    )
    explanation.plot(0, ax=axes[0])
    peak = int(explanation.heatmap(0).max(axis=1).argmax())
    explanation.plot_skeleton(0, 0, ax=axes[1])
    explanation.plot_skeleton(0, peak, ax=axes[2])
    path = RESULTS_DIR / f"{name}_natops.png"
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return {
        "test_accuracy": float(classifier.score(test.data, test.target)),
        "recording": 0,
        "label": str(test.target[0]),
        "predicted": str(explanation.predicted[0]),
        "gif": gif.name,
        "png": path.name,
    }


def markdown_table(summary):
    """The table of docs/explain.md, from a results dictionary."""
    header = (
        "| method | class score | reference | pointing (all) | pointing Bi | pointing Mono "
        "| relevance mass Bi / Mono | deletion area (random order) | randomisation rank corr. |"
    )
    rows = [header, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for result in summary["methods"].values():
        pointing, mass = result["pointing_game_per_class"], result["relevance_mass_per_class"]
        rows.append(
            f"| `{result['method']}` | `{result['class_score']}` | {result['reference']} "
            f"| {result['pointing_game']:.2f} "
            f"| {pointing['Bi']:.2f} | {pointing['Mono']:.2f} | {mass['Bi']:.2f} / "
            f"{mass['Mono']:.2f} | {result['deletion_area']:.3f} "
            f"({result['deletion_area_random']:.3f}) "
            f"| {result['randomization_rank_correlation']:.2f} |"
        )
    chance = summary["chance"]
    rows.append(
        f"| chance | | | {chance['pointing_game']:.2f} | | | {chance['relevance_mass']:.2f} (all) "
        "| | |"
    )
    return "\n".join(rows)


def road_table(summary):
    """The ROAD and stability table of docs/explain.md, from a results dictionary."""
    header = (
        "| method | class score | reference | deletion MoRF (random order / random map) "
        "| deletion LeRF | insertion (random order / random map) "
        "| jitter: change, RIS | rotation: change, RIS | shift: change, RIS |"
    )
    rows = [header, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for result in summary["methods"].values():
        road, stability = result["road"], result["stability"]
        cells = [
            f"{road['deletion_most']:.3f} ({road['deletion_random_order']:.3f} / "
            f"{road['deletion_random_map']:.3f})",
            f"{road['deletion_least']:.3f}",
            f"{road['insertion_most']:.3f} ({road['insertion_random_order']:.3f} / "
            f"{road['insertion_random_map']:.3f})",
        ] + [
            f"{stability[f'{name}_max_sensitivity']:.2f}, {stability[f'{name}_ris']:.2f}"
            for name in ("jitter", "rotation", "shift")
        ]
        rows.append(
            f"| `{result['method']}` | `{result['class_score']}` | {result['reference']} | "
            + " | ".join(cells)
            + " |"
        )
    truth = summary["road_true_relevance"]
    rows.append(
        f"| true relevance | | | {truth['deletion_most']:.3f} | {truth['deletion_least']:.3f} "
        f"| {truth['insertion_most']:.3f} | | | |"
    )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 joints and a small CNN")
    parser.add_argument(
        "--table", action="store_true", help="print the table of the last results and stop"
    )
    parser.add_argument(
        "--figure", action="store_true", help="redraw only the make_gestures figure and stop"
    )
    args = parser.parse_args()
    name = "explain_quick" if args.quick else "explain"
    if args.table:
        summary = json.loads((RESULTS_DIR / f"{name}.json").read_text())
        print(markdown_table(summary))
        if "road_true_relevance" in summary:  # results from before the ROAD measures have none
            print()
            print(road_table(summary))
        return
    data_params, model_params, natops_params = settings(args.quick)
    if args.figure:
        redraw_gestures_figure(name, data_params, model_params)
        return
    summary, explanations, test = gestures_benchmark(name, data_params, model_params)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    gestures_figure(explanations, test, RESULTS_DIR / f"{name}_gestures.png")
    summary["natops"] = natops_figures(natops_params, name)
    summary["quick"] = args.quick
    write_result(name, summary)


if __name__ == "__main__":
    main()
