"""Choose CNNClassifier's defaults by cross-validation on training data only.

The candidates (architecture, input features, augmentation, width) are scored by
cross-validation inside the *training* parts of three development sets, never on a test set:

- NATOPS train (180 recordings, 8 joints; no subject ids in the UEA files): 3-fold stratified;
- UTKinect-Action3D train subjects (s01, s03, ..., s09; 100 segments, 20 Kinect joints, real
  camera coordinates): leave-one-subject-out (5 folds, grouped by subject);
- ``make_gestures`` (111 recordings, 79 joints, up to 100 frames, the paper's Table 1 data,
  seed 0): 3-fold stratified.

Each candidate's score is the mean of its three cross-validated accuracies (one vote per data
set), with its standard error. The default is chosen by the one-standard-error rule: among the
candidates whose ``last_conv`` keeps a joint axis (explanations must resolve joints), the
cheapest to fit whose score is within one standard error of the best one's, since the data
cannot tell those apart. Everything runs with one torch thread per fit and two fits at a time
(``--jobs``), a stated 2-core budget; the runs of one candidate may have been timed under
other loads than another's, so fit times compare roughly (the chosen one was several times
cheaper than the others within reach).

    python benchmarks/select_defaults.py            # run (or resume) every candidate
    python benchmarks/select_defaults.py --summarise

Each (candidate, data set, fold) run is saved as soon as it ends
(``results/select_defaults_runs/``), so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _common import RESULTS_DIR, run_parallel, write_result
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

RUNS_DIR = RESULTS_DIR / "select_defaults_runs"
#: Marks a candidate that repeats another with other network seeds (pooled with it).
_REPEAT = " (seed +"

#: Input features as given (today's estimators) and in the body frame with streams.
RAW = {"body_frame": False, "streams": ("joint",)}
BODY = {"body_frame": True, "streams": ("joint", "motion")}
BODY_BONES = {"body_frame": True, "streams": ("joint", "bone", "motion")}

#: name -> CNNClassifier parameters (everything else at its default).
CANDIDATES = {
    "temporal raw": {"architecture": "temporal", **RAW},
    "temporal body": {"architecture": "temporal", **BODY},
    "temporal body light": {"architecture": "temporal", **BODY, "augment": "light"},
    "graph24 raw": {
        "architecture": "graph",
        "n_filters": 24,
        "n_blocks": 3,
        "kernel_size": 9,
        **RAW,
    },
    "graph24 body": {
        "architecture": "graph",
        "n_filters": 24,
        "n_blocks": 3,
        "kernel_size": 9,
        **BODY,
    },
    "graph24 body light": {
        "architecture": "graph",
        "n_filters": 24,
        "n_blocks": 3,
        "kernel_size": 9,
        **BODY,
        "augment": "light",
    },
    "graph24 body+bones light": {
        "architecture": "graph",
        "n_filters": 24,
        "n_blocks": 3,
        "kernel_size": 9,
        **BODY_BONES,
        "augment": "light",
    },
    "joint24 body": {"architecture": "joint", "n_filters": 24, "downsample": 1, **BODY},
    "joint24 body light": {
        "architecture": "joint",
        "n_filters": 24,
        "downsample": 1,
        **BODY,
        "augment": "light",
    },
    # joint24 body again with the code of the downsampling change (masked normalisation in one
    # pass), to compare in one run.
    "joint24x1 body": {"architecture": "joint", "n_filters": 24, "downsample": 1, **BODY},
    "joint24x1 raw": {"architecture": "joint", "n_filters": 24, "downsample": 1, **RAW},
    "joint16x1 body": {"architecture": "joint", "n_filters": 16, "downsample": 1, **BODY},
    "joint24x1 body 50 epochs": {
        "architecture": "joint",
        "n_filters": 24,
        "downsample": 1,
        "max_epochs": 50,
        **BODY,
    },
    "joint16x1 body 50 epochs": {
        "architecture": "joint",
        "n_filters": 16,
        "downsample": 1,
        "max_epochs": 50,
        **BODY,
    },
    # Temporal downsampling (the cost issue): strided stem and first block.
    "joint24x2 body": {"architecture": "joint", "n_filters": 24, "downsample": 2, **BODY},
    "joint24x4 body": {"architecture": "joint", "n_filters": 24, "downsample": 4, **BODY},
    "joint16x4 body": {"architecture": "joint", "n_filters": 16, "downsample": 4, **BODY},
    "joint24x4 body 50 epochs": {
        "architecture": "joint",
        "n_filters": 24,
        "downsample": 4,
        "max_epochs": 50,
        **BODY,
    },
    "graph12 body light": {
        "architecture": "graph",
        "n_filters": 12,
        "n_blocks": 3,
        "kernel_size": 9,
        **BODY,
        "augment": "light",
    },
    # The cost issue: the temporal trunk with a joint-wise branch read out per joint.
    "temporal body 50 epochs": {"architecture": "temporal", "max_epochs": 50, **BODY},
    "hybrid body": {"architecture": "hybrid", "max_epochs": 50, **BODY},
}
# Repeats of the candidates the per-set rule has to tell apart, with other network seeds (the
# folds stay): seed noise is about one recording per UTKinect fold. Pooled with the original.
CANDIDATES.update(
    {
        f"{name} (seed +{repeat})": {**CANDIDATES[name], "seed_offset": repeat}
        for repeat in (10, 20)
        for name in (
            "joint24x1 body",
            "joint24x1 body 50 epochs",
            "joint16x1 body",
            "joint16x1 body 50 epochs",
            "hybrid body",
        )
    }
)


_LOADED = {}


def _datasets():
    """name -> (recordings, labels, folds) of each development set's training part."""
    if _LOADED:
        return _LOADED
    from utkinect import load_utkinect

    from skgesture.datasets import load_natops, make_gestures

    sets = {}
    natops = load_natops("train")
    X, y = list(natops.data), np.asarray(natops.target)
    sets["NATOPS"] = (X, y, list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)))
    utk = load_utkinect()["train"]
    X, y, groups = list(utk.data), np.asarray(utk.target), np.asarray(utk.groups)
    subjects = np.array([group.split("_")[0] for group in groups])
    sets["UTKinect"] = (X, y, list(LeaveOneGroupOut().split(X, y, subjects)))
    gestures = make_gestures(random_state=0)
    X, y = list(gestures.data), np.asarray(gestures.target)
    sets["make_gestures"] = (
        X,
        y,
        list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)),
    )
    _LOADED.update(sets)
    return sets


def _run_path(candidate, dataset, fold):
    name = f"{candidate}__{dataset}__{fold}".replace(" ", "_").replace("+", "-")
    return RUNS_DIR / f"{name}.json"


def _measure(candidate, dataset, fold):
    import torch

    from skgesture import CNNClassifier

    path = _run_path(candidate, dataset, fold)
    if path.exists():
        return json.loads(path.read_text())
    torch.set_num_threads(1)
    X, y, folds = _datasets()[dataset]
    train, valid = folds[fold]
    params = dict(CANDIDATES[candidate])
    seed = fold + params.pop("seed_offset", 0)
    clf = CNNClassifier(random_state=seed, n_threads=1, **params)
    start = time.perf_counter()
    clf.fit([X[i] for i in train], y[train])
    seconds = time.perf_counter() - start
    accuracy = float(clf.score([X[i] for i in valid], y[valid]))
    run = {
        "candidate": candidate,
        "dataset": dataset,
        "fold": fold,
        "accuracy": accuracy,
        "fit_seconds": seconds,
        "fit_ms_per_recording_epoch": 1000 * seconds / (len(train) * clf.n_iter_),
        "n_iter": clf.n_iter_,
    }
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run, indent=1))
    print(
        f"{candidate:28s} {dataset:14s} fold {fold}: {accuracy:.3f} in {seconds:.0f} s", flush=True
    )
    return run


def summarise():
    runs = [json.loads(path.read_text()) for path in sorted(RUNS_DIR.glob("*.json"))]
    table = {}
    for candidate in CANDIDATES:
        if _REPEAT in candidate:
            continue  # pooled with the candidate it repeats
        mine = [run for run in runs if run["candidate"].split(_REPEAT)[0] == candidate]
        per_set = {}
        for dataset in ("NATOPS", "UTKinect", "make_gestures"):
            accs = [run["accuracy"] for run in mine if run["dataset"] == dataset]
            ms = [run["fit_ms_per_recording_epoch"] for run in mine if run["dataset"] == dataset]
            epochs = [run["n_iter"] for run in mine if run["dataset"] == dataset]
            if accs:
                per_set[dataset] = {
                    "cv_accuracy": float(np.mean(accs)),
                    "cv_std": float(np.std(accs)),
                    "standard_error": float(np.std(accs) / np.sqrt(max(len(accs) - 1, 1))),
                    "n_folds": len(accs),
                    "fit_ms_per_recording_epoch": float(np.mean(ms)),
                    # The whole fit (all its epochs) per training recording.
                    "fit_ms_per_recording": float(np.mean(np.multiply(ms, epochs))),
                }
        complete = len(per_set) == 3
        # The standard error of the mean of the per-set scores, each set's from its folds.
        errors = [s["standard_error"] for s in per_set.values()]
        table[candidate] = {
            "params": {
                k: list(v) if isinstance(v, tuple) else v for k, v in CANDIDATES[candidate].items()
            },
            "per_dataset": per_set,
            "mean_cv_accuracy": (
                float(np.mean([s["cv_accuracy"] for s in per_set.values()])) if complete else None
            ),
            "standard_error": float(np.sqrt(np.sum(np.square(errors))) / max(len(errors), 1)),
            # Mean over the sets of a whole fit's time per training recording; the runs were
            # timed two at a time on 2 cores, so only the ratios between candidates mean much.
            "fit_ms_per_recording": (
                float(np.mean([s["fit_ms_per_recording"] for s in per_set.values()]))
                if per_set
                else None
            ),
        }
    ranked = sorted(
        (name for name in table if table[name]["mean_cv_accuracy"] is not None),
        key=lambda name: -table[name]["mean_cv_accuracy"],
    )
    chosen = _one_standard_error_choice(table, ranked)
    write_result("select_defaults", {"candidates": table, "ranking": ranked, "chosen": chosen})
    for name in ranked:
        row = table[name]
        cells = "  ".join(f"{d} {s['cv_accuracy']:.3f}" for d, s in row["per_dataset"].items())
        mark = "  <- chosen" if name == chosen["candidate"] else ""
        print(
            f"{name:28s} mean {row['mean_cv_accuracy']:.3f} +- {row['standard_error']:.3f}  "
            f"{cells}  fit {row['fit_ms_per_recording']:.0f} ms/recording{mark}"
        )


def _one_standard_error_choice(table, ranked):
    """The cheapest candidate with a joint axis within one standard error of the best on every set.

    The one-standard-error rule (Breiman et al., 1984; Hastie et al., The Elements of
    Statistical Learning, 7.10), applied to each development set: a candidate whose score on
    a set is below the best one's by less than that best score's standard error is not told
    apart from it by the data. A default must be that close to the best on *every* set (a gain
    on one set does not pay for a loss on another: the defaults must be robust), and among
    those the cheapest to fit is taken. Only candidates whose ``last_conv`` keeps a joint axis
    compete (the joint, hybrid and graph networks), since the explanations must resolve joints.
    """
    with_joints = [
        name
        for name in ranked
        if table[name]["params"].get("architecture") in ("joint", "hybrid", "graph")
    ]
    thresholds = {}
    for dataset in table[with_joints[0]]["per_dataset"]:
        best = max(with_joints, key=lambda name: table[name]["per_dataset"][dataset]["cv_accuracy"])
        score = table[best]["per_dataset"][dataset]
        thresholds[dataset] = score["cv_accuracy"] - score["standard_error"]
    close = [
        name
        for name in with_joints
        if all(
            table[name]["per_dataset"][dataset]["cv_accuracy"] >= threshold
            for dataset, threshold in thresholds.items()
        )
    ]
    if not close:  # no candidate is near the best everywhere: the best worst case
        close = [
            max(
                with_joints,
                key=lambda name: min(s["cv_accuracy"] for s in table[name]["per_dataset"].values()),
            )
        ]
    cheapest = min(close, key=lambda name: table[name]["fit_ms_per_recording"])
    return {
        "candidate": cheapest,
        "rule": "cheapest with a joint axis within one standard error of the best on every set",
        "thresholds": thresholds,
        "within_one_standard_error": close,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summarise", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--candidates", nargs="*", default=list(CANDIDATES))
    parser.add_argument("--datasets", nargs="*", default=["UTKinect", "NATOPS", "make_gestures"])
    args = parser.parse_args()
    from utkinect import DEFAULT_ROOT

    if not DEFAULT_ROOT.is_dir() and not args.summarise:
        print(f"skipped: UTKinect-Action3D is not in {DEFAULT_ROOT} (../shared beside the repo)")
        return
    if not args.summarise:
        sets = _datasets()
        tasks = [
            (candidate, dataset, fold)
            for dataset in args.datasets
            for candidate in args.candidates
            for fold in range(len(sets[dataset][2]))
        ]
        run_parallel([lambda task=task: _measure(*task) for task in tasks], args.jobs)
    summarise()


if __name__ == "__main__":
    main()
