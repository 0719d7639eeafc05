"""A faithful re-implementation of the paper's CNN, for cost comparisons.

The paper resizes each padded ``100 x 237`` recording to a ``256 x 256`` one-channel image and
runs a VGG-16-inspired stack of 3x3 convolutions, then three linear layers: about 269.5 million
parameters, 268.4 million of them in the first linear layer (layer sizes from the paper's public
code). ``benchmarks/cost.py`` uses it to put skgesture's networks in perspective; no estimator
offers it, so it lives here rather than in the package.
"""

from __future__ import annotations

from torch import nn
from torch.nn import functional as F

__all__ = ["PaperCNN"]


def _conv(in_channels, out_channels):
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, padding="same")


class PaperCNN(nn.Module):
    """The paper's VGG-like CNN over the padded recording resized to a square image.

    Parameters
    ----------
    n_classes : int, default=2
    image_size : int, default=256
        Side of the square image the ``frames x (joints * coords)`` recording is resized to
        (bilinear interpolation); a multiple of 8.

    Notes
    -----
    ``last_conv`` is the 128 -> 256 convolution whose output (before its pooling) the paper
    explains with Grad-CAM. The paper's size allocates about 1 GB of float32 weights; build it
    under ``torch.device("meta")`` to count parameters without allocating them.
    """

    def __init__(self, n_classes=2, image_size=256):
        super().__init__()
        self.image_size = image_size
        self.features = nn.Sequential(
            _conv(1, 32), nn.ReLU(), _conv(32, 32), nn.ReLU(), nn.MaxPool2d(2),
            _conv(32, 64), nn.ReLU(), _conv(64, 64), nn.ReLU(), nn.MaxPool2d(2),
            _conv(64, 128), nn.ReLU(), _conv(128, 128), nn.ReLU(),
        )  # fmt: skip
        self.last_conv = _conv(128, 256)
        side = image_size // 8
        self.classifier = nn.Sequential(
            nn.Linear(256 * side * side, 1024),
            nn.ReLU(),
            nn.Linear(1024, 512),
            nn.ReLU(),
            nn.Linear(512, n_classes),
        )

    def forward(self, x, lengths=None):
        # x: (batch, frames, joints, coords); the paper sees padding as zeros, so lengths unused.
        h = x.flatten(2).unsqueeze(1)  # (batch, 1, frames, joints * coords)
        h = F.interpolate(h, size=(self.image_size, self.image_size), mode="bilinear")
        h = self.features(h)  # (batch, 128, image_size / 4, image_size / 4)
        h = F.relu(self.last_conv(h))  # (batch, 256, image_size / 4, image_size / 4)
        h = F.max_pool2d(h, 2)  # (batch, 256, image_size / 8, image_size / 8)
        return self.classifier(h.flatten(1))  # (batch, classes)
