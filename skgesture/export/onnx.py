"""ONNX export of fitted classifiers: :func:`export_onnx`.

The exported model takes what a sensor gives, not what the network sees:

- ``positions``: float32 ``(batch, frames, joints, coords)``, each recording zero-padded after
  its last frame; ``batch`` and ``frames`` are dynamic axes;
- ``lengths``: int64 ``(batch,)``, the true number of frames of each recording;

and returns ``probabilities``, float32 ``(batch, n_classes)``, columns following the
classifier's ``classes_``. Everything ``predict_proba`` does in between is inside the model:
a :class:`~skgesture.preprocessing.SkeletonPadder` in front (a Pipeline), the fixed length of
a fully connected network, the body frame and streams (:mod:`skgesture.export._features`),
the standardisation learned in ``fit``, the network and the softmax. So onnxruntime (or any
ONNX runtime: C++, C#, Java, JavaScript, mobile) runs it without torch or skgesture.

Two networks are exported through a stand-in computing the same function with operations
the exporter can write: the LSTM without packed sequences (:mod:`skgesture.export._lstm`) and
the graph network of skeletons above 128 joints with a dense adjacency
(:mod:`skgesture.export._graph`).

The model is written by torch's TorchScript-based exporter (``torch.onnx.export(...,
dynamo=False)``): it traces these networks with a dynamic number of frames in well under a
second and needs no package beyond ``onnx``. The newer ``torch.export``-based exporter needs
``onnxscript`` too, took 10 to 20 times longer and fixed the frames of the LSTM's stand-in
to those of the example batch. A trace records one run, so :func:`export_onnx` runs the
written model in onnxruntime (the extra's other package) on other frame counts before
returning, and refuses a model that disagrees with torch.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import threading
import uuid
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skgesture._registry import estimator_classes
from skgesture._version import __version__
from skgesture.estimators._input import InputFeatures
from skgesture.export._features import InputPreprocessing
from skgesture.export._graph import densified
from skgesture.export._lstm import UnpackedLSTM
from skgesture.export._model import ExportableClassifier
from skgesture.nn import FCNet, GraphCNN, HybridCNN, ImageCNN, JointCNN, LSTMNet, TemporalCNN
from skgesture.preprocessing import SkeletonPadder

__all__ = ["export_onnx", "exportable_module", "INPUT_NAMES", "OUTPUT_NAME", "MIN_OPSET"]

#: Names of the exported model's inputs and of its output.
INPUT_NAMES = ("positions", "lengths")
OUTPUT_NAME = "probabilities"
#: Oldest ONNX opset the exported models are tested with (Softmax over one axis).
MIN_OPSET = 13

# Networks whose evaluation-mode forward traces as it is, and those that need a stand-in
# (the same function in operations the exporter can write).
_TRACEABLE = (JointCNN, TemporalCNN, HybridCNN, ImageCNN, FCNet)
_STAND_INS = {LSTMNet: UnpackedLSTM, GraphCNN: densified}

_INSTALL = "pip install skgesture[onnx]"
# Largest difference of probabilities allowed between the written model and torch's (float32
# rounding is about 1e-7).
_TOLERANCE = 1e-5


def _require_onnx():
    """The onnx and onnxruntime modules, or an ImportError naming the extra."""
    try:
        import onnx
        import onnxruntime
    except ImportError as error:
        raise ImportError(
            f"exporting to ONNX needs the {error.name} package, part of the optional "
            f"onnx extra: {_INSTALL}"
        ) from error
    return onnx, onnxruntime


def _check_opset(opset):
    if opset is None:
        return None
    top = torch.onnx._constants.ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET
    if isinstance(opset, bool) or not isinstance(opset, Integral) or not MIN_OPSET <= opset <= top:
        raise ValueError(
            f"opset must be None or an integer in [{MIN_OPSET}, {top}] (the ONNX opsets torch's "
            f"exporter writes and the exported networks need); got {opset!r}."
        )
    return int(opset)


def _python_floor_division(g, dividend, divisor):
    """ONNX symbolic of ``aten::floor_divide`` (``//`` on traced sizes) that rounds as torch.

    torch's TorchScript exporter writes it as ``Div``, which truncates integers toward zero,
    so a ceiling division ``-(-frames // stride)`` loses a frame whenever ``frames`` is odd.
    ``a - a mod b`` (ONNX ``Mod`` takes the divisor's sign, as Python's ``%``) is a multiple
    of ``b``, so dividing it truncates nothing.
    """
    if dividend.type().scalarType() in ("Float", "Double", "Half", "BFloat16"):
        return g.op("Floor", g.op("Div", dividend, divisor))
    remainder = g.op("Mod", dividend, divisor, fmod_i=0)
    return g.op("Div", g.op("Sub", dividend, remainder), divisor)


# The symbolic registry and torch's exporter state are global: exports take turns, so that one
# export's unregistering cannot pull the symbolic from under another's trace.
_EXPORT_LOCK = threading.Lock()


@contextlib.contextmanager
def _exact_floor_division():
    """Export ``aten::floor_divide`` with :func:`_python_floor_division` inside the block."""
    name = "aten::floor_divide"
    with _EXPORT_LOCK:
        torch.onnx.register_custom_op_symbolic(name, _python_floor_division, MIN_OPSET)
        try:
            yield
        finally:
            torch.onnx.unregister_custom_op_symbolic(name, MIN_OPSET)


def _split_pipeline(estimator):
    """The classifier at the end of ``estimator`` and the frames its padders keep (or None)."""
    if not isinstance(estimator, Pipeline):
        return estimator, None
    check_is_fitted(estimator)
    max_frames = None
    for name, step in estimator.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        if not isinstance(step, SkeletonPadder) or step.fill != "zeros":
            what = (
                f"SkeletonPadder(fill={step.fill!r})"
                if isinstance(step, SkeletonPadder)
                else (type(step).__name__)
            )
            raise ValueError(
                f"the pipeline's step {name!r} ({what}) cannot be exported to ONNX: only "
                "SkeletonPadder(fill='zeros'), which pads (and crops to max_frames_), is "
                "expressed inside the model. Apply other transformers to the recordings "
                "before they reach the exported model, or fit the classifier without them."
            )
        frames = step.max_frames_
        max_frames = frames if max_frames is None else min(max_frames, frames)
    return estimator.steps[-1][1], max_frames


def _check_classifier(classifier):
    classifiers = tuple(estimator_classes("classifier").values())
    if not isinstance(classifier, classifiers):
        names = ", ".join(cls.__name__ for cls in classifiers)
        raise TypeError(
            f"export_onnx exports a fitted skgesture classifier ({names}) or a Pipeline ending "
            f"in one; got {type(classifier).__name__}."
        )
    check_is_fitted(classifier)


def _network(classifier):
    """A CPU copy of the fitted network, in evaluation mode, in a form the exporter traces."""
    network = classifier.net_.module_
    kind = type(network)
    if kind not in _TRACEABLE and kind not in _STAND_INS:
        raise ValueError(
            f"{type(classifier).__name__}'s network is a {kind.__name__}, which export_onnx "
            "does not know how to export; it exports skgesture's own networks ("
            + ", ".join(cls.__name__ for cls in (*_TRACEABLE, *_STAND_INS))
            + "), not one set through net_params."
        )
    network = copy.deepcopy(network).cpu().eval()
    if kind in _STAND_INS:
        stand_in = _STAND_INS[kind](copy.deepcopy(network)).eval()
        _check_stand_in(stand_in, network, classifier.n_joints_in_, classifier._n_network_coords)
        network = stand_in
    return network


def _check_stand_in(stand_in, network, n_joints, n_channels):
    """Refuse a stand-in that does not compute ``network``'s logits.

    :func:`_verify` compares the written model with the stand-in only; this compares the
    stand-in with the network it replaces, on recordings of several lengths.
    """
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(3, 9, n_joints, n_channels, generator=generator)
    lengths = torch.tensor([9, 5, 1])
    x = x * (torch.arange(9)[None, :] < lengths[:, None])[:, :, None, None]
    with torch.no_grad():
        difference = float((stand_in(x, lengths) - network(x, lengths)).abs().max())
    if not difference <= _TOLERANCE:
        raise ValueError(
            f"export_onnx cannot express this {type(network).__name__} yet: its exportable "
            f"stand-in ({type(stand_in).__name__}) gives other logits (largest difference "
            f"{difference:.2g}), so no model was written."
        )


def _preprocessing(classifier):
    """The classifier's input features and standardisation as an :class:`InputPreprocessing`."""
    features = classifier._input_features()
    if features is not None and not isinstance(features, InputFeatures):
        raise ValueError(
            f"{type(classifier).__name__} computes its input with {type(features).__name__}, "
            "which export_onnx cannot express in ONNX."
        )
    if features is None:
        settings = {"parents": None, "root": 0, "streams": ("joint",), "body_frame": False}
    else:
        settings = {
            "parents": features.parents,
            "root": features.root,
            "streams": features.streams,
            "body_frame": features.body_frame,
        }
    return InputPreprocessing(
        classifier.channel_mean_,
        classifier.channel_scale_,
        features=features is not None,
        **settings,
    ).eval()


def exportable_module(estimator):
    """The torch module that :func:`export_onnx` exports, and the classifier it comes from.

    Parameters
    ----------
    estimator : classifier or Pipeline
        A fitted skgesture classifier, or a fitted Pipeline whose steps before it are
        ``SkeletonPadder(fill="zeros")`` (or ``"passthrough"``).

    Returns
    -------
    module : ExportableClassifier
        ``module(positions, lengths)`` gives the probabilities of ``predict_proba``.
    classifier : estimator
        The fitted classifier (the pipeline's last step).
    """
    classifier, max_frames = _split_pipeline(estimator)
    _check_classifier(classifier)
    n_frames = classifier.n_frames_ if classifier._fixed_length else None
    module = ExportableClassifier(
        _preprocessing(classifier), _network(classifier), n_frames=n_frames, max_frames=max_frames
    )
    return module.eval(), classifier


def _example_inputs(classifier):
    """A batch to trace with: two recordings of different lengths, more frames than training's."""
    n_frames = int(classifier.n_frames_) + 3
    positions = torch.zeros(2, n_frames, classifier.n_joints_in_, classifier.n_coords_in_)
    return positions, torch.tensor([n_frames, max(1, n_frames // 2)], dtype=torch.int64)


def _metadata(classifier, max_frames):
    """Key-value strings stored in the model: what a deployment needs besides the graph."""
    metadata = {
        "classes": json.dumps(np.asarray(classifier.classes_).tolist(), default=str),
        "estimator": type(classifier).__name__,
        "n_joints": str(classifier.n_joints_in_),
        "n_coords": str(classifier.n_coords_in_),
        "joint_names": json.dumps(list(getattr(classifier.skeleton_, "joint_names", []))),
        "skgesture_version": __version__,
    }
    if max_frames is not None:
        metadata["max_frames"] = str(max_frames)
    return metadata


def export_onnx(estimator, path, *, opset=None):
    """Write a fitted classifier, preprocessing included, as an ONNX model.

    Parameters
    ----------
    estimator : classifier or Pipeline
        A fitted :class:`~skgesture.CNNClassifier` (any architecture),
        :class:`~skgesture.LSTMClassifier`, :class:`~skgesture.FCClassifier` or
        :class:`~skgesture.ssl.SSLClassifier`, or a fitted Pipeline ending in one whose other
        steps are ``SkeletonPadder(fill="zeros")`` (padding, and cropping to ``max_frames_``,
        are expressed in the model) or ``"passthrough"``.
    path : str or path-like
        File to write (replaced if it exists), conventionally ``*.onnx``.
    opset : int or None, default=None
        ONNX opset to write; None takes torch's default. At least 13.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ImportError
        When the ``onnx`` package is missing (``pip install skgesture[onnx]``).
    TypeError
        When ``estimator`` is neither a skgesture classifier nor a Pipeline ending in one.
    ValueError
        When a pipeline step or the network cannot be expressed in ONNX (the message says
        which and why), or ``opset`` is not a supported opset.
    RuntimeError
        When the written model, run in onnxruntime on frame counts the trace did not see,
        does not give the estimator's probabilities. Whatever fails, nothing is left at
        ``path`` but what was there before (the model is written beside it and moved onto it
        once verified).
    sklearn.exceptions.NotFittedError
        When the estimator is not fitted.

    Notes
    -----
    The model's inputs are ``positions`` (float32, ``(batch, frames, joints, coords)``,
    zero-padded, ``batch`` and ``frames`` dynamic) and ``lengths`` (int64, ``(batch,)``, true
    frame counts); its output ``probabilities`` (float32, ``(batch, n_classes)``) follows
    ``classes_``, which the model's metadata holds as JSON under ``"classes"``. They match
    ``predict_proba`` to float32 rounding (about 1e-7). A length above the input's frames
    counts them all; a Pipeline's padder crops as ``transform`` does, but cannot raise for
    ``truncate="error"``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import CNNClassifier
    >>> from skgesture.export import export_onnx
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(8, 10, 4, 3)), np.repeat(["a", "b"], 4)
    >>> clf = CNNClassifier(n_filters=4, n_blocks=1, max_epochs=1, random_state=0).fit(X, y)
    >>> import tempfile, pathlib
    >>> path = export_onnx(clf, pathlib.Path(tempfile.mkdtemp()) / "gestures.onnx")
    >>> path.suffix
    '.onnx'
    """
    onnx, onnxruntime = _require_onnx()
    opset = _check_opset(opset)
    path = Path(path)
    module, classifier = exportable_module(estimator)
    example = _example_inputs(classifier)
    # Written beside ``path`` and moved onto it once verified: a failed export leaves no
    # partial file behind and an earlier model at ``path`` untouched.
    written = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.onnx")
    try:
        _write(onnx, module, classifier, example, written, opset)
        _verify(onnxruntime, written, module, example[0].shape)
        os.replace(written, path)
    except BaseException:
        written.unlink(missing_ok=True)
        raise
    return path


def _write(onnx, module, classifier, example, path, opset):
    """Trace ``module`` on ``example`` into the ONNX file ``path``, with the metadata."""
    with warnings.catch_warnings(), _exact_floor_division():
        # The TorchScript exporter's deprecation notice and the tracer's remarks on Python
        # values concern torch's code paths; _verify checks what was traced.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # Strided slices (the networks' x[:, :, ::stride]) stay in the graph unfolded.
        warnings.filterwarnings("ignore", "Constant folding - Only steps=1", UserWarning)
        # Written for every LSTM; UnpackedLSTM's initial states take the input's batch size.
        warnings.filterwarnings("ignore", "Exporting a model to ONNX with a batch_", UserWarning)
        torch.onnx.export(
            module,
            example,
            str(path),
            dynamo=False,
            opset_version=opset,
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes={
                "positions": {0: "batch", 1: "frames"},
                "lengths": {0: "batch"},
                OUTPUT_NAME: {0: "batch"},
            },
        )
    model = onnx.load(str(path))
    for key, value in _metadata(classifier, module.max_frames).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    model.doc_string = (
        f"skgesture {type(classifier).__name__}: positions (batch, frames, joints, coords) and "
        "lengths (batch,) in, class probabilities out; classes in metadata 'classes'."
    )
    onnx.save(model, str(path))


def _verify(onnxruntime, path, module, example_shape):
    """Check the written model against ``module`` on frame counts the trace did not see.

    Tracing records one run; a size computed in Python from the traced one would be frozen
    into the model, or an integer division exported with another rounding, and show only at
    other frame counts. So the model runs on a longer odd number of frames and a very short
    one, recordings of several lengths each, and must give ``module``'s probabilities.
    """
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    _, traced_frames, n_joints, n_coords = example_shape
    for n_frames in (2 * traced_frames + 1, 3):
        positions = rng.normal(size=(3, n_frames, n_joints, n_coords)).astype(np.float32)
        lengths = np.array([n_frames, (n_frames + 1) // 2, 1], dtype=np.int64)
        positions[np.arange(n_frames)[None, :] >= lengths[:, None]] = 0.0
        with torch.no_grad():
            expected = module(torch.from_numpy(positions), torch.from_numpy(lengths)).numpy()
        try:
            (written,) = session.run([OUTPUT_NAME], {"positions": positions, "lengths": lengths})
            difference = float(np.max(np.abs(written - expected)))
        except Exception as error:  # onnxruntime's own failure: a shape frozen by the trace
            difference, detail = np.inf, f": {error}"
        else:
            detail = f" (largest difference {difference:.2g})"
        if not difference <= _TOLERANCE:
            raise RuntimeError(
                f"the exported model does not reproduce the estimator on recordings of "
                f"{n_frames} frames{detail}. The network computes something in a way that "
                "tracing cannot follow (a size computed in Python from the frames); the file "
                "was not written. Please report this with the estimator's parameters."
            )
