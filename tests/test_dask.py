"""Model selection on a Dask cluster through joblib's ``dask`` backend equals the local run."""

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, SkeletonPadder
from skgesture.datasets import make_gestures
from skgesture.store import RecordingStore
from skgesture.utils.validation import pad_recordings

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """Two worker processes with one thread each, as on two single-core machines."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # Torch threads of the workers' fits are bounded by the classifiers' n_threads; this
            # bounds the BLAS and OpenMP pools that workers would otherwise size to the machine.
            env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def gestures():
    return make_gestures(24, n_joints=6, max_frames=40, random_state=0, return_X_y=True)


def small_search():
    model = Pipeline(
        [
            ("pad", SkeletonPadder()),
            ("clf", CNNClassifier(n_filters=4, n_blocks=0, max_epochs=3, n_threads=1)),
        ]
    )
    grid = {"clf__lr": [0.003, 0.03], "clf__random_state": [0, 1]}
    return GridSearchCV(model, grid, cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0))


@pytest.mark.slow
def test_grid_search_on_a_dask_cluster_equals_the_local_run(client, gestures):
    X, y = gestures
    local = small_search().set_params(n_jobs=1).fit(X, y)

    with joblib.parallel_backend("dask"):
        on_cluster = small_search().set_params(n_jobs=-1).fit(X, y)

    workers = client.run(lambda: True)  # the cluster really had two worker processes
    assert len(workers) == 2
    for key in ("mean_test_score", "split0_test_score", "split1_test_score", "params"):
        np.testing.assert_array_equal(on_cluster.cv_results_[key], local.cv_results_[key])
    assert on_cluster.best_params_ == local.best_params_
    np.testing.assert_array_equal(on_cluster.predict(X), local.predict(X))


@pytest.mark.slow
def test_workers_train_folds_of_a_store_they_open_from_its_path(client, gestures, tmp_path):
    X, y = gestures
    np.save(tmp_path / "gestures.npy", pad_recordings(X)[0])
    store = RecordingStore.from_array(tmp_path / "gestures.npy")  # pickles as its path
    search = GridSearchCV(
        CNNClassifier(n_filters=4, n_blocks=0, max_epochs=3, n_threads=1, random_state=0),
        {"lr": [0.003, 0.03]},
        cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0),
    )
    local = clone(search).fit(X, y)

    with joblib.parallel_backend("dask"):
        on_cluster = clone(search).set_params(n_jobs=-1).fit(store, y)

    np.testing.assert_array_equal(
        on_cluster.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
