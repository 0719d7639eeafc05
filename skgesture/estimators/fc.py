"""The paper's baseline, a perceptron over the padded sequence: :class:`FCClassifier`."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from skgesture.estimators._base import (
    NETWORK_DEFAULTS,
    TEST_TRAINING,
    TRAINING_CONSTRAINTS,
    SkeletonClassifierBase,
    parameters_init,
)
from skgesture.estimators._docs import complete_docstring
from skgesture.nn import FCNet

__all__ = ["FCClassifier"]


@complete_docstring
class FCClassifier(SkeletonClassifierBase):
    """Multi-layer perceptron over the whole padded sequence (the paper's baseline).

    Every recording is zero-padded to ``n_frames_`` and flattened: the width of the training
    array when it is dense (so ``SkeletonPadder(max_frames=...)`` in front of it sets it), the
    longest training recording for a ragged list. At prediction, shorter recordings are padded
    and longer ones cropped to ``n_frames_`` (with a warning).

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(32, 64)
        Width of each hidden layer (the paper's: 32 then 64).
    dropout : float in [0, 1), default=0.2
        Dropout after each hidden layer.
    %(training_parameters)s

    Attributes
    ----------
    %(classifier_attributes)s
    %(fitted_attributes)s

    See Also
    --------
    CNNClassifier, LSTMClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import FCClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 10, 4, 3))
    >>> y = np.repeat(["left", "right"], 10)
    >>> X[y == "right", :, 3] += 1.5
    >>> clf = FCClassifier(max_epochs=20, lr=0.01, random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    """

    _parameter_constraints = {
        **TRAINING_CONSTRAINTS,
        "hidden_sizes": ["array-like"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }
    _fixed_length = True

    @classmethod
    def _get_test_params(cls):
        return [{"hidden_sizes": (16,), **TEST_TRAINING}]

    __init__ = parameters_init({"hidden_sizes": (32, 64), "dropout": 0.2, **NETWORK_DEFAULTS})

    def _check_network_params(self):
        super()._check_network_params()
        if not all(isinstance(size, Integral) and size >= 1 for size in self.hidden_sizes):
            raise ValueError(
                f"hidden_sizes must hold positive integers; got {self.hidden_sizes!r}."
            )

    def _module(self):
        hidden_sizes = tuple(self.hidden_sizes)
        return FCNet, {
            "n_frames": self.n_frames_,
            "n_joints": self.n_joints_in_,
            "n_coords": self._n_network_coords,
            "hidden_sizes": hidden_sizes,
            "dropout": self.dropout,
        }
