"""Names that models pickled by earlier versions (joblib files) look up in this module.

The estimators' machinery lives in :mod:`skgesture.estimators`; nothing in skgesture imports
this module. A pickle stores each object's class by module and name, so a model saved with
``joblib.dump`` before the move finds its skorch net, collator and callbacks here.
"""

from skgesture.estimators._batches import BatchCollator as _BatchCollator
from skgesture.estimators._training import BestEpochWeights as _BestEpochWeights
from skgesture.estimators._training import ClassifierNet as _ClassifierNet
from skgesture.estimators._training import FiniteLossCheck as _FiniteLossCheck

__all__ = ["_BatchCollator", "_BestEpochWeights", "_ClassifierNet", "_FiniteLossCheck"]
