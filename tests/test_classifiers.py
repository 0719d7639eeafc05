"""FCClassifier, CNNClassifier and LSTMClassifier used the way a user would use them."""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from _tiny import TINY_CNN, TINY_FC, TINY_LSTM, gestures, tiny_estimators
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils import compute_class_weight
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder
from skgesture._features import skeleton_features
from skgesture._standardize import channel_statistics, standardize


def ragged(X, seed=0):
    """The recordings of X cut to random lengths, as a list."""
    rng = np.random.default_rng(seed)
    return [recording[: rng.integers(3, len(recording) + 1)] for recording in X]


# ------------------------------------------------------------------------------ input layouts
@pytest.mark.parametrize("estimator", tiny_estimators(), ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("layout", ["list", "4d", "3d", "2d"])
def test_every_layout_of_the_data_conventions_is_accepted(estimator, layout):
    X, y = gestures()
    X = {
        "list": ragged(X),
        "4d": X,
        "3d": X.reshape(len(X), 12, -1),
        "2d": X[:, :, 1, 0],
    }[layout]
    estimator.fit(X, y)
    expected = {"list": (4, 3, 12), "4d": (4, 3, 12), "3d": (12, 1, 12), "2d": (1, 1, 12)}
    assert (estimator.n_joints_in_, estimator.n_coords_in_, estimator.n_features_in_) == expected[
        layout
    ]
    assert estimator.predict(X).shape == (20,)
    assert estimator.predict_proba(X).shape == (20, 2)


@pytest.mark.parametrize(
    "estimator", [CNNClassifier(**TINY_CNN), LSTMClassifier(**TINY_LSTM)], ids=["cnn", "lstm"]
)
def test_cnn_and_lstm_predict_recordings_of_any_length(estimator):
    X, y = gestures(n_frames=12)
    estimator.fit(X, y)
    longer, _ = gestures(n_frames=30, seed=1)
    assert estimator.predict(longer).shape == (20,)
    assert estimator.predict([longer[0][:1], longer[1]]).shape == (2,)


@pytest.mark.parametrize(
    "estimator",
    [
        CNNClassifier(**TINY_CNN),
        CNNClassifier(architecture="temporal", **TINY_CNN),
        CNNClassifier(architecture="hybrid", **TINY_CNN),
        LSTMClassifier(**TINY_LSTM),
    ],  # fmt: skip
    ids=["joint", "temporal", "hybrid", "lstm"],
)
def test_a_recording_gets_the_same_probabilities_whatever_it_is_batched_with(estimator):
    X, y = gestures()
    estimator.fit(ragged(X), y)
    short, long = X[0][:4], X[15]
    alone = estimator.predict_proba([short])
    together = estimator.predict_proba([short, long])
    np.testing.assert_allclose(alone[0], together[0], rtol=1e-5, atol=1e-6)


def test_fc_pads_short_recordings_and_warns_when_it_crops_long_ones():
    X, y = gestures(n_frames=12)
    fc = FCClassifier(**TINY_FC).fit(X, y)
    assert fc.n_frames_ == 12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fc.predict(X[:, :5])
    with pytest.warns(UserWarning, match="up to 20 frames but FCClassifier was fitted on 12"):
        fc.predict(np.concatenate([X, X[:, :8]], axis=1))


def test_n_frames_is_the_longest_real_recording_or_the_width_a_fixed_length_network_is_given():
    X, y = gestures(n_frames=12)
    padded = np.concatenate([X, np.zeros_like(X)], axis=1)  # 12 more frames of padding
    assert CNNClassifier(**TINY_CNN).fit(padded, y).n_frames_ == 12
    # The FC network takes the width it is given (as from SkeletonPadder(max_frames=24)).
    assert FCClassifier(**TINY_FC).fit(padded, y).n_frames_ == 24
    as_list = [recording[:12] for recording in padded]  # a list: its longest recording
    assert FCClassifier(**TINY_FC).fit(as_list, y).n_frames_ == 12


# ------------------------------------------------------------------------------- bad inputs
def test_recordings_with_another_skeleton_are_refused_at_predict():
    X, y = gestures(n_joints=4)
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    other, _ = gestures(n_joints=5)
    with pytest.raises(ValueError, match=r"5 joints x 3 coordinates .* fitted on .* 4 joints x 3"):
        clf.predict(other)


def test_a_single_recording_passed_as_a_3d_array_is_refused_with_a_hint():
    X, y = gestures()
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    with pytest.raises(ValueError, match=r"looks like one recording.*X\[np.newaxis\]"):
        clf.predict(X[0])
    assert clf.predict(X[0][np.newaxis]).shape == (1,)
    assert clf.predict([X[0]]).shape == (1,)


def test_flattened_frames_get_a_reshape_hint():
    X, y = gestures()
    clf = LSTMClassifier(**TINY_LSTM).fit(X, y)
    with pytest.raises(ValueError, match=r"12 joints x 1 coordinates.*Reshape it to"):
        clf.predict(X.reshape(20, 12, 12))


def test_2d_input_follows_scikit_learn_and_checks_the_number_of_columns():
    X, y = gestures()
    X = X[:, :, 1, 0]
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    assert clf.n_features_in_ == 12
    with pytest.raises(ValueError, match="X has 10 features, but CNNClassifier is expecting 12"):
        clf.predict(X[:, :10])


def test_a_single_class_is_refused():
    X, y = gestures()
    with pytest.raises(ValueError, match="only one class is present: y holds only 'up'"):
        CNNClassifier(**TINY_CNN).fit(X[:10], y[:10])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": -0.1}, "'lr' parameter of CNNClassifier must be a float in the range"),
        ({"max_epochs": 0}, "'max_epochs' parameter"),
        ({"device": "tpu"}, "'device' parameter"),
        ({"architecture": "resnet"}, "'architecture' parameter"),
        ({"early_stopping": "sometimes"}, "'early_stopping' parameter"),
        ({"optimizer": "rmsprop"}, "'optimizer' parameter"),
    ],
)
def test_invalid_parameters_are_refused_before_any_work(params, message, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("data were validated before the parameters")

    monkeypatch.setattr("skgesture.estimators._base.check_dataset", fail)
    with pytest.raises(ValueError, match=message):
        CNNClassifier(**params).fit(*gestures())


def test_hidden_sizes_must_be_positive_integers():
    with pytest.raises(ValueError, match=r"hidden_sizes must hold positive integers; got \(8, 0\)"):
        FCClassifier(hidden_sizes=(8, 0)).fit(*gestures())


def test_cuda_without_a_gpu_is_refused_clearly():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="device='cuda' but torch finds no CUDA device"):
        CNNClassifier(device="cuda", **TINY_CNN).fit(*gestures())
    assert CNNClassifier(device="auto", **TINY_CNN).fit(*gestures()).net_.device == "cpu"


# ---------------------------------------------------------------------------------- labels
@pytest.mark.parametrize("labels", [("down", "up", "wave"), (-1, 0, 7)], ids=["str", "int"])
def test_labels_of_any_type_come_back_from_classes(labels):
    X, y = gestures(labels=labels)
    clf = CNNClassifier(**{**TINY_CNN, "n_filters": 8, "max_epochs": 15, "lr": 0.03}).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(y))
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, y) > 0.9


# -------------------------------------------------------------------------- standardisation
def test_standardisation_is_learned_on_real_frames_only():
    data = np.zeros((2, 4, 1, 2), dtype=np.float32)
    data[0, :4, 0] = [[1, 5], [3, 5], [1, 5], [3, 5]]
    data[1, :2, 0] = [[1, 5], [3, 5]]  # then two frames of padding
    lengths = np.array([4, 2])
    mean, scale = channel_statistics(data, lengths)
    np.testing.assert_allclose(mean, [[2.0, 5.0]])
    np.testing.assert_allclose(scale, [[1.0, 1.0]])  # the constant channel keeps scale 1
    result = standardize(data, lengths, mean, scale)
    np.testing.assert_allclose(result[1, :2, 0], [[-1, 0], [1, 0]])
    assert np.all(result[1, 2:] == 0)


def test_the_estimators_standardise_with_statistics_from_ragged_training_data():
    X, y = gestures()
    recordings = [recording + 100.0 for recording in ragged(X)]
    # Positions as given, so that the statistics are those of the recordings themselves.
    clf = CNNClassifier(**TINY_CNN, body_frame=False, streams=("joint",)).fit(recordings, y)
    expected = np.concatenate(recordings).mean(axis=0)
    np.testing.assert_allclose(clf.channel_mean_, expected, rtol=1e-5)
    np.testing.assert_allclose(
        clf.channel_scale_, np.concatenate(recordings).std(axis=0), rtol=1e-3
    )


# ------------------------------------------------------------------------- reproducibility
@pytest.mark.parametrize("estimator", tiny_estimators(), ids=lambda e: type(e).__name__)
def test_same_random_state_same_predictions_and_global_rng_untouched(estimator):
    X, y = gestures()
    state = torch.get_rng_state()
    first = clone(estimator).fit(X, y).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)
    second = clone(estimator).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)


def test_random_state_none_gives_different_networks():
    X, y = gestures()
    estimator = CNNClassifier(**{**TINY_CNN, "random_state": None})
    first = clone(estimator).fit(X, y).predict_proba(X)
    second = clone(estimator).fit(X, y).predict_proba(X)
    assert not np.allclose(first, second)


# -------------------------------------------------------------------------- degenerate data
@pytest.mark.parametrize("estimator", tiny_estimators(), ids=lambda e: type(e).__name__)
def test_one_frame_one_joint_and_batches_of_one_work(estimator):
    X, y = gestures(n_per_class=3, n_frames=1, n_joints=1, n_coords=1)
    estimator.set_params(batch_size=4)  # 6 recordings: the last batch holds 2, then ...
    estimator.fit(X, y)
    estimator.set_params(batch_size=1)  # ... every batch holds one value per channel
    estimator.fit(X, y)
    assert estimator.predict(X[:1]).shape == (1,)
    estimator.fit(X[[0, 5]], y[[0, 5]])  # one recording per class
    assert estimator.predict_proba(X).shape == (6, 2)


# ------------------------------------------------------------------------- early stopping
def test_early_stopping_auto_is_off_for_small_data_sets():
    clf = CNNClassifier(**TINY_CNN).fit(*gestures())
    assert not clf.early_stopping_
    assert "valid_loss" not in clf.history_[-1]


def test_early_stopping_stops_when_the_validation_loss_stops_improving(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    X, y = gestures(n_per_class=30)
    y = np.random.default_rng(0).permutation(y)  # nothing to learn: validation loss rises
    clf = CNNClassifier(
        early_stopping=True, patience=2, **{**TINY_CNN, "max_epochs": 40, "lr": 0.05}
    ).fit(X, y)
    assert clf.early_stopping_
    assert clf.n_iter_ < 40
    losses = clf.history_[:, "valid_loss"]
    best = int(np.argmin(losses)) + 1
    # patience epochs after the best one, but never before 2 x patience epochs.
    assert clf.history_[-1, "epoch"] == max(best + 2, 4)
    assert list(tmp_path.iterdir()) == []  # best weights are kept in memory, not in files


def test_early_stopping_waits_two_patiences_before_stopping():
    X, y = gestures(n_per_class=30)
    y = np.random.default_rng(0).permutation(y)
    clf = CNNClassifier(
        early_stopping=True, patience=5, **{**TINY_CNN, "max_epochs": 40, "lr": 0.05}
    ).fit(X, y)
    assert clf.n_iter_ >= 10


def test_early_stopping_needs_enough_recordings_of_every_class():
    X, y = gestures(n_per_class=10)
    with pytest.raises(ValueError, match="early_stopping=True holds out validation_fraction"):
        CNNClassifier(early_stopping=True, **TINY_CNN).fit(X[:11], y[:11])


# ------------------------------------------------------------------- training options
def test_class_weight_reaches_the_loss():
    X, y = gestures()
    X, y = X[:14], y[:14]  # 10 "up", 4 "down"
    clf = CNNClassifier(class_weight="balanced", **TINY_CNN).fit(X, y)
    expected = compute_class_weight("balanced", classes=clf.classes_, y=y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), expected, rtol=1e-6)
    clf = CNNClassifier(class_weight={"up": 3.0}, **TINY_CNN).fit(X, y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), [1.0, 3.0])


def test_augmentation_touches_training_batches_only():
    calls = []

    def shift(recording, rng):
        calls.append(len(recording))
        return recording + rng.normal(scale=0.01)

    X, y = gestures()
    clf = CNNClassifier(augment=shift, **TINY_CNN).fit(X, y)
    assert len(calls) == 2 * len(X)  # every training recording, every epoch
    clf.predict(X)
    assert len(calls) == 2 * len(X)
    # The joint network learns these 20 recordings in the 2 epochs of TINY_CNN.
    light = CNNClassifier(augment="light", architecture="joint", **TINY_CNN).fit(X, y)
    assert light.score(X, y) >= 0.5


def test_an_unknown_augmentation_is_refused():
    with pytest.raises((ValueError, TypeError), match="heavy"):
        CNNClassifier(augment="heavy", **TINY_CNN).fit(*gestures())


def test_verbose_prints_skorchs_epoch_table_only_when_asked(capsys):
    X, y = gestures()
    CNNClassifier(**TINY_CNN).fit(X, y)
    assert capsys.readouterr().out == ""
    CNNClassifier(verbose=1, **TINY_CNN).fit(X, y)
    printed = capsys.readouterr()
    assert "train_loss" in printed.out
    assert "it/s" not in printed.err
    CNNClassifier(verbose=2, **TINY_CNN).fit(X, y)
    assert "0/2 [" in capsys.readouterr().err  # tqdm's bar over the 2 batches of each epoch


class ThreadRecorder(Callback):
    """Notes torch's thread count at each epoch."""

    def initialize(self):
        self.threads_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.threads_.append(torch.get_num_threads())


def test_n_threads_bounds_torch_during_fit_and_restores_it():
    before = torch.get_num_threads()
    recorder = ThreadRecorder()
    clf = CNNClassifier(callbacks=[recorder], **{**TINY_CNN, "n_threads": 1}).fit(*gestures())
    assert dict(clf.net_.callbacks_)["ThreadRecorder"].threads_ == [1, 1]
    assert not hasattr(recorder, "threads_")  # the parameter itself is left as given
    assert torch.get_num_threads() == before


def test_net_params_pass_through_to_skorch():
    clf = CNNClassifier(optimizer="sgd", net_params={"optimizer__momentum": 0.9}, **TINY_CNN).fit(
        *gestures()
    )
    assert isinstance(clf.net_.optimizer_, torch.optim.SGD)
    assert clf.net_.optimizer_.param_groups[0]["momentum"] == 0.9


def test_history_records_every_epoch():
    clf = LSTMClassifier(**{**TINY_LSTM, "max_epochs": 3}).fit(*gestures())
    assert clf.n_iter_ == len(clf.history_) == 3
    assert len(clf.history_[:, "train_loss"]) == 3


# ----------------------------------------------------------------------------- warm start
def test_warm_start_continues_from_the_fitted_weights():
    X, y = gestures()
    clf = CNNClassifier(warm_start=True, weight_decay=0.0, **TINY_CNN).fit(X, y)
    weights = clf.net_.module_.head.weight.detach().clone()
    clf.set_params(lr=1e-12, max_epochs=1).fit(X, y)
    torch.testing.assert_close(clf.net_.module_.head.weight, weights)
    clf.set_params(warm_start=False).fit(X, y)  # a cold start draws new weights
    assert not torch.allclose(clf.net_.module_.head.weight, weights)


def test_warm_start_refuses_new_labels_and_new_sizes():
    X, y = gestures()
    clf = CNNClassifier(warm_start=True, **TINY_CNN).fit(X, y)
    with pytest.raises(ValueError, match=r"labels \['left'\] that the first fit did not see"):
        clf.fit(X, np.where(y == "up", "left", y))
    with pytest.raises(ValueError, match="network's parameters .* must not change"):
        clf.set_params(n_filters=6).fit(X, y)


# ---------------------------------------------------------------- persistence and model API
@pytest.mark.parametrize("estimator", tiny_estimators(), ids=lambda e: type(e).__name__)
def test_joblib_round_trip_gives_identical_predictions(estimator):
    X, y = gestures()
    estimator.fit(ragged(X), y)
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def test_a_model_saved_on_a_gpu_loads_on_a_machine_without_one():
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    X, y = gestures()
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    expected = clf.predict_proba(X)
    clf.net_.device = "cuda"  # what a model trained with device="cuda" records
    saved = pickle.dumps(clf)
    with pytest.warns(DeviceWarning) as caught:
        loaded = pickle.loads(saved)
    assert any("no CUDA devices are available" in str(w.message) for w in caught)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def test_clone_gives_an_unfitted_copy_with_the_same_parameters():
    clf = CNNClassifier(**TINY_CNN).fit(*gestures())
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "net_") and not hasattr(copy, "classes_")


def test_grid_search_over_a_pipeline_in_parallel():
    X, y = gestures(n_per_class=6)
    model = Pipeline([("pad", SkeletonPadder()), ("clf", CNNClassifier(**TINY_CNN))])
    search = GridSearchCV(
        model, {"clf__lr": [0.01, 0.03], "clf__n_filters": [2, 4]}, cv=2, n_jobs=2
    )
    search.fit(ragged(X), y)
    assert set(search.best_params_) == {"clf__lr", "clf__n_filters"}
    assert search.predict(ragged(X)).shape == (12,)


def test_cross_validation_keeps_each_performer_in_one_fold():
    X, y = gestures(n_per_class=8)
    performers = np.tile(np.arange(4), 4)  # 4 performers, 2 recordings of each class each
    model = Pipeline([("pad", SkeletonPadder()), ("clf", LSTMClassifier(**TINY_LSTM))])
    scores = cross_val_score(model, ragged(X), y, groups=performers, cv=GroupKFold(n_splits=4))
    assert scores.shape == (4,)


# --------------------------------------------------------------------------- what it learns
@pytest.mark.parametrize(
    ("architecture", "max_epochs", "at_least"),
    [("hybrid", 50, 0.8), ("joint", 20, 0.95)],
)
def test_the_cnns_learn_which_joint_moved(architecture, max_epochs, at_least):
    """Only the identity of the waving joint tells the classes apart.

    Every recording has one joint waving and the others wandering; in class "left" joint 1
    waves, in class "right" joint 4 does. A network that pooled over joints would see the same
    thing in both classes (chance, 0.5). With 40 training recordings the joint network, whose
    weights are shared by every joint, learns it from fewer epochs than the default hybrid.
    """
    rng = np.random.default_rng(0)
    n, n_frames, n_joints = 60, 24, 6
    X = np.cumsum(rng.normal(scale=0.15, size=(n, n_frames, n_joints, 3)), axis=1)
    y = np.repeat(["left", "right"], n // 2)
    wave = np.sin(np.linspace(0, 4 * np.pi, n_frames))
    X[y == "left", :, 1, 1] += wave
    X[y == "right", :, 4, 1] += wave
    train = rng.permutation(n)[:40]
    test = np.setdiff1d(np.arange(n), train)
    params = {"max_epochs": max_epochs, "random_state": 0, "n_threads": 1}
    if architecture != CNNClassifier().architecture:
        params["architecture"] = architecture
    clf = CNNClassifier(**params).fit(X[train], y[train])
    assert clf.score(X[test], y[test]) >= at_least


def test_the_input_features_are_standardised_over_real_frames_only():
    X, y = gestures()
    recordings = ragged(X)
    clf = CNNClassifier(**TINY_CNN).fit(recordings, y)
    assert clf.streams_ == ("joint", "motion") and clf.body_frame_
    features = [
        skeleton_features(
            recording[np.newaxis],
            [len(recording)],
            parents=clf.skeleton_.parents,
            root=clf.root_,
            streams=clf.streams_,
        )[0]
        for recording in recordings
    ]
    assert clf.channel_mean_.shape == (4, 6)
    np.testing.assert_allclose(clf.channel_mean_, np.concatenate(features).mean(axis=0), atol=1e-5)


def test_fc_takes_the_width_skeleton_padder_gives_it():
    X, y = gestures()
    pipeline = make_pipeline(SkeletonPadder(max_frames=20), FCClassifier(**TINY_FC)).fit(X, y)
    assert pipeline[-1].n_frames_ == 20
    longer = np.concatenate([X, X], axis=1)  # 24 frames: the padder crops them to 20 ...
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pipeline.predict(longer).shape == (len(y),)
    # ... and says so; the classifier, given the width it was fitted on, has nothing to add.
    assert [str(w.message).split()[0] for w in caught] == ["SkeletonPadder"]
    assert FCClassifier(**TINY_FC).fit(ragged(X), y).n_frames_ == max(map(len, ragged(X)))
