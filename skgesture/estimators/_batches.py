"""From validated recordings to network batches: the one standardise-and-batch path.

:func:`prepare_batch` is what every batch goes through, in training and afterwards: trimmed to
its longest recording (or cropped/padded to a fixed length), augmented when training, and
standardised with the statistics learned in ``fit``. :class:`BatchCollator` applies it to the
items skorch's training iterator draws; :func:`batch_slices` cuts a padded dataset into the
batches that prediction, embedding, reconstruction, scoring and the explainer run (each
estimator's ``_standardised_batches``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset, default_collate

from skgesture._standardize import standardize

__all__ = ["BatchCollator", "WeightedItems", "batch_slices", "prepare_batch", "set_n_frames"]


def set_n_frames(data, lengths, n_frames):
    """Crop or zero-pad the frame axis of a padded batch to ``n_frames``."""
    if data.shape[1] >= n_frames:
        return data[:, :n_frames], np.minimum(lengths, n_frames)
    padding = [(0, 0), (0, n_frames - data.shape[1]), (0, 0), (0, 0)]
    return np.pad(data, padding), lengths


def prepare_batch(
    data, lengths, mean, scale, *, n_frames=None, augmenter=None, rng=None, features=None
):
    """One network batch from padded recordings: ``(x, lengths)`` as float32 / int64 arrays.

    The batch is trimmed to its longest recording (or cropped/padded to ``n_frames`` for
    fixed-length networks), augmented with ``augmenter`` (training only; ``rng`` draws), turned
    into the estimator's input ``features`` (a callable on ``(data, lengths)``, see
    :mod:`skgesture.estimators._input`; None keeps the positions) and standardised with ``mean``
    and ``scale``; padded frames stay zero.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if n_frames is None:
        data = data[:, : lengths.max()]
    if augmenter is not None:
        data, lengths = augmenter.augment_batch(data, lengths, rng)
        lengths = np.asarray(lengths, dtype=np.int64)
    if n_frames is not None:
        data, lengths = set_n_frames(data, lengths, n_frames)
    if features is not None:
        data = features(data, lengths)
    return standardize(data, lengths, mean, scale), lengths


def batch_slices(n_samples, batch_size):
    """The slices of consecutive batches of at most ``batch_size`` recordings."""
    return [slice(start, start + batch_size) for start in range(0, n_samples, batch_size)]


class BatchCollator:
    """Assemble skorch's dataset items into one network batch through :func:`prepare_batch`.

    Each item is ``({"x": recording, "lengths": length}, label)``, its inputs with a
    ``"sample_weight"`` too when ``fit`` was given weights.
    """

    # Collators pickled before input features existed fed positions as given.
    features = None

    def __init__(self, mean, scale, n_frames=None, augmenter=None, seed=None, features=None):
        self.mean = mean
        self.scale = scale
        self.n_frames = n_frames
        self.augmenter = augmenter
        self.rng = np.random.default_rng(seed)
        self.features = features

    def __call__(self, items):
        inputs, labels = zip(*items, strict=True)
        data = np.stack([item["x"] for item in inputs])  # (batch, frames, joints, coords)
        lengths = np.array([item["lengths"] for item in inputs], dtype=np.int64)
        x, lengths = prepare_batch(
            data,
            lengths,
            self.mean,
            self.scale,
            n_frames=self.n_frames,
            augmenter=self.augmenter,
            rng=self.rng,
            features=self.features,
        )
        batch = {"x": torch.from_numpy(x), "lengths": torch.from_numpy(lengths)}
        if "sample_weight" in inputs[0]:
            weights = np.array([item["sample_weight"] for item in inputs], dtype=np.float32)
            batch["sample_weight"] = torch.from_numpy(weights)
        return batch, default_collate(list(labels))


class WeightedItems(Dataset):
    """Dataset items (``(inputs, label)``) with each recording's weight added to its inputs."""

    def __init__(self, items, sample_weight):
        self.items = items
        self.sample_weight = sample_weight

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        inputs, label = self.items[index]
        return {**inputs, "sample_weight": self.sample_weight[index]}, label
