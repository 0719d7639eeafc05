"""JointSelector: keep a subset of the joints, by index or by name."""

from __future__ import annotations

from sklearn.base import BaseEstimator, _fit_context

from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    complete_docstrings,
    frame_feature_names,
    validate_skeleton_data,
)
from skgesture.preprocessing._skeleton import (
    check_skeleton_joints,
    resolve_joints,
    skeleton_joint_names,
)
from skgesture.utils.validation import restore_layout

__all__ = ["JointSelector"]


@complete_docstrings()
class JointSelector(SkeletonTransformerMixin, BaseEstimator):
    """Keep only some joints of every frame, in the order given.

    Useful to drop joints a model should not see (fingers, markers that often go missing)
    or to study which body parts carry a gesture.

    Parameters
    ----------
    joints : sequence of int or str, default=None
        Joints to keep, by index or by name (names need ``joint_names`` or ``skeleton``).
        None keeps every joint.
    joint_names : sequence of str, default=None
        One name per joint of the input. Takes precedence over ``skeleton.joint_names``.
    skeleton : Skeleton, default=None
        Gives the joint names when ``joint_names`` is None.

    Attributes
    ----------
    joint_indices_ : ndarray of int
        Indices of the kept joints in the input.
    %(fitted_input_attributes)s

    Notes
    -----
    The layout is kept: a list stays a list of ``(n_frames_i, n_kept, n_coords)`` recordings
    and a dense array keeps its frames (padding frames stay zero). In a 3-D array
    ``(n_samples, n_frames, n_features)`` each feature is a joint, so features are selected.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import JointSelector
    >>> X = np.zeros((4, 10, 3, 3))
    >>> selector = JointSelector(["head", "hand"], joint_names=["pelvis", "head", "hand"])
    >>> selector.fit_transform(X).shape
    (4, 10, 2, 3)
    >>> selector.joint_indices_
    array([1, 2])
    >>> selector.get_feature_names_out()[:4]
    array(['head_x', 'head_y', 'head_z', 'hand_x'], dtype=object)
    """

    _parameter_constraints: dict = {
        "joints": ["array-like", None],
        "joint_names": ["array-like", None],
        "skeleton": "no_validation",
    }

    def __init__(self, joints=None, joint_names=None, skeleton=None):
        self.joints = joints
        self.joint_names = joint_names
        self.skeleton = skeleton

    def _names(self):
        if self.joint_names is not None:
            return [str(name) for name in self.joint_names]
        return skeleton_joint_names(self.skeleton)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Resolve the joints to keep against the skeleton of ``X``.

        %(fit_parameters)s
        """
        validate_skeleton_data(self, X, reset=True)
        n_joints = self.n_joints_in_
        if self.joint_names is not None and len(self.joint_names) != n_joints:
            raise ValueError(
                f"joint_names has {len(self.joint_names)} names but X has {n_joints} joints "
                "per frame."
            )
        if self.joint_names is None:
            check_skeleton_joints(self.skeleton, n_joints, owner="JointSelector")
        joints = range(n_joints) if self.joints is None else list(self.joints)
        if len(joints) == 0:
            raise ValueError("joints is empty; select at least one joint (or None for all).")
        self.joint_indices_ = resolve_joints(
            joints, n_joints=n_joints, joint_names=self._names(), param="joints"
        )
        return self

    def transform(self, X):
        """Keep the selected joints of every recording.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the frame shape seen in ``fit``.

        Returns
        -------
        list of ndarray or ndarray
            Same layout as ``X`` with ``len(joint_indices_)`` joints.
        """
        data, layout = validate_skeleton_data(self, X, reset=False)
        if layout == "list":
            return [recording[:, self.joint_indices_] for recording in data]
        return restore_layout(data[:, :, self.joint_indices_], layout)

    def get_feature_names_out(self, input_features=None):
        """Names of the kept features: ``<joint>_<axis>`` per kept joint for sequences.

        For 2-D input (a single joint) every column is kept, so the input names are returned.

        %(per_frame_feature_names_parameters)s
        """
        names = frame_feature_names(self, input_features, joint_names=self._names())
        if self._tabular_in:
            return names
        per_joint = names.reshape(self.n_joints_in_, self.n_coords_in_)
        return per_joint[self.joint_indices_].ravel()
