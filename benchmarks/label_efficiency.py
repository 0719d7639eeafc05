"""Label efficiency of self-supervised pre-training on NATOPS, paired by seed.

For each seed, ``k`` labelled training recordings per class (k = 1, 2, 3, 5, 10 and all 30)
are drawn; the other training recordings are unlabelled. Each model is scored on the 180 test
recordings:

- ``supervised``: the default ``CNNClassifier`` trained on the labelled recordings only;
- ``ssl-reconstruction`` / ``ssl-contrastive`` / ``ssl-hybrid``: ``SSLClassifier`` with that
  objective, fine-tuned on the labelled recordings from the start (``linear_probe_epochs=0``);
- ``ssl-contrastive-lpft``: contrastive, with 30 epochs of linear probing before fine-tuning.

Every SSL model is pre-trained on all 180 training recordings (labels hidden), with the
default pretrainer of its objective. The pre-training does not depend on k, so it runs once per
seed and objective and is cached (``benchmarks/cache/``, not committed); fine-tuning gets it
through ``sklearn.frozen.FrozenEstimator``, which gives the same model as letting
``SSLClassifier`` pre-train itself with the same ``random_state``. The models' parameters are
spelled out (not taken from the defaults), so saved runs stay valid when a default changes.

    python benchmarks/label_efficiency.py --seeds 0 1 2 3 4   # run (or resume)
    python benchmarks/label_efficiency.py --summarise         # JSON + plot from saved runs

Each (seed, model, k) run is saved as soon as it ends (``results/label_efficiency_runs/``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import joblib
import numpy as np
from _common import RESULTS_DIR, SSL_MODELS, cached_run, load_runs, mean_std, write_result
from sklearn.frozen import FrozenEstimator

from skgesture import CNNClassifier
from skgesture.datasets import load_natops
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

RUNS_DIR = RESULTS_DIR / "label_efficiency_runs"
CACHE_DIR = Path(__file__).resolve().parent / "cache"
LABELS_PER_CLASS = (1, 2, 3, 5, 10, 30)
MODELS = ("supervised", *SSL_MODELS)
# What SSLClassifier() builds by default, so the cached pretrainer is the default one.
PRETRAIN_EPOCHS = SSLClassifier().pretrain_epochs


def labelled_subset(y, k, seed):
    """Indices of ``k`` recordings per class, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(y == label), k, replace=False) for label in np.unique(y)]
    return np.sort(np.concatenate(chosen))


def pretrained(objective, seed, X):
    """The default pretrainer of ``SSLClassifier(objective=objective, random_state=seed)``."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"natops_{objective}_e{PRETRAIN_EPOCHS}_seed{seed}.joblib"
    if path.is_file():
        return joblib.load(path)
    start = time.perf_counter()
    pretrainer = AutoencoderPretrainer(
        objective=objective, max_epochs=PRETRAIN_EPOCHS, random_state=seed
    ).fit(X)
    pretrainer.fit_seconds_ = time.perf_counter() - start
    joblib.dump(pretrainer, path)
    print(f"seed {seed}: pre-trained {objective} in {pretrainer.fit_seconds_:.0f} s", flush=True)
    return pretrainer


def measure(model, k, seed, train, test):
    X, y = train.data, train.target
    labelled = labelled_subset(y, k, seed)
    start = time.perf_counter()
    if model == "supervised":
        clf = CNNClassifier(random_state=seed).fit(X[labelled], y[labelled])
    else:
        objective, params = SSL_MODELS[model]
        pretrainer = pretrained(objective, seed, X)
        y_partial = np.full(len(y), -1, dtype=object)
        y_partial[labelled] = y[labelled]
        clf = SSLClassifier(
            objective=objective,
            pretrainer=FrozenEstimator(pretrainer),
            random_state=seed,
            **params,
        ).fit(X, y_partial)
    fit_seconds = time.perf_counter() - start
    return {
        "accuracy": float(np.mean(clf.predict(test.data) == test.target)),
        "fit_seconds": fit_seconds,
        "labels_per_class": k,
        "n_labelled": len(labelled),
    }


def run_seeds(seeds, labels_per_class):
    train, test = load_natops("train"), load_natops("test")
    for seed in seeds:
        for k in labels_per_class:
            for model in MODELS:
                cached_run(
                    RUNS_DIR,
                    seed,
                    f"{model} k={k}",
                    lambda m=model, n=k, s=seed: measure(m, n, s, train, test),
                )


def summarise():
    runs = [run for rs in load_runs(RUNS_DIR).values() for run in rs]
    models = MODELS
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
        "label_efficiency",
        {
            "data": "NATOPS: 180 training recordings (k per class labelled), 180 test",
            "pretrain_epochs": PRETRAIN_EPOCHS,
            "table": {str(k): row for k, row in table.items()},
            "runs": runs,
        },
    )
    plot(table, models)


def plot(table, models):
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
    path = RESULTS_DIR / "label_efficiency.png"
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--k", type=int, nargs="*", default=list(LABELS_PER_CLASS))
    parser.add_argument("--summarise", action="store_true", help="only write the summary")
    args = parser.parse_args()
    if not args.summarise:
        run_seeds(args.seeds, args.k)
    summarise()
