"""Hostile or unlucky use of the ``skgesture`` command and of the estimators it drives.

A model file never runs code unless the user says so, the command writes only the pickle-free
format, Ctrl+C stops everything and saves nothing, a bad input leaves nothing behind, and a bad
``callbacks`` parameter is named.
"""

import itertools
import os
import pickle
import warnings

import joblib
import numpy as np
import pytest
from _faults import CtrlCAt
from skorch.callbacks import Callback, EpochScoring

import skgesture.estimators._base
import skgesture.ssl
from skgesture import CNNClassifier
from skgesture._persistence import load
from skgesture.app.cli import main
from skgesture.ssl import AutoencoderPretrainer

pytest.importorskip("matplotlib")

TINY_CNN = {"n_filters": 4, "n_blocks": 1, "kernel_size": 3, "random_state": 0, "n_threads": 1}


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def gestures(n_per_class=8, seed=0):
    """Two classes of recordings (frames, joints, coords) told apart by one lifted joint."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.3, size=(2 * n_per_class, 10, 4, 3)).astype(np.float32)
    y = np.repeat(np.array(["wave", "point"]), n_per_class)
    X[y == "point", :, 1, 0] += 2.0
    return X, y


@pytest.fixture(scope="module")
def model(folder, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    status = main(["train", str(folder), "--epochs", "1", "--cv", "0", "--out", str(path), "-q"])
    assert status == 0
    return path


# ------------------------------------------------------------ no code from a model file runs
class MakesMarker:
    """Unpickling this object creates the folder ``marker``: code run by loading a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)


@pytest.mark.parametrize("name", ["evil.NPZ", "evil.npz", "evil.joblib"])
@pytest.mark.parametrize("command", ["predict", "explain"])
def test_a_pickle_is_never_loaded_without_allow_pickle(folder, tmp_path, capsys, name, command):
    marker = tmp_path / "code_ran"
    evil = tmp_path / name
    evil.write_bytes(pickle.dumps(MakesMarker(os.fspath(marker))))
    data = folder if command == "predict" else folder / "gesture_001.csv"
    out = tmp_path / "pictures"

    status = main([command, str(evil), str(data), "--out", str(out)])

    assert status == 2
    err = one_line_error(capsys)
    assert name in err and "not a pickle-free .npz model" in err and "--allow-pickle" in err
    assert not marker.exists()
    assert not out.exists()
    # The payload is live: loading it is what would have run code.
    pickle.loads(evil.read_bytes())
    assert marker.is_dir()


def test_allow_pickle_says_it_runs_code(capsys):
    for command in ("predict", "explain"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        help_text = " ".join(capsys.readouterr().out.split())
        assert "--allow-pickle" in help_text
        assert "EXECUTES ANY CODE STORED IN THE FILE" in help_text


def test_allow_pickle_loads_a_genuine_joblib_model(folder, model, tmp_path, capsys):
    pickled = tmp_path / "model.joblib"
    joblib.dump(load(model), pickled)

    assert main(["predict", str(pickled), str(folder)]) == 2
    assert "--allow-pickle" in one_line_error(capsys)

    assert main(["predict", str(pickled), str(folder), "--allow-pickle"]) == 0
    with_pickle = capsys.readouterr().out
    assert main(["predict", str(model), str(folder)]) == 0
    assert with_pickle == capsys.readouterr().out
    assert len(with_pickle.splitlines()) == 13


def test_allow_pickle_still_reads_an_npz_model_without_pickle(folder, model, capsys):
    assert main(["predict", str(model), str(folder), "--allow-pickle"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 13


# --------------------------------------------------- the command writes only the safe format
@pytest.mark.parametrize("name", ["model.NPZ", "model", "model.bin"])
def test_train_writes_the_pickle_free_format_whatever_the_name(folder, tmp_path, capsys, name):
    out = tmp_path / name
    status = main(["train", str(folder), "--epochs", "1", "--cv", "0", "--out", str(out), "-q"])
    assert status == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    assert type(load(out)).__name__ == "CNNClassifier"
    assert main(["predict", str(out), str(folder)]) == 0
    assert [path.name for path in tmp_path.iterdir()] == [name]


def test_train_saves_to_model_npz_by_default(folder, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(folder), "--epochs", "1", "--cv", "0", "-q"]) == 0
    assert "Model saved to model.npz" in capsys.readouterr().out
    assert (tmp_path / "model.npz").read_bytes()[:4] == b"PK\x03\x04"


@pytest.mark.parametrize("name", ["model.joblib", "model.PKL", "model.pickle", "m.JobLib"])
def test_train_refuses_a_pickle_name_before_training(folder, tmp_path, monkeypatch, capsys, name):
    def no_training(*args):
        raise AssertionError("an estimator was built")

    monkeypatch.setattr("skgesture.app.cli._estimator", no_training)
    out = tmp_path / name
    assert main(["train", str(folder), "--out", str(out)]) == 2
    err = one_line_error(capsys)
    assert name in err and "writes only the pickle-free .npz format" in err
    assert not out.exists()


class CountsFits(Callback):
    fits = 0

    def on_train_begin(self, net, **kwargs):
        type(self).fits += 1


def test_train_refuses_a_model_it_cannot_save_before_training(
    folder, tmp_path, monkeypatch, capsys
):
    CountsFits.fits = 0
    monkeypatch.setattr(
        "skgesture.app.cli._estimator", lambda name, args: CNNClassifier(callbacks=[CountsFits()])
    )
    out = tmp_path / "model.npz"
    assert main(["train", str(folder), "--out", str(out), "--cv", "2"]) == 2
    err = one_line_error(capsys)
    assert "Cannot save CNNClassifier: parameter callbacks[0]=" in err and "without pickle" in err
    assert CountsFits.fits == 0
    assert not out.exists()


def test_the_ssl_model_saves_in_the_pickle_free_format(folder, tmp_path, capsys):
    out = tmp_path / "ssl.npz"
    args = ["--model", "ssl", "--epochs", "1", "--cv", "0", "--out", str(out), "-q"]
    assert main(["train", str(folder), *args]) == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    assert type(load(out)).__name__ == "SSLClassifier"
    capsys.readouterr()
    assert main(["predict", str(out), str(folder / "gesture_002.csv")]) == 0
    assert capsys.readouterr().out.startswith("recording,predicted\ngesture_002.csv,")


# ------------------------------------------------------------------ Ctrl+C stops everything
def press_ctrl_c_in_training(monkeypatch, fit, at_epoch_end=False):
    """Press Ctrl+C in the first epoch of the ``fit``-th network trained; count the networks."""
    networks = itertools.count(1)
    started = []
    original = skgesture.estimators._base.training_callbacks

    def with_ctrl_c(**settings):
        callbacks = original(**settings)
        started.append(next(networks))
        if started[-1] == fit:
            callbacks.insert(0, ("ctrl_c", CtrlCAt(1, at_epoch_end)))
        return callbacks

    monkeypatch.setattr(skgesture.estimators._base, "training_callbacks", with_ctrl_c)
    return started


@pytest.mark.parametrize("at_epoch_end", [False, True], ids=["mid-epoch", "epoch-end"])
def test_ctrl_c_in_a_fold_stops_train_and_saves_nothing(
    folder, tmp_path, monkeypatch, capsys, at_epoch_end
):
    started = press_ctrl_c_in_training(monkeypatch, fit=2, at_epoch_end=at_epoch_end)
    out = tmp_path / "model.npz"
    args = ["train", str(folder), "--epochs", "2", "--cv", "3", "--out", str(out)]

    assert main(args) == 130

    captured = capsys.readouterr()
    assert "cross-validated accuracy" not in captured.out
    assert "Model saved" not in captured.out
    assert captured.err.strip().splitlines()[-1] == "skgesture train: interrupted"
    assert "under-trained" not in captured.err
    assert started == [1, 2]  # neither fold 3 nor the final fit ran
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_the_final_fit_saves_nothing(folder, tmp_path, monkeypatch, capsys):
    started = press_ctrl_c_in_training(monkeypatch, fit=1)
    out = tmp_path / "model.npz"
    assert main(["train", str(folder), "--epochs", "2", "--cv", "0", "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().endswith("skgesture train: interrupted")
    assert started == [1]
    assert not out.exists()


def test_ctrl_c_during_ssl_pretraining_saves_nothing(folder, tmp_path, monkeypatch, capsys):
    press_ctrl_c_in_training(monkeypatch, fit=1)  # the first network is the pretrainer's
    out = tmp_path / "ssl.npz"
    args = ["--model", "ssl", "--epochs", "1", "--cv", "0", "--out", str(out)]
    assert main(["train", str(folder), *args]) == 130
    assert capsys.readouterr().err.strip().endswith("skgesture train: interrupted")
    assert not out.exists()


@pytest.mark.parametrize(
    "estimator",
    [CNNClassifier(**TINY_CNN, max_epochs=4), AutoencoderPretrainer(**TINY_CNN, max_epochs=4)],
    ids=lambda estimator: type(estimator).__name__,
)
def test_ctrl_c_as_an_epoch_ends_is_an_interrupt(estimator):
    X, y = gestures()
    estimator.set_params(callbacks=[CtrlCAt(epoch=2, at_epoch_end=True)])
    with pytest.warns(UserWarning, match=r"interrupted during epoch 2 of 4; .*epoch 1 "):
        estimator.fit(X, y)
    assert estimator.interrupted_ is True
    assert estimator.n_iter_ == 2


def test_early_stopping_is_not_an_interrupt():
    X, y = gestures(n_per_class=20)
    clf = CNNClassifier(**TINY_CNN, max_epochs=30, early_stopping=True, patience=1, lr=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, y)
    assert clf.n_iter_ < 30
    assert clf.interrupted_ is False


# ------------------------------------------------ a bad input leaves no output folder behind
@pytest.mark.parametrize("missing", ["model", "recording", "reference"])
def test_explain_with_a_missing_input_creates_no_folder(folder, model, tmp_path, capsys, missing):
    paths = {
        "model": model,
        "recording": folder / "gesture_001.csv",
        "reference": folder,
    }
    paths[missing] = tmp_path / f"no_such_{missing}"
    out = tmp_path / "newdir"
    args = [str(paths["model"]), str(paths["recording"]), "--reference", str(paths["reference"])]

    assert main(["explain", *args, "--out", str(out), "-q"]) == 2

    assert f"no_such_{missing}" in one_line_error(capsys)
    assert not out.exists()


def test_explain_failing_to_draw_removes_the_folder_it_made(
    folder, model, tmp_path, monkeypatch, capsys
):
    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("skgesture.explain._explanation.Explanation.animate", disk_full)
    out = tmp_path / "newdir"
    recording = folder / "gesture_001.csv"
    assert main(["explain", str(model), str(recording), "--out", str(out), "-q"]) == 2
    assert "No space left on device" in one_line_error(capsys)
    assert not out.exists()


# --------------------------------------------------------------- the callbacks parameter
@pytest.mark.parametrize(
    "callbacks, shown",
    [
        (["nope"], r"callbacks\[0\] is 'nope' \(str\)"),
        ([EpochScoring("accuracy"), 3], r"callbacks\[1\] is 3 \(int\)"),
        ([(1, EpochScoring("accuracy"))], r"callbacks\[0\] is \(1, .*\) \(tuple\)"),
        ([("scorer", "accuracy")], r"callbacks\[0\] is \('scorer', 'accuracy'\) \(tuple\)"),
    ],
)
@pytest.mark.parametrize("error", [ValueError, TypeError])
def test_a_bad_callback_is_named(callbacks, shown, error):
    X, y = gestures()
    clf = CNNClassifier(**TINY_CNN, max_epochs=1, callbacks=callbacks)
    with pytest.raises(error, match=r"'callbacks' parameter of CNNClassifier .*" + shown):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


def test_a_bad_callback_of_the_pretrainer_is_named():
    X, _ = gestures()
    pretrainer = AutoencoderPretrainer(**TINY_CNN, max_epochs=1, callbacks=[None])
    with pytest.raises(ValueError, match=r"AutoencoderPretrainer .*callbacks\[0\] is None"):
        pretrainer.fit(X)


def test_callbacks_given_as_instances_pairs_or_classes_still_train():
    X, y = gestures()
    callbacks = [CountsFits(), ("named", CountsFits()), CountsFits]
    CountsFits.fits = 0
    CNNClassifier(**TINY_CNN, max_epochs=1, callbacks=callbacks).fit(X, y)
    assert CountsFits.fits == 3
