"""scikit-learn's own estimator checks, run on small, seeded, single-threaded networks."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier

TRAINING = {"max_epochs": 10, "batch_size": 64, "lr": 0.05, "random_state": 0, "n_threads": 1}

ESTIMATORS = [
    FCClassifier(hidden_sizes=(16,), **TRAINING),
    CNNClassifier(n_filters=8, n_blocks=1, kernel_size=3, **TRAINING),
    CNNClassifier(architecture="temporal", n_filters=8, n_blocks=1, kernel_size=3, **TRAINING),
    CNNClassifier(architecture="image", n_filters=4, n_blocks=1, kernel_size=3, **TRAINING),
    LSTMClassifier(projection_size=8, hidden_size=8, num_layers=1, **TRAINING),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
