"""The benchmarks' own MiniRocket (benchmarks/minirocket.py), used where aeon is not installed.

It is not part of the package, so it is loaded from its file, the way the benchmarks' scripts,
run from that folder, import it.
"""

import importlib.util
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

MINIROCKET_FILE = Path(__file__).resolve().parents[1] / "benchmarks" / "minirocket.py"


def _load_minirocket():
    spec = importlib.util.spec_from_file_location("minirocket", MINIROCKET_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


minirocket = _load_minirocket()
MiniRocket = minirocket.MiniRocket
MiniRocketClassifier = minirocket.MiniRocketClassifier


def _sines_and_noise(n_per_class, n_channels=3, n_timepoints=60, seed=0):
    """Class 0: noisy sines of random phase and frequency; class 1: noise alone."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_timepoints)
    phase = rng.uniform(0, 2 * np.pi, (n_per_class, n_channels, 1))
    frequency = rng.uniform(0.15, 0.3, (n_per_class, n_channels, 1))
    sines = np.sin(frequency * t + phase)
    X = np.concatenate([sines, np.zeros_like(sines)])
    X += rng.normal(0, 0.6, X.shape)
    y = np.repeat(["sine", "noise"], n_per_class)
    return X, y


def _naive_output(series, kernel, dilation, padding):
    """One kernel's convolution of one channel, straight from the definition."""
    weights = np.full(9, -1.0)
    weights[minirocket.KERNEL_INDICES[kernel]] = 2.0
    half = 4 * dilation
    padded = np.pad(series, half)
    out = np.array(
        [weights @ padded[t : t + 8 * dilation + 1 : dilation] for t in range(len(series))]
    )
    return out if padding else out[half : len(series) - half]


def test_84_kernels_of_length_9_with_three_2s():
    assert minirocket.KERNEL_INDICES.shape == (84, 3)
    assert len({tuple(k) for k in minirocket.KERNEL_INDICES}) == 84


def test_shapes_and_number_of_features():
    X = np.random.default_rng(0).normal(size=(10, 3, 40))
    transform = MiniRocket(random_state=0).fit(X)
    features = transform.transform(X)
    assert features.shape == (10, 9996) == (10, transform.n_features_out_)
    assert features.min() >= 0 and features.max() <= 1  # proportions of positive values
    assert sum(len(b) for b in transform.biases_) == 9996
    assert len(transform.biases_) == len(transform.channels_) == 84 * len(transform.dilations_)
    assert transform.features_per_dilation_.sum() == 9996 // 84
    assert transform.dilations_[0] == 1 and transform.dilations_[-1] <= (40 - 1) / 8
    assert all(1 <= len(c) <= 3 for c in transform.channels_)
    small = MiniRocket(num_features=840, random_state=0).fit_transform(X)
    assert small.shape == (10, 840)
    assert transform.get_feature_names_out().shape == (9996,)


def test_dilations_spread_exponentially_up_to_a_kernel_as_long_as_the_series():
    dilations, counts = minirocket._dilations(1001, 119, 32)  # (1001 - 1) / 8 = 125
    assert dilations[0] == 1 and dilations[-1] == 125 and len(dilations) == 25  # 32, less repeats
    assert np.all(np.diff(dilations) > 0)
    assert np.all(np.diff(np.log2(dilations)[8:]) < 0.3)  # about evenly spaced in log2
    assert counts.sum() == 119 and counts.min() >= 3
    dilations, counts = minirocket._dilations(51, 119, 32)  # NATOPS: repeated small dilations
    assert dilations.tolist() == [1, 2, 3, 4, 5, 6] and counts.sum() == 119
    assert np.all(np.diff(counts) <= 0)  # the small dilations get the most features


def test_features_match_the_definition():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 5, 50))
    transform = MiniRocket(num_features=84 * 6, random_state=3).fit(X)
    features = transform.transform(X)
    combination, feature = 0, 0
    for dilation in transform.dilations_:
        for kernel in range(84):
            channels = transform.channels_[combination]
            biases = transform.biases_[combination]
            if combination % 5 == 0:  # a sample of the combinations, padded and not
                padding = combination % 2 == 0
                for case in range(len(X)):
                    output = sum(
                        _naive_output(X[case, ch], kernel, dilation, padding) for ch in channels
                    )
                    expected = (output[:, None] > biases).mean(axis=0)
                    # float32 rounding may flip an output sitting on its bias
                    got = features[case, feature : feature + len(biases)]
                    np.testing.assert_allclose(got, expected, atol=1.5 / len(output))
            combination += 1
            feature += len(biases)
    assert feature == features.shape[1]


def test_biases_are_quantiles_of_one_training_example():
    X = np.random.default_rng(2).normal(size=(6, 2, 30))
    transform = MiniRocket(random_state=0).fit(X)
    features = transform.transform(X)
    # Each combination's biases split one training example's output: averaged over the
    # training set the PPV is near 1 - quantile, neither all 0 nor all 1.
    assert 0.3 < features.mean() < 0.7
    assert np.all(np.diff(np.concatenate(transform.biases_)) != 0)


def test_deterministic_with_random_state():
    X, _ = _sines_and_noise(8, n_channels=6)
    first = MiniRocket(random_state=7).fit(X).transform(X)
    again = MiniRocket(random_state=7).fit(X).transform(X)
    other = MiniRocket(random_state=8).fit(X).transform(X)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    clf = MiniRocketClassifier(random_state=7).fit(X, np.repeat([0, 1], 8))
    clone_predictions = clone(clf).fit(X, np.repeat([0, 1], 8)).decision_function(X)
    np.testing.assert_array_equal(clf.decision_function(X), clone_predictions)


def test_separates_sines_from_noise():
    X, y = _sines_and_noise(20, seed=0)
    X_test, y_test = _sines_and_noise(20, seed=1)
    clf = MiniRocketClassifier(random_state=0).fit(X, y)
    assert set(clf.classes_) == {"sine", "noise"}
    assert clf.score(X_test, y_test) >= 0.9
    unscaled = MiniRocketClassifier(random_state=0, scale=False).fit(X, y)
    assert unscaled.score(X_test, y_test) >= 0.9


@pytest.mark.parametrize("n_timepoints", [1, 5, 8, 9, 10])
def test_short_series(n_timepoints):
    X, y = _sines_and_noise(6, n_channels=2, n_timepoints=n_timepoints)
    clf = MiniRocketClassifier(random_state=0).fit(X, y)
    assert clf.predict(X).shape == (12,)
    features = clf.pipeline_[0].transform(X)
    assert features.shape == (12, 9996) and np.isfinite(features).all()
    assert clf.pipeline_[0].dilations_.tolist() == [1]


def test_univariate_2d_input_and_many_channels():
    rng = np.random.default_rng(0)
    assert MiniRocket(random_state=0).fit_transform(rng.normal(size=(5, 20))).shape == (5, 9996)
    transform = MiniRocket(random_state=0).fit(rng.normal(size=(5, 30, 20)))
    sizes = [len(c) for c in transform.channels_]
    assert min(sizes) == 1 and max(sizes) == 9  # at most nine channels per combination


def test_rejects_bad_input():
    X = np.zeros((4, 3, 20))
    transform = MiniRocket(random_state=0).fit(X)
    with pytest.raises(ValueError, match="channels"):
        transform.transform(np.zeros((4, 2, 20)))
    with pytest.raises(ValueError, match="shape"):
        MiniRocket().fit(np.zeros((4, 3, 2, 20)))
    with pytest.raises(ValueError, match="NaN"):
        MiniRocket().fit(np.full((4, 3, 20), np.nan))
    with pytest.raises(ValueError, match="num_features"):
        MiniRocket(num_features=10).fit(X)


def test_fast_on_a_natops_sized_problem():
    # 180 recordings of 24 channels and 51 frames, as NATOPS: under a second here, alone.
    X, y = _sines_and_noise(90, n_channels=24, n_timepoints=51)
    start = time.perf_counter()
    MiniRocketClassifier(random_state=0).fit(X, y).predict(X)
    assert time.perf_counter() - start < 10  # generous: the cores are shared


def test_factory_names_the_implementation_it_gives():
    clf = minirocket.minirocket_classifier(random_state=3)
    assert clf.random_state == 3
    if minirocket.MINIROCKET_NAME == "MiniRocket (aeon)":
        assert type(clf).__module__.startswith("aeon")
    else:
        assert minirocket.MINIROCKET_NAME == "MiniRocket (own numpy implementation)"
        assert isinstance(clf, MiniRocketClassifier)
