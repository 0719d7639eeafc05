"""Machinery shared by the supervised estimators: input checks, standardisation, skorch training.

The estimators wrap a skorch :class:`~skorch.NeuralNetClassifier` (built in ``fit`` and kept as
``net_``) instead of subclassing it, so that they follow scikit-learn's rules: ``__init__`` only
stores parameters, everything else is learned in ``fit``.

Data path: a dataset is validated by :func:`skgesture.utils.validation.check_dataset` into one
zero-padded array plus each recording's true length. skorch sees ``{"x": data, "lengths":
lengths}``, so each network is called as ``module(x, lengths)``. Batches are assembled by
:class:`_BatchCollator`, which augments training batches, standardises every batch with the
statistics learned in ``fit`` and trims padding that no recording of the batch needs. With
``fit(..., sample_weight=w)`` the inputs also carry ``"sample_weight"``, which
:class:`_ClassifierNet` keeps out of the network's call and uses in the loss only.

Prediction path: :meth:`SkeletonClassifierBase._logits` is the one place where recordings are
checked, standardised, batched and run through the network; ``decision_function``,
``predict_log_proba``, ``predict_proba`` and ``predict`` are functions of its output.

Persistence: ``clf.save(path)`` and ``type(clf).load(path)`` are shortcuts to
:func:`skgesture.save` / :func:`skgesture.load` (one ``.npz`` file, no pickle; a Pipeline of
skgesture's steps saves the same way); see :mod:`skgesture._persistence`.
"""

from __future__ import annotations

import contextlib
import copy
import math
import reprlib
import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state, compute_class_weight
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    assert_all_finite,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from skorch.dataset import ValidSplit
from skorch.utils import to_tensor
from torch.nn import functional as F
from torch.utils.data import Dataset, default_collate

from skgesture._device import resolve_device
from skgesture._standardize import channel_statistics, standardize
from skgesture._store_items import RecordingItems
from skgesture.nn.losses import SmoothedCrossEntropyLoss
from skgesture.store import RecordingStore
from skgesture.utils.validation import check_dataset

# Documentation of the parameters every estimator shares, spliced into each class docstring.
COMMON_PARAMETERS_DOC = """\
    max_epochs : int, default={max_epochs}
        Most passes over the training data (fewer when early stopping ends training).
    batch_size : int, default={batch_size}
        Recordings per mini-batch.
    lr : float, default={lr}
        Learning rate.
    optimizer : {{"adamw", "adam", "sgd"}} or torch optimizer class, default={optimizer}
        Pass optimizer options such as momentum through ``net_params``
        (``{{"optimizer__momentum": 0.9}}``).
    weight_decay : float, default={weight_decay}
        Weight decay of the optimizer.
    lr_schedule : {{"cosine", "constant"}}, default={lr_schedule}
        ``"cosine"`` anneals the learning rate to zero over ``max_epochs`` epochs.
    label_smoothing : float in [0, 1), default={label_smoothing}
        Label smoothing of the cross-entropy loss.
    early_stopping : bool or "auto", default={early_stopping}
        Hold out ``validation_fraction`` of the training recordings (stratified), stop when
        their loss has not improved for ``patience`` epochs and keep the weights of the best
        epoch (in memory; ``fit`` writes no files). ``"auto"`` turns it on when the held-out
        part would have at least 100 recordings and 2 of every class: on smaller sets the
        validation loss is too noisy to pick an epoch by (on NATOPS, 36 held-out recordings,
        early stopping cost 1 to 2 points of test accuracy against training on all 180
        recordings for ``max_epochs``).
    validation_fraction : float in (0, 1), default={validation_fraction}
        Share of the training recordings held out for early stopping.
    patience : int, default={patience}
        Epochs without improvement of the validation loss before stopping (the paper's 10).
    class_weight : dict, "balanced" or None, default={class_weight}
        Weights of the classes in the loss, as in scikit-learn.
    augment : None, "light", "medium", Augmenter or callable, default={augment}
        Augmentation of training batches (never of validation or prediction batches); see
        :func:`skgesture.preprocessing.augment.make_augmenter`. Each estimator's default is
        what tested best on NATOPS: ``"light"`` (random scaling and jitter) helped the LSTM
        by about 3 points of accuracy and did not help the CNN or the FC network.
    device : {{"auto", "cpu", "cuda"}}, default={device}
        Where to train and predict; ``"auto"`` picks CUDA when it is available.
    random_state : int, RandomState instance or None, default={random_state}
        Seeds weight initialisation, shuffling, the validation split, dropout and
        augmentation. The same integer gives the same predictions run after run; the global
        torch random state is left untouched.
    verbose : int, default={verbose}
        0 prints nothing, 1 prints skorch's table of losses per epoch, 2 also shows a
        progress bar over batches (needs ``tqdm``).
    warm_start : bool, default={warm_start}
        When fitted already, continue training the current weights (with the classes,
        skeleton and standardisation learned in the first fit) instead of starting afresh.
    n_threads : int or None, default={n_threads}
        Number of torch threads during ``fit`` and ``predict`` (the previous setting is
        restored afterwards); set it to 1 inside ``GridSearchCV(n_jobs=...)`` to avoid
        oversubscribing the cores. None leaves torch's setting alone. At most 1024 (far
        more threads crash torch's thread pool).
    callbacks : list of skorch callbacks or None, default={callbacks}
        Extra skorch callbacks (instances or ``(name, callback)`` pairs); they are copied,
        so the fitted ones live in ``net_.callbacks_``.
    net_params : dict or None, default={net_params}
        Further skorch parameters, e.g. ``{{"optimizer__momentum": 0.9}}``. Applied last, so
        they override what the parameters above set."""

COMMON_ATTRIBUTES_DOC = """\
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Values per frame (``n_joints_ * n_coords_``) for sequence input; the number of
        columns for 2-D input, as in scikit-learn.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, only when fitted on a 2-D DataFrame with string column names.
    n_joints_ : int
    n_coords_ : int
    n_frames_ : int
        Length of the longest training recording.
    channel_mean_ : ndarray of shape (``n_joints_``, ``n_coords_``)
    channel_scale_ : ndarray of shape (``n_joints_``, ``n_coords_``)
        Per-channel standardisation learned on the real (non-padding) training frames.
    net_ : skorch.NeuralNetClassifier
        The trained skorch net; its ``module_`` is the torch network.
    history_ : skorch.History
        Losses (and validation accuracy) per epoch of the last call to ``fit``.
    n_iter_ : int
        Epochs run by the last call to ``fit``.
    early_stopping_ : bool
        Whether the last call to ``fit`` held out recordings for early stopping.
    interrupted_ : bool
        Whether the last call to ``fit`` was stopped by ``KeyboardInterrupt`` (Ctrl+C). Then
        the weights of the best completed epoch (lowest validation loss, or training loss
        without early stopping) were restored and a warning said so: the model is
        under-trained."""

COMMON_PARAMETER_CONSTRAINTS = {
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "optimizer": [StrOptions({"adamw", "adam", "sgd"}), callable],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "lr_schedule": [StrOptions({"cosine", "constant"})],
    "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "class_weight": [StrOptions({"balanced"}), dict, None],
    # Checked by skgesture.preprocessing.augment.make_augmenter, which knows the valid specs.
    "augment": "no_validation",
    "device": [StrOptions({"auto", "cpu", "cuda"})],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "n_threads": [Interval(Integral, 1, 1024, closed="both"), None],
    "callbacks": [list, None],
    "net_params": [dict, None],
}

# early_stopping="auto" needs this many held-out recordings: a validation loss over fewer is
# too noisy to choose an epoch by.
#: Training settings of the estimators' test configurations (``_get_test_params``): small,
#: seeded, one thread, so scikit-learn's checks run in seconds.
TEST_TRAINING = {"max_epochs": 10, "batch_size": 64, "lr": 0.05, "random_state": 0, "n_threads": 1}
_MIN_AUTO_VALIDATION_SIZE = 100

_OPTIMIZERS = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}


def _set_n_frames(data, lengths, n_frames):
    """Crop or zero-pad the frame axis of a padded batch to ``n_frames``."""
    if data.shape[1] >= n_frames:
        return data[:, :n_frames], np.minimum(lengths, n_frames)
    padding = [(0, 0), (0, n_frames - data.shape[1]), (0, 0), (0, 0)]
    return np.pad(data, padding), lengths


@contextlib.contextmanager
def _torch_threads(n_threads):
    """Bound torch's intra-op threads for the duration of the block."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _probabilities(logits):
    """Softmax of float32 ``logits``, as float64 rows that sum to one."""
    proba = torch.softmax(logits, dim=1).numpy().astype(np.float64)
    return proba / proba.sum(axis=1, keepdims=True)


class _BatchCollator:
    """Assemble skorch's dataset items into one network batch.

    Each item is ``({"x": recording, "lengths": length}, label)``, its inputs with a
    ``"sample_weight"`` too when ``fit`` was given weights. The batch is trimmed to its longest
    recording (or cropped/padded to ``n_frames`` for fixed-length networks), augmented when an
    augmenter is given (training batches only) and standardised with the statistics learned in
    ``fit``; padded frames stay zero.
    """

    def __init__(self, mean, scale, n_frames=None, augmenter=None, seed=None):
        self.mean = mean
        self.scale = scale
        self.n_frames = n_frames
        self.augmenter = augmenter
        self.rng = np.random.default_rng(seed)

    def __call__(self, items):
        inputs, labels = zip(*items, strict=True)
        data = np.stack([item["x"] for item in inputs])  # (batch, frames, joints, coords)
        lengths = np.array([item["lengths"] for item in inputs], dtype=np.int64)
        if self.n_frames is None:
            data = data[:, : lengths.max()]
        if self.augmenter is not None:
            data, lengths = self.augmenter.augment_batch(data, lengths, self.rng)
            lengths = np.asarray(lengths, dtype=np.int64)
        if self.n_frames is not None:
            data, lengths = _set_n_frames(data, lengths, self.n_frames)
        data = standardize(data, lengths, self.mean, self.scale)
        batch = {"x": torch.from_numpy(data), "lengths": torch.from_numpy(lengths)}
        if "sample_weight" in inputs[0]:
            weights = np.array([item["sample_weight"] for item in inputs], dtype=np.float32)
            batch["sample_weight"] = torch.from_numpy(weights)
        return batch, default_collate(list(labels))


class _WeightedItems(Dataset):
    """Dataset items (``(inputs, label)``) with each recording's weight added to its inputs."""

    def __init__(self, items, sample_weight):
        self.items = items
        self.sample_weight = sample_weight

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        inputs, label = self.items[index]
        return {**inputs, "sample_weight": self.sample_weight[index]}, label


class _ClassifierNet(NeuralNetClassifier):
    """skorch's classifier, with per-recording weights in the loss when a batch carries them.

    A batch's ``"sample_weight"`` never reaches the network. The batch loss is then
    ``sum(w_i * l_i) / sum(w_i * c_i)``, where ``l_i`` is recording ``i``'s cross-entropy
    weighted by its class weight ``c_i`` (1 without ``class_weight``): the weighted mean that
    :class:`~skgesture.nn.losses.SmoothedCrossEntropyLoss` computes, with each recording's
    weight multiplying its class weight. Batches without weights take skorch's path unchanged.
    """

    def infer(self, x, **fit_params):
        if isinstance(x, dict) and "sample_weight" in x:
            x = {name: value for name, value in x.items() if name != "sample_weight"}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not (isinstance(X, dict) and "sample_weight" in X):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        y_true = to_tensor(y_true, device=self.device)
        sample_weight = to_tensor(X["sample_weight"], device=self.device)
        criterion = self.criterion_
        # As SmoothedCrossEntropyLoss does: label smoothing in training mode only.
        smoothing = criterion.label_smoothing if criterion.training else 0.0
        losses = F.cross_entropy(  # (batch,)
            y_pred, y_true, weight=criterion.weight, label_smoothing=smoothing, reduction="none"
        )
        total = (
            sample_weight if criterion.weight is None else sample_weight * criterion.weight[y_true]
        )
        return (sample_weight * losses).sum() / total.sum()


class _FiniteLossCheck(Callback):
    """Stop training with a ``ValueError`` as soon as a training batch's loss is not finite.

    A NaN or infinite loss never recovers: every later update spreads NaN through the weights.
    Raising at the first such batch names the epoch and learning rate while the cause (usually
    a learning rate too high for the data) is still easy to see.
    """

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if not training:
            return
        loss = kwargs.get("loss")
        if loss is None or bool(torch.isfinite(loss.detach()).all()):
            return
        value = float(loss.detach().reshape(-1)[0])
        epoch = len(net.history)
        batch_index = len(net.history[-1, "batches"])
        raise ValueError(
            f"training loss became {value} at epoch {epoch}, batch {batch_index} "
            f"(lr={net.lr}); lower lr, check the input for extreme values, or standardise it. "
            "The estimator is left as it was before this call to fit."
        )


class _BestEpochWeights(Callback):
    """Keep, in memory, the network weights of the best completed epoch.

    "Best" is the lowest validation loss, or the lowest training loss when nothing is held out.
    An epoch is completed once every other callback has ended it, so this callback runs after
    the user's. Used to recover a usable model when training is interrupted (skorch ends its
    loop quietly on ``KeyboardInterrupt``); no file is written.
    """

    def on_train_begin(self, net, **kwargs):
        self.best_loss_ = math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        # Epochs are counted from this training run's start: a warm start continues the history.
        self.first_epoch_ = len(net.history)
        self.completed_epochs_ = 0

    def on_epoch_end(self, net, **kwargs):
        self.completed_epochs_ = len(net.history) - self.first_epoch_
        row = net.history[-1]
        loss = row.get("valid_loss", row.get("train_loss"))
        if loss is not None and loss < self.best_loss_:
            self.best_loss_ = loss
            self.best_epoch_ = row["epoch"]
            self.best_state_ = copy.deepcopy(net.module_.state_dict())


def _stopped_early(net):
    """Whether an ``EarlyStopping`` callback ended training (skorch's way: KeyboardInterrupt)."""
    return any(
        isinstance(callback, EarlyStopping) and callback.misses_ >= callback.patience
        for _, callback in net.callbacks_
    )


def _recover_from_interrupt(net, *, owner_name, max_epochs):
    """After Ctrl+C, restore the best completed epoch and warn; return whether it happened.

    skorch ends its training loop quietly on ``KeyboardInterrupt``, whether it comes mid-epoch
    or from a callback ending an epoch, and ``EarlyStopping`` stops training by raising one. So
    training was interrupted when fewer than ``net.max_epochs`` epochs completed and no early
    stopping ended it. The warning names the estimator class ``owner_name`` and the
    ``max_epochs`` that the training was asked for.
    """
    best = dict(net.callbacks_)["best_epoch_weights"]
    if best.completed_epochs_ >= net.max_epochs or _stopped_early(net):
        return False
    epoch = len(net.history)
    if best.best_state_ is None:
        restored = "no epoch had completed, so the weights are those of the interrupted batch"
    else:
        net.module_.load_state_dict(best.best_state_)
        restored = f"the weights of epoch {best.best_epoch_} (the best completed) were restored"
    warnings.warn(
        f"{owner_name} training was interrupted during epoch {epoch} of "
        f"{max_epochs}; {restored}. The model is under-trained (interrupted_=True).",
        UserWarning,
        stacklevel=4,
    )
    return True


def training_callbacks(
    *, patience, lr_schedule, max_epochs, verbose, callbacks, early_stopping, owner_name
):
    """The skorch callbacks every skgesture estimator trains with, around the user's own.

    NaN-loss check, early stopping on the validation loss after ``patience`` epochs without
    improvement when ``early_stopping``, the learning-rate schedule ``lr_schedule`` over
    ``max_epochs``, a progress bar at ``verbose >= 2``, then a copy of the user's
    ``callbacks`` (checked here; errors name the estimator class ``owner_name``) and last the
    in-memory best weights (for Ctrl+C).
    """
    user_callbacks = _check_callbacks(callbacks, owner_name)
    callbacks = [("finite_loss", _FiniteLossCheck())]
    if early_stopping:
        stopper = EarlyStopping(monitor="valid_loss", patience=patience, load_best=True)
        callbacks.append(("early_stopping", stopper))
    if lr_schedule == "cosine":
        schedule = LRScheduler(policy="CosineAnnealingLR", T_max=max_epochs)
        callbacks.append(("lr_scheduler", schedule))
    if verbose >= 2:
        from skorch.callbacks import ProgressBar

        callbacks.append(("progress_bar", ProgressBar()))
    # Last, so that an epoch counts as completed only once every other callback has ended it.
    best_weights = ("best_epoch_weights", _BestEpochWeights())
    return callbacks + copy.deepcopy(user_callbacks) + [best_weights]


def _check_callbacks(callbacks, owner_name):
    """The ``callbacks`` parameter as a list, each entry checked to be one skorch understands."""
    callbacks = list(callbacks or [])
    for index, entry in enumerate(callbacks):
        pair = isinstance(entry, tuple | list) and len(entry) == 2
        callback = entry[1] if pair else entry
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback)
        )
        if is_callback and (not pair or isinstance(entry[0], str)):
            continue
        raise InvalidParameterError(
            f"The 'callbacks' parameter of {owner_name} must be a list of skorch "
            f"Callbacks or (name, Callback) pairs with a str name; callbacks[{index}] is "
            f"{reprlib.repr(entry)} ({type(entry).__name__})."
        )
    return callbacks


class _Stage(NamedTuple):
    """The settings of one training that ``fit`` runs, passed down as an argument.

    ``fit`` never writes the estimator's parameters, not even for one stage: where a fit
    trains several times with different settings (``SSLClassifier``'s linear probe, fine-tuning
    and from-scratch teacher), each training gets its settings from its stage, through
    ``_fit_network`` to ``_make_net`` and ``_set_initial_weights``. A plain fit has one stage,
    the parameters' (``_stage()``); families with more settings per stage define their own
    ``NamedTuple`` with these fields first.
    """

    max_epochs: int


class _Training(NamedTuple):
    """The outcome of one training: the trained skorch net, whether early stopping held
    recordings out, and whether Ctrl+C ended it (its best completed epoch restored)."""

    net: NeuralNet
    early_stopping: bool
    interrupted: bool


@contextlib.contextmanager
def seeded_training(*, random_state, n_threads, device):
    """Train inside this block: torch seeded from ``random_state``, its global state restored.

    Bounds torch's threads to ``n_threads`` and yields the seeds of the validation split and
    of the augmentation, drawn from ``random_state`` with the torch seed. ``device`` says
    whose generators (the CPU's, or the CPU's and CUDA's) are seeded and restored.
    """
    rng = check_random_state(random_state)
    torch_seed, split_seed, augment_seed = rng.randint(np.iinfo(np.int32).max, size=3)
    cuda_devices = list(range(torch.cuda.device_count())) if device == "cuda" else []
    with _torch_threads(n_threads), torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(int(torch_seed))
        yield int(split_seed), int(augment_seed)


def check_labels(y):
    """``check_classification_targets``, plus a clear error for labels that cannot be sorted."""
    y = np.asarray(y)
    if y.dtype == object:
        kinds = {type(label).__name__ for label in y}
        if len({isinstance(label, str) for label in y}) > 1 or "NoneType" in kinds:
            raise ValueError(
                f"y mixes labels of types {sorted(kinds)}, which cannot be sorted into "
                "classes; use labels of one type, e.g. all strings."
            )
    check_classification_targets(y)


def check_sample_weight(sample_weight, y):
    """Validate ``sample_weight`` for ``y``; return it as float32, scaled so its largest is 1.

    The loss of a batch depends only on the ratios of its weights, and the scaling keeps huge
    weights finite in float32.
    """
    sample_weight = _check_sample_weight(
        sample_weight, y, dtype=np.float64, ensure_non_negative=True
    )
    return (sample_weight / sample_weight.max()).astype(np.float32)


def drop_unweighted(sample_weight, y, data, lengths, labelled=None):
    """Leave out the recordings of zero weight; return ``data, lengths, y, sample_weight``.

    A recording of weight zero takes no part in training: not in the standardisation, the
    validation split or the batches, so the fit equals one on the other recordings alone. A
    class of ``y`` (among the ``labelled`` recordings, all by default) must keep a recording.
    """
    positive = sample_weight > 0
    if positive.all():
        return data, lengths, y, sample_weight
    labelled = np.ones(len(y), dtype=bool) if labelled is None else labelled
    lost = np.setdiff1d(y[labelled], y[labelled & positive])
    if len(lost):
        raise ValueError(
            f"sample_weight is zero for every recording of the classes {lost.tolist()}; a "
            "classifier cannot learn a class from no recordings. Give some of them a positive "
            "weight, or leave them out of X and y."
        )
    return data[positive], lengths[positive], y[positive], sample_weight[positive]


class SkeletonInputMixin:
    """Checks of the recordings an estimator is fitted on and later given.

    Records, on the first fit, the input's layout (``_fitted_layout``) and size
    (``n_features_in_``, and ``feature_names_in_`` for 2-D DataFrames); later, refuses
    recordings whose joints or coordinates differ from ``n_joints_`` and ``n_coords_``.
    """

    def _validate_training_recordings(self, X, reset):
        """Check ``X`` alone (no labels); the recordings part of :meth:`_validate_training_data`."""
        data, lengths, layout = check_dataset(X, estimator=self)
        if layout == "2d" and (reset or self._fitted_layout == "2d"):
            validate_data(self, X, reset=reset, dtype=[np.float32, np.float64])
        self._record_layout(data, layout, reset)
        return data, lengths

    def _validate_new_recordings(self, X):
        """Check recordings given to a fitted estimator; return ``(data, lengths, layout)``."""
        check_is_fitted(self)
        data, lengths, layout = check_dataset(X, estimator=self)
        if layout == "2d" and self._fitted_layout == "2d":
            validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        self._check_skeleton(data, layout)
        return data, lengths, layout

    def _record_layout(self, data, layout, reset):
        """On a first fit, remember the input's layout and size; later, check they still fit."""
        if not reset:
            self._check_skeleton(data, layout)
            return
        if layout != "2d":
            self.n_features_in_ = data.shape[2] * data.shape[3]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        self._fitted_layout = layout

    def _check_skeleton(self, data, layout):
        n_joints, n_coords = data.shape[2:]
        if (n_joints, n_coords) == (self.n_joints_, self.n_coords_):
            return
        name = type(self).__name__
        looks_like_one_recording = (
            layout == "3d"
            and data.shape[1:3] == (self.n_joints_, self.n_coords_)
            and self._fitted_layout in ("list", "4d")
            and self.n_coords_ > 1
        )
        if looks_like_one_recording:
            raise ValueError(
                f"X has shape {data.shape[:3]}, which looks like one recording of "
                f"(n_frames, n_joints={self.n_joints_}, n_coords={self.n_coords_}); a 3-D array "
                "is always a dataset (n_samples, n_frames, n_features). To predict one "
                "recording, pass X[np.newaxis] or [recording]."
            )
        hint = ""
        if n_coords == 1 and n_joints == self.n_joints_ * self.n_coords_:
            hint = (
                f" Reshape it to (n_samples, n_frames, {self.n_joints_}, {self.n_coords_}) to "
                "give each joint its coordinates."
            )
        raise ValueError(
            f"X has {n_joints} joints x {n_coords} coordinates per frame, but {name} was "
            f"fitted on recordings of {self.n_joints_} joints x {self.n_coords_} "
            f"coordinates.{hint}"
        )


class SkeletonClassifierBase(SkeletonInputMixin, ClassifierMixin, BaseEstimator):
    """Base of the supervised estimators; subclasses say which network to build.

    Subclasses define ``__init__`` (all of :data:`COMMON_PARAMETER_CONSTRAINTS` plus their
    network's sizes) and :meth:`_module`. Set ``_fixed_length = True`` for networks that need
    every recording to have ``n_frames_`` frames. A fit that trains in several stages runs
    :meth:`_fit_network` once per stage, each with its own :class:`_Stage`, and keeps the
    model it chooses with :meth:`_keep`; it never writes its parameters.
    """

    _parameter_constraints = COMMON_PARAMETER_CONSTRAINTS
    _fixed_length = False
    # Fitted attributes (JSON values) that save() stores besides the common ones.
    _saved_attributes = ()

    def _module(self):
        """Return the torch module class and its keyword arguments (without ``n_classes``)."""
        raise NotImplementedError

    @classmethod
    def _get_test_params(cls):
        """Parameter sets of small, seeded, CPU instances that the common tests build (one
        instance per set); each estimator lists its own."""
        raise NotImplementedError(f"{cls.__name__} lists no test parameters.")

    def _expected_failed_checks(self):
        """scikit-learn checks this estimator fails by design: ``{check name: reason}``."""
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "in mini-batch training a weight of k is not k copies of a recording: the "
                "copies change the batches, the dropout and augmentation draws and the "
                "standardisation statistics (which count each recording once), so "
                "probabilities differ by up to about 0.1; a weight of zero does equal "
                "dropping the recording (tests/test_classifier_methods.py)"
            ),
            "check_methods_subset_invariance": (
                "decision_function returns float32 logits, and the networks' matrix products "
                "can round differently in batches of other sizes, by about 2e-7 for logits of "
                "order 1, where the check allows 1e-7 absolute"
            ),
        }

    # ----------------------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on recordings ``X`` with labels ``y``.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings, in any layout of the data conventions: a list of
            ``(n_frames_i, n_joints, n_coords)`` arrays, or an array of shape
            ``(n_samples, n_frames, n_joints, n_coords)``, ``(n_samples, n_frames, n_features)``
            or ``(n_samples, n_frames)``.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each recording in the loss, non-negative and finite; None weighs all
            alike. A batch's loss is the mean of its recordings' losses weighted by
            ``sample_weight`` times ``class_weight``, so only ratios matter, and the
            early-stopping validation loss is weighted the same way. Recordings of weight zero
            are left out of the fit altogether (standardisation, validation split, batches),
            so the model is the one fitted on the other recordings with their weights; every
            class of ``y`` must keep a recording of positive weight. An integer weight is
            close to, but not the same as, repeating the recording: repeats would change the
            mini-batches, and the standardisation counts each recording of positive weight
            once.

        Returns
        -------
        self

        Notes
        -----
        ``fit`` is all or nothing: when it raises (bad input, a failing callback, a loss that
        turned NaN), the estimator is left exactly as it was before the call -- unfitted, or
        with its previous fitted state, weights and ``net_`` included.
        """
        # Attributes are only ever replaced, never changed in place (a warm start trains a new
        # net that starts from a copy of the old weights), so a shallow copy is a full snapshot.
        state = dict(vars(self))
        try:
            return self._fit(X, y, sample_weight)
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            raise

    def _fit(self, X, y, sample_weight):
        self._check_network_params()
        resume = self.warm_start and self.__sklearn_is_fitted__()
        data, lengths, y = self._validate_training_data(X, y, reset=not resume)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, y)
            data, lengths, y, sample_weight = drop_unweighted(sample_weight, y, data, lengths)
        if resume:
            y_codes = self._encode_known_labels(y)
        else:
            y_codes = self._learn_classes(y)
            self._learn_skeleton(data, lengths)
        return self._train(data, lengths, y, y_codes, resume, sample_weight)

    def _stage(self):
        """The settings of a training as the parameters give them: a plain fit's only stage."""
        return _Stage(max_epochs=self.max_epochs)

    def _check_network_params(self):
        """Refuse parameters the constraints cannot express before any data is read."""
        self._make_augmenter()

    def _learn_classes(self, y):
        """Set ``classes_`` and return ``y`` as class indices."""
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: y holds only "
                f"{self.classes_.tolist()[0]!r}."
            )
        return y_codes

    def _learn_skeleton(self, data, lengths):
        """Set the skeleton's sizes, the training length and the standardisation."""
        self.n_joints_, self.n_coords_ = data.shape[2:]
        self.n_frames_ = int(lengths.max())
        self.channel_mean_, self.channel_scale_ = channel_statistics(data, lengths)

    def _train(self, data, lengths, y, y_codes, resume, sample_weight=None):
        """Train a network on ``data`` (from ``net_``'s weights when ``resume``) and keep it.

        ``sample_weight`` is None or, from :func:`check_sample_weight`, positive.
        """
        start = self.net_ if resume else None
        training = self._fit_network(data, lengths, y, y_codes, self._stage(), start, sample_weight)
        return self._keep(training)

    def _keep(self, training):
        """Make the network of ``training`` (a :class:`_Training`) the fitted model."""
        self.net_ = training.net
        self.history_ = training.net.history
        self.n_iter_ = len(training.net.history)
        self.early_stopping_ = training.early_stopping
        self.interrupted_ = training.interrupted
        return self

    def _fit_network(self, data, lengths, y, y_codes, stage, start=None, sample_weight=None):
        """Build a skorch net for ``stage``, set its starting weights and train it on ``data``.

        The net starts from ``start``'s weights (a fitted net of the same shape) when given.
        Returns a :class:`_Training`; the estimator itself is left alone, so a fit can train
        a model it then only consults (``SSLClassifier``'s from-scratch teacher).
        """
        out_of_core = isinstance(data, RecordingStore)
        if self._fixed_length and not out_of_core:  # the collator crops a store's batches
            data, lengths = _set_n_frames(data, lengths, self.n_frames_)
        early_stopping = self._resolve_early_stopping(y_codes)
        device = self._resolve_device()
        if out_of_core:
            inputs = RecordingItems(data, y_codes)
            if sample_weight is not None:
                inputs = _WeightedItems(inputs, sample_weight)
        else:
            inputs = {"x": data, "lengths": lengths}
            if sample_weight is not None:
                inputs["sample_weight"] = sample_weight
        seeding = seeded_training(
            random_state=self.random_state, n_threads=self.n_threads, device=device
        )
        with seeding as (split_seed, augment_seed):
            net = self._make_net(
                y,
                device,
                split_seed,
                augment_seed,
                sample_weight,
                stage=stage,
                early_stopping=early_stopping,
            )
            net.initialize()
            if sample_weight is not None and not isinstance(
                net.criterion_, SmoothedCrossEntropyLoss
            ):
                raise ValueError(
                    "sample_weight weighs skgesture's cross-entropy loss, but net_params "
                    f"replaces it with {type(net.criterion_).__name__}, which cannot be "
                    "weighted per recording; drop the criterion from net_params or fit "
                    "without sample_weight."
                )
            self._set_initial_weights(net, start, stage)
            net.partial_fit(inputs, y_codes)
        interrupted = _recover_from_interrupt(
            net, owner_name=type(self).__name__, max_epochs=stage.max_epochs
        )
        return _Training(net, early_stopping, interrupted)

    def _set_initial_weights(self, net, start, stage):
        """Give the freshly initialised ``net`` its starting weights: ``start``'s (a fitted
        net) when given, else random; ``stage`` is the training's :class:`_Stage`."""
        if start is not None:
            self._load_previous_weights(net, start)

    def _validate_training_data(self, X, y, reset):
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but the "
                "target y is None."
            )
        if isinstance(X, RecordingStore):
            # Recordings on disk are checked as training reads them, never all at once.
            data, lengths, layout = X, X.lengths, "4d"
        else:
            data, lengths, layout = check_dataset(X, estimator=self)
        if layout == "2d" and (reset or self._fitted_layout == "2d"):
            # Tabular input follows scikit-learn: n_features_in_ counts columns, and feature
            # names are recorded and checked.
            _, y = validate_data(self, X, y, reset=reset, dtype=[np.float32, np.float64])
        else:
            y = column_or_1d(y, warn=True)
            assert_all_finite(y, input_name="y")
            check_consistent_length(data, y)
        self._record_layout(data, layout, reset)
        check_labels(y)
        return data, lengths, y

    def _encode_known_labels(self, y):
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(
                f"y holds labels {unseen.tolist()} that the first fit did not see; warm_start "
                f"can only continue training on the classes {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y)

    def _load_previous_weights(self, net, previous):
        try:
            net.module_.load_state_dict(previous.module_.state_dict())
        except RuntimeError as error:
            raise ValueError(
                "warm_start=True continues training the fitted network, so the network's "
                "parameters (sizes, architecture) must not change between fits; set "
                "warm_start=False to train a new network."
            ) from error

    def _resolve_early_stopping(self, y_codes):
        counts = np.bincount(y_codes, minlength=len(self.classes_))
        n_valid = math.ceil(len(y_codes) * self.validation_fraction)
        n_train = len(y_codes) - n_valid
        if self.early_stopping == "auto":
            return bool(
                n_valid >= _MIN_AUTO_VALIDATION_SIZE
                and counts.min() * self.validation_fraction >= 2
                and n_train >= len(counts)
            )
        if not self.early_stopping:
            return False
        if counts.min() < 2 or min(n_valid, n_train) < len(counts):
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction} "
                f"of the {len(y_codes)} recordings, stratified by class; that needs at least "
                f"{len(counts)} recordings on each side and 2 recordings of every class (the "
                f"rarest has {counts.min()}). Use early_stopping='auto' or False, or change "
                "validation_fraction."
            )
        return True

    def _resolve_device(self):
        return resolve_device(self.device)

    def _make_augmenter(self):
        if self.augment is None:
            return None
        from skgesture.preprocessing.augment import make_augmenter

        return make_augmenter(self.augment)

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
        """The skorch net of one training with the settings of ``stage`` (a :class:`_Stage`).

        ``stage`` and ``early_stopping`` default to the fitted model's (``_stage()`` and
        ``early_stopping_``), for rebuilding a fitted network (:func:`skgesture.load`).
        """
        stage = self._stage() if stage is None else stage
        early_stopping = self.early_stopping_ if early_stopping is None else early_stopping
        module, module_params = self._module()
        n_frames = self.n_frames_ if self._fixed_length else None
        callbacks = training_callbacks(
            patience=self.patience,
            lr_schedule=self.lr_schedule,
            max_epochs=stage.max_epochs,
            verbose=self.verbose,
            callbacks=self.callbacks,
            early_stopping=early_stopping,
            owner_name=type(self).__name__,
        )

        class_weight = None
        if self.class_weight is not None:
            # "balanced" counts each recording by its sample_weight.
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y, sample_weight=sample_weight
            )
            class_weight = torch.as_tensor(weights, dtype=torch.float32)
        train_split = None
        if early_stopping:
            train_split = ValidSplit(
                self.validation_fraction, stratified=True, random_state=split_seed
            )
        statistics = (self.channel_mean_, self.channel_scale_)
        params = {
            "module": module,
            "module__n_classes": len(self.classes_),
            **{f"module__{name}": value for name, value in module_params.items()},
            "criterion": SmoothedCrossEntropyLoss,
            "criterion__weight": class_weight,
            "criterion__label_smoothing": self.label_smoothing,
            "optimizer": _OPTIMIZERS.get(self.optimizer, self.optimizer),
            "optimizer__weight_decay": self.weight_decay,
            "lr": self.lr,
            "max_epochs": stage.max_epochs,
            "batch_size": self.batch_size,
            "train_split": train_split,
            "iterator_train__shuffle": True,
            "iterator_train__collate_fn": _BatchCollator(
                *statistics, n_frames, self._make_augmenter(), augment_seed
            ),
            "iterator_valid__collate_fn": _BatchCollator(*statistics, n_frames),
            "callbacks": callbacks,
            "classes": list(range(len(self.classes_))),
            "device": device,
            "verbose": int(self.verbose >= 1),
            **self._stage_net_params(stage),
        }
        params.update(self.net_params or {})
        return _ClassifierNet(**params)

    def _stage_net_params(self, stage):
        """skorch parameters (routed by prefix) that ``stage`` sets beyond ``max_epochs``;
        ``net_params`` still override them."""
        return {}

    # -------------------------------------------------------------------------- predicting
    def _validate_predict_data(self, X):
        data, lengths, _ = self._validate_new_recordings(X)
        if self._fixed_length:
            if lengths.max() > self.n_frames_:
                warnings.warn(
                    f"X holds recordings of up to {lengths.max()} frames but "
                    f"{type(self).__name__} was fitted on {self.n_frames_} frames; only the "
                    f"first {self.n_frames_} frames of each recording are used.",
                    UserWarning,
                    stacklevel=3,
                )
            data, lengths = _set_n_frames(data, lengths, self.n_frames_)
        return {"x": data, "lengths": lengths}

    def _logits(self, X, net=None):
        """The network's outputs before softmax: float32 tensor of shape (n_samples, n_classes).

        The one path from recordings to the network: checks, standardisation and batching.
        ``net`` is the skorch net to run: ``net_`` unless ``fit`` consults another model.
        """
        inputs = self._validate_predict_data(X)
        net = self.net_ if net is None else net
        # The DataLoader draws a seed from the global generator even when it does not shuffle.
        with _torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            return net.forward(inputs, training=False)

    def decision_function(self, X):
        """Score of each class for each recording: the network's outputs before softmax.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data; the number of
            frames may differ.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            With more than two classes, the logits, columns following ``classes_``. With two
            classes, as in scikit-learn, one score per recording: the logit of
            ``classes_[1]`` minus that of ``classes_[0]``, positive exactly when ``classes_[1]``
            is predicted (the log-odds of ``classes_[1]``), so that scorers such as
            ``"roc_auc"`` can rank recordings by it.
        """
        logits = self._logits(X).numpy().astype(np.float64)
        if logits.shape[1] == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class for each recording.

        Computed as the log-softmax of the logits, so it stays finite where
        :meth:`predict_proba` rounds a probability to zero.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data; the number of
            frames may differ.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        logits = self._logits(X).to(torch.float64)
        return torch.log_softmax(logits, dim=1).numpy()

    def predict_proba(self, X):
        """Probability of each class for each recording: the softmax of the logits.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data; the number of
            frames may differ.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return _probabilities(self._logits(X))

    def predict(self, X):
        """Most probable class of each recording (the largest logit).

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the joints and coordinates of the training data.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits.numpy(), axis=1)]

    # ------------------------------------------------------------------------- persistence
    def save(self, path):
        """Write the fitted estimator to one ``.npz`` file, without pickle.

        The file holds the parameters, the fitted attributes, the network weights and the
        versions of skgesture, torch, skorch, scikit-learn and numpy; ``numpy.load`` reads it
        with ``allow_pickle=False``.

        Parameters
        ----------
        path : str or path-like
            File to write (replaced if it exists); no suffix is added.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            When the estimator is not fitted.
        ValueError
            When a parameter (a callable, callback, optimizer class, augmenter or
            ``RandomState``) or the labels cannot be stored without pickle; use
            ``joblib.dump`` for such estimators.
        """
        from skgesture._persistence import save

        save(self, path)

    @classmethod
    def load(cls, path, *, device=None):
        """Read an estimator written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            File written by :meth:`save`.
        device : {"auto", "cpu", "cuda"} or None, default=None
            Where the network is put; it also becomes the loaded estimator's ``device``
            parameter, so that further training stays there. None puts it where it was saved
            from (on the CPU, with a warning, when that was a CUDA device and there is none
            here).

        Returns
        -------
        estimator
            The fitted estimator; its predictions equal the saved one's. A file saved under
            other library versions loads with a warning; a model saved on a CUDA device loads
            on the CPU, with a warning, where no CUDA device is available.

        Raises
        ------
        ValueError
            When the file is damaged, not a skgesture model, or holds a model of another class
            than ``cls``.
        """
        from skgesture._persistence import load

        if device not in (None, "auto", "cpu", "cuda"):
            raise ValueError(
                f"device={device!r} is not understood; expected None, 'auto', 'cpu' or 'cuda'."
            )
        return load(path, cls=cls, device=device)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
