"""Checks of what classifiers are fitted against: labels and per-recording weights."""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight

__all__ = ["check_labels", "check_sample_weight", "drop_unweighted"]


def check_labels(y):
    """``check_classification_targets``, plus a clear error for labels that cannot be sorted."""
    y = np.asarray(y)
    if y.dtype == object:
        kinds = {type(label).__name__ for label in y}
        if len({isinstance(label, str) for label in y}) > 1 or "NoneType" in kinds:
            raise ValueError(
                f"y mixes labels of types {sorted(kinds)}, which cannot be sorted into "
                "classes; use labels of one type, e.g. all strings."
            )
    check_classification_targets(y)


def check_sample_weight(sample_weight, y):
    """Validate ``sample_weight`` for ``y``; return it as float32, scaled so its largest is 1.

    The loss of a batch depends only on the ratios of its weights, and the scaling keeps huge
    weights finite in float32.
    """
    sample_weight = _check_sample_weight(
        sample_weight, y, dtype=np.float64, ensure_non_negative=True
    )
    return (sample_weight / sample_weight.max()).astype(np.float32)


def drop_unweighted(sample_weight, y, data, lengths, labelled=None):
    """Leave out the recordings of zero weight; return ``data, lengths, y, sample_weight``.

    A recording of weight zero takes no part in training: not in the standardisation, the
    validation split or the batches, so the fit equals one on the other recordings alone. A
    class of ``y`` (among the ``labelled`` recordings, all by default) must keep a recording.
    """
    positive = sample_weight > 0
    if positive.all():
        return data, lengths, y, sample_weight
    labelled = np.ones(len(y), dtype=bool) if labelled is None else labelled
    lost = np.setdiff1d(y[labelled], y[labelled & positive])
    if len(lost):
        raise ValueError(
            f"sample_weight is zero for every recording of the classes {lost.tolist()}; a "
            "classifier cannot learn a class from no recordings. Give some of them a positive "
            "weight, or leave them out of X and y."
        )
    return data[positive], lengths[positive], y[positive], sample_weight[positive]
