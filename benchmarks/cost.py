"""Cost on CPU: parameters, training time per sample, single-recording latency, peak memory.

Every model sees the paper's input size: 111 ``make_gestures`` recordings padded to
100 frames x 79 joints x 3 coordinates. The paper's 256x256 CNN (``PaperCNN`` from
``paper_cnn.py``, layer sizes from its public code) is timed for one epoch on a subset rather
than trained to the end, and ours for 5 epochs (time to convergence is in ``natops.json``).
Each model runs in its own process so that peak memory is its own.

    python benchmarks/cost.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from _common import peak_rss_mb, write_result
from paper_cnn import PaperCNN

FIRST_RELEASE = "CNNClassifier (first release: 48 filters, every frame, positions as given)"
JOINT = "CNNClassifier(architecture='joint') (the default until the hybrid)"
OURS = (
    "FCClassifier",
    "CNNClassifier",
    FIRST_RELEASE,
    JOINT,
    "CNNClassifier(architecture='temporal')",
    "LSTMClassifier",
)
PAPER = "paper CNN (256x256, VGG-like)"
N_LATENCY_CALLS = 30


def _data():
    from skgesture import SkeletonPadder
    from skgesture.datasets import make_gestures

    gestures = make_gestures(random_state=0)
    padded = SkeletonPadder(max_frames=100).fit_transform(gestures.data)
    return padded, gestures.target


def _latency_ms(predict, recording):
    predict(recording)  # warm-up
    times = []
    for _ in range(N_LATENCY_CALLS):
        start = time.perf_counter()
        predict(recording)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure_ours(name, n_epochs=5):
    """Default architecture, trained for a few epochs: enough to time an epoch."""
    from sklearn.base import clone

    from skgesture import CNNClassifier, FCClassifier, LSTMClassifier
    from skgesture.datasets import load_natops

    common = {"max_epochs": n_epochs, "early_stopping": False, "random_state": 0, "verbose": 0}
    estimators = {
        "FCClassifier": FCClassifier(**common),
        "CNNClassifier": CNNClassifier(**common),
        FIRST_RELEASE: CNNClassifier(
            architecture="joint",
            n_filters=48,
            downsample=1,
            body_frame=False,
            streams=("joint",),
            **common,
        ),
        JOINT: CNNClassifier(architecture="joint", **common),
        "CNNClassifier(architecture='temporal')": CNNClassifier(architecture="temporal", **common),
        "LSTMClassifier": LSTMClassifier(**common),
    }
    X, y = _data()
    classifier = estimators[name]
    start = time.perf_counter()
    classifier.fit(X, y)
    fit_seconds = time.perf_counter() - start
    epochs = len(classifier.history_)
    parameters = sum(p.numel() for p in classifier.net_.module_.parameters())
    latency = _latency_ms(classifier.predict, X[:1])
    # The same network on a NATOPS-sized recording (51 frames x 8 joints x 3), as users of
    # smaller skeletons see it.
    natops = load_natops("train")
    small = clone(classifier).set_params(max_epochs=1).fit(natops.data, natops.target)
    return {
        "natops_predict_ms_per_recording": _latency_ms(small.predict, natops.data[:1]),
        "parameters": parameters,
        "fit_seconds": fit_seconds,
        "epochs": epochs,
        "train_ms_per_sample": 1000 * fit_seconds / (epochs * len(X)),
        "predict_ms_per_recording": latency,
        "peak_rss_mib": peak_rss_mb(),
    }


def measure_paper(n_samples=16, batch_size=4):
    torch.manual_seed(0)
    X, y = _data()
    x = torch.from_numpy(X[:n_samples])
    target = torch.from_numpy((y[:n_samples] == y[0]).astype(np.int64))
    module = PaperCNN(n_classes=2)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    module.train()
    start = time.perf_counter()
    for i in range(0, n_samples, batch_size):
        optimizer.zero_grad()
        loss = loss_fn(module(x[i : i + batch_size]), target[i : i + batch_size])
        loss.backward()
        optimizer.step()
    epoch_seconds = time.perf_counter() - start
    module.eval()

    def predict(recording):
        with torch.no_grad():
            return module(torch.from_numpy(recording)).argmax(1)

    return {
        "parameters": sum(p.numel() for p in module.parameters()),
        "train_ms_per_sample": 1000 * epoch_seconds / n_samples,
        "timed_samples": n_samples,
        "predict_ms_per_recording": _latency_ms(predict, X[:1]),
        "peak_rss_mib": peak_rss_mb(),
    }


def run():
    models = {}
    for name in (PAPER, *OURS):
        output = subprocess.run(
            [sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True
        ).stdout
        models[name] = json.loads(output.strip().splitlines()[-1])
        print(f"{name}: {models[name]}", flush=True)
    paper_ms = models[PAPER]["train_ms_per_sample"]
    first_ms = models[FIRST_RELEASE]["train_ms_per_sample"]
    for entry in models.values():
        entry["train_time_vs_first_release_cnn"] = entry["train_ms_per_sample"] / first_ms
        entry["train_time_vs_paper_cnn"] = entry["train_ms_per_sample"] / paper_ms
        entry["predict_time_vs_paper_cnn"] = (
            entry["predict_ms_per_recording"] / models[PAPER]["predict_ms_per_recording"]
        )
    return write_result("cost", {"input": "111 x 100 frames x 79 joints x 3", "models": models})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help="measure one model in this process and print JSON")
    args = parser.parse_args()
    if args.one is None:
        run()
    else:
        result = measure_paper() if args.one == PAPER else measure_ours(args.one)
        print(json.dumps(result))
