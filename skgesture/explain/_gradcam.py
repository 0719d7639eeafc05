"""GradCAMExplainer: which joints, in which frames, drove each decision of a network classifier."""

from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skgesture.skeleton import SKELETON_NAMES, Skeleton, get_skeleton
from skgesture.utils._progress import progress_bar_class
from skgesture.utils.validation import check_dataset

__all__ = ["GradCAMExplainer", "METHODS", "CAM_METHODS", "CLASS_SCORES"]

#: Methods that weight the feature maps of a convolution layer (frames x joints).
CAM_METHODS = ("hirescam", "gradcam", "gradcam_per_joint", "layercam")
#: Every method; ``"gradient_x_input"`` needs no convolution and explains any network.
METHODS = (*CAM_METHODS, "gradient_x_input")
CLASS_SCORES = ("contrast", "logit")


class GradCAMExplainer(BaseEstimator):
    """Heatmaps of the joints and frames that drove a network classifier's decision.

    For a convolutional classifier the explainer reads the feature maps ``A`` of one
    convolution layer (``last_conv`` unless ``layer`` names another) and the gradients ``G``
    of the target class score (see ``class_score``) with respect to them, combines them into a
    map over frames x joints, keeps its positive part, brings it back to the frames and joints
    of each recording and scales it to [0, 1]. The methods differ in how ``A`` and ``G`` combine:

    - ``"hirescam"`` (default): ``sum_c G * A``, element-wise (Draelos & Carin, 2020). For
      networks that average the last feature maps over frames before a linear head, as every
      :class:`~skgesture.CNNClassifier` does, this is the exact share of each (frame, joint)
      cell in the class score; it is also what the pointing-game benchmark found faithful
      (see ``docs/explain.md``).
    - ``"gradcam"``: the paper's Grad-CAM (Selvaraju et al., 2017), channel weights = ``G``
      averaged over the whole map (frames and joints), ``sum_c w_c * A``. With a head that
      gives each joint its own weights the averaging mixes the joints' weights up, and the
      map can point at the wrong joints.
    - ``"gradcam_per_joint"``: channel weights ``G`` averaged over frames only, one set per
      joint.
    - ``"layercam"``: ``sum_c ReLU(G) * A`` (Jiang et al., 2021).
    - ``"gradient_x_input"``: ``sum over coordinates |dscore/dx * x|`` on the standardised
      input; needs no convolution, so it also explains ``architecture="temporal"`` CNNs
      (whose feature maps have no joint axis), LSTMs and fully connected networks.

    For ``architecture="image"`` the map over ``joints * coords`` columns is max-pooled over
    each joint's coordinates, as in the paper.

    The differentiated score is set by ``class_score``: the paper's class logit, or the logit's
    margin over the other classes, which tells *why this class rather than the others* (and,
    unlike the bare logit, does not change when the same vector is added to every class's
    weights of the head, which leaves the model's probabilities unchanged).

    ``fit(X_reference)`` measures the maps against reference recordings (``A - mean A``
    instead of ``A``). For the CNNs' linear heads over time-averaged maps, HiResCAM's map
    before the ReLU then splits the score's difference between the recording and the
    reference's mean activation exactly over the cells, and a joint that stays still where
    the reference moves becomes visible. Recommended: the training recordings
    (``docs/explain.md`` has the measurements).

    Parameters
    ----------
    estimator : fitted classifier or fitted Pipeline
        A fitted :class:`~skgesture.CNNClassifier`, :class:`~skgesture.LSTMClassifier`,
        :class:`~skgesture.FCClassifier` (or another skgesture network classifier), or a
        fitted :class:`~sklearn.pipeline.Pipeline` ending in one. Its earlier steps transform
        ``X`` first; the heatmaps are brought back to the frames and joints of the recordings
        given to :meth:`explain` (see Notes).
    layer : str or None, default=None
        Dotted name of the network's submodule to explain (e.g. ``"blocks.1"``), as in
        ``estimator.net_.module_.get_submodule``. None takes the network's ``last_conv``.
        Ignored by ``"gradient_x_input"``.
    method : {"hirescam", "gradcam", "gradcam_per_joint", "layercam", "gradient_x_input"}, \
default="hirescam"
        How gradients and activations combine (see above).
    class_score : {"contrast", "logit"}, default="contrast"
        What is differentiated. ``"logit"``: the target class's logit ``z_t``, as in the
        paper. ``"contrast"``: ``z_t - sum_{c != t} q_c z_c`` with ``q`` the softmax of the other
        classes' logits (held fixed, so the gradient is ``G_t - sum q_c G_c``): the evidence for
        the target against its closest rivals; with two classes it is ``z_t - z_other``. It also
        helps with evidence of absence (a joint that stays still where the other class moves),
        which the bare logit often leaves to the bias; reference recordings given to
        :meth:`fit` help more. See ``docs/explain.md`` for the measurements.
    top_k : int, default=10
        Joints highlighted per frame by the explanation's pictures (the paper's 10).
    skeleton : Skeleton, {"natops", "mocaplab", "coco17", "kinect_v1"} or None, default=None
        Topology of the recordings: joint names and bones for the pictures. None names the
        joints ``"joint 0"``, ``"joint 1"``... and draws no bones.
    batch_size : int, default=32
        Recordings per forward and backward pass.

    Attributes
    ----------
    estimator_ : estimator
        The explained estimator (the one passed, not a copy).
    classifier_ : estimator
        The network classifier: ``estimator_`` or its last Pipeline step.
    layer_ : str or None
        Dotted name of the explained layer; None for ``"gradient_x_input"``.
    reference_ : ndarray of shape (channels, width) or None
        Mean activation of the explained layer over the reference recordings given to
        :meth:`fit` (real frames only; ``width`` is the layer's joint axis), or of the
        standardised input, ``(n_coords, n_joints)``, for ``"gradient_x_input"``. None when
        ``fit`` got no recordings.
    skeleton_ : Skeleton or None
    classes_ : ndarray of shape (n_classes,)

    Notes
    -----
    Through a Pipeline, joints dropped by a :class:`~skgesture.preprocessing.JointSelector`
    get 0 and the others their own row; frames map back by index (padding and cropping by
    :class:`~skgesture.preprocessing.SkeletonPadder` are undone: cropped frames get 0) or, when
    a step rescales time (:class:`~skgesture.preprocessing.FrameRateResampler`, a padder with
    ``fill="resample"``), by their relative position in the recording, with linear
    interpolation. Other steps must keep frames and joints where they are.

    The explainer changes nothing in the model: hooks live only inside :meth:`explain` and are
    removed even on error, the network's training mode is restored, no parameter gradient is
    stored and no file is written.

    One fitted explainer may explain from several threads at once and gives the maps of
    one-at-a-time calls: the passes through one network take turns, since its training mode
    is shared by every thread.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import CNNClassifier
    >>> from skgesture.explain import GradCAMExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 15, 4, 3))
    >>> y = np.repeat(["wave", "still"], 10)
    >>> X[y == "wave", :, 2, 1] += 3 * np.sin(np.linspace(0, 6, 15))  # joint 2 waves
    >>> clf = CNNClassifier(n_filters=8, max_epochs=20, lr=0.01, random_state=0).fit(X, y)
    >>> explanation = GradCAMExplainer(clf, top_k=2).fit().explain(X[:2])
    >>> explanation.heatmaps.shape  # (recordings, frames, joints), in [0, 1]
    (2, 15, 4)
    >>> explanation.predicted.tolist(), explanation.joint_importance.shape
    (['wave', 'wave'], (2, 4))
    >>> explanation.top_joints()[0].shape  # the 2 most important joints of each frame
    (15, 2)
    """

    _parameter_constraints: dict = {
        "estimator": [object],
        "layer": [str, None],
        "method": [StrOptions(set(METHODS))],
        "class_score": [StrOptions(set(CLASS_SCORES))],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "skeleton": [Skeleton, StrOptions(set(SKELETON_NAMES)), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        layer=None,
        method="hirescam",
        class_score="contrast",
        top_k=10,
        skeleton=None,
        batch_size=32,
    ):
        self.estimator = estimator
        self.layer = layer
        self.method = method
        self.class_score = class_score
        self.top_k = top_k
        self.skeleton = skeleton
        self.batch_size = batch_size

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check that the estimator can be explained, find the layer, learn the reference.

        Parameters
        ----------
        X : list of array-like, array-like or None, default=None
            Reference recordings (typically the training set), in a layout the estimator
            accepts. When given, the maps show each cell's contribution *relative to these
            recordings*: the explained layer's activations ``A`` are replaced by ``A - A_ref``,
            with ``A_ref`` their mean over the reference recordings and frames (per channel and
            joint; on the standardised input for ``"gradient_x_input"``). A joint that stays
            still where the reference moves then counts as evidence, which maps of raw
            activations cannot show. None (default) keeps the zero reference of the methods'
            papers. The estimator itself is fitted already and is not changed.
        y : None
            Ignored.

        Returns
        -------
        self : GradCAMExplainer
        """
        classifier = self.estimator[-1] if isinstance(self.estimator, Pipeline) else self.estimator
        check_is_fitted(self.estimator)
        module = getattr(getattr(classifier, "net_", None), "module_", None)
        if module is None or not hasattr(classifier, "channel_mean_"):
            raise ValueError(
                "GradCAMExplainer explains skgesture's network classifiers (CNNClassifier, "
                "LSTMClassifier, FCClassifier), alone or at the end of a Pipeline; got "
                f"{type(classifier).__name__}, which has no trained torch network (net_.module_)."
            )
        skeleton = get_skeleton(self.skeleton) if isinstance(self.skeleton, str) else self.skeleton
        if skeleton is not None and skeleton.n_joints != self._n_input_joints(classifier):
            raise ValueError(
                f"skeleton={skeleton.name!r} has {skeleton.n_joints} joints but the recordings "
                f"the estimator takes have {self._n_input_joints(classifier)}."
            )
        self.estimator_ = self.estimator
        self.classifier_ = classifier
        self.classes_ = classifier.classes_
        self.skeleton_ = skeleton
        self.layer_ = None
        if self.method in CAM_METHODS:
            self.layer_ = self._find_layer(module)
            self._check_layer_shape(module)
        self.reference_ = None if X is None else self._reference(X)
        return self

    def _reference(self, X):
        """Mean activation of the explained layer (or standardised input) over X's real frames."""
        import torch

        network_input, _ = self._network_input(X, None)
        total, count = 0.0, 0
        with self._network_batches(network_input) as batches:
            for x, lengths, _ in batches:
                if self.layer_ is None:
                    features = x.permute(0, 3, 1, 2)  # (batch, coords, frames, joints)
                else:
                    with _LayerRecorder(self.classifier_.net_.module_, self.layer_) as recorder:
                        with torch.no_grad():
                            self.classifier_.net_.module_(x, lengths)
                    features = recorder.activation.detach()
                _, layer_lengths = _layer_frames(lengths, x.shape[1], features.shape[2])
                mask = _frame_mask(layer_lengths, features.shape[2])[:, None, :, None]
                total = total + (features * mask).sum(dim=(0, 2))
                count += int(layer_lengths.sum())
        return (total / count).cpu().numpy()

    def _n_input_joints(self, classifier):
        """Joints of the recordings the estimator takes (before any JointSelector)."""
        if isinstance(self.estimator, Pipeline):
            first = self.estimator[0]
            if hasattr(first, "n_joints_in_"):
                return first.n_joints_in_
        return classifier.n_joints_in_

    def _find_layer(self, module):
        name = "last_conv" if self.layer is None else self.layer
        try:
            module.get_submodule(name)
        except AttributeError:
            if self.layer is None:
                raise ValueError(
                    f"method={self.method!r} explains a convolution layer, but "
                    f"{type(module).__name__} (the network of "
                    f"{type(self.classifier_).__name__}) has no convolution named 'last_conv'. "
                    "Use method='gradient_x_input', or name a layer with layer=."
                ) from None
            names = [child for child, _ in module.named_modules() if child]
            raise ValueError(
                f"layer={self.layer!r} is not a submodule of {type(module).__name__}; its "
                f"submodules are {names}."
            ) from None
        return name

    def _check_layer_shape(self, module):
        """Run one recording of zeros through the network to see the layer's output shape."""
        import torch

        n_frames = int(self.classifier_.n_frames_)
        shape = (1, n_frames, self.classifier_.n_joints_in_, self.classifier_._n_network_coords)
        device = next(module.parameters()).device
        x = torch.zeros(shape, device=device)
        lengths = torch.tensor([n_frames], device=device)
        with _exclusive(module), _evaluation_mode(module):
            with _LayerRecorder(module, self.layer_) as recorder, torch.no_grad():
                module(x, lengths)
        self._joint_axis(recorder.activation.shape)

    def _joint_axis(self, shape):
        """How the layer's last axis maps onto joints: "joints" or "joint_coords"."""
        n_joints, n_coords = self.classifier_.n_joints_in_, self.classifier_._n_network_coords
        if len(shape) == 4 and shape[3] == n_joints:
            return "joints"
        if len(shape) == 4 and shape[3] == n_joints * n_coords:
            return "joint_coords"
        raise ValueError(
            f"layer {self.layer_!r} outputs feature maps of shape {tuple(shape)}, with no axis "
            f"of {n_joints} joints (or {n_joints} x {n_coords} joint coordinates) after "
            "(batch, channels, frames); its map could not say which joint mattered (e.g. "
            "CNNClassifier(architecture='temporal') mixes joints in its first layer). Use "
            "method='gradient_x_input', or a layer with a joint axis."
        )

    # ------------------------------------------------------------------------- explaining
    def explain(self, X, target=None):
        """Explain the classification of each recording of ``X``.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings in a layout the estimator accepts.
        target : None, label or array-like of shape (n_samples,), default=None
            Class to explain: None explains each recording's predicted class; one label
            explains that class for every recording; an array gives one label per recording.

        Returns
        -------
        Explanation
            Heatmaps ``(n_samples, n_frames, n_joints)`` in [0, 1] on the frames and joints of
            ``X``, with the predicted and explained classes.
        """
        from skgesture.explain._explanation import Explanation

        check_is_fitted(self)
        recordings, lengths, _ = check_dataset(X)
        network_input, targets = self._network_input(X, target)
        heat, predicted = self._network_heatmaps(network_input, targets)
        heatmaps = self._to_recordings(
            heat, network_input["lengths"], lengths, n_joints=recordings.shape[2]
        )
        joint_names = (
            list(self.skeleton_.joint_names)
            if self.skeleton_ is not None
            else [f"joint {j}" for j in range(heatmaps.shape[2])]
        )
        predicted = self.classes_[predicted]
        return Explanation(
            heatmaps=heatmaps,
            lengths=lengths,
            predicted=predicted,
            target=predicted if targets is None else self.classes_[targets],
            joint_names=joint_names,
            recordings=[recording[:length] for recording, length in zip(recordings, lengths)],
            skeleton=self.skeleton_,
            method=self.method,
            top_k=self.top_k,
        )

    def explain_iter(self, X, target=None, *, chunk_size=None, verbose=False):
        """Explain ``X`` chunk by chunk, yielding one :class:`Explanation` per chunk.

        For datasets too large to explain at once: memory holds one chunk's recordings,
        network input and maps at a time, whatever the number of chunks, as long as the caller
        keeps only what it needs of each (e.g. ``joint_importance``). Each chunk is a complete
        :meth:`explain` call, so between two chunks no hook is registered on the network and
        other threads may use it; stopping the iteration early leaves nothing behind.

        Parameters
        ----------
        X : list of array-like, array-like or iterable of array-like
            Recordings, as for :meth:`explain`; or any iterable (e.g. a generator reading
            files) yielding one recording ``(n_frames, n_joints, n_coords)`` at a time, which
            is read one chunk at a time. An X without any recording raises a ``ValueError``
            (for an iterable, once it turns out to be empty), as :meth:`explain` does.
        target : None, label or array-like of shape (n_samples,), default=None
            As for :meth:`explain`; an array is cut into chunks along with ``X``.
        chunk_size : int, default=None
            Recordings per yielded explanation; None takes ``batch_size``.
        verbose : bool, default=False
            Show a progress bar (needs tqdm: ``pip install skgesture[progress]``), counting
            recordings; its total is known when ``X`` has a length.

        Yields
        ------
        Explanation
            The explanation of the next ``chunk_size`` recordings (fewer for the last chunk),
            in the order of ``X``.

        Examples
        --------
        >>> import numpy as np
        >>> from skgesture import CNNClassifier
        >>> from skgesture.explain import GradCAMExplainer
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(20, 15, 4, 3)), np.repeat(["a", "b"], 10)
        >>> explainer = GradCAMExplainer(CNNClassifier(max_epochs=2).fit(X, y)).fit()
        >>> chunks = explainer.explain_iter(X, chunk_size=8)
        >>> importance = [chunk.joint_importance for chunk in chunks]  # keep only what is needed
        >>> [len(chunk) for chunk in importance]
        [8, 8, 4]
        """
        check_is_fitted(self)
        if chunk_size is None:
            chunk_size = self.batch_size
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, Integral) or chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive integer or None; got {chunk_size!r}.")
        n_samples = len(X) if hasattr(X, "__len__") else None
        if n_samples == 0:
            raise ValueError("X holds no recording; explain_iter needs at least one.")
        targets = None if target is None or np.ndim(target) == 0 else np.asarray(target)
        if targets is not None and n_samples is not None and len(targets) != n_samples:
            raise ValueError(f"target gives {len(targets)} labels for {n_samples} recordings.")
        progress_bar = progress_bar_class() if verbose else None
        return self._explain_chunks(X, target, targets, chunk_size, progress_bar, n_samples)

    def _explain_chunks(self, X, target, targets, chunk_size, progress_bar, n_samples):
        """The generator behind :meth:`explain_iter`, whose arguments it has checked."""
        if hasattr(X, "__getitem__") and hasattr(X, "__len__"):
            # Slices keep an array's layout (a padded 4-D array's lengths, a 2-D table's rows).
            chunks = (X[start : start + chunk_size] for start in range(0, len(X), chunk_size))
        else:
            recordings = iter(X)
            chunks = iter(lambda: list(itertools.islice(recordings, chunk_size)), [])
        start = 0
        bar = None
        if progress_bar is not None:
            bar = progress_bar(total=n_samples, unit="recording", desc="explaining", leave=False)
        try:
            for chunk in chunks:
                stop = start + len(chunk)
                if targets is not None and stop > len(targets):
                    raise ValueError(
                        f"target gives {len(targets)} labels but X has more recordings."
                    )
                yield self.explain(chunk, target=target if targets is None else targets[start:stop])
                start = stop
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
        if start == 0:
            raise ValueError("X holds no recording; explain_iter needs at least one.")
        if targets is not None and start != len(targets):
            raise ValueError(f"target gives {len(targets)} labels for {start} recordings.")

    def _network_input(self, X, target):
        """The classifier's padded input and each recording's target class index (or None)."""
        steps = self.estimator_[:-1] if isinstance(self.estimator_, Pipeline) else ()
        Xt = steps.transform(X) if len(steps) else X  # a one-step Pipeline transforms nothing
        # The classifier's own input checks: skeleton shape, fixed length of FC networks.
        network_input = self.classifier_._validate_predict_data(Xt)
        n_samples = len(network_input["lengths"])
        if target is None:
            return network_input, None
        labels = np.asarray(target, dtype=object if np.ndim(target) == 0 else None)
        if labels.ndim == 0:
            labels = np.repeat(labels, n_samples)
        elif labels.ndim != 1 or len(labels) != n_samples:
            raise ValueError(
                f"target gives {labels.size} labels for {n_samples} recordings; pass None (the "
                "predicted classes), one label, or one label per recording."
            )
        unknown = [label for label in labels.tolist() if label not in self.classes_.tolist()]
        if unknown:
            raise ValueError(
                f"target holds labels {sorted(set(map(str, unknown)))} that are not classes of "
                f"the estimator; its classes are {self.classes_.tolist()}."
            )
        codes = np.array([self.classes_.tolist().index(label) for label in labels.tolist()])
        return network_input, codes

    @contextlib.contextmanager
    def _network_batches(self, network_input):
        """Standardised batches ``(x, lengths, slice)`` on the network's device, in eval mode."""
        import torch

        from skgesture.estimators._training import torch_threads

        classifier = self.classifier_
        module = classifier.net_.module_

        def batches():
            yield from classifier._standardised_batches(
                network_input["x"], network_input["lengths"], batch_size=self.batch_size
            )

        # The network's mode, torch's thread count and the cuDNN switch are shared by every
        # thread, so concurrent explanations of one network take turns (see _exclusive).
        # cuDNN's LSTM has no backward pass in evaluation mode; the native kernels do.
        with (
            _exclusive(module),
            torch_threads(classifier.n_threads),
            _evaluation_mode(module),
            torch.enable_grad(),
            torch.backends.cudnn.flags(enabled=False),
        ):
            yield batches()

    def _network_heatmaps(self, network_input, targets):
        """Heatmaps on the network's frames x joints, and the predicted class indices."""
        module = self.classifier_.net_.module_
        n_samples, n_frames, n_joints = network_input["x"].shape[:3]
        heat = np.zeros((n_samples, n_frames, n_joints), dtype=np.float32)
        predicted = np.zeros(n_samples, dtype=np.intp)
        with self._network_batches(network_input) as batches:
            for x, lengths, batch in batches:
                batch_targets = None if targets is None else targets[batch]
                heat[batch, : x.shape[1]], predicted[batch] = self._batch_heatmaps(
                    module, x, lengths, batch_targets
                )
        return heat, predicted

    def _batch_heatmaps(self, module, x, lengths, targets):
        import torch
        from torch.nn import functional as F

        if self.method == "gradient_x_input":
            x.requires_grad_(True)
            logits = module(x, lengths)
            predicted, codes = self._codes(logits, targets)
            score = self._class_score(logits, codes)
            (gradient,) = torch.autograd.grad(score, [x])
            heat = (gradient * self._relative(x.detach(), coords_last=True)).abs().sum(dim=3)
            return _masked(heat, lengths), predicted

        with _LayerRecorder(module, self.layer_) as recorder:
            logits = module(x, lengths)
        predicted, codes = self._codes(logits, targets)
        score = self._class_score(logits, codes)
        activation = recorder.activation  # (batch, channels, frames, width)
        (gradient,) = torch.autograd.grad(score, [activation])
        joint_axis = self._joint_axis(activation.shape)
        activation, gradient = self._relative(activation.detach()), gradient.detach()
        stride, layer_lengths = _layer_frames(lengths, x.shape[1], activation.shape[2])
        if self.method == "hirescam":
            cam = (gradient * activation).sum(dim=1)
        elif self.method == "gradcam":
            mask = _frame_mask(layer_lengths, activation.shape[2])[:, None, :, None]
            count = mask.sum(dim=(2, 3), keepdim=True) * activation.shape[3]
            weights = (gradient * mask).sum(dim=(2, 3), keepdim=True) / count
            cam = (weights * activation).sum(dim=1)
        elif self.method == "gradcam_per_joint":
            mask = _frame_mask(layer_lengths, activation.shape[2])[:, None, :, None]
            weights = (gradient * mask).sum(dim=2, keepdim=True) / mask.sum(dim=2, keepdim=True)
            cam = (weights * activation).sum(dim=1)
        else:  # layercam
            cam = (F.relu(gradient) * activation).sum(dim=1)
        cam = F.relu(cam)  # (batch, layer frames, width)
        if joint_axis == "joint_coords":
            cam = cam.unflatten(2, (self.classifier_.n_joints_in_, -1)).amax(dim=3)
        if stride > 1:
            # A layer that strided over frames: each of its frames summarises `stride` input
            # frames, in order, so input frame t takes the value of layer frame t // stride.
            cam = cam[:, torch.arange(x.shape[1], device=cam.device) // stride]
        return _masked(cam, lengths), predicted

    def _relative(self, features, coords_last=False):
        """``features`` minus the reference learnt by ``fit(X)`` (unchanged without one)."""
        if self.reference_ is None:
            return features
        import torch

        reference = torch.as_tensor(self.reference_, device=features.device)
        if coords_last:  # the input (batch, frames, joints, coords); reference (coords, joints)
            return features - reference.T[None, None]
        return features - reference[None, :, None, :]

    def _class_score(self, logits, codes):
        """The summed score whose gradient is explained (see ``class_score``)."""
        import torch

        chosen = logits.gather(1, codes[:, None])[:, 0]
        if self.class_score == "logit" or logits.shape[1] < 2:
            return chosen.sum()
        is_target = torch.nn.functional.one_hot(codes, logits.shape[1]).bool()
        rivals = torch.softmax(logits.detach().masked_fill(is_target, -torch.inf), dim=1)
        return (chosen - (rivals * logits).sum(dim=1)).sum()

    @staticmethod
    def _codes(logits, targets):
        """Predicted class indices (numpy) and the class indices to explain (tensor)."""
        import torch

        predicted = logits.detach().argmax(dim=1)
        codes = predicted if targets is None else torch.as_tensor(targets, device=logits.device)
        return predicted.cpu().numpy(), codes

    def _to_recordings(self, heat, network_lengths, lengths, n_joints):
        """Bring network-space heatmaps to each recording's frames and joints, scaled to [0, 1]."""
        joints, rescales_time = _pipeline_mapping(self.estimator_, heat.shape[2])
        heatmaps = np.zeros((len(heat), int(lengths.max()), n_joints), dtype=np.float32)
        for i, (map_, n_net, n_frames) in enumerate(zip(heat, network_lengths, lengths)):
            map_ = map_[:n_net]
            if rescales_time:
                positions = np.linspace(0, n_net - 1, n_frames)
                map_ = np.stack(
                    [np.interp(positions, np.arange(n_net), column) for column in map_.T], axis=1
                )
            n_kept = min(len(map_), n_frames)
            heatmaps[i][:n_kept, joints] = map_[:n_kept]
            peak = heatmaps[i].max()
            if peak > 0:
                heatmaps[i] /= peak
        return heatmaps


def _pipeline_mapping(estimator, n_network_joints):
    """Original joint index of each network joint, and whether a step rescales time."""
    from skgesture.preprocessing import FrameRateResampler, JointSelector, SkeletonPadder

    if not isinstance(estimator, Pipeline):
        return np.arange(n_network_joints), False
    joints = None
    rescales_time = False
    for _, step in estimator.steps[:-1]:
        if isinstance(step, JointSelector):
            selected = np.asarray(step.joint_indices_)
            joints = selected if joints is None else joints[selected]
        rescales_time |= isinstance(step, FrameRateResampler) or (
            isinstance(step, SkeletonPadder) and step.fill == "resample"
        )
    if joints is None:
        joints = np.arange(n_network_joints)
    if len(joints) != n_network_joints:
        raise ValueError(
            f"The Pipeline's steps turn the recordings into {n_network_joints} joints, which "
            "GradCAMExplainer cannot map back to the joints of X: only JointSelector may change "
            "the joints."
        )
    return joints, rescales_time


# One lock per network, kept outside both the network and the explainer: pickling, cloning and
# saving either stay untouched, and two explainers of one network take turns too.
_NETWORK_LOCKS = weakref.WeakKeyDictionary()
_NETWORK_LOCKS_GUARD = threading.Lock()


def _exclusive(module):
    """The lock that makes explanations of ``module`` take turns.

    Explaining switches the whole network to evaluation mode and back, and sets torch's
    thread count and the cuDNN switch, which every thread shares: a second explanation of the
    same network running meanwhile would find the network back in training mode (batch
    statistics, dropout) halfway through its pass.
    """
    with _NETWORK_LOCKS_GUARD:
        lock = _NETWORK_LOCKS.get(module)
        if lock is None:
            lock = _NETWORK_LOCKS[module] = threading.RLock()
    return lock


@contextlib.contextmanager
def _evaluation_mode(module):
    """Evaluation mode (dropout off, running batch statistics) inside the block only."""
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)


def _layer_frames(lengths, n_frames, n_layer_frames):
    """The temporal stride of a layer and the real length of each recording in it.

    A layer with stride ``s`` keeps ``ceil(frames / s)`` frames of a batch of ``n_frames``;
    the stride is the smallest ``s`` that gives ``n_layer_frames`` (1 when the layer keeps
    every frame), and a recording of ``l`` real frames has ``ceil(l / s)`` in the layer.
    """
    stride = 1
    while -(-n_frames // stride) > n_layer_frames:
        stride += 1
    return stride, -(-lengths // stride)


def _frame_mask(lengths, n_frames):
    import torch

    return torch.arange(n_frames, device=lengths.device)[None, :] < lengths[:, None]


def _masked(heat, lengths):
    """Zero the padded frames of (batch, frames, joints) maps and return them as numpy."""
    mask = _frame_mask(lengths, heat.shape[1])[:, :, None]
    return (heat * mask).detach().cpu().numpy()


class _LayerRecorder:
    """Keep the output of one submodule during a forward pass; the hook lives in the block.

    The hook sits on a network that other threads may run meanwhile (``predict``, another
    explainer): it keeps only the outputs of passes made by the thread that entered the block,
    so each recorder sees its own pass's activation and nobody else's.
    """

    def __init__(self, module, name):
        self.layer = module.get_submodule(name)
        self.activation = None
        self._handle = None
        self._thread = None

    def _keep(self, layer, inputs, output):
        if threading.get_ident() == self._thread:
            self.activation = output

    def __enter__(self):
        self._thread = threading.get_ident()
        self._handle = self.layer.register_forward_hook(self._keep)
        return self

    def __exit__(self, *exc_info):
        self._handle.remove()
        return False
