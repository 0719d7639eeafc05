"""The convolutional classifier: :class:`CNNClassifier`."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skgesture.estimators._base import (
    NETWORK_DEFAULTS,
    TEST_TRAINING,
    TRAINING_CONSTRAINTS,
    SkeletonClassifierBase,
    parameters_init,
)
from skgesture.estimators._docs import complete_docstring
from skgesture.nn import GraphCNN, HybridCNN, ImageCNN, JointCNN, TemporalCNN
from skgesture.nn.cnn import stage_strides

__all__ = ["CNNClassifier", "resolve_downsample"]

#: ``downsample="auto"`` halves the frames while the median training recording keeps at least
#: this many frames in ``last_conv``, and at most down to a quarter of them.
MIN_DOWNSAMPLED_FRAMES = 32
_MAX_AUTO_DOWNSAMPLE = 4


def resolve_downsample(downsample, lengths, n_stages):
    """The temporal downsampling of a trunk of ``n_stages`` stages: ``downsample`` or "auto"'s.

    "auto" halves the frames while the median of ``lengths`` (the training recordings') keeps
    at least :data:`MIN_DOWNSAMPLED_FRAMES` frames after it, at most down to a quarter and as
    far as the trunk's stages can stride. An integer is checked (a power of 2 the trunk can
    reach) and returned.
    """
    if downsample != "auto":
        stage_strides(n_stages, downsample)  # a power of 2 the trunk can reach
        return int(downsample)
    median = float(np.median(lengths))
    chosen = 1
    while (
        chosen < _MAX_AUTO_DOWNSAMPLE
        and 2 * chosen <= 2**n_stages
        and median / (2 * chosen) >= MIN_DOWNSAMPLED_FRAMES
    ):
        chosen *= 2
    return chosen


def complete_pickled_downsample(state):
    """Give a fitted estimator pickled before ``downsample_`` existed its integer
    ``downsample`` as ``downsample_`` (``state`` with its parameters already completed)."""
    if "net_" in state and "downsample_" not in state:
        state["downsample_"] = state["downsample"]


def complete_saved_downsample(attributes, params):
    """The same for a model file: the fitted ``attributes`` from its ``params``."""
    if "downsample_" not in attributes and isinstance(params.get("downsample"), int):
        attributes["downsample_"] = params["downsample"]


_ARCHITECTURES = {
    "joint": JointCNN,
    "temporal": TemporalCNN,
    "hybrid": HybridCNN,
    "image": ImageCNN,
    "graph": GraphCNN,
}


@complete_docstring
class CNNClassifier(SkeletonClassifierBase):
    """Convolutional network over frames that can tell which joint moved.

    The default ``architecture="hybrid"`` (:class:`~skgesture.nn.HybridCNN`) recognises the
    gesture with residual 1-D convolutions over frames that read every joint coordinate as an
    input channel, and reads the decision out per joint: beside that trunk, one temporal
    convolution shared by all joints describes each joint's own movement, and the last layer
    combines, for every frame and joint, the joint's features with the trunk's. The head averages
    over real frames but keeps joints, so the network knows which joint did what and Grad-CAM on
    ``net_.module_.last_conv`` resolves frames x joints, at about the cost of the purely temporal
    network. See :mod:`skgesture.nn.cnn` for the other architectures.

    Parameters
    ----------
    architecture : {"hybrid", "joint", "temporal", "image", "graph"}, default="hybrid"
        ``"hybrid"``: temporal trunk, joint-wise branch and per-joint readout (see above).
        ``"joint"``: temporal convolutions per joint, each residual block adding a global joint
        context (the mean over joints through a 1x1 convolution); as accurate in
        cross-validation, about 10 times slower to train.
        ``"temporal"``: the hybrid's trunk alone, 1-D convolutions with every joint coordinate
        as an input channel; the fastest, but its explanations resolve frames only (use
        ``GradCAMExplainer(method="gradient_x_input")``). ``"image"``: 2-D convolutions over the
        ``frames x (joints * coords)`` image, as in the paper but without resizing it; the
        slowest. ``"graph"``: skeleton-graph convolutions along the bones of ``skeleton_``
        with temporal striding (:class:`~skgesture.nn.GraphCNN`), compact; its
        ``last_conv`` keeps the joint axis (at a quarter of the frames). Use an odd
        ``kernel_size`` with it.
    n_filters : int, default=24
        Channels of every convolution (for ``"hybrid"``, of the trunk and of each joint). The
        cost of ``"joint"`` grows with its square: 24 instead of the first release's 48 trains
        about 4 times faster and cross-validated as well on the training parts of NATOPS,
        UTKinect and ``make_gestures``; 16 lost 2 points on NATOPS and 1 on UTKinect
        (``benchmarks/select_defaults.py``).
    n_blocks : int, default=2
        Residual blocks between the first and the last convolution.
    kernel_size : int, default=7
        Frames covered by each convolution; the ``"image"`` kernels also span 3 features.
    downsample : "auto" or int, default="auto"
        Temporal downsampling of the ``"joint"`` and ``"graph"`` trunks, a power of 2: their
        first stages convolve with a stride of 2 until the frames are divided by it, so
        ``last_conv`` sees ``ceil(frames / downsample)`` frames (Grad-CAM maps them back to
        the input's frames). Each halving makes training about twice as cheap, but costs
        accuracy on short recordings: in cross-validation on training data, halving lost
        about 4 points on NATOPS (51 frames) and on UTKinect's segments (median 31 frames)
        (``benchmarks/select_defaults.py``). ``"auto"`` halves the frames only while the
        median training recording keeps at least 32 of them in ``last_conv``, down to a
        quarter; the choice is ``downsample_``: 1 for NATOPS and UTKinect, 2 for recordings
        of 64 to 127 frames (the paper's 100), 4 from 128. ``"hybrid"``, ``"temporal"`` and
        ``"image"`` do not downsample.
    dropout : float in [0, 1), default=0.2
        Dropout before the linear head.
    %(training_parameters)s

    Attributes
    ----------
    downsample_ : int
        The temporal downsampling of the trunk that ``fit`` chose (``downsample`` resolved).
    %(classifier_attributes)s
    %(fitted_attributes)s

    See Also
    --------
    LSTMClassifier, FCClassifier

    Notes
    -----
    The defaults (joint architecture, 24 filters, 50 epochs, ``downsample="auto"``, body frame
    with the motion stream) were chosen by cross-validation on the training parts of NATOPS,
    UTKinect-Action3D and ``make_gestures`` (``benchmarks/select_defaults.py``). On UTKinect's
    cross-subject test split (real Kinect recordings, 5 to 174 frames) they reach
    0.968 +- 0.019 over 5 seeds, against 0.923 for MiniRocket and 0.879 for the first
    release's defaults; with the depth dropped (x, y only, like 2-D keypoints) 0.962 against
    0.958; on NATOPS's test split 0.934 against 0.924, below positions as given (about 0.978):
    NATOPS's 8 sensors have no trunk to centre on (``body_frame=False`` there). See
    ``benchmarks/real_data.py``.

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
        "downsample": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    @classmethod
    def _get_test_params(cls):
        trunk = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, **TEST_TRAINING}
        return [
            trunk,
            {**trunk, "architecture": "temporal"},
            {**trunk, "architecture": "hybrid"},
            {**trunk, "architecture": "image", "n_filters": 4},
        ]

    __init__ = parameters_init(
        {
            "architecture": "hybrid",
            "n_filters": 24,
            "n_blocks": 2,
            "kernel_size": 7,
            "downsample": "auto",
            "dropout": 0.2,
            **NETWORK_DEFAULTS,
            # Half the other networks' epochs: cross-validated as well as 100 (0.983 and 0.917
            # on NATOPS and UTKinect against 0.983 and 0.920, 3 network seeds), at half the
            # cost (benchmarks/select_defaults.py).
            "max_epochs": 50,
        }
    )

    _saved_attributes = ("downsample_",)

    @classmethod
    def _complete_older_params(cls, params):
        # Before downsample existed the joint CNN kept every frame and the graph network
        # halved the frames in each of its first two blocks.
        if "downsample" not in params and "architecture" in params:
            graph = params["architecture"] == "graph"
            params["downsample"] = min(4, 2 ** params.get("n_blocks", 2)) if graph else 1
        complete_pickled_downsample(params)

    @classmethod
    def _complete_older_attributes(cls, attributes, params):
        complete_saved_downsample(attributes, params)

    def _learn_input(self, data, lengths):
        super()._learn_input(data, lengths)
        self.downsample_ = self._resolve_downsample(lengths)

    def _resolve_downsample(self, lengths):
        """The temporal downsampling of the trunk: ``downsample``, or "auto"'s choice."""
        if self.architecture in ("temporal", "hybrid", "image"):
            if self.downsample not in ("auto", 1):
                raise ValueError(
                    f"downsample={self.downsample!r} applies to the 'joint' and 'graph' "
                    f"architectures; architecture={self.architecture!r} does not downsample "
                    "(use downsample='auto' or 1)."
                )
            return 1
        n_stages = self.n_blocks + 1 if self.architecture == "joint" else self.n_blocks
        return resolve_downsample(self.downsample, lengths, n_stages)

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
            sizes["strides"] = stage_strides(self.n_blocks, self.downsample_)
        if self.architecture == "joint":
            sizes["downsample"] = self.downsample_
        return _ARCHITECTURES[self.architecture], sizes
