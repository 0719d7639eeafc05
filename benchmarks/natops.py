"""NATOPS (180 train / 180 test): test accuracy of each classifier over several seeds.

MiniRocket (aeon's, or benchmarks/minirocket.py where aeon is not installed) runs in the same
script as the reference. Published 30-resample means for
NATOPS (UEA archive bake-offs): ResNet 0.971, InceptionTime 0.966, ROCKET 0.885, DTW 0.820.

Each (seed, model) run is saved as soon as it ends (``results/natops_runs/``), so an interrupted
benchmark resumes where it stopped, and seeds can be split across processes:

    python benchmarks/natops.py --seeds 0 1 2 3 4     # run (or resume) these seeds
    python benchmarks/natops.py --summarise           # write results/natops.json
"""

from __future__ import annotations

import argparse
import time

from _common import RESULTS_DIR, cached_run, load_runs, summarise_runs, write_result
from minirocket import MINIROCKET_NAME, minirocket_classifier
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder
from skgesture.datasets import load_natops

PUBLISHED = {"ResNet": 0.971, "InceptionTime": 0.966, "ROCKET": 0.885, "DTW": 0.820}
RUNS_DIR = RESULTS_DIR / "natops_runs"
REFERENCE = MINIROCKET_NAME


def candidates(seed):
    return {
        "CNNClassifier": CNNClassifier(random_state=seed),
        "CNNClassifier(architecture='temporal')": CNNClassifier(
            architecture="temporal", random_state=seed
        ),
        "FCClassifier": FCClassifier(random_state=seed),
        "LSTMClassifier": LSTMClassifier(random_state=seed),
    }


def _channels_first(data):
    """aeon wants (n_cases, n_channels, n_timepoints)."""
    return data.reshape(len(data), data.shape[1], -1).transpose(0, 2, 1)


def measure(classifier, train, test):
    model = Pipeline([("pad", SkeletonPadder()), ("clf", classifier)])
    start = time.perf_counter()
    model.fit(train.data, train.target)
    fit_seconds = time.perf_counter() - start
    return {
        "accuracy": model.score(test.data, test.target),
        "fit_seconds": fit_seconds,
        "epochs": len(classifier.history_),
    }


def measure_minirocket(seed, train, test):
    # aeon's MiniRocket compiles its kernels (numba) on first use: keep that out of its fit time.
    minirocket_classifier(seed).fit(_channels_first(train.data[:12]), train.target[:12])
    reference = minirocket_classifier(seed)
    start = time.perf_counter()
    reference.fit(_channels_first(train.data), train.target)
    fit_seconds = time.perf_counter() - start
    accuracy = float((reference.predict(_channels_first(test.data)) == test.target).mean())
    return {"accuracy": accuracy, "fit_seconds": fit_seconds}


def run_seeds(seeds, train, test):
    for seed in seeds:
        for name, classifier in candidates(seed).items():
            cached_run(RUNS_DIR, seed, name, lambda c=classifier: measure(c, train, test))
    # MiniRocket last: once numba's thread pool has run in a process, torch training in the
    # same process slowed down about fourfold here.
    for seed in seeds:
        cached_run(
            RUNS_DIR, seed, REFERENCE, lambda seed=seed: measure_minirocket(seed, train, test)
        )


def summarise():
    runs = load_runs(RUNS_DIR)
    summary = summarise_runs(runs)
    if REFERENCE not in summary:
        raise SystemExit(
            f"no {REFERENCE} runs in {RUNS_DIR} (runs of another MiniRocket cannot be the "
            "reference): run the seeds again"
        )
    reference_time = summary[REFERENCE]["fit_seconds"]["mean"]
    for entry in summary.values():
        entry["fit_time_vs_minirocket"] = entry["fit_seconds"]["mean"] / reference_time
    return write_result(
        "natops", {"summary": summary, "runs": runs, "published_30_resample_means": PUBLISHED}
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--summarise", action="store_true", help="only write natops.json")
    args = parser.parse_args()
    if not args.summarise:
        train, test = load_natops("train"), load_natops("test")
        run_seeds(args.seeds, train, test)
    summarise()
