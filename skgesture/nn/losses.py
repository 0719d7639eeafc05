"""Loss functions."""

from __future__ import annotations

from torch import nn
from torch.nn import functional as F

__all__ = ["SmoothedCrossEntropyLoss"]


class SmoothedCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy with label smoothing in training mode only.

    Label smoothing regularises training, but it also puts a floor under the loss, so a
    validation loss computed with it stops improving long before the model does, and early
    stopping ends training too soon. In evaluation mode this loss is the plain cross-entropy
    (the negative log-likelihood of the true class), a proper score to select epochs on.

    Parameters
    ----------
    weight : Tensor of shape (n_classes,), optional
        Weight of each class.
    label_smoothing : float, default=0.0
        Share of the target probability spread evenly over all classes during training.
    """

    def __init__(self, weight=None, label_smoothing=0.0):
        super().__init__(weight=weight, label_smoothing=label_smoothing)

    def forward(self, input, target):
        # input: (batch, classes) logits; target: (batch,) class indices
        smoothing = self.label_smoothing if self.training else 0.0
        return F.cross_entropy(input, target, weight=self.weight, label_smoothing=smoothing)
