"""Live recognition: latency of StreamingRecognizer.update against one batch predict.

The default ``CNNClassifier`` (its architecture and sizes; trained for 30 epochs instead of up
to 100, which changes its weights but not its cost) learns NATOPS's training split. Then 45
test recordings of the six gestures, in random orders, are replayed back to back, one frame
per ``update`` call, as a live application would feed them, with a window of 51 frames (the
length of a NATOPS recording), a step of one frame and majority smoothing over 5 steps. All
on one torch thread.

Reported: the time of one ``update`` that completes a step (it runs the window through the
classifier), against one ``predict_proba`` of the same window as a batch of one, timed right
after it (the machine may be shared: both then see the same load), and against the time per
window when all windows go through ``predict_proba`` in one batch; and how far the label
changes fall from the true boundaries between gestures.

    OMP_NUM_THREADS=1 python benchmarks/stream.py
"""

from __future__ import annotations

import time

import numpy as np
import torch
from _common import write_result

WINDOW, STEP, SMOOTHING_STEPS = 51, 1, 5
N_REPEATS = 8  # sequences of the six gestures


def replay(classes, X, y, seed=0):
    """Test recordings of the six gestures in random orders, never twice the same in a row."""
    rng = np.random.default_rng(seed)
    order = [
        np.flatnonzero(y == classes[gesture])[repeat]
        for repeat in range(N_REPEATS)
        for gesture in rng.permutation(len(classes))
    ]
    order = [i for k, i in enumerate(order) if k == 0 or y[i] != y[order[k - 1]]]
    return np.concatenate(X[order]), order


def percentiles_ms(seconds):
    ms = 1000 * np.asarray(seconds)
    return {
        "median": float(np.median(ms)),
        "p95": float(np.percentile(ms, 95)),
        "max": float(ms.max()),
    }


def main():
    from skgesture import CNNClassifier
    from skgesture.datasets import load_natops
    from skgesture.stream import StreamingRecognizer

    torch.set_num_threads(1)
    X, y = load_natops("train", return_X_y=True)
    start = time.perf_counter()
    clf = CNNClassifier(max_epochs=30, random_state=0, n_threads=1).fit(X, y)
    fit_seconds = time.perf_counter() - start
    X_test, y_test = load_natops("test", return_X_y=True)
    stream, order = replay(clf.classes_, X_test, y_test)

    recognizer = StreamingRecognizer(
        clf, window=WINDOW, step=STEP, smoothing="majority", smoothing_steps=SMOOTHING_STEPS
    )
    recognizer.update(stream[: WINDOW - 1])  # fill the window: no step yet
    windows = np.lib.stride_tricks.sliding_window_view(stream, WINDOW, axis=0)
    windows = np.ascontiguousarray(windows.transpose(0, 3, 1, 2))  # (n_windows, frames, j, c)
    # Each update is timed beside a predict of the same window, so that both see the same load.
    update_seconds, predict_seconds, steps = [], [], []
    for frame, window in zip(stream[WINDOW - 1 :], windows, strict=True):
        start = time.perf_counter()
        steps.append(recognizer.update(frame[np.newaxis]))
        update_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        clf.predict_proba(window[np.newaxis])
        predict_seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    clf.predict_proba(windows)
    batch_seconds_per_window = (time.perf_counter() - start) / len(windows)

    labels = np.concatenate([s.labels for s in steps])
    frames = np.concatenate([s.frames for s in steps])
    middle = frames - WINDOW / 2 - (SMOOTHING_STEPS - 1) / 2
    changes = middle[1:][labels[1:] != labels[:-1]]
    boundaries = WINDOW * np.arange(1, len(order))
    errors = np.array([np.min(np.abs(changes - b)) for b in boundaries])

    update_ms = percentiles_ms(update_seconds)
    predict_ms = percentiles_ms(predict_seconds)
    payload = {
        "model": "CNNClassifier() defaults, max_epochs=30, one torch thread",
        "fit_seconds": fit_seconds,
        "test_accuracy": float(np.mean(clf.predict(X_test) == y_test)),
        "window": WINDOW,
        "step": STEP,
        "smoothing": f"majority over {SMOOTHING_STEPS} steps",
        "n_updates": len(update_seconds),
        "update_ms": update_ms,
        "predict_one_window_ms": predict_ms,
        "batch_predict_ms_per_window": 1000 * batch_seconds_per_window,
        "update_over_predict_one_window": update_ms["median"] / predict_ms["median"],
        "update_over_batch_predict_per_window": update_ms["median"]
        / (1000 * batch_seconds_per_window),
        "replay": {
            "n_recordings": len(order),
            "n_boundaries": len(boundaries),
            "n_label_changes": len(changes),
            "boundary_error_frames": {
                "median": float(np.median(errors)),
                "mean": float(np.mean(errors)),
                "p90": float(np.percentile(errors, 90)),
                "max": float(errors.max()),
            },
            "share_within_5_frames": float(np.mean(errors <= 5)),
        },
    }
    ratio = payload["update_over_predict_one_window"]
    print(
        f"update {update_ms['median']:.2f} ms (p95 {update_ms['p95']:.2f}) vs predict of one "
        f"window {predict_ms['median']:.2f} ms: ratio {ratio:.2f}; batch predict "
        f"{1000 * batch_seconds_per_window:.3f} ms per window; boundary error "
        f"median {np.median(errors):.1f} frames",
        flush=True,
    )
    write_result("stream", payload)


if __name__ == "__main__":
    main()
