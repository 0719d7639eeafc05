"""Measures of how faithful an explanation is: against known relevance, deletion, randomisation."""

from __future__ import annotations

import copy
import threading
from typing import NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skgesture.explain._explanation import Explanation
from skgesture.explain._gradcam import GradCAMExplainer, _exclusive
from skgesture.explain._imputation import impute
from skgesture.utils.validation import check_integer

__all__ = [
    "pointing_game",
    "relevance_mass",
    "DeletionCurve",
    "deletion_curve",
    "randomization_check",
]


# Redrawing weights seeds torch's global generator: concurrent checks take turns.
_RANDOMIZE_LOCK = threading.Lock()


def _check_explanation(explanation):
    if not isinstance(explanation, Explanation):
        raise TypeError(
            "explanation must be an Explanation, as made by GradCAMExplainer.explain; got "
            f"{type(explanation).__name__}."
        )


def _check_explainer(explainer):
    if not isinstance(explainer, GradCAMExplainer):
        raise TypeError(f"explainer must be a GradCAMExplainer; got {type(explainer).__name__}.")
    check_is_fitted(explainer)


def _per_recording_arrays(values, shapes, *, name, dtype, what, against):
    """``values`` as a list of arrays of ``dtype``, one of each shape of ``shapes``.

    For the error messages: ``name`` is the argument's name, ``what`` what it must be and
    ``against`` what holds the recordings (``"X"``, ``"the explanation"``).
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be {what}; got {type(values).__name__}.")
    values = list(values)
    kind = "masks" if dtype is bool else "maps"
    if len(values) != len(shapes):
        raise ValueError(
            f"{name} has {len(values)} {kind} but {against} has {len(shapes)} recordings."
        )
    arrays = []
    for i, (value, shape) in enumerate(zip(values, shapes)):
        try:
            array = np.asarray(value, dtype=dtype)
        except (TypeError, ValueError) as error:
            numbers = "booleans" if dtype is bool else "numbers"
            raise ValueError(f"{name}[{i}] is not an array of {numbers}: {error}") from None
        if array.shape != shape:
            raise ValueError(
                f"{name}[{i}] has shape {array.shape}; recording {i} of {against} has "
                f"(n_frames, n_joints) = {shape}."
            )
        if dtype is not bool and not np.isfinite(array).all():
            raise ValueError(f"{name}[{i}] holds NaN or infinite values.")
        arrays.append(array)
    return arrays


def _check_relevance(explanation, relevance):
    _check_explanation(explanation)
    return _per_recording_arrays(
        relevance,
        [explanation.heatmap(i).shape for i in range(len(explanation))],
        name="relevance",
        dtype=bool,
        what="a list of boolean masks of shape (n_frames_i, n_joints), one per explained recording",
        against="the explanation",
    )


def pointing_game(explanation, relevance, *, average=True):
    """Share of recordings whose most important joint is truly relevant.

    A recording scores a hit when the joint with the largest ``joint_importance`` is relevant
    in at least one of its frames (Zhang et al., 2018, with joints for pixels).

    Parameters
    ----------
    explanation : Explanation
    relevance : list of array-like of shape (n_frames_i, n_joints), bool
        Ground truth, e.g. from ``make_gestures(return_relevance=True)``.
    average : bool, default=True
        Return the accuracy; False returns each recording's hit (1.0 or 0.0).

    Returns
    -------
    float or ndarray of shape (n_samples,)
        Pointing accuracy in [0, 1]. Recordings without any relevant joint are skipped (NaN
        when ``average=False``).
    """
    masks = _check_relevance(explanation, relevance)
    hits = np.array(
        [
            float(mask.any(axis=0)[np.argmax(importance)]) if mask.any() else np.nan
            for mask, importance in zip(masks, explanation.joint_importance)
        ]
    )
    return float(np.nanmean(hits)) if average else hits


def relevance_mass(explanation, relevance, *, average=True):
    """Mean share of each heatmap's total mass that falls on relevant (frame, joint) cells.

    Parameters
    ----------
    explanation : Explanation
    relevance : list of array-like of shape (n_frames_i, n_joints), bool
    average : bool, default=True
        Return the mean; False returns each recording's share.

    Returns
    -------
    float or ndarray of shape (n_samples,)
        In [0, 1]; a map spread uniformly scores the relevant share of the cells. Recordings
        with an empty heatmap or no relevant cell are skipped (NaN when ``average=False``).
    """
    masks = _check_relevance(explanation, relevance)
    shares = np.full(len(masks), np.nan)
    for i, mask in enumerate(masks):
        heatmap = explanation.heatmap(i)
        if mask.any() and heatmap.sum() > 0:
            shares[i] = heatmap[mask].sum() / heatmap.sum()
    return float(np.nanmean(shares)) if average else shares


class DeletionCurve(NamedTuple):
    """Probability of the explained class as joints are deleted, most important first.

    Attributes
    ----------
    fraction : ndarray of shape (n_steps,)
        Share of the joints deleted, from 0 to 1.
    probability : ndarray of shape (n_steps,)
        Mean probability of the explained class over the recordings.
    """

    fraction: np.ndarray
    probability: np.ndarray

    @property
    def area(self):
        """Area under the curve (trapezoids); lower means the deleted joints mattered more."""
        return float(np.trapezoid(self.probability, self.fraction))


def deletion_curve(explainer, X, *, explanation=None, order="explanation", n_steps=10, seed=0):
    """Delete joints (freeze them at their mean position) and follow the class probability.

    Deleting a joint replaces its position in every frame by its mean position over the
    recording, which removes its motion but keeps the skeleton plausible. Joints are deleted
    in decreasing ``joint_importance`` (``order="explanation"``) or in a random order
    (``order="random"``, the baseline a faithful explanation must beat).

    Parameters
    ----------
    explainer : fitted GradCAMExplainer
    X : list of array-like or array-like
        The recordings.
    explanation : Explanation, default=None
        ``explainer.explain(X)`` when None.
    order : {"explanation", "random"}, default="explanation"
    n_steps : int, default=10
        Number of points of the curve after the first (nothing deleted); at most the number of
        joints.
    seed : int, default=0
        Seed of the random order.

    Returns
    -------
    DeletionCurve
    """
    _check_explainer(explainer)
    if order not in ("explanation", "random"):
        raise ValueError(f"order must be 'explanation' or 'random'; got {order!r}.")
    if check_integer(n_steps, "n_steps") < 1:
        raise ValueError(f"n_steps must be at least 1; got {n_steps}.")
    rng = check_random_state(seed)
    if explanation is None:
        explanation = explainer.explain(X)
    _check_explanation(explanation)
    recordings, maps, columns = explained_recordings(explainer, X, explanation)
    n_joints = maps[0].shape[1]
    if order == "explanation":
        ranking = np.argsort(-explanation.joint_importance, axis=1, kind="stable")
    else:
        ranking = np.stack([rng.permutation(n_joints) for _ in recordings])
    counts = np.unique(np.linspace(0, n_joints, min(n_steps, n_joints) + 1).round().astype(int))
    probability = []
    for count in counts:
        removed = []
        for recording, joints in zip(recordings, ranking):
            mask = np.zeros(recording.shape[:2], dtype=bool)
            mask[:, joints[:count]] = True
            removed.append(mask)
        proba = class_probability(explainer, recordings, removed, columns, imputation="mean")
        probability.append(proba.mean())
    return DeletionCurve(counts / n_joints, np.array(probability))


def explained_recordings(explainer, X, explanation):
    """The recordings of ``X`` (real frames), their maps and the column of each explained class.

    ``explanation`` is an :class:`Explanation` of ``X`` or a list of maps of shape
    ``(n_frames_i, n_joints)``, one per recording; the maps' explained class is then the
    model's prediction.
    """
    from skgesture.utils.validation import check_dataset

    data, lengths, _ = check_dataset(X)
    recordings = [recording[:length] for recording, length in zip(data, lengths)]
    if isinstance(explanation, Explanation):
        if len(explanation) != len(lengths) or explanation.heatmaps.shape[2] != data.shape[2]:
            raise ValueError(
                f"explanation explains {len(explanation)} recordings of "
                f"{explanation.heatmaps.shape[2]} joints but X holds {len(lengths)} of "
                f"{data.shape[2]}; pass the explanation of X, or None."
            )
        differ = np.flatnonzero(np.asarray(explanation.lengths) != lengths)
        if differ.size:
            i = int(differ[0])
            raise ValueError(
                f"explanation's recording {i} has {explanation.lengths[i]} frames but recording "
                f"{i} of X has {lengths[i]}; pass the explanation of X, or None."
            )
        maps = [explanation.heatmap(i) for i in range(len(explanation))]
        target = explanation.target
    else:
        maps = _per_recording_arrays(
            explanation,
            [recording.shape[:2] for recording in recordings],
            name="explanation",
            dtype=float,
            what="an Explanation, a list of maps of shape (n_frames_i, n_joints) (one per "
            "recording) or None",
            against="X",
        )
        target = explainer.estimator_.predict(recordings)
    classes = explainer.classes_.tolist()
    unknown = sorted({str(label) for label in np.asarray(target).tolist() if label not in classes})
    if unknown:
        raise ValueError(
            f"explanation explains classes {unknown} that are not classes of the explainer's "
            f"estimator, {classes}."
        )
    return recordings, maps, np.searchsorted(explainer.classes_, target)


def class_probability(explainer, recordings, removed, columns, *, imputation, noise=0.0, rng=None):
    """Probability of each recording's explained class once its ``removed`` cells are filled.

    ``removed``: one ``(n_frames_i, n_joints)`` boolean mask per recording; ``imputation``,
    ``noise`` and ``rng`` as in :func:`impute`.
    """
    filled = [
        impute(recording, mask, imputation=imputation, noise=noise, rng=rng)
        for recording, mask in zip(recordings, removed)
    ]
    proba = explainer.estimator_.predict_proba(filled)
    return proba[np.arange(len(filled)), columns]


def _randomized(estimator, seed):
    """A copy of a fitted network estimator whose network weights are drawn afresh."""
    import torch

    network = (estimator[-1] if isinstance(estimator, Pipeline) else estimator).net_.module_
    # Not while an explanation of the network is running: its hook would be copied along.
    with _exclusive(network):
        estimator = copy.deepcopy(estimator)
    classifier = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    with _RANDOMIZE_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for layer in classifier.net_.module_.modules():
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
    return estimator


def randomization_check(explainer, X, *, seed=0, X_reference=None):
    """Compare explanations of the trained network with those of a randomly weighted copy.

    The sanity check of Adebayo et al. (2018): a map that stays the same when the weights
    are random explains the input, not the model. Every layer of a copy of the network that
    can redraw its weights (``reset_parameters``) does so; both explainers explain the same
    classes (the trained network's predictions).

    Parameters
    ----------
    explainer : fitted GradCAMExplainer
    X : list of array-like or array-like
    seed : int, default=0
        Seed of the random weights, between 0 and 2**64 - 1.
    X_reference : list of array-like, array-like or None, default=None
        Only for an explainer fitted with reference recordings (``fit(X_reference)``): the
        random copy learns its own reference from them. None uses ``X`` in that case.

    Returns
    -------
    float
        Mean over recordings of the Spearman rank correlation between the two heatmaps (on
        the recording's real frames); near 1 means the maps did not change, and the check
        fails.
    """
    from scipy.stats import spearmanr

    _check_explainer(explainer)
    if not 0 <= check_integer(seed, "seed") < 2**64:
        raise ValueError(f"seed must be between 0 and 2**64 - 1; got {seed}.")
    trained = explainer.explain(X)
    random_explainer = clone(explainer).set_params(
        estimator=_randomized(explainer.estimator_, seed)
    )
    if explainer.reference_ is None:
        random_explainer.fit()
    else:
        random_explainer.fit(X if X_reference is None else X_reference)
    randomized = random_explainer.explain(X, target=trained.target)
    correlations = []
    for i in range(len(trained)):
        a, b = trained.heatmap(i).ravel(), randomized.heatmap(i).ravel()
        if np.ptp(a) == 0 or np.ptp(b) == 0:
            correlations.append(0.0)
        else:
            correlations.append(spearmanr(a, b).statistic)
    return float(np.mean(correlations))
