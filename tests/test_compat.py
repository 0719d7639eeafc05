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


@pytest.mark.filterwarnings("ignore:.*was saved with:UserWarning")
def test_an_old_pickle_takes_the_new_attribute_names():
    model = joblib.load(COMPAT / "cnn_9bbe0fd.joblib")
    assert (model.n_joints_in_, model.n_coords_in_) == (8, 3)  # NATOPS
    assert model._tabular_in is False
    assert not {"n_joints_", "n_coords_", "_fitted_layout"} & set(vars(model))


@pytest.mark.filterwarnings("ignore:.*was saved with:UserWarning")
def test_the_old_attribute_names_still_read_with_a_warning():
    model = CNNClassifier.load(COMPAT / "cnn_9bbe0fd.npz")
    with pytest.warns(FutureWarning, match=r"CNNClassifier.n_joints_ is now n_joints_in_"):
        assert model.n_joints_ == model.n_joints_in_
    with pytest.warns(FutureWarning, match=r"n_coords_ is now n_coords_in_"):
        assert model.n_coords_ == model.n_coords_in_


def test_the_old_modules_import_the_same_classes():
    import skgesture.classifiers
    import skgesture.estimators
    import skgesture.ssl

    for name in ("CNNClassifier", "LSTMClassifier", "FCClassifier"):
        assert getattr(skgesture.classifiers, name) is getattr(skgesture.estimators, name)
    for name in ("SSLClassifier", "AutoencoderPretrainer"):
        assert getattr(skgesture.ssl, name) is getattr(skgesture.estimators, name)
