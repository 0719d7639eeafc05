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
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state
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
from skgesture.estimators._consistency import ConsistencyNet, UnlabeledViews
from skgesture.estimators._docs import complete_docstring
from skgesture.estimators._targets import check_labels, check_sample_weight, drop_unweighted
from skgesture.estimators._training import ClassifierNet
from skgesture.estimators.pretrainer import AutoencoderPretrainer, _trunk_sizes, strong_augmenter
from skgesture.model_selection import labelled_mask
from skgesture.nn import JointCNN
from skgesture.preprocessing.augment import make_augmenter

__all__ = ["SSLClassifier"]

_TRUNK_PARAMETERS = ("stem.*", "blocks.*", "last_conv.*")


#: Unlabelled recordings per consistency-training step, per labelled one (FixMatch's mu).
UNLABELED_BATCH_RATIO = 2


class _SSLStage(NamedTuple):
    """The settings of one of :class:`SSLClassifier`'s trainings.

    See :class:`~skgesture.estimators._training.Stage`.

    ``fit`` runs several trainings -- linear probe, fine-tuning, the from-scratch teacher,
    self-training rounds -- each with its own stage, and never writes the parameters.
    ``random_start``: the trunk starts from random weights instead of the pre-trained ones.
    ``unlabeled``: ``(data, lengths)`` of the unlabelled recordings that consistency training
    learns from, or None for training on the labelled recordings alone.
    """

    max_epochs: int
    freeze_encoder: bool
    encoder_lr: float | None
    random_start: bool = False
    unlabeled: tuple | None = None


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
    Last, by default (``fallback="auto"``), it cross-validates that recipe on the labelled
    recordings against a CNN of the same shape trained from random weights on them alone, and
    keeps that supervised CNN instead when it scored higher; ``safeguard_`` holds what it saw.

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
    consistency : {"fixmatch"} or None, default=None
        Consistency training on the unlabelled recordings while the network is fine-tuned
        (FixMatch, Sohn et al., 2020): each step adds, to the labelled batch's
        loss, a loss on twice as many unlabelled recordings, each seen weakly augmented
        (scaling, jitter) and strongly augmented (turns, scaling, jitter, time warp,
        cropping, dropped joints, as in contrastive pre-training); the class the network
        gives the weak view, where its probability reaches ``consistency_threshold``, is the
        target of the strong view. The linear probe and the self-training student train on
        labelled recordings only; unlabelled recordings' ``sample_weight`` is not used here.
        Each step then costs about five times a labelled step. The history records
        ``pseudo_label_rate``, the share of unlabelled recordings above the threshold.
    consistency_threshold : float in (0, 1], default=0.8
        Probability the weak view's class must reach to be the strong view's target.
        FixMatch's 0.95 assumes hard labels; with the default ``label_smoothing=0.1`` a
        model is rarely more sure than about 0.92 with 6 classes, so 0.95 would take none.
    fallback : {"auto", "never"}, default="auto"
        ``"auto"``: after the fit, compare the semi-supervised model with the supervised one
        by stratified cross-validation on the labelled recordings only (``min(3, n)`` folds,
        ``n`` the fewest labelled recordings of a class; each fold fine-tunes and self-trains
        from the same pre-trained trunk, and trains a CNN of the same shape from random
        weights, on the fold's labelled recordings, and both classify the held-out ones), and
        when the supervised model scores higher (strictly), make it the fitted model: the CNN
        of the same shape (``trunk_sizes_``, the same input and standardisation) trained from
        random weights on all labelled recordings (the self-training teacher when there is
        one, so it costs nothing more). A recording alone in its class is never held out
        (neither model could predict a class it did not see); when fewer than two classes have
        two labelled recordings nothing is compared and the SSL model stays. The folds reuse
        the pre-training, so they cost about two more fine-tunings and self-training rounds on
        the labelled recordings. ``"never"``: keep the SSL model without checking. The numbers
        are in ``safeguard_``. On few labels, cross-validation is noisy: it guards against a
        model clearly worse than the supervised one (pre-training on ``make_gestures``'s 79
        joints fell up to 28 points below it), and can also throw away a small real gain.
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
        Unlabelled recordings pseudo-labelled for the last round of self-training (0 without,
        and 0 when the safeguard chose the supervised model).
    safeguard_ : dict or None
        What ``fallback="auto"`` saw (None with ``"never"``, or when Ctrl+C stopped the
        fit before it): ``chosen`` (``"ssl"`` or
        ``"supervised"``: the model that predicts), ``ssl_cv_accuracy`` and
        ``supervised_cv_accuracy`` (cross-validated accuracy on the labelled recordings, None
        when nothing was compared), ``n_folds`` (0 when nothing was compared), ``n_scored``
        (labelled recordings held out once each) and ``reason`` (in words). A ``warm_start``
        fit continues ``net_`` and keeps the first fit's ``safeguard_``.

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
    >>> sorted(clf.safeguard_)
    ['chosen', 'n_folds', 'n_scored', 'reason', 'ssl_cv_accuracy', 'supervised_cv_accuracy']
    """

    _saved_attributes = ("n_labeled_", "n_pseudo_labeled_", "trunk_sizes_", "safeguard_")
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
        "consistency": [StrOptions({"fixmatch"}), None],
        "consistency_threshold": [Interval(Real, 0, 1, closed="right")],
        "fallback": [StrOptions({"auto", "never"})],
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
            "consistency": None,
            "consistency_threshold": 0.8,
            "fallback": "auto",
            "unlabeled_label": -1,
            "dropout": 0.2,
            # The input of CNNClassifier (body frame with the motion stream): with few labels
            # on the training parts of NATOPS and UTKinect it beat positions as given by 9
            # points and more (benchmarks/select_ssl.py).
            **NETWORK_DEFAULTS,
        }
    )

    @classmethod
    def _complete_older_params(cls, params):
        # Models fitted before the safeguard existed kept the SSL model whatever it scored.
        params.setdefault("fallback", "never")
        # ... and before consistency training, fine-tuned on the labelled recordings alone.
        params.setdefault("consistency", None)
        params.setdefault("consistency_threshold", 0.8)
        if "net_" in params:  # a pickled fitted estimator
            params.setdefault("safeguard_", None)

    @classmethod
    def _complete_older_attributes(cls, attributes, params):
        attributes.setdefault("safeguard_", None)

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
        unlabeled = self._consistency_pool(data, lengths, np.flatnonzero(~labelled))
        self._train(data[labelled], lengths[labelled], y_known, y_codes, resume, weights, unlabeled)
        self.n_pseudo_labeled_ = 0
        if resume:  # a warm start continues net_; the first fit's safeguard_ stays
            return self
        teacher = None
        if not self.interrupted_:  # Ctrl+C in any stage stops the whole fit
            teacher = self._self_train(data, lengths, labelled, y_codes, sample_weight)
        self.safeguard_ = None
        if self.fallback == "auto" and not self.interrupted_:
            self.safeguard_ = self._safeguard(
                data, lengths, labelled, y_codes, sample_weight, teacher
            )
        return self

    def _stage(self):
        return _SSLStage(self.max_epochs, self.freeze_encoder, self.encoder_lr)

    def _consistency_pool(self, data, lengths, rows):
        """``(data, lengths)`` of the unlabelled ``rows`` for consistency training, or None
        when there is none (no copy of the recordings is made then)."""
        if self.consistency is None or len(rows) == 0:
            return None
        return data[rows], lengths[rows]

    def _train(self, data, lengths, y, y_codes, resume, sample_weight=None, unlabeled=None):
        """Fine-tune (from ``net_``'s weights when ``resume``) and keep the model."""
        start = self.net_ if resume else None
        return self._keep(
            self._fine_tune(data, lengths, y, y_codes, start, sample_weight, unlabeled)
        )

    def _fine_tune(self, data, lengths, y, y_codes, start=None, sample_weight=None, unlabeled=None):
        """Train the CNN from the pre-trained trunk, or from ``start``'s weights when given.

        With ``linear_probe_epochs`` (and neither ``start`` nor ``freeze_encoder``), first
        the head alone on the frozen trunk, then the whole network from there. With
        ``consistency`` and ``unlabeled`` (``(data, lengths)`` of unlabelled recordings), the
        whole network's training adds the consistency loss on them. Returns the last
        :class:`~skgesture.estimators._training.Training`: the probe's when Ctrl+C ended it.
        """
        stage = self._stage()
        if self.consistency is not None and unlabeled is not None:
            stage = stage._replace(unlabeled=unlabeled)
        if start is not None or stage.freeze_encoder or not self.linear_probe_epochs:
            return self._fit_network(data, lengths, y, y_codes, stage, start, sample_weight)
        probe = stage._replace(
            max_epochs=self.linear_probe_epochs, freeze_encoder=True, unlabeled=None
        )
        probed = self._fit_network(data, lengths, y, y_codes, probe, None, sample_weight)
        if probed.interrupted:  # Ctrl+C during the probe stops the whole fit
            return probed
        return self._fit_network(data, lengths, y, y_codes, stage, probed.net, sample_weight)

    def _from_scratch(self, data, lengths, y_codes, sample_weight=None):
        """The supervised model: the whole CNN of the same shape from random weights, on
        ``data`` alone, no probe; returns its
        :class:`~skgesture.estimators._training.Training`."""
        stage = self._stage()._replace(freeze_encoder=False, encoder_lr=None, random_start=True)
        return self._fit_network(
            data, lengths, self.classes_[y_codes], y_codes, stage, sample_weight=sample_weight
        )

    def _self_train(self, data, lengths, labelled, y_codes, sample_weight):
        """Self-train the fitted model on the unlabelled recordings of ``data`` and keep it.

        Trains the from-scratch teacher first when ``self_training_teacher`` asks for one.
        ``labelled`` is the boolean mask of ``data``'s labelled recordings, ``y_codes`` their
        classes, ``sample_weight`` (or None) weighs every recording of ``data``. Returns the
        teacher's :class:`~skgesture.estimators._training.Training`, or None when none was
        trained.
        """
        labelled_rows, unlabelled_rows = np.flatnonzero(labelled), np.flatnonzero(~labelled)
        if self.self_training == 0 or len(unlabelled_rows) == 0:
            return None
        teacher = None
        if self.self_training_teacher != "fine-tuned":
            teacher = self._from_scratch(
                data[labelled_rows],
                lengths[labelled_rows],
                y_codes,
                None if sample_weight is None else sample_weight[labelled_rows],
            )
            if teacher.interrupted:  # the fine-tuned model stays, marked as interrupted
                self.interrupted_ = True
                return teacher
        student, n_pseudo = self._self_trained(
            self.net_,
            data,
            lengths,
            labelled_rows,
            unlabelled_rows,
            y_codes,
            sample_weight,
            teacher,
        )
        if student is not None:
            self._keep(student)
            self.n_pseudo_labeled_ = n_pseudo
        return teacher

    def _self_trained(
        self, net, data, lengths, labelled_rows, unlabelled_rows, y_codes, sample_weight, teacher
    ):
        """Pseudo-label confident unlabelled recordings and train again, ``self_training`` times.

        Each round predicts every unlabelled recording with the current model (``net`` first)
        and, for every class, takes the same number of its most confident recordings with a
        top probability of at least ``self_training_threshold`` (as many as the class with the
        fewest has), then trains afresh, from the pre-trained trunk, on the labelled plus
        these pseudo-labelled recordings. Taking classes equally keeps one easy class from
        crowding out the others, which would tilt the next model towards it. ``teacher`` (a
        Training, or None for ``"fine-tuned"``) gives the second opinion. Rows index
        ``data``; ``y_codes`` are the classes of ``labelled_rows``; ``sample_weight`` (or
        None) weighs every recording of ``data``.

        Returns ``(training, n_pseudo_labeled)`` of the last round, ``(None, 0)`` when no
        round found recordings to pseudo-label. A round that Ctrl+C ended is the last.
        """
        second_opinion = None
        if teacher is not None:
            second_opinion = probabilities(self._logits(data[unlabelled_rows], teacher.net))
        student, n_pseudo = None, 0
        for _ in range(self.self_training):
            proba = probabilities(self._logits(data[unlabelled_rows], net))
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
                break
            chosen = np.concatenate(
                [rows[np.argsort(-confidence[rows], kind="stable")[:n_each]] for rows in per_class]
            )
            index = np.concatenate([labelled_rows, unlabelled_rows[chosen]])
            codes = np.concatenate([y_codes, predicted[chosen]])
            student = self._fine_tune(
                data[index],
                lengths[index],
                self.classes_[codes],
                codes,
                sample_weight=None if sample_weight is None else sample_weight[index],
            )
            net, n_pseudo = student.net, len(chosen)
            if student.interrupted:
                break
        return student, n_pseudo

    def _safeguard(self, data, lengths, labelled, y_codes, sample_weight, teacher):
        """Cross-validate the fit against the supervised model on the labelled recordings;
        fall back to the supervised model when it scored higher. Returns ``safeguard_``.

        Every fold repeats what ``fit`` did after pre-training (the pre-trained trunk is
        reused: pre-training never sees a label), on the fold's labelled recordings: the
        fine-tuning and self-training, whose pool stays the unlabelled recordings of ``X``,
        against a CNN of the same shape from random weights (which is also the fold's
        self-training teacher). ``teacher`` is the fit's from-scratch model, reused as the
        fallback when there is one.
        """
        labelled_rows, unlabelled_rows = np.flatnonzero(labelled), np.flatnonzero(~labelled)
        weights = None if sample_weight is None else sample_weight[labelled_rows]
        folds = self._safeguard_folds(y_codes)
        report = {
            "chosen": "ssl",
            "ssl_cv_accuracy": None,
            "supervised_cv_accuracy": None,
            "n_folds": len(folds),
            "n_scored": 0,
            "reason": (
                "fewer than two classes have two labelled recordings: nothing to "
                "cross-validate, kept the SSL model"
            ),
        }
        if not folds:
            return report
        self_trains = self.self_training > 0 and len(unlabelled_rows) > 0
        scored = np.concatenate([test for _, test in folds])
        pool = self._consistency_pool(data, lengths, unlabelled_rows)
        predicted = {"ssl": np.empty(len(y_codes), int), "supervised": np.empty(len(y_codes), int)}
        for train, test in folds:
            rows = labelled_rows[train]
            fold_weights = None if weights is None else weights[train]
            supervised = self._from_scratch(data[rows], lengths[rows], y_codes[train], fold_weights)
            ssl = self._fine_tune(
                data[rows],
                lengths[rows],
                self.classes_[y_codes[train]],
                y_codes[train],
                sample_weight=fold_weights,
                unlabeled=pool,
            )
            if self_trains and not (supervised.interrupted or ssl.interrupted):
                fold_teacher = None if self.self_training_teacher == "fine-tuned" else supervised
                student, _ = self._self_trained(
                    ssl.net,
                    data,
                    lengths,
                    rows,
                    unlabelled_rows,
                    y_codes[train],
                    sample_weight,
                    fold_teacher,
                )
                ssl = ssl if student is None else student
            if supervised.interrupted or ssl.interrupted:
                self.interrupted_ = True
                return {
                    **report,
                    "reason": "Ctrl+C stopped the cross-validation; kept the SSL model",
                }
            held_out = data[labelled_rows[test]]
            for name, training in (("ssl", ssl), ("supervised", supervised)):
                predicted[name][test] = self._logits(held_out, training.net).numpy().argmax(axis=1)
        score_weights = None if weights is None else weights[scored]
        accuracy = {
            name: float(accuracy_score(y_codes[scored], codes[scored], sample_weight=score_weights))
            for name, codes in predicted.items()
        }
        report.update(
            ssl_cv_accuracy=accuracy["ssl"],
            supervised_cv_accuracy=accuracy["supervised"],
            n_scored=len(scored),
            reason="the SSL model scored at least as high in cross-validation",
        )
        if accuracy["supervised"] <= accuracy["ssl"]:
            return report
        if teacher is None:
            teacher = self._from_scratch(
                data[labelled_rows], lengths[labelled_rows], y_codes, weights
            )
        if teacher.interrupted:
            self.interrupted_ = True
            return {**report, "reason": "Ctrl+C stopped the supervised fit; kept the SSL model"}
        self._keep(teacher)
        self.n_pseudo_labeled_ = 0
        return {
            **report,
            "chosen": "supervised",
            "reason": "the supervised model scored higher in cross-validation",
        }

    def _safeguard_folds(self, y_codes):
        """Folds ``[(train, test), ...]`` over the labelled recordings (indices into
        ``y_codes``): stratified, ``min(3, n)`` of them, where ``n`` is the fewest labelled
        recordings a class that has two or more has.

        A recording alone in its class stays on every training side: held out, neither model
        could predict its class, so it would count the same error against both. Without two
        classes of two or more labelled recordings there is nothing to compare: no folds.
        """
        counts = np.bincount(y_codes, minlength=len(self.classes_))
        comparable = counts >= 2
        if comparable.sum() < 2:
            return []
        rows = np.flatnonzero(comparable[y_codes])
        always_train = np.flatnonzero(~comparable[y_codes])
        n_folds = int(min(3, counts[comparable].min()))
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
        return [
            (np.sort(np.concatenate([rows[train], always_train])), rows[test])
            for train, test in splitter.split(rows, y_codes[rows])
        ]

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

    def _stage_net_params(self, stage, augment_seed=0):
        params = {"module__freeze_trunk": stage.freeze_encoder}
        if stage.unlabeled is not None:
            data, lengths = stage.unlabeled
            params["unlabeled"] = UnlabeledViews(
                data,
                lengths,
                self.channel_mean_,
                self.channel_scale_,
                weak=make_augmenter("light"),
                strong=strong_augmenter(self.n_coords_in_),
                batch_size=UNLABELED_BATCH_RATIO * self.batch_size,
                features=self._input_features(),
                seed=augment_seed + 1,
            )
            params["consistency_threshold"] = self.consistency_threshold
        return params

    def _net_class(self, stage):
        return ConsistencyNet if stage.unlabeled is not None else ClassifierNet

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
