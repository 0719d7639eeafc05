"""The default CNNClassifier against MiniRocket on real skeleton data, test splits, 5 seeds.

- UTKinect-Action3D (Kinect v1, 20 joints, 10 actions), cross-subject: odd subjects train
  (100 segments), even subjects test (99), ragged segments of 5 to 174 frames passed straight
  to the estimator, as a user would;
- NATOPS (8 joints, 6 gestures), its train/test split;
- "UTKinect-2D": the same UTKinect split with the depth coordinate dropped (x, y only), a
  stand-in for 2-D keypoints estimated from video (which the project has none of).

MiniRocket gets every recording resampled to 64 frames (it needs equal lengths) and runs in the
same process, so fit times compare as a ratio. The defaults were chosen beforehand by
cross-validation on the training parts only (``select_defaults.py``); this script only reports.

    python benchmarks/real_data.py --seeds 0 1 2 3 4
    python benchmarks/real_data.py --summarise

Each (data set, seed, model) run is saved as soon as it ends (``results/real_data_runs/``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import RESULTS_DIR, cached_run, load_runs, summarise_runs, write_result
from minirocket import MINIROCKET_NAME, minirocket_classifier

RUNS_DIR = RESULTS_DIR / "real_data_runs"
DEFAULT = "CNNClassifier()"
DATASETS = ("UTKinect", "NATOPS", "UTKinect-2D")
_LOADED = {}


def _split(name):
    if name not in _LOADED:
        if name.startswith("UTKinect"):
            from utkinect import load_utkinect

            split = load_utkinect()
            train, test = split["train"], split["test"]
            if name == "UTKinect-2D":  # Kinect's x (right) and y (up): the image plane
                for part in (train, test):
                    part.data = [recording[..., :2] for recording in part.data]
        else:
            from skgesture.datasets import load_natops

            train, test = load_natops("train"), load_natops("test")
        _LOADED[name] = (
            list(train.data),
            np.asarray(train.target),
            list(test.data),
            np.asarray(test.target),
        )
    return _LOADED[name]


def _resampled(recordings, n_frames=64):
    """(n_cases, n_channels, n_frames) arrays, each recording linearly resampled."""
    out = []
    for recording in recordings:
        flat = np.asarray(recording, dtype=np.float64).reshape(len(recording), -1)
        old = np.linspace(0.0, 1.0, len(flat))
        new = np.linspace(0.0, 1.0, n_frames)
        out.append(np.stack([np.interp(new, old, channel) for channel in flat.T]))
    return np.stack(out)


def _measure_default(name, seed):
    import torch

    from skgesture import CNNClassifier

    torch.set_num_threads(1)
    X_train, y_train, X_test, y_test = _split(name)
    clf = CNNClassifier(random_state=seed, n_threads=1)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return {"accuracy": float(clf.score(X_test, y_test)), "fit_seconds": seconds}


def _measure_minirocket(name, seed):
    X_train, y_train, X_test, y_test = _split(name)
    train, test = _resampled(X_train), _resampled(X_test)
    minirocket_classifier(seed).fit(train[:12], y_train[:12])  # compile / warm up first
    clf = minirocket_classifier(seed)
    start = time.perf_counter()
    clf.fit(train, y_train)
    seconds = time.perf_counter() - start
    return {"accuracy": float(clf.score(test, y_test)), "fit_seconds": seconds}


def run(seeds):
    for name in DATASETS:
        runs_dir = RUNS_DIR / name
        for seed in seeds:
            cached_run(runs_dir, seed, DEFAULT, lambda n=name, s=seed: _measure_default(n, s))
            cached_run(
                runs_dir, seed, MINIROCKET_NAME, lambda n=name, s=seed: _measure_minirocket(n, s)
            )


def summarise():
    summary = {}
    for name in DATASETS:
        rows = summarise_runs(load_runs(RUNS_DIR / name))
        if DEFAULT in rows and MINIROCKET_NAME in rows:
            ours, theirs = rows[DEFAULT], rows[MINIROCKET_NAME]
            ours["accuracy_minus_minirocket"] = (
                ours["accuracy"]["mean"] - theirs["accuracy"]["mean"]
            )
            ours["fit_time_vs_minirocket"] = (
                ours["fit_seconds"]["mean"] / theirs["fit_seconds"]["mean"]
            )
        summary[name] = rows
    write_result("real_data", {"summary": summary})
    for name, rows in summary.items():
        for model, row in rows.items():
            acc = row["accuracy"]
            print(
                f"{name:9s} {model:40s} {acc['mean']:.3f} +- {acc['std']:.3f} "
                f"fit {row['fit_seconds']['mean']:.1f} s ({row['n_seeds']} seeds)"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--summarise", action="store_true")
    args = parser.parse_args()
    from utkinect import DEFAULT_ROOT

    if not DEFAULT_ROOT.is_dir() and not args.summarise:
        print(f"skipped: UTKinect-Action3D is not in {DEFAULT_ROOT} (../shared beside the repo)")
        return
    if not args.summarise:
        run(args.seeds)
    summarise()


if __name__ == "__main__":
    main()
