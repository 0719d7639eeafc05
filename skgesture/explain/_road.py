"""Deletion and insertion curves over (frame, joint) cells with imputed removal (ROAD).

Rong et al. (2022), "A Consistent and Efficient Evaluation Strategy for Attribution Methods"
(ROAD), show that removing inputs by setting them to a constant makes the model react to the
removal itself, and that which cells were removed can leak through the shape of the removed
area. They fill removed pixels from their neighbours, with noise, and compare the most
relevant first order (MoRF, a faithful map makes the class probability fall fast) with the
least relevant first order (LeRF, it should stay up). Here the cells are (frame, joint) pairs
of a recording and the fill is the linear interpolation in time of :func:`impute`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

from skgesture.explain._explanation import Explanation
from skgesture.explain._faithfulness import (
    _check_explainer,
    _check_explanation,
    class_probability,
    explained_recordings,
)
from skgesture.explain._imputation import check_imputation
from skgesture.preprocessing.augment import _generator
from skgesture.utils.validation import check_integer

__all__ = ["ORDERS", "FaithfulnessCurve", "imputed_deletion_curve", "insertion_curve", "random_map"]

#: Orders in which cells are removed (deletion) or put back (insertion).
ORDERS = ("most", "least", "random")


class FaithfulnessCurve(NamedTuple):
    """Probability of the explained class as cells are removed or inserted in some order.

    Attributes
    ----------
    fraction : ndarray of shape (n_steps + 1,)
        Share of each recording's (frame, joint) cells removed (deletion) or inserted
        (insertion), from 0 to 1.
    probability : ndarray of shape (n_steps + 1,)
        Mean probability of the explained class over the recordings.
    per_recording : ndarray of shape (n_samples, n_steps + 1)
        The probability of each recording.
    kind : {"deletion", "insertion"}
    order : {"most", "least", "random"}
    imputation : {"linear", "mean", "zero"}
    """

    fraction: np.ndarray
    probability: np.ndarray
    per_recording: np.ndarray
    kind: str
    order: str
    imputation: str

    @property
    def area(self):
        """Area under the mean curve (trapezoids), in [0, 1].

        Deletion, most relevant first: lower is more faithful; least relevant first: higher
        is. Insertion, most relevant first: higher is more faithful.
        """
        return float(np.trapezoid(self.probability, self.fraction))

    @property
    def areas(self):
        """Area under each recording's curve, shape ``(n_samples,)``."""
        return np.trapezoid(self.per_recording, self.fraction, axis=1)


def imputed_deletion_curve(
    explainer,
    X,
    *,
    explanation=None,
    order="most",
    imputation="linear",
    noise=0.01,
    n_steps=10,
    random_state=0,
):
    """Remove (frame, joint) cells in the order of a map, fill them in, follow the probability.

    At each of ``n_steps`` steps a further share of every recording's cells is removed and
    filled by :func:`impute` (by default interpolated in time from the joint's kept frames,
    plus a little noise), and the model's probability of the explained class is read. Unlike
    :func:`deletion_curve`, which freezes whole joints, this removes single cells, so the map's
    *frames* count too.

    Parameters
    ----------
    explainer : fitted GradCAMExplainer
        Gives the model (``explainer.estimator_``) and, when ``explanation`` is None, the maps.
    X : list of array-like or array-like
        The recordings.
    explanation : Explanation, list of array-like of shape (n_frames_i, n_joints) or None, \
default=None
        The maps to test: an :class:`Explanation` of ``X`` (e.g. from another explainer, or
        :func:`random_map`), any maps (e.g. the true relevance of
        ``make_gestures(return_relevance=True)``; the model's predicted class is then the
        explained one), or None for ``explainer.explain(X)``.
    order : {"most", "least", "random"}, default="most"
        ``"most"``: most relevant cells first (MoRF; a faithful map makes the curve fall
        fast, low area). ``"least"``: least relevant first (LeRF; the curve should stay high,
        high area). ``"random"``: a random order, the baseline both are compared with. Equal
        values are removed in a random order.
    imputation : {"linear", "mean", "zero"}, default="linear"
        How removed cells are filled (see :func:`impute`).
    noise : float, default=0.01
        Noise added to filled cells, as a fraction of the recording's spread.
    n_steps : int, default=10
        Points of the curve after the first (nothing removed).
    random_state : int, RandomState instance or None, default=0
        Seeds the noise, the random order and the order of equal values.

    Returns
    -------
    FaithfulnessCurve
    """
    settings = (order, imputation, noise, n_steps, random_state)
    return _curve("deletion", explainer, X, explanation, *settings)


def insertion_curve(
    explainer,
    X,
    *,
    explanation=None,
    order="most",
    imputation="linear",
    noise=0.01,
    n_steps=10,
    random_state=0,
):
    """Put (frame, joint) cells back in the order of a map, from an uninformative recording.

    The starting recording is the fully imputed one: with every cell removed, each joint is
    frozen at its mean position over the recording (plus the noise), a skeleton that stands
    still where the recording stood, without its motion. At each step a further share of the
    cells gets its true position back and the cells still missing are filled from those by
    :func:`impute` (``"linear"``: interpolated in time from the joint's inserted frames).

    With this start, inserting the most relevant cells first gives, read backwards, the same
    recordings as deleting the least relevant first, so the two measures agree by design
    (ROAD's observation that MoRF and LeRF curves should be read together); they differ only
    by the noise draws and the rounding of counts.

    Parameters
    ----------
    explainer, X, explanation, imputation, noise, n_steps, random_state
        As for :func:`imputed_deletion_curve`.
    order : {"most", "least", "random"}, default="most"
        ``"most"``: most relevant cells inserted first (a faithful map makes the curve rise
        fast, high area); ``"least"`` and ``"random"`` as for deletion.

    Returns
    -------
    FaithfulnessCurve
    """
    settings = (order, imputation, noise, n_steps, random_state)
    return _curve("insertion", explainer, X, explanation, *settings)


def _curve(kind, explainer, X, explanation, order, imputation, noise, n_steps, random_state):
    _check_explainer(explainer)
    if order not in ORDERS:
        raise ValueError(f"order must be one of {list(ORDERS)}; got {order!r}.")
    check_imputation(imputation, noise)
    if check_integer(n_steps, "n_steps") < 1:
        raise ValueError(f"n_steps must be at least 1; got {n_steps}.")
    rng = _generator(check_random_state(random_state))
    if explanation is None:
        explanation = explainer.explain(X)
    recordings, maps, columns = explained_recordings(explainer, X, explanation)
    rankings = [_ranking(map_.ravel(), order, rng) for map_ in maps]
    fraction = np.linspace(0.0, 1.0, n_steps + 1)
    per_recording = np.empty((len(recordings), len(fraction)))
    for step, share in enumerate(fraction):
        removed = []
        for map_, ranking in zip(maps, rankings):
            count = int(round(share * len(ranking)))
            first = np.zeros(len(ranking), dtype=bool)
            first[ranking[:count]] = True
            removed.append((first if kind == "deletion" else ~first).reshape(map_.shape))
        per_recording[:, step] = class_probability(
            explainer, recordings, removed, columns, imputation=imputation, noise=noise, rng=rng
        )
    return FaithfulnessCurve(
        fraction, per_recording.mean(axis=0), per_recording, kind, order, imputation
    )


def _ranking(values, order, rng):
    """Cell indices in removal order; equal values in a random order."""
    if order == "random":
        return rng.permutation(len(values))
    tie_break = rng.random(len(values))
    return np.lexsort((tie_break, -values if order == "most" else values))


def random_map(explanation, *, random_state=None):
    """The explanation with each recording's joints shuffled: the random-map baseline.

    Each recording's heatmap keeps its values, its frames and how concentrated it is, but the
    columns are given to a random permutation of the joints. A map that beats this baseline
    knows *which joints* mattered, not only when something happened; a map that beats only
    ``order="random"`` may know no more than the timing.

    Parameters
    ----------
    explanation : Explanation
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    Explanation
        Same recordings, classes and settings; ``method`` reads ``"random map of <method>"``.
    """
    _check_explanation(explanation)
    rng = _generator(check_random_state(random_state))
    n_joints = explanation.heatmaps.shape[2]
    heatmaps = np.stack([heatmap[:, rng.permutation(n_joints)] for heatmap in explanation.heatmaps])
    return Explanation(
        heatmaps=heatmaps,
        lengths=explanation.lengths,
        predicted=explanation.predicted,
        target=explanation.target,
        joint_names=explanation.joint_names,
        recordings=explanation.recordings,
        skeleton=explanation.skeleton,
        method=f"random map of {explanation.method}",
        top_k=explanation.top_k,
    )
