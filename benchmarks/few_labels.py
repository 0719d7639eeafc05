"""Few labels per class: SSLClassifier against a matched supervised CNN, paired, both protocols.

An evaluation that cannot flatter (issue 23). For every dataset, protocol, ``k`` (labelled
recordings per class) and seed, one labelled subset is drawn, and every model sees exactly it.
Every estimator has its current defaults; nothing is pinned here:

- ``cnn``: ``CNNClassifier()`` as a user gets it (the supervised default);
- ``supervised``: ``CNNClassifier`` as the SSL fine-tune trains it, so that the comparison
  isolates the pre-training: the joint architecture with the default pretrainer's trunk (read
  from the fitted pretrainer: since issue 20 the CNN's default 24 filters, 2 blocks, kernel 7,
  and its downsampling), the SSL model's input (the body frame with the motion stream since
  ``benchmarks/select_ssl.py``; positions as given before), no augmentation, the same
  optimiser, schedule, epochs, label smoothing and early-stopping rule.
  The one difference left: it standardises its input on the labelled recordings, the SSL
  model on all it pre-trained on;
- ``ssl-unguarded``: ``SSLClassifier(fallback="never")``, its other parameters the defaults
  (contrastive pre-training, linear probe then fine-tuning, one round of self-training by
  agreement);
- ``ssl``: ``SSLClassifier()`` as a user gets it, ``fallback="auto"``: it keeps the supervised
  CNN of the same shape when that cross-validated better on the labelled recordings.

Methods measured one at a time (``--models``; without the safeguard): ``ssl-lpft`` (linear
probe then fine-tuning, no self-training), ``ssl-fixmatch`` (that with FixMatch consistency
training on the unlabelled recordings, ``consistency="fixmatch"``) and ``ssl-fixmatch-st``
(that plus the default round of self-training). The summary's ``methods`` table gives each
against what it adds to and against ``supervised``.

Protocols: ``inductive``, the unlabelled recordings are the other training recordings and
the test recordings are never seen before scoring; ``transductive`` (the paper's Table 2), the
test recordings are unlabelled recordings of the fit too (pre-training and self-training see
them, without labels). Pre-training is the default pretrainer with ``random_state=seed`` on the
recordings of the protocol, cached once per (dataset, protocol, trunk width, seed) in
``benchmarks/cache/`` (the width is in the name because the cache's key holds only the
objective, epochs and seed, and the default width changed from 48 to 24 in issue 20);
the fits get it through ``FrozenEstimator``, the model ``SSLClassifier`` would pre-train itself.

Datasets (``k`` = 1, 2, 3, 5, 10 and all labelled, where a class has that many):

- ``natops``: NATOPS's 180 training recordings (30 per class, 6 classes), its 180 test ones;
- ``utkinect``: UTKinect-Action3D cross-subject (``benchmarks/utkinect.py``): the 100
  segments of the odd subjects train (10 per class, 10 classes; ``k=10`` is all), the 99 of the
  even subjects test;
- ``gestures``: ``make_gestures`` (79 joints, 2 classes), 111 training recordings drawn with
  ``random_state=0`` and 111 test ones with ``random_state=1``.

Splits: the labelled subset of (dataset, k, seed) is drawn, class by class in sorted order,
from ``np.random.SeedSequence([20261203, dataset number, k, seed])``: independent of the seeds
the defaults were chosen with, and the same for both protocols and all models.

Summary (``--summarise``): per (dataset, protocol, k), the mean paired gains (``ssl`` and
``ssl-unguarded`` minus ``supervised``, and ``ssl`` minus ``cnn``; same seed and labelled
subset) in accuracy points, with a 95 % Student-t interval
over the paired differences (mean +- t(0.975, n-1) * sd / sqrt(n)), how many seeds gained, and
how often ``ssl`` fell back. Writes ``results/few_labels.json`` and ``results/few_labels.png``
(gain against k with the interval as bars, one panel per dataset and protocol).

    python benchmarks/few_labels.py --jobs 2                       # everything (resumable)
    python benchmarks/few_labels.py --datasets natops --k 3 --seeds 0 1
    python benchmarks/few_labels.py --summarise

Every (dataset, protocol, k, seed, model) run is saved as JSON in
``results/few_labels_runs/`` as soon as it ends; a run that was saved is not run again. The
SSL and matched supervised runs made while ``SSLClassifier`` fed positions as given are kept in
``results/few_labels_runs/raw-input/`` (not read by the summary).
``--jobs`` runs that many fits at once in worker processes, one torch thread each:
pre-training first, then the fits.

Run time, measured with the 24-filter default trunk (NATOPS, k=3, ``--jobs 1``, one torch
thread, 2 cores shared with two other benchmarks): pre-training 34 s per seed (transductive,
twice the recordings: 66 s), the fits 1 s (``cnn``), 3 s (``supervised``), 6 to 13 s
(``ssl-unguarded``) and 30 to 55 s (``ssl``): about 3.5 minutes per seed for both protocols.
``make_gestures`` (79 joints) pre-trains in about 8 CPU-minutes per seed and protocol
(``ssl_cost.py``), so it takes most of the time of everything. The earlier estimate, about 40
hours for everything with ``--jobs 2``, was made with the 48-filter trunk and has not been
measured again.
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
from _common import RESULTS_DIR, cached_run, pretrained, pretrainer_path, run_parallel, write_result
from sklearn.frozen import FrozenEstimator

from skgesture import CNNClassifier
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

RUNS_DIR = RESULTS_DIR / "few_labels_runs"
SPLIT_ENTROPY = 20261203
DATASETS = ("natops", "utkinect", "gestures")
PROTOCOLS = ("inductive", "transductive")
MODELS = ("cnn", "supervised", "ssl-unguarded", "ssl")
#: Methods measured one at a time (``--models``), each an ``SSLClassifier`` without the
#: safeguard: LP-FT alone, LP-FT with FixMatch consistency training, and that with the
#: default round of self-training.
METHODS = ("ssl-lpft", "ssl-fixmatch", "ssl-fixmatch-st")
#: SSLClassifier parameters of each SSL model (the others at their defaults).
SSL_PARAMS = {
    "ssl": {},
    "ssl-unguarded": {"fallback": "never"},
    "ssl-lpft": {"fallback": "never", "self_training": 0},
    "ssl-fixmatch": {"fallback": "never", "self_training": 0, "consistency": "fixmatch"},
    "ssl-fixmatch-st": {"fallback": "never", "consistency": "fixmatch"},
}
#: (model, baseline) pairs whose paired difference the summary reports.
GAINS = (("ssl-unguarded", "supervised"), ("ssl", "supervised"), ("ssl", "cnn"))
#: The same for the methods: each against what it adds to, and against the supervised CNN.
METHOD_GAINS = (
    ("ssl-fixmatch", "ssl-lpft"),
    ("ssl-fixmatch-st", "ssl-unguarded"),
    ("ssl-lpft", "supervised"),
    ("ssl-fixmatch", "supervised"),
    ("ssl-fixmatch-st", "supervised"),
)
#: ``k``; "all" labels every training recording.
LABELS_PER_CLASS = ("1", "2", "3", "5", "10", "all")


@functools.cache
def dataset(name):
    """``(X_train, y_train, X_test, y_test)`` of ``name``, lists of recordings, read once per
    process."""
    if name == "natops":
        from skgesture.datasets import load_natops

        train, test = load_natops("train"), load_natops("test")
    elif name == "utkinect":
        from utkinect import load_utkinect

        splits = load_utkinect()
        train, test = splits.train, splits.test
    else:
        from skgesture.datasets import make_gestures

        train, test = make_gestures(random_state=0), make_gestures(random_state=1)
    return list(train.data), np.asarray(train.target), list(test.data), np.asarray(test.target)


def labelled_subset(name, y, k, seed):
    """Indices of ``k`` recordings per class of ``y`` ("all": every one), drawn from the
    seed sequence of (``name``, ``k``, ``seed``); classes with fewer give all they have."""
    if k == "all":
        return np.arange(len(y))
    key = [SPLIT_ENTROPY, DATASETS.index(name), int(k), seed]
    rng = np.random.default_rng(np.random.SeedSequence(key))
    chosen = []
    for label in sorted(set(y.tolist())):
        rows = np.flatnonzero(y == label)
        chosen.append(rng.choice(rows, min(int(k), len(rows)), replace=False))
    return np.sort(np.concatenate(chosen))


def cache_name(name, protocol):
    """The name the pretrainer of (``name``, ``protocol``) is cached under: with the default
    trunk width, so that a change of default never reuses a pretrainer of the old width."""
    return f"few-{name}-{protocol}-f{AutoencoderPretrainer().n_filters}"


def recordings(name, protocol):
    """The recordings a fit of ``protocol`` sees (training, plus test when transductive)."""
    X_train, _, X_test, _ = dataset(name)
    return X_train + X_test if protocol == "transductive" else X_train


def matched_supervised(pretrainer, **common):
    """The supervised CNN as the SSL fine-tune trains: the pretrainer's trunk and input."""
    sizes = {
        "n_filters": pretrainer.n_filters,
        "n_blocks": pretrainer.n_blocks,
        "kernel_size": pretrainer.kernel_size,
    }
    reference = SSLClassifier()  # its fine-tuning settings, taken from the class, not copied
    training = {
        name: getattr(reference, name)
        for name in (
            "max_epochs",
            "batch_size",
            "lr",
            "optimizer",
            "weight_decay",
            "lr_schedule",
            "label_smoothing",
            "early_stopping",
            "validation_fraction",
            "patience",
            "augment",
            "dropout",
            "skeleton",
            "body_frame",
            "streams",
        )
    }
    return CNNClassifier(
        architecture="joint", downsample=pretrainer.downsample_, **sizes, **training, **common
    )


def measure(name, protocol, k, seed, model, device="cpu", n_threads=None):
    X_train, y_train, X_test, y_test = dataset(name)
    labelled = labelled_subset(name, y_train, k, seed)
    X = recordings(name, protocol)
    pretrainer = pretrained(cache_name(name, protocol), "contrastive", seed, X, device, n_threads)
    common = {"random_state": seed, "device": device, "n_threads": n_threads}
    start = time.perf_counter()
    if model == "cnn":
        clf = CNNClassifier(**common).fit([X_train[i] for i in labelled], y_train[labelled])
    elif model == "supervised":
        clf = matched_supervised(pretrainer, **common)
        clf.fit([X_train[i] for i in labelled], y_train[labelled])
    else:
        y_partial = np.full(len(X), -1, dtype=object)
        y_partial[labelled] = y_train[labelled]
        params = SSL_PARAMS[model]
        clf = SSLClassifier(pretrainer=FrozenEstimator(pretrainer), **params, **common)
        clf.fit(X, y_partial)
    fit_seconds = time.perf_counter() - start
    run = {
        "dataset": name,
        "protocol": protocol,
        "labels_per_class": k,
        "accuracy": float(np.mean(clf.predict(X_test) == y_test)),
        "fit_seconds": fit_seconds,
        "pretrain_seconds": float(getattr(pretrainer, "fit_seconds_", np.nan)),
        "n_labelled": len(labelled),
        "n_unlabelled": len(X) - len(labelled),
        "device": device,
    }
    if model.startswith("ssl"):
        run["n_pseudo_labeled"] = int(clf.n_pseudo_labeled_)
        run["safeguard"] = clf.safeguard_
    return run


def run_name(name, protocol, k, model):
    return f"{name} {protocol} k={k} {model}"


def run_all(datasets, protocols, ks, seeds, device="cpu", jobs=1, models=MODELS):
    n_threads = 1 if jobs > 1 else None
    fits = [
        (name, protocol, k, seed, model)
        for name in datasets
        for protocol in protocols
        for k in ks
        # k of at least the smallest class's size labels every recording: that is "all".
        if k == "all" or int(k) < min(np.unique(dataset(name)[1], return_counts=True)[1])
        for seed in seeds
        for model in models
    ]
    # Pre-train what the fits need first, so that parallel fits never race for it.
    needed = sorted({(name, protocol, seed) for name, protocol, _, seed, _ in fits})
    run_parallel(
        [
            lambda n=name, p=protocol, s=seed: pretrained(
                cache_name(n, p), "contrastive", s, recordings(n, p), device, n_threads
            )
            for name, protocol, seed in needed
            if not pretrainer_path(cache_name(name, protocol), "contrastive", seed).is_file()
        ],
        jobs,
    )
    run_parallel(
        [
            lambda n=name, p=protocol, k=k, s=seed, m=model: cached_run(
                RUNS_DIR,
                s,
                run_name(n, p, k, m),
                lambda: measure(n, p, k, s, m, device, n_threads),
            )
            for name, protocol, k, seed, model in fits
        ],
        jobs,
    )


def paired_gain(differences):
    """Mean of paired differences (in points) and its 95 % Student-t interval."""
    from scipy import stats

    differences = 100 * np.asarray(differences, dtype=float)
    n, mean = len(differences), float(differences.mean())
    if n < 2:
        return {"mean": mean, "low": None, "high": None, "n_seeds": n}
    half = stats.t.ppf(0.975, n - 1) * differences.std(ddof=1) / np.sqrt(n)
    return {
        "mean": mean,
        "low": mean - float(half),
        "high": mean + float(half),
        "n_seeds": n,
        "n_positive": int((differences > 0).sum()),
    }


def summarise():
    import json

    runs = [json.loads(path.read_text()) for path in sorted(RUNS_DIR.glob("*.json"))]
    table, methods_table = {}, {}
    for name in DATASETS:
        for protocol in PROTOCOLS:
            for k in LABELS_PER_CLASS:
                by_model = {
                    model: {
                        r["seed"]: r
                        for r in runs
                        if r["model"] == run_name(name, protocol, k, model)
                    }
                    for model in MODELS
                }
                seeds = sorted(set.intersection(*(set(rs) for rs in by_model.values())))
                if not seeds:
                    continue
                accuracy = {m: [by_model[m][s]["accuracy"] for s in seeds] for m in MODELS}
                row = {
                    "seeds": seeds,
                    **{f"{m} accuracy": float(np.mean(accuracy[m])) for m in MODELS},
                    "fell back": sum(
                        by_model["ssl"][s]["safeguard"]["chosen"] == "supervised" for s in seeds
                    ),
                }
                for model, baseline in GAINS:
                    gains = np.subtract(accuracy[model], accuracy[baseline])
                    row[f"{model} - {baseline}"] = paired_gain(gains)
                table.setdefault(f"{name} {protocol}", {})[k] = row
                methods = _method_row(runs, name, protocol, k)
                if methods:
                    methods_table.setdefault(f"{name} {protocol}", {})[k] = methods
    write_result(
        "few_labels",
        {
            "gain": "accuracy points, model minus baseline on the same seed and labelled subset",
            "interval": "95 % Student-t interval over the paired differences",
            "split_entropy": SPLIT_ENTROPY,
            "table": table,
            "methods": methods_table,
            "runs": runs,
        },
    )
    if table:
        plot(table, RESULTS_DIR / "few_labels.png")


def _method_row(runs, name, protocol, k):
    """Paired gains of the methods (``METHOD_GAINS``) over the seeds that ran them all."""
    models = ("supervised", "ssl-unguarded", *METHODS)
    by_model = {
        model: {r["seed"]: r for r in runs if r["model"] == run_name(name, protocol, k, model)}
        for model in models
    }
    row = {}
    for model, baseline in METHOD_GAINS:
        seeds = sorted(set(by_model[model]) & set(by_model[baseline]))
        if not seeds:
            continue
        ours = [by_model[model][s]["accuracy"] for s in seeds]
        theirs = [by_model[baseline][s]["accuracy"] for s in seeds]
        row[f"{model} accuracy"] = float(np.mean(ours))
        row[f"{model} - {baseline}"] = {
            **paired_gain(np.subtract(ours, theirs)),
            "seeds": seeds,
        }
    return row


def plot(table, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(name, protocol) for name in DATASETS for protocol in PROTOCOLS]
    fig, axes = plt.subplots(
        len(DATASETS), len(PROTOCOLS), figsize=(10, 9), sharex=True, squeeze=False
    )
    for ax, (name, protocol) in zip(axes.ravel(), panels):
        rows = table.get(f"{name} {protocol}", {})
        ks = [k for k in LABELS_PER_CLASS if k in rows]
        for shift, (model, baseline) in zip((-0.15, 0, 0.15), GAINS):
            gains = [rows[k][f"{model} - {baseline}"] for k in ks]
            x = np.array([LABELS_PER_CLASS.index(k) for k in ks]) + shift
            means = np.array([g["mean"] for g in gains])
            low = np.array([g["mean"] if g["low"] is None else g["low"] for g in gains])
            high = np.array([g["mean"] if g["high"] is None else g["high"] for g in gains])
            ax.errorbar(
                x,
                means,
                yerr=[means - low, high - means],
                fmt="o",
                capsize=3,
                label=f"{model} - {baseline}",
            )
        ax.axhline(0, color="grey", lw=0.8)
        n_seeds = min((len(rows[k]["seeds"]) for k in ks), default=0)
        ax.set_title(f"{name}, {protocol} ({n_seeds} seeds)")
        ax.set_ylabel("paired gain (points)")
        ax.set_xticks(range(len(LABELS_PER_CLASS)), LABELS_PER_CLASS)
    for ax in axes[-1]:
        ax.set_xlabel("labelled recordings per class")
    axes[0, 0].legend()
    fig.suptitle("SSLClassifier minus matched and default CNNClassifier, paired, 95 % t-interval")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--protocols", nargs="*", default=list(PROTOCOLS), choices=PROTOCOLS)
    parser.add_argument("--k", nargs="*", default=list(LABELS_PER_CLASS), choices=LABELS_PER_CLASS)
    parser.add_argument("--seeds", type=int, nargs="*", default=list(range(10)))
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--jobs", type=int, default=1, help="fits run at once")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=[*MODELS, *METHODS])
    parser.add_argument("--summarise", action="store_true", help="only write the summary")
    args = parser.parse_args()
    if not args.summarise:
        run_all(
            args.datasets, args.protocols, args.k, args.seeds, args.device, args.jobs, args.models
        )
    summarise()


if __name__ == "__main__":
    # Through the module, so that worker processes find its functions (and their caches)
    # by name instead of receiving pickled copies of __main__'s.
    import few_labels

    few_labels.main()
