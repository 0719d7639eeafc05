"""ONNX export: the exported model, run in onnxruntime, gives ``predict_proba``'s answer.

Every exportable network is trained for a couple of epochs on short ragged recordings, exported,
and asked about recordings of other lengths (much shorter and longer than any it was trained
on); onnxruntime's probabilities must match ``predict_proba`` to 1e-5.
"""

import json
import sys

import numpy as np
import pytest
import torch
from _tiny import TINY, TINY_CNN, TINY_FC, TINY_LSTM
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier, SkeletonPadder
from skgesture._features import skeleton_features
from skgesture._standardize import standardize
from skgesture.datasets import make_gestures
from skgesture.estimators.pretrainer import AutoencoderPretrainer
from skgesture.export import export_onnx
from skgesture.export._features import InputPreprocessing
from skgesture.nn import TemporalCNN
from skgesture.preprocessing import JointSelector
from skgesture.ssl import SSLClassifier
from skgesture.utils import pad_recordings

onnxruntime = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def gestures():
    """Training recordings of 10 to 14 frames, and held-out ones of 1 to 30 frames."""
    train = make_gestures(16, min_frames=10, max_frames=14, random_state=0)
    held_out = make_gestures(6, min_frames=10, max_frames=30, random_state=1).data
    held_out[:3] = [held_out[0][:1], held_out[1][:2], held_out[2][:5]]
    return train.data, train.target, held_out


def onnx_proba(path, recordings):
    """What a deployment does: pad the recordings, run the model in onnxruntime."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    positions, lengths = pad_recordings(recordings)
    (proba,) = session.run(None, {"positions": positions, "lengths": lengths})
    return proba


def pretrained_ssl(**params):
    pretrainer = AutoencoderPretrainer(n_filters=4, n_blocks=1, kernel_size=3, **TINY)
    return SSLClassifier(pretrainer=pretrainer, linear_probe_epochs=1, **TINY, **params)


EXPORTABLE = {
    "cnn joint": lambda: CNNClassifier(**TINY_CNN),
    "cnn joint, no downsampling": lambda: CNNClassifier(downsample=1, **TINY_CNN),
    "cnn joint, all streams": lambda: CNNClassifier(
        streams=("joint", "bone", "motion"), **TINY_CNN
    ),
    "cnn joint, positions as given": lambda: CNNClassifier(
        body_frame=False, streams="joint", **TINY_CNN
    ),
    "cnn temporal": lambda: CNNClassifier(architecture="temporal", **TINY_CNN),
    "cnn hybrid": lambda: CNNClassifier(architecture="hybrid", **TINY_CNN),
    "cnn image": lambda: CNNClassifier(architecture="image", **TINY_CNN),
    "cnn graph": lambda: CNNClassifier(architecture="graph", **{**TINY_CNN, "n_blocks": 2}),
    "lstm": lambda: LSTMClassifier(**TINY_LSTM),
    "lstm, 2 layers, no projection": lambda: LSTMClassifier(
        **{**TINY_LSTM, "num_layers": 2, "projection_size": None}
    ),
    "lstm, one direction": lambda: LSTMClassifier(**TINY_LSTM, bidirectional=False),
    "fc": lambda: FCClassifier(**TINY_FC),
    "ssl": pretrained_ssl,
}


# FCClassifier crops recordings longer than its training ones, with a warning (so does its model).
@pytest.mark.filterwarnings("ignore:X holds recordings of up to:UserWarning")
@pytest.mark.parametrize("make", EXPORTABLE.values(), ids=EXPORTABLE.keys())
def test_onnxruntime_gives_predict_proba(make, gestures, tmp_path):
    X, y, held_out = gestures
    clf = make().fit(X, y)

    path = clf.to_onnx(tmp_path / "gestures.onnx")

    proba = onnx_proba(path, held_out)
    assert proba.shape == (len(held_out), 2)
    assert np.max(np.abs(proba - clf.predict_proba(held_out))) <= TOLERANCE


def test_pipeline_with_padder_exports_padding_and_cropping(gestures, tmp_path):
    X, y, held_out = gestures
    pipeline = make_pipeline(SkeletonPadder(max_frames=14), FCClassifier(**TINY_FC)).fit(X, y)

    path = export_onnx(pipeline, tmp_path / "pipeline.onnx")

    with pytest.warns(UserWarning, match="crop"):  # the padder crops the longer recordings
        expected = pipeline.predict_proba(held_out)
    assert np.max(np.abs(onnx_proba(path, held_out) - expected)) <= TOLERANCE


def test_graph_network_of_a_large_skeleton_exports(tmp_path):
    # Above 128 joints the graph convolution is sparse (index_add_), which ONNX cannot write.
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 130, 3)).astype(np.float32) for n in (8, 9, 10, 11)]
    clf = CNNClassifier(architecture="graph", **TINY_CNN).fit(X, ["a", "b", "a", "b"])

    path = clf.to_onnx(tmp_path / "large.onnx")

    new = [rng.normal(size=(n, 130, 3)).astype(np.float32) for n in (3, 17)]
    assert np.max(np.abs(onnx_proba(path, new) - clf.predict_proba(new))) <= TOLERANCE


def test_model_holds_the_classes_and_counts_lengths_within_its_frames(gestures, tmp_path):
    X, y, held_out = gestures
    clf = CNNClassifier(architecture="temporal", **TINY_CNN).fit(X, y)
    path = clf.to_onnx(tmp_path / "gestures.onnx")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    metadata = session.get_modelmeta().custom_metadata_map
    assert json.loads(metadata["classes"]) == clf.classes_.tolist()
    assert [i.name for i in session.get_inputs()] == ["positions", "lengths"]

    positions, lengths = pad_recordings(held_out)
    (exact,) = session.run(None, {"positions": positions, "lengths": lengths})
    (beyond,) = session.run(None, {"positions": positions, "lengths": lengths + 100})
    (full,) = session.run(None, {"positions": positions, "lengths": np.full_like(lengths, 30)})
    assert np.max(np.abs(beyond - full)) <= TOLERANCE
    assert np.max(np.abs(exact - full)) > TOLERANCE  # lengths do matter


@pytest.mark.parametrize(
    "settings",
    [
        {"parents": [-1, 0, 1, 1, 0], "root": 0, "streams": ("joint", "bone", "motion")},
        {"parents": [-1, 0, 1, -1, 3], "root": 1, "streams": ("motion", "joint")},  # a forest
        {"parents": None, "root": 2, "streams": ("joint", "motion")},  # no topology
        {"parents": [-1, 0, 1, 1, 0], "root": 0, "streams": ("bone",), "body_frame": False},
    ],
)
@pytest.mark.parametrize("n_coords", [3, 2])
def test_torch_features_match_numpy(settings, n_coords):
    settings = {"body_frame": True, **settings}
    rng = np.random.default_rng(0)
    lengths = np.array([7, 1, 4, 2])
    data = rng.normal(size=(4, 7, 5, n_coords)).astype(np.float32)
    data[2] = 1.5  # every joint at one point: no body size, which counts as 1
    data[np.arange(7)[None, :] >= lengths[:, None]] = 0.0
    flags = {"center": settings["body_frame"], "scale": settings["body_frame"]}
    features = skeleton_features(
        data, lengths, parents=settings["parents"], root=settings["root"],
        streams=settings["streams"], **flags,
    )  # fmt: skip
    mean = features.mean(axis=(0, 1))
    scale = features.std(axis=(0, 1)) + 0.5
    expected = standardize(features, lengths, mean, scale)

    preprocessing = InputPreprocessing(mean, scale, **settings)
    got = preprocessing(torch.from_numpy(data), torch.from_numpy(lengths)).numpy()

    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_pipeline_step_that_cannot_be_exported_is_named(gestures, tmp_path):
    X, y, _ = gestures
    pipeline = make_pipeline(JointSelector([0, 1, 2]), CNNClassifier(**TINY_CNN)).fit(X, y)
    with pytest.raises(ValueError, match="step 'jointselector' \\(JointSelector\\) cannot"):
        export_onnx(pipeline, tmp_path / "model.onnx")


def test_padder_that_fills_with_the_last_frame_is_refused(gestures, tmp_path):
    X, y, _ = gestures
    padder = SkeletonPadder(fill="edge")
    pipeline = make_pipeline(padder, FCClassifier(**TINY_FC)).fit(X, y)
    with pytest.raises(ValueError, match="SkeletonPadder\\(fill='edge'\\)"):
        export_onnx(pipeline, tmp_path / "model.onnx")


def test_network_set_through_net_params_is_refused(gestures, tmp_path):
    class MyNetwork(TemporalCNN):
        pass

    X, y, _ = gestures
    clf = CNNClassifier(architecture="temporal", net_params={"module": MyNetwork}, **TINY_CNN)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="network is a MyNetwork"):
        clf.to_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_model_that_does_not_reproduce_the_estimator_is_removed(gestures, tmp_path, monkeypatch):
    X, y, _ = gestures
    clf = CNNClassifier(architecture="temporal", **TINY_CNN).fit(X, y)
    forward = TemporalCNN.forward

    def frames_frozen_by_the_trace(self, x, lengths):
        return forward(self, x, lengths) * float(x.shape[1])  # a Python number: a constant

    monkeypatch.setattr(TemporalCNN, "forward", frames_frozen_by_the_trace)
    with pytest.raises(RuntimeError, match="does not reproduce the estimator"):
        clf.to_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_unfitted_and_foreign_estimators_are_refused(gestures, tmp_path):
    X, y, _ = gestures
    with pytest.raises(NotFittedError):
        CNNClassifier().to_onnx(tmp_path / "model.onnx")
    with pytest.raises(TypeError, match="got LogisticRegression"):
        export_onnx(LogisticRegression(), tmp_path / "model.onnx")
    with pytest.raises(NotFittedError):
        export_onnx(make_pipeline(SkeletonPadder(), CNNClassifier()), tmp_path / "model.onnx")


@pytest.mark.parametrize("opset", [12, "18", True])
def test_unsupported_opset_is_refused(opset, gestures, tmp_path):
    X, y, _ = gestures
    clf = CNNClassifier(architecture="temporal", **TINY_CNN).fit(X, y)
    with pytest.raises(ValueError, match="opset must be None or an integer"):
        clf.to_onnx(tmp_path / "model.onnx", opset=opset)


def test_older_opset_gives_the_same_probabilities(gestures, tmp_path):
    X, y, held_out = gestures
    clf = CNNClassifier(**TINY_CNN).fit(X, y)
    path = clf.to_onnx(tmp_path / "model.onnx", opset=13)
    assert np.max(np.abs(onnx_proba(path, held_out) - clf.predict_proba(held_out))) <= TOLERANCE


def test_missing_onnx_names_the_extra(gestures, tmp_path, monkeypatch):
    X, y, _ = gestures
    clf = CNNClassifier(architecture="temporal", **TINY_CNN).fit(X, y)
    monkeypatch.setitem(sys.modules, "onnx", None)  # what an absent package looks like
    with pytest.raises(ImportError, match=r"pip install skgesture\[onnx\]"):
        clf.to_onnx(tmp_path / "model.onnx")


def test_failed_export_keeps_the_earlier_model_and_leaves_nothing_behind(
    gestures, tmp_path, monkeypatch
):
    X, y, held_out = gestures
    clf = CNNClassifier(architecture="temporal", **TINY_CNN).fit(X, y)
    path = clf.to_onnx(tmp_path / "model.onnx")
    assert [file.name for file in tmp_path.iterdir()] == ["model.onnx"]
    earlier = path.read_bytes()
    forward = TemporalCNN.forward

    def frames_frozen_by_the_trace(self, x, lengths):
        return forward(self, x, lengths) * float(x.shape[1])

    monkeypatch.setattr(TemporalCNN, "forward", frames_frozen_by_the_trace)
    with pytest.raises(RuntimeError, match="does not reproduce the estimator"):
        clf.to_onnx(path)

    assert [file.name for file in tmp_path.iterdir()] == ["model.onnx"]
    assert path.read_bytes() == earlier


def test_a_stand_in_that_computes_another_function_is_refused(gestures, tmp_path, monkeypatch):
    # The written model is checked against the stand-in; the stand-in must be checked against
    # the network it replaces, or a wrong model would pass (as one that ignored the LSTM's
    # pooling did).
    from skgesture.export._lstm import UnpackedLSTM

    X, y, _ = gestures
    clf = LSTMClassifier(**TINY_LSTM).fit(X, y)
    forward = UnpackedLSTM.forward
    monkeypatch.setattr(UnpackedLSTM, "forward", lambda self, x, n: 2 * forward(self, x, n))

    with pytest.raises(ValueError, match="stand-in \\(UnpackedLSTM\\) gives other logits"):
        clf.to_onnx(tmp_path / "model.onnx")
    assert not list(tmp_path.iterdir())
