"""Padding-aware building blocks: frame masks, masked pooling and masked batch normalisation.

Every network in :mod:`skgesture.nn` takes a zero-padded batch ``(batch, frames, joints, coords)``
and each recording's true length. These helpers make sure padded frames never reach the output:
pooling averages real frames only, and batch statistics are computed over real frames only, so a
recording gets the same prediction whatever it is batched with.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["frame_mask", "masked_mean", "MaskedBatchNorm"]


def frame_mask(lengths, n_frames):
    """Boolean mask of the real (non-padding) frames.

    Parameters
    ----------
    lengths : Tensor of shape (batch,)
        Number of real frames of each recording.
    n_frames : int
        Length of the padded batch.

    Returns
    -------
    mask : Tensor of shape (batch, n_frames), bool
    """
    frames = torch.arange(n_frames, device=lengths.device)
    return frames[None, :] < lengths[:, None]


def _broadcast_mask(mask, x):
    """Reshape a (batch, frames) mask to broadcast against x = (batch, channels, frames, ...)."""
    extra = x.dim() - 3
    return mask[:, None, :].reshape(*mask.shape[:1], 1, mask.shape[1], *([1] * extra))


def masked_mean(x, mask):
    """Average over frames, ignoring padding.

    Parameters
    ----------
    x : Tensor of shape (batch, channels, frames, ...)
    mask : Tensor of shape (batch, frames), bool

    Returns
    -------
    Tensor of shape (batch, channels, ...)
    """
    weights = _broadcast_mask(mask, x).to(x.dtype)
    counts = weights.sum(dim=2).clamp(min=1.0)
    return (x * weights).sum(dim=2) / counts


class MaskedBatchNorm(nn.Module):
    """Batch normalisation over channels whose statistics ignore padded frames.

    In training mode, the mean and variance of each channel are computed over the real frames
    of the batch (all joints, all recordings) and update running estimates, as
    :class:`torch.nn.BatchNorm2d` does. When a batch holds a single value per channel (one
    recording of one frame and one joint), there are no statistics to compute and the running
    estimates are used instead, so batches of one never fail. In evaluation mode the running
    estimates are used, which makes each recording's output independent of its batch. Padded
    frames are set to zero on the way out.

    Parameters
    ----------
    n_channels : int
    momentum : float, default=0.1
        Weight of the current batch in the running estimates.
    eps : float, default=1e-5
        Added to the variance for numerical stability.
    """

    def __init__(self, n_channels, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_channels))
        self.bias = nn.Parameter(torch.zeros(n_channels))
        self.register_buffer("running_mean", torch.zeros(n_channels))
        self.register_buffer("running_var", torch.ones(n_channels))

    def forward(self, x, mask):
        # x: (batch, channels, frames, ...); mask: (batch, frames)
        if bool(mask.all()) and (not self.training or x.numel() > x.shape[1]):
            # No padding: the statistics are a plain batch normalisation's, which torch
            # computes in one fused kernel (forward and backward) instead of about ten.
            return F.batch_norm(
                x,
                self.running_mean,
                self.running_var,
                self.weight,
                self.bias,
                training=self.training,
                momentum=self.momentum,
                eps=self.eps,
            )
        weights = _broadcast_mask(mask, x).to(x.dtype)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        x = x * weights  # padded frames out of the statistics and of what follows
        count = weights.sum() * (x[0, 0].numel() // x.shape[2])
        if self.training and count > 1:
            reduce_dims = [d for d in range(x.dim()) if d != 1]
            mean = x.sum(dim=reduce_dims) / count
            # One pass for both moments: activations are O(1) after a normalised layer, so
            # E[x^2] - E[x]^2 loses nothing that matters in float32 (clamped at 0).
            var = ((x * x).sum(dim=reduce_dims) / count - mean * mean).clamp(min=0.0)
            with torch.no_grad():
                unbiased = var * count / (count - 1)
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(unbiased, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * torch.rsqrt(var + self.eps)
        shift = self.bias - mean * scale
        # x * scale + shift, then padded frames back to zero.
        return torch.addcmul(shift.view(shape), x, scale.view(shape)) * weights
