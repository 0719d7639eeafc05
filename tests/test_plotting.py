"""Plot helpers draw on the user's Axes and return them."""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from skgesture import FCClassifier, SkeletonPadder

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skgesture.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_history,
    plot_label_efficiency,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def recordings():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 3, 2)) for n in rng.integers(8, 12, size=24)]
    y = np.repeat(["wave", "point", "stop"], 8)
    return X, y


@pytest.fixture(scope="module")
def model(recordings):
    X, y = recordings
    classifier = FCClassifier(
        max_epochs=4, early_stopping=True, validation_fraction=0.5, random_state=0, n_threads=1
    )
    return Pipeline([("pad", SkeletonPadder()), ("clf", classifier)]).fit(X, y)


def test_history_of_a_pipeline_on_my_axes(model):
    fig, ax = plt.subplots()
    assert plot_history(model, ax=ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["training loss", "validation loss"]
    assert len(ax.get_lines()[0].get_xdata()) == 4
    assert len(fig.axes) == 2  # validation accuracy on a second y axis
    assert [text.get_text() for text in ax.get_legend().get_texts()][-1] == "validation accuracy"


def test_history_needs_a_fitted_classifier():
    with pytest.raises(ValueError, match="FCClassifier has no training history"):
        plot_history(FCClassifier())


def test_confusion_matrix_counts_and_normalised(model, recordings):
    X, y = recordings
    ax = plot_confusion_matrix(model, X, y)
    assert ax.figure is not None
    assert [t.get_text() for t in ax.get_xticklabels()] == list(model.classes_)
    counts = ax.images[0].get_array()
    assert counts.sum() == len(y)
    assert ax.get_title().startswith("FCClassifier: accuracy")

    fig, ax = plt.subplots()
    plot_confusion_matrix(model, X, y, ax=ax, normalize="true")
    np.testing.assert_allclose(ax.images[0].get_array().sum(axis=1), 1.0)


def test_label_efficiency_with_spread_over_seeds():
    ax = plot_label_efficiency([1, 2, 5], [[0.5, 0.6], [0.7, 0.7], [0.9, 0.8]], label="SSL")
    plot_label_efficiency([1, 2, 5], [0.4, 0.5, 0.7], label="CNN", ax=ax)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.55, 0.7, 0.85])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SSL", "CNN"]
    assert len(ax.collections) == 1  # one band: the curve with several seeds
