"""scikit-learn's own estimator checks, run on every skgesture transformer.

scikit-learn feeds 2-D arrays, which the data conventions read as ``(n_samples, n_frames)``
(one joint, one coordinate), so these checks exercise the tabular path of every transformer.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointImputer,
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
    JointImputer(),
]


@parametrize_with_checks(TRANSFORMERS)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)
