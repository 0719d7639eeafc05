"""Reading a skeleton description by duck typing.

A *skeleton* is any object with some of ``joint_names`` (sequence of str), ``parents`` (one
int per joint, negative for a root), ``mirror_pairs`` (pairs of left/right joints, as indices
or names), ``up_axis`` (0, 1, 2 or "x", "y", "z") and ``mirror_permutation()`` (the joint order
after swapping left and right), as :class:`skgesture.Skeleton` provides. Only the attributes a
feature needs are read, and a missing one gives a message that names the feature.
"""

from __future__ import annotations

import numpy as np

_AXES = {"x": 0, "y": 1, "z": 2}
# Joint-name keywords of the pairs that best show where the body faces, best first.
_TORSO_KEYWORDS = (("shoulder", "shldr"), ("hip", "thigh"), ("collar", "clavicle"), ("elbow",))


def skeleton_joint_names(skeleton):
    """The skeleton's joint names as a list of str, or None without a skeleton or names."""
    names = getattr(skeleton, "joint_names", None)
    return None if names is None else [str(name) for name in names]


def check_skeleton_joints(skeleton, n_joints, *, owner):
    """Refuse a skeleton whose number of joints differs from the data's."""
    names = skeleton_joint_names(skeleton)
    if names is not None and len(names) != n_joints:
        raise ValueError(
            f"{owner}: the skeleton has {len(names)} joints but X has {n_joints} joints per frame."
        )


def resolve_joints(joints, *, n_joints, joint_names, param):
    """Turn joint indices or names into an int array, refusing unknown or repeated joints.

    Parameters
    ----------
    joints : sequence of int or str
    n_joints : int
        Joints in the data.
    joint_names : list of str or None
        Needed when ``joints`` holds names.
    param : str
        The argument named in error messages.
    """
    indices = []
    for position, joint in enumerate(joints):
        if isinstance(joint, str):
            if joint_names is None:
                raise ValueError(
                    f"{param}[{position}]={joint!r} is a joint name, but no joint_names or "
                    "skeleton was given to look it up."
                )
            if joint not in joint_names:
                raise ValueError(
                    f"Unknown joint name {joint!r} in {param}[{position}]; known names: "
                    f"{', '.join(joint_names)}."
                )
            index = joint_names.index(joint)
        elif isinstance(joint, int | np.integer) and not isinstance(joint, bool):
            index = int(joint)
            if not 0 <= index < n_joints:
                raise ValueError(
                    f"{param}[{position}]={index} is out of range for data with {n_joints} joints."
                )
        else:
            raise ValueError(
                f"{param}[{position}]={joint!r} is neither a joint index nor a joint name."
            )
        if index in indices:
            raise ValueError(f"{param}[{position}]={joint!r} selects joint {index} twice.")
        indices.append(index)
    return np.asarray(indices, dtype=np.intp)


def skeleton_up_axis(skeleton, default=1):
    """The skeleton's vertical axis as 0, 1 or 2 (``default`` without a skeleton)."""
    axis = getattr(skeleton, "up_axis", None)
    if axis is None:
        return default
    if isinstance(axis, str):
        if axis.lower() not in _AXES:
            raise ValueError(f"skeleton.up_axis={axis!r} is not one of 'x', 'y', 'z'.")
        return _AXES[axis.lower()]
    return int(axis)


def skeleton_bones(skeleton):
    """``(child, parent)`` index pairs from ``skeleton.parents``; empty without parents."""
    parents = getattr(skeleton, "parents", None)
    if parents is None:
        return np.empty((0, 2), dtype=np.intp)
    bones = [(child, int(parent)) for child, parent in enumerate(parents) if int(parent) >= 0]
    return np.asarray(bones, dtype=np.intp).reshape(-1, 2)


def mirror_permutation(skeleton, n_joints, *, owner):
    """Joint order after swapping left and right, from ``skeleton.mirror_permutation()``."""
    if skeleton is None or not callable(getattr(skeleton, "mirror_permutation", None)):
        raise ValueError(
            f"{owner} needs a skeleton with mirror_permutation() to swap left and right joints."
        )
    permutation = np.asarray(skeleton.mirror_permutation(), dtype=np.intp)
    if permutation.shape != (n_joints,):
        raise ValueError(
            f"{owner}: skeleton.mirror_permutation() has {permutation.size} entries but the "
            f"recording has {n_joints} joints."
        )
    return permutation


def lateral_pair(skeleton, n_joints, *, owner):
    """The ``(left, right)`` joint pair that gives the body's lateral direction.

    The first mirror pair whose two names mention a shoulder ("shoulder", "shldr"), else a
    hip ("hip", "thigh"), else a collar bone ("collar", "clavicle"), else an elbow; else the
    first pair. These joints move least with the arms and head, so they show where the body
    faces.
    """
    pairs = list(getattr(skeleton, "mirror_pairs", None) or [])
    if not pairs:
        raise ValueError(f"{owner} needs a skeleton with mirror_pairs (left/right joints).")
    names = skeleton_joint_names(skeleton)
    resolved = [
        tuple(resolve_joints(pair, n_joints=n_joints, joint_names=names, param="mirror_pairs"))
        for pair in pairs
    ]
    if names is not None:
        for keywords in _TORSO_KEYWORDS:
            for left, right in resolved:
                if any(
                    word in names[left].lower() and word in names[right].lower()
                    for word in keywords
                ):
                    return left, right
    return resolved[0]
