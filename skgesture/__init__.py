"""skgesture: gesture recognition from skeleton sequences, the scikit-learn way.

Importing ``skgesture`` is light: submodules (and torch, matplotlib) load on first use.
"""

import importlib

from skgesture._registry import ESTIMATORS
from skgesture._version import __version__

# Public name -> module that defines it. Resolved lazily by __getattr__ below; the network
# estimators come from the registry.
_LAZY = {
    "SkeletonPadder": "skgesture.preprocessing",
    "Flattener": "skgesture.preprocessing",
    "SkeletonNormalizer": "skgesture.preprocessing",
    "JointSelector": "skgesture.preprocessing",
    "FrameRateResampler": "skgesture.preprocessing",
    "JointImputer": "skgesture.preprocessing",
    "Skeleton": "skgesture.skeleton",
    "GradCAMExplainer": "skgesture.explain",
    "StreamingRecognizer": "skgesture.stream",
    "RecordingStore": "skgesture.store",
    "save": "skgesture._persistence",
    "load": "skgesture._persistence",
    **{entry.name: entry.module for entry in ESTIMATORS},
}
_SUBMODULES = {
    "io",
    "datasets",
    "preprocessing",
    "skeleton",
    "utils",
    "classifiers",
    "estimators",
    "nn",
    "explain",
    "ssl",
    "model_selection",
    "plotting",
    "stream",
    "store",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f"skgesture.{name}")
    raise AttributeError(f"module 'skgesture' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
