"""Pure PyTorch networks for skeleton sequences (no scikit-learn here).

Every network takes a zero-padded batch ``x`` of shape ``(batch, frames, joints, coords)`` and
``lengths``, the number of real frames of each recording. The classifiers return class scores
(logits); the pre-training networks of :mod:`skgesture.nn.pretext` return reconstructions or
projected vectors. The estimators in :mod:`skgesture.classifiers` and :mod:`skgesture.ssl` build
and train them.
"""

from skgesture.nn.cnn import HybridCNN, ImageCNN, JointCNN, JointEncoder, TemporalCNN
from skgesture.nn.fc import FCNet
from skgesture.nn.graph import GraphCNN
from skgesture.nn.losses import SmoothedCrossEntropyLoss, masked_reconstruction_loss, nt_xent_loss
from skgesture.nn.lstm import LSTMNet
from skgesture.nn.masking import MaskedBatchNorm, frame_mask, masked_mean
from skgesture.nn.pretext import ContrastiveNet, HybridNet, ReconstructionNet

__all__ = [
    "FCNet",
    "JointCNN",
    "JointEncoder",
    "ReconstructionNet",
    "ContrastiveNet",
    "HybridNet",
    "TemporalCNN",
    "HybridCNN",
    "ImageCNN",
    "GraphCNN",
    "LSTMNet",
    "SmoothedCrossEntropyLoss",
    "masked_reconstruction_loss",
    "nt_xent_loss",
    "MaskedBatchNorm",
    "frame_mask",
    "masked_mean",
]
