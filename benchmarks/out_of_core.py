"""Memory of training in memory vs. out of core (RecordingStore), as the data grows tenfold.

Synthetic recordings (100 frames x 20 joints x 3 coordinates, two classes that differ in one
joint's motion) are written chunk by chunk to one zero-padded ``.npy`` file of about 0.1 and
1 GB. Each (size, mode) is fitted for one epoch in its own process:

- ``in_memory``: the file is loaded into memory and passed as an array, as users do today;
- ``out_of_core``: ``RecordingStore.from_array(path)`` memory-maps it and training reads one
  batch at a time.

What grows with the data is *anonymous* memory (the heap the process owns: ``RssAnon`` in
``/proc/self/status``, sampled every 5 ms because Linux keeps no peak of it). Pages of a
memory-mapped file are counted separately (``RssFile``): the kernel can drop them under
pressure, so they do not limit the data size. The 10x sizes are 0.1 -> 1 GB rather than
0.3 -> 3 GB so that the run takes a few minutes on 2 shared CPU cores.

    OMP_NUM_THREADS=1 python benchmarks/out_of_core.py [--sizes 0.1 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _common import write_result

N_FRAMES, N_JOINTS, N_COORDS = 100, 20, 3
SIZES_GB = (0.1, 1.0)
MODES = ("in_memory", "out_of_core")
CHUNK = 1000  # recordings written at a time


def n_recordings(size_gb):
    return int(size_gb * 1e9 / (N_FRAMES * N_JOINTS * N_COORDS * 4))


def write_dataset(path, n_samples, seed=0):
    """Write a padded dataset chunk by chunk; returns the labels. Never holds it all."""
    from numpy.lib.format import open_memmap

    rng = np.random.default_rng(seed)
    data = open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_samples, N_FRAMES, N_JOINTS, N_COORDS)
    )
    labels = rng.integers(0, 2, size=n_samples)
    time_axis = np.linspace(0, 2 * np.pi, N_FRAMES, dtype=np.float32)
    for start in range(0, n_samples, CHUNK):
        stop = min(start + CHUNK, n_samples)
        chunk = rng.normal(size=(stop - start, N_FRAMES, N_JOINTS, N_COORDS)).astype(np.float32)
        chunk[labels[start:stop] == 1, :, 3, 1] += 2 * np.sin(time_axis)
        lengths = rng.integers(N_FRAMES // 2, N_FRAMES + 1, size=stop - start)
        chunk[np.arange(N_FRAMES) >= lengths[:, np.newaxis]] = 0
        data[start:stop] = chunk
    data.flush()
    del data
    return labels


def _memory_kb():
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


class AnonPeak:
    """Peak of RssAnon, sampled in a background thread (Linux records no peak of it)."""

    def __init__(self, interval=0.005):
        self.interval = interval
        self.peak_kb = _memory_kb()["RssAnon"]
        self.peak_file_kb = _memory_kb()["RssFile"]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            memory = _memory_kb()
            self.peak_kb = max(self.peak_kb, memory["RssAnon"])
            self.peak_file_kb = max(self.peak_file_kb, memory["RssFile"])
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure(path, labels_path, mode):
    """One fit in this process; returns its memory and time."""
    import torch

    from skgesture import CNNClassifier
    from skgesture.store import RecordingStore

    torch.set_num_threads(1)
    y = np.load(labels_path)
    clf = CNNClassifier(
        architecture="temporal",
        n_filters=8,
        n_blocks=0,
        kernel_size=5,
        max_epochs=1,
        batch_size=256,
        early_stopping=False,
        random_state=0,
        n_threads=1,
    )
    # Import-time memory (torch, numpy, ...) is the same for both modes.
    baseline_kb = _memory_kb()["RssAnon"]
    with AnonPeak() as peak:
        start = time.perf_counter()
        X = np.load(path) if mode == "in_memory" else RecordingStore.from_array(path)
        clf.fit(X, y)
        seconds = time.perf_counter() - start
    return {
        "baseline_anon_mb": baseline_kb / 1024,
        "peak_anon_mb": peak.peak_kb / 1024,
        "peak_anon_above_baseline_mb": (peak.peak_kb - baseline_kb) / 1024,
        "peak_file_backed_mb": peak.peak_file_kb / 1024,
        "peak_rss_mb": _memory_kb()["VmHWM"] / 1024,
        "fit_seconds": seconds,
        "train_loss": float(clf.history_[-1, "train_loss"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("DATA", "LABELS", "MODE"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--sizes", type=float, nargs=2, default=SIZES_GB, metavar=("SMALL_GB", "LARGE_GB")
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for size_gb in args.sizes:
            n_samples = n_recordings(size_gb)
            path = Path(folder) / f"gestures_{size_gb}.npy"
            labels_path = Path(folder) / f"labels_{size_gb}.npy"
            np.save(labels_path, write_dataset(path, n_samples))
            for mode in MODES:
                command = [sys.executable, __file__, "--child", str(path), str(labels_path), mode]
                output = subprocess.run(command, capture_output=True, text=True, check=True)
                run = {
                    "size_gb": path.stat().st_size / 1e9,
                    "n_recordings": n_samples,
                    "mode": mode,
                    **json.loads(output.stdout.strip().splitlines()[-1]),
                }
                print(
                    f"{run['size_gb']:.2f} GB {mode:12s} peak anonymous "
                    f"{run['peak_anon_mb']:7.0f} MB (+{run['peak_anon_above_baseline_mb']:.0f} "
                    f"over imports), file-backed {run['peak_file_backed_mb']:6.0f} MB, "
                    f"fit {run['fit_seconds']:.0f} s",
                    flush=True,
                )
                runs.append(run)
            path.unlink()

    def growth(mode):
        small, large = (r for r in runs if r["mode"] == mode)
        return large["peak_anon_above_baseline_mb"] / max(small["peak_anon_above_baseline_mb"], 1)

    write_result(
        "out_of_core",
        {
            "recording_shape": [N_FRAMES, N_JOINTS, N_COORDS],
            "model": "CNNClassifier(architecture='temporal', n_filters=8, n_blocks=0), 1 epoch, "
            "batch_size=256, one torch thread",
            "runs": runs,
            "data_growth": args.sizes[1] / args.sizes[0],
            "anon_growth_over_imports": {mode: growth(mode) for mode in MODES},
        },
    )


if __name__ == "__main__":
    main()
