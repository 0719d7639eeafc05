"""skgesture: gesture recognition from skeleton sequences, the scikit-learn way.

Importing ``skgesture`` is light: submodules (and torch, matplotlib) load on first use.
"""

import importlib

from skgesture._version import __version__

# Public name -> submodule that defines it. Resolved lazily by __getattr__ below.
_LAZY = {
    "SkeletonPadder": "preprocessing",
    "Flattener": "preprocessing",
    "SkeletonNormalizer": "preprocessing",
    "JointSelector": "preprocessing",
    "FrameRateResampler": "preprocessing",
    "JointImputer": "preprocessing",
    "FCClassifier": "classifiers",
    "CNNClassifier": "classifiers",
    "LSTMClassifier": "classifiers",
    "Skeleton": "skeleton",
    "GradCAMExplainer": "explain",
    "AutoencoderPretrainer": "ssl",
    "SSLClassifier": "ssl",
    "StreamingRecognizer": "stream",
    "RecordingStore": "store",
}
_SUBMODULES = {
    "io",
    "datasets",
    "preprocessing",
    "skeleton",
    "utils",
    "classifiers",
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
        module = importlib.import_module(f"skgesture.{_LAZY[name]}")
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f"skgesture.{name}")
    raise AttributeError(f"module 'skgesture' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
