"""scikit-learn's own estimator checks, run on small, seeded, single-threaded networks.

The estimators come from the registry with the test configurations their classes list; the
checks each fails by design, with the reason, come from its ``_expected_failed_checks``.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgesture._registry import estimator_classes

# Every registered estimator, once per test configuration it lists: a new estimator is checked
# without editing this file.
ESTIMATORS = [
    cls(**params) for cls in estimator_classes().values() for params in cls._get_test_params()
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda e: e._expected_failed_checks())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
