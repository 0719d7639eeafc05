"""LSTMClassifier's pooling: what the head reads, padding, older models, bad values."""

import pickle

import numpy as np
import pytest
import torch
from _tiny import TINY_LSTM, gestures
from sklearn.utils._param_validation import InvalidParameterError

from skgesture import LSTMClassifier
from skgesture.nn import LSTMNet


def test_defaults_pool_the_outputs_of_every_real_frame():
    clf = LSTMClassifier()
    assert clf.pooling == "max"


@pytest.mark.parametrize("pooling", ["max", "mean", "last"])
def test_padding_never_changes_the_logits(pooling):
    torch.manual_seed(0)
    network = LSTMNet(3, 2, 4, projection_size=6, hidden_size=5, pooling=pooling).eval()
    x = torch.randn(3, 7, 3, 2)
    lengths = torch.tensor([7, 4, 1])
    for i, n in enumerate(lengths):
        x[i, n:] = 0.0
    padded = torch.cat([x, torch.full((3, 5, 3, 2), 0.0)], dim=1)  # 5 more padded frames

    with torch.no_grad():
        assert torch.allclose(network(x, lengths), network(padded, lengths), atol=1e-6)
        # Each recording alone, without padding, gives its row of the batch.
        alone = [network(x[i : i + 1, :n], lengths[i : i + 1]) for i, n in enumerate(lengths)]
        assert torch.allclose(network(x, lengths), torch.cat(alone), atol=1e-6)


def test_mean_and_max_read_every_frame_not_only_the_last():
    torch.manual_seed(0)
    x, lengths = torch.randn(2, 6, 3, 2), torch.tensor([6, 6])
    logits = {}
    for pooling in ("max", "mean", "last"):
        torch.manual_seed(1)  # the same weights for every pooling
        network = LSTMNet(3, 2, 4, hidden_size=5, pooling=pooling).eval()
        with torch.no_grad():
            logits[pooling] = network(x, lengths)
    assert not torch.allclose(logits["max"], logits["last"])
    assert not torch.allclose(logits["mean"], logits["last"])


def test_models_pickled_before_pooling_existed_read_the_final_states():
    X, y = gestures()
    clf = LSTMClassifier(pooling="last", **TINY_LSTM).fit(X, y)
    state = clf.__getstate__()
    del state["pooling"]  # what a model pickled before the parameter existed holds

    older = LSTMClassifier.__new__(LSTMClassifier)
    older.__setstate__(pickle.loads(pickle.dumps(state)))

    assert older.pooling == "last"
    np.testing.assert_array_equal(older.predict_proba(X), clf.predict_proba(X))


def test_an_unknown_pooling_is_refused_by_name():
    X, y = gestures()
    with pytest.raises(InvalidParameterError, match="'pooling' parameter"):
        LSTMClassifier(pooling="sum", **TINY_LSTM).fit(X, y)
    with pytest.raises(ValueError, match="pooling must be one of"):
        LSTMNet(3, 2, 4, pooling="sum")
