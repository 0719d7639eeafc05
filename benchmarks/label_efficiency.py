"""Label efficiency of self-supervised pre-training on NATOPS, paired by seed.

For each seed, ``k`` labelled training recordings per class (k = 1, 2, 3, 5, 10 and all 30)
are drawn; the other training recordings are unlabelled. Each model is scored on the 180 test
recordings:

- ``supervised``: the default ``CNNClassifier`` trained on the labelled recordings only;
- ``ssl-reconstruction`` / ``ssl-contrastive`` / ``ssl-hybrid``: ``SSLClassifier`` with that
  objective, fine-tuned on the labelled recordings from the start (``linear_probe_epochs=0``);
- ``ssl-contrastive-lpft``: contrastive, with 30 epochs of linear probing before fine-tuning;
- ``ssl-contrastive-lpft-st``: the same, then one round of self-training (pseudo-labels of
  probability >= 0.7 from the fine-tuned model);
- ``ssl-contrastive-lpft-st-agree``: the same, pseudo-labelling only the recordings that both
  the fine-tuned model and a CNN trained from scratch on the labelled recordings classify with
  probability >= 0.7: today's ``SSLClassifier()``.

Two studies (``--study``), each with its own saved runs, JSON and plot:

- ``default`` (``results/label_efficiency*``): supervised, ``ssl-contrastive-lpft`` and
  ``ssl-contrastive-lpft-st``, 10 seeds;
- ``objectives`` (``results/label_efficiency_objectives*``): supervised, the three
  objectives fine-tuned from the start, and ``ssl-contrastive-lpft``, 5 seeds.
- ``teacher`` (``results/label_efficiency_teacher*``): supervised, ``ssl-contrastive-lpft-st``
  and ``ssl-contrastive-lpft-st-agree``, 5 seeds, k = 1 to 10 (with all 30 labelled nothing is
  left to pseudo-label and both equal ``ssl-contrastive-lpft``).

Every SSL model is pre-trained on all 180 training recordings (labels hidden), with the
default pretrainer of its objective. The pre-training does not depend on k, so it runs once per
seed and objective and is cached (``benchmarks/cache/``, not committed); fine-tuning gets it
through ``sklearn.frozen.FrozenEstimator``, which gives the same model as letting
``SSLClassifier`` pre-train itself with the same ``random_state``. The models' parameters are
spelled out (not taken from the defaults), so saved runs stay valid when a default changes.

    python benchmarks/label_efficiency.py --seeds 0 1 2 3 4   # run (or resume)
    python benchmarks/label_efficiency.py --summarise         # JSON + plot from saved runs
    python benchmarks/label_efficiency.py --study objectives --device cuda --jobs 12

Each (seed, model, k) run is saved as soon as it ends (``results/<study>_runs/``), with the
device it ran on. ``--jobs`` runs that many fits at once in worker processes (one torch thread
each): pre-training first, then fine-tuning.
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
from _common import (
    RESULTS_DIR,
    SSL_MODELS,
    cached_run,
    load_runs,
    mean_std,
    pretrain_epochs,
    pretrained,
    pretrainer_path,
    run_parallel,
    run_path,
    write_result,
)
from sklearn.frozen import FrozenEstimator

from skgesture import CNNClassifier
from skgesture.datasets import load_natops
from skgesture.ssl import SSLClassifier

LABELS_PER_CLASS = (1, 2, 3, 5, 10, 30)
ALL_MODELS = ("supervised", *SSL_MODELS)
#: Study -> (result name, models); runs are saved in ``results/<result name>_runs/``.
STUDIES = {
    "default": (
        "label_efficiency",
        ("supervised", "ssl-contrastive-lpft", "ssl-contrastive-lpft-st"),
    ),
    "objectives": (
        "label_efficiency_objectives",
        (
            "supervised",
            "ssl-reconstruction",
            "ssl-contrastive",
            "ssl-hybrid",
            "ssl-contrastive-lpft",
        ),
    ),
    "teacher": (
        "label_efficiency_teacher",
        ("supervised", "ssl-contrastive-lpft-st", "ssl-contrastive-lpft-st-agree"),
    ),
}


@functools.cache
def natops(split):
    """NATOPS ``split``, read once per process (each worker reads its own)."""
    return load_natops(split)


def labelled_subset(y, k, seed):
    """Indices of ``k`` recordings per class, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(y == label), k, replace=False) for label in np.unique(y)]
    return np.sort(np.concatenate(chosen))


def measure(model, k, seed, device="cpu", n_threads=None):
    train, test = natops("train"), natops("test")
    X, y = train.data, train.target
    labelled = labelled_subset(y, k, seed)
    common = {"random_state": seed, "device": device, "n_threads": n_threads}
    start = time.perf_counter()
    if model == "supervised":
        clf = CNNClassifier(**common).fit(X[labelled], y[labelled])
    else:
        objective, params = SSL_MODELS[model]
        pretrainer = pretrained("natops", objective, seed, X, device, n_threads)
        y_partial = np.full(len(y), -1, dtype=object)
        y_partial[labelled] = y[labelled]
        clf = SSLClassifier(
            objective=objective,
            pretrainer=FrozenEstimator(pretrainer),
            **common,
            **params,
        ).fit(X, y_partial)
    fit_seconds = time.perf_counter() - start
    return {
        "accuracy": float(np.mean(clf.predict(test.data) == test.target)),
        "fit_seconds": fit_seconds,
        "labels_per_class": k,
        "n_labelled": len(labelled),
        "device": device,
        "n_pseudo_labeled": int(getattr(clf, "n_pseudo_labeled_", 0)),
    }


def _pretrain_task(objective, seed, device, n_threads):
    X = natops("train").data
    pretrained("natops", objective, seed, X, device, n_threads)


def study_runs_dir(study):
    return RESULTS_DIR / f"{STUDIES[study][0]}_runs"


def run_seeds(seeds, labels_per_class, models, runs_dir, device="cpu", jobs=1):
    n_threads = 1 if jobs > 1 else None
    # Model by model (so a run cut short leaves whole models), the longest fits first.
    fits = [
        (seed, k, model)
        for model in models
        for k in sorted(labels_per_class, reverse=True)
        for seed in seeds
        if not run_path(runs_dir, seed, f"{model} k={k}").is_file()
    ]
    # Pre-train what the pending fits need first, so that parallel fits never race for it.
    needed = sorted({(SSL_MODELS[m][0], s) for s, _, m in fits if m in SSL_MODELS})
    run_parallel(
        [
            lambda o=objective, s=seed: _pretrain_task(o, s, device, n_threads)
            for objective, seed in needed
            if not pretrainer_path("natops", objective, seed).is_file()
        ],
        jobs,
    )
    run_parallel(
        [
            lambda m=model, n=k, s=seed: cached_run(
                runs_dir, s, f"{m} k={n}", lambda: measure(m, n, s, device, n_threads)
            )
            for seed, k, model in fits
        ],
        jobs,
    )


def summarise(study):
    name, models = STUDIES[study]
    runs = [run for rs in load_runs(study_runs_dir(study)).values() for run in rs]
    table = {}
    for k in sorted({run["labels_per_class"] for run in runs}):
        by_model = {
            model: {r["seed"]: r["accuracy"] for r in runs if r["model"] == f"{model} k={k}"}
            for model in models
        }
        # Paired comparison: only seeds that every model finished at this k.
        seeds = sorted(set.intersection(*(set(scores) for scores in by_model.values())))
        if not seeds:
            continue
        row = {"seeds": seeds}
        for model, scores in by_model.items():
            row[model] = mean_std([scores[s] for s in seeds])
        for model in models[1:]:
            gains = [by_model[model][s] - by_model["supervised"][s] for s in seeds]
            row[f"{model} - supervised"] = mean_std(gains)
        table[k] = row
    write_result(
        name,
        {
            "data": "NATOPS: 180 training recordings (k per class labelled), 180 test",
            "pretrain_epochs": pretrain_epochs(),
            "devices": sorted({run.get("device", "cpu") for run in runs}),
            "table": {str(k): row for k, row in table.items()},
            "runs": runs,
        },
    )
    plot(table, models, RESULTS_DIR / f"{name}.png")


def plot(table, models, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skgesture.plotting import plot_label_efficiency

    ks = sorted(table)
    fig, ax = plt.subplots(figsize=(6, 4))
    for model in models:
        means = [table[k][model]["mean"] for k in ks]
        stds = [table[k][model]["std"] for k in ks]
        plot_label_efficiency(ks, means, label=model, ax=ax)
        ax.fill_between(ks, np.subtract(means, stds), np.add(means, stds), alpha=0.15)
    n_seeds = min(len(table[k]["seeds"]) for k in ks)
    ax.set(
        xscale="log",
        xlabel="labelled training recordings per class",
        ylabel="NATOPS test accuracy",
        title=f"Label efficiency (mean and std over {n_seeds} seeds, paired)",
    )
    ax.set_xticks(ks, [str(k) for k in ks])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default="default", choices=sorted(STUDIES))
    parser.add_argument("--seeds", type=int, nargs="*", default=list(range(10)))
    parser.add_argument("--k", type=int, nargs="*", default=list(LABELS_PER_CLASS))
    parser.add_argument(
        "--models", nargs="*", choices=ALL_MODELS, help="only these of the study's models"
    )
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--jobs", type=int, default=1, help="fits run at once")
    parser.add_argument("--summarise", action="store_true", help="only write the summary")
    args = parser.parse_args()
    if not args.summarise:
        models = args.models or STUDIES[args.study][1]
        run_seeds(args.seeds, args.k, models, study_runs_dir(args.study), args.device, args.jobs)
    summarise(args.study)
