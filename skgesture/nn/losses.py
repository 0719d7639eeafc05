"""Loss functions."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["SmoothedCrossEntropyLoss", "masked_reconstruction_loss", "nt_xent_loss"]


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


def masked_reconstruction_loss(reconstruction, target, lengths, kind="l1"):
    """Mean absolute (``"l1"``) or squared (``"mse"``) error over the real frames only.

    Parameters
    ----------
    reconstruction, target : Tensor of shape (batch, frames, joints, coords)
    lengths : Tensor of shape (batch,)
        Real frames of each recording; the padding after them does not count.
    kind : {"l1", "mse"}, default="l1"
    """
    frames = torch.arange(target.shape[1], device=target.device)
    mask = (frames[None, :] < lengths[:, None]).to(target.dtype)  # (batch, frames)
    error = reconstruction - target
    error = error.abs() if kind == "l1" else error * error
    per_frame = error.mean(dim=(2, 3))  # (batch, frames)
    return (per_frame * mask).sum() / mask.sum().clamp(min=1.0)


def nt_xent_loss(z, temperature=0.2):
    """SimCLR's normalised temperature-scaled cross-entropy over a batch of view pairs.

    Parameters
    ----------
    z : Tensor of shape (2 * batch, dim)
        Unit vectors: rows ``i`` and ``i + batch`` are two views of the same recording.
    temperature : float, default=0.2

    Returns
    -------
    Tensor
        For each row, the cross-entropy of picking its partner among the ``2 * batch - 1``
        other rows by cosine similarity, averaged.
    """
    n_pairs = z.shape[0] // 2
    similarity = z @ z.T / temperature  # (2 * batch, 2 * batch)
    self_pairs = torch.eye(len(z), dtype=torch.bool, device=z.device)
    similarity = similarity.masked_fill(self_pairs, float("-inf"))
    partners = torch.arange(len(z), device=z.device).roll(n_pairs)
    return F.cross_entropy(similarity, partners)
