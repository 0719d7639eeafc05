"""The main job on the bundled data, as `make demo` runs it.

1. Load NATOPS (shipped with the package) and the MocapLab-format sample folder.
2. Pad the sample's ragged recordings the paper's way and summarise both data sets in plots.
3. Train the default ``CNNClassifier`` on NATOPS and report its test accuracy, a confusion
   matrix and its learning curves.

Everything goes to one folder (``reports/demo`` by default); the last line printed says where.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, SkeletonPadder, __version__
from skgesture.datasets import load_natops, load_sample_mocap
from skgesture.io import load_mocap_folder


def summarise_data(natops, sample, padded, output):
    """One figure: recording lengths, class balance, and one recording's joint trajectories."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    lengths = [len(r) for r in sample.data]
    axes[0].hist(lengths, bins=10, color="tab:blue")
    axes[0].axvline(padded.shape[1], color="k", ls="--", label=f"padded to {padded.shape[1]}")
    axes[0].set(title="Sample MocapLab recordings", xlabel="frames", ylabel="recordings")
    axes[0].legend()
    names, counts = np.unique(natops.target, return_counts=True)
    axes[1].barh(names, counts, color="tab:green")
    axes[1].set(title=f"NATOPS training classes ({len(natops.target)} recordings)", xlabel="count")
    recording = natops.data[0]
    for joint, name in enumerate(natops.joint_names):
        axes[2].plot(recording[:, joint, 1], label=name)
    axes[2].set(title=f"NATOPS #0 ({natops.target[0]}): vertical position", xlabel="frame")
    axes[2].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path = output / "data_summary.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def train_and_evaluate(output, random_state, verbose, max_epochs=None):
    train, test = load_natops("train"), load_natops("test")
    classifier = CNNClassifier(random_state=random_state, verbose=verbose)
    if max_epochs is not None:
        classifier.set_params(max_epochs=max_epochs)
    model = Pipeline([("pad", SkeletonPadder()), ("clf", classifier)])
    start = time.perf_counter()
    model.fit(train.data, train.target)
    fit_seconds = time.perf_counter() - start
    predicted = model.predict(test.data)
    accuracy = accuracy_score(test.target, predicted)

    fig, ax = plt.subplots(figsize=(7, 6))
    ConfusionMatrixDisplay.from_predictions(
        test.target, predicted, ax=ax, xticks_rotation=45, colorbar=False
    )
    ax.set_title(f"CNNClassifier on NATOPS test: accuracy {accuracy:.3f}")
    fig.tight_layout()
    fig.savefig(output / "confusion_matrix.png", dpi=100)
    plt.close(fig)

    history = model.named_steps["clf"].history_
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(history[:, "train_loss"], label="train loss")
    if "valid_loss" in history[-1]:
        ax.plot(history[:, "valid_loss"], label="validation loss")
    ax.set(xlabel="epoch", ylabel="loss", title="Learning curves")
    ax.legend()
    fig.tight_layout()
    fig.savefig(output / "learning_curves.png", dpi=100)
    plt.close(fig)
    return {
        "test_accuracy": float(accuracy),
        "fit_seconds": round(fit_seconds, 1),
        "epochs": len(history),
        "n_train": len(train.target),
        "n_test": len(test.target),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("reports/demo"))
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=1)
    parser.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="override the classifier's default (smoke tests)",
    )
    args = parser.parse_args(argv)
    output = args.output
    output.mkdir(parents=True, exist_ok=True)

    natops = load_natops("train")
    sample = load_mocap_folder(
        load_sample_mocap(), labels=load_sample_mocap() / "Annotation_gloses.csv"
    )
    padded = SkeletonPadder().fit_transform(sample.data)
    summary_png = summarise_data(natops, sample, padded, output)
    print(
        f"NATOPS train: {natops.data.shape}; sample MocapLab folder: {len(sample.data)} recordings "
        f"of {len(sample.joint_names)} joints, padded to {padded.shape}"
    )

    results = train_and_evaluate(output, args.random_state, args.verbose, args.max_epochs)
    print(f"CNNClassifier NATOPS test accuracy: {results['test_accuracy']:.3f}")

    report = {
        "skgesture_version": __version__,
        "natops_train_shape": list(natops.data.shape),
        "sample_recordings": len(sample.data),
        "sample_padded_shape": list(padded.shape),
        "cnn_natops": results,
    }
    (output / "report.json").write_text(json.dumps(report, indent=2))
    lines = [
        "# skgesture demo report",
        "",
        f"skgesture {__version__}.",
        "",
        "## Data",
        f"- NATOPS training set: {natops.data.shape} (recordings, frames, joints, coordinates).",
        f"- Sample MocapLab folder: {len(sample.data)} CSV recordings, "
        f"{len(sample.joint_names)} joints, padded by `SkeletonPadder` to {tuple(padded.shape)}.",
        f"- ![data summary]({summary_png.name})",
        "",
        "## CNNClassifier (defaults) on NATOPS",
        f"- Test accuracy: **{results['test_accuracy']:.3f}** on {results['n_test']} recordings, "
        f"trained on {results['n_train']} in {results['fit_seconds']} s "
        f"({results['epochs']} epochs).",
        "- ![confusion matrix](confusion_matrix.png)",
        "- ![learning curves](learning_curves.png)",
    ]
    (output / "report.md").write_text("\n".join(lines) + "\n")
    print(f"Report written to {(output / 'report.md').resolve()}")


if __name__ == "__main__":
    main()
