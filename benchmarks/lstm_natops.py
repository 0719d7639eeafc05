"""LSTMClassifier on NATOPS: defaults chosen by cross-validation on the training split only.

Issue 20 asks ``LSTMClassifier()`` for at least 0.95 test accuracy on NATOPS (180 train / 180
test recordings, 51 frames, 8 joints) over 5 seeds. Candidates (hidden size, layers, dropout,
input features, ...) are scored by 3-fold stratified cross-validation on NATOPS *train*
(``StratifiedKFold(3, shuffle=True, random_state=0)``, ``random_state=fold`` for the network),
never on the test split; only the chosen candidate, and the defaults it replaces, are then
measured on test over seeds 0-4. As a check (not a choice), some candidates are also
cross-validated on ``make_gestures``'s recordings (``--cv-gestures``), and ``--paper`` runs the
LSTM row of ``paper_protocol.py`` with today's defaults. Every fit uses one torch thread
(``n_threads=1``), one fit at a time. Stated run time on a shared 2-core machine: the NATOPS
CV of one candidate about 30 s (3 fits of 8-16 s), the 5 test seeds of one model 1-2 min, one
candidate's ``make_gestures`` CV about 2.5 min, the paper row about 1 min; everything here
(9 candidates, 3 tested, 4 on make_gestures, paper row) about 20 min.

    python benchmarks/lstm_natops.py --cv                 # CV of every candidate (resumes)
    python benchmarks/lstm_natops.py --test NAME ...      # test seeds 0-4 of these candidates
    python benchmarks/lstm_natops.py --summarise          # write results/lstm_natops.json

Each run (candidate, fold) or (candidate, seed) is saved as soon as it ends
(``results/lstm_natops_runs/``), so an interrupted run resumes where it stopped. Candidates
spell out every parameter they vary, so that saved runs stay valid when a default changes.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _common import RESULTS_DIR, mean_std, write_result
from sklearn.model_selection import StratifiedKFold

RUNS_DIR = RESULTS_DIR / "lstm_natops_runs"
SEEDS = (0, 1, 2, 3, 4)

#: The defaults before issue 20 (the estimators' body frame with joint + motion streams).
BEFORE = {
    "projection_size": 64,
    "hidden_size": 64,
    "num_layers": 1,
    "bidirectional": True,
    "dropout": 0.2,
    "pooling": "last",
    "body_frame": True,
    "streams": ("joint", "motion"),
    "augment": "light",
    "max_epochs": 100,
    "lr": 0.003,
}

#: name -> LSTMClassifier parameters (everything not listed at the library's default).
CANDIDATES = {
    "before": BEFORE,
    # With the defaults before, the training loss reaches the label-smoothing floor by about
    # epoch 30 (training accuracy 1.0) while held-out accuracy stays lower: regularise.
    "medium augment": {**BEFORE, "augment": "medium"},
    "dropout 0.5": {**BEFORE, "dropout": 0.5},
    "medium augment, dropout 0.5": {**BEFORE, "augment": "medium", "dropout": 0.5},
    # ... or give it more to read: the bone stream on the inferred topology.
    "joint+bone+motion": {**BEFORE, "streams": ("joint", "bone", "motion")},
    # None of these moved the CV accuracy by more than a recording per fold. The head reads
    # only the final hidden states; let it read the outputs of every real frame instead, as
    # a CNN's global pooling does (second round).
    "mean pooling": {**BEFORE, "pooling": "mean"},
    "max pooling": {**BEFORE, "pooling": "max"},
    # Third round, after max pooling scored 0.946 on test (below the 0.95): does it
    # still gain from the stronger augmentation, or from positions as given? A candidate
    # replaces max pooling only if its CV accuracy is strictly higher (decided beforehand).
    "max pooling, medium augment": {**BEFORE, "pooling": "max", "augment": "medium"},
    "max pooling, positions as given": {**BEFORE, "pooling": "max", "body_frame": False},
}

#: The candidate that became LSTMClassifier's defaults: the best by CV among those that keep
#: the estimator's contract. "max pooling, medium augment" scored one recording more, but the
#: medium augmentation rotates, which recordings of one coordinate per joint cannot be
#: (every layout of the data conventions must fit), so it cannot be a default.
CHOSEN = "max pooling"


def _classifier(name, seed):
    from skgesture import LSTMClassifier

    return LSTMClassifier(random_state=seed, n_threads=1, **CANDIDATES[name])


def _curves(clf):
    """What the training curves say: epochs, best epoch, and accuracies at the best epoch."""
    history = clf.history_
    summary = {"epochs": len(history)}
    if "valid_loss" in history[-1]:
        losses = history[:, "valid_loss"]
        best = int(np.argmin(losses))
        summary.update(
            best_epoch=best + 1,
            best_valid_loss=float(losses[best]),
            best_valid_accuracy=float(history[best, "valid_acc"]),
            train_loss_at_best=float(history[best, "train_loss"]),
        )
    summary["final_train_loss"] = float(history[-1, "train_loss"])
    return summary


def _check_chosen_is_default():
    from skgesture import LSTMClassifier

    defaults = LSTMClassifier().get_params()
    differ = {k: v for k, v in CANDIDATES[CHOSEN].items() if defaults[k] != v}
    if differ:
        raise RuntimeError(f"LSTMClassifier's defaults differ from {CHOSEN!r}: {differ}")


def _fit_and_score(name, seed, X_fit, y_fit, X_eval, y_eval):
    import torch

    torch.set_num_threads(1)
    clf = _classifier(name, seed)
    start = time.perf_counter()
    clf.fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    return {
        "accuracy": float(clf.score(X_eval, y_eval)),
        "train_accuracy": float(clf.score(X_fit, y_fit)),
        "fit_seconds": seconds,
        **_curves(clf),
    }


def _cached(path, describe, measure):
    if path.exists():
        return json.loads(path.read_text())
    run = {**describe, **measure()}
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run, indent=1))
    where = f"fold {run['fold']}" if "fold" in run else f"seed {run['seed']}"
    print(
        f"{run['candidate']:24s} {run['split']:5s} {where}: {run['accuracy']:.3f} "
        f"(train {run['train_accuracy']:.3f}, {run['epochs']} epochs) in "
        f"{run['fit_seconds']:.0f} s",
        flush=True,
    )
    return run


def _slug(text):
    return "".join(c if c.isalnum() else "_" for c in text)


def _development_set(dataset):
    """Recordings and labels of a development set's training data (never a test split)."""
    from skgesture.datasets import load_natops, make_gestures

    data = load_natops("train") if dataset == "NATOPS" else make_gestures(random_state=0)
    return list(data.data), np.asarray(data.target)


def run_cv(name, dataset="NATOPS"):
    X, y = _development_set(dataset)
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)
    prefix = "cv" if dataset == "NATOPS" else f"cv_{dataset}"
    for fold, (fit, valid) in enumerate(folds):
        _cached(
            RUNS_DIR / f"{prefix}_{_slug(name)}_fold{fold}.json",
            {"candidate": name, "split": prefix, "fold": fold},
            lambda fit=fit, valid=valid, fold=fold: _fit_and_score(
                name, fold, [X[i] for i in fit], y[fit], [X[i] for i in valid], y[valid]
            ),
        )


def run_test(name):
    from skgesture.datasets import load_natops

    train, test = load_natops("train"), load_natops("test")
    for seed in SEEDS:
        _cached(
            RUNS_DIR / f"test_{_slug(name)}_seed{seed}.json",
            {"candidate": name, "split": "test", "seed": seed},
            lambda seed=seed: _fit_and_score(
                name, seed, list(train.data), train.target, list(test.data), test.target
            ),
        )


def run_paper_protocol(seeds=SEEDS):
    """The LSTM row of ``paper_protocol.py`` (Table 1 on ``make_gestures``) with today's
    defaults, saved here beside the NATOPS runs."""
    import torch
    from paper_protocol import _split, measure

    _check_chosen_is_default()
    torch.set_num_threads(1)
    for seed in seeds:
        path = RUNS_DIR / f"paper_{_slug(CHOSEN)}_seed{seed}.json"
        if path.exists():
            continue
        run = {
            "candidate": CHOSEN,
            "split": "paper_protocol",
            "seed": seed,
            **measure("LSTMClassifier", seed, *_split(seed)),
        }
        RUNS_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(run, indent=1))
        print(
            f"paper protocol LSTMClassifier seed {seed}: {run['accuracy']:.3f} "
            f"({run['epochs']} epochs) in {run['fit_seconds']:.0f} s",
            flush=True,
        )


def _describe(runs):
    keys = ("accuracy", "train_accuracy", "fit_seconds", "epochs")
    return {key: mean_std([run[key] for run in runs]) for key in keys} | {"n_runs": len(runs)}


def summarise():
    runs = [json.loads(path.read_text()) for path in sorted(RUNS_DIR.glob("*.json"))]
    table = {}
    for name, params in CANDIDATES.items():
        mine = {
            split: [r for r in runs if r["candidate"] == name and r["split"] == split]
            for split in ("cv", "test")
        }
        table[name] = {
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            **{split: _describe(rs) for split, rs in mine.items() if rs},
        }
    paper = [r for r in runs if r["split"] == "paper_protocol" and r["candidate"] == CHOSEN]
    complete = [name for name in table if table[name].get("cv", {}).get("n_runs") == 3]
    ranking = sorted(complete, key=lambda name: -table[name]["cv"]["accuracy"]["mean"])
    write_result(
        "lstm_natops",
        {
            "protocol": "3-fold stratified CV on NATOPS train (random_state 0) to choose; "
            f"test split over seeds {list(SEEDS)} only for the chosen and previous defaults",
            "chosen": CHOSEN,
            "candidates": table,
            "cv_ranking": ranking,
            "paper_protocol_lstm": {
                "accuracy": mean_std([r["accuracy"] for r in paper]),
                "fit_seconds": mean_std([r["fit_seconds"] for r in paper]),
                "n_seeds": len(paper),
                "runs": paper,
            }
            if paper
            else None,
        },
    )
    for name in ranking:
        row = table[name]
        test = row.get("test")
        test_cell = (
            f"test {test['accuracy']['mean']:.3f} +- {test['accuracy']['std']:.3f}" if test else ""
        )
        print(
            f"{name:24s} cv {row['cv']['accuracy']['mean']:.3f}  "
            f"fit {row['cv']['fit_seconds']['mean']:.0f} s  {test_cell}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", nargs="*", default=None, help="candidates to cross-validate")
    parser.add_argument(
        "--cv-gestures",
        nargs="*",
        default=None,
        help="candidates to cross-validate on the "
        "training data of make_gestures (a check, as select_defaults.py's third set)",
    )
    parser.add_argument("--test", nargs="*", default=None, help="candidates to test")
    parser.add_argument("--paper", action="store_true", help="LSTM row of paper_protocol.py")
    parser.add_argument("--summarise", action="store_true")
    args = parser.parse_args()
    if args.cv is not None:
        for name in args.cv or CANDIDATES:
            run_cv(name)
    if args.cv_gestures is not None:
        for name in args.cv_gestures or CANDIDATES:
            run_cv(name, "make_gestures")
    if args.test is not None:
        for name in args.test or [CHOSEN]:
            run_test(name)
    if args.paper:
        run_paper_protocol()
    summarise()


if __name__ == "__main__":
    main()
