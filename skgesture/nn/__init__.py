"""Pure PyTorch networks for skeleton sequences (no scikit-learn here).

Every network takes a zero-padded batch ``x`` of shape ``(batch, frames, joints, coords)`` and
``lengths``, the number of real frames of each recording, and returns class scores (logits).
The estimators in :mod:`skgesture.classifiers` build and train them.
"""

from skgesture.nn.cnn import ImageCNN, JointCNN, TemporalCNN
from skgesture.nn.fc import FCNet
from skgesture.nn.losses import SmoothedCrossEntropyLoss
from skgesture.nn.lstm import LSTMNet
from skgesture.nn.masking import MaskedBatchNorm, frame_mask, masked_mean
from skgesture.nn.paper import PaperCNN

__all__ = [
    "FCNet",
    "JointCNN",
    "TemporalCNN",
    "ImageCNN",
    "LSTMNet",
    "PaperCNN",
    "SmoothedCrossEntropyLoss",
    "MaskedBatchNorm",
    "frame_mask",
    "masked_mean",
]
