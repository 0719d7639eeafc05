"""Synthetic MocapLab-like gesture recordings whose classes differ in known joints and frames.

A recording is made by forward kinematics on :data:`~skgesture.skeleton.MOCAPLAB_SKELETON`: the
rest pose below (in centimetres, hip at the origin, Y up, the performer facing +Z with their
left at +X) is bent by a few joint angles that vary over time, leaves first, so that each
rotation carries the joints below it. Every class signs with the right arm and hand; the
classes differ by one extra motion (a "signature") of known joints in a known time window.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources
from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from skgesture.skeleton import MOCAPLAB_SKELETON

__all__ = ["make_gestures"]

#: Rest pose of the centre and left-side joints, in centimetres; right joints mirror x.
_REST_POSE = {
    "hip": (0.0, 0.0, 0.0),
    "pelvis": (0.0, -3.0, -0.5),
    "abdomenLower": (0.0, 3.5, -0.5),
    "abdomenUpper": (0.0, 7.2, -0.25),
    "chestLower": (0.0, 14.0, -0.4),
    "chestUpper": (0.0, 28.0, -1.0),
    "neckLower": (0.0, 42.0, -2.5),
    "neckUpper": (0.0, 47.0, -1.5),
    "head": (0.0, 52.0, 0.0),
    "lEye": (3.2, 60.0, 8.5),
    "lEar": (7.5, 58.0, -1.0),
    "lCollar": (3.0, 39.0, 2.0),
    "lShldrBend": (17.0, 38.0, -2.5),
    "lShldrTwist": (18.0, 24.0, -2.5),
    "lForearmBend": (19.5, 9.0, -3.0),
    "lForearmTwist": (20.5, -3.0, -2.0),
    "lHand": (21.5, -15.5, -1.0),
    "lCarpal1": (21.0, -18.5, 1.5),
    "lCarpal2": (21.3, -19.0, 0.0),
    "lCarpal3": (21.5, -19.0, -1.3),
    "lCarpal4": (21.6, -18.5, -2.5),
    "lThumb1": (20.5, -17.5, 2.5),
    "lThumb2": (19.8, -20.5, 4.5),
    "lThumb3": (19.3, -23.5, 5.2),
    "lIndex1": (21.0, -25.0, 2.3),
    "lIndex2": (20.8, -29.0, 2.4),
    "lIndex3": (20.6, -31.5, 2.4),
    "lMid1": (21.3, -25.5, 0.5),
    "lMid2": (21.1, -30.0, 0.5),
    "lMid3": (20.9, -32.8, 0.5),
    "lRing1": (21.5, -25.0, -1.3),
    "lRing2": (21.3, -29.0, -1.4),
    "lRing3": (21.1, -31.5, -1.4),
    "lPinky1": (21.6, -24.0, -2.9),
    "lPinky2": (21.4, -27.0, -3.1),
    "lPinky3": (21.2, -29.0, -3.2),
    "lThighBend": (9.0, -6.0, 0.0),
    "lThighTwist": (9.5, -25.0, 0.5),
    "lShin": (10.0, -49.0, 1.0),
    "lFoot": (10.5, -91.0, -3.0),
    "lMetatarsals": (10.8, -95.5, 3.0),
    "lToe": (11.0, -97.0, 11.0),
    "lBigToe": (9.5, -97.5, 15.5),
    "lSmallToe": (13.0, -97.5, 13.0),
}
_FINGERS = ("Index", "Mid", "Ring", "Pinky")

#: The extra motion of each class (class 0 has none) and its time window. Frozen: changing it
#: changes every data set made with n_classes above the changed entry.
_SIGNATURES = (
    None,
    ("left_arm", "middle"),
    ("head", "middle"),
    ("left_arm", "early"),
    ("left_arm", "late"),
    ("trunk", "middle"),
    ("left_fingers", "middle"),
    ("head", "late"),
)
MAX_CLASSES = len(_SIGNATURES)

#: Ranges of the start and end of each time window, as fractions of the (time-warped) recording.
_WINDOWS = {
    "sign": ((0.05, 0.15), (0.85, 0.95)),
    "early": ((0.08, 0.15), (0.38, 0.48)),
    "middle": ((0.25, 0.35), (0.65, 0.75)),
    "late": ((0.52, 0.62), (0.85, 0.92)),
}

#: Frames whose signature envelope exceeds this count as relevant.
_RELEVANCE_THRESHOLD = 0.05

#: Joints kept by ``n_joints < 79``, most useful first; the rest follow in skeleton order.
_JOINT_PRIORITY = (
    "lHand",
    "rHand",
    "head",
    "chestUpper",
    "lForearmBend",
    "rForearmBend",
    "lIndex3",
    "rIndex3",
    "lShldrBend",
    "rShldrBend",
    "neckUpper",
    "hip",
    "lThumb3",
    "rThumb3",
    "lMid3",
    "rMid3",
)


@dataclass(frozen=True)
class _Rotation:
    """A joint rotation: pivot joint, the joints it carries, its axis in the rest pose."""

    pivot: int
    moved: slice | np.ndarray
    axis: np.ndarray


@dataclass(frozen=True)
class _Body:
    rest: np.ndarray
    rotations: dict
    order: tuple
    parts: dict
    hip: int


def _short(name):
    return name.removesuffix("_T_glob")


@cache
def _body():
    """Rest pose, joint rotations and the joints each class signature moves."""
    skeleton = MOCAPLAB_SKELETON
    names = [_short(name) for name in skeleton.joint_names]
    index = {name: i for i, name in enumerate(names)}
    rest = np.empty((len(names), 3))
    for name, i in index.items():
        if name in _REST_POSE:
            rest[i] = _REST_POSE[name]
        else:
            x, y, z = _REST_POSE["l" + name[1:]]
            rest[i] = (-x, y, z)
    children = [[] for _ in names]
    for child, parent in enumerate(skeleton.parents):
        if parent >= 0:
            children[parent].append(child)

    def below(joint):
        found, stack = [], list(children[joint])
        while stack:
            found.append(stack.pop())
            stack.extend(children[found[-1]])
        return np.array(sorted(found), dtype=np.intp)

    rotations = {}

    def add(key, pivot, axis):
        moved = below(index[pivot])
        if np.array_equal(moved, np.arange(moved[0], moved[-1] + 1)):
            # Views instead of copies: most subtrees are contiguous in the skeleton's order.
            moved = slice(moved[0], moved[-1] + 1)
        rotations[key] = _Rotation(index[pivot], moved, np.asarray(axis, float))

    for s, side in (("l", 1.0), ("r", -1.0)):
        # Forward flexion turns a hanging segment towards +Z about -X; abduction lifts an arm
        # sideways about +Z (left) or -Z (right); fingers and wrists curl towards the palm,
        # which faces the body.
        for finger in _FINGERS:
            add(f"{s}{finger}1", f"{s}{finger}1", (0, 0, -side))
            add(f"{s}{finger}2", f"{s}{finger}2", (0, 0, -side))
        add(f"{s}Thumb1", f"{s}Thumb1", (0, -side, 0))
        add(f"{s}Thumb2", f"{s}Thumb2", (0, -side, 0))
        add(f"{s}Wrist", f"{s}Hand", (0, 0, -side))
        add(f"{s}Elbow", f"{s}ForearmBend", (-1, 0, 0))
        add(f"{s}Abduction", f"{s}ShldrBend", (0, 0, side))
        add(f"{s}Flexion", f"{s}ShldrBend", (-1, 0, 0))
    add("HeadNod", "neckUpper", (1, 0, 0))
    add("HeadTurn", "neckUpper", (0, 1, 0))
    add("TrunkLean", "abdomenLower", (1, 0, 0))
    add("Turn", "hip", (0, 1, 0))

    hand = [f"{finger}{k}" for finger in _FINGERS for k in (1, 2)] + ["Thumb1", "Thumb2"]
    order = tuple(
        [f"{s}{joint}" for s in "lr" for joint in hand]
        + [f"{s}{dof}" for s in "lr" for dof in ("Wrist", "Elbow", "Abduction", "Flexion")]
        + ["HeadNod", "HeadTurn", "TrunkLean", "Turn"]
    )

    def moved_by(keys):
        mask = np.zeros(len(names), dtype=bool)
        for key in keys:
            mask[rotations[key].moved] = True
        return mask

    parts = {
        "left_arm": moved_by(["lFlexion"]),
        "left_fingers": moved_by([f"l{joint}" for joint in hand]),
        "head": moved_by(["HeadNod"]),
        "trunk": moved_by(["TrunkLean"]),
    }
    return _Body(rest, rotations, order, parts, index["hip"])


def _rotation_matrices(axis, angles):
    """Rotation matrices ``(n_frames, 3, 3)`` about a unit axis by angles in radians."""
    x, y, z = axis
    cross = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    sin = np.sin(angles)[:, np.newaxis, np.newaxis]
    cos = np.cos(angles)[:, np.newaxis, np.newaxis]
    return np.eye(3) + sin * cross + (1.0 - cos) * (cross @ cross)


def _envelope(u, window):
    """Smooth bump: 0 outside ``window``, 1 in its middle half, smooth ramps in between."""
    start, end = window
    ramp = 0.25 * (end - start)

    def smoothstep(x):
        x = np.clip(x, 0.0, 1.0)
        return x * x * (3.0 - 2.0 * x)

    return smoothstep((u - start) / ramp) * smoothstep((end - u) / ramp)


def _draw_window(rng, kind):
    (start_low, start_high), (end_low, end_high) = _WINDOWS[kind]
    return rng.uniform(start_low, start_high), rng.uniform(end_low, end_high)


def _wave(rng, t, amplitude, frequency):
    """A sinusoid of random amplitude, frequency (Hz) and phase, over times ``t`` in seconds."""
    return rng.uniform(*amplitude) * np.sin(
        2 * np.pi * rng.uniform(*frequency) * t + rng.uniform(0, 2 * np.pi)
    )


def _arm_angles(rng, t, envelope, sway, *, flexion, abduction, elbow, shape):
    """Angles (degrees) of one arm and hand: an idle pose plus ``envelope`` times a sign."""
    drift = 3.0 * sway
    idle = {
        "Flexion": rng.uniform(0, 20) + _wave(rng, t, (0, drift), (0.1, 0.4)),
        "Abduction": rng.uniform(0, 8) + _wave(rng, t, (0, drift), (0.1, 0.4)),
        "Elbow": rng.uniform(0, 25) + _wave(rng, t, (0, drift), (0.1, 0.4)),
        "Wrist": rng.uniform(-5, 5),
    }
    sign = {
        "Flexion": rng.uniform(*flexion) + _wave(rng, t, (2, 10), (0.5, 2.0)),
        "Abduction": rng.uniform(*abduction),
        "Elbow": rng.uniform(*elbow) + _wave(rng, t, (0, 15), (0.5, 2.0)),
        "Wrist": rng.uniform(-20, 30) + _wave(rng, t, (5, 25), (1.0, 3.0)),
    }
    angles = {dof: idle[dof] + envelope * sign[dof] for dof in idle}
    relaxed = rng.uniform(5, 25)
    for finger in _FINGERS:
        curl = relaxed + envelope * (rng.uniform(*shape) - relaxed)
        angles[f"{finger}1"], angles[f"{finger}2"] = curl, 0.8 * curl
    thumb = relaxed + envelope * (rng.uniform(0, 60) - relaxed)
    angles["Thumb1"], angles["Thumb2"] = thumb, 0.7 * thumb
    return angles


def _record(rng, n_frames, label, n_classes, body, *, noise, sway, max_rotation, frame_rate):
    """One recording ``(n_frames, 79, 3)`` of class ``label`` and its relevance mask."""
    t = np.arange(n_frames) / frame_rate
    # Random speed: a monotone warp of normalised time moves and stretches the windows.
    u = np.linspace(0.0, 1.0, n_frames) ** np.exp(rng.uniform(-0.25, 0.25))
    sign = _envelope(u, _draw_window(rng, "sign"))
    windows = [None] + [_draw_window(rng, window) for _, window in _SIGNATURES[1:n_classes]]
    envelopes = [None] + [_envelope(u, window) for window in windows[1:]]
    own = envelopes[label] if label > 0 else np.zeros(n_frames)
    part = _SIGNATURES[label][0] if label > 0 else None

    right = _arm_angles(
        rng, t, sign, sway, flexion=(40, 110), abduction=(0, 30), elbow=(50, 130), shape=(0, 90)
    )
    left_envelope = own if part == "left_arm" else np.zeros(n_frames)
    left = _arm_angles(
        rng,
        t,
        left_envelope,
        sway,
        flexion=(30, 80),
        abduction=(0, 25),
        elbow=(40, 110),
        shape=(0, 90),
    )
    fist = rng.uniform(50, 90)
    if part == "left_fingers":
        for joint in [f"{finger}{k}" for finger in _FINGERS for k in (1, 2)] + ["Thumb1"]:
            left[joint] = left[joint] + own * fist
    nod_amplitude, nod_frequency = rng.uniform(12, 25), rng.uniform(1.0, 2.0)
    nod = own * nod_amplitude * 0.5 * (1 - np.cos(2 * np.pi * nod_frequency * t))
    lean = own * rng.uniform(12, 25)
    angles = {f"r{dof}": angle for dof, angle in right.items()}
    angles |= {f"l{dof}": angle for dof, angle in left.items()}
    angles["HeadNod"] = rng.uniform(-5, 5) + _wave(rng, t, (0, 2 * sway), (0.1, 0.5))
    angles["HeadNod"] = angles["HeadNod"] + (nod if part == "head" else 0.0)
    angles["HeadTurn"] = rng.uniform(-8, 8) + _wave(rng, t, (0, 2 * sway), (0.1, 0.5))
    angles["TrunkLean"] = rng.uniform(-3, 3) + (lean if part == "trunk" else 0.0)
    angles["Turn"] = rng.uniform(-max_rotation, max_rotation)

    scale = rng.uniform(0.92, 1.08)
    rest = body.rest[body.hip] + scale * (body.rest - body.rest[body.hip])
    positions = np.repeat(rest[np.newaxis], n_frames, axis=0)
    for key in body.order:
        rotation = body.rotations[key]
        radians = np.broadcast_to(np.deg2rad(angles[key]), (n_frames,))
        matrices = _rotation_matrices(rotation.axis, radians)
        pivot = rest[rotation.pivot]
        moved = positions[:, rotation.moved] - pivot
        positions[:, rotation.moved] = moved @ matrices.transpose(0, 2, 1) + pivot
    offset = rng.uniform(-2, 2, size=3) * (1, 0, 1)
    sway_x = _wave(rng, t, (0.3 * sway, 1.5 * sway), (0.1, 0.5))
    sway_z = _wave(rng, t, (0.3 * sway, 1.5 * sway), (0.1, 0.5))
    positions += offset + np.stack([sway_x, np.zeros(n_frames), sway_z], axis=1)[:, None]
    positions += rng.normal(0.0, noise, size=positions.shape)

    # The class difference lives where this class's signature moves; for class 0 (no
    # signature) it is where the other classes would have moved, since stillness there is
    # what tells it apart.
    relevance = np.zeros((n_frames, len(body.rest)), dtype=bool)
    for other in [label] if label > 0 else range(1, n_classes):
        active = envelopes[other] > _RELEVANCE_THRESHOLD
        relevance |= active[:, np.newaxis] & body.parts[_SIGNATURES[other][0]][np.newaxis]
    return positions.astype(np.float32), relevance


def _kept_joints(n_joints):
    names = [_short(name) for name in MOCAPLAB_SKELETON.joint_names]
    ranked = list(_JOINT_PRIORITY) + [name for name in names if name not in _JOINT_PRIORITY]
    return np.array(sorted(names.index(name) for name in ranked[:n_joints]), dtype=np.intp)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_joints": [Interval(Integral, 1, MOCAPLAB_SKELETON.n_joints, closed="both")],
        "n_classes": [Interval(Integral, 2, MAX_CLASSES, closed="both")],
        "min_frames": [Interval(Integral, 10, None, closed="left")],
        "max_frames": [Interval(Integral, 10, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "sway": [Interval(Real, 0, None, closed="left")],
        "max_rotation": [Interval(Real, 0, 180, closed="both")],
        "frame_rate": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "return_relevance": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_gestures(
    n_samples=111,
    *,
    n_joints=79,
    n_classes=2,
    min_frames=40,
    max_frames=100,
    noise=0.2,
    sway=1.0,
    max_rotation=10.0,
    frame_rate=25.0,
    random_state=None,
    return_relevance=False,
    return_X_y=False,
):
    """Synthetic MocapLab-like gesture recordings whose classes differ in known joints and frames.

    Each recording is a performer standing on the 79-joint
    :data:`~skgesture.skeleton.MOCAPLAB_SKELETON` (positions in centimetres, hip near the
    origin, Y up, facing +Z) who signs with the right arm and hand: the arm rises, the hand
    takes a random shape and moves. The classes differ by one extra motion in a time window:

    - with 2 classes, ``"Mono"`` (one-hand sign, nothing more) and ``"Bi"`` (two-hand sign: the
      left arm and hand rise and move in the middle of the recording), as in Allemand et al.
      (2024);
    - with more classes, ``"class_0"`` signs with one hand and class ``k`` adds, in order, the
      left arm (middle of the recording), a head nod (middle), the left arm early, the left
      arm late, a forward lean of the trunk (middle), a left fist (middle), a head nod late.

    The joints and frames that carry the class difference are known and returned as
    ``relevance``, to check what an explanation method highlights. Nuisance makes the task
    learnable but not trivial: recordings of different lengths, random speed (a time warp),
    random hand shapes and sign amplitudes, an idle left arm that may hang a little raised,
    body sway, a random turn about the vertical axis, performer size and sensor noise.

    The defaults are frozen (111 recordings of at most 100 frames, as in the paper, and a
    fixed difficulty recorded in ``DESCR``); changing them would break the comparability of
    results obtained with them. The same ``random_state`` always gives the same data.

    Parameters
    ----------
    n_samples : int, default=111
        Number of recordings; classes are balanced (their sizes differ by at most one).
    n_joints : int, default=79
        Number of joints, at most 79. Below 79, the most useful joints are kept (hands, head,
        chest, elbows, index tips, shoulders, neck, hip, thumb and middle tips, then the others
        in skeleton order), in skeleton order, on ``MOCAPLAB_SKELETON.subset``.
    n_classes : int, default=2
        Number of classes, from 2 to 8.
    min_frames, max_frames : int, default=40, 100
        Recording lengths are drawn uniformly from this range (both included, at least 10).
    noise : float, default=0.2
        Standard deviation of the sensor noise, in centimetres.
    sway : float, default=1.0
        Scale of the involuntary motion: body sway of 0.3 to 1.5 cm and slow drifts of the idle
        arm (up to 3 degrees) and head (up to 2 degrees) are multiplied by it.
    max_rotation : float, default=10.0
        Each recording is turned about the vertical axis by up to this many degrees.
    frame_rate : float, default=25.0
        Frames per second (MocapLab exports are at 25 Hz); sets the speed of the oscillations.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible data.
    return_relevance : bool, default=False
        Also return the ground-truth relevance masks.
    return_X_y : bool, default=False
        Return ``(data, target)`` (plus ``relevance`` when asked) instead of a Bunch.

    Returns
    -------
    Bunch
        data : list of ndarray of shape (n_frames_i, n_joints, 3), float32

        target : ndarray of shape (n_samples,), str

        target_names : ndarray of shape (n_classes,), str

        joint_names : list of str

        skeleton : :class:`~skgesture.skeleton.Skeleton`

        frame_rate : float

        DESCR : str

        relevance : list of ndarray of shape (n_frames_i, n_joints), bool
            Only with ``return_relevance=True``. True where a joint's motion in a frame carries
            the class difference: the joints moved by the recording's class signature while it
            is active; for the first class, which has no signature, the joints and frames where
            the other classes' signatures would be (their stillness tells the class apart).
    (data, target) or (data, target, relevance) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skgesture.datasets import make_gestures
    >>> gestures = make_gestures(random_state=0)
    >>> len(gestures.data), gestures.data[0].shape[1:], sorted(set(gestures.target.tolist()))
    (111, (79, 3), ['Bi', 'Mono'])
    >>> max(len(recording) for recording in gestures.data) <= 100
    True
    >>> X, y, relevance = make_gestures(
    ...     12, n_joints=10, n_classes=3, random_state=0, return_relevance=True, return_X_y=True
    ... )
    >>> X[0].shape[1], relevance[0].shape == X[0].shape[:2]
    (10, True)
    """
    if min_frames > max_frames:
        raise ValueError(
            f"min_frames={min_frames} is larger than max_frames={max_frames}; recording "
            "lengths are drawn from [min_frames, max_frames]."
        )
    rng = check_random_state(random_state)
    body = _body()
    labels = rng.permutation(np.arange(n_samples) % n_classes)
    lengths = np.minimum(
        rng.uniform(min_frames, max_frames + 1, size=n_samples).astype(int), max_frames
    )
    kept = _kept_joints(n_joints)
    data, relevance = [], []
    for label, n_frames in zip(labels, lengths):
        positions, relevant = _record(
            rng,
            int(n_frames),
            int(label),
            n_classes,
            body,
            noise=noise,
            sway=sway,
            max_rotation=max_rotation,
            frame_rate=frame_rate,
        )
        data.append(np.ascontiguousarray(positions[:, kept]))
        relevance.append(np.ascontiguousarray(relevant[:, kept]))
    target_names = (
        np.array(["Mono", "Bi"])
        if n_classes == 2
        else np.array([f"class_{k}" for k in range(n_classes)])
    )
    target = target_names[labels]
    if return_X_y:
        return (data, target, relevance) if return_relevance else (data, target)
    skeleton = (
        MOCAPLAB_SKELETON.subset(kept)
        if n_joints < MOCAPLAB_SKELETON.n_joints
        else (MOCAPLAB_SKELETON)
    )
    bunch = Bunch(
        data=data,
        target=target,
        target_names=target_names,
        joint_names=list(skeleton.joint_names),
        skeleton=skeleton,
        frame_rate=float(frame_rate),
        DESCR=resources.files(__package__)
        .joinpath("descr", "make_gestures.rst")
        .read_text(encoding="utf-8"),
    )
    if return_relevance:
        bunch.relevance = relevance
    return bunch
