"""The convolutional classifier: :class:`CNNClassifier`."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from skgesture.estimators._base import (
    NETWORK_DEFAULTS,
    TEST_TRAINING,
    TRAINING_CONSTRAINTS,
    SkeletonClassifierBase,
    parameters_init,
)
from skgesture.estimators._docs import complete_docstring
from skgesture.nn import GraphCNN, ImageCNN, JointCNN, TemporalCNN

__all__ = ["CNNClassifier"]

_ARCHITECTURES = {"joint": JointCNN, "temporal": TemporalCNN, "image": ImageCNN, "graph": GraphCNN}


@complete_docstring
class CNNClassifier(SkeletonClassifierBase):
    """Convolutional network over frames that can tell which joint moved.

    The default ``architecture="joint"`` reads a recording as ``coords`` channels over a
    ``frames x joints`` grid: residual temporal convolutions shared by all joints, each block
    adding a global joint context (the mean over joints through a 1x1 convolution), then a head
    that averages over real frames but keeps joints, so the network knows which joint did what
    and Grad-CAM on ``net_.module_.last_conv`` resolves frames x joints. See
    :mod:`skgesture.nn.cnn` for the other architectures.

    Parameters
    ----------
    architecture : {"joint", "temporal", "image", "graph"}, default="joint"
        ``"joint"``: temporal convolutions per joint with global joint context (see above).
        ``"temporal"``: 1-D convolutions with every joint coordinate as an input channel; fast,
        but explanations resolve frames only. ``"image"``: 2-D convolutions over the
        ``frames x (joints * coords)`` image, as in the paper but without resizing it; the
        slowest. ``"graph"``: skeleton-graph convolutions along the bones of ``skeleton_``
        with temporal striding (:class:`~skgesture.nn.GraphCNN`), compact and fast; its
        ``last_conv`` keeps the joint axis (at a quarter of the frames). Use an odd
        ``kernel_size`` with it.
    n_filters : int, default=24
        Channels of every convolution. The cost of ``"joint"`` grows with its square: 24
        instead of the first release's 48 trains about 4 times faster, and cross-validated as
        well on the training parts of NATOPS, UTKinect and ``make_gestures``
        (``benchmarks/select_defaults.py``).
    n_blocks : int, default=2
        Residual blocks between the first and the last convolution.
    kernel_size : int, default=7
        Frames covered by each convolution; the ``"image"`` kernels also span 3 features.
    dropout : float in [0, 1), default=0.2
        Dropout before the linear head.
    %(training_parameters)s

    Attributes
    ----------
    %(classifier_attributes)s
    %(fitted_attributes)s

    See Also
    --------
    LSTMClassifier, FCClassifier

    Notes
    -----
    The defaults (joint architecture, 24 filters, body frame with the motion stream) were
    chosen by cross-validation on the training parts of NATOPS, UTKinect-Action3D and
    ``make_gestures`` (``benchmarks/select_defaults.py``). On UTKinect's cross-subject test
    split (real Kinect recordings, 5 to 174 frames) they reach 0.966 +- 0.023 over 5 seeds,
    against 0.923 for MiniRocket and 0.879 for the first release's defaults; on NATOPS's test
    split about 0.93, below positions as given (0.978): NATOPS's 8 sensors have no trunk to
    centre on (``body_frame=False`` there). See ``benchmarks/real_data.py``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import CNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 15, 4, 3))  # 20 recordings, 15 frames, 4 joints, xyz
    >>> y = np.repeat(["wave", "point"], 10)
    >>> X[y == "wave", :, 2, 1] += np.sin(np.linspace(0, 6, 15))  # joint 2 waves
    >>> clf = CNNClassifier(n_filters=8, max_epochs=20, lr=0.01, random_state=0).fit(X, y)
    >>> clf.predict(X[:3])
    array(['wave', 'wave', 'wave'], dtype='<U5')
    >>> clf.n_joints_in_, clf.n_coords_in_, clf.n_features_in_
    (4, 3, 12)
    """

    _parameter_constraints = {
        **TRAINING_CONSTRAINTS,
        "architecture": [StrOptions(set(_ARCHITECTURES))],
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "n_blocks": [Interval(Integral, 0, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    @classmethod
    def _get_test_params(cls):
        trunk = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, **TEST_TRAINING}
        return [
            trunk,
            {**trunk, "architecture": "temporal"},
            {**trunk, "architecture": "image", "n_filters": 4},
        ]

    __init__ = parameters_init(
        {
            "architecture": "joint",
            "n_filters": 24,
            "n_blocks": 2,
            "kernel_size": 7,
            "dropout": 0.2,
            **NETWORK_DEFAULTS,
        }
    )

    def _needs_topology(self):
        return self.architecture == "graph"

    def _module(self):
        sizes = {
            "n_joints": self.n_joints_in_,
            "n_coords": self._n_network_coords,
            "n_filters": self.n_filters,
            "n_blocks": self.n_blocks,
            "kernel_size": self.kernel_size,
            "dropout": self.dropout,
        }
        if self.architecture == "image":
            sizes["kernel_size"] = (self.kernel_size, 3)
        if self.architecture == "graph":
            sizes["parents"] = self.skeleton_.parents
        return _ARCHITECTURES[self.architecture], sizes
