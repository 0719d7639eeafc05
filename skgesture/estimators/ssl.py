"""Semi-supervised gesture classification: :class:`SSLClassifier`.

It follows scikit-learn's semi-supervised convention (``y == -1`` marks an unlabelled
recording): it pre-trains the trunk of :class:`~skgesture.CNNClassifier` on every recording with
an :class:`~skgesture.estimators.pretrainer.AutoencoderPretrainer`, then fine-tunes a classifier
on the labelled ones (and, by default, on confidently pseudo-labelled ones). The result is a
CNN like ``CNNClassifier``'s, so :class:`~skgesture.GradCAMExplainer` explains it.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (
    assert_all_finite,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from skgesture.estimators._base import (
    NETWORK_DEFAULTS,
    TEST_TRAINING,
    TRAINING_CONSTRAINTS,
    SkeletonClassifierBase,
    parameters_init,
    probabilities,
)
from skgesture.estimators._docs import complete_docstring
from skgesture.estimators._input import RAW_INPUT
from skgesture.estimators._targets import check_labels, check_sample_weight, drop_unweighted
from skgesture.estimators.pretrainer import AutoencoderPretrainer, _trunk_sizes
from skgesture.model_selection import labelled_mask
from skgesture.nn import JointCNN

__all__ = ["SSLClassifier"]

_TRUNK_PARAMETERS = ("stem.*", "blocks.*", "last_conv.*")


class _SSLStage(NamedTuple):
    """The settings of one of :class:`SSLClassifier`'s trainings.

    See :class:`~skgesture.estimators._training.Stage`.

    ``fit`` runs several trainings -- linear probe, fine-tuning, the from-scratch teacher,
    self-training rounds -- each with its own stage, and never writes the parameters.
    ``random_start``: the trunk starts from random weights instead of the pre-trained ones.
    """

    max_epochs: int
    freeze_encoder: bool
    encoder_lr: float | None
    random_start: bool = False


@complete_docstring
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
    %(training_parameters)s

    Attributes
    ----------
    %(classifier_attributes)s
    %(fitted_attributes)s
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
        **TRAINING_CONSTRAINTS,
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

    __init__ = parameters_init(
        {
            "objective": "contrastive",
            "pretrainer": None,
            "pretrain_epochs": 50,
            "freeze_encoder": False,
            "encoder_lr": None,
            "linear_probe_epochs": 30,
            "self_training": 1,
            "self_training_teacher": "agreement",
            "self_training_threshold": 0.7,
            "unlabeled_label": -1,
            "dropout": 0.2,
            **NETWORK_DEFAULTS,
            # Self-supervised pre-training has not been measured on the body-frame streams
            # yet: it keeps the positions as given.
            **RAW_INPUT,
        }
    )

    def _fit(self, X, y, sample_weight):
        self._check_network_params()
        resume = self.warm_start and self.__sklearn_is_fitted__()
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but the "
                "target y is None; mark unlabelled recordings with unlabeled_label="
                f"{self.unlabeled_label!r}."
            )
        data, lengths, _ = self._validate_training_recordings(X, reset=not resume)
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
        # The message every estimator gives ("Input y contains NaN."), not a new one.
        assert_all_finite(y_known, input_name="y")
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
            # The classifier sees what the trunk was pre-trained on: the pretrainer's topology,
            # input features and standardisation.
            for name in ("skeleton_", "root_", "body_frame_", "streams_"):
                setattr(self, name, getattr(self.pretrainer_, name))
            self.n_frames_ = int(lengths.max())
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
        last :class:`~skgesture.estimators._training.Training`: the probe's when Ctrl+C ended it.
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
            second_opinion = probabilities(self._logits(data[unlabelled], teacher.net))
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
                skeleton=self.skeleton,
                body_frame=self.body_frame,
                streams=self.streams,
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
        inputs = (tuple(pretrainer.streams), pretrainer.body_frame)
        if inputs != (tuple(self.streams), self.body_frame):
            raise ValueError(
                f"pretrainer was fitted with streams={inputs[0]!r}, body_frame={inputs[1]!r}, "
                f"but this SSLClassifier has streams={tuple(self.streams)!r}, "
                f"body_frame={self.body_frame!r}; the classifier must see the input its trunk "
                "was pre-trained on, so set the same."
            )
        if (pretrainer.n_joints_in_, pretrainer.n_coords_in_) != data.shape[2:]:
            raise ValueError(
                f"pretrainer was fitted on recordings of {pretrainer.n_joints_in_} joints x "
                f"{pretrainer.n_coords_in_} coordinates, but X has {data.shape[2]} x "
                f"{data.shape[3]}."
            )
        return pretrainer

    def _module(self):
        return JointCNN, {
            "n_joints": self.n_joints_in_,
            "n_coords": self._n_network_coords,
            "dropout": self.dropout,
            **self.trunk_sizes_,
        }

    def _stage_net_params(self, stage):
        return {"module__freeze_trunk": stage.freeze_encoder}

    def _make_net(self, *, device, stage=None, **settings):
        stage = self._stage() if stage is None else stage
        net = super()._make_net(device=device, stage=stage, **settings)
        if stage.encoder_lr is not None and not stage.freeze_encoder:
            groups = [(pattern, {"lr": stage.encoder_lr}) for pattern in _TRUNK_PARAMETERS]
            net.set_params(optimizer__param_groups=groups)
        return net

    def _set_initial_weights(self, net, start, stage):
        if start is not None or stage.random_start:
            super()._set_initial_weights(net, start, stage)
            return
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
