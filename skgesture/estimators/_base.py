"""The one base of skgesture's network estimators, and the base of its classifiers.

:class:`NetworkEstimator` owns what every network estimator shares: the all-or-nothing
``fit``, input validation (through :func:`~skgesture.utils.validation.validate_skeleton_data`,
the validator of the transformers too), the standardisation learned in ``fit``, the skorch
parameters every training uses, one training run (:meth:`NetworkEstimator._train_network`:
seeding, early stopping, Ctrl+C recovery), the one standardise-and-batch path from validated
recordings to the network (:meth:`NetworkEstimator._standardised_batches`) and persistence.
A subclass says which network it trains (``_module``) and with which skorch net
(``_make_net``). :class:`SkeletonClassifierBase` adds what classifiers share: labels,
``sample_weight``, ``predict``, ``predict_proba``, ``predict_log_proba`` and
``decision_function``, all functions of one ``_logits``.

The estimators wrap a skorch net (built in ``fit`` and kept as ``net_``) instead of
subclassing it, so that they follow scikit-learn's rules: ``__init__`` only stores parameters,
everything else is learned in ``fit``. skorch sees ``{"x": data, "lengths": lengths}``, so each
network is called as ``module(x, lengths)``.
"""

from __future__ import annotations

import contextlib
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    assert_all_finite,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from skorch.dataset import ValidSplit

from skgesture._device import resolve_device
from skgesture._standardize import channel_statistics
from skgesture._store_items import RecordingItems
from skgesture.estimators._batches import (
    BatchCollator,
    WeightedItems,
    batch_slices,
    prepare_batch,
    set_n_frames,
)
from skgesture.estimators._input import (
    INPUT_DEFAULTS,
    RAW_INPUT,
    InputFeatures,
    check_skeleton,
    check_streams,
    learn_input,
)
from skgesture.estimators._targets import check_labels, check_sample_weight, drop_unweighted
from skgesture.estimators._training import (
    OPTIMIZERS,
    ClassifierNet,
    Stage,
    Training,
    recover_from_interrupt,
    resolve_early_stopping,
    seeded_training,
    torch_threads,
    training_callbacks,
)
from skgesture.nn.losses import SmoothedCrossEntropyLoss
from skgesture.store import RecordingStore
from skgesture.utils._progress import progress_bar_class
from skgesture.utils.validation import Dataset, check_dataset, record_frame_shape

__all__ = [
    "NetworkEstimator",
    "SkeletonClassifierBase",
    "TEST_TRAINING",
    "TRAINING_CONSTRAINTS",
    "TRAINING_DEFAULTS",
    "NETWORK_DEFAULTS",
    "parameters_init",
]

#: Constraints of the training parameters; an estimator takes those its ``__init__`` has.
TRAINING_CONSTRAINTS = {
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
    # Input parameters. skeleton (a Skeleton or a name) and streams are checked in fit, by
    # skgesture.estimators._input, which knows the skeletons and streams.
    "skeleton": "no_validation",
    "body_frame": ["boolean"],
    "streams": "no_validation",
}

#: Defaults of the training parameters, in the order of the signatures; an estimator takes
#: them (or the ones it offers) after its own parameters, through :func:`parameters_init`.
TRAINING_DEFAULTS = {
    "max_epochs": 100,
    "batch_size": 16,
    "lr": 0.003,
    "optimizer": "adamw",
    "weight_decay": 0.01,
    "lr_schedule": "cosine",
    "label_smoothing": 0.1,
    "early_stopping": "auto",
    "validation_fraction": 0.2,
    "patience": 10,
    "class_weight": None,
    "augment": None,
    "device": "cpu",
    "random_state": None,
    "verbose": 0,
    "warm_start": False,
    "n_threads": None,
    "callbacks": None,
    "net_params": None,
}

#: Defaults of the input parameters and the training parameters, in signature order.
NETWORK_DEFAULTS = {**INPUT_DEFAULTS, **TRAINING_DEFAULTS}


def parameters_init(defaults):
    """An ``__init__`` whose keyword-only parameters are ``defaults``' names and defaults.

    It only stores each parameter under its name, as scikit-learn asks of ``__init__``, and
    it is a real function with a real signature (``inspect.signature``, ``help()``,
    ``get_params`` and ``clone`` see every parameter), generated the way :mod:`dataclasses`
    generates one: a network estimator lists its parameters once, in a table, instead of
    three times (signature, assignments, defaults) in 25-parameter functions.

    Examples
    --------
    >>> import inspect
    >>> class Net:
    ...     __init__ = parameters_init({"width": 8, "depth": 2})
    >>> str(inspect.signature(Net.__init__))
    '(self, *, width=8, depth=2)'
    >>> vars(Net(depth=3))
    {'width': 8, 'depth': 3}
    """
    names = list(defaults)
    if not all(name.isidentifier() and not name.startswith("_") for name in names):
        raise ValueError(f"parameter names must be public identifiers; got {names}.")
    signature = ", ".join(f"{name}=_defaults[{name!r}]" for name in names)
    body = "".join(f"    self.{name} = {name}\n" for name in names) or "    pass\n"
    source = f"def __init__(self, *, {signature}):\n{body}"
    namespace = {}
    # The source holds only the validated names; default values are looked up, never written.
    exec(source, {"_defaults": dict(defaults)}, namespace)
    return namespace["__init__"]


#: Training settings of the estimators' test configurations (``_get_test_params``): small,
#: seeded, one thread, so scikit-learn's checks run in seconds.
TEST_TRAINING = {"max_epochs": 10, "batch_size": 64, "lr": 0.05, "random_state": 0, "n_threads": 1}

# Fitted attributes renamed when the estimators joined the transformers' names: objects
# pickled by earlier versions get the new names when unpickled.
_RENAMED_ATTRIBUTES = {"n_joints_": "n_joints_in_", "n_coords_": "n_coords_in_"}


def probabilities(logits):
    """Softmax of float32 ``logits``, as float64 rows that sum to one."""
    proba = torch.softmax(logits, dim=1).numpy().astype(np.float64)
    return proba / proba.sum(axis=1, keepdims=True)


def _deprecated_alias(new_name):
    def read(self):
        warnings.warn(
            f"{type(self).__name__}.{new_name[:-4]}_ is now {new_name} (the name skgesture's "
            "transformers use); the old name will be removed in a future version.",
            FutureWarning,
            stacklevel=2,
        )
        return getattr(self, new_name)

    return property(read, doc=f"Deprecated name of ``{new_name}``.")


class NetworkEstimator(BaseEstimator):
    """Base of the network estimators; subclasses say which network to train, and how.

    A subclass defines ``__init__`` (its network's sizes plus the training parameters of
    :data:`TRAINING_CONSTRAINTS` it offers), :meth:`_module` and :meth:`_make_net`, and
    lists its small test configurations in :meth:`_get_test_params`. Set
    ``_fixed_length = True`` for networks that need every recording to have ``n_frames_``
    frames.
    """

    _fixed_length = False
    # Fitted attributes (JSON values) that save() stores besides the common ones.
    _saved_attributes = ()

    n_joints_ = _deprecated_alias("n_joints_in_")
    n_coords_ = _deprecated_alias("n_coords_in_")

    # ------------------------------------------------------------------- subclass interface
    def _module(self):
        """Return the torch module class and its keyword arguments (without ``n_classes``)."""
        raise NotImplementedError

    def _make_net(self, *, device, split_seed=0, augment_seed=0, stage=None, **settings):
        """The skorch net of one training (``stage`` None: the fitted model's, to rebuild it)."""
        raise NotImplementedError

    @classmethod
    def _get_test_params(cls):
        """Parameter sets of small, seeded, CPU instances that the common tests build (one
        instance per set); each estimator lists its own."""
        raise NotImplementedError(f"{cls.__name__} lists no test parameters.")

    def _expected_failed_checks(self):
        """scikit-learn checks this estimator fails by design: ``{check name: reason}``."""
        return {}

    def _stage(self):
        """The settings of a training as the parameters give them: a plain fit's only stage."""
        return Stage(max_epochs=self.max_epochs)

    def _check_network_params(self):
        """Refuse parameters the constraints cannot express before any data is read."""
        self._make_augmenter()
        check_streams(self.streams)
        check_skeleton(self.skeleton)

    # ------------------------------------------------------------------------------ fitting
    def _all_or_nothing(self, fit, *args):
        """Run ``fit(*args)``; when it raises, put every attribute back as it was.

        Attributes are only ever replaced, never changed in place (a warm start trains a new
        net that starts from a copy of the old weights), so a shallow copy is a full snapshot.
        """
        state = dict(vars(self))
        try:
            return fit(*args)
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            raise

    def _validate_training_recordings(self, X, reset):
        """Check the recordings of ``fit``; return a :class:`~skgesture.utils.validation.Dataset`.

        Recordings on disk (a :class:`~skgesture.store.RecordingStore`) are checked as
        training reads them, never all at once.
        """
        if isinstance(X, RecordingStore):
            checked = Dataset(X, X.lengths, "4d")
        else:
            checked = check_dataset(X, estimator=self)
        record_frame_shape(self, X, checked.data.shape[2:], checked.layout, reset=reset)
        return checked

    def _validate_new_recordings(self, X):
        """Check recordings given to the fitted estimator; return a padded ``Dataset``."""
        check_is_fitted(self)
        checked = check_dataset(X, estimator=self)
        record_frame_shape(self, X, checked.data.shape[2:], checked.layout, reset=False)
        return checked

    def _learn_input(self, data, lengths):
        """Learn what the network sees: the topology and root joint of the input features
        and the settings that take effect (``skeleton_``, ``root_``, ``body_frame_``,
        ``streams_``), the training length and the standardisation of the features over the
        real frames."""
        self.skeleton_, self.root_, self.body_frame_, self.streams_ = learn_input(
            self.skeleton,
            self.body_frame,
            self.streams,
            data,
            lengths,
            needs_topology=self._needs_topology(),
        )
        # A fixed-length network takes the width it is given: a dense array padded by
        # SkeletonPadder(max_frames=...) sets it, a ragged list its longest recording.
        self.n_frames_ = int(data.shape[1]) if self._fixed_length else int(lengths.max())
        self.channel_mean_, self.channel_scale_ = channel_statistics(
            data, lengths, transform=self._input_features()
        )

    def _needs_topology(self):
        """Whether the network itself follows the bones (then a topology is inferred when
        ``skeleton`` is None, whatever the streams)."""
        return False

    def _input_features(self):
        """The callable turning padded positions into the network's input (None: as given)."""
        return InputFeatures.of(self)

    @property
    def _n_network_coords(self):
        """Channels per joint of the network's input: coordinates times streams."""
        return int(self.channel_mean_.shape[1])

    def _resolve_device(self):
        return resolve_device(self.device)

    def _make_augmenter(self):
        if self.augment is None:
            return None
        from skgesture.preprocessing.augment import make_augmenter

        return make_augmenter(self.augment)

    def _skorch_params(self, *, stage, early_stopping, device, split_seed, stratified, collate):
        """The skorch parameters every training sets: optimiser, schedule, batches, split,
        callbacks, device and output. ``collate`` is ``(training, validation)`` collators."""
        train_split = None
        if early_stopping:
            train_split = ValidSplit(
                self.validation_fraction, stratified=stratified, random_state=split_seed
            )
        return {
            "optimizer": OPTIMIZERS.get(self.optimizer, self.optimizer),
            "optimizer__weight_decay": self.weight_decay,
            "lr": self.lr,
            "max_epochs": stage.max_epochs,
            "batch_size": self.batch_size,
            "train_split": train_split,
            "iterator_train__shuffle": True,
            "iterator_train__collate_fn": collate[0],
            "iterator_valid__collate_fn": collate[1],
            "callbacks": training_callbacks(
                patience=self.patience,
                lr_schedule=self.lr_schedule,
                max_epochs=stage.max_epochs,
                verbose=self.verbose,
                callbacks=self.callbacks,
                early_stopping=early_stopping,
                owner_name=type(self).__name__,
            ),
            "device": device,
            "verbose": int(self.verbose >= 1),
        }

    def _train_network(self, inputs, targets, *, stage, early_stopping, start=None, **settings):
        """Build a skorch net for ``stage``, give it its starting weights, train it.

        The net starts from ``start``'s weights (a fitted net of the same shape) when given.
        ``settings`` go to :meth:`_make_net`. Returns a
        :class:`~skgesture.estimators._training.Training`; the estimator itself is left
        alone, so a fit can train a model it then only consults.
        """
        device = self._resolve_device()
        seeding = seeded_training(
            random_state=self.random_state, n_threads=self.n_threads, device=device
        )
        with seeding as (split_seed, augment_seed):
            net = self._make_net(
                device=device,
                split_seed=split_seed,
                augment_seed=augment_seed,
                stage=stage,
                early_stopping=early_stopping,
                **settings,
            )
            net.initialize()
            if settings.get("sample_weight") is not None and not isinstance(
                net.criterion_, SmoothedCrossEntropyLoss
            ):
                raise ValueError(
                    "sample_weight weighs skgesture's cross-entropy loss, but net_params "
                    f"replaces it with {type(net.criterion_).__name__}, which cannot be "
                    "weighted per recording; drop the criterion from net_params or fit "
                    "without sample_weight."
                )
            self._set_initial_weights(net, start, stage)
            net.partial_fit(inputs, targets)
        interrupted = recover_from_interrupt(
            net, owner_name=type(self).__name__, max_epochs=stage.max_epochs, stacklevel=6
        )
        return Training(net, early_stopping, interrupted)

    def _set_initial_weights(self, net, start, stage):
        """Give the freshly initialised ``net`` its starting weights: ``start``'s (a fitted
        net) when given, else random; ``stage`` is the training's settings."""
        if start is None:
            return
        try:
            net.module_.load_state_dict(start.module_.state_dict())
        except RuntimeError as error:
            raise ValueError(
                "warm_start=True continues training the fitted network, so the network's "
                "parameters (sizes, architecture) must not change between fits; set "
                "warm_start=False to train a new network."
            ) from error

    def _keep(self, training):
        """Make the network of ``training`` the fitted model."""
        self.net_ = training.net
        self.history_ = training.net.history
        self.n_iter_ = len(training.net.history)
        self.early_stopping_ = training.early_stopping
        self.interrupted_ = training.interrupted
        return self

    def _rebuild_net(self, device):
        """An untrained skorch net shaped like the fitted one, on ``device`` (for loading)."""
        return self._make_net(device=device)

    # -------------------------------------------------------------------------------- using
    def _standardised_batches(self, data, lengths, *, batch_size=None, net=None):
        """Batches ``(x, lengths, rows)`` of validated recordings, ready for the network.

        The one path from recordings to the network after ``fit``: every batch goes through
        :func:`~skgesture.estimators._batches.prepare_batch` as training batches do (without
        augmentation) and comes as tensors on the network's device, with the ``slice`` of
        ``data`` it holds. The caller chooses the torch mode (gradients or not).
        """
        net = self.net_ if net is None else net
        batch_size = self.batch_size if batch_size is None else batch_size
        n_frames = self.n_frames_ if self._fixed_length else None
        features = self._input_features()
        for rows in batch_slices(len(data), batch_size):
            x, batch_lengths = prepare_batch(
                data[rows],
                lengths[rows],
                self.channel_mean_,
                self.channel_scale_,
                n_frames=n_frames,
                features=features,
            )
            x = torch.from_numpy(x).to(net.device)
            yield x, torch.from_numpy(batch_lengths).to(net.device), rows

    @contextlib.contextmanager
    def _evaluating(self, net):
        """Run ``net`` without training: evaluation mode, inference mode (no autograd
        bookkeeping), ``n_threads`` threads, the global torch random state left as it was."""
        if net.module_.training:  # eval() walks every submodule: skip it when already done
            net.module_.eval()
        # fork_rng: a network never draws in evaluation mode, but keep the global state safe.
        with (
            torch_threads(self.n_threads),
            torch.random.fork_rng(devices=[]),
            torch.inference_mode(),
        ):
            yield

    def _map_batches(self, data, lengths, function, *, net=None):
        """``function(module, x, lengths)`` over standardised batches, in evaluation mode
        without gradients; returns the list of its outputs as numpy arrays."""
        net = self.net_ if net is None else net
        outputs = []
        batches = self._standardised_batches(data, lengths, net=net)
        n_batches = -(-len(lengths) // self.batch_size)
        if self.verbose >= 2 and n_batches > 1:  # as in fit: a progress bar over batches
            bar = progress_bar_class(f"verbose={self.verbose}")
            batches = bar(batches, total=n_batches, desc="Predicting", unit="batch", leave=False)
        with self._evaluating(net):
            for x, batch_lengths, _ in batches:
                outputs.append(function(net.module_, x, batch_lengths).cpu().numpy())
        return outputs

    # -------------------------------------------------------------------------- persistence
    def save(self, path):
        """Write the fitted estimator to one ``.npz`` file, without pickle.

        The file holds the parameters, the fitted attributes, the network weights and the
        versions of skgesture, torch, skorch, scikit-learn and numpy; ``numpy.load`` reads it
        with ``allow_pickle=False``. A shortcut to :func:`skgesture.save`.

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
        """Read an estimator written by :meth:`save` (a shortcut to :func:`skgesture.load`).

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
            other library versions loads with a warning.

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

    def __setstate__(self, state):
        # Objects pickled before the fitted attributes took the transformers' names.
        for old, new in _RENAMED_ATTRIBUTES.items():
            if old in state:
                state[new] = state.pop(old)
        if "_fitted_layout" in state:
            state["_tabular_in"] = state.pop("_fitted_layout") == "2d"
        # Estimators from before the input parameters saw positions as given.
        for name, value in RAW_INPUT.items():
            state.setdefault(name, value)
        if "net_" in state:
            state.setdefault("body_frame_", RAW_INPUT["body_frame"])
            state.setdefault("streams_", RAW_INPUT["streams"])
        self._complete_older_params(state)
        super().__setstate__(state)

    @classmethod
    def _complete_older_params(cls, params):
        """Give parameters that older versions did not have the values those versions used.

        Called on the parameters of a model file and on the state of a pickle, so that a
        model saved before a parameter existed behaves as it did (a new default may differ).
        """

    @classmethod
    def _complete_older_attributes(cls, attributes, params):
        """Fill in the fitted attributes a model file of an older version lacks, from its
        ``params`` (as :meth:`_complete_older_params` left them)."""

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class SkeletonClassifierBase(ClassifierMixin, NetworkEstimator):
    """Base of the classifiers: labels, sample weights, and predictions from ``_logits``.

    A fit that trains in several stages runs :meth:`_fit_network` once per stage, each with
    its own stage settings, and keeps the model it chooses with ``_keep``; it never writes its
    parameters.
    """

    def _expected_failed_checks(self):
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

    # ------------------------------------------------------------------------------ fitting
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
        return self._all_or_nothing(self._fit, X, y, sample_weight)

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
            self._learn_input(data, lengths)
        return self._train(data, lengths, y, y_codes, resume, sample_weight)

    def _validate_training_data(self, X, y, reset):
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but the "
                "target y is None."
            )
        data, lengths, _ = self._validate_training_recordings(X, reset)
        y = column_or_1d(y, warn=True)
        assert_all_finite(y, input_name="y")
        check_consistent_length(data, y)
        check_labels(y)
        return data, lengths, y

    def _learn_classes(self, y):
        """Set ``classes_`` and return ``y`` as class indices."""
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: y holds only "
                f"{self.classes_.tolist()[0]!r}."
            )
        return y_codes

    def _encode_known_labels(self, y):
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(
                f"y holds labels {unseen.tolist()} that the first fit did not see; warm_start "
                f"can only continue training on the classes {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y)

    def _train(self, data, lengths, y, y_codes, resume, sample_weight=None):
        """Train a network on ``data`` (from ``net_``'s weights when ``resume``) and keep it.

        ``sample_weight`` is None or, from :func:`check_sample_weight`, positive.
        """
        start = self.net_ if resume else None
        training = self._fit_network(data, lengths, y, y_codes, self._stage(), start, sample_weight)
        return self._keep(training)

    def _fit_network(self, data, lengths, y, y_codes, stage, start=None, sample_weight=None):
        """Train a network for ``stage`` on ``data`` (from ``start``'s weights when given);
        return the :class:`~skgesture.estimators._training.Training`."""
        out_of_core = isinstance(data, RecordingStore)
        if self._fixed_length and not out_of_core:  # the collator crops a store's batches
            data, lengths = set_n_frames(data, lengths, self.n_frames_)
        early_stopping = resolve_early_stopping(
            self.early_stopping,
            n_samples=len(y_codes),
            validation_fraction=self.validation_fraction,
            class_counts=np.bincount(y_codes, minlength=len(self.classes_)),
        )
        if out_of_core:
            inputs = RecordingItems(data, y_codes)
            if sample_weight is not None:
                inputs = WeightedItems(inputs, sample_weight)
        else:
            inputs = {"x": data, "lengths": lengths}
            if sample_weight is not None:
                inputs["sample_weight"] = sample_weight
        return self._train_network(
            inputs,
            y_codes,
            stage=stage,
            early_stopping=early_stopping,
            start=start,
            y=y,
            sample_weight=sample_weight,
        )

    def _make_net(
        self,
        *,
        device,
        split_seed=0,
        augment_seed=0,
        stage=None,
        early_stopping=None,
        y=None,
        sample_weight=None,
    ):
        """The skorch net of one training with the settings of ``stage``.

        ``stage``, ``early_stopping`` and ``y`` default to the fitted model's (``_stage()``,
        ``early_stopping_`` and ``classes_``), for rebuilding a fitted network.
        """
        stage = self._stage() if stage is None else stage
        early_stopping = self.early_stopping_ if early_stopping is None else early_stopping
        y = self.classes_ if y is None else y
        module, module_params = self._module()
        n_frames = self.n_frames_ if self._fixed_length else None
        class_weight = None
        if self.class_weight is not None:
            # "balanced" counts each recording by its sample_weight.
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y, sample_weight=sample_weight
            )
            class_weight = torch.as_tensor(weights, dtype=torch.float32)
        statistics = (self.channel_mean_, self.channel_scale_)
        features = self._input_features()
        collate = (
            BatchCollator(
                *statistics, n_frames, self._make_augmenter(), augment_seed, features=features
            ),
            BatchCollator(*statistics, n_frames, features=features),
        )
        params = {
            "module": module,
            "module__n_classes": len(self.classes_),
            **{f"module__{name}": value for name, value in module_params.items()},
            "criterion": SmoothedCrossEntropyLoss,
            "criterion__weight": class_weight,
            "criterion__label_smoothing": self.label_smoothing,
            **self._skorch_params(
                stage=stage,
                early_stopping=early_stopping,
                device=device,
                split_seed=split_seed,
                stratified=True,
                collate=collate,
            ),
            "classes": list(range(len(self.classes_))),
            **self._stage_net_params(stage, augment_seed),
        }
        params.update(self.net_params or {})
        return self._net_class(stage)(**params)

    def _net_class(self, stage):
        """The skorch net class of a training with the settings of ``stage``."""
        return ClassifierNet

    def _stage_net_params(self, stage, augment_seed=0):
        """skorch parameters (routed by prefix) that ``stage`` sets beyond ``max_epochs``;
        ``net_params`` still override them."""
        return {}

    # ----------------------------------------------------------------------------- predicting
    def _validate_predict_data(self, X):
        """Check recordings to classify: ``{"x": padded data, "lengths": true lengths}``,
        cropped or padded to ``n_frames_`` for fixed-length networks (with a warning when
        frames are cut)."""
        data, lengths, _ = self._validate_new_recordings(X)
        if self._fixed_length:
            if lengths.max() > self.n_frames_:
                warnings.warn(
                    f"X holds recordings of up to {lengths.max()} frames but "
                    f"{type(self).__name__} was fitted on {self.n_frames_} frames; only the "
                    f"first {self.n_frames_} frames of each recording are used.",
                    UserWarning,
                    stacklevel=4,
                )
            data, lengths = set_n_frames(data, lengths, self.n_frames_)
        return {"x": data, "lengths": lengths}

    def _logits(self, X, net=None):
        """The network's outputs before softmax: float32 tensor of shape (n_samples, n_classes).

        ``net`` is the skorch net to run: ``net_`` unless ``fit`` consults another model.
        """
        inputs = self._validate_predict_data(X)
        outputs = self._map_batches(
            inputs["x"], inputs["lengths"], lambda module, x, n: module(x, n), net=net
        )
        return torch.from_numpy(np.concatenate(outputs))

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
        return probabilities(self._logits(X))

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

    def to_onnx(self, path, *, opset=None):
        """Write the fitted classifier, preprocessing included, as an ONNX model.

        A shortcut to :func:`skgesture.export.export_onnx` (``pip install skgesture[onnx]``):
        the model takes ``positions`` (float32, ``(batch, frames, joints, coords)``,
        zero-padded) and ``lengths`` (int64, true frame counts) and returns
        ``probabilities`` that match :meth:`predict_proba`. See ``docs/deploy.md``.

        Parameters
        ----------
        path : str or path-like
            File to write (replaced if it exists).
        opset : int or None, default=None
            ONNX opset; None takes torch's default.

        Returns
        -------
        pathlib.Path
            ``path``.
        """
        from skgesture.export.onnx import export_onnx

        return export_onnx(self, path, opset=opset)
