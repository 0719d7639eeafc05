"""Self-supervised pre-training and semi-supervised gesture classification.

- :class:`AutoencoderPretrainer` learns the convolutional trunk of
  :class:`~skgesture.CNNClassifier` from unlabelled recordings, by masked reconstruction or by
  contrastive learning (SimCLR), and turns recordings into embeddings.
- :class:`SSLClassifier` follows scikit-learn's semi-supervised convention (``y == -1`` marks
  an unlabelled recording): it pre-trains the trunk on every recording, then fine-tunes a
  classifier on the labelled ones. The result is a CNN like :class:`~skgesture.CNNClassifier`,
  so :class:`~skgesture.GradCAMExplainer` explains it.

Both train through skorch like the supervised classifiers: the same standardisation, progress
output, early stopping, ``random_state``, ``device`` and all-or-nothing ``fit``.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d
from skorch import NeuralNet
from skorch.dataset import ValidSplit
from skorch.utils import to_tensor

from skgesture._base import (
    _MIN_AUTO_VALIDATION_SIZE,
    _OPTIMIZERS,
    COMMON_PARAMETER_CONSTRAINTS,
    TEST_TRAINING,
    SkeletonClassifierBase,
    SkeletonInputMixin,
    _BatchCollator,
    _probabilities,
    _recover_from_interrupt,
    _torch_threads,
    check_labels,
    check_sample_weight,
    drop_unweighted,
    seeded_training,
    training_callbacks,
)
from skgesture._device import resolve_device
from skgesture._standardize import channel_statistics, standardize
from skgesture.classifiers import _complete_docstring
from skgesture.model_selection import labelled_mask
from skgesture.nn import ContrastiveNet, HybridNet, JointCNN, ReconstructionNet
from skgesture.nn.losses import masked_reconstruction_loss, nt_xent_loss
from skgesture.utils.validation import restore_layout

__all__ = ["AutoencoderPretrainer", "SSLClassifier"]

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

_TRAINING_PARAMETERS = (
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

    def __init__(self, mean, scale, objective, mask_ratio, augmenter, seed, reseed=False):
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
        data = np.stack([item["x"] for item in inputs])[:, : lengths.max()]
        rng = np.random.default_rng(self.seed) if self.reseed else self.rng
        if self.objective in ("contrastive", "hybrid"):
            views = [self.augmenter.augment_batch(data, lengths, rng) for _ in range(2)]
            data = np.concatenate([view for view, _ in views])
            lengths = np.concatenate([view_lengths for _, view_lengths in views])
            x = standardize(data, lengths, self.mean, self.scale)
            target = torch.zeros(len(x))
            if self.objective == "hybrid":
                # The first view is also masked and must be rebuilt; the second stays whole.
                target = torch.from_numpy(x.copy())
                n_first = len(x) // 2
                x[:n_first] = _hide_blocks(x[:n_first], self.mask_ratio, rng)
        else:
            if self.augmenter is not None:
                data, lengths = self.augmenter.augment_batch(data, lengths, rng)
            clean = standardize(data, lengths, self.mean, self.scale)
            x = _hide_blocks(clean, self.mask_ratio, rng)
            target = torch.from_numpy(clean)
        batch = {
            "x": torch.from_numpy(np.ascontiguousarray(x)),
            "lengths": torch.from_numpy(lengths),
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
    }


class AutoencoderPretrainer(
    SkeletonInputMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
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
    real frames, for every joint (``n_filters * n_joints`` values), the input of the CNN's
    linear head, so a linear model on them is a CNN with a frozen pre-trained trunk.

    Parameters
    ----------
    objective : {"reconstruction", "contrastive", "hybrid"}, default="reconstruction"
    n_filters : int, default=48
        Channels of every convolution of the trunk.
    n_blocks : int, default=2
        Residual blocks of the trunk.
    kernel_size : int, default=7
        Frames covered by each convolution.
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
    max_epochs : int, default=100
    batch_size : int, default=32
        Recordings per mini-batch; for the contrastive objective each batch holds twice as many
        views, and every other recording of the batch is a negative example.
    lr : float, default=0.003
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, default="adamw"
    weight_decay : float, default=0.01
    lr_schedule : {"cosine", "constant"}, default="cosine"
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the recordings and stop when their pre-training
        loss has not improved for ``patience`` epochs, keeping the best epoch's weights.
        ``"auto"`` turns it on when at least 100 recordings would be held out.
    validation_fraction : float in (0, 1), default=0.2
    patience : int, default=10
    device : {"auto", "cpu", "cuda"}, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, the hold-out split, masking and augmentation.
    verbose : int, default=0
        0 prints nothing, 1 a table of losses per epoch, 2 also a progress bar over batches.
    n_threads : int or None, default=None
        Torch threads during ``fit``, ``transform`` and ``score``.
    callbacks : list of skorch callbacks or None, default=None
    net_params : dict or None, default=None
        Further skorch parameters, applied last.

    Attributes
    ----------
    n_features_in_ : int
        Values per frame (``n_joints_ * n_coords_``), or columns of 2-D input.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, only when fitted on a 2-D DataFrame with string column names.
    n_joints_ : int
    n_coords_ : int
    n_frames_ : int
        Length of the longest training recording.
    channel_mean_ : ndarray of shape (``n_joints_``, ``n_coords_``)
    channel_scale_ : ndarray of shape (``n_joints_``, ``n_coords_``)
        Standardisation learned on the real frames of the training recordings.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_.encoder`` is the trunk.
    history_ : skorch.History
    n_iter_ : int
        Epochs run.
    early_stopping_ : bool
    interrupted_ : bool
        Whether ``fit`` was stopped by ``KeyboardInterrupt``; then the best completed epoch's
        weights were restored and a warning said so.

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
    >>> pretrainer.reconstruct(X).shape
    (12, 20, 5, 3)
    """

    _parameter_constraints = {
        "objective": [StrOptions({"reconstruction", "contrastive", "hybrid"})],
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "n_blocks": [Interval(Integral, 0, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "mask_ratio": [Interval(Real, 0, 1, closed="left")],
        "loss": [StrOptions({"l1", "mse"})],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "projection_size": [Interval(Integral, 1, None, closed="left")],
        "augment": "no_validation",
        **{name: COMMON_PARAMETER_CONSTRAINTS[name] for name in _TRAINING_PARAMETERS},
    }

    @classmethod
    def _get_test_params(cls):
        """Parameter sets of small, seeded, CPU instances that the common tests build."""
        trunk = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, "random_state": 0, "n_threads": 1}
        return [
            {"objective": objective, "max_epochs": 3, "batch_size": 64, **trunk}
            for objective in ("reconstruction", "contrastive", "hybrid")
        ]

    def save(self, path):
        """Write the fitted pretrainer to one ``.npz`` file, without pickle (see
        :func:`skgesture.save`)."""
        from skgesture._persistence import save

        save(self, path)

    @classmethod
    def load(cls, path, *, device=None):
        """Read a pretrainer written by :meth:`save` (see :func:`skgesture.load`)."""
        from skgesture._persistence import load

        return load(path, cls=cls, device=device)

    def _expected_failed_checks(self):
        """scikit-learn checks this estimator fails by design: ``{check name: reason}``."""
        return {
            "check_methods_subset_invariance": (
                "embeddings come from a float32 network; batches of other sizes round "
                "differently, by about 2e-7 relative, and the check allows 1e-7 absolute"
            ),
        }

    def __init__(
        self,
        *,
        objective="reconstruction",
        n_filters=48,
        n_blocks=2,
        kernel_size=7,
        mask_ratio=0.5,
        loss="l1",
        temperature=0.2,
        reconstruction_weight=1.0,
        projection_size=128,
        augment="auto",
        max_epochs=100,
        batch_size=32,
        lr=0.003,
        optimizer="adamw",
        weight_decay=0.01,
        lr_schedule="cosine",
        early_stopping="auto",
        validation_fraction=0.2,
        patience=10,
        device="cpu",
        random_state=None,
        verbose=0,
        n_threads=None,
        callbacks=None,
        net_params=None,
    ):
        self.objective = objective
        self.n_filters = n_filters
        self.n_blocks = n_blocks
        self.kernel_size = kernel_size
        self.mask_ratio = mask_ratio
        self.loss = loss
        self.temperature = temperature
        self.reconstruction_weight = reconstruction_weight
        self.projection_size = projection_size
        self.augment = augment
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.n_threads = n_threads
        self.callbacks = callbacks
        self.net_params = net_params

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
        state = dict(vars(self))
        try:
            return self._fit(X)
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            raise

    def _fit(self, X):
        self._make_augmenter()  # refuse a bad augment before reading the data
        data, lengths = self._validate_training_recordings(X, reset=True)
        self.n_joints_, self.n_coords_ = data.shape[2:]
        self.n_frames_ = int(lengths.max())
        self.channel_mean_, self.channel_scale_ = channel_statistics(data, lengths)
        self.early_stopping_ = self._resolve_early_stopping(len(data))
        device = resolve_device(self.device)
        seeding = seeded_training(
            random_state=self.random_state, n_threads=self.n_threads, device=device
        )
        with seeding as (split_seed, augment_seed):
            net = self._make_net(device, split_seed, augment_seed)
            net.fit({"x": data, "lengths": lengths}, None)
        self.interrupted_ = _recover_from_interrupt(
            net, owner_name=type(self).__name__, max_epochs=self.max_epochs
        )
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        return self

    def _resolve_early_stopping(self, n_samples):
        n_valid = int(np.ceil(n_samples * self.validation_fraction))
        if self.early_stopping == "auto":
            return n_valid >= _MIN_AUTO_VALIDATION_SIZE and n_samples - n_valid >= 1
        if self.early_stopping and n_samples - n_valid < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction} "
                f"of the {n_samples} recordings, which leaves none to train on; use "
                "early_stopping='auto' or False, or lower validation_fraction."
            )
        return bool(self.early_stopping)

    def _make_augmenter(self, n_coords=3):
        from skgesture.preprocessing.augment import Augmenter, make_augmenter

        if self.augment == "auto":
            if self.objective == "reconstruction":
                return None
            settings = dict(_CONTRASTIVE_AUGMENT)
            if n_coords < 2:
                settings["rotation"] = 0.0  # one coordinate per joint cannot turn
            return Augmenter(**settings)
        augmenter = make_augmenter(self.augment)
        if augmenter is None and self.objective in ("contrastive", "hybrid"):
            raise ValueError(
                f"objective={self.objective!r} learns by comparing two augmented views of each "
                "recording, so augment cannot be None; use augment='auto'."
            )
        return augmenter

    def _make_net(self, device, split_seed, augment_seed):
        if self.objective in ("contrastive", "hybrid"):
            module = ContrastiveNet if self.objective == "contrastive" else HybridNet
            extra = {"module__projection_size": self.projection_size}
        else:
            module = ReconstructionNet
            extra = {}
        statistics = (self.channel_mean_, self.channel_scale_)
        augmenter = self._make_augmenter(self.n_coords_)
        collate = _PretextCollator(
            *statistics, self.objective, self.mask_ratio, augmenter, augment_seed
        )
        valid_collate = _PretextCollator(
            *statistics, self.objective, self.mask_ratio, augmenter, augment_seed, reseed=True
        )
        train_split = None
        if self.early_stopping_:
            train_split = ValidSplit(
                self.validation_fraction, stratified=False, random_state=split_seed
            )
        params = {
            "module": module,
            "module__n_joints": self.n_joints_,
            "module__n_coords": self.n_coords_,
            "module__n_filters": self.n_filters,
            "module__n_blocks": self.n_blocks,
            "module__kernel_size": self.kernel_size,
            **extra,
            "criterion": torch.nn.Identity,  # the loss is _PretextNet.get_loss
            "objective": self.objective,
            "loss": self.loss,
            "temperature": self.temperature,
            "reconstruction_weight": self.reconstruction_weight,
            "optimizer": _OPTIMIZERS.get(self.optimizer, self.optimizer),
            "optimizer__weight_decay": self.weight_decay,
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "train_split": train_split,
            "iterator_train__shuffle": True,
            "iterator_train__collate_fn": collate,
            "iterator_valid__collate_fn": valid_collate,
            "callbacks": training_callbacks(
                patience=self.patience,
                lr_schedule=self.lr_schedule,
                max_epochs=self.max_epochs,
                verbose=self.verbose,
                callbacks=self.callbacks,
                early_stopping=self.early_stopping_,
                owner_name=type(self).__name__,
            ),
            "device": device,
            "verbose": int(self.verbose >= 1),
        }
        params.update(self.net_params or {})
        return _PretextNet(**params)

    # ------------------------------------------------------------------------------- using
    def _map_batches(self, data, lengths, function):
        """Apply ``function(module, x, lengths)`` to standardised batches; stack the results."""
        net = self.net_
        collate = _BatchCollator(self.channel_mean_, self.channel_scale_)
        dataset = net.get_dataset({"x": data, "lengths": lengths})
        iterator = net.get_iterator(dataset, training=False)
        iterator.collate_fn = collate
        outputs = []
        net.module_.eval()
        with _torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            with torch.no_grad():
                for batch, _ in iterator:
                    x = to_tensor(batch["x"], device=net.device)
                    batch_lengths = to_tensor(batch["lengths"], device=net.device)
                    outputs.append(function(net.module_, x, batch_lengths).cpu().numpy())
        return outputs

    def transform(self, X):
        """Embed each recording: the trunk's features averaged over its real frames, per joint.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data.

        Returns
        -------
        ndarray of shape (n_samples, ``n_filters * n_joints_``)
        """
        data, lengths, _ = self._validate_new_recordings(X)
        outputs = self._map_batches(data, lengths, lambda module, x, n: module.encoder.embed(x, n))
        return np.concatenate(outputs).astype(np.float64)

    def reconstruct(self, X):
        """Rebuild recordings through the trained decoder (objective reconstruction or hybrid).

        The input is not masked, so this shows what the network keeps of a whole recording.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data.

        Returns
        -------
        list of ndarray or ndarray
            In the layout of ``X``: a list of ``(n_frames_i, n_joints, n_coords)`` arrays for a
            list, else an array of the shape of ``X`` (padded frames stay zero).
        """
        if self.objective == "contrastive":
            raise ValueError(
                "reconstruct needs objective='reconstruction' or 'hybrid'; this pretrainer was "
                "trained with objective='contrastive', which has no decoder."
            )
        data, lengths, layout = self._validate_new_recordings(X)
        rebuilt = np.zeros_like(data)
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
        rng = np.random.default_rng(0)
        collate = _PretextCollator(
            self.channel_mean_,
            self.channel_scale_,
            self.objective,
            self.mask_ratio,
            self._make_augmenter(self.n_coords_),
            int(rng.integers(2**31)),
            reseed=True,
        )
        losses, sizes = [], []
        self.net_.module_.eval()
        with _torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            with torch.no_grad():
                for start in range(0, len(data), self.batch_size):
                    stop = start + self.batch_size
                    items = [
                        ({"x": recording, "lengths": length}, 0)
                        for recording, length in zip(data[start:stop], lengths[start:stop])
                    ]
                    batch, target = collate(items)
                    x = to_tensor(batch["x"], device=self.net_.device)
                    n = to_tensor(batch["lengths"], device=self.net_.device)
                    loss = self.net_.get_loss(self.net_.module_(x, n), target, X=batch)
                    losses.append(float(loss))
                    sizes.append(len(items))
        return -float(np.average(losses, weights=sizes))

    @property
    def _n_features_out(self):
        return self.n_filters * self.n_joints_

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = []
        return tags


_TRUNK_PARAMETERS = ("stem.*", "blocks.*", "last_conv.*")


class _SSLStage(NamedTuple):
    """The settings of one of :class:`SSLClassifier`'s trainings (see ``_base._Stage``).

    ``fit`` runs several trainings -- linear probe, fine-tuning, the from-scratch teacher,
    self-training rounds -- each with its own stage, and never writes the parameters.
    ``random_start``: the trunk starts from random weights instead of the pre-trained ones.
    """

    max_epochs: int
    freeze_encoder: bool
    encoder_lr: float | None
    random_start: bool = False


@_complete_docstring
class SSLClassifier(SkeletonClassifierBase):
    """CNN pre-trained on every recording without labels, then fine-tuned on the labelled ones.

    Semi-supervised in scikit-learn's convention (:mod:`sklearn.semi_supervised`): in
    ``fit(X, y)``, recordings whose label is ``unlabeled_label`` (-1 by default) are
    unlabelled. ``fit`` pre-trains the trunk of a :class:`~skgesture.CNNClassifier`
    (``architecture="joint"``) on all of ``X`` with an :class:`AutoencoderPretrainer`, then
    trains the classifier, starting from the pre-trained trunk, on the labelled recordings
    (first the head alone, then the whole network), and by default once more on the labelled
    plus the unlabelled recordings that it, together with a CNN trained from scratch on the
    labelled ones, now classifies confidently (``self_training``, ``self_training_teacher``).
    The fine-tuned model is a CNN like ``CNNClassifier``'s: ``GradCAMExplainer`` explains it.

    ``fit(X, y, sample_weight=w)`` weighs the classification losses: each labelled recording's
    weight in fine-tuning, and each unlabelled recording's if it is pseudo-labelled. The
    pre-training objective learns from every recording alike, except that recordings of weight
    zero are left out of the whole fit.

    Parameters
    ----------
    objective : {"reconstruction", "contrastive", "hybrid"}, default="contrastive"
        Pre-training objective of the default pretrainer (see :class:`AutoencoderPretrainer`);
        ignored when ``pretrainer`` is given. ``"contrastive"`` is the default because it
        measured better with few labels: on NATOPS with 1, 2, 3 and 5 labelled recordings per
        class, fine-tuned from the start, it beat the supervised CNN by 2.0, 7.4, 2.8 and 1.4
        points of test accuracy on average over 5 seeds, where masked reconstruction gained
        -1.7, 1.7, 0.8 and 0.0 and the hybrid 3.1, 3.8, 3.0 and 2.0
        (``benchmarks/label_efficiency.py --study objectives``). Contrastive pre-training takes
        about twice as long as reconstruction.
    pretrainer : AutoencoderPretrainer, FrozenEstimator or None, default=None
        None pre-trains ``AutoencoderPretrainer(objective=objective,
        max_epochs=pretrain_epochs)`` with this estimator's ``device``, ``random_state``,
        ``verbose`` and ``n_threads``. An unfitted pretrainer is cloned and fitted on all of
        ``X``. To reuse one fitted pretrainer in several fits (cross-validation, grid search),
        wrap it: ``pretrainer=sklearn.frozen.FrozenEstimator(fitted)``; ``clone`` would
        otherwise unfit it. A fitted pretrainer must have been fitted on recordings with the
        same joints and coordinates; its standardisation is used.
    pretrain_epochs : int, default=50
        Pre-training epochs of the default pretrainer.
    freeze_encoder : bool, default=False
        Train only the linear head (a linear probe on the pre-trained embeddings); the trunk's
        weights and normalisation statistics stay as pre-trained.
    encoder_lr : float or None, default=None
        Learning rate of the trunk during fine-tuning; None uses ``lr``. Ignored when
        ``freeze_encoder=True``.
    linear_probe_epochs : int, default=30
        Epochs of training the head alone, on the frozen pre-trained trunk, before the whole
        network is fine-tuned for ``max_epochs`` from there: linear probing then fine-tuning
        (LP-FT, Kumar et al., 2022). A random head's first, large gradients then no longer
        reach the pre-trained trunk. On NATOPS with 1, 2, 3 and 5 labels per class this
        raised the contrastive model's gain over the supervised CNN from 2.0, 7.4, 2.8 and 1.4
        points to 11.3, 9.6, 3.9 and 4.2 (5 seeds). 0 fine-tunes everything from the start.
        Ignored when ``freeze_encoder=True``.
    self_training : int, default=1
        Rounds of self-training after fine-tuning: each round pseudo-labels unlabelled
        recordings that the current model (see ``self_training_teacher``) classifies with a
        probability of at least ``self_training_threshold``, the same number for every class
        (the most confident ones; none when a class has no such recording), and trains
        again, from the pre-trained trunk, on the labelled and pseudo-labelled recordings.
        Like :class:`sklearn.semi_supervised.SelfTrainingClassifier`, but class-balanced and
        re-labelling all unlabelled recordings each round. Each round costs about one more
        fine-tuning on the larger set. On NATOPS (10 seeds, ``self_training_teacher=
        "fine-tuned"``) one round raised the gain over the supervised CNN at 1, 2, 3, 5 and
        10 labels per class from 7.9, 6.5, 3.0, 3.3 and -0.9 points to 11.9, 13.4, 7.0, 3.8
        and 1.3. 0 turns it off; it is skipped when no recording is unlabelled and when
        ``warm_start`` continues a fit.
    self_training_teacher : {"agreement", "average", "fine-tuned"}, default="agreement"
        Which model chooses the pseudo-labels. ``"fine-tuned"``: the fine-tuned pre-trained
        model alone (classic self-training). The other two also train a CNN of the same shape
        from random weights on the labelled recordings only (once, before the first round;
        about one more fine-tuning on the labelled recordings): ``"agreement"`` pseudo-labels
        a recording only when both models give its class a probability of at least
        ``self_training_threshold`` (the smaller of the two ranks it); ``"average"`` uses
        the mean of their probabilities. A pre-trained trunk can mislead the fine-tuned model
        (negative transfer: on ``make_gestures`` data it fell up to 28 points below the
        supervised CNN); a model from scratch errs differently, so recordings both are sure
        of make cleaner pseudo-labels. Averaging lets an overconfident weak model in, which
        on NATOPS made pseudo-labels worse; agreement kept them close to the better model's.
    self_training_threshold : float in (0, 1], default=0.7
        Smallest probability at which a prediction becomes a pseudo-label. With the default
        ``label_smoothing=0.1`` a model is rarely more sure than ``1 - 0.1 + 0.1 / n_classes``
        (0.92 with 6 classes), so thresholds near that take few recordings.
    unlabeled_label : int, float or str, default=-1
        The value of ``y`` that marks an unlabelled recording. ``-1`` also works in an object
        array of string labels; use e.g. ``"?"`` for an array of strings.
    dropout : float in [0, 1), default=0.2
        Dropout before the linear head.
    %(common_parameters)s

    Attributes
    ----------
    %(common_attributes)s
    pretrainer_ : AutoencoderPretrainer
        The fitted pretrainer whose trunk started the fine-tuning; :meth:`save` stores it
        and :meth:`load` restores it (files of skgesture's first format hold the fine-tuned
        classifier only).
    trunk_sizes_ : dict
        ``n_filters``, ``n_blocks`` and ``kernel_size`` of the pre-trained trunk.
    n_labeled_ : int
        Labelled recordings the classifier was fine-tuned on.
    n_pseudo_labeled_ : int
        Unlabelled recordings pseudo-labelled for the last round of self-training (0 without).

    See Also
    --------
    AutoencoderPretrainer, skgesture.CNNClassifier
    skgesture.model_selection.LabeledStratifiedKFold : cross-validation that keeps every
        unlabelled recording on the training side.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.ssl import SSLClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 15, 4, 3))
    >>> labels = np.repeat(["wave", "point"], 20)
    >>> X[labels == "wave", :, 2, 1] += np.sin(np.linspace(0, 6, 15))
    >>> y = np.where(np.arange(40) % 5 == 0, labels, "?")  # 8 labelled, 32 unlabelled
    >>> clf = SSLClassifier(
    ...     unlabeled_label="?", pretrain_epochs=5, max_epochs=20, lr=0.01, random_state=0
    ... )
    >>> clf.fit(X, y).classes_
    array(['point', 'wave'], dtype='<U5')
    >>> clf.n_labeled_
    8
    """

    _saved_attributes = ("n_labeled_", "n_pseudo_labeled_", "trunk_sizes_")
    _parameter_constraints = {
        **COMMON_PARAMETER_CONSTRAINTS,
        "objective": [StrOptions({"reconstruction", "contrastive", "hybrid"})],
        "pretrainer": [HasMethods(["fit", "transform"]), None],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left")],
        "freeze_encoder": ["boolean"],
        "encoder_lr": [Interval(Real, 0, None, closed="neither"), None],
        "linear_probe_epochs": [Interval(Integral, 0, None, closed="left")],
        "self_training": [Interval(Integral, 0, None, closed="left")],
        "self_training_teacher": [StrOptions({"agreement", "average", "fine-tuned"})],
        "self_training_threshold": [Interval(Real, 0, 1, closed="right")],
        "unlabeled_label": [Real, str],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    @classmethod
    def _get_test_params(cls):
        trunk = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, "random_state": 0, "n_threads": 1}
        pretrainer = AutoencoderPretrainer(max_epochs=2, **trunk)
        return [{"pretrainer": pretrainer, "linear_probe_epochs": 2, **TEST_TRAINING}]

    def _expected_failed_checks(self):
        return {
            **super()._expected_failed_checks(),
            "check_classifiers_classes": (
                "the check trains on the labels {-1, 1}; in scikit-learn's semi-supervised "
                "convention, which SSLClassifier follows, -1 marks an unlabelled recording, "
                "so only one class is left"
            ),
        }

    def __init__(
        self,
        *,
        objective="contrastive",
        pretrainer=None,
        pretrain_epochs=50,
        freeze_encoder=False,
        encoder_lr=None,
        linear_probe_epochs=30,
        self_training=1,
        self_training_teacher="agreement",
        self_training_threshold=0.7,
        unlabeled_label=-1,
        dropout=0.2,
        max_epochs=100,
        batch_size=16,
        lr=0.003,
        optimizer="adamw",
        weight_decay=0.01,
        lr_schedule="cosine",
        label_smoothing=0.1,
        early_stopping="auto",
        validation_fraction=0.2,
        patience=10,
        class_weight=None,
        augment=None,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        n_threads=None,
        callbacks=None,
        net_params=None,
    ):
        self.objective = objective
        self.pretrainer = pretrainer
        self.pretrain_epochs = pretrain_epochs
        self.freeze_encoder = freeze_encoder
        self.encoder_lr = encoder_lr
        self.linear_probe_epochs = linear_probe_epochs
        self.self_training = self_training
        self.self_training_teacher = self_training_teacher
        self.self_training_threshold = self_training_threshold
        self.unlabeled_label = unlabeled_label
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.class_weight = class_weight
        self.augment = augment
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_threads = n_threads
        self.callbacks = callbacks
        self.net_params = net_params

    def _fit(self, X, y, sample_weight):
        resume = self.warm_start and self.__sklearn_is_fitted__()
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but the "
                "target y is None; mark unlabelled recordings with unlabeled_label="
                f"{self.unlabeled_label!r}."
            )
        data, lengths = self._validate_training_recordings(X, reset=not resume)
        y = column_or_1d(y, warn=True)
        check_consistent_length(data, y)
        labelled = labelled_mask(y, self.unlabeled_label)
        if not labelled.any():
            raise ValueError(
                f"y holds no labelled recording: all {len(y)} are unlabeled_label="
                f"{self.unlabeled_label!r}. SSLClassifier needs labels for at least two "
                "classes; use AutoencoderPretrainer to learn from unlabelled recordings alone."
            )
        y_known = y[labelled]
        if y_known.dtype.kind == "f" and not np.all(np.isfinite(y_known)):
            raise ValueError("y holds NaN or infinity; mark unlabelled recordings with -1.")
        check_labels(y_known)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, y)
            data, lengths, y, sample_weight = drop_unweighted(
                sample_weight, y, data, lengths, labelled
            )
            labelled = labelled_mask(y, self.unlabeled_label)
            y_known = y[labelled]
        if resume:
            y_codes = self._encode_known_labels(y_known)
        else:
            y_codes = self._learn_classes(y_known)
            self.pretrainer_ = self._pretrain(data)
            self.trunk_sizes_ = _trunk_sizes(self.pretrainer_.net_.module_.encoder)
            self._learn_skeleton(data, lengths)
            self.channel_mean_ = self.pretrainer_.channel_mean_
            self.channel_scale_ = self.pretrainer_.channel_scale_
        self.n_labeled_ = int(labelled.sum())
        weights = None if sample_weight is None else sample_weight[labelled]
        self._train(data[labelled], lengths[labelled], y_known, y_codes, resume, weights)
        self.n_pseudo_labeled_ = 0
        if not (resume or self.interrupted_):  # Ctrl+C in any stage stops the whole fit
            self._self_train(data, lengths, labelled, y_codes, sample_weight)
        return self

    def _stage(self):
        return _SSLStage(self.max_epochs, self.freeze_encoder, self.encoder_lr)

    def _train(self, data, lengths, y, y_codes, resume, sample_weight=None):
        """Fine-tune (from ``net_``'s weights when ``resume``) and keep the model."""
        start = self.net_ if resume else None
        return self._keep(self._fine_tune(data, lengths, y, y_codes, start, sample_weight))

    def _fine_tune(self, data, lengths, y, y_codes, start=None, sample_weight=None):
        """Train the CNN from the pre-trained trunk, or from ``start``'s weights when given.

        With ``linear_probe_epochs`` (and neither ``start`` nor ``freeze_encoder``), first
        the head alone on the frozen trunk, then the whole network from there. Returns the
        last :class:`~skgesture._base._Training`: the probe's when Ctrl+C ended it.
        """
        stage = self._stage()
        if start is not None or stage.freeze_encoder or not self.linear_probe_epochs:
            return self._fit_network(data, lengths, y, y_codes, stage, start, sample_weight)
        probe = stage._replace(max_epochs=self.linear_probe_epochs, freeze_encoder=True)
        probed = self._fit_network(data, lengths, y, y_codes, probe, None, sample_weight)
        if probed.interrupted:  # Ctrl+C during the probe stops the whole fit
            return probed
        return self._fit_network(data, lengths, y, y_codes, stage, probed.net, sample_weight)

    def _self_train(self, data, lengths, labelled, y_codes, sample_weight):
        """Pseudo-label confident unlabelled recordings and train again, ``self_training`` times.

        Each round predicts every unlabelled recording with the current model and, for every
        class, takes the same number of its most confident recordings with a top probability of
        at least ``self_training_threshold`` (as many as the class with the fewest has), then
        trains afresh, from the pre-trained trunk, on the labelled plus these pseudo-labelled
        recordings. Taking classes equally keeps one easy class from crowding out the others,
        which would tilt the next model towards it. ``sample_weight`` (or None) weighs every
        recording of ``data``.
        """
        unlabelled = np.flatnonzero(~labelled)
        if self.self_training == 0 or len(unlabelled) == 0:
            return
        second_opinion = None
        if self.self_training_teacher != "fine-tuned":
            # The whole CNN from random weights, no probe: a model that only gives its opinion.
            from_scratch = self._stage()._replace(
                freeze_encoder=False, encoder_lr=None, random_start=True
            )
            teacher = self._fit_network(
                data[labelled],
                lengths[labelled],
                self.classes_[y_codes],
                y_codes,
                from_scratch,
                sample_weight=None if sample_weight is None else sample_weight[labelled],
            )
            if teacher.interrupted:  # the fine-tuned model stays, marked as interrupted
                self.interrupted_ = True
                return
            second_opinion = _probabilities(self._logits(data[unlabelled], teacher.net))
        for _ in range(self.self_training):
            proba = self.predict_proba(data[unlabelled])
            if self.self_training_teacher == "average":
                proba = (proba + second_opinion) / 2
            elif self.self_training_teacher == "agreement":
                # The smaller of the two probabilities: >= threshold means both models give
                # the class at least that (and, with a threshold over 0.5, both predict it).
                proba = np.minimum(proba, second_opinion)
            predicted, confidence = proba.argmax(axis=1), proba.max(axis=1)
            confident = confidence >= self.self_training_threshold
            per_class = [
                np.flatnonzero(confident & (predicted == code)) for code in range(proba.shape[1])
            ]
            n_each = min(len(chosen) for chosen in per_class)
            if n_each == 0:
                return
            chosen = np.concatenate(
                [rows[np.argsort(-confidence[rows], kind="stable")[:n_each]] for rows in per_class]
            )
            index = np.concatenate([np.flatnonzero(labelled), unlabelled[chosen]])
            codes = np.concatenate([y_codes, predicted[chosen]])
            self._train(
                data[index],
                lengths[index],
                self.classes_[codes],
                codes,
                resume=False,
                sample_weight=None if sample_weight is None else sample_weight[index],
            )
            self.n_pseudo_labeled_ = len(chosen)
            if self.interrupted_:
                return

    def _pretrain(self, data):
        if self.pretrainer is None:
            pretrainer = AutoencoderPretrainer(
                objective=self.objective,
                max_epochs=self.pretrain_epochs,
                device=self.device,
                random_state=self.random_state,
                verbose=self.verbose,
                n_threads=self.n_threads,
            )
        else:
            pretrainer = self.pretrainer
        try:
            check_is_fitted(pretrainer)
        except Exception:  # NotFittedError, or an estimator check_is_fitted cannot judge
            pretrainer = clone(pretrainer).fit(data)
            if pretrainer.interrupted_:
                # Ctrl+C while pre-training: no classifier exists yet, so there is no
                # under-trained model to keep; fit stops and leaves the estimator as it was.
                raise KeyboardInterrupt from None
        network = getattr(getattr(pretrainer, "net_", None), "module_", None)
        if network is None or not hasattr(network, "encoder"):
            raise ValueError(
                "pretrainer must be an AutoencoderPretrainer (or a FrozenEstimator around a "
                f"fitted one); got {type(pretrainer).__name__}."
            )
        if (pretrainer.n_joints_, pretrainer.n_coords_) != data.shape[2:]:
            raise ValueError(
                f"pretrainer was fitted on recordings of {pretrainer.n_joints_} joints x "
                f"{pretrainer.n_coords_} coordinates, but X has {data.shape[2]} x "
                f"{data.shape[3]}."
            )
        return pretrainer

    def _module(self):
        return JointCNN, {
            "n_joints": self.n_joints_,
            "n_coords": self.n_coords_,
            "dropout": self.dropout,
            **self.trunk_sizes_,
        }

    def _stage_net_params(self, stage):
        return {"module__freeze_trunk": stage.freeze_encoder}

    def _make_net(
        self,
        y,
        device,
        split_seed,
        augment_seed,
        sample_weight=None,
        *,
        stage=None,
        early_stopping=None,
    ):
        stage = self._stage() if stage is None else stage
        net = super()._make_net(
            y,
            device,
            split_seed,
            augment_seed,
            sample_weight,
            stage=stage,
            early_stopping=early_stopping,
        )
        if stage.encoder_lr is not None and not stage.freeze_encoder:
            groups = [(pattern, {"lr": stage.encoder_lr}) for pattern in _TRUNK_PARAMETERS]
            net.set_params(optimizer__param_groups=groups)
        return net

    def _set_initial_weights(self, net, start, stage):
        if start is not None:
            self._load_previous_weights(net, start)
        elif not stage.random_start:
            trunk = self.pretrainer_.net_.module_.encoder.state_dict()
            missing, unexpected = net.module_.load_state_dict(trunk, strict=False)
            if unexpected or any(not name.startswith("head.") for name in missing):
                raise ValueError(
                    "the pretrainer's trunk does not match the classifier's network "
                    f"(missing {missing}, unexpected {unexpected})."
                )

    def score(self, X, y, sample_weight=None):
        """Accuracy on the labelled recordings of ``X`` (unlabelled ones are left out).

        Parameters
        ----------
        X : list of array-like or array-like
        y : array-like of shape (n_samples,)
            Labels, with ``unlabeled_label`` for recordings that have none.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        predicted = self.predict(X)
        y = column_or_1d(y, warn=True)
        check_consistent_length(predicted, y)
        labelled = labelled_mask(y, self.unlabeled_label)
        if not labelled.any():
            raise ValueError("y holds no labelled recording to score against.")
        weights = None if sample_weight is None else np.asarray(sample_weight)[labelled]
        return float(accuracy_score(y[labelled], predicted[labelled], sample_weight=weights))
