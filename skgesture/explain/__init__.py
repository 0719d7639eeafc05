"""Explanations of network classifiers: which joints, in which frames, drove each decision.

- :class:`GradCAMExplainer` -- Grad-CAM and its variants (HiResCAM, LayerCAM, per-joint
  weights) on a convolution layer, or gradient x input for any network; ``explain_iter``
  explains a large dataset chunk by chunk;
- :class:`Explanation` -- its result: heatmaps ``(n_samples, n_frames, n_joints)``, joint
  importance, top joints per frame, and pictures (heatmap, skeleton still, GIF/MP4);
- faithfulness measures: :func:`pointing_game` and :func:`relevance_mass` against known
  relevant joints, :func:`deletion_curve` (whole joints frozen), the ROAD-style
  :func:`imputed_deletion_curve` and :func:`insertion_curve` over (frame, joint) cells filled by
  :func:`impute`, the :func:`random_map` baseline, and the :func:`randomization_check` sanity
  check;
- stability: :func:`explanation_stability` under jitter, rotation or a frame's shift;
- :func:`captum_layer_gradcam`, :func:`quantus_explain_func`, :func:`quantus_model` -- Captum's
  Grad-CAM as a cross-check, Quantus metrics on the explainer;
- :func:`explanation_html` -- one recording as an interactive, offline HTML page (skeleton and
  heatmap with a frame slider).

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
from skgesture.explain._html import explanation_html
from skgesture.explain._imputation import impute
from skgesture.explain._interop import captum_layer_gradcam, quantus_explain_func, quantus_model
from skgesture.explain._road import (
    FaithfulnessCurve,
    imputed_deletion_curve,
    insertion_curve,
    random_map,
)
from skgesture.explain._stability import (
    Stability,
    explanation_stability,
)

__all__ = [
    "CLASS_SCORES",
    "METHODS",
    "DeletionCurve",
    "Explanation",
    "FaithfulnessCurve",
    "GradCAMExplainer",
    "Stability",
    "captum_layer_gradcam",
    "deletion_curve",
    "explanation_html",
    "explanation_stability",
    "impute",
    "imputed_deletion_curve",
    "insertion_curve",
    "pointing_game",
    "quantus_explain_func",
    "quantus_model",
    "random_map",
    "randomization_check",
    "relevance_mass",
]
