"""Cost of one ``SSLClassifier()`` pre-training on the paper's Table 2 data, old and new trunk.

Issue 20: pre-training on the Table 2 protocol should take at most 3 CPU-minutes per fit. The data
are those of ``paper_ssl.py``: the 111 recordings of ``make_gestures(random_state=seed)`` (79
joints, up to 100 frames), all of which the pre-training sees. The fit is the one
``SSLClassifier()`` runs: ``AutoencoderPretrainer`` with its default ``objective`` and
``max_epochs=pretrain_epochs``, every other parameter the pretrainer's default, one torch thread. It
is timed with the trunk the pretrainer had before (``n_filters=48``, every frame) and with its
default now (the ``CNNClassifier`` default trunk: 24 filters, ``downsample="auto"``, which halves
the frames of these 100-frame recordings), in the same process, one after the other. CPU time is
``time.process_time`` (every thread of this process; with one torch thread it is the work done,
whatever else runs on the machine); wall time depends on that load.

A full 48-filter fit takes 19 CPU-minutes by this extrapolation (earlier notes said about 30), so by
default both trunks are timed over ``--epochs`` epochs (5) and the cost of a full fit is
extrapolated per epoch: ``pretrain_epochs * CPU-seconds / epochs run``. This includes the one-off
set-up in every epoch's share, and is an upper bound when early stopping would end the fit sooner.
``--epochs 0`` times full fits instead.

    python benchmarks/ssl_cost.py                 # 5 epochs of each trunk, extrapolated
    python benchmarks/ssl_cost.py --epochs 0      # full fits (about 19 + 8 CPU-minutes)

Writes ``results/ssl_cost.json``."""

from __future__ import annotations

import argparse
import os
import time

from _common import write_result

from skgesture.datasets import make_gestures
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

#: The pretrainer's trunk before it followed ``CNNClassifier``'s: 48 filters, every frame.
OLD_TRUNK = {"n_filters": 48, "downsample": 1}
TARGET_CPU_MINUTES = 3.0


def time_fit(X, trunk, max_epochs, seed):
    """CPU and wall seconds of one default pre-training with the ``trunk`` parameters."""
    reference = SSLClassifier()
    pretrainer = AutoencoderPretrainer(
        objective=reference.objective,
        max_epochs=max_epochs,
        random_state=seed,
        n_threads=1,
        **trunk,
    )
    cpu, wall = time.process_time(), time.perf_counter()
    pretrainer.fit(X)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n_epochs = len(pretrainer.history_)
    full = reference.pretrain_epochs
    return {
        "n_filters": pretrainer.n_filters,
        "downsample": pretrainer.downsample_,
        "epochs_run": n_epochs,
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "cpu_seconds_per_epoch": cpu / n_epochs,
        "full_fit_cpu_minutes": full * cpu / n_epochs / 60,
        "full_fit_wall_minutes": full * wall / n_epochs / 60,
        "extrapolated": n_epochs != full,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="0: full fits")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    reference = SSLClassifier()
    max_epochs = args.epochs or reference.pretrain_epochs
    X = make_gestures(random_state=args.seed).data
    fits = {}
    for label, trunk in (("old", OLD_TRUNK), ("new", {})):
        fits[label] = time_fit(X, trunk, max_epochs, args.seed)
        print(label, fits[label], flush=True)
    new = fits["new"]["full_fit_cpu_minutes"]
    write_result(
        "ssl_cost",
        {
            "data": f"make_gestures(random_state={args.seed}): {len(X)} recordings, 79 joints",
            "objective": reference.objective,
            "pretrain_epochs": reference.pretrain_epochs,
            "epochs_timed": max_epochs,
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
            "fits": fits,
            "cpu_ratio_old_over_new": fits["old"]["full_fit_cpu_minutes"] / new,
            "target_cpu_minutes": TARGET_CPU_MINUTES,
            "target_met": bool(new <= TARGET_CPU_MINUTES),
        },
    )


if __name__ == "__main__":
    main()
