"""Models saved by an older skgesture (commit 9bbe0fd) still load and predict the same."""

from pathlib import Path

import joblib
import numpy as np
import pytest

from skgesture import CNNClassifier

COMPAT = Path(__file__).resolve().parent / "data" / "compat"


@pytest.fixture(scope="module")
def expected():
    with np.load(COMPAT / "expected.npz", allow_pickle=False) as saved:
        recordings = [saved[f"recording_{i}"] for i in range(len(saved["predicted"]))]
        return recordings, saved["proba"], saved["predicted"]


@pytest.mark.filterwarnings("ignore:.*was saved with:UserWarning")
@pytest.mark.parametrize(
    "load",
    [
        pytest.param(lambda: joblib.load(COMPAT / "cnn_9bbe0fd.joblib"), id="joblib"),
        pytest.param(lambda: CNNClassifier.load(COMPAT / "cnn_9bbe0fd.npz"), id="npz"),
    ],
)
def test_old_model_files_predict_as_they_did(load, expected):
    recordings, proba, predicted = expected
    model = load()
    np.testing.assert_allclose(model.predict_proba(recordings), proba, atol=1e-6)
    np.testing.assert_array_equal(model.predict(recordings).astype(str), predicted)
