"""Supervised gesture classifiers (their home before :mod:`skgesture.estimators`).

All three accept recordings in any layout of the data conventions, learn a per-channel
standardisation on the real frames in ``fit`` and pass each recording's true length to the
network, so padding never counts. They live in :mod:`skgesture.estimators`, one module each;
this module keeps the names importable from here.
"""

from skgesture.estimators.cnn import CNNClassifier
from skgesture.estimators.fc import FCClassifier
from skgesture.estimators.lstm import LSTMClassifier

__all__ = ["CNNClassifier", "LSTMClassifier", "FCClassifier"]
