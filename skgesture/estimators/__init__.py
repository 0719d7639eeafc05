"""The network estimators: scikit-learn estimators around skorch-trained torch networks.

One module per estimator, all on one base (:mod:`skgesture.estimators._base`):

- :class:`CNNClassifier` (:mod:`~skgesture.estimators.cnn`): convolutions over frames, the
  recommended model;
- :class:`LSTMClassifier` (:mod:`~skgesture.estimators.lstm`): a (bidirectional) LSTM;
- :class:`FCClassifier` (:mod:`~skgesture.estimators.fc`): a perceptron over the whole padded
  sequence (the paper's baseline);
- :class:`AutoencoderPretrainer` (:mod:`~skgesture.estimators.pretrainer`): self-supervised
  pre-training of the CNN's trunk;
- :class:`SSLClassifier` (:mod:`~skgesture.estimators.ssl`): pre-training, then fine-tuning on
  the labelled recordings.

The registry (:mod:`skgesture._registry`) lists them for persistence, the command line, the
lazy imports of ``skgesture`` and the common tests. ``skgesture.classifiers`` and
``skgesture.ssl`` import the same classes under their earlier homes.
"""

import importlib

from skgesture._registry import ESTIMATORS

# Class -> defining module, from the registry; imported on first use, so that the package's
# light modules (such as _input, which persistence reads) can be imported without torch.
_MODULES = {
    entry.name: entry.module
    for entry in ESTIMATORS
    if entry.module.startswith("skgesture.estimators.")
}

__all__ = sorted(_MODULES)


def __getattr__(name):
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module 'skgesture.estimators' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_MODULES))
