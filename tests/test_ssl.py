"""Self-supervised pre-training and semi-supervised classification, used as a user would."""

import pickle

import numpy as np
import pytest
import torch
from _faults import CtrlCAt
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback

from skgesture import CNNClassifier, GradCAMExplainer, SkeletonPadder
from skgesture.model_selection import LabeledStratifiedKFold, labelled_mask
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

# These four noisy joints have no body to centre on: the tests feed the positions as given
# (the defaults' body frame is tested on its own below).
RAW = {"body_frame": False, "streams": ("joint",)}
TINY_TRUNK = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, "n_threads": 1, **RAW}
FAST = {"max_epochs": 15, "lr": 0.01, "n_threads": 1}


def waves(n_samples=48, seed=0):
    """Ragged recordings of 4 joints; in class "wave" joint 2 oscillates vertically."""
    rng = np.random.default_rng(seed)
    labels = np.array(["point", "wave"] * (n_samples // 2))
    X = []
    for label in labels:
        n_frames = int(rng.integers(14, 22))
        recording = rng.normal(scale=0.3, size=(n_frames, 4, 3))
        if label == "wave":
            recording[:, 2, 1] += 2 * np.sin(np.linspace(0, 3 * np.pi, n_frames))
        X.append(recording)
    return X, labels


def hide_labels(labels, n_per_class, unlabeled=-1):
    y = np.array(labels, dtype=object)
    keep = np.zeros(len(y), dtype=bool)
    for label in np.unique(labels):
        keep[np.flatnonzero(labels == label)[:n_per_class]] = True
    y[~keep] = unlabeled
    return y


@pytest.fixture(scope="module")
def data():
    return waves()


@pytest.fixture(scope="module")
def pretrainer(data):
    X, _ = data
    return AutoencoderPretrainer(max_epochs=20, random_state=0, **TINY_TRUNK).fit(X)


# ------------------------------------------------------------------ AutoencoderPretrainer
def test_pretrainer_embeds_each_recording(pretrainer, data):
    X, _ = data
    embeddings = pretrainer.transform(X)
    assert embeddings.shape == (len(X), 8 * 4)  # n_filters x n_joints
    assert np.all(np.isfinite(embeddings))
    assert pretrainer.get_feature_names_out()[0] == "autoencoderpretrainer0"


def test_reconstruction_beats_predicting_the_mean(pretrainer, data):
    X, _ = data
    rebuilt = pretrainer.reconstruct(X)
    assert [r.shape for r in rebuilt] == [r.shape for r in X]  # ragged in, ragged out
    # Predicting every channel's mean costs its mean absolute deviation, about 0.8 standard
    # deviations; the trained autoencoder must do clearly better.
    assert -pretrainer.score(X) < 0.6
    assert np.mean(np.abs(rebuilt[1] - X[1])) < np.mean(np.abs(X[1] - X[1].mean(axis=0)))


def test_pretrainer_is_reproducible_and_picklable(data, pretrainer):
    X, _ = data
    again = clone(pretrainer).fit(X)
    np.testing.assert_array_equal(again.transform(X[:5]), pretrainer.transform(X[:5]))
    restored = pickle.loads(pickle.dumps(pretrainer))
    np.testing.assert_array_equal(restored.transform(X[:5]), pretrainer.transform(X[:5]))


def test_contrastive_pretrainer_learns_without_labels(data):
    X, _ = data
    model = AutoencoderPretrainer(
        objective="contrastive", max_epochs=2, batch_size=16, random_state=0, **TINY_TRUNK
    ).fit(X)
    assert model.transform(X).shape == (len(X), 32)
    assert np.isfinite(model.score(X))
    assert model.score(X) == model.score(X)  # fixed views: the score is repeatable
    with pytest.raises(ValueError, match="reconstruct needs objective='reconstruction' or"):
        model.reconstruct(X)


def test_hybrid_pretrainer_both_rebuilds_and_compares(data):
    X, _ = data
    params = {"objective": "hybrid", "max_epochs": 20, "batch_size": 16, "random_state": 0}
    model = AutoencoderPretrainer(**params, **TINY_TRUNK).fit(X)
    assert model.transform(X).shape == (len(X), 32)
    assert [r.shape for r in model.reconstruct(X)] == [r.shape for r in X]
    assert model.score(X) == model.score(X)  # fixed views and masks: repeatable
    losses = model.history_[:, "train_loss"]
    assert losses[-1] < losses[0]

    # Without the reconstruction term the decoder is never trained.
    untrained = AutoencoderPretrainer(**params, reconstruction_weight=0.0, **TINY_TRUNK).fit(X)

    def error(pretrainer):
        return np.mean([np.abs(r - x).mean() for r, x in zip(pretrainer.reconstruct(X), X)])

    assert error(model) < 0.8 * error(untrained)
    with pytest.raises(ValueError, match="augment cannot be None"):
        AutoencoderPretrainer(objective="hybrid", augment=None, max_epochs=1).fit(X)


def test_contrastive_needs_augmentation(data):
    X, _ = data
    model = AutoencoderPretrainer(objective="contrastive", augment=None, max_epochs=1)
    with pytest.raises(ValueError, match="augment cannot be None"):
        model.fit(X)
    assert not hasattr(model, "net_")


def test_pretrainer_refuses_other_joints(pretrainer):
    with pytest.raises(ValueError, match="fitted on recordings of 4 joints"):
        pretrainer.transform(np.ones((2, 10, 5, 3)))


# ------------------------------------------------------------------------- SSLClassifier
@pytest.fixture(scope="module")
def ssl_model(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 6)
    return SSLClassifier(**RAW, pretrainer=FrozenEstimator(pretrainer), random_state=0, **FAST).fit(
        X, y
    )


def test_ssl_learns_from_few_labels(ssl_model, data):
    X, labels = data
    assert ssl_model.n_labeled_ == 12
    assert list(ssl_model.classes_) == ["point", "wave"]
    assert ssl_model.score(X, labels) > 0.9
    assert ssl_model.predict_proba(X[:3]).shape == (3, 2)


def test_ssl_starts_from_the_pretrained_trunk(data, pretrainer):
    X, labels = data
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        freeze_encoder=True,
        fallback="never",  # the safeguard may keep a CNN from random weights instead
        random_state=0,
        **FAST,
    ).fit(X, hide_labels(labels, 6))
    trunk = pretrainer.net_.module_.encoder.state_dict()
    fine_tuned = model.net_.module_.state_dict()
    for name, value in trunk.items():  # weights and normalisation statistics untouched
        np.testing.assert_array_equal(fine_tuned[name].numpy(), value.numpy(), err_msg=name)
    assert pretrainer.n_iter_ == 20  # a frozen pretrainer is used, not trained again


def test_encoder_lr_sets_a_learning_rate_for_the_trunk(data, pretrainer):
    X, labels = data
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        encoder_lr=1e-4,
        lr_schedule="constant",
        max_epochs=2,
        random_state=0,
        n_threads=1,
    ).fit(X, hide_labels(labels, 6))
    rates = sorted({group["lr"] for group in model.net_.optimizer_.param_groups})
    assert rates == [1e-4, model.lr]


def test_linear_probe_then_fine_tune_is_a_probe_continued_by_a_fine_tune(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 6)
    params = {
        "pretrainer": FrozenEstimator(pretrainer),
        "self_training": 0,
        "random_state": 0,
        **FAST,
        **RAW,
    }
    lp_ft = SSLClassifier(linear_probe_epochs=4, **params).fit(X, y)
    assert (lp_ft.max_epochs, lp_ft.freeze_encoder) == (15, False)  # parameters untouched

    # The same by hand: a frozen-trunk probe, then warm-started full fine-tuning.
    by_hand = SSLClassifier(freeze_encoder=True, **{**params, "max_epochs": 4}).fit(X, y)
    by_hand.set_params(freeze_encoder=False, max_epochs=15, warm_start=True).fit(X, y)
    np.testing.assert_allclose(lp_ft.predict_proba(X), by_hand.predict_proba(X), atol=1e-6)
    plain = SSLClassifier(linear_probe_epochs=0, **params).fit(X, y)
    assert not np.allclose(lp_ft.predict_proba(X), plain.predict_proba(X), atol=1e-4)
    assert lp_ft.n_iter_ == 15


def test_linear_probe_leaves_parameters_as_they_were_when_training_fails(data, pretrainer):
    X, labels = data
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        linear_probe_epochs=3,
        max_epochs=5,
        callbacks=[("fail", _FailOnFirstEpoch())],
        n_threads=1,
    )
    with pytest.raises(RuntimeError, match="planned failure"):
        model.fit(X, hide_labels(labels, 6))
    assert (model.max_epochs, model.freeze_encoder) == (5, False)
    with pytest.raises(ValueError, match="linear_probe_epochs"):
        SSLClassifier(linear_probe_epochs=-1).fit(X, hide_labels(labels, 6))


def test_ctrl_c_during_the_linear_probe_stops_the_fit(data, pretrainer):
    X, labels = data
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        linear_probe_epochs=4,
        max_epochs=6,
        callbacks=[("ctrl_c", CtrlCAt(epoch=3))],
        n_threads=1,
    )
    with pytest.warns(UserWarning, match="interrupted during epoch 3 of 4"):
        model.fit(X, hide_labels(labels, 6))
    assert model.interrupted_ and model.n_iter_ == 3
    assert model.predict(X[:2]).shape == (2,)


class _FailOnFirstEpoch(Callback):
    def on_epoch_end(self, net, **kwargs):
        raise RuntimeError("planned failure")


def test_ssl_pretrains_itself_and_leaves_its_parameter_alone(data):
    X, labels = data
    template = AutoencoderPretrainer(max_epochs=2, random_state=0, **TINY_TRUNK)
    model = SSLClassifier(**RAW, pretrainer=template, max_epochs=2, random_state=0, n_threads=1)
    model.fit(X, hide_labels(labels, 6))
    assert not hasattr(template, "net_")  # cloned, not fitted in place
    assert model.pretrainer_.n_iter_ == 2
    default = SSLClassifier(pretrain_epochs=1, max_epochs=1, random_state=0, n_threads=1)
    default.fit(X[:10], hide_labels(labels[:10], 2))
    assert default.pretrainer_.objective == "contrastive"


def test_string_labels_with_a_string_marker(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 6, unlabeled="?").astype(str)
    model = SSLClassifier(
        **RAW, pretrainer=FrozenEstimator(pretrainer), unlabeled_label="?", random_state=0, **FAST
    ).fit(X, y)
    assert model.n_labeled_ == 12
    assert list(model.classes_) == ["point", "wave"]
    assert 0 <= model.score(X, y) <= 1  # "?" recordings are left out of the score


def test_score_ignores_unlabelled_recordings(ssl_model, data):
    X, labels = data
    y = hide_labels(labels, 6)
    expected = np.mean(ssl_model.predict(X[:12]) == labels[:12].astype(object))
    labelled = labelled_mask(y)
    assert ssl_model.score(X, y) == pytest.approx(
        np.mean(ssl_model.predict(X)[labelled] == y[labelled])
    )
    assert 0 <= expected <= 1


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.full(48, -1), "y holds no labelled recording"),
        (np.array(["wave"] * 4 + [-1] * 44, dtype=object), "only one class"),
    ],
)
def test_ssl_refuses_too_few_labels(data, pretrainer, y, message):
    X, _ = data
    model = SSLClassifier(**RAW, pretrainer=FrozenEstimator(pretrainer), max_epochs=1)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)
    assert not hasattr(model, "net_")


def test_ssl_refuses_a_pretrainer_of_another_skeleton(data):
    X, labels = data
    other = AutoencoderPretrainer(max_epochs=1, random_state=0, **TINY_TRUNK)
    other.fit(np.random.default_rng(0).normal(size=(6, 12, 5, 3)))
    model = SSLClassifier(**RAW, pretrainer=FrozenEstimator(other), max_epochs=1)
    with pytest.raises(ValueError, match="pretrainer was fitted on recordings of 5 joints"):
        model.fit(X, hide_labels(labels, 6))


def test_ssl_model_is_explained_like_a_cnn(ssl_model, data):
    X, _ = data
    explanation = GradCAMExplainer(ssl_model).fit().explain(X[:3])
    longest = max(len(recording) for recording in X[:3])
    assert explanation.heatmaps.shape == (3, longest, 4)
    assert explanation.joint_importance.shape == (3, 4)


def test_ssl_is_reproducible_and_picklable(ssl_model, data, pretrainer):
    X, labels = data
    again = clone(ssl_model).fit(X, hide_labels(labels, 6))
    np.testing.assert_array_equal(again.predict_proba(X), ssl_model.predict_proba(X))
    restored = pickle.loads(pickle.dumps(ssl_model))
    np.testing.assert_array_equal(restored.predict_proba(X), ssl_model.predict_proba(X))


def test_ssl_in_a_pipeline_with_cross_validation(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 6)
    model = Pipeline(
        [
            ("pad", SkeletonPadder()),
            (
                "clf",
                SSLClassifier(
                    **RAW, pretrainer=FrozenEstimator(pretrainer), random_state=0, **FAST
                ),
            ),
        ]
    )
    cv = LabeledStratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(model, X, y, cv=cv, error_score="raise")
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))
    search = GridSearchCV(model, {"clf__freeze_encoder": [True, False]}, cv=cv)
    search.fit(X, y)
    assert search.best_params_["clf__freeze_encoder"] in (True, False)


# --------------------------------------------------------------- LabeledStratifiedKFold
def test_unlabelled_recordings_always_train():
    y = np.array(["a", "b"] * 10 + [-1] * 7, dtype=object)
    folds = list(LabeledStratifiedKFold(n_splits=5).split(np.zeros(len(y)), y))
    unlabelled = set(range(20, 27))
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested) == list(range(20))  # each labelled recording tested once
    for train, test in folds:
        assert unlabelled <= set(train)
        assert not unlabelled & set(test)
        assert sorted(y[test]) == ["a", "a", "b", "b"]  # stratified


def test_groups_stay_on_one_side():
    y = np.array([0, 1] * 12 + [-1] * 4)
    groups = np.repeat(np.arange(7), 4)
    for train, test in LabeledStratifiedKFold(n_splits=3).split(np.zeros(28), y, groups):
        labelled_train = [i for i in train if y[i] != -1]
        assert not set(groups[labelled_train]) & set(groups[test])


def test_splitter_errors_name_the_problem():
    with pytest.raises(ValueError, match="need at least 5 labelled recordings; y has 3"):
        list(LabeledStratifiedKFold().split(np.zeros(6), [0, 1, 0, -1, -1, -1]))
    with pytest.raises(ValueError, match="X has 2 recordings but y has 3"):
        list(LabeledStratifiedKFold(n_splits=2).split(np.zeros(2), [0, 1, 0]))
    with pytest.raises(ValueError, match="needs y"):
        list(LabeledStratifiedKFold(n_splits=2).split(np.zeros(2), None))


def test_labelled_mask_never_mixes_strings_and_numbers():
    assert labelled_mask(np.array(["-1", "a"])).tolist() == [True, True]
    assert labelled_mask(np.array([1.0, -1.0])).tolist() == [True, False]
    assert labelled_mask(np.array(["?", "a"]), "?").tolist() == [False, True]
    assert labelled_mask(np.array([3, -1]), "?").tolist() == [True, True]


def test_ssl_model_saves_without_pickle(ssl_model, data, tmp_path):
    X, labels = data
    model = SSLClassifier(pretrain_epochs=2, max_epochs=2, random_state=0, n_threads=1)
    model.fit(X, hide_labels(labels, 6))
    model.save(tmp_path / "ssl.npz")
    restored = SSLClassifier.load(tmp_path / "ssl.npz")
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    # The default pretrainer's trunk is the supervised CNN's default trunk (issue 20).
    assert restored.n_labeled_ == 12
    assert restored.trunk_sizes_["n_filters"] == CNNClassifier().n_filters
    np.testing.assert_array_equal(restored.pretrainer_.transform(X), model.pretrainer_.transform(X))
    # A pretrainer given as a parameter (here a FrozenEstimator around one) is saved too.
    ssl_model.save(tmp_path / "other.npz")
    other = SSLClassifier.load(tmp_path / "other.npz")
    np.testing.assert_array_equal(other.predict_proba(X), ssl_model.predict_proba(X))


def test_self_training_pseudo_labels_confident_recordings(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 6)
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        self_training=1,
        self_training_threshold=0.6,
        random_state=0,
        **FAST,
    ).fit(X, y)
    assert 0 < model.n_pseudo_labeled_ <= 36
    assert model.n_pseudo_labeled_ % 2 == 0  # as many of each class
    assert model.n_labeled_ == 12
    assert model.score(X, labels) > 0.9
    never = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        self_training=3,
        self_training_threshold=1.0,  # nothing is that sure after label smoothing
        random_state=0,
        **FAST,
    ).fit(X, y)
    assert never.n_pseudo_labeled_ == 0


_TRAININGS = []  # (labels seen, trunk starts as pre-trained) of every training, in order


class _RecordTrainings(Callback):
    def __init__(self, trunk_name, trunk_value):
        self.trunk_name = trunk_name
        self.trunk_value = trunk_value

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        start = net.module_.state_dict()[self.trunk_name].cpu().numpy()
        _TRAININGS.append((len(y), bool(np.array_equal(start, self.trunk_value))))


@pytest.mark.parametrize("teacher", ["agreement", "average", "fine-tuned"])
def test_self_training_teacher(data, pretrainer, teacher):
    X, labels = data
    name, value = next(iter(pretrainer.net_.module_.encoder.state_dict().items()))
    _TRAININGS.clear()
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        self_training_teacher=teacher,
        self_training_threshold=0.6,
        fallback="never",  # the safeguard's cross-validation would add trainings
        callbacks=[("record", _RecordTrainings(name, value.numpy()))],
        random_state=0,
        **FAST,
    ).fit(X, hide_labels(labels, 6))
    n = 12 + model.n_pseudo_labeled_
    assert model.n_pseudo_labeled_ > 0
    if teacher != "fine-tuned":
        # probe, fine-tune, a CNN from random weights on the 12 labelled, then the student
        assert _TRAININGS == [(12, True), (12, True), (12, False), (n, True), (n, True)]
    else:
        assert _TRAININGS == [(12, True), (12, True), (n, True), (n, True)]
    assert model.n_iter_ == len(model.history_) and model.score(X, labels) > 0.9
    assert model.get_params()["linear_probe_epochs"] == 30  # the scratch fit's stage, not a param


def test_agreement_pseudo_labels_a_subset_of_what_the_fine_tuned_model_would(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 6)
    n_pseudo = {
        teacher: SSLClassifier(
            **RAW,
            pretrainer=FrozenEstimator(pretrainer),
            self_training_teacher=teacher,
            self_training_threshold=0.6,
            random_state=0,
            **FAST,
        )
        .fit(X, y)
        .n_pseudo_labeled_
        for teacher in ("agreement", "fine-tuned")
    }
    # Both must be sure of a class, so each class keeps at most what the fine-tuned model had.
    assert 0 < n_pseudo["agreement"] <= n_pseudo["fine-tuned"]


def test_self_training_teacher_is_validated(data):
    X, labels = data
    with pytest.raises(ValueError, match="self_training_teacher"):
        SSLClassifier(self_training_teacher="oracle").fit(X, hide_labels(labels, 6))


class _CtrlCInTraining(Callback):
    """Ctrl+C in the first batch of the ``n``-th training the fit starts (1 = the first);
    ``started`` is a function shared by every copy of the callback that counts the starts."""

    def __init__(self, started, n):
        self.started = started
        self.n = n

    def on_train_begin(self, net, **kwargs):
        self.number_ = self.started()

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.number_ == self.n:
            raise KeyboardInterrupt


def _start_counter():
    count = {"n": 0}

    def started():
        count["n"] += 1
        return count["n"]

    return started, count


def test_ctrl_c_during_pretraining_stops_the_fit_and_keeps_nothing(data):
    X, labels = data
    interrupted = AutoencoderPretrainer(max_epochs=5, callbacks=[CtrlCAt(epoch=2)], **TINY_TRUNK)
    model = SSLClassifier(**RAW, pretrainer=interrupted, max_epochs=3, n_threads=1)
    with pytest.raises(KeyboardInterrupt), pytest.warns(UserWarning, match="interrupted"):
        model.fit(X, hide_labels(labels, 6))
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize(
    "stop_at, trainings",
    [
        pytest.param(2, 2, id="fine-tuning"),
        pytest.param(3, 3, id="from-scratch teacher"),
        pytest.param(4, 4, id="first self-training round"),
    ],
)
def test_ctrl_c_in_any_stage_stops_every_later_one(data, pretrainer, stop_at, trainings):
    X, labels = data
    started, count = _start_counter()
    model = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        linear_probe_epochs=2,
        max_epochs=3,
        self_training=2,
        self_training_threshold=0.01,
        callbacks=[("ctrl_c", _CtrlCInTraining(started, stop_at))],
        random_state=0,
        n_threads=1,
    )
    with pytest.warns(UserWarning, match="interrupted"):
        model.fit(X, hide_labels(labels, 6))
    assert model.interrupted_
    assert count["n"] == trainings  # probe, fine-tune, from scratch, rounds
    assert model.predict(X[:2]).shape == (2,)


# ------------------------------------------------------------------------------- safeguard
@pytest.fixture(scope="module")
def useless_pretrainer(data):
    """A pretrainer whose trunk learned nothing: every weight zero, so it sees no movement."""
    X, _ = data
    pretrainer = AutoencoderPretrainer(max_epochs=1, random_state=0, **TINY_TRUNK).fit(X)
    with torch.no_grad():
        for weight in pretrainer.net_.module_.encoder.parameters():
            weight.zero_()
    return pretrainer


def useless_ssl(pretrainer, **params):
    """A linear probe on ``pretrainer``'s frozen trunk, without self-training."""
    return SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        freeze_encoder=True,
        self_training=0,
        random_state=0,
        **FAST,
        **params,
    )


@pytest.fixture(scope="module")
def fallen_back(data, useless_pretrainer):
    X, labels = data
    return useless_ssl(useless_pretrainer).fit(X, hide_labels(labels, 6))


def test_safeguard_falls_back_when_pretraining_learned_nothing(fallen_back, data):
    X, labels = data
    report = fallen_back.safeguard_
    # A probe on a trunk of zeros predicts one class for every recording: half right.
    assert report["ssl_cv_accuracy"] == 0.5
    assert report["supervised_cv_accuracy"] > 0.75
    assert report["chosen"] == "supervised"
    assert (report["n_folds"], report["n_scored"]) == (3, 12)  # 6 labelled per class
    # The model that predicts is the CNN trained from random weights: its trunk moved.
    trunk = fallen_back.net_.module_.state_dict()["stem.conv.weight"]
    assert torch.count_nonzero(trunk) > 0
    assert fallen_back.score(X, labels) > 0.75
    assert fallen_back.n_pseudo_labeled_ == 0


def test_fallback_never_keeps_the_ssl_model(data, useless_pretrainer):
    X, labels = data
    model = useless_ssl(useless_pretrainer, fallback="never").fit(X, hide_labels(labels, 6))
    assert model.safeguard_ is None
    assert torch.count_nonzero(model.net_.module_.state_dict()["stem.conv.weight"]) == 0
    assert model.score(X, labels) == 0.5


def test_safeguard_keeps_the_ssl_model_when_it_scores_as_well(ssl_model):
    report = ssl_model.safeguard_
    assert report["chosen"] == "ssl"
    assert report["ssl_cv_accuracy"] >= report["supervised_cv_accuracy"]
    assert (report["n_folds"], report["n_scored"]) == (3, 12)


def test_safeguard_compares_nothing_with_one_label_per_class(data, useless_pretrainer):
    X, labels = data
    model = useless_ssl(useless_pretrainer).fit(X, hide_labels(labels, 1))
    assert model.safeguard_["n_folds"] == 0
    assert model.safeguard_["ssl_cv_accuracy"] is None
    assert model.safeguard_["chosen"] == "ssl"
    assert "fewer than two classes" in model.safeguard_["reason"]


def test_fallback_is_validated(data):
    X, labels = data
    with pytest.raises(ValueError, match="'fallback' parameter"):
        SSLClassifier(fallback="always").fit(X, hide_labels(labels, 6))


def test_fallen_back_model_saves_pickles_and_explains(fallen_back, data, tmp_path):
    X, _ = data
    fallen_back.save(tmp_path / "fallen_back.npz")
    restored = SSLClassifier.load(tmp_path / "fallen_back.npz")
    np.testing.assert_array_equal(restored.predict_proba(X), fallen_back.predict_proba(X))
    assert restored.safeguard_ == fallen_back.safeguard_
    unpickled = pickle.loads(pickle.dumps(fallen_back))
    np.testing.assert_array_equal(unpickled.predict_proba(X), fallen_back.predict_proba(X))
    assert unpickled.safeguard_ == fallen_back.safeguard_
    explanation = GradCAMExplainer(fallen_back).fit().explain(X[:2])
    assert explanation.joint_importance.shape == (2, 4)


# ------------------------------------------------------------------ consistency (FixMatch)
def fixmatch(pretrainer, **params):
    settings = {
        "consistency": "fixmatch",
        "consistency_threshold": 0.6,
        "self_training": 0,
        "fallback": "never",
        "random_state": 0,
        **FAST,
    }
    return SSLClassifier(**RAW, pretrainer=FrozenEstimator(pretrainer), **{**settings, **params})


def test_fixmatch_learns_from_unlabelled_recordings(data, pretrainer):
    X, labels = data
    y = hide_labels(labels, 3)
    model = fixmatch(pretrainer).fit(X, y)
    rates = [batch["pseudo_label_rate"] for epoch in model.history_ for batch in epoch["batches"]]
    assert len(rates) == FAST["max_epochs"]  # one labelled batch per epoch, each with its rate
    assert 0 <= min(rates) and max(rates) > 0  # some unlabelled recordings became targets
    assert model.score(X, labels) > 0.9
    plain = SSLClassifier(
        **RAW,
        pretrainer=FrozenEstimator(pretrainer),
        self_training=0,
        fallback="never",
        random_state=0,
        **FAST,
    ).fit(X, y)
    assert "pseudo_label_rate" not in plain.history_[-1, "batches"][0]
    assert not np.allclose(model.predict_proba(X), plain.predict_proba(X))


def test_fixmatch_is_reproducible_and_saves(data, pretrainer, tmp_path):
    X, labels = data
    y = hide_labels(labels, 3)
    first = fixmatch(pretrainer, max_epochs=4).fit(X, y)
    assert first.net_.unlabeled is None  # the fitted model keeps no unlabelled recordings
    again = fixmatch(pretrainer, max_epochs=4).fit(X, y)
    np.testing.assert_allclose(first.predict_proba(X), again.predict_proba(X), rtol=1e-5)
    first.save(tmp_path / "fixmatch.npz")
    restored = SSLClassifier.load(tmp_path / "fixmatch.npz")
    assert restored.consistency == "fixmatch"
    np.testing.assert_array_equal(restored.predict_proba(X), first.predict_proba(X))
    unpickled = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(unpickled.predict_proba(X), first.predict_proba(X))


def test_fixmatch_without_unlabelled_recordings_trains_on_the_labels(data, pretrainer):
    X, labels = data
    model = fixmatch(pretrainer, max_epochs=3).fit(X, labels)
    assert "pseudo_label_rate" not in model.history_[-1, "batches"][0]


def test_a_threshold_nothing_reaches_leaves_only_the_labelled_loss(data, pretrainer):
    X, labels = data
    model = fixmatch(pretrainer, max_epochs=3, consistency_threshold=1.0).fit(
        X, hide_labels(labels, 3)
    )
    rates = [batch["pseudo_label_rate"] for epoch in model.history_ for batch in epoch["batches"]]
    assert rates and max(rates) == 0  # label smoothing keeps every probability below 1


@pytest.mark.parametrize(
    "params, message",
    [
        ({"consistency": "mixmatch"}, "'consistency' parameter"),
        ({"consistency_threshold": 0.0}, "'consistency_threshold' parameter"),
        ({"consistency_threshold": 1.5}, "'consistency_threshold' parameter"),
    ],
)
def test_consistency_parameters_are_validated(data, params, message):
    X, labels = data
    with pytest.raises(ValueError, match=message):
        SSLClassifier(**params).fit(X, hide_labels(labels, 6))


def test_pretraining_and_fine_tuning_see_the_cnns_input_by_default(data):
    X, labels = data
    cnn = CNNClassifier()
    model = SSLClassifier(pretrain_epochs=1, max_epochs=1, random_state=0, n_threads=1)
    assert (model.body_frame, model.streams) == (cnn.body_frame, cnn.streams)
    pretrainer = AutoencoderPretrainer()
    assert (pretrainer.body_frame, pretrainer.streams) == (cnn.body_frame, cnn.streams)
    model.fit(X, hide_labels(labels, 6))
    assert model.body_frame_ and model.streams_ == ("joint", "motion")
    assert model.pretrainer_.body_frame_ and model.n_coords_in_ == 3


def test_the_safeguard_repeats_consistency_training_in_its_folds(data, pretrainer, monkeypatch):
    from skgesture.estimators._consistency import ConsistencyNet

    X, labels = data
    trained = []
    original = ConsistencyNet.partial_fit

    def count(net, *args, **kwargs):
        trained.append(net.unlabeled is not None)
        return original(net, *args, **kwargs)

    monkeypatch.setattr(ConsistencyNet, "partial_fit", count)
    model = fixmatch(pretrainer, fallback="auto", max_epochs=3).fit(X, hide_labels(labels, 3))
    assert trained == [True] * 4  # the fit's fine-tuning, then one per fold
    assert model.safeguard_["n_folds"] == 3 and model.safeguard_["n_scored"] == 6
    assert model.safeguard_["chosen"] in ("ssl", "supervised")
