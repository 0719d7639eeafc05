"""Save fitted models to one ``.npz`` file and load them back, without pickle.

:func:`save` writes, and :func:`load` reads, a fitted network estimator (a classifier or an
:class:`~skgesture.estimators.AutoencoderPretrainer`), a fitted skgesture transformer, or a fitted
:class:`~sklearn.pipeline.Pipeline` of those; ``skgesture.save`` / ``skgesture.load`` are these
two functions and the estimators' ``save`` / ``load`` methods are shortcuts to them.

The file is a NumPy ``.npz`` archive that :func:`numpy.load` reads with ``allow_pickle=False``:
one unicode array ``skgesture_metadata`` holding one JSON document, and plain arrays. The JSON
is a tree of *nodes*, one per object, each naming its class in ``"class"``; the root node's
fields sit in the document itself, next to ``format``, ``format_version`` and the ``versions``
of the libraries the file was saved with. A node's arrays are stored under its *prefix*, which
is its place in the tree (the root's prefix is empty):

- a network estimator (a class of :mod:`skgesture._registry`): ``params`` (``get_params()``),
  ``attributes`` (scalar fitted attributes), ``classes_kind``, ``state_keys``, ``history`` and
  ``device``; arrays ``<prefix>classes_``, ``<prefix>channel_mean_``,
  ``<prefix>channel_scale_``, ``<prefix>feature_names_in_`` (when fitted on a table) and
  ``<prefix>state/<name>``, one per entry of the network's ``state_dict``. Parameters and
  fitted attributes that are estimators (an :class:`~skgesture.estimators.SSLClassifier`'s
  ``pretrainer`` and ``pretrainer_``) are nodes of their own in ``estimators``, with the prefix
  ``<prefix><name>/``; an unfitted one is marked ``"fitted": false`` and holds only ``params``;
- a transformer (:mod:`skgesture.preprocessing`): ``params`` and the JSON fitted attributes in
  ``attributes``; its fitted arrays are ``<prefix><attribute>``;
- ``"Pipeline"``: ``steps``, a list of ``[name, node]`` (``null`` or ``"passthrough"`` for an
  empty step), step ``i`` with the prefix ``<prefix>steps/<i>/``, and ``params``
  (``verbose``);
- ``"FrozenEstimator"`` (:class:`sklearn.frozen.FrozenEstimator`): ``estimator``, the node of
  the estimator it wraps, with the prefix ``<prefix>estimator/``.

A file whose root is one fitted classifier without nested estimators is written in format 1
(without ``fitted`` or ``estimators``), which every skgesture since persistence was added
reads; everything else is format 2.

Parameters are JSON values; tuples and dicts are tagged (``{"__tuple__": [...]}``,
``{"__dict__": [[key, value], ...]}``) so that they come back as such, and a
:class:`~skgesture.skeleton.Skeleton` is stored as
``{"__skeleton__": [name, joint_names, parents, mirror_pairs, up_axis, forward_axis]}`` and
rebuilt, with its own checks, on loading. Parameters that JSON cannot hold (callables, callback
objects, ``RandomState`` instances, skeleton-like objects of other classes) and steps of other
classes make :func:`save` refuse clearly; joblib/pickle stores such models.

Loading only ever instantiates skgesture's network estimators (from the registry) and
transformers, :class:`~sklearn.pipeline.Pipeline`, :class:`~sklearn.frozen.FrozenEstimator`
and :class:`~skgesture.skeleton.Skeleton`, so a file cannot make this code import or call
anything else. A file to load may come from a stranger, so nothing it declares is trusted.
:func:`load` checks, before building anything: each entry's .npy header against the bytes it
holds; the JSON's types and nesting; then, node by node, the parameters, by the class's own
validation; the fitted attributes and arrays against each other and against the limits below;
and every tensor's name, shape, dtype and finiteness against the network that the parameters
describe, built first on PyTorch's "meta" device, which allocates no memory. Each refusal is
one ``ValueError`` naming the file, the node (``in step 'clf', ...``) and the field, attribute
or tensor.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import reprlib
import tempfile
import threading
import warnings
import zipfile
import zlib
from numbers import Integral, Real

import numpy as np

from skgesture import _registry
from skgesture._device import resolve_device
from skgesture._registry import estimator_classes
from skgesture.estimators._input import RAW_INPUT, check_streams
from skgesture.skeleton import Skeleton
from skgesture.utils.validation import LAYOUTS

_FORMAT = "skgesture-classifier"
# Format 1: one classifier. Format 2: a tree of nodes (Pipelines, transformers, nested estimators).
_FORMAT_VERSIONS = (1, 2)
_METADATA_KEY = "skgesture_metadata"
_STATE_PREFIX = "state/"
# Fitted arrays of a network estimator stored as arrays of their own; every other fitted
# attribute goes into the JSON. Pretrainers have no classes_.
_ARRAY_ATTRIBUTES = ("classes_", "channel_mean_", "channel_scale_", "feature_names_in_")
_SCALAR_ATTRIBUTES = (
    "n_features_in_",
    "n_joints_",
    "n_coords_",
    "n_frames_",
    "_fitted_layout",
    "early_stopping_",
    "interrupted_",
    "n_iter_",
)
# Fitted attributes of the input features (topology and root joint), stored by every estimator
# since they exist; a file without them comes from a version whose estimators saw positions as
# given, and its missing input parameters take those values (RAW_INPUT).
_INPUT_ATTRIBUTES = ("skeleton_", "root_", "body_frame_", "streams_")
# Fitted attributes stored under the first format's names (files stay readable by older
# versions): name in the file -> name on the estimator.
_IN_MEMORY_NAMES = {"n_joints_": "n_joints_in_", "n_coords_": "n_coords_in_"}
# The skgesture transformers a file may hold (from skgesture.preprocessing), and their fitted
# attributes besides the ones every transformer has (_TRANSFORMER_COMMON).
_TRANSFORMER_ATTRIBUTES = {
    "SkeletonPadder": ("max_frames_",),
    "Flattener": ("input_shape_",),
    "SkeletonNormalizer": ("root_joint_", "up_axis_", "lateral_joints_"),
    "JointSelector": ("joint_indices_",),
    "FrameRateResampler": (),
    "JointImputer": ("fill_values_",),
}
_TRANSFORMER_COMMON = ("n_features_in_", "n_joints_in_", "n_coords_in_", "_tabular_in")
# Fitted attributes that hold an estimator, stored as nested nodes.
_ESTIMATOR_ATTRIBUTES = {"SSLClassifier": ("pretrainer_",)}


def _versions():
    import sklearn
    import skorch
    import torch

    from skgesture import __version__

    return {
        "skgesture": __version__,
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "skorch": skorch.__version__,
        "numpy": np.__version__,
    }


def _network_kinds():
    """``{class name: "classifier" or "pretrainer"}`` of the registered network estimators."""
    return {entry.name: entry.kind for entry in _registry.ESTIMATORS}


def _transformer_classes():
    from skgesture import preprocessing

    return {name: getattr(preprocessing, name) for name in _TRANSFORMER_ATTRIBUTES}


def _other_classes():
    """The scikit-learn classes a file may hold, by the name it gives them."""
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import Pipeline

    return {"Pipeline": Pipeline, "FrozenEstimator": FrozenEstimator}


# ------------------------------------------------------------------------- parameter codec
class _NotSerialisable(Exception):
    def __init__(self, where, value):
        super().__init__(where)
        self.where = where
        self.value = value


def _encode(value, where):
    """Turn a parameter value into JSON, tagging tuples, dicts and skeletons."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    if isinstance(value, list | tuple):
        items = [_encode(item, f"{where}[{index}]") for index, item in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            items.append([_encode(key, f"{where} key {key!r}"), _encode(item, f"{where}[{key!r}]")])
        return {"__dict__": items}
    if type(value) is Skeleton:
        fields = (
            value.name,
            list(value.joint_names),
            list(value.parents),
            [list(pair) for pair in value.mirror_pairs],
            value.up_axis,
            value.forward_axis,
        )
        return {"__skeleton__": [_encode(field, where) for field in fields]}
    raise _NotSerialisable(where, value)


def _history_default(value):
    """JSON fallback for the numpy scalars and arrays that skorch's history may hold."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"history entry {value!r} of type {type(value).__name__}")


# -------------------------------------------------------------------------------- saving
def _encode_classes(classes):
    if classes.dtype.kind in "biufUS":
        return classes, None
    # Labels of one type held in an object array (e.g. from pandas) come back as an object array.
    for kind, dtype in ((str, str), (bool, bool), (Integral, np.int64), (Real, np.float64)):
        if all(isinstance(label, kind) for label in classes):
            if kind is Integral and any(isinstance(label, bool) for label in classes):
                break
            return classes.astype(dtype), "object"
    kinds = sorted({type(label).__name__ for label in classes})
    raise ValueError(
        f"classes_ has dtype {classes.dtype} holding labels of type(s) {', '.join(kinds)}; "
        "save() stores only integer, float, boolean or string labels. Use joblib.dump to "
        "save this estimator."
    )


def _encode_history(estimator, subject):
    try:
        return json.loads(json.dumps(list(estimator.history_), default=_history_default))
    except TypeError as error:
        raise ValueError(
            f"Cannot save {subject}: its training history holds a value JSON cannot store "
            f"({error}); use joblib.dump."
        ) from None


def _subject(where, estimator):
    """How a message names the object being saved: its class, and its place in the tree."""
    name = type(estimator).__name__
    return f"{name} ({where})" if where else name


def _join(where, label):
    """The place in the tree of ``label`` inside the object at ``where``."""
    return f"{where}, {label}" if where else label


def _is_estimator(value):
    return hasattr(value, "get_params") and not isinstance(value, type)


def check_savable(estimator):
    """Refuse, with the message :func:`save` would give, an estimator whose parameters the
    pickle-free format cannot hold; callable before ``fit``."""
    _saved_params(estimator, _subject("", estimator))


def _saved_params(estimator, subject):
    """``get_params()`` as JSON values, and the parameters that are estimators (stored as nodes
    of their own); a ValueError says which parameter cannot be stored."""
    params, estimators = {}, {}
    for key, value in estimator.get_params(deep=False).items():
        if _is_estimator(value):
            _check_class(value, f"{subject}, parameter {key}")
            estimators[key] = value
            continue
        try:
            params[key] = _encode(value, key)
        except _NotSerialisable as error:
            raise ValueError(
                f"Cannot save {subject}: parameter {error.where}={error.value!r} is a "
                f"{type(error.value).__name__}, which save() cannot store without pickle. Set "
                "it to a plain value (string, number, None) before saving, or save the whole "
                "estimator with joblib.dump (which uses pickle)."
            ) from None
    if "net_params" in params:
        try:
            _check_net_params(estimator.net_params)
        except _Invalid as error:
            raise ValueError(
                f"Cannot save {subject}: {error}, so that load() never lets a file choose how "
                "data is loaded or where the network runs. Set net_params to those options "
                "only, or use joblib.dump (which uses pickle)."
            ) from None
    return params, estimators


def _check_class(obj, where):
    """Refuse an object of a class that a file may not hold."""
    name = type(obj).__name__
    allowed = {**estimator_classes(), **_transformer_classes(), **_other_classes()}
    if allowed.get(name) is not type(obj):
        full_name = f"{type(obj).__module__}.{name}"
        raise ValueError(
            f"Cannot save {where or full_name}: it is a {full_name}, but save() stores only "
            "skgesture's estimators and transformers, and Pipelines and FrozenEstimators of "
            "them; use joblib.dump (which uses pickle) for this model."
        )


def save(obj, path):
    """Write the fitted model ``obj`` to the file ``path``, without pickle.

    ``obj`` is a fitted skgesture estimator or transformer, or a fitted
    :class:`~sklearn.pipeline.Pipeline` of them (see the module documentation for the file).
    ``skgesture.save`` is this function.

    Parameters
    ----------
    obj : estimator or Pipeline
    path : str or path-like
        File to write (replaced if it exists); no suffix is added.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        When ``obj`` or one of its steps is not fitted.
    ValueError
        When a step is of another class, or a parameter, fitted attribute or the labels
        cannot be stored without pickle; the message names the step and the value.
    """
    arrays = {}
    root = _save_node(obj, "", arrays, "")
    is_one_classifier = (
        _network_kinds().get(root["class"]) == "classifier" and "estimators" not in root
    )
    metadata = {
        "format": _FORMAT,
        "format_version": 1 if is_one_classifier else 2,
        **root,
        "versions": _versions(),
    }
    arrays[_METADATA_KEY] = np.array(json.dumps(metadata))

    # Write next to the target and rename, so an error never leaves a half-written model behind.
    path = os.fspath(path)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _save_node(obj, prefix, arrays, where, allow_unfitted=False):
    """The JSON node of ``obj``; its arrays go into ``arrays`` under ``prefix``."""
    from sklearn.utils.validation import check_is_fitted

    _check_class(obj, where)
    name = type(obj).__name__
    if name == "Pipeline":
        return _save_pipeline(obj, prefix, arrays, where)
    if name == "FrozenEstimator":
        inner = _save_node(obj.estimator, f"{prefix}estimator/", arrays, _join(where, "estimator"))
        return {"class": name, "estimator": inner}
    if name in _TRANSFORMER_ATTRIBUTES:
        check_is_fitted(obj)
        return _save_transformer(obj, prefix, arrays, where)
    if allow_unfitted and not obj.__sklearn_is_fitted__():
        params, estimators = _saved_params(obj, _subject(where, obj))
        if estimators:
            raise ValueError(
                f"Cannot save {_subject(where, obj)}: an unfitted estimator's parameters "
                f"{sorted(estimators)} hold estimators; use joblib.dump."
            )
        return {"class": name, "params": params, "fitted": False}
    check_is_fitted(obj)
    return _save_network(obj, prefix, arrays, where)


def _save_pipeline(pipeline, prefix, arrays, where):
    subject = _subject(where, pipeline)
    if pipeline.memory is not None or getattr(pipeline, "transform_input", None) is not None:
        raise ValueError(
            f"Cannot save {subject}: memory and transform_input must be None, so that a file "
            "never chooses where to cache or what to route; use joblib.dump."
        )
    steps = []
    for index, (step_name, step) in enumerate(pipeline.steps):
        if step is None or (isinstance(step, str) and step == "passthrough"):
            steps.append([step_name, step])
            continue
        label = _join(where, f"step {step_name!r}")
        steps.append([step_name, _save_node(step, f"{prefix}steps/{index}/", arrays, label)])
    return {"class": "Pipeline", "steps": steps, "params": {"verbose": bool(pipeline.verbose)}}


def _save_network(estimator, prefix, arrays, where):
    name = type(estimator).__name__
    subject = _subject(where, estimator)
    is_classifier = _network_kinds()[name] == "classifier"
    params, estimators = _saved_params(estimator, subject)
    node = {"class": name, "params": params}
    if is_classifier:
        classes, node["classes_kind"] = _encode_classes(np.asarray(estimator.classes_))
        arrays[prefix + "classes_"] = classes
    for attribute in ("channel_mean_", "channel_scale_"):
        arrays[prefix + attribute] = np.asarray(getattr(estimator, attribute))
    if hasattr(estimator, "feature_names_in_"):
        arrays[prefix + "feature_names_in_"] = np.asarray(estimator.feature_names_in_).astype(str)
    state = estimator.net_.module_.state_dict()
    for key, tensor in state.items():
        arrays[prefix + _STATE_PREFIX + key] = tensor.detach().cpu().numpy()

    attributes = {}
    for attribute in _SCALAR_ATTRIBUTES + getattr(type(estimator), "_saved_attributes", ()):
        value = _file_attribute(estimator, attribute)
        attributes[attribute] = value.item() if isinstance(value, np.generic) else value
    attributes["skeleton_"] = _encode(estimator.skeleton_, _join(where, "skeleton_"))
    attributes["root_"] = int(estimator.root_)
    attributes["body_frame_"] = bool(estimator.body_frame_)
    attributes["streams_"] = list(estimator.streams_)
    node.update(
        attributes=attributes,
        state_keys=list(state),
        history=_encode_history(estimator, subject),
        device=str(estimator.net_.device),
    )
    for attribute in _ESTIMATOR_ATTRIBUTES.get(name, ()):
        if hasattr(estimator, attribute):
            estimators[attribute] = getattr(estimator, attribute)
    if estimators:
        node["estimators"] = {
            key: _save_node(
                value,
                f"{prefix}{key}/",
                arrays,
                _join(where, key),
                allow_unfitted=not key.endswith("_"),
            )
            for key, value in estimators.items()
        }
    return node


def _file_attribute(estimator, name):
    """A fitted attribute under its name in the file (the first format's names, which older
    versions read): the estimators' ``n_joints_in_`` is stored as ``n_joints_``, and
    ``_tabular_in`` as the layout ``_fitted_layout``."""
    if name == "_fitted_layout":
        return "2d" if estimator._tabular_in else "4d"
    return getattr(estimator, _IN_MEMORY_NAMES.get(name, name))


def _save_transformer(transformer, prefix, arrays, where):
    name = type(transformer).__name__
    subject = _subject(where, transformer)
    params, estimators = _saved_params(transformer, subject)
    if estimators:
        raise ValueError(
            f"Cannot save {subject}: its parameters {sorted(estimators)} hold estimators; use "
            "joblib.dump (which uses pickle)."
        )
    known = _TRANSFORMER_COMMON + ("feature_names_in_",) + _TRANSFORMER_ATTRIBUTES[name]
    attributes = {}
    for attribute, value in vars(transformer).items():
        if attribute in params:
            continue
        if attribute not in known:
            raise ValueError(
                f"Cannot save {subject}: its attribute {attribute} is not one of the fitted "
                f"attributes of a {name} that save() stores ({', '.join(known)}); use "
                "joblib.dump (which uses pickle)."
            )
        if isinstance(value, np.ndarray):
            if value.dtype.kind == "O" and all(isinstance(item, str) for item in value.flat):
                value = value.astype(str)
            if value.dtype.kind not in "biufU":
                raise ValueError(
                    f"Cannot save {subject}: its attribute {attribute} is an array of dtype "
                    f"{value.dtype}, which save() cannot store without pickle; use joblib.dump."
                )
            arrays[prefix + attribute] = value
            continue
        try:
            attributes[attribute] = _encode(value, attribute)
        except _NotSerialisable as error:
            raise ValueError(
                f"Cannot save {subject}: its attribute {error.where}={error.value!r} is a "
                f"{type(error.value).__name__}, which save() cannot store without pickle; "
                "use joblib.dump (which uses pickle)."
            ) from None
    return {"class": name, "params": params, "attributes": attributes}


# ------------------------------------------------------------------------------- loading
# Bounds on what a file declares that neither its bytes nor its tensors vouch for.
# An hour of motion capture at 240 Hz is under a million frames.
_MAX_FRAMES = 1_000_000
# save() writes entries uncompressed; np.savez_compressed shrinks a model a few-fold, a zip bomb
# a thousandfold.
_MAX_EXPANSION = 20
# Parameters and history nest a handful of levels; deeper JSON is crafted.
_MAX_DEPTH = 32
# The skorch options (net_params) a model file may hold.
_NET_PARAM_PREFIXES = ("optimizer__", "criterion__")
# What save() writes: numbers and booleans, and strings for classes_ and feature_names_in_.
_ARRAY_KINDS = "biufUS"
_FLOAT_DTYPES = tuple(np.dtype(dtype) for dtype in (np.float16, np.float32, np.float64))
_DEVICE = re.compile(r"cpu|(cuda|mps)(:\d+)?")


class _Invalid(Exception):
    """Why a model file is refused; :func:`load` puts the file's name in front of it."""


def _describe(value):
    """A JSON value as an error message shows it: a short repr and its JSON type."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return f"{reprlib.repr(value)} (a JSON {kinds.get(type(value), 'number')})"


# ------------------------------------------------------------------- the archive and its JSON
def _npy_header(entry):
    """Shape, dtype and header length of the .npy array that the open file ``entry`` holds."""
    version = np.lib.format.read_magic(entry)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(entry)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(entry)
    else:
        raise ValueError(f".npy format version {version} is not one that np.savez writes")
    return shape, dtype, entry.tell()


def _check_entries(archive, file_size):
    """Check each entry's declared array against the bytes it holds, before any is read.

    numpy allocates the array that a .npy header declares before reading its data, so a small
    crafted file could otherwise make it allocate gigabytes. Returns the entries by array name.
    """
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > _MAX_EXPANSION * file_size:
        raise _Invalid(
            f"its entries expand to {expanded} bytes, over {_MAX_EXPANSION} times the "
            f"{file_size} bytes of the file"
        )
    entries = {}
    for info in archive.infolist():
        name = info.filename.removesuffix(".npy")
        if name == info.filename or name in entries:
            raise _Invalid(
                f"its entry {info.filename!r} is not one of the distinct .npy arrays that "
                "np.savez writes"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Invalid(f"its entry {name!r} uses a compression that np.savez never writes")
        with archive.open(info) as entry:
            shape, dtype, header_size = _npy_header(entry)
        if dtype.kind not in _ARRAY_KINDS or dtype.itemsize == 0:
            raise _Invalid(f"its entry {name!r} has dtype {dtype}, which save() never writes")
        declared, held = math.prod(shape) * dtype.itemsize, info.file_size - header_size
        if declared != held:
            raise _Invalid(
                f"its entry {name!r} declares an array of shape {shape} and dtype {dtype} "
                f"({declared} bytes) but holds {held} bytes"
            )
        entries[name] = info
    return entries


def _read_array(archive, info):
    with archive.open(info) as entry:
        array = np.lib.format.read_array(entry, allow_pickle=False)
    # Arrays saved on a big-endian machine are made native, as torch needs them.
    return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))


def _read(path):
    """The metadata and the arrays of the file, each entry's size checked before it is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = _check_entries(archive, os.path.getsize(path))
            arrays = {name: _read_array(archive, info) for name, info in entries.items()}
    except FileNotFoundError:
        raise
    except (OSError, EOFError, ValueError, RuntimeError, zipfile.BadZipFile, zlib.error) as error:
        raise _Invalid(
            f"it cannot be read as an .npz archive ({error}); it may be truncated or not "
            "written by save()"
        ) from error
    return _parse_metadata(arrays.pop(_METADATA_KEY, None)), arrays


def _parse_metadata(entry):
    if entry is None or entry.dtype.kind != "U" or entry.shape != ():
        raise _Invalid(f"it lacks the {_METADATA_KEY!r} entry that save() writes")
    try:
        metadata = json.loads(str(entry))
    except RecursionError:
        raise _Invalid(f"its {_METADATA_KEY!r} entry nests JSON too deeply") from None
    except ValueError as error:
        raise _Invalid(f"its {_METADATA_KEY!r} entry is not JSON ({error})") from None
    if not isinstance(metadata, dict) or metadata.get("format") != _FORMAT:
        raise _Invalid(
            f"its {_METADATA_KEY!r} entry is not the JSON object, marked "
            f"format={_FORMAT!r}, that save() writes"
        )
    version = metadata.get("format_version")
    if isinstance(version, bool) or version not in _FORMAT_VERSIONS:
        raise _Invalid(
            f"it uses skgesture model format version {_describe(version)}, which this version "
            f"of skgesture (formats {', '.join(map(str, _FORMAT_VERSIONS))}) cannot read"
        )
    _check_nesting(metadata)
    _check_fields(metadata, ("versions",))
    return metadata


def _check_nesting(metadata):
    """Refuse JSON nested deeper than :data:`_MAX_DEPTH`, which the recursive decoding needs."""
    pending = [(metadata, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > _MAX_DEPTH:
            raise _Invalid(f"its metadata nests JSON deeper than {_MAX_DEPTH} levels")
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            pending.extend((child, depth + 1) for child in children)


def _are_distinct_names(value):
    return (
        isinstance(value, list)
        and all(isinstance(key, str) for key in value)
        and len(set(value)) == len(value)
    )


# What each metadata field must be, checked before anything reads it.
_METADATA_FIELDS = {
    "class": ("a class name (a string)", lambda value: isinstance(value, str)),
    "steps": (
        "an array of [name, step] pairs",
        lambda value: (
            isinstance(value, list)
            and all(isinstance(pair, list) and len(pair) == 2 for pair in value)
        ),
    ),
    "estimator": ("an object", lambda value: isinstance(value, dict)),
    "estimators": ("an object", lambda value: isinstance(value, dict)),
    "params": ("an object", lambda value: isinstance(value, dict)),
    "attributes": ("an object", lambda value: isinstance(value, dict)),
    "classes_kind": ('null or "object"', lambda value: value is None or value == "object"),
    "state_keys": ("an array of distinct tensor names", _are_distinct_names),
    "history": (
        "an array of objects, one per epoch",
        lambda value: isinstance(value, list) and all(isinstance(row, dict) for row in value),
    ),
    "device": (
        'a torch device: "cpu", "cuda", "cuda:<index>" or "mps"',
        lambda value: isinstance(value, str) and _DEVICE.fullmatch(value) is not None,
    ),
    "versions": (
        "an object of version strings",
        lambda value: (
            isinstance(value, dict) and all(isinstance(version, str) for version in value.values())
        ),
    ),
}


# The fields of each kind of node.
_NETWORK_FIELDS = ("class", "params", "attributes", "state_keys", "history", "device")
_NODE_FIELDS = {
    "classifier": (*_NETWORK_FIELDS, "classes_kind"),
    "pretrainer": _NETWORK_FIELDS,
    "unfitted": ("class", "params"),
    "transformer": ("class", "params", "attributes"),
    "Pipeline": ("class", "steps", "params"),
    "FrozenEstimator": ("class", "estimator"),
}


def _check_fields(metadata, fields):
    for field in fields:
        expected, is_valid = _METADATA_FIELDS[field]
        if field not in metadata:
            raise _Invalid(f"its metadata lacks the field {field!r}")
        if not is_valid(metadata[field]):
            raise _Invalid(
                f"metadata field {field!r} must be {expected}; it is {_describe(metadata[field])}"
            )


# ------------------------------------------------------------------------------ parameters
def _decode(value, where):
    """Invert :func:`_encode`, refusing JSON that it cannot have written."""
    if isinstance(value, list):
        return [_decode(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    tag, items = next(iter(value.items()), (None, None))
    tags = ("__tuple__", "__dict__", "__skeleton__")
    if len(value) != 1 or tag not in tags or not isinstance(items, list):
        raise _Invalid(f"{where} is a JSON object that save() does not write: {_describe(value)}")
    if tag == "__skeleton__":
        return _decode_skeleton(items, where)
    if tag == "__tuple__":
        return tuple(_decode(item, f"{where}[{index}]") for index, item in enumerate(items))
    decoded = {}
    for pair in items:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise _Invalid(f"{where} holds {_describe(pair)} where a [key, value] pair belongs")
        key = _decode(pair[0], f"{where} key")
        try:
            hash(key)
        except TypeError:
            raise _Invalid(f"{where} has the unhashable key {reprlib.repr(key)}") from None
        decoded[key] = _decode(pair[1], f"{where}[{reprlib.repr(key)}]")
    return decoded


def _decode_skeleton(fields, where):
    """A :class:`~skgesture.skeleton.Skeleton`, which checks its own fields."""
    if len(fields) != 6 or not isinstance(fields[0], str):
        raise _Invalid(
            f"{where} must list a skeleton's name (a string), joint_names, parents, "
            f"mirror_pairs, up_axis and forward_axis; it is {_describe(fields)}"
        )
    try:
        return Skeleton(*fields)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"{where} is not a valid skeleton ({error})") from None


def _decode_params(estimator_cls, params):
    unknown = sorted(set(params) - set(estimator_cls._get_param_names()))
    if unknown:
        raise _Invalid(
            f"metadata field 'params' names {reprlib.repr(unknown)}, which are not "
            f"parameters of {estimator_cls.__name__}"
        )
    params = {name: _decode(value, f"params[{name!r}]") for name, value in params.items()}
    if hasattr(estimator_cls, "_complete_older_params"):
        estimator_cls._complete_older_params(params)
    return params


def _check_params(estimator, kind):
    """The estimator's own validation of its parameters, and the limits of a loaded model."""
    try:
        estimator._validate_params()
        # What fit checks before reading any data: the network's settings, or the augmenter.
        if kind == "classifier":
            estimator._check_network_params()
        else:
            estimator._make_augmenter()
    except (TypeError, ValueError) as error:
        raise _Invalid(f"its params are invalid: {error}") from error
    if estimator.callbacks:
        raise _Invalid("params['callbacks'] lists callbacks, which save() cannot store")
    _check_net_params(estimator.net_params)


def _check_net_params(net_params):
    """A model file's skorch options may tune the optimiser and the loss, nothing else.

    Other options decide how data is loaded (``iterator_valid__num_workers=10**6`` would spawn
    a million processes), which module is built or where it runs: a file never chooses those.
    """
    refused = [key for key in (net_params or {}) if not str(key).startswith(_NET_PARAM_PREFIXES)]
    if refused:
        raise _Invalid(
            f"params['net_params'] sets {reprlib.repr(refused)}; a model file may set only "
            f"options starting with {' or '.join(_NET_PARAM_PREFIXES)}"
        )


# ----------------------------------------------------------------------- fitted attributes
def _is_integer(value, minimum=0, maximum=math.inf):
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def _integer(minimum, maximum=math.inf):
    """What an integer attribute must be: its description and its test."""
    bounds = f">= {minimum}" if maximum == math.inf else f"from {minimum} to {maximum}"
    return f"an integer {bounds}", lambda value: _is_integer(value, minimum, maximum)


_TRUNK_SIZES = {
    "n_filters": _integer(1),
    "n_blocks": _integer(0),
    "kernel_size": _integer(1),
    "downsample": _integer(1, 2**16),
}
# Trunk sizes that files from older versions lack, and the value those versions used.
_OLDER_TRUNK_SIZES = {"downsample": 1}

_SAFEGUARD_FIELDS = {
    "chosen": lambda value: value in ("ssl", "supervised"),
    "ssl_cv_accuracy": lambda value: value is None or _is_fraction(value),
    "supervised_cv_accuracy": lambda value: value is None or _is_fraction(value),
    "n_folds": lambda value: _is_integer(value, 0, 3),
    "n_scored": lambda value: _is_integer(value, 0, math.inf),
    "reason": lambda value: isinstance(value, str),
}


def _is_fraction(value):
    return isinstance(value, float) and 0.0 <= value <= 1.0


# What each fitted attribute stored in the JSON must be.
_ATTRIBUTES = {
    "n_features_in_": _integer(1),
    "n_joints_": _integer(1),
    "n_coords_": _integer(1),
    "n_frames_": _integer(1, _MAX_FRAMES),
    "_fitted_layout": (
        " or ".join(repr(layout) for layout in LAYOUTS),
        lambda value: isinstance(value, str) and value in LAYOUTS,
    ),
    "early_stopping_": ("true or false", lambda value: isinstance(value, bool)),
    "interrupted_": ("true or false", lambda value: isinstance(value, bool)),
    "n_iter_": _integer(0),
    "n_labeled_": _integer(1),
    "downsample_": _integer(1, 2**16),
    "n_pseudo_labeled_": _integer(0),
    "safeguard_": (
        "null or an object of " + ", ".join(_SAFEGUARD_FIELDS),
        lambda value: (
            value is None
            or (
                isinstance(value, dict)
                and set(value) == set(_SAFEGUARD_FIELDS)
                and all(is_valid(value[name]) for name, is_valid in _SAFEGUARD_FIELDS.items())
            )
        ),
    ),
    "trunk_sizes_": (
        "an object of " + ", ".join(f"{name} ({test[0]})" for name, test in _TRUNK_SIZES.items()),
        lambda value: (
            isinstance(value, dict)
            and set(_TRUNK_SIZES) - set(_OLDER_TRUNK_SIZES) <= set(value) <= set(_TRUNK_SIZES)
            and all(
                is_valid(value[name])
                for name, (_, is_valid) in _TRUNK_SIZES.items()
                if name in value
            )
        ),
    ),
}


def _check_input_attributes(attributes, params):
    """Decode and check what the network sees; fill in what files from before it hold."""
    present = [name for name in _INPUT_ATTRIBUTES if name in attributes]
    if not present:
        for name, value in RAW_INPUT.items():
            params.setdefault(name, value)
        return {"body_frame_": RAW_INPUT["body_frame"], "streams_": RAW_INPUT["streams"]}
    if len(present) != len(_INPUT_ATTRIBUTES):
        raise _Invalid(
            f"metadata field 'attributes' has {present} but not all of {list(_INPUT_ATTRIBUTES)}"
        )
    skeleton = _decode(attributes["skeleton_"], "attribute skeleton_")
    n_joints = attributes.get("n_joints_")
    if type(skeleton) is not Skeleton or skeleton.n_joints != n_joints:
        raise _Invalid(
            f"attribute skeleton_ must be a skeleton of n_joints_={n_joints} joints; it is "
            f"{_describe(attributes['skeleton_'])}"
        )
    root = attributes["root_"]
    if not _is_integer(root, 0, n_joints - 1):
        raise _Invalid(
            f"attribute root_ must be a joint index below {n_joints}; it is {_describe(root)}"
        )
    if not isinstance(attributes["body_frame_"], bool):
        raise _Invalid(
            f"attribute body_frame_ must be true or false; it is "
            f"{_describe(attributes['body_frame_'])}"
        )
    try:
        streams = check_streams(attributes["streams_"])
    except (TypeError, ValueError) as error:
        raise _Invalid(f"attribute streams_ is invalid ({error})") from None
    return {
        "skeleton_": skeleton,
        "root_": root,
        "body_frame_": attributes["body_frame_"],
        "streams_": streams,
    }


def _check_attributes(estimator_cls, attributes):
    attributes = {key: value for key, value in attributes.items() if key not in _INPUT_ATTRIBUTES}
    expected = _SCALAR_ATTRIBUTES + getattr(estimator_cls, "_saved_attributes", ())
    unknown = sorted(set(attributes) - set(expected))
    missing = [name for name in expected if name not in attributes]
    if unknown or missing:
        raise _Invalid(
            f"metadata field 'attributes' must hold exactly the fitted attributes of a "
            f"{estimator_cls.__name__} ({', '.join(expected)}); it lacks {missing} and has "
            f"unknown {reprlib.repr(unknown)}"
        )
    for name in expected:
        description, is_valid = _ATTRIBUTES[name]
        if not is_valid(attributes[name]):
            raise _Invalid(
                f"attribute {name} must be {description}; it is {_describe(attributes[name])}"
            )
    _check_input_sizes(attributes)
    return attributes


def _check_input_sizes(attributes):
    """The input sizes must agree with each other as fit leaves them."""
    n_features, n_joints, n_coords, n_frames = (
        attributes[name] for name in ("n_features_in_", "n_joints_", "n_coords_", "n_frames_")
    )
    if attributes["_fitted_layout"] == "2d":
        # A column is a frame: recordings of one joint with one coordinate.
        if (n_joints, n_coords) != (1, 1) or not n_frames <= n_features <= _MAX_FRAMES:
            raise _Invalid(
                "a model fitted on 2-D input has n_joints_ = n_coords_ = 1 and n_frames_ <= "
                f"n_features_in_ <= {_MAX_FRAMES}, not n_joints_={n_joints}, "
                f"n_coords_={n_coords}, n_frames_={n_frames}, n_features_in_={n_features}"
            )
    elif n_features != n_joints * n_coords:
        raise _Invalid(
            f"n_features_in_={n_features} is not n_joints_ * n_coords_ = {n_joints} * {n_coords}"
        )


def _check_classes(classes, classes_kind):
    if classes is None:
        raise _Invalid("it lacks the classes_ array")
    if classes.ndim != 1 or len(classes) < 2:
        raise _Invalid(f"classes_ must list at least 2 labels; it has shape {classes.shape}")
    if classes.dtype.kind == "f" and not np.isfinite(classes).all():
        raise _Invalid("classes_ holds NaN or infinite labels")
    if not np.array_equal(np.unique(classes), classes):
        raise _Invalid("classes_ must hold distinct labels in sorted order, as fit learns them")
    return classes.astype(object) if classes_kind == "object" else classes


def _check_standardisation(arrays, attributes, n_streams):
    """One mean and scale per input channel: per joint, its coordinates times the streams."""
    shape = (attributes["n_joints_"], attributes["n_coords_"] * n_streams)
    for name in ("channel_mean_", "channel_scale_"):
        array = arrays.get(name)
        if array is None:
            raise _Invalid(f"it lacks the {name} array")
        if array.shape != shape or array.dtype not in _FLOAT_DTYPES:
            raise _Invalid(
                f"{name} must be a float array of shape (n_joints_, n_coords_ * n_streams) = "
                f"{shape}; it has shape {array.shape} and dtype {array.dtype}"
            )
        if not np.isfinite(array).all():
            raise _Invalid(f"{name} holds NaN or infinite values")
    if (arrays["channel_scale_"] <= 0).any():
        raise _Invalid("channel_scale_ holds values <= 0, where standard deviations belong")
    return {name: arrays[name] for name in ("channel_mean_", "channel_scale_")}


def _check_feature_names(names, attributes):
    if attributes["_fitted_layout"] != "2d":
        raise _Invalid(
            "it holds feature_names_in_, which only a model fitted on 2-D input has, but "
            f"_fitted_layout is {attributes['_fitted_layout']!r}"
        )
    if names.dtype.kind != "U" or names.shape != (attributes["n_features_in_"],):
        raise _Invalid(
            f"feature_names_in_ must hold n_features_in_={attributes['n_features_in_']} "
            f"strings; it has shape {names.shape} and dtype {names.dtype}"
        )
    return names.astype(object)


def _refuse_unexpected(names):
    if names:
        raise _Invalid(f"it holds arrays that save() never writes: {reprlib.repr(sorted(names))}")


def _fitted_arrays(arrays, attributes, classes_kind, kind, n_streams=1):
    """The fitted arrays, checked against each other and against the attributes."""
    expected = _ARRAY_ATTRIBUTES if kind == "classifier" else _ARRAY_ATTRIBUTES[1:]
    _refuse_unexpected(
        [name for name in arrays if name not in expected and not name.startswith(_STATE_PREFIX)]
    )
    fitted = {}
    if kind == "classifier":
        fitted["classes_"] = _check_classes(arrays.get("classes_"), classes_kind)
    fitted.update(_check_standardisation(arrays, attributes, n_streams))
    if "feature_names_in_" in arrays:
        fitted["feature_names_in_"] = _check_feature_names(arrays["feature_names_in_"], attributes)
    return fitted


# --------------------------------------------------------------------------------- weights
@contextlib.contextmanager
def _tensor_budget(limit):
    """Stop building a module, in this thread, once it has registered ``limit`` tensors."""
    from torch.nn.modules import module as torch_module

    thread, count = threading.get_ident(), 0

    def count_tensor(module, name, tensor):
        nonlocal count
        if tensor is None or threading.get_ident() != thread:
            return
        count += 1
        if count > limit:
            raise _Invalid(
                f"its params describe a network of more than {limit} tensors, far more than "
                "the file stores"
            )

    handles = [
        torch_module.register_module_parameter_registration_hook(count_tensor),
        torch_module.register_module_buffer_registration_hook(count_tensor),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _expected_state(net, n_stored):
    """Name -> (shape, dtype) of the state_dict that ``net`` will have, without building it.

    The module is built on PyTorch's "meta" device, whose tensors have shapes but no memory, so
    huge sizes in a file cost nothing here; the build stops early when it registers far more
    tensors than the file stores.
    """
    import torch

    module, kwargs = net.module, net.get_params_for("module")
    if not (isinstance(module, type) and issubclass(module, torch.nn.Module)):
        raise _Invalid(f"its params name the module {_describe(module)}, not a torch module")
    try:
        with _tensor_budget(2 * n_stored + 16), torch.device("meta"):
            network = module(**kwargs)
    except (TypeError, ValueError, RuntimeError, OverflowError) as error:
        raise _Invalid(f"its params do not describe a network ({error})") from error
    return {
        key: (tuple(tensor.shape), tensor.dtype) for key, tensor in network.state_dict().items()
    }


def _check_tensor(name, array, shape, dtype, network):
    if array.shape != shape:
        raise _Invalid(f"tensor {name!r} has shape {array.shape}, but {network} has {shape}")
    if not dtype.is_floating_point:
        if array.dtype.kind != "i":
            raise _Invalid(f"tensor {name!r} has dtype {array.dtype}, where {network} has {dtype}")
        return
    if array.dtype not in _FLOAT_DTYPES:
        raise _Invalid(f"tensor {name!r} has dtype {array.dtype}, where {network} has {dtype}")
    if not np.isfinite(array).all():
        raise _Invalid(f"tensor {name!r} holds NaN or infinite values")
    if name.endswith(".running_var") and (array < 0).any():
        raise _Invalid(f"tensor {name!r} holds negative variances")


def _state_dict(net, arrays, state_keys, network):
    """The stored tensors, once each matches the network ``net`` builds, by name and shape."""
    import torch

    stored = {
        name.removeprefix(_STATE_PREFIX): array
        for name, array in arrays.items()
        if name.startswith(_STATE_PREFIX)
    }
    if set(stored) != set(state_keys):
        raise _Invalid(
            "metadata field 'state_keys' does not list the file's tensors: it lists "
            f"{reprlib.repr(sorted(set(state_keys) - set(stored)))} that the file lacks and "
            f"omits {reprlib.repr(sorted(set(stored) - set(state_keys)))}"
        )
    expected = _expected_state(net, len(stored))
    missing = [key for key in expected if key not in stored]
    unexpected = [key for key in stored if key not in expected]
    if missing or unexpected:
        raise _Invalid(
            f"its tensors are not those of {network}: it lacks {reprlib.repr(missing)} and "
            f"has unexpected {reprlib.repr(unexpected)}"
        )
    for key, (shape, dtype) in expected.items():
        _check_tensor(_STATE_PREFIX + key, stored[key], shape, dtype, network)
    return {key: torch.from_numpy(stored[key]) for key in expected}


# ---------------------------------------------------------------------------------- load
def _check_versions(path, saved, stacklevel):
    current = _versions()
    differ = [
        f"{name} {saved.get(name)} (now {version})"
        for name, version in current.items()
        if saved.get(name) != version
    ]
    if differ:
        warnings.warn(
            f"{path} was saved with {', '.join(differ)}; loading it anyway, but check its "
            "predictions.",
            UserWarning,
            stacklevel=stacklevel,
        )


def _pick_device(path, saved, device):
    """Where a loaded network goes: ``device`` when given ("auto": CUDA when there is one),
    else where it was saved (the CPU, with a warning, when that was CUDA and there is none)."""
    import torch

    if device is not None:
        return resolve_device(device)
    if saved.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"{path} was saved from a model on {saved}, but torch finds no CUDA device here; "
            "the model is loaded on the CPU.",
            UserWarning,
            stacklevel=6,
        )
        return "cpu"
    return saved


def load(path, cls=None, device=None):
    """Read a model written by :func:`save`; ``skgesture.load`` is this function.

    Parameters
    ----------
    path : str or path-like
        File written by :func:`save` (or by an estimator's ``save``).
    cls : class, default=None
        The class the file must hold (the estimators' ``load`` pass their own); None takes
        whatever the file holds.
    device : {"auto", "cpu", "cuda"} or None, default=None
        Where every network of the model goes; it also becomes each network estimator's
        ``device`` parameter. None puts each where it was saved from (the CPU, with a
        warning, when that was a CUDA device and there is none here).

    Returns
    -------
    estimator or Pipeline
        The fitted model; its predictions equal the saved one's. A file saved under other
        library versions loads with a warning.

    Raises
    ------
    ValueError
        When the file is damaged, not a skgesture model, or holds another class than ``cls``.
        Nothing the file declares is trusted (see the module documentation); a file that fails
        a check is refused with a message naming the file and the step, field or tensor at
        fault, before anything it describes is built.
    """
    if device not in (None, "auto", "cpu", "cuda"):
        raise ValueError(
            f"device={device!r} is not understood; expected None, 'auto', 'cpu' or 'cuda'."
        )
    if device is not None:
        resolve_device(device)  # "cuda" without CUDA is refused before the file is read
    try:
        model, versions = _load(path, cls, device)
    except _Invalid as error:
        raise ValueError(f"{path} is not a valid skgesture model file: {error}.") from (
            error.__cause__
        )
    # Only a file that loads is worth a warning about the versions it was saved with: the
    # user's call is 2 frames up, or 3 through an estimator's load.
    _check_versions(path, versions, stacklevel=3 if cls is None else 4)
    return model


def _load(path, cls, device):
    metadata, arrays = _read(path)
    _check_fields(metadata, ("class",))
    name = metadata["class"]
    if metadata["format_version"] == 1 and _network_kinds().get(name) != "classifier":
        raise _Invalid(f"it names the unknown class {name!r}; only skgesture's classifiers load")
    if cls is not None:
        known = {**estimator_classes(), **_transformer_classes(), **_other_classes()}
        if name in known and not issubclass(known[name], cls):
            raise ValueError(
                f"{path} holds a {name}, not a {cls.__name__}; load it with skgesture.load."
            )
    return _load_node(metadata, arrays, path, device), metadata["versions"]


@contextlib.contextmanager
def _within(label):
    """Name the node at fault in the refusals of a nested node."""
    try:
        yield
    except _Invalid as error:
        raise _Invalid(f"in {label}, {error}") from error.__cause__


def _split(arrays, prefixes):
    """The arrays under each prefix (of the form ``a/`` or ``a/b/``), prefix removed, and the
    arrays under none of them."""
    parts = {prefix: {} for prefix in prefixes}
    rest = {}
    for name, array in arrays.items():
        first = name.find("/")
        second = name.find("/", first + 1)
        for end in (first, second):
            if end >= 0 and name[: end + 1] in parts:
                parts[name[: end + 1]][name[end + 1 :]] = array
                break
        else:
            rest[name] = array
    return parts, rest


def _load_node(node, arrays, path, device, allow_unfitted=False):
    """The object that ``node`` describes, its ``arrays`` keyed without the node's prefix."""
    if not isinstance(node, dict):
        raise _Invalid(f"it holds {_describe(node)} where a JSON object describing a step belongs")
    _check_fields(node, ("class",))
    name = node["class"]
    kind = _network_kinds().get(name)
    if kind is not None:
        if node.get("fitted", True) is not False:
            return _load_network(node, arrays, path, device, kind)
        if not allow_unfitted:
            raise _Invalid(f"it holds an unfitted {name} where a fitted one belongs")
        return _load_unfitted(node, arrays)
    if name in _TRANSFORMER_ATTRIBUTES:
        return _load_transformer(node, arrays)
    if name == "Pipeline":
        return _load_pipeline(node, arrays, path, device)
    if name == "FrozenEstimator":
        _check_fields(node, _NODE_FIELDS[name])
        parts, rest = _split(arrays, ["estimator/"])
        _refuse_unexpected(rest)
        with _within("the estimator of a FrozenEstimator"):
            estimator = _load_node(node["estimator"], parts["estimator/"], path, device)
        return _other_classes()["FrozenEstimator"](estimator)
    raise _Invalid(
        f"it names the unknown class {name!r}; only skgesture's estimators and transformers, "
        "Pipeline and FrozenEstimator load"
    )


# ------------------------------------------------------------------------- network nodes
def _load_network(node, arrays, path, device, kind):
    import torch
    from skorch.history import History

    _check_fields(node, _NODE_FIELDS[kind])
    name = node["class"]
    estimator_cls = estimator_classes()[name]
    params = _decode_params(estimator_cls, node["params"])
    nested = _nested_estimators(node, estimator_cls, params)
    parts, arrays = _split(arrays, [f"{key}/" for key in nested])
    for key in set(nested) & set(estimator_cls._get_param_names()):
        with _within(f"params[{key!r}]"):
            params[key] = _load_node(nested[key], parts[f"{key}/"], path, device, True)
    if device is not None:
        params["device"] = device
    raw = node["attributes"] if isinstance(node["attributes"], dict) else {}
    if isinstance(node["attributes"], dict):
        estimator_cls._complete_older_attributes(node["attributes"], params)
    attributes = _check_attributes(estimator_cls, node["attributes"])
    if isinstance(attributes.get("trunk_sizes_"), dict):
        attributes["trunk_sizes_"] = {**_OLDER_TRUNK_SIZES, **attributes["trunk_sizes_"]}
    topology = _check_input_attributes(raw, params)
    estimator = estimator_cls(**params)
    _check_params(estimator, kind)
    try:
        check_streams(estimator.streams)
    except ValueError as error:
        raise _Invalid(f"its params are invalid ({error})") from None
    for attribute, value in topology.items():
        setattr(estimator, attribute, value)
    n_streams = len(estimator.streams_)
    fitted = _fitted_arrays(arrays, attributes, node.get("classes_kind"), kind, n_streams)
    for attribute, value in {**attributes, **fitted}.items():
        if attribute == "_fitted_layout":
            estimator._tabular_in = value == "2d"
        else:
            setattr(estimator, _IN_MEMORY_NAMES.get(attribute, attribute), value)

    target = _pick_device(path, node["device"], device)
    try:
        net = estimator._rebuild_net(target)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"its params do not make a network ({error})") from error
    # net_params may name a device of their own.
    if _DEVICE.fullmatch(str(net.device)) is None:
        raise _Invalid(f"its params put the network on the device {_describe(net.device)}")
    classes = f", {len(estimator.classes_)} classes" if kind == "classifier" else ""
    network = (
        f"the network of a {name} with these params{classes}, n_joints_="
        f"{estimator.n_joints_in_}, n_coords_={estimator.n_coords_in_} and n_frames_="
        f"{estimator.n_frames_}"
    )
    state = _state_dict(net, arrays, node["state_keys"], network)
    try:
        # Building a net draws from torch's global generator; leave the caller's untouched.
        with torch.random.fork_rng(devices=[]):
            net.initialize()
        net.module_.load_state_dict(state)
    except (TypeError, ValueError, RuntimeError) as error:
        raise _Invalid(f"its network cannot be built ({error})") from error
    net.history = History(node["history"])
    estimator.net_ = net
    estimator.history_ = net.history
    for key in set(nested) - set(estimator_cls._get_param_names()):
        with _within(key):
            pretrainer = _load_node(nested[key], parts[f"{key}/"], path, device)
            _check_pretrainer(estimator, pretrainer)
        setattr(estimator, key, pretrainer)
    return estimator


def _nested_estimators(node, estimator_cls, params):
    """The nodes of the parameters and fitted attributes that are estimators, by name."""
    if "estimators" not in node:
        return {}
    _check_fields(node, ("estimators",))
    nested = node["estimators"]
    allowed = set(estimator_cls._get_param_names()) - set(params)
    allowed |= set(_ESTIMATOR_ATTRIBUTES.get(estimator_cls.__name__, ()))
    unknown = sorted(set(nested) - allowed)
    if unknown:
        raise _Invalid(
            f"metadata field 'estimators' names {reprlib.repr(unknown)}, which are neither "
            f"parameters (not given in 'params') nor fitted estimators of a "
            f"{estimator_cls.__name__}"
        )
    return nested


def _check_pretrainer(estimator, pretrainer):
    """A fitted pretrainer must be one (or a frozen one) whose trunk the classifier has."""
    frozen = type(pretrainer) is _other_classes()["FrozenEstimator"]
    inner = pretrainer.estimator if frozen else pretrainer
    if _network_kinds().get(type(inner).__name__) != "pretrainer":
        raise _Invalid(f"it holds a {type(inner).__name__} where a fitted pretrainer belongs")
    trunk = {name: getattr(inner, name) for name in _TRUNK_SIZES}
    if "downsample" in trunk:  # "auto" resolved when the pretrainer was fitted
        trunk["downsample"] = getattr(inner, "downsample_", trunk["downsample"])
    skeleton = (inner.n_joints_in_, inner.n_coords_in_)
    fitted = (estimator.n_joints_in_, estimator.n_coords_in_)
    if trunk != estimator.trunk_sizes_ or skeleton != fitted:
        raise _Invalid(
            f"the pretrainer's trunk {trunk} of {skeleton[0]} joints x {skeleton[1]} "
            f"coordinates is not the classifier's {estimator.trunk_sizes_} of "
            f"{fitted[0]} x {fitted[1]}"
        )


def _load_unfitted(node, arrays):
    _check_fields(node, _NODE_FIELDS["unfitted"])
    _refuse_unexpected(arrays)
    estimator_cls = estimator_classes()[node["class"]]
    estimator = estimator_cls(**_decode_params(estimator_cls, node["params"]))
    _check_params(estimator, _network_kinds()[node["class"]])
    return estimator


# ------------------------------------------------------------------------------ Pipelines
def _load_pipeline(node, arrays, path, device):
    _check_fields(node, _NODE_FIELDS["Pipeline"])
    pipeline_cls = _other_classes()["Pipeline"]
    params = _decode_params(pipeline_cls, node["params"])
    if set(params) - {"verbose"}:
        raise _Invalid(
            f"metadata field 'params' of a Pipeline sets {sorted(set(params) - {'verbose'})}; "
            "a model file may set only verbose"
        )
    prefixes = [f"steps/{index}/" for index in range(len(node["steps"]))]
    parts, rest = _split(arrays, prefixes)
    _refuse_unexpected(rest)
    steps = []
    for prefix, (step_name, step) in zip(prefixes, node["steps"]):
        if not isinstance(step_name, str):
            raise _Invalid(f"a step's name must be a string; it is {_describe(step_name)}")
        if step is None or step == "passthrough":
            _refuse_unexpected([prefix + array for array in parts[prefix]])
            steps.append((step_name, step))
            continue
        with _within(f"step {step_name!r}"):
            steps.append((step_name, _load_node(step, parts[prefix], path, device)))
    pipeline = pipeline_cls(steps, **params)
    try:
        pipeline._validate_params()
        pipeline._validate_steps()
    except (TypeError, ValueError) as error:
        raise _Invalid(f"its steps do not make a Pipeline ({error})") from error
    return pipeline


# --------------------------------------------------------------------------- transformers
def _load_transformer(node, arrays):
    _check_fields(node, _NODE_FIELDS["transformer"])
    name = node["class"]
    transformer_cls = _transformer_classes()[name]
    transformer = transformer_cls(**_decode_params(transformer_cls, node["params"]))
    try:
        transformer._validate_params()
    except (TypeError, ValueError) as error:
        raise _Invalid(f"its params are invalid: {error}") from error
    attributes = {
        attribute: _decode(value, f"attributes[{attribute!r}]")
        for attribute, value in node["attributes"].items()
    }
    both = sorted(set(attributes) & set(arrays))
    if both:
        raise _Invalid(f"it stores {both} both as arrays and in the metadata")
    state = _check_transformer_state(transformer, {**attributes, **arrays})
    for attribute, value in state.items():
        setattr(transformer, attribute, value)
    return transformer


def _check_transformer_state(transformer, state):
    """The fitted attributes of a transformer, checked against each other and its params."""
    name = type(transformer).__name__
    expected = _TRANSFORMER_COMMON + _TRANSFORMER_ATTRIBUTES[name]
    optional = ("feature_names_in_",)
    missing = [attribute for attribute in expected if attribute not in state]
    unknown = sorted(set(state) - set(expected) - set(optional))
    if missing or unknown:
        raise _Invalid(
            f"its fitted attributes must be those of a fitted {name} ({', '.join(expected)}, "
            f"and feature_names_in_ for a table); it lacks {missing} and has unknown "
            f"{reprlib.repr(unknown)}"
        )
    for attribute in ("n_features_in_", "n_joints_in_", "n_coords_in_"):
        if not _is_integer(state[attribute], 1):
            raise _Invalid(
                f"attribute {attribute} must be an integer >= 1; it is "
                f"{_describe(state[attribute])}"
            )
    if not isinstance(state["_tabular_in"], bool):
        raise _Invalid(
            f"attribute _tabular_in must be true or false; it is {_describe(state['_tabular_in'])}"
        )
    n_features, n_joints, n_coords = (state[key] for key in _TRANSFORMER_COMMON[:3])
    if state["_tabular_in"]:
        if (n_joints, n_coords) != (1, 1) or n_features > _MAX_FRAMES:
            raise _Invalid(
                f"a {name} fitted on 2-D input has n_joints_in_ = n_coords_in_ = 1 and "
                f"n_features_in_ <= {_MAX_FRAMES}, not n_joints_in_={n_joints}, "
                f"n_coords_in_={n_coords}, n_features_in_={n_features}"
            )
    elif n_features != n_joints * n_coords:
        raise _Invalid(
            f"n_features_in_={n_features} is not n_joints_in_ * n_coords_in_ = "
            f"{n_joints} * {n_coords}"
        )
    if "feature_names_in_" in state:
        names = state["feature_names_in_"]
        if not isinstance(names, np.ndarray) or names.dtype.kind != "U":
            raise _Invalid("feature_names_in_ must be an array of strings")
        if not state["_tabular_in"] or names.shape != (n_features,):
            raise _Invalid(
                f"feature_names_in_ must hold n_features_in_={n_features} strings of a model "
                f"fitted on a table; it has shape {names.shape}"
            )
        state["feature_names_in_"] = names.astype(object)
    _TRANSFORMER_CHECKS[name](transformer, state)
    return state


def _check_padder(padder, state):
    max_frames = state["max_frames_"]
    if not _is_integer(max_frames, 1, _MAX_FRAMES):
        raise _Invalid(
            f"attribute max_frames_ must be an integer from 1 to {_MAX_FRAMES}; it is "
            f"{_describe(max_frames)}"
        )
    if padder.max_frames is not None and padder.max_frames != max_frames:
        raise _Invalid(f"max_frames_={max_frames} differs from max_frames={padder.max_frames}")


def _check_flattener(flattener, state):
    shape = state["input_shape_"]
    n_joints, n_coords = state["n_joints_in_"], state["n_coords_in_"]
    if state["_tabular_in"]:
        tails = [()]
    elif n_coords == 1:
        # A 3-D array (n_samples, n_frames, n_features), or recordings of one coordinate.
        tails = [(n_joints,), (n_joints, 1)]
    else:
        tails = [(n_joints, n_coords)]
    if not (
        isinstance(shape, tuple)
        and len(shape) >= 1
        and _is_integer(shape[0], 1, _MAX_FRAMES)
        and shape[1:] in tails
        and (not state["_tabular_in"] or shape[0] == state["n_features_in_"])
    ):
        raise _Invalid(
            f"attribute input_shape_ must be the shape of one recording with n_joints_in_="
            f"{n_joints} and n_coords_in_={n_coords} (at most {_MAX_FRAMES} frames); it is "
            f"{reprlib.repr(shape)}"
        )


def _check_joint(value, n_joints):
    return _is_integer(value, 0, n_joints - 1)


def _check_normalizer(normalizer, state):
    n_joints = state["n_joints_in_"]
    root = state["root_joint_"]
    if normalizer.center == "root" and not _check_joint(root, n_joints):
        raise _Invalid(f"attribute root_joint_ must be a joint index below {n_joints}")
    if normalizer.center != "root" and root is not None:
        raise _Invalid(f"attribute root_joint_ must be null with center={normalizer.center!r}")
    if not _is_integer(state["up_axis_"], 0, 2):
        raise _Invalid(
            f"attribute up_axis_ must be 0, 1 or 2; it is {_describe(state['up_axis_'])}"
        )
    pair = state["lateral_joints_"]
    valid_pair = (
        isinstance(pair, tuple)
        and len(pair) == 2
        and all(_check_joint(joint, n_joints) for joint in pair)
        and pair[0] != pair[1]
    )
    if (pair is None) == normalizer.align or (pair is not None and not valid_pair):
        raise _Invalid(
            "attribute lateral_joints_ must be a pair of distinct joint indices with align=True "
            f"and null otherwise; it is {reprlib.repr(pair)}"
        )
    _check_skeleton_param(normalizer, n_joints)


def _check_skeleton_param(transformer, n_joints):
    skeleton = transformer.skeleton
    if skeleton is not None and type(skeleton) is not Skeleton:
        raise _Invalid(
            f"params['skeleton'] must be a skeleton or null; it is {_describe(skeleton)}"
        )
    if skeleton is not None and skeleton.n_joints != n_joints:
        raise _Invalid(f"its skeleton has {skeleton.n_joints} joints, but n_joints_in_={n_joints}")


def _check_selector(selector, state):
    indices = state["joint_indices_"]
    n_joints = state["n_joints_in_"]
    if (
        not isinstance(indices, np.ndarray)
        or indices.dtype.kind not in "iu"
        or indices.ndim != 1
        or len(indices) == 0
        or indices.min() < 0
        or indices.max() >= n_joints
        or len(np.unique(indices)) != len(indices)
    ):
        raise _Invalid(
            f"joint_indices_ must be an array of distinct joint indices below n_joints_in_="
            f"{n_joints}"
        )
    state["joint_indices_"] = indices.astype(np.intp)
    names = selector.joint_names
    if names is not None and (
        not isinstance(names, list | tuple)
        or len(names) != n_joints
        or not all(isinstance(name, str) for name in names)
    ):
        raise _Invalid(f"params['joint_names'] must list n_joints_in_={n_joints} names")
    _check_skeleton_param(selector, n_joints)


def _check_imputer(imputer, state):
    values = state["fill_values_"]
    shape = (state["n_joints_in_"], state["n_coords_in_"])
    if not isinstance(values, np.ndarray) or values.dtype not in _FLOAT_DTYPES:
        raise _Invalid("fill_values_ must be a float array")
    if values.shape != shape:
        raise _Invalid(
            f"fill_values_ must have shape (n_joints_in_, n_coords_in_) = {shape}; it has "
            f"shape {values.shape}"
        )
    if not np.isfinite(values).all():
        raise _Invalid("fill_values_ holds NaN or infinite values")
    state["fill_values_"] = values.astype(np.float32)


_TRANSFORMER_CHECKS = {
    "SkeletonPadder": _check_padder,
    "Flattener": _check_flattener,
    "SkeletonNormalizer": _check_normalizer,
    "JointSelector": _check_selector,
    "FrameRateResampler": lambda resampler, state: None,
    "JointImputer": _check_imputer,
}
