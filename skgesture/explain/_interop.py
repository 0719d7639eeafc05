"""Bridges to Captum and Quantus: the same maps from Captum, GradCAMExplainer's maps for Quantus.

Both libraries are optional (``pip install captum quantus``) and imported only when called.

- :func:`captum_layer_gradcam` runs Captum's ``LayerGradCam`` on a classifier's network, on the
  batches the classifier itself feeds its network, and returns maps shaped like
  :attr:`Explanation.heatmaps`; with ``GradCAMExplainer(clf, method="gradcam",
  class_score="logit").fit()`` (no reference) the two definitions coincide.
- :func:`quantus_explain_func` and :func:`quantus_model` let Quantus's metrics score a
  :class:`GradCAMExplainer` on raw recordings.
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline

from skgesture.explain._gradcam import (
    GradCAMExplainer,
    _evaluation_mode,
    _exclusive,
    _layer_frames,
    _masked,
)

__all__ = ["captum_layer_gradcam", "quantus_explain_func", "quantus_model"]


def _import_captum_layer_gradcam():
    try:
        from captum.attr import LayerGradCam
    except ImportError:
        raise ImportError(
            "captum_layer_gradcam needs Captum, which is not installed; install it with "
            "`pip install captum`."
        ) from None
    return LayerGradCam


def captum_layer_gradcam(
    classifier, X, target=None, *, layer=None, relu_attributions=True, normalize=True
):
    """Captum's ``LayerGradCam`` maps of a network classifier, on its frames x joints.

    The recordings go through the classifier's own input path (its checks, input features
    and standardisation, one recording per pass so that no padding enters Captum's averages),
    and Captum differentiates the target class's logit at ``layer``: the channel weights are
    the gradients averaged over the layer's frames and joints, as in Selvaraju et al. (2017).
    The map is then brought to the recordings' frames and joints exactly as
    :class:`GradCAMExplainer` does: a layer that strided over frames gives input frame ``t``
    the value of its frame ``t // stride``, and an ``architecture="image"`` layer's
    ``joints * coords`` columns are max-pooled over each joint's coordinates.

    With the defaults the result equals ``GradCAMExplainer(classifier, method="gradcam",
    class_score="logit").fit().explain(X, target).heatmaps``: same score (the bare logit; the
    explainer's default ``"contrast"`` differentiates a margin Captum does not know), same
    weights (gradients averaged over real frames and joints; ``"hirescam"`` and the other
    methods weight differently), zero reference (``fit(X_reference)`` subtracts a mean
    activation Captum does not), ReLU after the channel sum (``relu_attributions=True``) and
    each recording's map divided by its maximum (``normalize=True``).

    Parameters
    ----------
    classifier : fitted network classifier
        A fitted :class:`~skgesture.CNNClassifier` (or another skgesture classifier whose
        network has the convolution ``layer``). Not a Pipeline: pass its last step and the
        recordings transformed by the earlier steps.
    X : list of array-like or array-like
        Recordings, in a layout the classifier accepts.
    target : None, label or array-like of shape (n_samples,), default=None
        Class to explain: None the predicted one, one label for every recording, or one label
        per recording.
    layer : str or None, default=None
        Dotted name of the network's submodule; None takes ``last_conv``, as the explainer.
    relu_attributions : bool, default=True
        Keep only the positive part of the map (Captum's option of the same name).
    normalize : bool, default=True
        Divide each recording's map by its largest absolute value (an all-zero map stays
        zero); False keeps Captum's values.

    Returns
    -------
    ndarray of shape (n_samples, n_frames, n_joints), float32
        One map per recording, padded with zeros after its frames.

    Raises
    ------
    ImportError
        If Captum is not installed.
    ValueError
        If ``classifier`` is a Pipeline or has no such layer with a joint axis, or ``target``
        holds labels the classifier does not know.
    """
    LayerGradCam = _import_captum_layer_gradcam()
    import torch

    from skgesture.estimators._training import torch_threads

    if isinstance(classifier, Pipeline):
        raise ValueError(
            "captum_layer_gradcam takes the classifier itself, not a Pipeline: pass "
            "pipeline[-1] and pipeline[:-1].transform(X)."
        )
    # The explainer checks the classifier, the layer and the targets, with its messages.
    explainer = GradCAMExplainer(classifier, layer=layer, method="gradcam", class_score="logit")
    explainer.fit()
    network_input, codes = explainer._network_input(X, target)
    lengths = network_input["lengths"]
    module = classifier.net_.module_
    gradcam = LayerGradCam(module, module.get_submodule(explainer.layer_))
    maps = np.zeros((len(lengths), int(lengths.max()), classifier.n_joints_in_), np.float32)
    with (
        _exclusive(module),
        torch_threads(classifier.n_threads),
        _evaluation_mode(module),
        torch.backends.cudnn.flags(enabled=False),
    ):
        batches = classifier._standardised_batches(network_input["x"], lengths, batch_size=1)
        for x, x_lengths, rows in batches:
            if codes is None:
                with torch.no_grad():
                    batch_target = module(x, x_lengths).argmax(dim=1)
            else:
                batch_target = torch.as_tensor(codes[rows], device=x.device)
            cam = gradcam.attribute(
                x,
                target=batch_target,
                additional_forward_args=(x_lengths,),
                relu_attributions=relu_attributions,
            )[:, 0]  # (1, layer frames, width)
            if cam.shape[2] != classifier.n_joints_in_:  # joints * coords, checked by fit
                cam = cam.unflatten(2, (classifier.n_joints_in_, -1)).amax(dim=3)
            stride, _ = _layer_frames(x_lengths, x.shape[1], cam.shape[1])
            cam = cam[:, torch.arange(x.shape[1], device=cam.device) // stride]
            maps[rows, : x.shape[1]] = _masked(cam, x_lengths)
    if normalize:
        peaks = np.abs(maps).max(axis=(1, 2), keepdims=True)
        maps = np.divide(maps, peaks, out=np.zeros_like(maps), where=peaks > 0)
    return maps


def quantus_model(classifier):
    """A torch module on raw recordings that returns the classifier's logits, for Quantus.

    Quantus runs a model as ``model(torch.Tensor(x_batch))``; a skgesture network instead
    takes standardised input features and the recordings' lengths. This module feeds each
    batch of recordings ``(batch, frames, joints, coords)`` through the classifier's own
    input path and returns its logits ``(batch, n_classes)``, so that Quantus's metrics can
    perturb the recordings as a user sees them. It has no parameters of its own and no
    gradient flows through it: Quantus metrics that randomise or differentiate the model are
    not supported (see :func:`~skgesture.explain.randomization_check` instead).

    Parameters
    ----------
    classifier : fitted classifier or fitted Pipeline
        Anything with skgesture's network classifier at its end, as :class:`GradCAMExplainer`
        takes.

    Returns
    -------
    torch.nn.Module
        In evaluation mode; ``quantus_model(clf)(torch.Tensor(X))`` gives
        ``clf``'s logits of ``X``.
    """
    import torch

    class RecordingsModel(torch.nn.Module):
        def __init__(self, estimator):
            super().__init__()
            self.estimator = estimator

        def forward(self, x):
            recordings = x.detach().cpu().numpy()
            network = self.estimator
            if isinstance(network, Pipeline):
                recordings = network[:-1].transform(recordings) if len(network) > 1 else recordings
                network = network[-1]
            return network._logits(recordings).to(x.device)

    return RecordingsModel(classifier).eval()


def quantus_explain_func(explainer):
    """A function with Quantus's ``explain_func`` signature that returns ``explainer``'s maps.

    Quantus calls ``explain_func(model=model, inputs=x_batch, targets=y_batch, **kwargs)``
    with ``x_batch`` the recordings as one array ``(batch, frames, joints, coords)`` and
    ``y_batch`` class *indices* (positions in ``explainer.classes_``), and expects attributions
    shaped like ``x_batch``. The returned function explains ``inputs`` for those classes and
    gives every coordinate of a joint that joint's value of the map (each recording's map in
    [0, 1], as :attr:`Explanation.heatmaps`).

    The maps always come from ``explainer``'s own classifier. ``model`` must be that
    classifier's network, or the module :func:`quantus_model` made for it, or None; another
    model (e.g. a randomised copy made by a Quantus randomisation metric) raises a
    ``ValueError`` instead of being silently ignored.

    Parameters
    ----------
    explainer : fitted GradCAMExplainer

    Returns
    -------
    callable
        ``explain_func(model, inputs, targets, **kwargs) -> ndarray`` of the shape of
        ``inputs``, float32; extra keyword arguments are ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import CNNClassifier
    >>> from skgesture.explain import GradCAMExplainer
    >>> from skgesture.explain import quantus_explain_func, quantus_model
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(8, 12, 4, 3)).astype("float32"), np.repeat(["a", "b"], 4)
    >>> clf = CNNClassifier(n_filters=4, max_epochs=2, random_state=0).fit(X, y)
    >>> explain_func = quantus_explain_func(GradCAMExplainer(clf).fit(X))
    >>> explain_func(model=quantus_model(clf), inputs=X[:2], targets=np.array([0, 1])).shape
    (2, 12, 4, 3)
    """
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(explainer, GradCAMExplainer):
        raise TypeError(
            f"quantus_explain_func takes a fitted GradCAMExplainer; got {type(explainer).__name__}."
        )
    check_is_fitted(explainer)

    def explain_func(model=None, inputs=None, targets=None, **kwargs):
        if model is not None and not _is_model_of(model, explainer):
            raise ValueError(
                f"explain_func got a model ({type(model).__name__}) that is not the network of "
                "the explainer's classifier: its maps come from that classifier only, so "
                "metrics that change the model (parameter randomisation) cannot use it."
            )
        inputs = np.asarray(inputs)
        if inputs.ndim != 4:
            raise ValueError(
                "explain_func takes inputs of shape (batch, frames, joints, coords); got shape "
                f"{inputs.shape}."
            )
        codes = np.asarray(targets).reshape(-1)
        if (
            codes.dtype.kind not in "iu"
            or codes.size == 0
            or codes.min() < 0
            or codes.max() >= len(explainer.classes_)
        ):
            raise ValueError(
                f"targets must be class indices between 0 and {len(explainer.classes_) - 1} "
                f"(positions in classes_ {explainer.classes_.tolist()}); got {codes.tolist()}."
            )
        codes = np.broadcast_to(codes, (len(inputs),)) if codes.size == 1 else codes
        heatmaps = explainer.explain(inputs, target=explainer.classes_[codes]).heatmaps
        # The explanation ends at the longest recording; frames that are zero in every
        # recording of the batch (a perturbation's zero baseline) count as padding and get 0.
        attributions = np.zeros(inputs.shape[:3], dtype=np.float32)
        attributions[:, : heatmaps.shape[1]] = heatmaps
        return np.broadcast_to(attributions[..., None], inputs.shape).copy()

    return explain_func


def _is_model_of(model, explainer):
    module = explainer.classifier_.net_.module_
    return model is module or getattr(model, "estimator", None) is explainer.estimator_
