"""Plausibility of the default explanations on real Kinect recordings (UTKinect-Action3D).

The default ``CNNClassifier(random_state=seed)`` is trained on UTKinect's cross-subject
training split (odd subjects, 100 segments) and the default ``GradCAMExplainer`` (HiResCAM,
contrast score), fitted on the training recordings as reference, explains every test segment
(even subjects, 99) for its *true* action. A recording's top joints are the ``TOP_K`` largest
``joint_importance`` (the map averaged over the recording's frames); they are compared with the
joints a person would name for the action, written once in ``EXPECTED_JOINTS``. Per action:

- hit rate: share of test segments whose top joints hold at least one expected joint (chance:
  ``1 - C(20 - m, k) / C(20, k)`` for ``m`` expected joints, i.e. ``k`` joints drawn at random);
- precision: share of the top joints that are expected (chance ``m / 20``).

This measures agreement with human intuition, not faithfulness: a network may rightly use a
joint nobody would name (the head drops when one sits down), and a map can be faithful and
still implausible. ``explain.py`` measures faithfulness where the truth is known.

One still per action (seed 0's network): the first correctly classified test segment of the
action, at the frame where its map peaks; the explainer's top joints of that frame in green
(``Explanation.plot_skeleton``), the expected joints ringed in red.

    python benchmarks/plausibility.py --seeds 0 1 2   # ~3 min per seed on one thread
    python benchmarks/plausibility.py --summarise     # JSON and picture from the saved runs

Each seed's run is saved as soon as it ends (``results/plausibility_runs/``) and its network
in ``cache/`` (not committed), so the picture can be redrawn without training.
"""

from __future__ import annotations

import argparse
import math
import time

import joblib
import numpy as np
from _common import CACHE_DIR, RESULTS_DIR, cached_run, load_runs, mean_std, write_result

RUNS_DIR = RESULTS_DIR / "plausibility_runs"
MODEL = "CNNClassifier()"
#: Joints per recording compared with the expected ones.
TOP_K = 3

_ARMS = ("ElbowLeft", "WristLeft", "HandLeft", "ElbowRight", "WristRight", "HandRight")
_HANDS = ("WristLeft", "HandLeft", "WristRight", "HandRight")
#: The body parts a person would name for each action (Kinect v1 joint names). Both sides are
#: listed since the subjects use either hand. Hips count as legs for sitting and standing up;
#: shoulders are left out of the arm actions (they move little); ``carry`` is walking with a
#: box held in both hands.
EXPECTED_JOINTS = {
    "walk": ("KneeLeft", "AnkleLeft", "FootLeft", "KneeRight", "AnkleRight", "FootRight"),
    "sitDown": ("HipCenter", "HipLeft", "HipRight", "KneeLeft", "KneeRight"),
    "standUp": ("HipCenter", "HipLeft", "HipRight", "KneeLeft", "KneeRight"),
    "pickUp": (*_HANDS, "Spine", "HipCenter", "KneeLeft", "KneeRight"),
    "carry": (*_HANDS, "KneeLeft", "FootLeft", "KneeRight", "FootRight"),
    "throw": _ARMS,
    "push": _ARMS,
    "pull": _ARMS,
    "waveHands": _ARMS,
    "clapHands": _ARMS,
}


def chance(n_expected, n_joints, k=TOP_K):
    """Hit rate and precision of ``k`` joints drawn at random among ``n_joints``."""
    miss = math.comb(n_joints - n_expected, k) / math.comb(n_joints, k)
    return {"hit_rate": 1 - miss, "precision": n_expected / n_joints}


def _data():
    from utkinect import load_utkinect

    return load_utkinect()


def _classifier_path(seed):
    return CACHE_DIR / f"plausibility_utkinect_seed{seed}.joblib"


def _explain(classifier, dataset):
    from skgesture.explain import GradCAMExplainer

    explainer = GradCAMExplainer(classifier, skeleton=dataset.skeleton, top_k=TOP_K)
    return explainer.fit(dataset.train.data).explain(dataset.test.data, target=dataset.test.target)


def _measure(seed, dataset):
    from skgesture import CNNClassifier

    # n_threads=1 only sets torch's thread count: the model is the default's.
    classifier = CNNClassifier(random_state=seed, n_threads=1)
    start = time.perf_counter()
    classifier.fit(dataset.train.data, dataset.train.target)
    seconds = time.perf_counter() - start
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(classifier, _classifier_path(seed))
    explanation = _explain(classifier, dataset)
    top = np.argsort(-explanation.joint_importance, axis=1, kind="stable")[:, :TOP_K]
    names = dataset.joint_names
    return {
        "accuracy": float(classifier.score(dataset.test.data, dataset.test.target)),
        "fit_seconds": seconds,
        "target": dataset.test.target.tolist(),
        "predicted": classifier.predict(dataset.test.data).tolist(),
        "top_joints": [[names[j] for j in row] for row in top],
    }


def scores(run):
    """Per action: hit rate and precision of the run's top joints, over all test segments."""
    target = np.array(run["target"])
    result = {}
    for action, expected in EXPECTED_JOINTS.items():
        rows = [top for top, label in zip(run["top_joints"], target) if label == action]
        expected_counts = np.array([sum(j in expected for j in top) for top in rows])
        result[action] = {
            "hit_rate": float(np.mean(expected_counts > 0)),
            "precision": float(np.mean(expected_counts / TOP_K)),
            "n_recordings": len(rows),
        }
    return result


def most_common_joints(runs, action, n=5):
    """The joints most often in the top joints of ``action``'s segments, over every run."""
    counts = {}
    for run in runs:
        for top, label in zip(run["top_joints"], run["target"]):
            if label == action:
                for joint in top:
                    counts[joint] = counts.get(joint, 0) + 1
    total = sum(label == action for run in runs for label in run["target"])
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:n]
    return {joint: round(count / total, 2) for joint, count in ranked}


def summarise(runs, n_joints):
    per_seed = [scores(run) for run in runs]
    table = {}
    for action, expected in EXPECTED_JOINTS.items():
        table[action] = {
            "expected_joints": list(expected),
            "hit_rate": mean_std([s[action]["hit_rate"] for s in per_seed]),
            "precision": mean_std([s[action]["precision"] for s in per_seed]),
            "chance": chance(len(expected), n_joints),
            "n_recordings": per_seed[0][action]["n_recordings"],
            "share_of_runs_in_top": most_common_joints(runs, action),
        }
    overall = {
        key: mean_std([np.mean([s[a][key] for a in EXPECTED_JOINTS]) for s in per_seed])
        for key in ("hit_rate", "precision")
    }
    overall["chance"] = {
        key: float(np.mean([table[a]["chance"][key] for a in EXPECTED_JOINTS]))
        for key in ("hit_rate", "precision")
    }
    return {
        "seeds": [run["seed"] for run in runs],
        "top_k": TOP_K,
        "explainer": "GradCAMExplainer(clf, skeleton='kinect_v1').fit(X_train), true class",
        "accuracy": mean_std([run["accuracy"] for run in runs]),
        "fit_seconds": mean_std([run["fit_seconds"] for run in runs]),
        "per_class": table,
        "mean_over_classes": overall,
    }


def print_table(summary):
    print(f"| action | hit rate (chance) | precision (chance) | n | most often in top {TOP_K} |")
    print("| --- | --- | --- | --- | --- |")
    for action, row in summary["per_class"].items():
        hit, precision, base = row["hit_rate"], row["precision"], row["chance"]
        common = ", ".join(f"{j} {s:.2f}" for j, s in list(row["share_of_runs_in_top"].items())[:3])
        print(
            f"| {action} | {hit['mean']:.2f} ± {hit['std']:.2f} ({base['hit_rate']:.2f}) "
            f"| {precision['mean']:.2f} ± {precision['std']:.2f} ({base['precision']:.2f}) "
            f"| {row['n_recordings']} | {common} |"
        )
    overall = summary["mean_over_classes"]
    print(
        f"| mean | {overall['hit_rate']['mean']:.2f} ± {overall['hit_rate']['std']:.2f} "
        f"({overall['chance']['hit_rate']:.2f}) | {overall['precision']['mean']:.2f} ± "
        f"{overall['precision']['std']:.2f} ({overall['chance']['precision']:.2f}) | | |"
    )


def figure(dataset, seed, path):
    """One still per action: seed ``seed``'s map, top joints green, expected joints ringed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classifier = joblib.load(_classifier_path(seed))
    explanation = _explain(classifier, dataset)
    predicted = classifier.predict(dataset.test.data)
    skeleton = dataset.skeleton
    # plot_skeleton draws the lateral axis across when the skeleton knows its forward axis.
    lateral = next(a for a in range(3) if a not in (skeleton.up_axis, skeleton.forward_axis))
    names = dataset.joint_names
    figure, axes = plt.subplots(2, 5, figsize=(16, 8.5), layout="constrained")
    for ax, (action, expected) in zip(axes.flat, EXPECTED_JOINTS.items()):
        of_action = np.flatnonzero(dataset.test.target == action)
        correct = of_action[predicted[of_action] == action]
        i = int(correct[0] if len(correct) else of_action[0])
        frame = int(explanation.heatmap(i).max(axis=1).argmax())
        explanation.plot_skeleton(i, frame, ax=ax)
        points = explanation.recordings[i][frame][:, [lateral, skeleton.up_axis]]
        ringed = [names.index(joint) for joint in expected]
        ax.scatter(*points[ringed].T, s=160, facecolors="none", edgecolors="tab:red", lw=1.2)
        top = np.argsort(-explanation.joint_importance[i], kind="stable")[:TOP_K]
        ax.set_title(
            f"{action} (s{dataset.test.groups[i][1:]}, predicted {predicted[i]})\n"
            f"frame {frame + 1}/{explanation.lengths[i]}; recording's top {TOP_K}:\n"
            + ", ".join(names[j] for j in top),
            fontsize=9,
        )
    figure.suptitle(
        f"UTKinect test segments, default CNN (seed {seed}) and GradCAMExplainer: green = top "
        f"{TOP_K} joints of the drawn frame, red rings = joints a person would name",
        fontsize=11,
    )
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--summarise", action="store_true", help="only the JSON and the picture")
    args = parser.parse_args()
    from utkinect import DEFAULT_ROOT

    if not DEFAULT_ROOT.is_dir():
        print(f"skipped: UTKinect-Action3D is not in {DEFAULT_ROOT} (../shared beside the repo)")
        return
    dataset = _data()
    if not args.summarise:
        for seed in args.seeds:
            cached_run(RUNS_DIR, seed, MODEL, lambda s=seed: _measure(s, dataset))
    runs = load_runs(RUNS_DIR).get(MODEL, [])
    if not runs:
        print("no saved runs yet: run without --summarise first")
        return
    summary = summarise(runs, len(dataset.joint_names))
    figure_seed = runs[0]["seed"]
    if _classifier_path(figure_seed).is_file():
        path = figure(dataset, figure_seed, RESULTS_DIR / "plausibility_utkinect.png")
        summary["figure"] = {"png": path.name, "seed": figure_seed}
    write_result("plausibility", summary)
    print_table(summary)


if __name__ == "__main__":
    main()
