"""How much an explanation changes when the recording changes in ways that should not matter.

Two measures of the literature, under perturbations that a motion-capture recording meets in
practice (sensor noise, the performer facing a little differently, a frame of delay):

- relative input stability (Agarwal et al., 2022, "Rethinking Stability for Attribution-based
  Explanations"): the relative change of the map divided by the relative change of the input,
  at worst over the perturbations drawn;
- max-sensitivity (Yeh et al., 2019, "On the (In)fidelity and Sensitivity of
  Explanations"): the largest relative change of the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from skgesture.explain._faithfulness import _check_explainer
from skgesture.preprocessing._geometry import centroid, spread
from skgesture.preprocessing._skeleton import skeleton_up_axis
from skgesture.preprocessing.augment import _generator, jitter, rotate
from skgesture.utils.validation import check_dataset, check_integer

__all__ = ["PERTURBATIONS", "STABILITY_METRICS", "Stability", "explanation_stability"]

#: Named perturbations, with their default magnitude (see :func:`explanation_stability`).
PERTURBATIONS = {"jitter": 0.01, "rotation": 5.0, "shift": 1}
STABILITY_METRICS = ("ris", "max_sensitivity")
# Relative input changes below this count as this much, so that RIS stays finite.
_MIN_INPUT_CHANGE = 1e-6


@dataclass(frozen=True)
class Stability:
    """Per-recording stability scores of an explainer; lower is more stable, 0 is perfect.

    Attributes
    ----------
    scores : ndarray of shape (n_samples,)
        Each recording's worst score over the perturbations drawn (NaN for a recording too
        short to shift).
    metric : {"ris", "max_sensitivity"}
    perturbation : str
        The perturbation's name, or ``"custom"`` for a callable.
    magnitude : float or None
        Its size (None for a callable).
    """

    scores: np.ndarray
    metric: str
    perturbation: str
    magnitude: float | None

    @property
    def summary(self):
        """``{"mean", "median", "max"}`` of the scores over the recordings (NaN skipped).

        All three are NaN, without a warning, when no recording has a score (every one too
        short to shift).
        """
        if np.isnan(self.scores).all():
            return {"mean": float("nan"), "median": float("nan"), "max": float("nan")}
        return {
            "mean": float(np.nanmean(self.scores)),
            "median": float(np.nanmedian(self.scores)),
            "max": float(np.nanmax(self.scores)),
        }


def explanation_stability(
    explainer,
    X,
    *,
    perturbation="jitter",
    magnitude=None,
    metric="ris",
    n_samples=10,
    up_axis=None,
    random_state=None,
):
    """Score how much each recording's map moves under small, harmless perturbations.

    Each recording is perturbed ``n_samples`` times; every perturbed recording is explained
    for the class explained on the original one, and the recording's score is the worst over
    the draws. Maps are compared with the Frobenius norm over the recording's frames and
    joints; inputs after removing the recording's centroid (so that where the performer stands
    does not change the score).

    Parameters
    ----------
    explainer : fitted GradCAMExplainer
    X : list of array-like or array-like
        The recordings.
    perturbation : {"jitter", "rotation", "shift"} or callable, default="jitter"
        - ``"jitter"``: independent Gaussian noise on every coordinate, of standard deviation
          ``magnitude`` (default 0.01) times the recording's spread (the RMS distance of its
          points to their centroid, as ``Augmenter(jitter=)``). For an adult performer the
          spread is about 30 cm, so 0.01 is a jitter of about 3 mm, the error of a good
          optical motion-capture system; ``make_gestures`` recordings, in centimetres, get
          about as much.
        - ``"rotation"``: a turn about the vertical axis through the recording's centroid
          (:func:`skgesture.preprocessing.augment.rotate`), by an angle drawn uniformly in
          ``[-magnitude, magnitude]`` degrees (default 5).
        - ``"shift"``: the recording delayed or advanced by ``magnitude`` frames (default 1;
          the sign is drawn), holding the first or last frame. The perturbed map is shifted
          back before the comparison, so a map that follows the motion is perfectly stable.
        - a callable ``(recording, rng) -> recording`` returning a recording of the same
          shape (``rng`` is a ``numpy.random.Generator``).
    magnitude : float, default=None
        Size of a named perturbation (see above); None takes its default.
    metric : {"ris", "max_sensitivity"}, default="ris"
        - ``"ris"``, relative input stability: ``(||e' - e|| / ||e||) / max(||x' - x|| /
          ||x||, 1e-6)``, with ``e`` the map and ``x`` the centred recording. Agarwal et al.
          divide the maps cell by cell; Grad-CAM maps are exactly zero on many cells, where
          that ratio is undefined, so norms are divided instead.
        - ``"max_sensitivity"``: ``||e' - e|| / ||e||`` (Yeh et al.'s sensitivity, relative
          to the map's norm since maps are scaled to a peak of 1).

        A recording whose map is zero scores 0 when the perturbed map is zero too, else
        infinity.
    n_samples : int, default=10
        Perturbations drawn per recording.
    up_axis : {0, 1, 2} or None, default=None
        The vertical axis for ``"rotation"``; None takes the explainer's skeleton's
        ``up_axis``, else 1 (y up), as :class:`~skgesture.preprocessing.augment.Augmenter`
        does.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    Stability
        Per-recording ``scores`` and their ``summary``.
    """
    _check_explainer(explainer)
    perturb, name, magnitude = _perturbation(perturbation, magnitude, explainer, up_axis)
    if metric not in STABILITY_METRICS:
        raise ValueError(f"metric must be one of {list(STABILITY_METRICS)}; got {metric!r}.")
    if check_integer(n_samples, "n_samples") < 1:
        raise ValueError(f"n_samples must be at least 1; got {n_samples}.")
    rng = _generator(check_random_state(random_state))
    data, lengths, _ = check_dataset(X)
    recordings = [recording[:length] for recording, length in zip(data, lengths)]
    original = explainer.explain(recordings)
    maps = [original.heatmap(i) for i in range(len(original))]
    scores = np.zeros(len(recordings))
    for _ in range(n_samples):
        perturbed, shifts = [], []
        for recording in recordings:
            changed, shift = perturb(recording, rng)
            if changed.shape != recording.shape:
                raise ValueError(
                    f"perturbation turned a recording of shape {recording.shape} into one of "
                    f"shape {changed.shape}; it must keep the shape."
                )
            perturbed.append(changed)
            shifts.append(shift)
        explained = explainer.explain(perturbed, target=original.target)
        for i, (recording, changed, shift) in enumerate(zip(recordings, perturbed, shifts)):
            score = _score(recording, changed, maps[i], explained.heatmap(i), shift, metric)
            scores[i] = max(scores[i], score) if not math.isnan(score) else np.nan
    return Stability(scores, metric, name, magnitude)


def _perturbation(perturbation, magnitude, explainer, up_axis):
    """``(perturb, name, magnitude)``; ``perturb(recording, rng)`` returns it and its shift."""
    if callable(perturbation):
        if magnitude is not None:
            raise ValueError("magnitude sizes the named perturbations; a callable sizes itself.")
        return partial(_custom, perturbation), "custom", None
    if perturbation not in PERTURBATIONS:
        raise ValueError(
            f"perturbation must be one of {list(PERTURBATIONS)} or a callable; "
            f"got {perturbation!r}."
        )
    if magnitude is None:
        magnitude = PERTURBATIONS[perturbation]
    if (
        isinstance(magnitude, bool)
        or not isinstance(magnitude, Real)
        or not 0 <= magnitude < math.inf
    ):
        raise ValueError(f"magnitude must be a non-negative finite number; got {magnitude!r}.")
    if perturbation == "jitter":
        return partial(_jitter, sigma=magnitude), perturbation, magnitude
    if perturbation == "rotation":
        if up_axis is None:
            up_axis = skeleton_up_axis(explainer.skeleton_)
        elif isinstance(up_axis, bool) or up_axis not in (0, 1, 2):
            raise ValueError(f"up_axis must be 0, 1, 2 or None; got {up_axis!r}.")
        return partial(_rotation, degrees=magnitude, up_axis=up_axis), perturbation, magnitude
    frames = check_integer(magnitude, "magnitude")
    return partial(_shift, frames=frames), perturbation, frames


def _custom(function, recording, rng):
    return np.asarray(function(recording, rng)), 0


def _jitter(recording, rng, sigma):
    return jitter(recording, sigma * spread(recording), rng), 0


def _rotation(recording, rng, degrees, up_axis):
    return rotate(recording, rng.uniform(-degrees, degrees), up_axis), 0


def _shift(recording, rng, frames):
    """The recording moved ``frames`` later or earlier (drawn), holding its ends."""
    shift = int(frames * rng.choice((-1, 1)))
    moved = np.clip(np.arange(len(recording)) - shift, 0, len(recording) - 1)
    return recording[moved], shift


def _relative_change(before, after):
    change = np.linalg.norm(after - before)
    norm = np.linalg.norm(before)
    if norm == 0:
        return 0.0 if change == 0 else np.inf
    return change / norm


def _score(recording, perturbed, heatmap, perturbed_heatmap, shift, metric):
    """One recording's score for one perturbation (NaN when a shift leaves no common frame)."""
    if shift:
        # Frame t of the recording is frame t + shift of the perturbed one.
        n_common = len(heatmap) - abs(shift)
        if n_common <= 0:
            return np.nan
        start = max(0, -shift)
        heatmap = heatmap[start : start + n_common]
        perturbed_heatmap = perturbed_heatmap[start + shift : start + shift + n_common]
    map_change = _relative_change(heatmap, perturbed_heatmap)
    if metric == "max_sensitivity" or map_change == 0:
        return map_change
    center = centroid(recording)
    input_change = _relative_change(recording - center, perturbed - center)
    return map_change / max(input_change, _MIN_INPUT_CHANGE)
