"""Networks for self-supervised pre-training of the :class:`~skgesture.nn.cnn.JointEncoder`.

Both wrap a :class:`~skgesture.nn.cnn.JointEncoder` as ``encoder``; after pre-training, its
weights load into a :class:`~skgesture.nn.cnn.JointCNN` classifier by name.

- :class:`ReconstructionNet` rebuilds a whole recording from a corrupted copy (masked
  reconstruction). Its convolutions keep the full frame and joint resolution, so without the
  corruption it could learn to copy its input; hiding frames and joints forces it to infer them
  from the movement around them.
- :class:`ContrastiveNet` maps a recording to a point on the unit sphere, trained so that two
  augmented views of the same recording land close together (SimCLR, with
  :func:`skgesture.nn.losses.nt_xent_loss`).
- :class:`HybridNet` does both from one pass of the encoder: the decoder rebuilds the
  recording and the projection head embeds it.
"""

from __future__ import annotations

from torch import nn
from torch.nn import functional as F

from skgesture.nn.cnn import JointBlock, JointEncoder
from skgesture.nn.masking import frame_mask, masked_mean

__all__ = ["ReconstructionNet", "ContrastiveNet", "HybridNet"]


def full_resolution(encoder, features, mask, x, lengths):
    """An encoder's ``features`` of ``x`` at every input frame, and the mask of real frames.

    A downsampling encoder's features are repeated ``downsample`` times along frames (output
    frame ``i`` of a stride ``s`` is centred on input frame ``i * s``), so that a decoder can
    rebuild every frame.
    """
    # features: (batch, filters, frames', joints)
    if encoder.downsample == 1:
        return features, mask
    n_frames = x.shape[1]
    features = features.repeat_interleave(encoder.downsample, dim=2)[:, :, :n_frames]
    return features, frame_mask(lengths, n_frames)


def projection_head(encoder, projection_size):
    """SimCLR's MLP from an encoder's embedding to the compared vectors."""
    hidden = max(projection_size, encoder.n_filters * 4)
    return nn.Sequential(
        nn.Linear(encoder.embedding_size, hidden),
        nn.ReLU(),
        nn.Linear(hidden, projection_size),
    )


class ReconstructionNet(nn.Module):
    """Encoder and a convolutional decoder that outputs joint coordinates for every frame.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_filters : int, default=48
    n_blocks : int, default=2
        Residual blocks of the encoder.
    kernel_size : int, default=7
    decoder_blocks : int, default=1
        Residual blocks of the decoder, before a 1x1 convolution to ``n_coords`` channels.
    downsample : int, default=1
        Temporal downsampling of the encoder (see :class:`~skgesture.nn.cnn.JointEncoder`); the
        decoder works on its features repeated back to every frame.
    """

    def __init__(
        self,
        n_joints,
        n_coords,
        n_filters=48,
        n_blocks=2,
        kernel_size=7,
        decoder_blocks=1,
        downsample=1,
    ):
        super().__init__()
        self.encoder = JointEncoder(
            n_joints, n_coords, n_filters, n_blocks, kernel_size, downsample
        )
        self.decoder = nn.ModuleList(
            JointBlock(n_filters, kernel_size) for _ in range(decoder_blocks)
        )
        self.output = nn.Conv2d(n_filters, n_coords, kernel_size=1)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        features, mask = self.encoder.features(x, lengths)
        return self.decode(*full_resolution(self.encoder, features, mask, x, lengths))

    def decode(self, features, mask):
        """Joint coordinates ``(batch, frames, joints, coords)`` from the encoder's features."""
        h = features  # (batch, filters, frames, joints)
        for block in self.decoder:
            h = block(h, mask)
        out = self.output(h).permute(0, 2, 3, 1)  # (batch, frames, joints, coords)
        return out * mask[:, :, None, None]


class ContrastiveNet(nn.Module):
    """Encoder and a projection head whose outputs are compared by a contrastive loss.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_filters : int, default=48
    n_blocks : int, default=2
    kernel_size : int, default=7
    projection_size : int, default=128
        Length of the projected vectors (SimCLR's ``z``).
    downsample : int, default=1
        Temporal downsampling of the encoder (see :class:`~skgesture.nn.cnn.JointEncoder`).
    """

    def __init__(
        self,
        n_joints,
        n_coords,
        n_filters=48,
        n_blocks=2,
        kernel_size=7,
        projection_size=128,
        downsample=1,
    ):
        super().__init__()
        self.encoder = JointEncoder(
            n_joints, n_coords, n_filters, n_blocks, kernel_size, downsample
        )
        self.projection = projection_head(self.encoder, projection_size)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        z = self.projection(self.encoder.embed(x, lengths))  # (batch, projection_size)
        return F.normalize(z, dim=1)


class HybridNet(ReconstructionNet):
    """Encoder with both a reconstruction decoder and a contrastive projection head.

    Parameters
    ----------
    n_joints : int
    n_coords : int
    n_filters : int, default=48
    n_blocks : int, default=2
    kernel_size : int, default=7
    decoder_blocks : int, default=1
    projection_size : int, default=128
    downsample : int, default=1

    Returns
    -------
    From ``forward``: the reconstruction ``(batch, frames, joints, coords)`` and the unit
    projections ``(batch, projection_size)``.
    """

    def __init__(
        self,
        n_joints,
        n_coords,
        n_filters=48,
        n_blocks=2,
        kernel_size=7,
        decoder_blocks=1,
        projection_size=128,
        downsample=1,
    ):
        super().__init__(
            n_joints, n_coords, n_filters, n_blocks, kernel_size, decoder_blocks, downsample
        )
        self.projection = projection_head(self.encoder, projection_size)

    def forward(self, x, lengths):
        # x: (batch, frames, joints, coords); lengths: (batch,)
        features, mask = self.encoder.features(x, lengths)  # (batch, filters, frames', joints)
        z = self.projection(masked_mean(features, mask).flatten(1))
        decoded = self.decode(*full_resolution(self.encoder, features, mask, x, lengths))
        return decoded, F.normalize(z, dim=1)
