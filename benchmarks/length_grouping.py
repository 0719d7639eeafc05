"""Length-grouped training batches against random ones: accuracy and fit time, paired.

Batches of recordings of similar length carry less padding, so a variable-length network processes
fewer frames per epoch (on UTKinect's segments, about half). Such batching
(:func:`length_grouped_batches`, handed to skorch as ``net_params={"iterator_train":
LengthGroupedLoader}``) would be on by default only if cross-validation on *training* data said
accuracy holds. This script measures it, pairing each fit with one of the default
``CNNClassifier()`` (random batches) on the same fold and seed:

- UTKinect-Action3D training subjects (100 segments of 7 to 174 frames), leave-one-subject-out,
  3 network seeds per fold (15 pairs);
- ``make_gestures`` (the paper's input size, 40 to 100 frames), 3-fold stratified, 1 seed.

NATOPS is left out: its recordings all have 51 frames, so grouping by length leaves batches to
chance as a shuffling ``DataLoader`` does.

Result (``results/length_grouping.json``): on UTKinect 0.897 against 0.913 with random batches, at
about 0.7 times the fit time; not adopted (see ``docs/design.md``). Fits run with one torch thread,
two at a time; each pair runs back to back in one process, so its time ratio compares like with
like.

    python benchmarks/length_grouping.py          # about 15 minutes on 2 cores
    python benchmarks/length_grouping.py --summarise
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from _common import RESULTS_DIR, run_parallel, write_result
from scipy import stats
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold
from torch.utils.data import DataLoader, Subset

RUNS_DIR = RESULTS_DIR / "length_grouping_runs"
SEEDS = {"UTKinect": (0, 1, 2), "make_gestures": (0,)}
#: Half-width of the noise on log-lengths: lengths within about 20 % trade places freely.
SPREAD = 0.2


def length_grouped_batches(lengths, batch_size, spread=SPREAD):
    """Batches of recordings of similar length, in random order (torch's global generator).

    Recordings are sorted by log-length plus uniform noise in ``[-spread, spread]``, cut into
    consecutive batches, and the batches shuffled.
    """
    lengths = np.asarray(lengths, dtype=np.float64)
    noise = (torch.rand(len(lengths), dtype=torch.float64).numpy() * 2 - 1) * spread
    order = np.argsort(np.log(np.maximum(lengths, 1)) + noise, kind="stable")
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches)).tolist()]


class _Batches:
    def __init__(self, lengths, batch_size):
        self.lengths, self.batch_size = lengths, batch_size

    def __len__(self):
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        return iter(length_grouped_batches(self.lengths, self.batch_size))


class LengthGroupedLoader(DataLoader):
    """skorch's training iterator with :func:`length_grouped_batches` drawn at each epoch."""

    def __init__(self, dataset, batch_size=1, shuffle=False, **kwargs):
        if isinstance(dataset, Subset):  # skorch's validation split
            lengths = np.asarray(dataset.dataset.X["lengths"])[np.asarray(dataset.indices)]
        else:
            lengths = np.asarray(dataset.X["lengths"])
        super().__init__(dataset, batch_sampler=_Batches(lengths, batch_size), **kwargs)


def _datasets():
    from utkinect import load_utkinect

    from skgesture.datasets import make_gestures

    utk = load_utkinect()["train"]
    X, y = list(utk.data), np.asarray(utk.target)
    subjects = np.array([group.split("_")[0] for group in utk.groups])
    gestures = make_gestures(random_state=0)
    Xg, yg = list(gestures.data), np.asarray(gestures.target)
    return {
        "UTKinect": (X, y, list(LeaveOneGroupOut().split(X, y, subjects))),
        "make_gestures": (
            Xg,
            yg,
            list(StratifiedKFold(3, shuffle=True, random_state=0).split(Xg, yg)),
        ),
    }


def _measure(dataset, fold, seed):
    path = RUNS_DIR / f"{dataset}__fold{fold}__seed{seed}.json"
    if path.exists():
        return json.loads(path.read_text())
    from skgesture import CNNClassifier

    torch.set_num_threads(1)
    X, y, folds = _datasets()[dataset]
    train, valid = folds[fold]
    run = {"dataset": dataset, "fold": fold, "seed": seed}
    variants = {"grouped": {"iterator_train": LengthGroupedLoader}, "random": None}
    for name, net_params in variants.items():
        clf = CNNClassifier(random_state=seed, n_threads=1, net_params=net_params)
        start = time.perf_counter()
        clf.fit([X[i] for i in train], y[train])
        run[f"{name}_fit_seconds"] = time.perf_counter() - start
        run[f"{name}_accuracy"] = float(clf.score([X[i] for i in valid], y[valid]))
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run, indent=1))
    print(
        f"{dataset} fold {fold} seed {seed}: grouped {run['grouped_accuracy']:.3f} "
        f"random {run['random_accuracy']:.3f}, time ratio "
        f"{run['grouped_fit_seconds'] / run['random_fit_seconds']:.2f}",
        flush=True,
    )
    return run


def summarise():
    runs = [json.loads(path.read_text()) for path in sorted(RUNS_DIR.glob("*.json"))]
    summary = {}
    for dataset in SEEDS:
        mine = [run for run in runs if run["dataset"] == dataset]
        if not mine:
            continue
        diff = np.array([run["grouped_accuracy"] - run["random_accuracy"] for run in mine])
        ratio = np.array([run["grouped_fit_seconds"] / run["random_fit_seconds"] for run in mine])
        half = (
            stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
            if len(diff) > 1
            else float("nan")
        )
        summary[dataset] = {
            "n_pairs": len(mine),
            "grouped_accuracy": float(np.mean([run["grouped_accuracy"] for run in mine])),
            "random_accuracy": float(np.mean([run["random_accuracy"] for run in mine])),
            "accuracy_difference": float(diff.mean()),
            "difference_95_interval": [float(diff.mean() - half), float(diff.mean() + half)],
            "fit_time_ratio_median": float(np.median(ratio)),
        }
        row = summary[dataset]
        print(
            f"{dataset}: grouped {row['grouped_accuracy']:.3f} vs random "
            f"{row['random_accuracy']:.3f} (difference {row['accuracy_difference']:+.3f}, "
            f"95% [{row['difference_95_interval'][0]:+.3f}, "
            f"{row['difference_95_interval'][1]:+.3f}], {len(mine)} pairs); fit time "
            f"x{row['fit_time_ratio_median']:.2f}"
        )
    write_result("length_grouping", {"summary": summary, "runs": runs})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summarise", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from utkinect import DEFAULT_ROOT

    if not DEFAULT_ROOT.is_dir() and not args.summarise:
        print(f"skipped: UTKinect-Action3D is not in {DEFAULT_ROOT} (../shared beside the repo)")
        return
    if not args.summarise:
        sets = _datasets()
        tasks = [
            (dataset, fold, seed)
            for dataset, seeds in SEEDS.items()
            for seed in seeds
            for fold in range(len(sets[dataset][2]))
        ]
        run_parallel([lambda task=task: _measure(*task) for task in tasks], args.jobs)
    summarise()


if __name__ == "__main__":
    main()
