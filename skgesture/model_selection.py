"""Cross-validation for semi-supervised data: unlabelled recordings always train, never test.

:class:`LabeledStratifiedKFold` splits only the labelled recordings into stratified folds (by
groups too, when given) and adds every unlabelled recording to each training side, so that
``cross_val_score(SSLClassifier(), X, y, cv=LabeledStratifiedKFold())`` scores each fold on
labelled recordings the model never saw, while pre-training always uses all unlabelled ones.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.model_selection._split import _BaseKFold
from sklearn.utils.validation import column_or_1d

__all__ = ["LabeledStratifiedKFold"]


def labelled_mask(y, unlabeled_label=-1):
    """True where ``y`` holds a label, False where it holds ``unlabeled_label``.

    A string never equals a number, so ``-1`` marks nothing in an array of strings, and in an
    object array only the number -1 (not the string ``"-1"``) marks an unlabelled recording.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    unlabeled_label : int, float or str, default=-1

    Returns
    -------
    ndarray of shape (n_samples,), bool

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.model_selection import labelled_mask
    >>> labelled_mask(np.array(["wave", -1, "point"], dtype=object)).tolist()
    [True, False, True]
    """
    y = np.asarray(y)
    if y.dtype.kind == "O":
        return np.array([not _same_label(label, unlabeled_label) for label in y], dtype=bool)
    if (y.dtype.kind in "US") != isinstance(unlabeled_label, str):
        return np.ones(len(y), dtype=bool)
    return np.asarray(y != unlabeled_label, dtype=bool)


def _same_label(label, unlabeled_label):
    if isinstance(label, str) != isinstance(unlabeled_label, str):
        return False
    return bool(label == unlabeled_label)


class LabeledStratifiedKFold(_BaseKFold):
    """Stratified K-fold over the labelled recordings; unlabelled ones always train.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2); every class needs at least ``n_splits`` labelled
        recordings for the folds to be stratified (scikit-learn warns otherwise).
    unlabeled_label : int, float or str, default=-1
        The value of ``y`` that marks an unlabelled recording.
    shuffle : bool, default=False
        Shuffle each class's labelled recordings before splitting them into folds.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling; only used with ``shuffle=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.model_selection import LabeledStratifiedKFold
    >>> y = np.array([0, 1, 0, 1, -1, -1, 0, 1])
    >>> for train, test in LabeledStratifiedKFold(n_splits=3).split(np.zeros(8), y):
    ...     print(train.tolist(), test.tolist())
    [2, 3, 4, 5, 6, 7] [0, 1]
    [0, 1, 4, 5, 6, 7] [2, 3]
    [0, 1, 2, 3, 4, 5] [6, 7]
    """

    def __init__(self, n_splits=5, *, unlabeled_label=-1, shuffle=False, random_state=None):
        if not isinstance(n_splits, Integral):
            raise ValueError(f"n_splits must be an integer, got {n_splits!r}.")
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.unlabeled_label = unlabeled_label

    def split(self, X, y, groups=None):
        """Indices of the training and test recordings of each fold.

        Parameters
        ----------
        X : array-like or list of recordings
            Only its length is used.
        y : array-like of shape (n_samples,)
            Labels, ``unlabeled_label`` for unlabelled recordings.
        groups : array-like of shape (n_samples,), default=None
            Performer (or session) of each recording: with groups, folds are built by
            :class:`~sklearn.model_selection.StratifiedGroupKFold`, so a performer's labelled
            recordings are never on both sides. Unlabelled recordings train in every fold
            whatever their group.

        Yields
        ------
        train : ndarray
            All unlabelled recordings plus the labelled ones of the other folds, sorted.
        test : ndarray
            The labelled recordings of this fold.
        """
        if y is None:
            raise ValueError("LabeledStratifiedKFold needs y to tell labelled recordings apart.")
        y = column_or_1d(y, warn=True)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} recordings but y has {len(y)} labels.")
        labelled = np.flatnonzero(labelled_mask(y, self.unlabeled_label))
        unlabelled = np.flatnonzero(~labelled_mask(y, self.unlabeled_label))
        if len(labelled) < self.n_splits:
            raise ValueError(
                f"n_splits={self.n_splits} folds need at least {self.n_splits} labelled "
                f"recordings; y has {len(labelled)} (unlabeled_label={self.unlabeled_label!r})."
            )
        random_state = self.random_state if self.shuffle else None
        y_known = y[labelled]
        if groups is None:
            splitter = StratifiedKFold(
                self.n_splits, shuffle=self.shuffle, random_state=random_state
            )
            folds = splitter.split(np.zeros(len(labelled)), y_known)
        else:
            groups = column_or_1d(groups)
            if len(groups) != len(y):
                raise ValueError(f"groups has {len(groups)} entries but y has {len(y)}.")
            splitter = StratifiedGroupKFold(
                self.n_splits, shuffle=self.shuffle, random_state=random_state
            )
            folds = splitter.split(np.zeros(len(labelled)), y_known, groups[labelled])
        for train, test in folds:
            yield np.sort(np.concatenate([labelled[train], unlabelled])), labelled[test]

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds: ``n_splits``."""
        return self.n_splits
