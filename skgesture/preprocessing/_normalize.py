"""SkeletonNormalizer: remove where the performer stands, how tall they are, where they face."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    complete_docstrings,
    frame_feature_names,
    join_like,
    split_recordings,
    validate_skeleton_data,
)
from skgesture.preprocessing._geometry import (
    body_size,
    heading_angle,
    lateral_axis,
    rotate_points,
    rotation_plane,
)
from skgesture.preprocessing._skeleton import (
    check_skeleton_joints,
    lateral_pair,
    resolve_joints,
    skeleton_bones,
    skeleton_joint_names,
    skeleton_up_axis,
)

__all__ = ["SkeletonNormalizer"]


@complete_docstrings()
class SkeletonNormalizer(SkeletonTransformerMixin, BaseEstimator):
    """Normalise position, size and facing direction of every recording.

    Each recording is handled on its own, relative to a *reference point*: the root joint
    (``center="root"``) or the centroid of the joints (``center="centroid"``, also used for
    scaling and alignment when ``center=None``), taken in the first frame
    (``center_mode="recording"``) or in every frame (``center_mode="frame"``).

    1. Centre: subtract the reference point (skipped with ``center=None``).
       ``"recording"`` keeps the body's motion through space (steps, leaning) and only moves
       the start to the origin, as is usual for skeleton action recognition;
       ``"frame"`` removes all global translation, locomotion included.
    2. Scale (``scale="body"``): divide by the body size of the recording, averaged over its
       frames: the mean bone length when the skeleton has ``parents``, else the RMS distance
       of the joints to their centroid. One number per recording, so motion is not distorted.
    3. Align (``align=True``): rotate about the vertical axis so that the skeleton's shoulder
       pair (else hip pair, else first mirror pair), read as ``(left, right)``, has its
       right-to-left vector along the positive lateral axis (the lowest-numbered horizontal
       axis: +x when y or z is up; a y-up performer then faces +z). With
       ``center_mode="recording"`` the first frame sets one rotation for the whole recording
       (body turns are kept); with ``"frame"`` every frame is turned on its own. With 2
       coordinates (image keypoints) this is the in-plane rotation that levels the pair.

    The transformer learns nothing from the data: ``fit`` checks the parameters against the
    skeleton and the frame shape of ``X``, so fitting on any recordings of the right skeleton
    gives the same result.

    Parameters
    ----------
    center : {"root", "centroid"} or None, default="root"
        Reference point, and whether to subtract it.
    center_mode : {"recording", "frame"}, default="recording"
        Take the reference (position and facing) once from the first frame, or in every frame.
    root_joint : int or str, default=0
        Index of the root joint (e.g. the pelvis), or its name when ``skeleton`` has
        ``joint_names``. Used with ``center="root"``.
    scale : {"body"} or None, default="body"
        Divide by the body size, or leave the size alone.
    align : bool, default=False
        Rotate each recording to a fixed facing direction (needs a skeleton with
        ``mirror_pairs``).
    skeleton : Skeleton, default=None
        Gives bones (``parents``) for the body size, ``mirror_pairs`` for the alignment,
        ``up_axis`` (default 1, y up) and ``joint_names``.

    Attributes
    ----------
    root_joint_ : int or None
        Index of the root joint (None unless ``center="root"``).
    up_axis_ : int
        Vertical axis used for the alignment.
    lateral_joints_ : tuple of int or None
        The ``(left, right)`` joint pair that sets the facing direction (None unless
        ``align=True``).
    %(fitted_input_attributes)s

    Notes
    -----
    The layout is kept: a list stays a list, a dense array keeps its shape and its padding
    frames stay zero. After per-frame centring the root joint is zero in every frame, so a
    skeleton of one joint would be all zeros (and read as padding).

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import SkeletonNormalizer
    >>> recording = np.array([[[1.0, 1.0, 1.0], [3.0, 1.0, 1.0]]])  # 1 frame, 2 joints
    >>> SkeletonNormalizer().fit_transform([recording])[0]
    array([[[0., 0., 0.],
            [2., 0., 0.]]], dtype=float32)
    """

    _parameter_constraints: dict = {
        "center": [StrOptions({"root", "centroid"}), None],
        "center_mode": [StrOptions({"recording", "frame"})],
        "root_joint": [Interval(Integral, 0, None, closed="left"), str],
        "scale": [StrOptions({"body"}), None],
        "align": ["boolean"],
        "skeleton": "no_validation",
    }

    def __init__(
        self,
        center="root",
        center_mode="recording",
        root_joint=0,
        scale="body",
        align=False,
        skeleton=None,
    ):
        self.center = center
        self.center_mode = center_mode
        self.root_joint = root_joint
        self.scale = scale
        self.align = align
        self.skeleton = skeleton

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters against the skeleton and the frame shape of ``X``.

        %(fit_parameters)s
        """
        validate_skeleton_data(self, X, reset=True)
        n_joints = self.n_joints_in_
        check_skeleton_joints(self.skeleton, n_joints, owner="SkeletonNormalizer")
        self.root_joint_ = None
        if self.center == "root":
            (self.root_joint_,) = resolve_joints(
                [self.root_joint],
                n_joints=n_joints,
                joint_names=skeleton_joint_names(self.skeleton),
                param="root_joint",
            )
            self.root_joint_ = int(self.root_joint_)
        self.up_axis_ = skeleton_up_axis(self.skeleton)
        self.lateral_joints_ = None
        if self.align:
            if self.n_coords_in_ not in (2, 3):
                raise ValueError(
                    f"align=True needs 2 or 3 coordinates per joint, but X has {self.n_coords_in_}."
                )
            rotation_plane(self.n_coords_in_, self.up_axis_)
            self.lateral_joints_ = tuple(
                int(joint) for joint in lateral_pair(self.skeleton, n_joints, owner="align=True")
            )
        return self

    def transform(self, X):
        """Normalise every recording.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the frame shape seen in ``fit``.

        Returns
        -------
        list of ndarray or ndarray
            Same layout and shape as ``X``.
        """
        recordings = validate_skeleton_data(self, X, reset=False)
        bones = skeleton_bones(self.skeleton) if self.scale == "body" else None
        normalized = [
            self._normalize(recording, bones, index)
            for index, recording in enumerate(split_recordings(recordings))
        ]
        return join_like(normalized, recordings)

    def _normalize(self, recording, bones, index):
        recording = recording.astype(np.float64)
        if self.center == "root":
            reference = recording[:, [self.root_joint_]]
        else:
            reference = recording.mean(axis=1, keepdims=True)
        if self.center_mode == "recording":
            reference = reference[:1]
        # (n_frames or 1, 1, n_coords); everything below is relative to the reference.
        relative = recording - reference
        if self.scale == "body":
            size = body_size(relative, bones)
            if size > 0:
                relative /= size
        if self.align:
            relative = self._face_forward(relative)
        result = relative if self.center is not None else relative + reference
        # Centring positions near float32's limit (3.4e38) can leave its range.
        if np.abs(result).max() > np.finfo(np.float32).max:
            raise ValueError(
                f"normalising X[{index}] gives values beyond float32's range: its positions "
                f"reach {np.abs(recording).max():.3g}. Rescale X (for instance to metres)."
            )
        return result.astype(np.float32)

    def _face_forward(self, relative):
        n_coords = relative.shape[-1]
        first, _ = rotation_plane(n_coords, self.up_axis_)
        target = 0.0 if lateral_axis(self.up_axis_) == first else np.pi / 2
        left, right = self.lateral_joints_
        frames = relative if self.center_mode == "frame" else relative[:1]
        # One angle per frame (or one for the recording), broadcast over the joints.
        angles = heading_angle(frames[:, left] - frames[:, right], n_coords, self.up_axis_)
        return rotate_points(relative, (target - angles)[:, np.newaxis], self.up_axis_)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features, the same as the input's.

        %(feature_names_parameters)s
        """
        return frame_feature_names(
            self, input_features, joint_names=skeleton_joint_names(self.skeleton)
        )
