"""NATOPS (180 train / 180 test): test accuracy of each classifier over several seeds.

MiniRocket (aeon) runs in the same script as the reference. Published 30-resample means for
NATOPS (UEA archive bake-offs): ResNet 0.971, InceptionTime 0.966, ROCKET 0.885, DTW 0.820.

    python benchmarks/natops.py --seeds 5
"""

from __future__ import annotations

import argparse
import time

from _common import mean_std, write_result
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder
from skgesture.datasets import load_natops

PUBLISHED = {"ResNet": 0.971, "InceptionTime": 0.966, "ROCKET": 0.885, "DTW": 0.820}


def candidates(seed):
    return {
        "CNNClassifier": CNNClassifier(random_state=seed, verbose=0),
        "CNNClassifier(architecture='temporal')": CNNClassifier(
            architecture="temporal", random_state=seed, verbose=0
        ),
        "FCClassifier": FCClassifier(random_state=seed, verbose=0),
        "LSTMClassifier": LSTMClassifier(random_state=seed, verbose=0),
    }


def minirocket(seed):
    from aeon.classification.convolution_based import MiniRocketClassifier

    return MiniRocketClassifier(random_state=seed)


def run(n_seeds):
    train, test = load_natops("train"), load_natops("test")
    # aeon wants (n_cases, n_channels, n_timepoints).
    flat_train = train.data.reshape(len(train.data), 51, -1).transpose(0, 2, 1)
    flat_test = test.data.reshape(len(test.data), 51, -1).transpose(0, 2, 1)
    runs = {}
    for seed in range(n_seeds):
        for name, classifier in candidates(seed).items():
            model = Pipeline([("pad", SkeletonPadder()), ("clf", classifier)])
            start = time.perf_counter()
            model.fit(train.data, train.target)
            fit_seconds = time.perf_counter() - start
            accuracy = model.score(test.data, test.target)
            runs.setdefault(name, []).append(
                {
                    "seed": seed,
                    "accuracy": accuracy,
                    "fit_seconds": fit_seconds,
                    "epochs": len(classifier.history_),
                }
            )
            print(f"seed {seed} {name}: {accuracy:.3f} in {fit_seconds:.0f} s", flush=True)
        reference = minirocket(seed)
        start = time.perf_counter()
        reference.fit(flat_train, train.target)
        fit_seconds = time.perf_counter() - start
        accuracy = float((reference.predict(flat_test) == test.target).mean())
        runs.setdefault("MiniRocket (aeon)", []).append(
            {"seed": seed, "accuracy": accuracy, "fit_seconds": fit_seconds}
        )
        print(f"seed {seed} MiniRocket: {accuracy:.3f} in {fit_seconds:.0f} s", flush=True)
    summary = {
        name: {
            "accuracy": mean_std([r["accuracy"] for r in rs]),
            "fit_seconds": mean_std([r["fit_seconds"] for r in rs]),
            "n_seeds": len(rs),
        }
        for name, rs in runs.items()
    }
    reference_time = summary["MiniRocket (aeon)"]["fit_seconds"]["mean"]
    for entry in summary.values():
        entry["fit_time_vs_minirocket"] = entry["fit_seconds"]["mean"] / reference_time
    return write_result(
        "natops", {"summary": summary, "runs": runs, "published_30_resample_means": PUBLISHED}
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    run(parser.parse_args().seeds)
