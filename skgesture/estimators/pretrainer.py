"""Self-supervised pre-training of the CNN's trunk: :class:`AutoencoderPretrainer`."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNet
from skorch.utils import to_tensor

from skgesture._standardize import standardize
from skgesture.estimators._base import (
    NETWORK_DEFAULTS,
    TRAINING_CONSTRAINTS,
    NetworkEstimator,
    parameters_init,
)
from skgesture.estimators._batches import batch_slices
from skgesture.estimators._docs import complete_docstring
from skgesture.estimators._training import resolve_early_stopping
from skgesture.estimators.cnn import (
    complete_pickled_downsample,
    complete_saved_downsample,
    resolve_downsample,
)
from skgesture.nn import ContrastiveNet, HybridNet, ReconstructionNet
from skgesture.nn.losses import masked_reconstruction_loss, nt_xent_loss
from skgesture.utils.validation import restore_layout

__all__ = ["AutoencoderPretrainer"]

# Masked reconstruction hides (block of frames, joint) cells of this many frames: long enough
# that a hidden stretch cannot be filled in from its two neighbouring frames alone.
_MASK_BLOCK = 4

# The contrastive views: what SimCLR needs from skeletons is views that differ in viewpoint,
# size, speed, extent and which joints are seen, but keep the gesture.
_CONTRASTIVE_AUGMENT = {
    "rotation": 20.0,
    "scaling": 0.2,
    "jitter": 0.02,
    "time_warp": 0.2,
    "crop": 0.2,
    "joint_dropout": 0.1,
}


def strong_augmenter(n_coords=3):
    """The strong augmentation of contrastive pre-training (and of FixMatch's strong views):
    turns, scaling, jitter, time warp, cropping and dropped joints; no turn for recordings of
    one coordinate per joint."""
    from skgesture.preprocessing.augment import Augmenter

    settings = dict(_CONTRASTIVE_AUGMENT)
    if n_coords < 2:
        settings["rotation"] = 0.0  # one coordinate per joint cannot turn
    return Augmenter(**settings)


_TRAINING_PARAMETERS = (
    "skeleton",
    "body_frame",
    "streams",
    "max_epochs",
    "batch_size",
    "lr",
    "optimizer",
    "weight_decay",
    "lr_schedule",
    "early_stopping",
    "validation_fraction",
    "patience",
    "device",
    "random_state",
    "verbose",
    "n_threads",
    "callbacks",
    "net_params",
)


def _hide_blocks(data, mask_ratio, rng):
    """Zero random (block of frames, joint) cells of a standardised batch (zero = the mean)."""
    n_samples, n_frames, n_joints, _ = data.shape
    n_blocks = -(-n_frames // _MASK_BLOCK)
    hidden = rng.random((n_samples, n_blocks, n_joints)) < mask_ratio
    hidden = np.repeat(hidden, _MASK_BLOCK, axis=1)[:, :n_frames]  # (batch, frames, joints)
    return np.where(hidden[..., np.newaxis], np.float32(0), data)


class _PretextCollator:
    """Assemble pre-training batches: corrupted inputs and clean targets, or two views.

    ``objective="reconstruction"``: the input is the standardised batch with random cells
    hidden; the target is the clean standardised batch. ``objective="contrastive"``: the input
    holds two augmented views of every recording, stacked (rows ``i`` and ``i + batch``).
    ``objective="hybrid"``: two views as for contrastive, the first of them masked as for
    reconstruction; the target is both views' clean standardised values.
    With ``reseed=True`` every call starts from the same seed, so the validation batches get the
    same corruption at every epoch and their loss can be compared from epoch to epoch.
    """

    # Collators pickled before input features existed fed positions as given.
    features = None

    def __init__(
        self, mean, scale, objective, mask_ratio, augmenter, seed, reseed=False, features=None
    ):
        self.features = features
        self.mean = mean
        self.scale = scale
        self.objective = objective
        self.mask_ratio = mask_ratio
        self.augmenter = augmenter
        self.seed = seed
        self.reseed = reseed
        self.rng = np.random.default_rng(seed)

    def __call__(self, items):
        inputs = [item for item, _ in items]
        lengths = np.array([item["lengths"] for item in inputs], dtype=np.int64)
        data = np.stack([item["x"] for item in inputs])
        rng = np.random.default_rng(self.seed) if self.reseed else self.rng
        return self.make(data, lengths, rng)

    def _features(self, data, lengths):
        return data if self.features is None else self.features(data, lengths)

    def make(self, data, lengths, rng):
        """The ``(inputs, target)`` of one batch of padded recordings, drawing from ``rng``."""
        data = data[:, : lengths.max()]
        if self.objective in ("contrastive", "hybrid"):
            views = [self.augmenter.augment_batch(data, lengths, rng) for _ in range(2)]
            data = np.concatenate([view for view, _ in views])
            lengths = np.concatenate([view_lengths for _, view_lengths in views])
            x = standardize(self._features(data, lengths), lengths, self.mean, self.scale)
            target = torch.zeros(len(x))
            if self.objective == "hybrid":
                # The first view is also masked and must be rebuilt; the second stays whole.
                target = torch.from_numpy(x.copy())
                n_first = len(x) // 2
                x[:n_first] = _hide_blocks(x[:n_first], self.mask_ratio, rng)
        else:
            if self.augmenter is not None:
                data, lengths = self.augmenter.augment_batch(data, lengths, rng)
            clean = standardize(self._features(data, lengths), lengths, self.mean, self.scale)
            x = _hide_blocks(clean, self.mask_ratio, rng)
            target = torch.from_numpy(clean)
        batch = {
            "x": torch.from_numpy(np.ascontiguousarray(x)),
            "lengths": torch.from_numpy(np.asarray(lengths, dtype=np.int64)),
        }
        return batch, target


class _PretextNet(NeuralNet):
    """A skorch net whose loss is the pre-training objective (it needs the batch's lengths)."""

    def __init__(
        self,
        *args,
        objective="reconstruction",
        loss="l1",
        temperature=0.2,
        reconstruction_weight=1.0,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.loss = loss
        self.temperature = temperature
        self.reconstruction_weight = reconstruction_weight

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if self.objective == "contrastive":
            return nt_xent_loss(y_pred, self.temperature)
        lengths = to_tensor(X["lengths"], device=self.device)
        target = to_tensor(y_true, device=self.device)
        if self.objective == "reconstruction":
            return masked_reconstruction_loss(y_pred, target, lengths, kind=self.loss)
        reconstruction, z = y_pred
        masked = len(target) // 2  # the first view is the masked one
        rebuilt = masked_reconstruction_loss(
            reconstruction[:masked], target[:masked], lengths[:masked], kind=self.loss
        )
        return nt_xent_loss(z, self.temperature) + self.reconstruction_weight * rebuilt


def _rebuilt(module, x, lengths):
    """The reconstruction of a reconstruction or hybrid network (the latter also projects)."""
    output = module(x, lengths)
    return output[0] if isinstance(output, tuple) else output


def _trunk_sizes(encoder):
    """The sizes of a :class:`~skgesture.nn.cnn.JointEncoder`, to build a matching classifier."""
    return {
        "n_filters": encoder.n_filters,
        "n_blocks": len(encoder.blocks),
        "kernel_size": encoder.stem.conv.kernel_size[0],
        "downsample": encoder.downsample,
    }


@complete_docstring
class AutoencoderPretrainer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, NetworkEstimator):
    """Learn the convolutional trunk of the CNN from unlabelled recordings.

    The trunk is the one of :class:`~skgesture.CNNClassifier` (``architecture="joint"``):
    residual temporal convolutions shared by all joints. It is trained on one of two
    objectives, without labels:

    - ``"reconstruction"`` (masked reconstruction): random cells of 4 frames x 1 joint are
      hidden (set to the channel mean) and a small convolutional decoder rebuilds the whole
      recording from the trunk's features; the loss is the L1 or squared error over the real
      frames. The paper's autoencoder reconstructs its unmodified input through a bottleneck;
      this trunk keeps every frame and joint, so without hiding it could learn to copy.
    - ``"contrastive"`` (SimCLR): two augmented views of every recording (rotation about the
      vertical axis, scaling, jitter, time warping, cropping, joint dropout) are embedded and
      projected, and the NT-Xent loss pulls the two views of a recording together and pushes
      other recordings away. No labels are used (the paper's contrastive variant used them).
    - ``"hybrid"``: both at once, from one pass of the trunk. The first view of each pair is
      also masked, and the loss is NT-Xent plus ``reconstruction_weight`` times the masked
      reconstruction error of that view: the views must agree, and the features must keep
      enough of the movement to rebuild it.

    ``transform`` returns one embedding per recording: the trunk's features averaged over
    real frames, for every joint (``n_filters * n_joints_in_`` values), the input of the CNN's
    linear head, so a linear model on them is a CNN with a frozen pre-trained trunk.

    Parameters
    ----------
    objective : {"reconstruction", "contrastive", "hybrid"}, default="reconstruction"
    n_filters : int, default=24
        Channels of every convolution of the trunk. The default is ``CNNClassifier``'s, so
        that with the default ``n_blocks`` and ``kernel_size`` the pre-trained trunk has the
        supervised CNN's default width, depth and kernel: a consistency choice, not a tuned
        value. It was 48, which made ``SSLClassifier``'s network twice as wide as the
        supervised default and its pre-training 2.4 times as costly on ``make_gestures``
        (``benchmarks/ssl_cost.py``). Saved models keep the width they were fitted with.
    n_blocks : int, default=2
        Residual blocks of the trunk.
    kernel_size : int, default=7
        Frames covered by each convolution.
    downsample : "auto" or int, default="auto"
        Temporal downsampling of the trunk, a power of 2, as ``CNNClassifier``'s (same
        "auto" rule: halve the frames while the median training recording keeps at least 32
        in the last stage, down to a quarter; 1 for NATOPS and UTKinect, 2 for the paper's
        100-frame recordings); the choice is ``downsample_``. The pre-trained trunk loads
        into a classifier with the same value (``SSLClassifier`` builds it so). The decoder
        rebuilds every frame from the trunk's features repeated back to full length. Halving
        the frames about halves the cost of pre-training (``benchmarks/ssl_cost.py``).
    mask_ratio : float in [0, 1), default=0.5
        Share of (4-frame block, joint) cells hidden for masked reconstruction.
    loss : {"l1", "mse"}, default="l1"
        Reconstruction error.
    temperature : float, default=0.2
        Temperature of the contrastive loss.
    reconstruction_weight : float, default=1.0
        Weight of the reconstruction error in the ``"hybrid"`` loss; ignored otherwise.
    projection_size : int, default=128
        Size of the contrastive projection head's output.
    augment : "auto", None, "light", "medium", Augmenter or callable, default="auto"
        Augmentation of the training recordings (see
        :func:`skgesture.preprocessing.augment.make_augmenter`). ``"auto"``: none for
        reconstruction; for contrastive, ``Augmenter(rotation=20, scaling=0.2, jitter=0.02,
        time_warp=0.2, crop=0.2, joint_dropout=0.1)``. The contrastive and hybrid objectives
        need one.
    batch_size : int, default=32
        Recordings per mini-batch; for the contrastive objective each batch holds twice as many
        views, and every other recording of the batch is a negative example.
    %(training_parameters)s

    Attributes
    ----------
    downsample_ : int
        The temporal downsampling of the trunk that ``fit`` chose (``downsample`` resolved).
    %(fitted_attributes)s

    See Also
    --------
    SSLClassifier : pre-trains with this class and fine-tunes a classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.ssl import AutoencoderPretrainer
    >>> X = np.random.default_rng(0).normal(size=(12, 20, 5, 3))
    >>> pretrainer = AutoencoderPretrainer(n_filters=8, max_epochs=3, random_state=0).fit(X)
    >>> pretrainer.transform(X).shape  # 8 filters x 5 joints
    (12, 40)
    >>> pretrainer.reconstruct(X).shape  # the network's input: joint and motion streams, xyz each
    (12, 20, 5, 6)
    """

    _parameter_constraints = {
        "objective": [StrOptions({"reconstruction", "contrastive", "hybrid"})],
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "n_blocks": [Interval(Integral, 0, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "downsample": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "mask_ratio": [Interval(Real, 0, 1, closed="left")],
        "loss": [StrOptions({"l1", "mse"})],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "projection_size": [Interval(Integral, 1, None, closed="left")],
        "augment": "no_validation",
        **{name: TRAINING_CONSTRAINTS[name] for name in _TRAINING_PARAMETERS},
    }

    @classmethod
    def _get_test_params(cls):
        """Parameter sets of small, seeded, CPU instances that the common tests build."""
        trunk = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, "random_state": 0, "n_threads": 1}
        return [
            {"objective": objective, "max_epochs": 3, "batch_size": 64, **trunk}
            for objective in ("reconstruction", "contrastive", "hybrid")
        ]

    def _expected_failed_checks(self):
        """scikit-learn checks this estimator fails by design: ``{check name: reason}``."""
        return {
            "check_methods_subset_invariance": (
                "embeddings come from a float32 network; batches of other sizes round "
                "differently, by about 2e-7 relative, and the check allows 1e-7 absolute"
            ),
        }

    __init__ = parameters_init(
        {
            "objective": "reconstruction",
            "n_filters": 24,
            "n_blocks": 2,
            "kernel_size": 7,
            "downsample": "auto",
            "mask_ratio": 0.5,
            "loss": "l1",
            "temperature": 0.2,
            "reconstruction_weight": 1.0,
            "projection_size": 128,
            "augment": "auto",
            # The input (body frame with the motion stream), as CNNClassifier's: measured on
            # the training parts of NATOPS and UTKinect with few labels, it lifted the
            # fine-tuned model by 9 points and more (benchmarks/select_ssl.py).
            **{name: NETWORK_DEFAULTS[name] for name in _TRAINING_PARAMETERS},
            "batch_size": 32,
        }
    )

    # ----------------------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pre-train the trunk on recordings ``X``; labels are not used.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings in any layout of the data conventions.
        y : None
            Ignored.

        Returns
        -------
        self

        Notes
        -----
        ``fit`` is all or nothing: when it raises, the estimator is left as it was.
        """
        return self._all_or_nothing(self._fit, X)

    _saved_attributes = ("downsample_",)

    @classmethod
    def _complete_older_params(cls, params):
        # Before "auto" existed the pretrainer kept every frame unless told otherwise.
        params.setdefault("downsample", 1)
        complete_pickled_downsample(params)

    @classmethod
    def _complete_older_attributes(cls, attributes, params):
        complete_saved_downsample(attributes, params)

    def _learn_input(self, data, lengths):
        super()._learn_input(data, lengths)
        self.downsample_ = resolve_downsample(self.downsample, lengths, self.n_blocks + 1)

    def _fit(self, X):
        self._check_network_params()
        data, lengths, _ = self._validate_training_recordings(X, reset=True)
        self._learn_input(data, lengths)
        early_stopping = resolve_early_stopping(
            self.early_stopping, n_samples=len(data), validation_fraction=self.validation_fraction
        )
        training = self._train_network(
            {"x": data, "lengths": lengths},
            None,
            stage=self._stage(),
            early_stopping=early_stopping,
        )
        return self._keep(training)

    def _make_augmenter(self, n_coords=3):
        from skgesture.preprocessing.augment import make_augmenter

        if self.augment == "auto":
            if self.objective == "reconstruction":
                return None
            return strong_augmenter(n_coords)
        augmenter = make_augmenter(self.augment)
        if augmenter is None and self.objective in ("contrastive", "hybrid"):
            raise ValueError(
                f"objective={self.objective!r} learns by comparing two augmented views of each "
                "recording, so augment cannot be None; use augment='auto'."
            )
        return augmenter

    def _module(self):
        sizes = {
            "n_joints": self.n_joints_in_,
            "n_coords": self._n_network_coords,
            "n_filters": self.n_filters,
            "n_blocks": self.n_blocks,
            "kernel_size": self.kernel_size,
            "downsample": self.downsample_,
        }
        if self.objective == "reconstruction":
            return ReconstructionNet, sizes
        module = ContrastiveNet if self.objective == "contrastive" else HybridNet
        return module, {**sizes, "projection_size": self.projection_size}

    def _pretext_collator(self, seed, reseed=False):
        return _PretextCollator(
            self.channel_mean_,
            self.channel_scale_,
            self.objective,
            self.mask_ratio,
            self._make_augmenter(self.n_coords_in_),
            seed,
            reseed=reseed,
            features=self._input_features(),
        )

    def _make_net(self, *, device, split_seed=0, augment_seed=0, stage=None, early_stopping=None):
        stage = self._stage() if stage is None else stage
        early_stopping = self.early_stopping_ if early_stopping is None else early_stopping
        module, module_params = self._module()
        collate = (
            self._pretext_collator(augment_seed),
            self._pretext_collator(augment_seed, reseed=True),
        )
        params = {
            "module": module,
            **{f"module__{name}": value for name, value in module_params.items()},
            "criterion": torch.nn.Identity,  # the loss is _PretextNet.get_loss
            "objective": self.objective,
            "loss": self.loss,
            "temperature": self.temperature,
            "reconstruction_weight": self.reconstruction_weight,
            **self._skorch_params(
                stage=stage,
                early_stopping=early_stopping,
                device=device,
                split_seed=split_seed,
                stratified=False,
                collate=collate,
            ),
        }
        params.update(self.net_params or {})
        return _PretextNet(**params)

    # ------------------------------------------------------------------------------- using
    def transform(self, X):
        """Embed each recording: the trunk's features averaged over its real frames, per joint.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data.

        Returns
        -------
        ndarray of shape (n_samples, ``n_filters * n_joints_in_``)
        """
        data, lengths, _ = self._validate_new_recordings(X)
        outputs = self._map_batches(data, lengths, lambda module, x, n: module.encoder.embed(x, n))
        return np.concatenate(outputs).astype(np.float64)

    def reconstruct(self, X):
        """Rebuild recordings through the trained decoder (objective reconstruction or hybrid).

        The input is not masked, so this shows what the network keeps of a whole recording.
        What is rebuilt is the network's input: the positions themselves with
        ``body_frame=False, streams=("joint",)``, else the input features (body-frame joints,
        bones, motion; see :mod:`skgesture._features`), ``len(streams)`` groups of
        ``n_coords_in_`` channels per joint.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data.

        Returns
        -------
        list of ndarray or ndarray
            In the layout of ``X``: a list of ``(n_frames_i, n_joints, n_channels)`` arrays for
            a list, else an array of the shape of ``X`` with ``n_channels`` channels per joint
            (padded frames stay zero).
        """
        if self.objective == "contrastive":
            raise ValueError(
                "reconstruct needs objective='reconstruction' or 'hybrid'; this pretrainer was "
                "trained with objective='contrastive', which has no decoder."
            )
        data, lengths, layout = self._validate_new_recordings(X)
        rebuilt = np.zeros(data.shape[:3] + (self._n_network_coords,), dtype=data.dtype)
        start = 0
        for batch in self._map_batches(data, lengths, _rebuilt):
            batch_lengths = lengths[start : start + len(batch)]
            frames = np.arange(batch.shape[1])[None, :] < batch_lengths[:, None]
            values = batch * self.channel_scale_ + self.channel_mean_
            rebuilt[start : start + len(batch), : batch.shape[1]] = np.where(
                frames[..., None, None], values, 0.0
            )
            start += len(batch)
        if layout == "list":
            return [recording[:length] for recording, length in zip(rebuilt, lengths)]
        return restore_layout(rebuilt, layout)

    def score(self, X, y=None):
        """Negative pre-training error on ``X`` (higher is better).

        ``objective="reconstruction"``: minus the mean ``loss`` (L1 or squared error, in
        standardised units) of :meth:`reconstruct` over the real frames. ``"contrastive"`` and
        ``"hybrid"``: minus the training loss on two augmented views of each recording (fixed
        seed, so repeated calls agree).

        Parameters
        ----------
        X : list of array-like or array-like
        y : None
            Ignored.

        Returns
        -------
        float
        """
        data, lengths, _ = self._validate_new_recordings(X)
        if self.objective == "reconstruction":

            def error(module, x, n):
                per_recording = masked_reconstruction_loss(module(x, n), x, n, kind=self.loss)
                return per_recording.reshape(1) * n.sum()

            total = sum(float(batch.sum()) for batch in self._map_batches(data, lengths, error))
            return -total / float(lengths.sum())
        seed = int(np.random.default_rng(0).integers(2**31))
        collate = self._pretext_collator(seed)
        rng = np.random.default_rng(seed)
        net = self.net_
        losses, sizes = [], []
        with self._evaluating(net):
            for rows in batch_slices(len(data), self.batch_size):
                batch, target = collate.make(data[rows], lengths[rows], rng)
                x = to_tensor(batch["x"], device=net.device)
                n = to_tensor(batch["lengths"], device=net.device)
                losses.append(float(net.get_loss(net.module_(x, n), target, X=batch)))
                sizes.append(len(lengths[rows]))
        return -float(np.average(losses, weights=sizes))

    @property
    def _n_features_out(self):
        return self.n_filters * self.n_joints_in_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
