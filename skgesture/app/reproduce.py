"""The paper's experiments end to end, written up as a report (``skgesture reproduce``).

Allemand et al. (2024), "Deep self-supervised learning with visualisation for automatic gesture
recognition", on MocapLab recordings of one-hand (*Mono*) and two-hand (*Bi*) signs:

- **Table 1**, supervised learning: FC, CNN and LSTM networks trained on 66 recordings, 11 held
  out for early stopping, 34 tested (here: the same shares of any data set, over seeds);
- **Table 2**, few labels: a CNN trained on 5 + 5 labelled recordings (train + validation),
  scored on all the others, supervised only or after self-supervised pre-training on the
  others (unlabelled); here also as a **label-efficiency curve** over several label counts;
- **Grad-CAM** pictures of what the supervised CNN looks at.

:func:`run_reproduction` writes ``report.md``, ``report.html`` (self-contained),
``results.json`` (every number) and the pictures to one folder. The paper's data is not public:
``data="sample"`` generates MocapLab-like recordings of its size with
:func:`~skgesture.datasets.make_gestures`, whose relevant joints are known, so the explanations
can be scored too.
"""

from __future__ import annotations

import json
import os
import platform
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = ["run_reproduction"]

#: The paper's test accuracies (its own MocapLab data, one run each).
PAPER_TABLE_1 = {"FC": 0.97, "CNN": 1.00, "LSTM": 1.00}
PAPER_TABLE_2 = {"supervised": 0.83, "ssl_reconstruction": 0.93}
#: Table 1's split of the paper's 111 recordings: 66 train, 11 validation, 34 test.
TEST_SHARE = 34 / 111
VALIDATION_SHARE = 11 / 77
#: Table 2: labelled recordings per class (half for training, half for validation).
TABLE_2_LABELS_PER_CLASS = 10
_OUTPUTS = ("report.md", "report.html", "results.json")


@dataclass(frozen=True)
class Settings:
    """Sizes of a run: ``quick`` ones finish in minutes on two CPU cores."""

    quick: bool
    n_seeds: int
    max_epochs: int | None = None

    @property
    def labels_per_class(self):
        return (4, 10, 20) if self.quick else (4, 10, 20, 40)

    def estimator_params(self, model):
        """Parameters of a Table 1 network ("FC", "CNN" or "LSTM") beyond its defaults."""
        params = dict(_QUICK_PARAMS[model]) if self.quick else {}
        if self.max_epochs is not None:
            params["max_epochs"] = self.max_epochs
        return params

    def pretrain_params(self):
        """Parameters of the self-supervised pre-training."""
        params = dict(_QUICK_PARAMS["pretraining"]) if self.quick else {"max_epochs": 50}
        if self.max_epochs is not None:
            params["max_epochs"] = self.max_epochs
        return params


# Quick runs use smaller CNNs and fewer epochs (the CNN trains about 5x faster with 16
# filters, as accurately on this data). They also run torch on one thread:
# networks this small gain little from a second one, and lose much when the cores are shared
# (the quick CNN took 5 s on one thread and 37 s on two on a busy two-core machine).
_QUICK_PARAMS = {
    "FC": {"max_epochs": 30, "n_threads": 1},
    "CNN": {"n_filters": 16, "max_epochs": 30, "n_threads": 1},
    "LSTM": {"max_epochs": 30, "n_threads": 1},
    "pretraining": {"n_filters": 16, "max_epochs": 20, "n_threads": 1},
}


# ------------------------------------------------------------------------------------- data
def load_experiment_data(data, labels=None, *, quick=False, seed=0):
    """The labelled recordings of an experiment, with what the report says about them.

    Parameters
    ----------
    data : {"sample", "natops"} or path-like
        ``"sample"``: 111 ``make_gestures`` recordings (the paper's size and classes; in quick
        runs 20 joints and at most 60 frames instead of 79 and 100); ``"natops"``: all 360
        NATOPS recordings; otherwise a folder of labelled MocapLab CSV files.
    labels : path-like, optional
        Annotation table of a folder.
    quick : bool, default=False
    seed : int, default=0
        Seed of the generated recordings.

    Returns
    -------
    Bunch
        ``data``, ``target`` (labelled recordings only), ``names``, ``skeleton``,
        ``relevance`` (None unless generated) and ``description``.
    """
    from skgesture.app._io import load_data
    from skgesture.model_selection import labelled_mask

    if str(data) == "sample" and not Path(data).exists():
        from skgesture.datasets import make_gestures

        size = {"n_joints": 20, "max_frames": 60} if quick else {}
        gestures = make_gestures(111, random_state=seed, return_relevance=True, **size)
        return Bunch(
            data=gestures.data,
            target=np.asarray(gestures.target),
            names=[f"gesture_{i:03d}" for i in range(len(gestures.target))],
            skeleton=gestures.skeleton,
            relevance=gestures.relevance,
            description=(
                f"111 synthetic MocapLab-like recordings from `make_gestures` "
                f"({len(gestures.joint_names)} joints, up to {max(map(len, gestures.data))} "
                "frames, classes Mono and Bi; the paper's data is not public)"
            ),
        )
    if str(data) == "natops" and not Path(data).exists():
        train, test = load_data("natops", split="train"), load_data("natops", split="test")
        return Bunch(
            data=train.data + test.data,
            target=np.concatenate([train.target, test.target]).astype(str),
            names=train.names + test.names,
            skeleton=train.skeleton,
            relevance=None,
            description="NATOPS, train and test parts together (360 recordings, 6 classes)",
        )
    folder = load_data(data, labels)
    labelled = labelled_mask(folder.target)
    if labelled.sum() == 0:
        raise ValueError(f"No recording of {os.fspath(data)!r} has a label; pass --labels.")
    keep = np.flatnonzero(labelled)
    return Bunch(
        data=[folder.data[i] for i in keep],
        target=np.array(folder.target[keep].tolist()),
        names=[folder.names[i] for i in keep],
        skeleton=folder.skeleton,
        relevance=None,
        description=f"the {len(keep)} labelled CSV recordings of {os.fspath(data)!r}",
    )


def _subset(dataset, indices):
    return [dataset.data[i] for i in indices]


# -------------------------------------------------------------------------------- table 1
def _supervised_model(name, settings, seed, device, n_frames):
    from sklearn.pipeline import Pipeline

    from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder

    classes = {"FC": FCClassifier, "CNN": CNNClassifier, "LSTM": LSTMClassifier}
    classifier = classes[name](
        early_stopping=True,
        validation_fraction=VALIDATION_SHARE,
        patience=10,
        random_state=seed,
        device=device,
        **settings.estimator_params(name),
    )
    # As the paper, every recording is zero-padded to the longest of the data set.
    return Pipeline([("pad", SkeletonPadder(max_frames=n_frames)), ("clf", classifier)])


def run_table_1(dataset, settings, seeds, device, bar):
    """FC, CNN and LSTM on a stratified 66/11/34 split per seed.

    Returns the results, the models of the first seed and that seed's test indices.
    """
    from sklearn.model_selection import train_test_split

    n_frames = max(len(recording) for recording in dataset.data)
    runs, kept, kept_test_idx = [], {}, None
    for seed in seeds:
        fit_idx, test_idx = train_test_split(
            np.arange(len(dataset.target)),
            test_size=TEST_SHARE,
            stratify=dataset.target,
            random_state=seed,
        )
        for name in PAPER_TABLE_1:
            bar.set_description(f"Table 1: {name}, seed {seed}")
            model = _supervised_model(name, settings, seed, device, n_frames)
            start = time.perf_counter()
            model.fit(_subset(dataset, fit_idx), dataset.target[fit_idx])
            fit_seconds = time.perf_counter() - start
            predicted = model.predict(_subset(dataset, test_idx))
            wrong = np.flatnonzero(predicted != dataset.target[test_idx])
            runs.append(
                {
                    "model": name,
                    "seed": seed,
                    "accuracy": float(np.mean(predicted == dataset.target[test_idx])),
                    "fit_seconds": round(fit_seconds, 2),
                    "epochs": len(model[-1].history_),
                    "n_parameters": int(
                        sum(p.numel() for p in model[-1].net_.module_.parameters())
                    ),
                    "misclassified": [dataset.names[test_idx[i]] for i in wrong],
                }
            )
            if seed == seeds[0]:
                kept[name], kept_test_idx = model, test_idx
            bar.update()
    return (
        {
            "split": {
                "train": "66/111 of the recordings (11/77 of them held out for early stopping)",
                "test": "34/111",
            },
            "n_frames": n_frames,
            "runs": runs,
            "summary": _summarise(runs, "model"),
        },
        kept,
        kept_test_idx,
    )


def _summarise(runs, key):
    summary = {}
    for name in dict.fromkeys(run[key] for run in runs):
        scores = [run["accuracy"] for run in runs if run[key] == name]
        seconds = [run["fit_seconds"] for run in runs if run[key] == name]
        summary[name] = {
            "accuracy_mean": float(np.mean(scores)),
            "accuracy_std": float(np.std(scores)),
            "fit_seconds_mean": float(np.mean(seconds)),
            "n_seeds": len(scores),
        }
    return summary


# -------------------------------------------------------------------------------- table 2
def ssl_available():
    """Whether :mod:`skgesture.ssl` (self-supervised pre-training) can be imported."""
    try:
        from skgesture.ssl import SSLClassifier  # noqa: F401
    except ImportError:
        return False
    return True


def _few_label_split(target, per_class, rng):
    """Indices of ``per_class`` labelled recordings of each class; the rest is scored."""
    labelled = []
    for label in np.unique(target):
        members = np.flatnonzero(target == label)
        labelled.extend(rng.choice(members, size=per_class, replace=False))
    labelled = np.sort(np.array(labelled))
    return labelled, np.setdiff1d(np.arange(len(target)), labelled)


def _pretrain(dataset, objective, settings, seed, device):
    """Pre-train a CNN trunk on every recording, without labels; frozen for reuse."""
    from sklearn.frozen import FrozenEstimator

    from skgesture.ssl import AutoencoderPretrainer

    pretrainer = AutoencoderPretrainer(
        objective=objective, random_state=seed, device=device, **settings.pretrain_params()
    )
    return FrozenEstimator(pretrainer.fit(dataset.data))


def _few_label_models(settings, seed, device, pretrainers):
    """The supervised CNN and the self-supervised ones of one few-label run, by name."""
    from skgesture import CNNClassifier

    # Half of the labelled recordings (the paper's 5 of 10) decide when training stops.
    params = {
        "early_stopping": True,
        "validation_fraction": 0.5,
        "patience": 10,
        "random_state": seed,
        "device": device,
        **settings.estimator_params("CNN"),
    }
    models = {"supervised": CNNClassifier(**params)}
    if pretrainers:
        from skgesture.ssl import SSLClassifier

        params.pop("n_filters", None)  # the trunk's sizes are the pretrainer's
        for objective, pretrainer in pretrainers.items():
            models[f"ssl_{objective}"] = SSLClassifier(pretrainer=pretrainer, **params)
    return models


def run_label_efficiency(dataset, settings, seeds, device, bar, objectives):
    """Accuracy on the unlabelled rest against labelled recordings per class, per model.

    Per seed, each self-supervised trunk is pre-trained once on every recording (labels
    unused) and fine-tuned for each number of labels. At ``TABLE_2_LABELS_PER_CLASS``
    labelled recordings per class this is the paper's Table 2.
    """
    per_class = _label_counts(dataset.target, settings)
    runs, pretraining = [], []
    for seed in seeds:
        pretrainers = {}
        for objective in objectives:
            bar.set_description(f"Pre-training ({objective}), seed {seed}")
            start = time.perf_counter()
            pretrainers[objective] = _pretrain(dataset, objective, settings, seed, device)
            pretraining.append(
                {
                    "objective": objective,
                    "seed": seed,
                    "epochs": pretrainers[objective].estimator.n_iter_,
                    "fit_seconds": round(time.perf_counter() - start, 2),
                }
            )
            bar.update()
        rng = np.random.default_rng(seed)
        for n in per_class:
            labelled, rest = _few_label_split(dataset.target, n, rng)
            for name, model in _few_label_models(settings, seed, device, pretrainers).items():
                bar.set_description(f"Label efficiency: {name}, {n} labels per class")
                if name == "supervised":
                    X_fit, y_fit = _subset(dataset, labelled), dataset.target[labelled]
                else:
                    # As in the paper, the scored recordings were seen, unlabelled.
                    X_fit = dataset.data
                    y_fit = np.full(len(dataset.target), -1, dtype=object)
                    y_fit[labelled] = dataset.target[labelled]
                start = time.perf_counter()
                model.fit(X_fit, y_fit)
                fit_seconds = time.perf_counter() - start
                runs.append(
                    {
                        "model": name,
                        "seed": seed,
                        "labels_per_class": n,
                        "n_scored": len(rest),
                        "accuracy": float(
                            model.score(_subset(dataset, rest), dataset.target[rest])
                        ),
                        "fit_seconds": round(fit_seconds, 2),
                        "epochs": model.n_iter_,
                    }
                )
                bar.update()
    return {"labels_per_class": per_class, "pretraining": pretraining, "runs": runs}


def _label_counts(target, settings):
    """Labelled recordings per class of the curve; at least 2 of every class stay to score."""
    smallest = np.unique(target, return_counts=True)[1].min()
    return [n for n in settings.labels_per_class if n <= smallest - 2]


# -------------------------------------------------------------------------------- grad-cam
def run_explanations(model, dataset, test_idx, folder):
    """Heatmaps of one test recording per class (the paper's Grad-CAM and HiResCAM), a GIF
    and an interactive HTML page of one of them.

    The paper's Grad-CAM explains the class logit against a zero reference; skgesture's
    recommended setting (HiResCAM, contrast score) takes the recordings outside the test set
    as its reference. Returns the numbers (pointing game when the relevant joints are known)
    and picture names.
    """
    import matplotlib.pyplot as plt

    from skgesture.explain import GradCAMExplainer, explanation_html, pointing_game

    target = dataset.target[test_idx]
    shown = [test_idx[np.flatnonzero(target == label)[0]] for label in np.unique(target)[:4]]
    results = {"recordings": [dataset.names[i] for i in shown], "methods": {}}
    methods = ("gradcam", "hirescam")
    others = np.setdiff1d(np.arange(len(dataset.target)), test_idx)
    settings = {
        "gradcam": ({"class_score": "logit"}, None),
        "hirescam": ({"class_score": "contrast"}, _subset(dataset, others)),
    }
    fig, axes = plt.subplots(
        len(methods),
        len(shown),
        figsize=(5.5 * len(shown), 2 * (2 + 0.18 * len(dataset.skeleton.joint_names))),
        layout="constrained",
        squeeze=False,
    )
    explanations = {}
    for row, method in enumerate(methods):
        params, reference = settings[method]
        explainer = GradCAMExplainer(model, method=method, skeleton=dataset.skeleton, **params).fit(
            reference
        )
        explanation = explainer.explain(_subset(dataset, shown))
        explanations[method] = explanation
        for column, index in enumerate(shown):
            ax = explanation.plot(column, ax=axes[row, column])
            ax.set_title(ax.get_title().replace(f"recording {column}", dataset.names[index]))
        entry = {}
        if dataset.relevance is not None:
            everything = explainer.explain(_subset(dataset, test_idx))
            entry["pointing_game"] = pointing_game(
                everything, [dataset.relevance[i] for i in test_idx]
            )
        results["methods"][method] = entry
    fig.savefig(folder / "explanations.png", dpi=80)
    plt.close(fig)
    # The last class shown: for Mono/Bi data, the two-hand sign the paper found hard to explain.
    explanations["hirescam"].animate(len(shown) - 1, folder / "explanation.gif", fps=10)
    results["animated"] = results["recordings"][-1]
    explanation_html(
        explanations["hirescam"],
        len(shown) - 1,
        name=results["animated"],
        true_label=dataset.target[shown[-1]],
        path=folder / "explanation.html",
    )
    return results


# ---------------------------------------------------------------------------------- pictures
def _draw_table_1_pictures(models, dataset, test_idx, folder):
    import matplotlib.pyplot as plt

    from skgesture.plotting import plot_confusion_matrix, plot_history

    n_classes = len(np.unique(dataset.target))
    side = 2.5 + 0.5 * n_classes
    fig, axes = plt.subplots(
        1, len(models), figsize=(side * len(models), side), layout="constrained"
    )
    for ax, (name, model) in zip(axes, models.items()):
        plot_confusion_matrix(model, _subset(dataset, test_idx), dataset.target[test_idx], ax=ax)
        ax.set_title(f"{name}: {ax.get_title().split(': ', 1)[1]}", fontsize=9)
    fig.savefig(folder / "confusion_matrices.png", dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 3.5), layout="constrained")
    for ax, (name, model) in zip(axes, models.items()):
        plot_history(model, ax=ax)
        ax.set_title(f"{name} training")
    fig.savefig(folder / "learning_curves.png", dpi=90)
    plt.close(fig)


def _draw_label_efficiency(label_efficiency, folder):
    import matplotlib.pyplot as plt

    from skgesture.plotting import plot_label_efficiency

    ax = None
    n = label_efficiency["labels_per_class"]
    for name in dict.fromkeys(run["model"] for run in label_efficiency["runs"]):
        scores = [
            [
                r["accuracy"]
                for r in label_efficiency["runs"]
                if r["model"] == name and r["labels_per_class"] == k
            ]
            for k in n
        ]
        ax = plot_label_efficiency(n, scores, label=_MODEL_NAMES.get(name, name), ax=ax)
    ax.axvline(TABLE_2_LABELS_PER_CLASS, color="grey", ls=":", lw=1)
    ax.set(
        xlabel="labelled recordings per class (half for validation)",
        ylabel="accuracy on the other recordings",
    )
    ax.figure.savefig(folder / "label_efficiency.png", dpi=90)
    plt.close(ax.figure)


_MODEL_NAMES = {
    "supervised": "Supervised CNN",
    "ssl_reconstruction": "Self-supervised CNN (reconstruction)",
    "ssl_contrastive": "Self-supervised CNN (contrastive)",
}


# ------------------------------------------------------------------------------------ report
def _percent(value):
    return f"{100 * value:.1f}%"


def _mean_std(summary):
    text = _percent(summary["accuracy_mean"])
    if summary["n_seeds"] > 1:
        text += f" ± {100 * summary['accuracy_std']:.1f}"
    return text


def _few(names, shown=6):
    if not names:
        return "none"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _write_report(results, folder, ssl_note):
    from skgesture.app._report import Report

    report = Report("skgesture: the paper's experiments, reproduced", folder)
    settings = results["settings"]
    kind = "quick run (smaller data and networks)" if settings["quick"] else "full run"
    report.paragraph(
        f"skgesture {results['versions']['skgesture']}, torch {results['versions']['torch']}, "
        f"on {results['machine']}; {kind}, "
        f"{settings['n_seeds']} seed(s), {results['total_seconds']:.0f} s in all. "
        f"Data: {results['data']['description']}. Every number is in `results.json`."
    )

    table_1 = results["table_1"]
    report.heading("Table 1: supervised learning")
    report.paragraph(
        "Each network is trained on 66/111 of the recordings (of which 11/77 decide when "
        "early stopping ends training, patience 10) and tested on the other 34/111, "
        "stratified by class; every recording is zero-padded to the longest of the data set "
        f"({table_1['n_frames']} frames), as in the paper."
    )
    rows = []
    for name, summary in table_1["summary"].items():
        seed0 = next(run for run in table_1["runs"] if run["model"] == name)
        rows.append(
            [
                name,
                _mean_std(summary),
                _percent(PAPER_TABLE_1[name]),
                f"{summary['fit_seconds_mean']:.1f}",
                f"{seed0['n_parameters']:,}",
                _few(seed0["misclassified"]),
            ]
        )
    report.table(
        ["model", "test accuracy", "paper", "fit (s)", "parameters", "misclassified (seed 0)"],
        rows,
    )
    report.picture("confusion_matrices.png", "Confusion matrices on the test recordings (seed 0)")
    report.picture("learning_curves.png", "Losses and validation accuracy per epoch (seed 0)")

    report.heading("Table 2: few labels, supervised vs self-supervised")
    efficiency = results["label_efficiency"]
    report.paragraph(
        f"{TABLE_2_LABELS_PER_CLASS // 2} labelled recordings per class train the CNN and "
        f"{TABLE_2_LABELS_PER_CLASS // 2} more decide when to stop; all the other recordings "
        "are scored. The self-supervised CNN is first pre-trained on every recording without "
        "its label, so, as in the paper, the scored recordings were seen unlabelled."
    )
    if ssl_note:
        report.paragraph(f"**{ssl_note}**")
    rows = []
    for name in dict.fromkeys(run["model"] for run in efficiency["runs"]):
        scores = [
            run["accuracy"]
            for run in efficiency["runs"]
            if run["model"] == name and run["labels_per_class"] == TABLE_2_LABELS_PER_CLASS
        ]
        if scores:
            text = _percent(np.mean(scores))
            if len(scores) > 1:
                text += f" ± {100 * np.std(scores):.1f}"
            paper = PAPER_TABLE_2.get(name)
            rows.append([_MODEL_NAMES.get(name, name), text, _percent(paper) if paper else "-"])
    if rows:
        report.table(["training", "accuracy on the other recordings", "paper"], rows)
    else:
        report.paragraph(
            f"Not run: it needs at least {TABLE_2_LABELS_PER_CLASS + 2} recordings of every "
            "class (labelled ones plus at least 2 to score)."
        )
    if efficiency["labels_per_class"]:
        report.heading("Label efficiency", level=3)
        report.paragraph(
            "The same experiment with other numbers of labelled recordings per class (the "
            "dotted line marks Table 2); mean and spread over seeds."
        )
        report.picture("label_efficiency.png", "Accuracy against labelled recordings per class")

    report.heading("Grad-CAM: what the CNN looks at")
    explanations = results["explanations"]
    report.paragraph(
        "Heatmaps of joints (rows) over frames (columns) for one test recording per class "
        "(seed-0 CNN of Table 1): top row the paper's Grad-CAM, bottom row HiResCAM, "
        "skgesture's default, explaining the class's margin over the others relative to the "
        "recordings outside the test set (`fit(X_reference)`). The animation shows the "
        "skeleton of "
        f"`{explanations['animated']}` with its 10 most important joints of each frame in green."
    )
    scores = {
        method: entry["pointing_game"]
        for method, entry in explanations["methods"].items()
        if "pointing_game" in entry
    }
    if scores:
        report.paragraph(
            "Pointing game on the test recordings whose relevant joints are known (the most "
            "important joint is one that carries the class difference): "
            + ", ".join(f"{method} {_percent(score)}" for method, score in scores.items())
            + "."
        )
    report.picture("explanations.png", "Grad-CAM (top) and HiResCAM (bottom) heatmaps")
    report.picture("explanation.gif", f"HiResCAM on the skeleton of {explanations['animated']}")
    report.link(
        "explanation.html",
        f"Interactive page of `{explanations['animated']}`: skeleton and heatmap with a frame "
        "slider (one file, opens offline)",
    )
    report.write_markdown(folder / "report.md")
    report.write_html(folder / "report.html")
    return folder / "report.md"


def _versions():
    import sklearn
    import skorch
    import torch

    from skgesture import __version__

    return {
        "skgesture": __version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def run_reproduction(
    data="sample",
    *,
    labels=None,
    out="reports/reproduce",
    n_seeds=3,
    quick=False,
    seed=0,
    device="cpu",
    force=False,
    quiet=False,
    max_epochs=None,
):
    """Run Table 1, Table 2 (with its label-efficiency curve) and the Grad-CAM figures.

    Parameters
    ----------
    data : {"sample", "natops"} or path-like, default="sample"
        See :func:`load_experiment_data`.
    labels : path-like, optional
        Annotation table of a folder ``data``.
    out : path-like, default="reports/reproduce"
        Folder of the report; created if needed.
    n_seeds : int, default=3
        Seeds of every experiment (``seed``, ``seed + 1``, ...).
    quick : bool, default=False
        Smaller data (20 joints, at most 60 frames), smaller CNNs and at most 30 epochs
        (20 of pre-training), on one torch thread: about 1 to 2 minutes on two CPU cores.
    seed : int, default=0
    device : {"cpu", "cuda", "auto"}, default="cpu"
    force : bool, default=False
        Replace the report files of an earlier run in ``out``.
    quiet : bool, default=False
        No progress bar.
    max_epochs : int, optional
        Caps every training (smoke tests).

    Returns
    -------
    pathlib.Path
        The Markdown report; ``report.html``, ``results.json`` and the pictures are beside it.
    """
    import matplotlib

    matplotlib.use("Agg")
    from skgesture.app._io import progress

    folder = Path(out)
    existing = [name for name in _OUTPUTS if (folder / name).exists()]
    if existing and not force:
        raise FileExistsError(
            f"{os.fspath(folder)!r} holds a report already ({', '.join(existing)}); pass "
            "--force to replace it."
        )
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"--out {os.fspath(folder)!r} is a file, not a folder.")
    settings = Settings(quick=quick, n_seeds=n_seeds, max_epochs=max_epochs)
    seeds = [seed + k for k in range(settings.n_seeds)]
    dataset = load_experiment_data(data, labels, quick=quick, seed=seed)
    if len(np.unique(dataset.target)) < 2:
        raise ValueError(f"{dataset.description} hold only one class; nothing to learn.")
    folder.mkdir(parents=True, exist_ok=True)

    objectives = []
    ssl_note = None
    if ssl_available():
        objectives = ["reconstruction"] if quick else ["reconstruction", "contrastive"]
    else:
        ssl_note = "SSL not available: skgesture.ssl could not be imported in this installation."
    n_points = len(_label_counts(dataset.target, settings))
    n_fits = len(seeds) * (len(PAPER_TABLE_1) + len(objectives) + n_points * (1 + len(objectives)))

    start = time.perf_counter()
    bar = progress(total=n_fits, desc="reproduce", quiet=quiet)
    try:
        with warnings.catch_warnings():
            # Short recordings of a padded batch are normal here, not worth a warning per fit.
            warnings.filterwarnings(
                "ignore", message=".*only the first .* frames", category=UserWarning
            )
            table_1, models, test_idx = run_table_1(dataset, settings, seeds, device, bar)
            efficiency = run_label_efficiency(dataset, settings, seeds, device, bar, objectives)
            bar.set_description("Pictures")
            _draw_table_1_pictures(models, dataset, test_idx, folder)
            if efficiency["labels_per_class"]:
                _draw_label_efficiency(efficiency, folder)
            explanations = run_explanations(models["CNN"], dataset, test_idx, folder)
    finally:
        bar.close()
    import torch

    results = {
        "settings": {**asdict(settings), "seeds": seeds, "device": device},
        "data": {
            "source": os.fspath(data),
            "description": dataset.description,
            "n_recordings": len(dataset.target),
            "classes": dict(
                zip(*(x.tolist() for x in np.unique(dataset.target, return_counts=True)))
            ),
        },
        "versions": _versions(),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPU cores, "
            f"torch on {torch.get_num_threads()} thread(s)"
        ),
        "paper": {"table_1": PAPER_TABLE_1, "table_2": PAPER_TABLE_2},
        "table_1": table_1,
        "label_efficiency": efficiency,
        "ssl_available": not ssl_note,
        "explanations": explanations,
        "total_seconds": round(time.perf_counter() - start, 1),
    }
    (folder / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return _write_report(results, folder, ssl_note)
