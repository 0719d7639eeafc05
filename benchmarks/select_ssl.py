"""Choose SSLClassifier's semi-supervised method by cross-validation on *training* data only.

Issue 23 asks for consistency training (FixMatch) to be measured one method at a time and the
default to be chosen without looking at any test split. This script simulates the few-label
setting inside the training parts of two development sets and scores on held-out *training*
recordings:

- NATOPS train (180 recordings, 6 classes): stratified 2-fold, 5 repetitions (10 folds). In
  each fold one half is the pool: ``k`` labelled recordings per class, the rest of the pool
  unlabelled; the other half is scored.
- UTKinect-Action3D train subjects (100 segments, 10 classes): leave one subject out (5
  folds); the 4 other subjects are the pool.

``k`` = 3 labelled per class on NATOPS and 2 on UTKinect. Every model of a fold sees the same
labelled subset and the same pre-trained trunk (the default contrastive pretrainer on the
model's input, fitted on the pool without labels: the inductive protocol). Models, each an
``SSLClassifier`` without its safeguard (``fallback="never"``) except ``ssl``:

- ``supervised``: the default ``CNNClassifier`` on the labelled recordings;
- ``lpft``: linear probe then fine-tuning, nothing else;
- ``lpft-st``: plus one round of self-training by agreement (the default's method);
- ``fixmatch``: LP-FT with FixMatch consistency training on the unlabelled pool;
- ``fixmatch-st``: that plus the round of self-training;
- ``ssl``: ``SSLClassifier()`` as a user got it before this measurement (with its safeguard,
  positions as given);
- ``lpft-st body``, ``fixmatch-st body``, ``ssl body``: the same three with pre-training and
  fine-tuning on ``CNNClassifier``'s input (body frame with the motion stream) instead of
  positions as given.

The summary gives each model's mean accuracy and its paired difference with ``lpft-st`` (the
current method), with a 95 % t-interval over the folds of both sets.

    python benchmarks/select_ssl.py --jobs 2      # about 40 minutes on 2 cores (resumable)
    python benchmarks/select_ssl.py --summarise
"""

from __future__ import annotations

import argparse
import functools
import json
import time

import numpy as np
from _common import CACHE_DIR, RESULTS_DIR, run_parallel, write_result
from scipy import stats
from sklearn.model_selection import LeaveOneGroupOut, RepeatedStratifiedKFold

RUNS_DIR = RESULTS_DIR / "select_ssl_runs"
SPLIT_ENTROPY = 20261204
LABELS_PER_CLASS = {"NATOPS": 3, "UTKinect": 2}
#: The input of ``CNNClassifier()``: body frame with the motion stream.
BODY = {"body_frame": True, "streams": ("joint", "motion")}
#: Positions as given, SSLClassifier's input until this measurement.
RAW = {"body_frame": False, "streams": ("joint",)}
MODELS = {
    "supervised": None,
    "lpft": {"fallback": "never", "self_training": 0, **RAW},
    "lpft-st": {"fallback": "never", **RAW},
    "fixmatch": {"fallback": "never", "self_training": 0, "consistency": "fixmatch", **RAW},
    "fixmatch-st": {"fallback": "never", "consistency": "fixmatch", **RAW},
    "ssl": {**RAW},
    # The same with pre-training and fine-tuning on the body-frame input.
    "lpft-st body": {"fallback": "never", **BODY},
    "fixmatch-st body": {"fallback": "never", "consistency": "fixmatch", **BODY},
    "ssl body": {**BODY},
}
BASELINE = "lpft-st"


@functools.cache
def _dataset(name):
    """``(X, y, folds)`` of a development set's training part; folds are (pool, scored)."""
    if name == "NATOPS":
        from skgesture.datasets import load_natops

        train = load_natops("train")
        X, y = list(train.data), np.asarray(train.target)
        splitter = RepeatedStratifiedKFold(n_splits=2, n_repeats=5, random_state=0)
        return X, y, list(splitter.split(X, y))
    from utkinect import load_utkinect

    train = load_utkinect()["train"]
    X, y = list(train.data), np.asarray(train.target)
    subjects = np.array([group.split("_")[0] for group in train.groups])
    return X, y, list(LeaveOneGroupOut().split(X, y, subjects))


def _labelled(name, y_pool, fold):
    """``k`` recordings per class of the pool, drawn independently of any tuned seed."""
    key = [SPLIT_ENTROPY, list(LABELS_PER_CLASS).index(name), fold]
    rng = np.random.default_rng(np.random.SeedSequence(key))
    k = LABELS_PER_CLASS[name]
    return np.sort(
        np.concatenate(
            [
                rng.choice(np.flatnonzero(y_pool == c), k, replace=False)
                for c in sorted(set(y_pool.tolist()))
            ]
        )
    )


def _pretrainer(name, fold, X_pool, body=False):
    import joblib

    from skgesture.ssl import AutoencoderPretrainer

    default = AutoencoderPretrainer()
    tag = "-body" if body else ""
    path = CACHE_DIR / (
        f"select-ssl-{name}-fold{fold}-f{default.n_filters}-d{default.downsample}{tag}.joblib"
    )
    if path.is_file():
        return joblib.load(path)
    inputs = BODY if body else {"body_frame": False, "streams": ("joint",)}
    pretrainer = AutoencoderPretrainer(
        objective="contrastive", random_state=fold, n_threads=1, **inputs
    ).fit(X_pool)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(pretrainer, path)
    return pretrainer


def _measure(name, fold, model):
    path = RUNS_DIR / f"{name}__fold{fold}__{model.replace(' ', '_')}.json"
    if path.exists():
        return json.loads(path.read_text())
    import torch
    from sklearn.frozen import FrozenEstimator

    from skgesture import CNNClassifier
    from skgesture.ssl import SSLClassifier

    torch.set_num_threads(1)
    X, y, folds = _dataset(name)
    pool, scored = folds[fold]
    X_pool, y_pool = [X[i] for i in pool], y[pool]
    labelled = _labelled(name, y_pool, fold)
    start = time.perf_counter()
    if MODELS[model] is None:
        clf = CNNClassifier(random_state=fold, n_threads=1)
        clf.fit([X_pool[i] for i in labelled], y_pool[labelled])
    else:
        pretrainer = _pretrainer(name, fold, X_pool, body=model.endswith(" body"))
        y_partial = np.full(len(X_pool), -1, dtype=object)
        y_partial[labelled] = y_pool[labelled]
        clf = SSLClassifier(
            pretrainer=FrozenEstimator(pretrainer), random_state=fold, n_threads=1, **MODELS[model]
        ).fit(X_pool, y_partial)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(clf.predict([X[i] for i in scored]) == y[scored]))
    run = {"dataset": name, "fold": fold, "model": model, "accuracy": accuracy}
    run["fit_seconds"] = seconds
    if model != "supervised":
        run["n_pseudo_labeled"] = int(clf.n_pseudo_labeled_)
        run["safeguard"] = clf.safeguard_
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run, indent=1))
    print(f"{name} fold {fold} {model}: {accuracy:.3f} in {seconds:.0f} s", flush=True)
    return run


def summarise():
    runs = [json.loads(p.read_text()) for p in sorted(RUNS_DIR.glob("*.json"))]
    by = {(r["dataset"], r["fold"], r["model"]): r["accuracy"] for r in runs}
    summary = {}
    for model in MODELS:
        per_set, diffs = {}, []
        for name in LABELS_PER_CLASS:
            folds = sorted({f for (d, f, m) in by if d == name and m == model})
            paired = [f for f in folds if (name, f, BASELINE) in by]
            if not folds:
                continue
            per_set[name] = {
                "accuracy": float(np.mean([by[(name, f, model)] for f in folds])),
                "n_folds": len(folds),
            }
            diffs += [by[(name, f, model)] - by[(name, f, BASELINE)] for f in paired]
        entry = {"per_dataset": per_set}
        if len(diffs) > 1:
            diffs = 100 * np.asarray(diffs)
            half = stats.t.ppf(0.975, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
            entry[f"minus {BASELINE} (points)"] = {
                "mean": float(diffs.mean()),
                "low": float(diffs.mean() - half),
                "high": float(diffs.mean() + half),
                "n_pairs": len(diffs),
            }
        summary[model] = entry
        cells = "  ".join(f"{d} {s['accuracy']:.3f} ({s['n_folds']})" for d, s in per_set.items())
        gain = entry.get(f"minus {BASELINE} (points)")
        gain = (
            ""
            if gain is None
            else (f"  vs {BASELINE} {gain['mean']:+.1f} [{gain['low']:+.1f}, {gain['high']:+.1f}]")
        )
        print(f"{model:12s} {cells}{gain}")
    write_result(
        "select_ssl",
        {
            "protocol": "few labels inside the training parts; scored on held-out training "
            "recordings",
            "labels_per_class": LABELS_PER_CLASS,
            "summary": summary,
            "runs": runs,
        },
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summarise", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", nargs="*", default=list(LABELS_PER_CLASS))
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    if not args.summarise:
        tasks = []
        for name in args.datasets:
            n_folds = len(_dataset(name)[2])
            # Pre-train first (one per fold), so that parallel fits never race for it.
            bodies = sorted({model.endswith(" body") for model in args.models if MODELS[model]})
            run_parallel(
                [
                    lambda n=name, f=fold, b=body: _pretrainer(
                        n, f, [_dataset(n)[0][i] for i in _dataset(n)[2][f][0]], b
                    )
                    for fold in range(n_folds)
                    for body in bodies
                ],
                args.jobs,
            )
            tasks += [(name, fold, model) for fold in range(n_folds) for model in args.models]
        run_parallel([lambda t=t: _measure(*t) for t in tasks], args.jobs)
    summarise()


if __name__ == "__main__":
    # Through the module, so that worker processes find its functions by name.
    import select_ssl

    select_ssl.main()
