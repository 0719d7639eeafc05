"""Single-recording latency of an exported model in onnxruntime against torch, on one thread.

The default ``CNNClassifier`` sees the paper's input size, ``make_gestures`` recordings padded
to 100 frames x 79 joints x 3 coordinates, and is trained for one epoch (latency does not
depend on the weights). Then one recording is classified many times, one call at a time, by

- ``predict_proba``: what a Python user calls (validation, standardisation, network);
- the torch module that gets exported (preprocessing and network, no validation);
- onnxruntime running the exported file (``clf.to_onnx``), one intra-op thread;

and the median and 90th percentile of each are written to ``results/onnx_latency.json``. The
three give the same probabilities (checked here to 1e-5). Under a minute on 2 cores.

    python benchmarks/onnx_latency.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _common import write_result

N_CALLS = 1000
N_WARM_UP = 20


def _latency(call):
    """Median and 90th percentile, in milliseconds, of ``call()`` run one at a time."""
    for _ in range(N_WARM_UP):
        call()
    times = []
    for _ in range(N_CALLS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    times_ms = 1000 * np.asarray(times)
    return {
        "median_ms": float(statistics.median(times_ms)),
        "p90_ms": float(np.percentile(times_ms, 90)),
        "calls": N_CALLS,
    }


def run():
    import onnxruntime

    from skgesture import CNNClassifier, SkeletonPadder
    from skgesture.datasets import make_gestures
    from skgesture.export.onnx import exportable_module
    from skgesture.utils import recording_lengths

    torch.set_num_threads(1)
    gestures = make_gestures(24, random_state=0)
    X = SkeletonPadder(max_frames=100).fit_transform(gestures.data)
    clf = CNNClassifier(max_epochs=1, early_stopping=False, random_state=0, n_threads=1)
    clf.fit(X, gestures.target)
    longest = int(np.argmax(recording_lengths(X)))
    recording = X[longest : longest + 1]  # (1, 100, 79, 3), zero-padded after its true length
    lengths = recording_lengths(recording)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cnn.onnx"
        start = time.perf_counter()
        clf.to_onnx(path)
        export_seconds = time.perf_counter() - start
        model_bytes = path.stat().st_size
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )

    inputs = {"positions": recording, "lengths": lengths}
    module, _ = exportable_module(clf)
    positions, lengths_t = torch.from_numpy(recording), torch.from_numpy(lengths)

    def torch_module():
        with torch.no_grad():
            return module(positions, lengths_t)

    proba = clf.predict_proba(recording)
    difference = max(
        float(np.max(np.abs(session.run(None, inputs)[0] - proba))),
        float(np.max(np.abs(torch_module().numpy() - proba))),
    )
    assert difference <= 1e-5, difference

    latency = {
        "torch predict_proba": _latency(lambda: clf.predict_proba(recording)),
        "torch module (exported graph, no validation)": _latency(torch_module),
        "onnxruntime": _latency(lambda: session.run(None, inputs)),
    }
    onnx_ms = latency["onnxruntime"]["median_ms"]
    for entry in latency.values():
        entry["vs_onnxruntime"] = entry["median_ms"] / onnx_ms
    for name, entry in latency.items():
        print(f"{name}: median {entry['median_ms']:.2f} ms, p90 {entry['p90_ms']:.2f} ms")
    return write_result(
        "onnx_latency",
        {
            "input": "1 recording x 100 frames x 79 joints x 3, one thread",
            "true_frames": int(lengths[0]),
            "model": "CNNClassifier() defaults, 1 training epoch",
            "onnxruntime": onnxruntime.__version__,
            "parameters": sum(p.numel() for p in clf.net_.module_.parameters()),
            "export_seconds": export_seconds,
            "model_kib": model_bytes / 1024,
            "max_probability_difference": difference,
            "latency": latency,
        },
    )


if __name__ == "__main__":
    run()
