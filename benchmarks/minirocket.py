"""MiniRocket in numpy and scikit-learn: the benchmarks' "one-second baseline".

Written from the paper's description (Dempster, Schmidt and Webb, "MINIROCKET: A Very Fast
(Almost) Deterministic Transform for Time Series Classification", KDD 2021), for machines where
aeon (and numba) cannot be installed:

- 84 fixed kernels of length 9, weights -1 with three 2s (every choice of 3 of the 9 positions);
- dilations spread exponentially from 1 to (length - 1) / 8, the number of features of each
  kernel shared among them (more to the small dilations, which the rounding repeats);
- padding (zeros, output as long as the input) for every other kernel/dilation combination,
  none (only the outputs whose whole receptive field lies in the series) for the others;
- biases drawn from quantiles (a low-discrepancy sequence) of the kernel's output on one training
  example chosen at random per kernel/dilation combination;
- one feature per bias: the proportion of positive values (PPV) of the output minus the bias;
- multivariate: each kernel/dilation combination sums its convolution over a random subset of
  the channels (1 to 9 channels, fewer more often).

The convolution uses the paper's trick: with weights -1 + 3 at three positions, the output of a
kernel is minus the sum of the nine shifted inputs (shared by all 84 kernels of a dilation) plus
three times the three shifted inputs of its 2s; no multiplication per kernel.

``minirocket_classifier(random_state)`` gives aeon's ``MiniRocketClassifier`` when aeon is
importable, else :class:`MiniRocketClassifier` below; ``MINIROCKET_NAME`` says which.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

KERNEL_LENGTH = 9
#: The positions of the three 2s of each of the 84 kernels.
KERNEL_INDICES = np.array(list(combinations(range(KERNEL_LENGTH), 3)))
N_KERNELS = len(KERNEL_INDICES)  # 84
#: Golden ratio: its multiples modulo 1 are a low-discrepancy sequence of quantiles.
_PHI = (1 + np.sqrt(5)) / 2


def _as_3d(X):
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2:  # univariate (n_cases, n_timepoints)
        X = X[:, np.newaxis, :]
    if X.ndim != 3:
        raise ValueError(
            f"X must have shape (n_cases, n_channels, n_timepoints); got shape {X.shape}."
        )
    if X.shape[0] == 0 or X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(f"X must not be empty; got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinity.")
    if X.shape[2] < KERNEL_LENGTH:  # too short for one kernel: pad the end with zeros
        X = np.pad(X, ((0, 0), (0, 0), (0, KERNEL_LENGTH - X.shape[2])))
    return X


def _dilations(n_timepoints, features_per_kernel, max_dilations_per_kernel):
    """Dilations of every kernel and how many features (biases) each one gets."""
    n_dilations = min(features_per_kernel, max_dilations_per_kernel)
    max_exponent = max(np.log2((n_timepoints - 1) / (KERNEL_LENGTH - 1)), 0.0)
    spread = np.floor(2.0 ** np.linspace(0.0, max_exponent, n_dilations)).astype(int)
    dilations, repeats = np.unique(spread, return_counts=True)
    # Each distinct dilation gets features in proportion to how often the rounding repeats it;
    # what the rounding down leaves goes one by one to the smallest dilations.
    counts = repeats * features_per_kernel // n_dilations
    left = features_per_kernel - counts.sum()
    counts[np.arange(left) % len(counts)] += 1
    return dilations, counts


def _shifted(X, dilation):
    """The nine inputs of the kernel taps, zero padded: shape (9, n_cases, n_channels, T)."""
    n_timepoints = X.shape[-1]
    pad = (KERNEL_LENGTH - 1) // 2 * dilation
    padded = np.pad(X, ((0, 0), (0, 0), (pad, pad)))
    return np.stack(
        [padded[..., j * dilation : j * dilation + n_timepoints] for j in range(KERNEL_LENGTH)]
    )


class MiniRocket(TransformerMixin, BaseEstimator):
    """MiniRocket transform of multivariate, equal-length time series.

    Parameters
    ----------
    num_features : int, default=10000
        Features wanted; rounded down to a multiple of 84 (9996 by default).
    max_dilations_per_kernel : int, default=32
        Most dilations per kernel.
    random_state : int, RandomState or None, default=None
        Draws the training example each bias comes from and the channels of each
        kernel/dilation combination.

    Attributes
    ----------
    n_channels_in_, n_timepoints_in_ : int
        Shape of the training series (after padding series shorter than 9 to 9).
    dilations_, features_per_dilation_ : ndarray of int
        Dilations (shared by all kernels) and features of each kernel at each of them.
    channels_ : list of ndarray
        Channels of each kernel/dilation combination, dilation-major.
    biases_ : list of ndarray
        Biases of each combination.
    n_features_out_ : int
    """

    def __init__(self, num_features=10000, max_dilations_per_kernel=32, random_state=None):
        self.num_features = num_features
        self.max_dilations_per_kernel = max_dilations_per_kernel
        self.random_state = random_state

    def fit(self, X, y=None):
        X = _as_3d(X)
        features_per_kernel = self.num_features // N_KERNELS
        if features_per_kernel < 1:
            raise ValueError(f"num_features must be at least {N_KERNELS}; got {self.num_features}.")
        rng = check_random_state(self.random_state)
        n_cases, n_channels, n_timepoints = X.shape
        self.n_channels_in_, self.n_timepoints_in_ = n_channels, n_timepoints
        self.dilations_, self.features_per_dilation_ = _dilations(
            n_timepoints, features_per_kernel, self.max_dilations_per_kernel
        )
        n_combinations = N_KERNELS * len(self.dilations_)
        # 1 to min(n_channels, 9) channels per combination, exponentially (fewer more often).
        max_exponent = np.log2(min(n_channels, KERNEL_LENGTH) + 1)
        sizes = np.floor(2.0 ** rng.uniform(0, max_exponent, n_combinations)).astype(int)
        self.channels_ = [np.sort(rng.choice(n_channels, size, replace=False)) for size in sizes]
        examples = rng.randint(n_cases, size=n_combinations)
        n_features = features_per_kernel * N_KERNELS
        quantiles = (np.arange(1, n_features + 1) * _PHI) % 1
        self.biases_ = []
        combination, feature = 0, 0
        for dilation, count in zip(self.dilations_, self.features_per_dilation_):
            picked = X[examples[combination : combination + N_KERNELS]]
            for output in self._outputs(picked, dilation, combination, one_case_each=True):
                biases = np.quantile(output[0], quantiles[feature : feature + count])
                self.biases_.append(biases.astype(np.float32))
                combination += 1
                feature += count
        self.n_features_out_ = n_features
        return self

    def _outputs(self, X, dilation, first_combination, one_case_each=False):
        """Yield the summed convolution output of each of the 84 kernels at ``dilation``.

        Shape (n_cases, T) for padded combinations, (n_cases, T - 8 * dilation) for the others;
        with ``one_case_each``, X holds 84 cases and kernel ``k`` is applied to case ``k`` only
        (shape (1, ...)).
        """
        shifted = _shifted(X, dilation)
        minus_all = -shifted.sum(axis=0)  # every weight -1: shared by the 84 kernels
        shifted *= 3  # the 2s are -1 + 3
        n_timepoints = X.shape[-1]
        edge = (KERNEL_LENGTH - 1) // 2 * dilation
        for kernel, (a, b, c) in enumerate(KERNEL_INDICES):
            channels = self.channels_[first_combination + kernel]
            cases = slice(kernel, kernel + 1) if one_case_each else slice(None)
            output = sum(
                part[cases, channels].sum(axis=1)
                for part in (minus_all, shifted[a], shifted[b], shifted[c])
            )
            if (first_combination + kernel) % 2 == 1:  # no padding: drop the padded edges
                output = output[:, edge : n_timepoints - edge]
            yield output

    def transform(self, X):
        check_is_fitted(self, "biases_")
        X = _as_3d(X)
        if X.shape[1:] != (self.n_channels_in_, self.n_timepoints_in_):
            raise ValueError(
                f"X has {X.shape[1]} channels and {X.shape[2]} time points (after padding); "
                f"MiniRocket was fitted on {self.n_channels_in_} and {self.n_timepoints_in_}."
            )
        features = np.empty((len(X), self.n_features_out_), dtype=np.float32)
        # A few hundred cases at a time bound the memory of the nine shifted copies.
        batch = max(1, 2**22 // (KERNEL_LENGTH * X.shape[1] * X.shape[2]))
        for start in range(0, len(X), batch):
            part = X[start : start + batch]
            combination, feature = 0, 0
            for dilation in self.dilations_:
                for output in self._outputs(part, dilation, combination):
                    biases = self.biases_[combination]
                    positive = output[:, np.newaxis, :] > biases[np.newaxis, :, np.newaxis]
                    features[start : start + batch, feature : feature + len(biases)] = (
                        positive.mean(axis=2)
                    )
                    combination += 1
                    feature += len(biases)
        return features

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "biases_")
        return np.array([f"minirocket{i}" for i in range(self.n_features_out_)], dtype=object)


class MiniRocketClassifier(ClassifierMixin, BaseEstimator):
    """MiniRocket, then (optionally) scaling, then ``RidgeClassifierCV`` as in the paper.

    Parameters
    ----------
    num_features, max_dilations_per_kernel, random_state
        See :class:`MiniRocket`.
    scale : bool, default=True
        Divide each feature by its standard deviation (``StandardScaler(with_mean=False)``)
        before the ridge classifier.
    alphas : array-like, default=np.logspace(-3, 3, 10)
        Regularisation strengths ``RidgeClassifierCV`` chooses among (leave-one-out).

    Attributes
    ----------
    pipeline_ : Pipeline
    classes_ : ndarray
    """

    def __init__(
        self,
        num_features=10000,
        max_dilations_per_kernel=32,
        random_state=None,
        scale=True,
        alphas=None,
    ):
        self.num_features = num_features
        self.max_dilations_per_kernel = max_dilations_per_kernel
        self.random_state = random_state
        self.scale = scale
        self.alphas = alphas

    def fit(self, X, y):
        alphas = np.logspace(-3, 3, 10) if self.alphas is None else self.alphas
        steps = [
            MiniRocket(
                num_features=self.num_features,
                max_dilations_per_kernel=self.max_dilations_per_kernel,
                random_state=self.random_state,
            )
        ]
        if self.scale:
            steps.append(StandardScaler(with_mean=False))
        steps.append(RidgeClassifierCV(alphas=alphas))
        self.pipeline_ = make_pipeline(*steps).fit(X, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def decision_function(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.decision_function(X)

    def predict(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(X)


def _aeon_minirocket():
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier as aeon_class
    except ImportError:
        return None
    return aeon_class


_AEON_CLASS = _aeon_minirocket()
#: Which MiniRocket :func:`minirocket_classifier` gives, to name the benchmarks' reference.
MINIROCKET_NAME = (
    "MiniRocket (aeon)" if _AEON_CLASS is not None else "MiniRocket (own numpy implementation)"
)


def minirocket_classifier(random_state=None):
    """aeon's ``MiniRocketClassifier`` when aeon is importable, else :class:`MiniRocketClassifier`.

    Both take arrays of shape (n_cases, n_channels, n_timepoints).
    """
    if _AEON_CLASS is not None:
        return _AEON_CLASS(random_state=random_state)
    return MiniRocketClassifier(random_state=random_state)
