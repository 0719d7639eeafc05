"""Explanations of network classifiers: which joints, in which frames, drove each decision.

- :class:`GradCAMExplainer` -- Grad-CAM and its variants (HiResCAM, LayerCAM, per-joint
  weights) on a convolution layer, or gradient x input for any network;
- :class:`Explanation` -- its result: heatmaps ``(n_samples, n_frames, n_joints)``, joint
  importance, top joints per frame, and pictures (heatmap, skeleton still, GIF/MP4);
- faithfulness measures: :func:`pointing_game` and :func:`relevance_mass` against known
  relevant joints, :func:`deletion_curve`, and the :func:`randomization_check` sanity check.

Torch and matplotlib are loaded only when explaining and drawing.
"""

from skgesture.explain._explanation import Explanation
from skgesture.explain._faithfulness import (
    DeletionCurve,
    deletion_curve,
    pointing_game,
    randomization_check,
    relevance_mass,
)
from skgesture.explain._gradcam import CLASS_SCORES, METHODS, GradCAMExplainer

__all__ = [
    "CLASS_SCORES",
    "METHODS",
    "DeletionCurve",
    "Explanation",
    "GradCAMExplainer",
    "deletion_curve",
    "pointing_game",
    "randomization_check",
    "relevance_mass",
]
