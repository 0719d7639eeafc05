"""Skeleton topologies: joint names, bones, left/right pairs and the vertical axis.

A :class:`Skeleton` describes the joints of a recording ``(n_frames, n_joints, n_coords)``: the
name of each joint, its parent (which defines the bones), the pairs of joints that swap under a
left/right mirror, and which coordinate axis points up. It holds no coordinates.

Three skeletons are built in:

- :data:`NATOPS_SKELETON`, the 8 sensors of the NATOPS data set, in the data's order;
- :data:`MOCAPLAB_SKELETON`, a 79-joint skeleton in the style of the MocapLab exports used by
  Allemand et al. (2024), on which :func:`skgesture.datasets.make_gestures` draws;
- :data:`COCO_17_SKELETON`, the 17 image keypoints of the COCO layout (2-D pose estimators).

:func:`get_skeleton` also returns ``"kinect_v1"``, the 20 joints a Kinect v1 sensor tracks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Skeleton",
    "NATOPS_SKELETON",
    "MOCAPLAB_SKELETON",
    "COCO_17_SKELETON",
    "get_skeleton",
    "infer_skeleton",
]

_AXES = (0, 1, 2)


@dataclass(frozen=True, repr=False)
class Skeleton:
    """An immutable skeleton topology.

    Parameters
    ----------
    name : str
        Short name of the skeleton.
    joint_names : sequence of str
        Name of each joint, in the order of the joint axis of the recordings.
    parents : sequence of int, optional
        Index of each joint's parent, ``-1`` for a root (or an unknown parent). Each
        ``(parent, child)`` pair is a bone. Defaults to every joint being a root.
    mirror_pairs : sequence of (int, int), default=()
        ``(left_index, right_index)`` pairs of joints that swap under a left/right mirror.
    up_axis : {0, 1, 2}, default=1
        Coordinate axis that points up (1 is Y).
    forward_axis : {0, 1, 2} or None, default=None
        Coordinate axis the performer faces, when known.

    Attributes
    ----------
    n_joints : int
    bones : list of (int, int)
        ``(parent, child)`` index pairs, in the order of the children.

    Raises
    ------
    ValueError
        Duplicate or empty joint names, parents out of range or forming a cycle, mirror pairs
        out of range or reusing a joint, or an invalid axis.

    Examples
    --------
    >>> from skgesture.skeleton import Skeleton
    >>> arm = Skeleton("arm", ["shoulder", "elbow", "wrist"], parents=[-1, 0, 1])
    >>> arm.bones
    [(0, 1), (1, 2)]
    >>> arm.index("wrist")
    2
    >>> arm.subset(["shoulder", "wrist"]).parents
    (-1, 0)
    """

    name: str
    joint_names: tuple[str, ...]
    parents: tuple[int, ...] | None = None
    mirror_pairs: tuple[tuple[int, int], ...] = field(default=())
    up_axis: int = 1
    forward_axis: int | None = None

    def __post_init__(self):
        names = tuple(self.joint_names)
        if len(names) == 0:
            raise ValueError(f"Skeleton {self.name!r}: joint_names is empty.")
        for i, joint in enumerate(names):
            if not isinstance(joint, str) or not joint:
                raise ValueError(
                    f"Skeleton {self.name!r}: joint_names[{i}] is {joint!r}; joint names must "
                    "be non-empty strings."
                )
        seen = {}
        for i, joint in enumerate(names):
            if joint in seen:
                raise ValueError(
                    f"Skeleton {self.name!r}: duplicate joint name {joint!r} at indices "
                    f"{seen[joint]} and {i}."
                )
            seen[joint] = i
        n_joints = len(names)

        parents = (-1,) * n_joints if self.parents is None else _int_tuple(self.parents, "parents")
        if len(parents) != n_joints:
            raise ValueError(
                f"Skeleton {self.name!r}: parents has {len(parents)} entries but there are "
                f"{n_joints} joints."
            )
        for child, parent in enumerate(parents):
            if not -1 <= parent < n_joints or parent == child:
                raise ValueError(
                    f"Skeleton {self.name!r}: parents[{child}] = {parent} (joint {names[child]!r}) "
                    f"is not -1 or another joint's index in [0, {n_joints})."
                )
        _check_acyclic(self.name, names, parents)

        pairs = tuple(_int_tuple(pair, "mirror_pairs") for pair in self.mirror_pairs)
        used = {}
        for k, pair in enumerate(pairs):
            if len(pair) != 2:
                raise ValueError(
                    f"Skeleton {self.name!r}: mirror_pairs[{k}] = {pair} is not a "
                    "(left_index, right_index) pair."
                )
            if pair[0] == pair[1]:
                raise ValueError(
                    f"Skeleton {self.name!r}: mirror_pairs[{k}] = {pair} pairs a joint with itself."
                )
            for joint in pair:
                if not 0 <= joint < n_joints:
                    raise ValueError(
                        f"Skeleton {self.name!r}: mirror_pairs[{k}] = {pair} holds {joint}, "
                        f"outside the joint indices [0, {n_joints})."
                    )
                if joint in used:
                    raise ValueError(
                        f"Skeleton {self.name!r}: joint {joint} ({names[joint]!r}) appears in "
                        f"mirror_pairs[{used[joint]}] and mirror_pairs[{k}]."
                    )
                used[joint] = k

        if self.up_axis not in _AXES:
            raise ValueError(f"Skeleton {self.name!r}: up_axis={self.up_axis!r} is not 0, 1 or 2.")
        if self.forward_axis is not None and (
            self.forward_axis not in _AXES or self.forward_axis == self.up_axis
        ):
            raise ValueError(
                f"Skeleton {self.name!r}: forward_axis={self.forward_axis!r} must be None or an "
                f"axis in (0, 1, 2) other than up_axis={self.up_axis}."
            )
        object.__setattr__(self, "joint_names", names)
        object.__setattr__(self, "parents", parents)
        object.__setattr__(self, "mirror_pairs", pairs)
        object.__setattr__(self, "up_axis", int(self.up_axis))
        if self.forward_axis is not None:
            object.__setattr__(self, "forward_axis", int(self.forward_axis))

    def __repr__(self):
        return (
            f"Skeleton(name={self.name!r}, n_joints={self.n_joints}, n_bones={len(self.bones)}, "
            f"n_mirror_pairs={len(self.mirror_pairs)}, up_axis={self.up_axis}, "
            f"forward_axis={self.forward_axis})"
        )

    @property
    def n_joints(self):
        """Number of joints."""
        return len(self.joint_names)

    @property
    def bones(self):
        """``(parent, child)`` index pairs, in the order of the children."""
        return [(parent, child) for child, parent in enumerate(self.parents) if parent >= 0]

    def index(self, name_or_names):
        """Index of one joint, or an array of indices of several.

        Parameters
        ----------
        name_or_names : str or iterable of str

        Returns
        -------
        int or ndarray of int

        Raises
        ------
        ValueError
            A name that is not a joint of this skeleton (close matches are suggested).
        """
        if isinstance(name_or_names, str):
            return self._index_of(name_or_names)
        return np.array([self._index_of(name) for name in name_or_names], dtype=np.intp)

    def _index_of(self, name):
        try:
            return self.joint_names.index(name)
        except ValueError:
            close = difflib.get_close_matches(str(name), self.joint_names, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ValueError(f"{name!r} is not a joint of skeleton {self.name!r}.{hint}") from None

    def mirror_permutation(self):
        """Joint permutation that swaps left and right joints.

        ``recording[:, skeleton.mirror_permutation()]`` puts each left joint's track where its
        right twin was and vice versa; joints without a twin stay in place. (Mirroring a
        recording also flips the sign of its left/right coordinate.)

        Returns
        -------
        permutation : ndarray of shape (n_joints,), int
        """
        permutation = np.arange(self.n_joints)
        for left, right in self.mirror_pairs:
            permutation[left], permutation[right] = right, left
        return permutation

    def subset(self, joints):
        """Skeleton of the selected joints, in the order given.

        A kept joint's parent becomes its nearest kept ancestor (``-1`` when there is none), so
        the bones skip the joints left out. Mirror pairs are kept when both twins are.

        Parameters
        ----------
        joints : iterable of str or int
            Joint names or indices.

        Returns
        -------
        Skeleton

        Raises
        ------
        ValueError
            Unknown names, indices out of range, duplicates or an empty selection.
        """
        indices = []
        for joint in joints:
            if isinstance(joint, str):
                indices.append(self._index_of(joint))
            elif isinstance(joint, int | np.integer) and not isinstance(joint, bool):
                if not -self.n_joints <= joint < self.n_joints:
                    raise ValueError(
                        f"Joint index {joint} is out of range for skeleton {self.name!r} with "
                        f"{self.n_joints} joints."
                    )
                indices.append(int(joint) % self.n_joints)
            else:
                raise ValueError(f"joints must hold joint names or indices; got {joint!r}.")
        if not indices:
            raise ValueError(f"subset of skeleton {self.name!r} needs at least one joint.")
        if len(set(indices)) != len(indices):
            repeated = sorted({self.joint_names[i] for i in indices if indices.count(i) > 1})
            raise ValueError(f"subset selects joints {repeated} more than once.")
        position = {old: new for new, old in enumerate(indices)}
        parents = []
        for old in indices:
            ancestor = self.parents[old]
            while ancestor >= 0 and ancestor not in position:
                ancestor = self.parents[ancestor]
            parents.append(position[ancestor] if ancestor >= 0 else -1)
        pairs = sorted(
            (position[left], position[right])
            for left, right in self.mirror_pairs
            if left in position and right in position
        )
        return Skeleton(
            self.name,
            tuple(self.joint_names[i] for i in indices),
            tuple(parents),
            tuple(pairs),
            self.up_axis,
            self.forward_axis,
        )

    @classmethod
    def from_joint_names(cls, names, up_axis=1, *, name="custom"):
        """Build a skeleton from joint names alone.

        Left/right pairs are inferred from the names: a ``l``/``r`` or ``left``/``right`` token
        (any case) at the start, the end or between separators (``_``, ``-``, ``.``, space) or
        case changes, as in ``lHand_T_glob``/``rHand_T_glob``, ``hand_tip_left``/
        ``hand_tip_right``, ``LeftArm``/``RightArm`` or ``Hand_L``/``Hand_R``. Two names pair
        when they are the same apart from that token.

        When every name is a joint of a built-in skeleton (:data:`MOCAPLAB_SKELETON`,
        :data:`NATOPS_SKELETON`), its bones are taken from there; otherwise the parents are
        unknown (``-1``).

        Parameters
        ----------
        names : sequence of str
        up_axis : {0, 1, 2}, default=1
        name : str, default="custom"

        Returns
        -------
        Skeleton

        Examples
        --------
        >>> from skgesture.skeleton import Skeleton
        >>> skeleton = Skeleton.from_joint_names(["head", "lHand", "rHand", "Foot_L", "Foot_R"])
        >>> skeleton.mirror_pairs
        ((1, 2), (3, 4))
        """
        names = tuple(names)
        for builtin in _BUILTINS.values():
            if names and set(names) <= set(builtin.joint_names) and len(set(names)) == len(names):
                known = builtin.subset(names)
                return cls(name, names, known.parents, known.mirror_pairs, up_axis)
        return cls(name, names, None, _infer_mirror_pairs(names), up_axis)


def _int_tuple(values, what):
    try:
        items = tuple(values)
    except TypeError:
        raise ValueError(f"{what} must be a sequence of integers; got {values!r}.") from None
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | np.integer):
            raise ValueError(f"{what} must hold integers; got {item!r} in {values!r}.")
    return tuple(int(item) for item in items)


def _check_acyclic(skeleton_name, names, parents):
    """Raise when walking up the parents from some joint never reaches a root.

    The message names the first joint (lowest index) whose walk goes round a cycle. Each joint
    is walked through once: a walk stops at the first joint known to reach a root, so a deep
    hierarchy (a BVH chain of thousands of joints) takes linear, not quadratic, time.
    """
    reaches_root = [False] * len(parents)
    for start in range(len(parents)):
        path, on_path = [], set()
        joint = start
        while joint >= 0 and not reaches_root[joint]:
            if joint in on_path:
                raise ValueError(
                    f"Skeleton {skeleton_name!r}: parents form a cycle through joint {start} "
                    f"({names[start]!r})."
                )
            on_path.add(joint)
            path.append(joint)
            joint = parents[joint]
        for walked in path:
            reaches_root[walked] = True


# Words of a name: runs of capitals before a capitalised word, capitalised or lower-case words,
# capital runs and digit runs ("lIndex1_T_glob" -> l, Index, 1, T, glob).
_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SIDES = {"l": ("L", "letter"), "left": ("L", "word"), "r": ("R", "letter"), "right": ("R", "word")}


def _side_keys(joint_name):
    """``(side, key)`` for every left/right token of a name; the key is the rest of the name."""
    tokens = list(_TOKEN.finditer(joint_name))
    for token in tokens:
        side = _SIDES.get(token.group().lower())
        if side is None:
            continue
        start, end = token.span()
        key = (joint_name[:start].lower(), side[1], joint_name[end:].lower())
        yield side[0], key


def _infer_mirror_pairs(names):
    candidates = {}
    for index, joint_name in enumerate(names):
        for side, key in _side_keys(joint_name):
            candidates.setdefault(key, {"L": [], "R": []})[side].append(index)
    pairs, used = [], set()
    for sides in candidates.values():
        if len(sides["L"]) == 1 and len(sides["R"]) == 1:
            left, right = sides["L"][0], sides["R"][0]
            if left not in used and right not in used:
                pairs.append((left, right))
                used.update((left, right))
    return tuple(sorted(pairs))


def _mocaplab():
    # Column order of the exports: the trunk from abdomenUpper (the first columns of the
    # paper's Figure 9), the head, the left then the right arm and hand, then hips and legs.
    # Side joints are written once with an "{s}" slot for MocapLab's one-letter prefix.
    trunk = [
        ("abdomenUpper", "abdomenLower"),
        ("chestLower", "abdomenUpper"),
        ("chestUpper", "chestLower"),
        ("neckLower", "chestUpper"),
        ("neckUpper", "neckLower"),
        ("head", "neckUpper"),
    ]
    face = [("{s}Eye", "head"), ("{s}Ear", "head")]
    arm = [
        ("{s}Collar", "chestUpper"),
        ("{s}ShldrBend", "{s}Collar"),
        ("{s}ShldrTwist", "{s}ShldrBend"),
        ("{s}ForearmBend", "{s}ShldrTwist"),
        ("{s}ForearmTwist", "{s}ForearmBend"),
        ("{s}Hand", "{s}ForearmTwist"),
        ("{s}Carpal1", "{s}Hand"),
        ("{s}Carpal2", "{s}Hand"),
        ("{s}Carpal3", "{s}Hand"),
        ("{s}Carpal4", "{s}Hand"),
        ("{s}Thumb1", "{s}Hand"),
        ("{s}Thumb2", "{s}Thumb1"),
        ("{s}Thumb3", "{s}Thumb2"),
    ]
    for finger, carpal in (("Index", 1), ("Mid", 2), ("Ring", 3), ("Pinky", 4)):
        arm += [
            (f"{{s}}{finger}1", f"{{s}}Carpal{carpal}"),
            (f"{{s}}{finger}2", f"{{s}}{finger}1"),
            (f"{{s}}{finger}3", f"{{s}}{finger}2"),
        ]
    hips = [("hip", ""), ("pelvis", "hip"), ("abdomenLower", "hip")]
    leg = [
        ("{s}ThighBend", "pelvis"),
        ("{s}ThighTwist", "{s}ThighBend"),
        ("{s}Shin", "{s}ThighTwist"),
        ("{s}Foot", "{s}Shin"),
        ("{s}Metatarsals", "{s}Foot"),
        ("{s}Toe", "{s}Metatarsals"),
        ("{s}BigToe", "{s}Toe"),
        ("{s}SmallToe", "{s}Toe"),
    ]

    def both_sides(rows):
        return [
            (joint.format(s=side), parent.format(s=side)) for joint, parent in rows for side in "lr"
        ]

    def one_side_then_other(rows):
        return [
            (joint.format(s=side), parent.format(s=side)) for side in "lr" for joint, parent in rows
        ]

    rows = trunk + both_sides(face) + one_side_then_other(arm) + hips + one_side_then_other(leg)
    names = [joint for joint, _ in rows]
    parents = [names.index(parent) if parent else -1 for _, parent in rows]
    pairs = [
        (names.index(joint.format(s="l")), names.index(joint.format(s="r")))
        for joint, _ in face + arm + leg
    ]
    return Skeleton(
        "mocaplab",
        tuple(f"{joint}_T_glob" for joint in names),
        tuple(parents),
        tuple(sorted(pairs)),
        up_axis=1,
        forward_axis=2,
    )


#: The 8 NATOPS sensors in the order of the data's 24 dimensions (x, y, z of each joint).
#: In the UEA files, Y is vertical (a hanging hand tip lies about 1.1 units below its elbow,
#: and rises above it when the arm is raised), X is lateral (left joints have negative X) and
#: Z is depth, whose sign cannot be told from the data, so ``forward_axis`` is left unknown.
NATOPS_SKELETON = Skeleton(
    "natops",
    (
        "hand_tip_left",
        "hand_tip_right",
        "elbow_left",
        "elbow_right",
        "wrist_left",
        "wrist_right",
        "thumb_left",
        "thumb_right",
    ),
    parents=(4, 5, -1, -1, 2, 3, 4, 5),
    mirror_pairs=((0, 1), (2, 3), (4, 5), (6, 7)),
    up_axis=1,
    forward_axis=None,
)

#: A 79-joint skeleton in the style of MocapLab's exports (``<joint>_T_glob``): 13 trunk, hip
#: and head joints, then per side 5 arm joints, the hand, 19 hand joints (4 carpals, 3 joints
#: per finger) and 8 leg joints. Y is up and the performer faces +Z, with their left at +X.
MOCAPLAB_SKELETON = _mocaplab()

#: The 17 keypoints of the COCO person layout, written by most 2-D pose estimators, in their
#: order. The bones are the links COCO draws, less the three that close loops (between the
#: eyes, the shoulders and the hips), so that each joint has one parent: the head hangs from
#: the nose, each arm from its ear, each leg from its shoulder. Image coordinates: x to the
#: right, y (the vertical axis) pointing down.
COCO_17_SKELETON = Skeleton(
    "coco17",
    (
        "nose",
        "left_eye",
        "right_eye",
        "left_ear",
        "right_ear",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
    ),
    parents=(-1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 11, 12, 13, 14),
    mirror_pairs=((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)),
    up_axis=1,
    forward_axis=None,
)


def _kinect_v1():
    # (joint, parent) in the order of the Kinect for Windows SDK 1.x's NUI_SKELETON_POSITION
    # indices, which Kinect v1 exports (UTKinect-Action3D, MSR Action3D) write.
    rows = [
        ("HipCenter", ""),
        ("Spine", "HipCenter"),
        ("ShoulderCenter", "Spine"),
        ("Head", "ShoulderCenter"),
    ]
    for side in ("Left", "Right"):
        rows += [
            (f"Shoulder{side}", "ShoulderCenter"),
            (f"Elbow{side}", f"Shoulder{side}"),
            (f"Wrist{side}", f"Elbow{side}"),
            (f"Hand{side}", f"Wrist{side}"),
        ]
    for side in ("Left", "Right"):
        rows += [
            (f"Hip{side}", "HipCenter"),
            (f"Knee{side}", f"Hip{side}"),
            (f"Ankle{side}", f"Knee{side}"),
            (f"Foot{side}", f"Ankle{side}"),
        ]
    names = [joint for joint, _ in rows]
    parents = [names.index(parent) if parent else -1 for _, parent in rows]
    pairs = [
        (names.index(joint), names.index(joint.replace("Left", "Right")))
        for joint in names
        if joint.endswith("Left")
    ]
    # Camera space: Y up, Z the depth away from the sensor, which the performer faces.
    return Skeleton(
        "kinect_v1", tuple(names), tuple(parents), tuple(pairs), up_axis=1, forward_axis=2
    )


_BUILTINS = {
    "natops": NATOPS_SKELETON,
    "mocaplab": MOCAPLAB_SKELETON,
    "coco17": COCO_17_SKELETON,
    "kinect_v1": _kinect_v1(),
}


#: The names :func:`get_skeleton` knows, in lower case.
SKELETON_NAMES = tuple(sorted(_BUILTINS))


def get_skeleton(name):
    """Return a built-in skeleton by name.

    Parameters
    ----------
    name : {"natops", "mocaplab", "coco17", "kinect_v1"}
        Case-insensitive. ``"kinect_v1"`` is the 20 joints of a Kinect v1 sensor in the SDK's
        order (HipCenter, Spine, ShoulderCenter, Head, then shoulder, elbow, wrist and hand of
        the left and the right arm, then hip, knee, ankle and foot of the left and the right
        leg), rooted at HipCenter, with Y up and Z the depth.

    Returns
    -------
    Skeleton

    Examples
    --------
    >>> from skgesture.skeleton import get_skeleton
    >>> get_skeleton("natops").n_joints
    8
    """
    key = str(name).lower()
    if key not in _BUILTINS:
        raise ValueError(
            f"Unknown skeleton {name!r}; the built-in skeletons are {sorted(_BUILTINS)}."
        )
    return _BUILTINS[key]


def infer_skeleton(recordings, joint_names=None, name="inferred"):
    """Guess the bones of a skeleton from recordings: joints whose distance stays constant.

    Two joints joined by a bone keep their distance while the body moves; most other pairs do
    not. For every pair of joints, the variance of their Euclidean distance is measured over
    all frames of all recordings (frames where either joint has a missing value are skipped),
    and the bones are the minimum spanning tree of the joints under that variance: the tree
    that links the joints through the most rigid pairs. Between pairs of equal variance the
    closer pair wins; pairs never seen together in two frames are never joined.

    The variance is taken as it is, in squared units of the data: the tree depends only on the
    order of the variances, which a change of units keeps. A relative spread (standard
    deviation over mean distance) would let sensor noise weigh more on short bones than on long
    ones, and pick long rigid pairs (on :func:`~skgesture.datasets.make_gestures` it recovers
    almost no bones, against more than half with the variance).

    Each tree (a forest, when some joints are never seen together) is rooted at its joint whose
    distances to the other joints vary least on average, the joint that moves least against
    the rest of the body (a trunk joint for a whole body, an elbow for an arm); the parents
    follow the bones away from it.

    The distances say which joints are rigidly linked, not which links are bones: joints fixed
    to one segment (markers on a rigid hand) are all at constant distances from each other and
    any tree through them fits; differences in body size between recordings make long bones
    look less rigid than they are; and the tree always links everything, two separately
    tracked arms included, through their most stable pair.

    Parameters
    ----------
    recordings : list of array-like of shape (n_frames, n_joints, n_coords), or array-like
        A dataset in one of skgesture's layouts (see ``docs/conventions.md``); NaN marks a
        missing value.
    joint_names : sequence of str, optional
        Name of each joint. Defaults to ``"joint 0"``, ``"joint 1"``...
    name : str, default="inferred"
        Name of the skeleton.

    Returns
    -------
    Skeleton
        Its parents are the inferred tree; its mirror pairs are inferred from the joint names,
        as by :meth:`Skeleton.from_joint_names`.

    Raises
    ------
    ValueError
        Fewer than two joints, a joint without any observed value, ``joint_names`` of another
        length than the joints, or recordings the data checks refuse (none, or one without
        frames).

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.skeleton import infer_skeleton
    >>> angles = np.linspace(0, 3, 50)[:, None]  # an arm that bends at the elbow
    >>> shoulder = np.zeros((50, 2))
    >>> elbow = np.hstack([np.cos(angles / 3), np.sin(angles / 3)])
    >>> wrist = elbow + np.hstack([np.cos(angles), np.sin(angles)])
    >>> arm = np.stack([wrist, shoulder, elbow], axis=1)  # (frames, joints, coords)
    >>> skeleton = infer_skeleton([arm], joint_names=["wrist", "shoulder", "elbow"])
    >>> sorted(skeleton.bones)  # elbow-wrist and elbow-shoulder, rooted at the elbow
    [(2, 0), (2, 1)]
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import (
        breadth_first_order,
        connected_components,
        minimum_spanning_tree,
    )

    from skgesture.utils.validation import check_dataset

    data, lengths, _ = check_dataset(recordings, allow_nan=True, input_name="recordings")
    n_joints = data.shape[2]
    if n_joints < 2:
        raise ValueError(
            f"infer_skeleton needs at least 2 joints to find bones between; the recordings have "
            f"{n_joints}."
        )
    if joint_names is None:
        joint_names = [f"joint {joint}" for joint in range(n_joints)]
    joint_names = tuple(joint_names)
    if len(joint_names) != n_joints:
        raise ValueError(
            f"joint_names has {len(joint_names)} names but the recordings have {n_joints} joints."
        )
    observed = np.zeros(n_joints, dtype=np.int64)
    for recording, length in zip(data, lengths):
        observed += np.all(np.isfinite(recording[:length]), axis=2).sum(axis=0)
    if not observed.all():
        missing = [joint_names[joint] for joint in np.flatnonzero(observed == 0)]
        raise ValueError(
            f"Joints {missing} have no observed value (NaN in every frame); they cannot be "
            "placed in a skeleton. Drop them (e.g. with JointSelector) first."
        )

    count, mean, variance = _distance_moments(data, lengths)
    rows, columns = np.triu_indices(n_joints, k=1)
    known = count[rows, columns] >= 2
    rows, columns = rows[known], columns[known]
    # The tree depends only on the order of the weights: rank the pairs by variance, then by
    # mean distance, so that weights are positive (a zero would read as "no edge") and ties go
    # to the closer pair.
    order = np.lexsort((mean[rows, columns], variance[rows, columns]))
    weights = np.empty(len(order))
    weights[order] = np.arange(1, len(order) + 1)
    graph = csr_array((weights, (rows, columns)), shape=(n_joints, n_joints))
    tree = minimum_spanning_tree(graph)
    tree = tree + tree.T

    spread = np.where(count >= 2, variance, np.nan)
    np.fill_diagonal(spread, np.nan)
    parents = np.full(n_joints, -1)
    _, component = connected_components(tree, directed=False)
    for label in np.unique(component):
        members = np.flatnonzero(component == label)
        root = members[0]
        if len(members) > 1:
            within = spread[np.ix_(members, members)]
            root = members[np.argmin(np.nanmean(within, axis=1))]
        _, predecessors = breadth_first_order(tree, root, directed=False, return_predecessors=True)
        parents[members] = predecessors[members]
    parents[parents < 0] = -1
    return Skeleton(
        name,
        joint_names,
        tuple(int(parent) for parent in parents),
        _infer_mirror_pairs(joint_names),
    )


def _distance_moments(data, lengths, chunk=128):
    """Count, mean and variance of the distance of every pair of joints over all frames.

    Frames where either joint is missing (NaN) are left out of that pair. Chunks of frames are
    merged with Chan et al.'s pairwise update, so that long recordings take bounded memory.
    """
    n_joints = data.shape[2]
    count = np.zeros((n_joints, n_joints))
    mean = np.zeros((n_joints, n_joints))
    squares = np.zeros((n_joints, n_joints))  # sum of squared deviations from the mean
    for recording, length in zip(data, lengths):
        for start in range(0, int(length), chunk):
            frames = recording[start : min(start + chunk, int(length))].astype(np.float64)
            offsets = frames[:, :, np.newaxis] - frames[:, np.newaxis]  # (frames, j, j, coords)
            distance = np.sqrt(np.sum(offsets * offsets, axis=3))  # (frames, j, j), NaN if missing
            seen = ~np.isnan(distance)
            chunk_count = seen.sum(axis=0)
            chunk_mean = np.where(seen, distance, 0.0).sum(axis=0) / np.maximum(chunk_count, 1)
            deviation = np.where(seen, distance - chunk_mean, 0.0)
            total = count + chunk_count
            delta = chunk_mean - mean
            share = chunk_count / np.maximum(total, 1)
            mean = mean + delta * share
            squares = squares + np.sum(deviation * deviation, axis=0) + delta**2 * count * share
            count = total
    return count, mean, squares / np.maximum(count, 1)
