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

from skgesture.estimators.cnn import CNNClassifier
from skgesture.estimators.fc import FCClassifier
from skgesture.estimators.lstm import LSTMClassifier
from skgesture.estimators.pretrainer import AutoencoderPretrainer
from skgesture.estimators.ssl import SSLClassifier

__all__ = [
    "AutoencoderPretrainer",
    "CNNClassifier",
    "FCClassifier",
    "LSTMClassifier",
    "SSLClassifier",
]
