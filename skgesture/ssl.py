"""Self-supervised pre-training and semi-supervised classification (their earlier home).

:class:`AutoencoderPretrainer` and :class:`SSLClassifier` live in :mod:`skgesture.estimators`;
this module keeps the names importable from here, and the private classes that models pickled
by earlier versions name.
"""

from skgesture.estimators.pretrainer import AutoencoderPretrainer, _PretextCollator, _PretextNet
from skgesture.estimators.ssl import SSLClassifier

__all__ = ["AutoencoderPretrainer", "SSLClassifier"]

# Pickles (joblib files) of earlier versions name these classes in this module.
_COMPATIBLE_PICKLE_NAMES = (_PretextCollator, _PretextNet)
