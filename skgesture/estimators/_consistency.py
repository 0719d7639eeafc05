"""Consistency training on unlabelled recordings (FixMatch, Sohn et al., 2020), for skorch.

Each training step of :class:`ConsistencyNet` adds, to the labelled batch's loss, a loss on a
batch of unlabelled recordings: each is seen twice, weakly augmented (scaling, jitter) and
strongly augmented (rotation, scaling, jitter, time warp, cropping, dropped joints). The
network's class for the weak view, where its probability reaches a threshold, is the target of
the strong view (cross-entropy, averaged over the whole unlabelled batch, so that unconfident
recordings count as zero). The network thus learns to give a recording the same class however
it is turned, stretched or partly hidden, from recordings nobody labelled.
"""

from __future__ import annotations

import numpy as np
import torch
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch.nn import functional as F

from skgesture.estimators._batches import prepare_batch
from skgesture.estimators._training import ClassifierNet

__all__ = ["ConsistencyNet", "UnlabeledViews"]


class UnlabeledViews:
    """A pool of unlabelled recordings that hands out (weak, strong) views of random batches.

    Parameters
    ----------
    data : ndarray of shape (n_recordings, n_frames, n_joints, n_coords)
        Zero-padded recordings.
    lengths : ndarray of shape (n_recordings,)
    mean, scale : ndarray
        The standardisation of the network's input (the estimator's).
    weak, strong : augmenters
        With ``augment_batch(data, lengths, rng)``.
    batch_size : int
        Recordings per draw.
    features : callable or None
        The estimator's input features.
    seed : int
        Seeds the draws and the augmentations.
    """

    def __init__(self, data, lengths, mean, scale, weak, strong, batch_size, features, seed):
        self.data = data
        self.lengths = lengths
        self.mean = mean
        self.scale = scale
        self.weak = weak
        self.strong = strong
        self.batch_size = batch_size
        self.features = features
        self.rng = np.random.default_rng(seed)
        self._order = np.empty(0, dtype=np.intp)

    def _next_rows(self):
        """The next ``batch_size`` rows of a random order, reshuffled whenever it runs out."""
        n = min(self.batch_size, len(self.data))
        while len(self._order) < n:
            self._order = np.concatenate([self._order, self.rng.permutation(len(self.data))])
        rows, self._order = self._order[:n], self._order[n:]
        return rows

    def draw(self):
        """``((x_weak, lengths_weak), (x_strong, lengths_strong))`` as float32 / int64 arrays."""
        rows = self._next_rows()
        data, lengths = self.data[rows], self.lengths[rows]
        return tuple(
            prepare_batch(
                data,
                lengths,
                self.mean,
                self.scale,
                augmenter=augmenter,
                rng=self.rng,
                features=self.features,
            )
            for augmenter in (self.weak, self.strong)
        )


class ConsistencyNet(ClassifierNet):
    """skgesture's classifier net, with FixMatch's consistency loss on unlabelled recordings.

    Parameters
    ----------
    unlabeled : UnlabeledViews
        Where the unlabelled batches come from.
    consistency_threshold : float
        Probability the weak view's class must reach to become the strong view's target.
    consistency_weight : float
        Weight of the unlabelled loss against the labelled one.

    The ``train_loss`` recorded is the sum of both; each batch also records
    ``pseudo_label_rate``, the share of unlabelled recordings that reached the threshold.
    """

    def __init__(
        self, *args, unlabeled=None, consistency_threshold=0.95, consistency_weight=1.0, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.unlabeled = unlabeled
        self.consistency_threshold = consistency_threshold
        self.consistency_weight = consistency_weight

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        try:
            return super().partial_fit(X, y, classes, **fit_params)
        finally:
            # The pool is training data: a fitted model (pickled, kept by the estimator) must
            # not carry the unlabelled recordings along.
            self.unlabeled = None

    def _views(self):
        return [
            {
                "x": torch.as_tensor(x, device=self.device),
                "lengths": torch.as_tensor(lengths, device=self.device),
            }
            for x, lengths in self.unlabeled.draw()
        ]

    def train_step_single(self, batch, **fit_params):
        if self.unlabeled is None or self.consistency_weight == 0:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        weak, strong = self._views()
        with torch.no_grad():
            probabilities = F.softmax(self.infer(weak), dim=1)
        confidence, target = probabilities.max(dim=1)
        confident = (confidence >= self.consistency_threshold).to(probabilities.dtype)
        # One forward pass over the labelled and the strongly augmented recordings, padded to
        # the same frames, as FixMatch does: the normalisation statistics see both, and no
        # second pass updates running statistics that the first one's backward still needs.
        labelled = to_tensor(Xi["x"], device=self.device)
        n_frames = max(labelled.shape[1], strong["x"].shape[1])
        joint = {
            "x": torch.cat([_pad_frames(labelled, n_frames), _pad_frames(strong["x"], n_frames)]),
            "lengths": torch.cat([to_tensor(Xi["lengths"], device=self.device), strong["lengths"]]),
        }
        logits = self.infer(joint, **fit_params)
        n_labelled = len(labelled)
        loss = self.get_loss(logits[:n_labelled], yi, X=Xi, training=True)
        unlabeled = F.cross_entropy(logits[n_labelled:], target, reduction="none")
        loss = loss + self.consistency_weight * (unlabeled * confident).mean()
        self.history.record_batch("pseudo_label_rate", float(confident.mean()))
        loss.backward()
        return {"loss": loss, "y_pred": logits[:n_labelled]}


def _pad_frames(x, n_frames):
    """Zero-pad ``x`` (batch, frames, joints, coords) to ``n_frames`` frames."""
    return F.pad(x, (0, 0, 0, 0, 0, n_frames - x.shape[1]))
