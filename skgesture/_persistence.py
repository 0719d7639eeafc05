"""Save a fitted classifier to one ``.npz`` file and load it back, without pickle.

The file is a NumPy ``.npz`` archive that :func:`numpy.load` reads with ``allow_pickle=False``:

- ``skgesture_metadata``: a unicode array holding one JSON document: a format marker, the
  estimator's class name, its ``get_params()``, its scalar fitted attributes, the training
  history, the device it was on and the versions of the libraries it was saved with;
- ``classes_``, ``channel_mean_``, ``channel_scale_`` and, when present,
  ``feature_names_in_``: the fitted arrays;
- ``state/<name>``: one array per entry of the network's ``state_dict``, on CPU.

Loading only ever instantiates one of skgesture's own classifiers, named in the file, so a file
cannot make this code import or call anything else. Parameters that JSON cannot hold
(callables, callback objects, ``RandomState`` instances) make :func:`save` refuse clearly;
joblib/pickle stores such estimators.

A file to load may come from a stranger, so nothing it declares is trusted. :func:`load` checks,
in this order and before building anything: each entry's .npy header against the bytes it
holds; the JSON's types and nesting; the parameters, by the class's own validation; the fitted
attributes and arrays against each other; and every tensor's name, shape, dtype and finiteness
against the network that the parameters describe, built first on PyTorch's "meta" device, which
allocates no memory. Each refusal is one ``ValueError`` naming the file and the field or tensor.
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

from skgesture._registry import estimator_classes
from skgesture.utils.validation import LAYOUTS

_FORMAT = "skgesture-classifier"
_FORMAT_VERSION = 1
_METADATA_KEY = "skgesture_metadata"
_STATE_PREFIX = "state/"
# Fitted arrays stored as arrays of their own; every other fitted attribute goes into the JSON.
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


# ------------------------------------------------------------------------- parameter codec
class _NotSerialisable(Exception):
    def __init__(self, where, value):
        super().__init__(where)
        self.where = where
        self.value = value


def _encode(value, where):
    """Turn a parameter value into JSON, tagging tuples and dicts so they come back as such."""
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


def _encode_history(estimator, name):
    try:
        return json.loads(json.dumps(list(estimator.history_), default=_history_default))
    except TypeError as error:
        raise ValueError(
            f"Cannot save {name}: its training history holds a value JSON cannot store "
            f"({error}); use joblib.dump."
        ) from None


def check_savable(estimator):
    """Refuse, with the message :func:`save` would give, an estimator whose parameters the
    pickle-free format cannot hold; callable before ``fit``."""
    _saved_params(estimator)


def _saved_params(estimator):
    """``get_params()`` as JSON values, or a ValueError saying which one cannot be stored."""
    name = type(estimator).__name__
    params = {}
    for key, value in estimator.get_params(deep=False).items():
        try:
            params[key] = _encode(value, key)
        except _NotSerialisable as error:
            raise ValueError(
                f"Cannot save {name}: parameter {error.where}={error.value!r} is a "
                f"{type(error.value).__name__}, which save() cannot store without pickle. Set "
                "it to a plain value (string, number, None) before saving, or save the whole "
                "estimator with joblib.dump (which uses pickle)."
            ) from None

    try:
        _check_net_params(estimator.net_params)
    except _Invalid as error:
        raise ValueError(
            f"Cannot save {name}: {error}, so that load() never lets a file choose how data "
            "is loaded or where the network runs. Set net_params to those options only, or "
            "use joblib.dump (which uses pickle)."
        ) from None
    return params


def save(estimator, path):
    """Write the fitted classifier ``estimator`` to the file ``path`` (see the module doc)."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    name = type(estimator).__name__
    if estimator_classes("classifier").get(name) is not type(estimator):
        raise ValueError(
            f"save() stores skgesture's own classifiers only, not {name}; use joblib.dump."
        )
    params = _saved_params(estimator)
    classes, classes_kind = _encode_classes(np.asarray(estimator.classes_))
    arrays = {"classes_": classes}
    for attribute in ("channel_mean_", "channel_scale_"):
        arrays[attribute] = np.asarray(getattr(estimator, attribute))
    if hasattr(estimator, "feature_names_in_"):
        arrays["feature_names_in_"] = np.asarray(estimator.feature_names_in_).astype(str)
    state = estimator.net_.module_.state_dict()
    for key, tensor in state.items():
        arrays[_STATE_PREFIX + key] = tensor.detach().cpu().numpy()

    attributes = {}
    for attribute in _SCALAR_ATTRIBUTES + type(estimator)._saved_attributes:
        value = getattr(estimator, attribute)
        attributes[attribute] = value.item() if isinstance(value, np.generic) else value
    metadata = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "class": name,
        "params": params,
        "attributes": attributes,
        "classes_kind": classes_kind,
        "state_keys": list(state),
        "history": _encode_history(estimator, name),
        "device": str(estimator.net_.device),
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
    if metadata.get("format_version") != _FORMAT_VERSION:
        raise _Invalid(
            f"it uses skgesture model format version {_describe(metadata.get('format_version'))}"
            f", which this version of skgesture (format {_FORMAT_VERSION}) cannot read"
        )
    _check_nesting(metadata)
    _check_metadata_fields(metadata)
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


def _check_metadata_fields(metadata):
    for field, (expected, is_valid) in _METADATA_FIELDS.items():
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
    if len(value) != 1 or tag not in ("__tuple__", "__dict__") or not isinstance(items, list):
        raise _Invalid(f"{where} is a JSON object that save() does not write: {_describe(value)}")
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


def _decode_params(estimator_cls, params):
    unknown = sorted(set(params) - set(estimator_cls._get_param_names()))
    if unknown:
        raise _Invalid(
            f"metadata field 'params' names {reprlib.repr(unknown)}, which are not "
            f"parameters of {estimator_cls.__name__}"
        )
    return {name: _decode(value, f"params[{name!r}]") for name, value in params.items()}


def _check_params(estimator):
    """The estimator's own validation of its parameters, and the limits of a loaded model."""
    try:
        estimator._validate_params()
        estimator._check_network_params()
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
def _integer(minimum, maximum=math.inf):
    """What an integer attribute must be: its description and its test."""
    bounds = f">= {minimum}" if maximum == math.inf else f"from {minimum} to {maximum}"
    return (
        f"an integer {bounds}",
        lambda value: (
            isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum
        ),
    )


_TRUNK_SIZES = {"n_filters": _integer(1), "n_blocks": _integer(0), "kernel_size": _integer(1)}

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
    "n_pseudo_labeled_": _integer(0),
    "trunk_sizes_": (
        "an object of " + ", ".join(f"{name} ({test[0]})" for name, test in _TRUNK_SIZES.items()),
        lambda value: (
            isinstance(value, dict)
            and set(value) == set(_TRUNK_SIZES)
            and all(is_valid(value[name]) for name, (_, is_valid) in _TRUNK_SIZES.items())
        ),
    ),
}


def _check_attributes(estimator_cls, attributes):
    expected = _SCALAR_ATTRIBUTES + estimator_cls._saved_attributes
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


def _check_standardisation(arrays, attributes):
    shape = (attributes["n_joints_"], attributes["n_coords_"])
    for name in ("channel_mean_", "channel_scale_"):
        array = arrays.get(name)
        if array is None:
            raise _Invalid(f"it lacks the {name} array")
        if array.shape != shape or array.dtype not in _FLOAT_DTYPES:
            raise _Invalid(
                f"{name} must be a float array of shape (n_joints_, n_coords_) = {shape}; it "
                f"has shape {array.shape} and dtype {array.dtype}"
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


def _fitted_arrays(arrays, attributes, classes_kind):
    """The fitted arrays, checked against each other and against the attributes."""
    unexpected = sorted(
        name
        for name in arrays
        if name not in _ARRAY_ATTRIBUTES and not name.startswith(_STATE_PREFIX)
    )
    if unexpected:
        raise _Invalid(f"it holds arrays that save() never writes: {reprlib.repr(unexpected)}")
    fitted = {
        "classes_": _check_classes(arrays.get("classes_"), classes_kind),
        **_check_standardisation(arrays, attributes),
    }
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
def _check_versions(path, saved):
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
            stacklevel=5,
        )


def _pick_device(path, estimator, saved, device=None):
    """Where the loaded network goes: ``device`` (already the estimator's parameter) when
    given, else where it was saved."""
    import torch

    if device is not None:
        return estimator._resolve_device()
    if saved.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"{path} was saved from a model on {saved}, but torch finds no CUDA device here; "
            "the model is loaded on the CPU.",
            UserWarning,
            stacklevel=5,
        )
        return "cpu"
    return saved


def load(path, cls=None, device=None):
    """Read a classifier written by :func:`save`; ``cls`` (optional) is the class expected.

    ``device`` (None, "auto", "cpu" or "cuda") is where the network goes, and becomes the
    estimator's ``device`` parameter; None takes the saved device (the CPU, with a warning,
    when it was CUDA and there is none).

    Nothing the file declares is trusted: the JSON's types, the parameters (by the class's
    own validation), the fitted attributes and arrays are checked against each other, and
    every tensor's name, shape, dtype and finiteness against the network the file describes,
    built first on the "meta" device, before the real network is built. A file that fails a
    check raises a ``ValueError`` naming the file and the field or tensor at fault.
    """
    try:
        return _load(path, cls, device)
    except _Invalid as error:
        raise ValueError(f"{path} is not a valid skgesture model file: {error}.") from (
            error.__cause__
        )


def _load(path, cls, device):
    import torch
    from skorch.history import History

    metadata, arrays = _read(path)
    known = estimator_classes("classifier")
    name = metadata["class"]
    if name not in known:
        raise _Invalid(f"it names the unknown class {name!r}; only skgesture's classifiers load")
    estimator_cls = known[name]
    if cls is not None and not issubclass(estimator_cls, cls):
        raise ValueError(
            f"{path} holds a {name}, not a {cls.__name__}; load it with {name}.load or "
            "skgesture._persistence.load."
        )

    params = _decode_params(estimator_cls, metadata["params"])
    if device is not None:
        params["device"] = device
    estimator = estimator_cls(**params)
    _check_params(estimator)
    attributes = _check_attributes(estimator_cls, metadata["attributes"])
    fitted = _fitted_arrays(arrays, attributes, metadata["classes_kind"])
    for attribute, value in {**attributes, **fitted}.items():
        setattr(estimator, attribute, value)

    device = _pick_device(path, estimator, metadata["device"], device)
    try:
        net = estimator._make_net(estimator.classes_, device, 0, 0)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"its params do not make a network ({error})") from error
    # net_params may name a device of their own.
    if _DEVICE.fullmatch(str(net.device)) is None:
        raise _Invalid(f"its params put the network on the device {_describe(net.device)}")
    network = (
        f"the network of a {name} with these params, {len(estimator.classes_)} classes, "
        f"n_joints_={estimator.n_joints_}, n_coords_={estimator.n_coords_} and "
        f"n_frames_={estimator.n_frames_}"
    )
    state = _state_dict(net, arrays, metadata["state_keys"], network)
    try:
        # Building a net draws from torch's global generator; leave the caller's untouched.
        with torch.random.fork_rng(devices=[]):
            net.initialize()
        net.module_.load_state_dict(state)
    except (TypeError, ValueError, RuntimeError) as error:
        raise _Invalid(f"its network cannot be built ({error})") from error
    net.history = History(metadata["history"])
    # Only a file that loads is worth a warning about the versions it was saved with.
    _check_versions(path, metadata["versions"])
    estimator.net_ = net
    estimator.history_ = net.history
    return estimator
