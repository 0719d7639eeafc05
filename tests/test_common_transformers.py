"""scikit-learn's own estimator checks, run on every skgesture transformer.

scikit-learn feeds 2-D arrays, which the data conventions read as ``(n_samples, n_frames)``
(one joint, one coordinate), so these checks exercise the tabular path of every transformer.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointSelector,
    SkeletonNormalizer,
    SkeletonPadder,
)

TRANSFORMERS = [
    SkeletonPadder(),
    SkeletonPadder(fill="edge"),
    SkeletonPadder(fill="resample"),
    Flattener(),
    SkeletonNormalizer(),
    SkeletonNormalizer(center="centroid", center_mode="frame", scale=None),
    JointSelector(),
    FrameRateResampler(source_rate=60.0, target_rate=30.0),
]

LIST_KEEPING = (SkeletonNormalizer, JointSelector, FrameRateResampler)


def expected_failed_checks(transformer):
    if isinstance(transformer, LIST_KEEPING):
        return {
            "check_transformer_data_not_an_array": (
                "the check also passes X.tolist(); by the data conventions a list of rows is a "
                "list of 1-D recordings, and layout-keeping transformers give a list of "
                "recordings back, which has no .shape"
            )
        }
    return {}


@parametrize_with_checks(TRANSFORMERS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)
