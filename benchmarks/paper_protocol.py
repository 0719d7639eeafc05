"""The paper's protocol (Table 1) on synthetic MocapLab-like data.

111 recordings from ``make_gestures`` (79 joints, up to 100 frames, Mono/Bi), split 66 train /
11 validation / 34 test (stratified; the validation part drives early stopping with patience 10,
as the paper), over several seeds. Reports test accuracy of FC, CNN and LSTM and lists the
misclassified test recordings. The paper reports FC 97%, CNN 100%, LSTM 100% on its own data.

    python benchmarks/paper_protocol.py --seeds 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import mean_std, write_result
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder
from skgesture.datasets import make_gestures

PAPER_TABLE_1 = {"FCClassifier": 0.97, "CNNClassifier": 1.00, "LSTMClassifier": 1.00}


def minirocket_run(seed, X_fit, y_fit, X_test, y_test, test_idx):
    """The reference: MiniRocket on the zero-padded recordings (it needs equal lengths)."""
    from aeon.classification.convolution_based import MiniRocketClassifier

    padder = SkeletonPadder(max_frames=100)

    def channels_first(X):
        padded = padder.fit_transform(X)
        return padded.reshape(len(padded), padded.shape[1], -1).transpose(0, 2, 1)

    start = time.perf_counter()
    reference = MiniRocketClassifier(random_state=seed).fit(channels_first(X_fit), y_fit)
    fit_seconds = time.perf_counter() - start
    predicted = reference.predict(channels_first(X_test))
    wrong = np.flatnonzero(predicted != y_test)
    print(f"seed {seed} MiniRocket: {np.mean(predicted == y_test):.3f}", flush=True)
    return {
        "seed": seed,
        "accuracy": float(np.mean(predicted == y_test)),
        "fit_seconds": fit_seconds,
        "misclassified": [int(test_idx[i]) for i in wrong],
    }


def run(n_seeds):
    runs = {}
    for seed in range(n_seeds):
        gestures = make_gestures(random_state=seed)
        indices = np.arange(len(gestures.target))
        fit_idx, test_idx = train_test_split(
            indices, test_size=34, stratify=gestures.target, random_state=seed
        )
        X_fit = [gestures.data[i] for i in fit_idx]
        X_test = [gestures.data[i] for i in test_idx]
        y_fit, y_test = gestures.target[fit_idx], gestures.target[test_idx]
        runs.setdefault("MiniRocket (aeon)", []).append(
            minirocket_run(seed, X_fit, y_fit, X_test, y_test, test_idx)
        )
        for name, estimator in {
            "FCClassifier": FCClassifier,
            "CNNClassifier": CNNClassifier,
            "LSTMClassifier": LSTMClassifier,
        }.items():
            classifier = estimator(
                early_stopping=True,
                validation_fraction=11 / 77,
                patience=10,
                random_state=seed,
                verbose=0,
            )
            model = Pipeline([("pad", SkeletonPadder()), ("clf", classifier)])
            start = time.perf_counter()
            model.fit(X_fit, y_fit)
            fit_seconds = time.perf_counter() - start
            predicted = model.predict(X_test)
            wrong = np.flatnonzero(predicted != y_test)
            runs.setdefault(name, []).append(
                {
                    "seed": seed,
                    "accuracy": float(np.mean(predicted == y_test)),
                    "fit_seconds": fit_seconds,
                    "misclassified": [
                        {
                            "recording": int(test_idx[i]),
                            "true": str(y_test[i]),
                            "predicted": str(predicted[i]),
                            "n_frames": len(X_test[i]),
                        }
                        for i in wrong
                    ],
                }
            )
            print(
                f"seed {seed} {name}: {np.mean(predicted == y_test):.3f} "
                f"({len(wrong)} wrong) in {fit_seconds:.0f} s",
                flush=True,
            )
    summary = {
        name: {
            "accuracy": mean_std([r["accuracy"] for r in rs]),
            "fit_seconds": mean_std([r["fit_seconds"] for r in rs]),
            "n_seeds": len(rs),
            "paper": PAPER_TABLE_1.get(name),
        }
        for name, rs in runs.items()
    }
    return write_result(
        "paper_protocol",
        {"summary": summary, "runs": runs, "split": {"train": 66, "validation": 11, "test": 34}},
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    run(parser.parse_args().seeds)
