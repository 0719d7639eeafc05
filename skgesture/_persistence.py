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
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
import zipfile
from numbers import Integral, Real

import numpy as np

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


def _classifier_classes():
    """skgesture's classifiers by name: the only classes a file may ask to instantiate."""
    from skgesture import classifiers, ssl
    from skgesture._base import SkeletonClassifierBase

    return {
        name: cls
        for name, cls in {**vars(classifiers), **vars(ssl)}.items()
        if isinstance(cls, type)
        and issubclass(cls, SkeletonClassifierBase)
        and cls is not SkeletonClassifierBase
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


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(_decode(item) for item in value["__tuple__"])
        return {_hashable(_decode(key)): _decode(item) for key, item in value["__dict__"]}
    return value


def _hashable(key):
    return tuple(_hashable(item) for item in key) if isinstance(key, list | tuple) else key


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


def save(estimator, path):
    """Write the fitted classifier ``estimator`` to the file ``path`` (see the module doc)."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    name = type(estimator).__name__
    if _classifier_classes().get(name) is not type(estimator):
        raise ValueError(
            f"save() stores skgesture's own classifiers only, not {name}; use joblib.dump."
        )
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
def _read(path):
    """Every array of the file, read eagerly so that a damaged archive fails here."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not an .npz archive")
        with archive:
            arrays = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path} is not a readable skgesture model file ({error}); it may be truncated "
            "or not written by save()."
        ) from error
    try:
        metadata = json.loads(str(arrays.pop(_METADATA_KEY)))
        if metadata["format"] != _FORMAT:
            raise KeyError("format")
    except (KeyError, ValueError, TypeError):
        raise ValueError(
            f"{path} is not a skgesture model file: it lacks the {_METADATA_KEY!r} entry that "
            "save() writes."
        ) from None
    if metadata.get("format_version") != _FORMAT_VERSION:
        raise ValueError(
            f"{path} uses skgesture model format version {metadata.get('format_version')}, "
            f"which this version of skgesture (format {_FORMAT_VERSION}) cannot read."
        )
    return metadata, arrays


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
            stacklevel=4,
        )


def _pick_device(path, saved, device=None):
    import torch

    from skgesture._base import resolve_device

    if device is not None:
        return resolve_device(device)
    if saved.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"{path} was saved from a model on {saved}, but torch finds no CUDA device here; "
            "the model is loaded on the CPU.",
            UserWarning,
            stacklevel=4,
        )
        return "cpu"
    return saved


def load(path, cls=None, device=None):
    """Read a classifier written by :func:`save`; ``cls`` (optional) is the class expected.

    ``device`` (None, "auto", "cpu" or "cuda") is where the network goes, and becomes the
    estimator's ``device`` parameter; None takes the saved device (the CPU, with a warning,
    when it was CUDA and there is none).
    """
    import torch
    from skorch.history import History

    metadata, arrays = _read(path)
    known = _classifier_classes()
    name = metadata.get("class")
    if name not in known:
        raise ValueError(f"{path} holds a model of unknown class {name!r}.")
    if cls is not None and not issubclass(known[name], cls):
        raise ValueError(
            f"{path} holds a {name}, not a {cls.__name__}; load it with {name}.load or "
            "skgesture._persistence.load."
        )
    _check_versions(path, metadata.get("versions", {}))

    try:
        params = {key: _decode(value) for key, value in metadata["params"].items()}
        if device is not None:
            params["device"] = device
        estimator = known[name](**params)
        for attribute, value in metadata["attributes"].items():
            if attribute in _SCALAR_ATTRIBUTES + known[name]._saved_attributes:
                setattr(estimator, attribute, value)
        for attribute in _ARRAY_ATTRIBUTES:
            if attribute in arrays:
                setattr(estimator, attribute, arrays[attribute])
        if metadata["classes_kind"] == "object":
            estimator.classes_ = estimator.classes_.astype(object)
        if hasattr(estimator, "feature_names_in_"):
            estimator.feature_names_in_ = estimator.feature_names_in_.astype(object)
        state = {
            key: torch.from_numpy(np.array(arrays[_STATE_PREFIX + key]))
            for key in metadata["state_keys"]
        }
        device = _pick_device(path, metadata["device"], device)
        # Building a net draws from torch's global generator; leave the caller's untouched.
        with torch.random.fork_rng(devices=[]):
            net = estimator._make_net(estimator.classes_, device, 0, 0)
            net.initialize()
        net.module_.load_state_dict(state)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"{path} holds an inconsistent {name} model: {error}") from error
    net.history = History(metadata["history"])
    estimator.net_ = net
    estimator.history_ = net.history
    return estimator
