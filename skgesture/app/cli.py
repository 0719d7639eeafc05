"""The ``skgesture`` command: train, predict, explain and reproduce the paper from a shell.

This module parses arguments and dispatches to one function per command. The heavy work lives
elsewhere (the estimators, :mod:`skgesture.explain`, :mod:`skgesture.app.reproduce`) and is
imported only when a command runs, so ``skgesture --help`` answers without importing torch.

Mistakes a user can make (a bad path, a malformed file, an unknown option, an existing output
without ``--force``) end with one line on stderr and exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from pathlib import Path

from skgesture._registry import cli_models, estimator_class
from skgesture._version import __version__

MODELS = tuple(cli_models())
# Optional dependencies (the "plot" extra) whose absence is a user's matter, not a bug.
_PLOT_MODULES = {"matplotlib", "PIL"}
EXIT_USAGE = 2

_EPILOG = """\
DATA is a folder of recordings: every .csv (MocapLab or keypoints), .bvh, .c3d
and .json (keypoints) file in it, or those --pattern matches; labels from
--labels, or from Annotation_gloses.csv in the folder. It may also be one CSV
file (predict), or a built-in data set: 'natops' (NATOPS; its train part for
train, its test part for predict) or 'sample' (the 20-recording MocapLab sample
shipped with skgesture)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit status 2)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class UsageError(Exception):
    """A mistake of the user's that the command reports in one line, with exit status 2."""


def _common_options():
    common = argparse.ArgumentParser(add_help=False)
    options = common.add_argument_group("common options")
    options.add_argument("--quiet", "-q", action="store_true", help="print results only")
    options.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="cpu",
        help="where networks train and predict (default: cpu)",
    )
    options.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    options.add_argument("--force", action="store_true", help="overwrite existing outputs")
    return common


def _pattern_option(command):
    command.add_argument(
        "--pattern",
        action="append",
        metavar="GLOB",
        help="read only the files of the DATA folder that GLOB matches, e.g. '*.bvh' or "
        "'**/*.csv' (subfolders too); repeat it for several (default: every .csv, .bvh, .c3d "
        "and .json file of the folder itself)",
    )


def _allow_pickle_option(command):
    command.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a MODEL that is a pickle (joblib) file instead of the pickle-free .npz "
        "format. Loading a pickle EXECUTES ANY CODE STORED IN THE FILE: use it only for files "
        "you made or fully trust",
    )


def build_parser():
    """The argument parser of the ``skgesture`` command."""
    common = _common_options()
    parser = _Parser(
        prog="skgesture",
        description="Gesture recognition from skeleton (motion-capture) recordings.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skgesture {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        parents=[common],
        help="cross-validate a classifier on DATA, then fit it on all of DATA and save it",
        description="Cross-validate a classifier on DATA (accuracy printed), then fit it on "
        "all of DATA and save it. Unlabelled recordings are left out, except by --model ssl, "
        "which pre-trains on them.",
        epilog=_EPILOG,
    )
    train.add_argument(
        "data", metavar="DATA", help="folder of recordings (CSV, BVH, ...), 'natops' or 'sample'"
    )
    train.add_argument("--labels", metavar="FILE", help="annotation table of the recordings")
    _pattern_option(train)
    train.add_argument("--model", choices=MODELS, default="cnn", help="network (default: cnn)")
    train.add_argument(
        "--out",
        metavar="FILE",
        default="model.npz",
        help="where to save the model, always in the pickle-free .npz format (default: "
        "model.npz; .joblib, .pkl and .pickle names are refused)",
    )
    train.add_argument(
        "--cv",
        type=int,
        default=5,
        metavar="K",
        help="folds of the stratified cross-validation, 0 to skip it (default: 5, fewer "
        "when a class has fewer recordings)",
    )
    train.add_argument(
        "--epochs",
        type=int,
        metavar="N",
        help="most training epochs (--model ssl: of pre-training, probing and fine-tuning each)",
    )

    predict = commands.add_parser(
        "predict",
        parents=[common],
        help="predict the class of each recording of DATA (CSV on stdout)",
        description="Predict each recording of DATA with a model saved by 'skgesture "
        "train'; writes one CSV row per recording (recording, predicted[, proba_<class>...]).",
        epilog=_EPILOG,
    )
    predict.add_argument("model", metavar="MODEL", help="model file saved by 'skgesture train'")
    predict.add_argument(
        "data", metavar="DATA", help="folder of recordings (CSV, BVH, ...), one CSV file, ..."
    )
    _pattern_option(predict)
    predict.add_argument("--proba", action="store_true", help="add the class probabilities")
    predict.add_argument("--out", metavar="FILE", help="write the CSV here instead of stdout")
    _allow_pickle_option(predict)

    explain = commands.add_parser(
        "explain",
        parents=[common],
        help="heatmap PNG, skeleton GIF and interactive HTML page of what drove the prediction "
        "of one recording",
        description="Explain a model's prediction for one CSV recording: which joints, in "
        "which frames, drove it. Writes <name>_heatmap.png, <name>_skeleton.gif and "
        "<name>_explanation.html (skeleton and heatmap with a frame slider; opens offline).",
    )
    explain.add_argument("model", metavar="MODEL", help="model file saved by 'skgesture train'")
    explain.add_argument("file", metavar="FILE.csv", help="one MocapLab CSV recording")
    explain.add_argument(
        "--out", metavar="DIR", default=".", help="folder of the pictures (default: .)"
    )
    explain.add_argument(
        "--method",
        default="auto",
        choices=(
            "auto",
            "hirescam",
            "gradcam",
            "gradcam_per_joint",
            "layercam",
            "gradient_x_input",
        ),
        help="explanation method (default: auto = hirescam for CNNs, gradient_x_input else)",
    )
    explain.add_argument(
        "--top-k", type=int, default=10, metavar="K", help="joints highlighted per frame"
    )
    explain.add_argument(
        "--reference",
        metavar="DATA",
        help="recordings to measure the maps against, e.g. the training folder: a joint that "
        "stays still where they move then counts as evidence (default: none, zero reference)",
    )
    _allow_pickle_option(explain)

    reproduce = commands.add_parser(
        "reproduce",
        parents=[common],
        help="run the paper's experiments and write a report (what 'make demo' runs)",
        description="Run the paper's experiments end to end: Table 1 (FC, CNN and LSTM, "
        "supervised), Table 2 (a CNN with 5 + 5 labelled recordings per class, supervised "
        "vs self-supervised), a label-efficiency curve and Grad-CAM figures; writes "
        "report.md, report.html (self-contained), results.json and the pictures to --out.",
    )
    reproduce.add_argument(
        "--data",
        default="sample",
        metavar="sample|natops|FOLDER",
        help="'sample': synthetic MocapLab-like data of the paper's size (make_gestures); "
        "'natops'; or a folder of labelled CSV files (default: sample)",
    )
    reproduce.add_argument("--labels", metavar="FILE", help="annotation table of a FOLDER")
    reproduce.add_argument(
        "--out", metavar="DIR", default="reports/reproduce", help="report folder"
    )
    reproduce.add_argument(
        "--seeds",
        type=int,
        default=3,
        metavar="N",
        help="seeds per experiment (default: 3)",
    )
    reproduce.add_argument(
        "--quick",
        action="store_true",
        help="smaller data and networks, fewer epochs: minutes on a laptop CPU",
    )
    return parser


# --------------------------------------------------------------------------------- commands
def _estimator(name, args):
    """The unfitted classifier that ``--model name`` stands for."""
    cls = estimator_class(cli_models()[name])
    params = {"random_state": args.seed, "device": args.device}
    if args.epochs is not None:
        # --epochs bounds every training stage the estimator has.
        stages = ("max_epochs", "pretrain_epochs", "linear_probe_epochs")
        params.update(dict.fromkeys(set(stages) & set(cls._get_param_names()), args.epochs))
    return cls(**params)


def _check_positive(value, option, minimum=1):
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum}; got {value}.")


def _say(args, message):
    if not args.quiet:
        print(message, file=sys.stderr)


def _fit_or_stop(estimator, X, y):
    """Fit ``estimator``, raising ``KeyboardInterrupt`` when Ctrl+C cut any stage of it short.

    The estimators catch Ctrl+C, keep an under-trained model and set ``interrupted_``
    (SSLClassifier re-raises it when pre-training is cut); the command keeps nothing.
    """
    with warnings.catch_warnings():
        # That warning says the under-trained model was kept, which the command does not do.
        warnings.filterwarnings("ignore", "^.* training was interrupted ", UserWarning)
        model = estimator.fit(X, y)
    if model.interrupted_:
        raise KeyboardInterrupt
    return model


def train(args):
    """``skgesture train``: cross-validated accuracy, then the model fitted on all and saved."""
    import numpy as np
    from sklearn.base import clone

    from skgesture._persistence import check_savable
    from skgesture.app._io import check_model_output, load_data, progress, save_model
    from skgesture.model_selection import LabeledStratifiedKFold, labelled_mask

    _check_positive(args.epochs, "--epochs")
    _check_positive(args.cv, "--cv", minimum=0)
    out = check_model_output(args.out, args.force)
    dataset = load_data(args.data, args.labels, split="train", pattern=args.pattern)
    labelled = labelled_mask(dataset.target)
    if not labelled.any():
        raise UsageError(
            f"No recording of {args.data!r} has a label; give the annotation table with --labels."
        )
    # Only the self-supervised model learns from unlabelled recordings (y == -1).
    keep = np.arange(len(labelled)) if args.model == "ssl" else np.flatnonzero(labelled)
    if len(keep) < len(labelled):
        _say(
            args,
            f"Leaving out {int((~labelled).sum())} unlabelled recordings "
            "(only --model ssl learns from them).",
        )
    X = [dataset.data[i] for i in keep]
    y = dataset.target[keep]
    if labelled[keep].all():
        y = np.array(y.tolist())  # plain labels, not an object array
    classes, counts = np.unique(y[labelled[keep]].astype(str), return_counts=True)
    if len(classes) < 2:
        raise UsageError(f"{args.data!r} has only one class ({classes[0]!r}); nothing to learn.")
    estimator = _estimator(args.model, args)
    check_savable(estimator)
    n_unlabelled = int((~labelled[keep]).sum())
    _say(
        args,
        f"{type(estimator).__name__} on {int(counts.sum())} labelled recordings "
        f"({', '.join(f'{c}: {n}' for c, n in zip(classes, counts))})"
        + (f" and {n_unlabelled} unlabelled" if n_unlabelled else ""),
    )

    n_splits = min(args.cv, int(counts.min()))
    if args.cv and n_splits < 2:
        _say(args, "Skipping cross-validation: a class has fewer than 2 labelled recordings.")
    elif args.cv:
        # Unlabelled recordings train in every fold and are never scored.
        folds = LabeledStratifiedKFold(n_splits, shuffle=True, random_state=args.seed)
        scores = []
        for train_idx, test_idx in progress(
            folds.split(X, y), total=n_splits, desc="cross-validation", quiet=args.quiet
        ):
            model = _fit_or_stop(clone(estimator), [X[i] for i in train_idx], y[train_idx])
            test_y = np.array(y[test_idx].tolist())
            scores.append(model.score([X[i] for i in test_idx], test_y))
        print(
            f"{n_splits}-fold cross-validated accuracy: {np.mean(scores):.3f} "
            f"+/- {np.std(scores):.3f} (folds: {', '.join(f'{s:.3f}' for s in scores)})"
        )
    _say(args, f"Fitting on all {len(X)} recordings...")
    model = _fit_or_stop(clone(estimator), X, y)
    save_model(model, out)
    print(f"Model saved to {out}")
    return 0


def predict(args):
    """``skgesture predict``: one CSV row per recording, on stdout or in ``--out``."""
    import csv
    import io

    from skgesture.app._io import check_output, load_data, load_model

    out = check_output(args.out, args.force) if args.out else None
    model = load_model(args.model, allow_pickle=args.allow_pickle)
    dataset = load_data(args.data, split="test", pattern=args.pattern)
    header = ["recording", "predicted"]
    rows = [[name] for name in dataset.names]
    if args.proba:
        proba = model.predict_proba(dataset.data)
        header += [f"proba_{label}" for label in model.classes_]
        predicted = model.classes_[proba.argmax(axis=1)]
        for row, label, p in zip(rows, predicted, proba):
            row += [label, *(f"{value:.6f}" for value in p)]
    else:
        for row, label in zip(rows, model.predict(dataset.data)):
            row.append(label)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        out.write_text(buffer.getvalue(), encoding="utf-8")
        _say(args, f"{len(rows)} predictions written to {out}")
    return 0


@contextlib.contextmanager
def _output_folder(folder):
    """Create ``folder`` if missing and yield a list to append the files written to; on any
    error, a folder this run created is removed with those files, so nothing is left behind."""
    created = not folder.is_dir()
    if created:
        folder.mkdir()
    written = []
    try:
        yield written
    except BaseException:
        if created:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def explain(args):
    """``skgesture explain``: heatmap PNG, skeleton GIF and HTML page of one explanation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skgesture.app._io import check_output, load_data, load_model
    from skgesture.explain import GradCAMExplainer, explanation_html

    _check_positive(args.top_k, "--top-k")
    # Every input is read before anything is created, so a bad one leaves no trace.
    model = load_model(args.model, allow_pickle=args.allow_pickle)
    if not Path(args.file).is_file():
        raise FileNotFoundError(f"No such file: {args.file!r} (FILE.csv is one recording)")
    recording = load_data(args.file)
    reference = None
    if args.reference is not None:
        _say(args, f"Reading the reference recordings {args.reference}...")
        reference = load_data(args.reference).data
    folder = Path(args.out)
    stem = Path(args.file).stem
    if folder.is_dir():
        heatmap_path = check_output(folder / f"{stem}_heatmap.png", args.force)
        gif_path = check_output(folder / f"{stem}_skeleton.gif", args.force)
        page_path = check_output(folder / f"{stem}_explanation.html", args.force)
    # Create the output folder itself (like `mkdir`), but not a missing path above it.
    elif folder.exists():
        raise FileExistsError(f"--out {os.fspath(folder)!r} exists and is not a folder")
    elif not folder.parent.is_dir():
        raise FileNotFoundError(f"No such folder: {os.fspath(folder.parent)!r} (--out)")
    else:
        heatmap_path = folder / f"{stem}_heatmap.png"
        gif_path = folder / f"{stem}_skeleton.gif"
        page_path = folder / f"{stem}_explanation.html"
    method = args.method
    if method == "auto":
        classifier = model[-1] if hasattr(model, "steps") else model
        network = getattr(getattr(classifier, "net_", None), "module_", None)
        method = "hirescam" if hasattr(network, "last_conv") else "gradient_x_input"
    explainer = GradCAMExplainer(
        model,
        method=method,
        top_k=min(args.top_k, len(recording.joint_names)),
        skeleton=recording.skeleton,
    ).fit(reference)
    explanation = explainer.explain(recording.data)
    with _output_folder(folder) as written:
        ax = explanation.plot(0)
        written.append(heatmap_path)
        ax.figure.savefig(heatmap_path, dpi=100)
        plt.close(ax.figure)
        _say(args, "Drawing the skeleton animation...")
        written.append(gif_path)
        explanation.animate(0, gif_path)
        written.append(page_path)
        explanation_html(explanation, 0, name=Path(args.file).name, path=page_path)
    importance = explanation.joint_importance[0]
    top = importance.argsort()[::-1][:5]
    print(f"{stem}: predicted {explanation.predicted[0]} ({method})")
    print(
        "most important joints: "
        + ", ".join(f"{recording.joint_names[j]} ({importance[j]:.2f})" for j in top)
    )
    print(f"Wrote {heatmap_path}, {gif_path} and {page_path}")
    return 0


def reproduce(args):
    """``skgesture reproduce``: the paper's experiments and their report."""
    from skgesture.app.reproduce import run_reproduction

    _check_positive(args.seeds, "--seeds")
    report = run_reproduction(
        data=args.data,
        labels=args.labels,
        out=args.out,
        n_seeds=args.seeds,
        quick=args.quick,
        seed=args.seed,
        device=args.device,
        force=args.force,
        quiet=args.quiet,
    )
    print(f"Report written to {report}")
    return 0


_COMMANDS = {"train": train, "predict": predict, "explain": explain, "reproduce": reproduce}


@contextlib.contextmanager
def _one_line_warnings():
    """Show warnings as ``skgesture: warning: ...`` lines instead of source excerpts."""
    previous = warnings.formatwarning
    warnings.formatwarning = lambda message, *args, **kwargs: f"skgesture: warning: {message}\n"
    try:
        yield
    finally:
        warnings.formatwarning = previous


def main(argv=None):
    """Run the ``skgesture`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 2 for a usage error or bad input (one line on stderr),
        130 when interrupted by Ctrl+C.
    """
    args = build_parser().parse_args(argv)
    try:
        with _one_line_warnings():
            return _COMMANDS[args.command](args)
    except (UsageError, OSError, ValueError) as error:
        message = str(error).strip().replace("\n", " ") or type(error).__name__
        print(f"skgesture {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as error:
        if error.name not in _PLOT_MODULES:
            raise
        print(
            f"skgesture {args.command}: error: pictures need matplotlib and pillow; install "
            "them with: pip install 'skgesture[plot]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"skgesture {args.command}: interrupted", file=sys.stderr)
        return 130
