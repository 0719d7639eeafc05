"""Pictures of a fitted classifier: training history, confusion matrix, label efficiency.

Each function draws on ``ax`` (a new figure when None) and returns the matplotlib Axes, so
pictures compose with the user's own figures. matplotlib is imported only when drawing
(``pip install skgesture[plot]``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_history", "plot_confusion_matrix", "plot_label_efficiency"]


def _new_axes(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _final_estimator(estimator):
    """The classifier at the end of a Pipeline (or the estimator itself)."""
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def plot_history(estimator, ax=None):
    """Draw the losses per epoch of a fitted classifier, and its validation accuracy.

    Parameters
    ----------
    estimator : fitted skgesture classifier or Pipeline ending in one
        Anything with a skorch ``history_`` (the last step of a Pipeline is used).
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure. The validation accuracy, when the
        classifier held recordings out (early stopping), goes on a second y axis.

    Returns
    -------
    matplotlib Axes
        The Axes holding the losses.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import FCClassifier
    >>> from skgesture.plotting import plot_history
    >>> X = np.random.default_rng(0).normal(size=(12, 10, 3, 2))
    >>> clf = FCClassifier(max_epochs=3, random_state=0).fit(X, np.repeat([0, 1], 6))
    >>> ax = plot_history(clf)
    >>> ax.get_xlabel()
    'epoch'
    """
    classifier = _final_estimator(estimator)
    history = getattr(classifier, "history_", None)
    if history is None or len(history) == 0:
        raise ValueError(
            f"{type(classifier).__name__} has no training history; fit it first (plot_history "
            "needs a fitted skgesture classifier or a Pipeline ending in one)."
        )
    ax = _new_axes(ax, (7, 4))
    epochs = history[:, "epoch"]
    ax.plot(epochs, history[:, "train_loss"], marker=".", label="training loss")
    handles = []
    if "valid_loss" in history[-1]:
        ax.plot(epochs, history[:, "valid_loss"], marker=".", label="validation loss")
    if "valid_acc" in history[-1]:
        accuracy_ax = ax.twinx()
        handles = accuracy_ax.plot(
            epochs, history[:, "valid_acc"], color="tab:green", ls="--", label="validation accuracy"
        )
        accuracy_ax.set(ylabel="validation accuracy", ylim=(0, 1.02))
    ax.set(xlabel="epoch", ylabel="loss", title=f"{type(classifier).__name__} training")
    ax.legend(handles=ax.get_lines() + handles, loc="best")
    return ax


def plot_confusion_matrix(estimator, X, y, ax=None, normalize=None):
    """Draw the confusion matrix of a fitted classifier's predictions on ``X``.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline
        Anything with ``predict``; rows and columns follow its ``classes_``.
    X : list of array-like or array-like
        Recordings to predict.
    y : array-like of shape (n_samples,)
        Their true labels.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    normalize : {"true", "pred", "all"} or None, default=None
        As in :func:`sklearn.metrics.confusion_matrix`: divide by the true counts (rows), the
        predicted counts (columns) or everything; None shows counts.

    Returns
    -------
    matplotlib Axes
        Its title gives the accuracy.
    """
    from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score

    y = np.asarray(y)
    predicted = estimator.predict(X)
    labels = getattr(estimator, "classes_", None)
    if labels is None:
        labels = np.unique(np.concatenate([y, predicted]))
    ax = _new_axes(ax, (1.5 + 0.55 * len(labels), 1.2 + 0.5 * len(labels)))
    ConfusionMatrixDisplay.from_predictions(
        y,
        predicted,
        labels=labels,
        normalize=normalize,
        ax=ax,
        colorbar=False,
        xticks_rotation=45 if len(labels) > 4 else "horizontal",
        values_format=".2f" if normalize else "d",
    )
    name = type(_final_estimator(estimator)).__name__
    ax.set_title(f"{name}: accuracy {accuracy_score(y, predicted):.3f} on {len(y)} recordings")
    return ax


def plot_label_efficiency(n_labelled, scores, label=None, ax=None):
    """Draw a score against the number of labelled recordings, with its spread over seeds.

    Parameters
    ----------
    n_labelled : array-like of shape (n_points,)
        Labelled recordings (per class or in all) of each point.
    scores : array-like of shape (n_points,) or (n_points, n_seeds)
        Score of each point; with several seeds the mean is drawn with a band of one standard
        deviation.
    label : str, default=None
        Legend entry of the curve; call again on the same ``ax`` to compare models.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib Axes
    """
    n_labelled = np.asarray(n_labelled)
    scores = np.asarray(scores, dtype=float).reshape(len(n_labelled), -1)
    mean, std = scores.mean(axis=1), scores.std(axis=1)
    ax = _new_axes(ax, (6, 4))
    (line,) = ax.plot(n_labelled, mean, marker="o", label=label)
    if scores.shape[1] > 1:
        ax.fill_between(n_labelled, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    ax.set(xlabel="labelled recordings", ylabel="accuracy", title="Label efficiency")
    if label is not None:
        ax.legend()
    return ax
