"""How the network estimators train: skorch nets, callbacks, stages, seeding, early stopping.

Everything here takes its settings as arguments, never the estimator: adding a training
setting means passing one more argument, not reading one more attribute off an object.
"""

from __future__ import annotations

import contextlib
import copy
import math
import reprlib
import warnings
from typing import NamedTuple

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from skorch.utils import to_tensor
from torch.nn import functional as F

__all__ = [
    "OPTIMIZERS",
    "Stage",
    "Training",
    "resolve_early_stopping",
    "recover_from_interrupt",
    "seeded_training",
    "torch_threads",
    "training_callbacks",
]

#: The optimizers named by the ``optimizer`` parameter.
OPTIMIZERS = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}

# early_stopping="auto" needs this many held-out recordings: a validation loss over fewer is
# too noisy to choose an epoch by (on NATOPS, 36 held out, it cost 1 to 2 points).
MIN_AUTO_VALIDATION_SIZE = 100


@contextlib.contextmanager
def torch_threads(n_threads):
    """Bound torch's intra-op threads to ``n_threads`` (None: leave them) inside the block."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


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
    with torch_threads(n_threads), torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(int(torch_seed))
        yield int(split_seed), int(augment_seed)


def resolve_early_stopping(setting, *, n_samples, validation_fraction, class_counts=None):
    """Whether a training holds recordings out for early stopping: the one rule.

    ``setting`` is the ``early_stopping`` parameter. ``"auto"`` turns early stopping on when
    at least :data:`MIN_AUTO_VALIDATION_SIZE` recordings would be held out and, for a
    classifier (``class_counts`` given, the split stratified), 2 of every class and a training
    side with every class. ``True`` refuses a split that cannot be made.
    """
    n_valid = math.ceil(n_samples * validation_fraction)
    n_train = n_samples - n_valid
    if class_counts is None:
        if setting == "auto":
            return bool(n_valid >= MIN_AUTO_VALIDATION_SIZE and n_train >= 1)
        if setting and n_train < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={validation_fraction} of "
                f"the {n_samples} recordings, which leaves none to train on; use "
                "early_stopping='auto' or False, or lower validation_fraction."
            )
        return bool(setting)
    n_classes, rarest = len(class_counts), int(np.min(class_counts))
    if setting == "auto":
        return bool(
            n_valid >= MIN_AUTO_VALIDATION_SIZE
            and rarest * validation_fraction >= 2
            and n_train >= n_classes
        )
    if not setting:
        return False
    if rarest < 2 or min(n_valid, n_train) < n_classes:
        raise ValueError(
            f"early_stopping=True holds out validation_fraction={validation_fraction} of the "
            f"{n_samples} recordings, stratified by class; that needs at least {n_classes} "
            f"recordings on each side and 2 recordings of every class (the rarest has "
            f"{rarest}). Use early_stopping='auto' or False, or change validation_fraction."
        )
    return True


class Stage(NamedTuple):
    """The settings of one training that ``fit`` runs, passed down as an argument.

    ``fit`` never writes the estimator's parameters, not even for one stage: where a fit
    trains several times with different settings (``SSLClassifier``'s linear probe,
    fine-tuning and from-scratch teacher), each training gets its settings from its stage. A
    plain fit has one stage, the parameters' (``_stage()``); families with more settings per
    stage define their own ``NamedTuple`` with these fields first.
    """

    max_epochs: int


class Training(NamedTuple):
    """The outcome of one training: the trained skorch net, whether early stopping held
    recordings out, and whether Ctrl+C ended it (its best completed epoch restored)."""

    net: NeuralNet
    early_stopping: bool
    interrupted: bool


class ClassifierNet(NeuralNetClassifier):
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


class FiniteLossCheck(Callback):
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


class BestEpochWeights(Callback):
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


class PatientEarlyStopping(EarlyStopping):
    """skorch's early stopping, that never ends training in its first ``warmup`` epochs.

    The validation loss of the first epochs, taken on a few held-out recordings while the
    network is still close to its random start, can stall for ``patience`` epochs before
    anything is learned (the paper's protocol holds out 11 recordings: an LSTM stopped at
    epoch 12 with chance accuracy). Training ends at the first epoch from ``warmup`` on that
    completes ``patience`` epochs without improvement; the best epoch is chosen among all.
    """

    def __init__(self, *args, warmup=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.warmup = warmup

    def on_epoch_end(self, net, **kwargs):
        patience = self.patience
        if len(net.history) < self.warmup:
            self.patience = math.inf  # track the best epoch, never stop
        else:
            # Misses piled up during the warm-up stop training at its first epoch that does not
            # improve: training ends at max(warmup, best epoch + patience).
            self.misses_ = min(self.misses_, patience - 1)
        try:
            return super().on_epoch_end(net, **kwargs)
        finally:
            self.patience = patience


def _stopped_early(net):
    """Whether an ``EarlyStopping`` callback ended training (skorch's way: KeyboardInterrupt)."""
    return any(
        isinstance(callback, EarlyStopping) and callback.misses_ >= callback.patience
        for _, callback in net.callbacks_
    )


def recover_from_interrupt(net, *, owner_name, max_epochs, stacklevel=2):
    """After Ctrl+C, restore the best completed epoch and warn; return whether it happened.

    skorch ends its training loop quietly on ``KeyboardInterrupt``, whether it comes mid-epoch
    or from a callback ending an epoch, and ``EarlyStopping`` stops training by raising one. So
    training was interrupted when fewer than ``net.max_epochs`` epochs completed and no early
    stopping ended it. The warning names the estimator class ``owner_name`` and the
    ``max_epochs`` that the training was asked for; ``stacklevel`` counts from the caller.
    """
    best = dict(net.callbacks_)["best_epoch_weights"]
    if best.completed_epochs_ >= net.max_epochs or _stopped_early(net):
        best.best_state_ = None  # not needed: a fitted model carries one copy of its weights
        return False
    best_state = best.best_state_
    epoch = len(net.history)
    if best_state is None:
        restored = "no epoch had completed, so the weights are those of the interrupted batch"
    else:
        net.module_.load_state_dict(best_state)
        restored = f"the weights of epoch {best.best_epoch_} (the best completed) were restored"
    warnings.warn(
        f"{owner_name} training was interrupted during epoch {epoch} of "
        f"{max_epochs}; {restored}. The model is under-trained (interrupted_=True).",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
    return True


def training_callbacks(
    *, patience, lr_schedule, max_epochs, verbose, callbacks, early_stopping, owner_name
):
    """The skorch callbacks every skgesture estimator trains with, around the user's own.

    NaN-loss check, early stopping on the validation loss after ``patience`` epochs without
    improvement when ``early_stopping`` (never within the first ``2 * patience`` epochs), the
    learning-rate schedule ``lr_schedule`` over ``max_epochs``, a progress bar at
    ``verbose >= 2``, then a copy of the user's ``callbacks`` (checked here; errors name the
    estimator class ``owner_name``) and last the in-memory best weights (for Ctrl+C).
    """
    user_callbacks = _check_callbacks(callbacks, owner_name)
    callbacks = [("finite_loss", FiniteLossCheck())]
    if early_stopping:
        # Never before 2 x patience epochs: see PatientEarlyStopping.
        stopper = PatientEarlyStopping(
            monitor="valid_loss", patience=patience, load_best=True, warmup=2 * patience
        )
        callbacks.append(("early_stopping", stopper))
    if lr_schedule == "cosine":
        schedule = LRScheduler(policy="CosineAnnealingLR", T_max=max_epochs)
        callbacks.append(("lr_scheduler", schedule))
    if verbose >= 2:
        from skorch.callbacks import ProgressBar

        callbacks.append(("progress_bar", ProgressBar()))
    # Last, so that an epoch counts as completed only once every other callback has ended it.
    best_weights = ("best_epoch_weights", BestEpochWeights())
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
