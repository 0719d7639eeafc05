"""Input features of skeleton sequences computed inside the estimators: body frame and streams.

Kinect-like sensors give positions in camera coordinates, so where the subject stands changes
every value. The functions here express a padded batch of recordings in a frame attached to the
body and derive the usual streams of skeleton action recognition, in numpy, one batch at a time,
before per-channel standardisation (:mod:`skgesture._standardize`).

- **joint**: each joint relative to the root joint of the same frame, divided by the body size
  of the recording. The root's own row, always zero once made relative to itself, carries the
  root's trajectory instead: its position relative to its position in the first frame, divided
  by the same body size. So where the subject stands is removed, but how the body travels
  (walking, sitting down) is kept, in a tensor of the input's shape.
- **bone**: each joint minus its parent (same scale). A joint without a parent (``-1``: a root
  of the skeleton, or every joint when the topology is unknown) has no bone and gets zeros, so
  the number of channels never depends on the topology. Standardisation maps such constant
  channels to zero; leave ``"bone"`` out of ``streams`` when there is no topology.
- **motion**: the frame difference ``joint[t + 1] - joint[t]`` of the joint stream (so the
  root's row is the root's velocity, the other rows velocities relative to the root); zero at
  the last real frame.

The body size of a recording is the median over its real frames of the mean bone length when
``parents`` has bones (bone lengths hardly change with the pose), otherwise of the mean distance
of the other joints to the root. A size that is zero, not finite, or below float32 rounding of
the recording's coordinates counts as no size and is replaced by 1, so nothing is divided by
zero. Only translations and uniform scalings are removed: a rotation about the vertical axis (a
subject facing another way, a camera elsewhere) still changes the features.

Padded frames (index ``>= lengths[i]``) are exactly zero in every output.
"""

from __future__ import annotations

import operator

import numpy as np

__all__ = [
    "STREAMS",
    "body_frame",
    "body_size",
    "bone_stream",
    "default_root",
    "motion_stream",
    "n_feature_coords",
    "skeleton_features",
]

#: Names of the streams :func:`skeleton_features` can compute.
STREAMS = ("joint", "bone", "motion")


def _check_data(data):
    data = np.asarray(data)
    if data.ndim != 4:
        raise ValueError(
            "data must be a padded batch of shape (n_samples, n_frames, n_joints, n_coords), "
            f"got an array of shape {data.shape}."
        )
    return data


def _check_lengths(lengths, data):
    n_samples, n_frames = data.shape[:2]
    lengths = np.asarray(lengths)
    if lengths.shape != (n_samples,) or (
        lengths.size and not np.issubdtype(lengths.dtype, np.integer)
    ):
        raise ValueError(
            f"lengths must hold one integer per recording ({n_samples}), got an array of "
            f"shape {lengths.shape} and dtype {lengths.dtype}."
        )
    if lengths.size and (lengths.min() < 0 or lengths.max() > n_frames):
        raise ValueError(f"lengths must lie in [0, {n_frames}] (the number of frames).")
    return lengths.astype(np.int64)


def _check_parents(parents, n_joints):
    """Parents as an int array of shape (n_joints,); None means no topology (all -1)."""
    if parents is None:
        return np.full(n_joints, -1, dtype=np.int64)
    parents = np.asarray(parents)
    if parents.ndim != 1 or len(parents) != n_joints:
        raise ValueError(
            f"parents has {parents.size} entries but the data has {n_joints} joints: give one "
            "parent index per joint (-1 for a root)."
        )
    if parents.size and not np.issubdtype(parents.dtype, np.integer):
        raise ValueError(f"parents must hold integers, got dtype {parents.dtype}.")
    bad = (parents < -1) | (parents >= n_joints) | (parents == np.arange(n_joints))
    if bad.any():
        joint = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"parents[{joint}] = {int(parents[joint])} is not -1 or another joint's index in "
            f"[0, {n_joints})."
        )
    return parents.astype(np.int64)


def _check_root(root, n_joints):
    try:
        if isinstance(root, bool):
            raise TypeError
        root = operator.index(root)
    except TypeError:
        raise ValueError(f"root must be a joint index (an integer), got {root!r}.") from None
    if not 0 <= root < n_joints:
        raise ValueError(f"root = {root} is not a joint index in [0, {n_joints}).")
    return root


def _check_streams(streams):
    streams = (streams,) if isinstance(streams, str) else tuple(streams)
    unknown = [name for name in streams if name not in STREAMS]
    if unknown:
        raise ValueError(f"unknown stream {unknown[0]!r}; choose among {STREAMS}.")
    if not streams:
        raise ValueError(f"streams is empty; choose at least one of {STREAMS}.")
    if len(set(streams)) != len(streams):
        raise ValueError(f"streams {streams} names a stream twice.")
    return streams


def _real_frames(lengths, n_frames):
    """(n_samples, n_frames, 1, 1) boolean mask of the real frames."""
    mask = np.arange(n_frames)[np.newaxis, :] < lengths[:, np.newaxis]
    return mask[:, :, np.newaxis, np.newaxis]


def _median_over_real_frames(values, lengths):
    """Median of (n_samples, n_frames) values over each recording's real frames; NaN if none."""
    n_frames = values.shape[1]
    if n_frames == 0:
        return np.full(len(lengths), np.nan)
    real = np.arange(n_frames)[np.newaxis, :] < lengths[:, np.newaxis]
    ordered = np.sort(np.where(real, values, np.inf), axis=1)
    low = np.clip((lengths - 1) // 2, 0, n_frames - 1)[:, np.newaxis]
    high = np.clip(lengths // 2, 0, n_frames - 1)[:, np.newaxis]
    median = (
        0.5
        * (np.take_along_axis(ordered, low, axis=1) + np.take_along_axis(ordered, high, axis=1))[
            :, 0
        ]
    )
    return np.where(lengths > 0, median, np.nan)


def _body_size(positions, lengths, root, parents, bones):
    """Body size of each recording from float64 positions and their bones (validated)."""
    children = parents >= 0
    if children.any():
        segments, n_segments = bones, int(children.sum())
    else:
        segments, n_segments = positions - positions[:, :, root : root + 1], positions.shape[2] - 1
    if n_segments == 0:
        return np.ones(positions.shape[0])
    # Roots (no bone) and the root itself (no distance) add zeros, so sum / n_segments is the mean.
    per_frame = np.sqrt(np.einsum("...c,...c->...", segments, segments)).sum(axis=2) / n_segments
    size = _median_over_real_frames(per_frame, lengths)
    # Distances below the float32 rounding of the coordinates are noise, not a body.
    mask = _real_frames(lengths, positions.shape[1])
    magnitude = np.max(np.abs(positions), axis=(1, 2, 3), where=mask, initial=0.0)
    tiny = 10 * np.finfo(np.float32).eps * magnitude
    return np.where(np.isfinite(size) & (size > tiny), size, 1.0)


def _joint_stream(positions, mask, root, center):
    """Positions relative to the root of each frame, the root's row its trajectory."""
    if not center:
        return positions
    root_track = positions[:, :, root : root + 1]
    joints = positions - root_track
    joints[:, :, root : root + 1] = np.where(mask, root_track - root_track[:, :1], 0.0)
    return joints


def _bones(positions, parents):
    """Each joint minus its parent; a joint without one is its own parent, so its bone is zero."""
    parent_or_self = np.where(parents >= 0, parents, np.arange(len(parents)))
    return positions - np.take(positions, parent_or_self, axis=2)


def _motion(positions, lengths):
    motion = np.zeros_like(positions)
    motion[:, :-1] = positions[:, 1:] - positions[:, :-1]
    # The last real frame has no successor, and padded frames none either.
    return np.where(_real_frames(lengths - 1, positions.shape[1]), motion, 0.0)


def default_root(parents, data=None, *, lengths=None):
    """The joint to express a skeleton's positions from.

    With a topology, the root of the biggest tree: among the joints whose parent is ``-1``, the
    one with the most descendants (ties go to the one nearest the centroid when ``data`` is given,
    else to the lowest index). Without one (``parents`` is None or all ``-1``), the joint nearest
    the centroid of the joints on average over the real frames of ``data``.

    Call it once, on training data, and keep the index: taken on each batch, the centroid rule
    could pick a different joint each time.

    Parameters
    ----------
    parents : sequence of int or None
        Index of each joint's parent, ``-1`` for a root; None when the topology is unknown.
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords), optional
        Padded recordings; needed when there is no topology.
    lengths : array-like of shape (n_samples,), optional
        Number of real frames of each recording; all frames are real when omitted.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        When the topology is unknown and no data is given, when ``parents`` does not match the
        data's joints, or when the parents form a cycle.

    Examples
    --------
    >>> from skgesture._features import default_root
    >>> default_root([1, -1, 1, 2, -1])  # joint 1 roots a tree of 4 joints, joint 4 is alone
    1
    """
    if data is not None:
        data = _check_data(data)
        n_joints = data.shape[2]
    elif parents is None:
        raise ValueError("without parents, default_root needs data to find the central joint.")
    else:
        n_joints = len(parents)
    parents = _check_parents(parents, n_joints)
    distance = None
    if data is not None:
        lengths = np.full(data.shape[0], data.shape[1]) if lengths is None else lengths
        lengths = _check_lengths(lengths, data)
        positions = data.astype(np.float64)
        centroid = positions.mean(axis=2, keepdims=True)
        per_frame = np.linalg.norm(positions - centroid, axis=3)  # (n_samples, n_frames, n_joints)
        real = _real_frames(lengths, data.shape[1])[..., 0]
        distance = np.sum(per_frame, axis=(0, 1), where=real) / max(int(lengths.sum()), 1)
    roots = np.flatnonzero(parents == -1)
    if len(roots) == n_joints:
        if distance is None:
            raise ValueError(
                "parents defines no bone: give data so that default_root can find the central "
                "joint."
            )
        return int(np.argmin(distance))
    descendants = np.zeros(n_joints, dtype=np.int64)
    for joint in range(n_joints):
        ancestor, steps = parents[joint], 0
        while ancestor >= 0:
            descendants[ancestor] += 1
            ancestor, steps = parents[ancestor], steps + 1
            if steps > n_joints:
                raise ValueError(f"parents form a cycle through joint {joint}.")
    most = roots[descendants[roots] == descendants[roots].max()]
    if distance is not None:
        return int(most[np.argmin(distance[most])])
    return int(most[0])


def body_size(data, lengths, *, root, parents=None):
    """Robust size of the body in each recording, in the data's units.

    The median over real frames of the mean bone length when ``parents`` has bones, otherwise of
    the mean distance of the other joints to ``root``. A size that is zero, not finite or within
    float32 rounding of the coordinates (all joints at one point, a single joint) is 1.

    Parameters
    ----------
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings.
    lengths : array-like of shape (n_samples,)
        Number of real frames of each recording.
    root : int
        Index of the root joint.
    parents : sequence of int, optional
        Index of each joint's parent, ``-1`` for a root.

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    data = _check_data(data)
    lengths = _check_lengths(lengths, data)
    root = _check_root(root, data.shape[2])
    parents = _check_parents(parents, data.shape[2])
    positions = np.where(_real_frames(lengths, data.shape[1]), data.astype(np.float64), 0.0)
    return _body_size(positions, lengths, root, parents, _bones(positions, parents))


def body_frame(data, lengths, *, root, parents=None, center=True, scale=True):
    """Positions relative to the root joint, scaled by the body size: the joint stream.

    Parameters
    ----------
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings.
    lengths : array-like of shape (n_samples,)
        Number of real frames of each recording.
    root : int
        Index of the root joint (see :func:`default_root`).
    parents : sequence of int, optional
        Index of each joint's parent, ``-1`` for a root; used for the body size only.
    center : bool, default=True
        Subtract the root's position in each frame; the root's row then holds its trajectory
        relative to its first position. With False, positions stay where they are.
    scale : bool, default=True
        Divide by :func:`body_size`.

    Returns
    -------
    ndarray of shape (n_samples, n_frames, n_joints, n_coords), float32
        Padded frames are zero.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture._features import body_frame
    >>> walk = np.array([[[[2.0, 0.0], [2.0, 1.0]], [[3.0, 0.0], [3.0, 1.0]]]])  # 2 frames
    >>> body_frame(walk, [2], root=0)[0].tolist()  # root row: trajectory; joint 1: above it
    [[[0.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]]
    """
    return skeleton_features(
        data, lengths, parents=parents, root=root, streams=("joint",), center=center, scale=scale
    )


def bone_stream(data, parents):
    """Each joint minus its parent; zeros for joints without a parent.

    Parameters
    ----------
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings (padded frames then stay zero).
    parents : sequence of int or None
        Index of each joint's parent, ``-1`` for a root; None when the topology is unknown.

    Returns
    -------
    ndarray of shape (n_samples, n_frames, n_joints, n_coords), float32
    """
    data = _check_data(data)
    parents = _check_parents(parents, data.shape[2])
    return _bones(data.astype(np.float64), parents).astype(np.float32)


def motion_stream(data, lengths):
    """Frame differences ``data[:, t + 1] - data[:, t]``; zero at the last real frame and after.

    Parameters
    ----------
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings.
    lengths : array-like of shape (n_samples,)
        Number of real frames of each recording.

    Returns
    -------
    ndarray of shape (n_samples, n_frames, n_joints, n_coords), float32
    """
    data = _check_data(data)
    lengths = _check_lengths(lengths, data)
    return _motion(data.astype(np.float64), lengths).astype(np.float32)


def n_feature_coords(n_coords, streams=STREAMS):
    """Number of values per joint and frame that :func:`skeleton_features` gives.

    Examples
    --------
    >>> from skgesture._features import n_feature_coords
    >>> n_feature_coords(3, ("joint", "bone", "motion"))
    9
    """
    return operator.index(n_coords) * len(_check_streams(streams))


def skeleton_features(data, lengths, *, parents, root, streams=STREAMS, center=True, scale=True):
    """Body-frame joint, bone and motion streams of a padded batch, stacked per joint.

    Parameters
    ----------
    data : array-like of shape (n_samples, n_frames, n_joints, n_coords)
        Zero-padded recordings; ``n_coords`` is 3, 2 (image keypoints) or any other number.
    lengths : array-like of shape (n_samples,)
        Number of real frames of each recording.
    parents : sequence of int or None
        Index of each joint's parent, ``-1`` for a root; None when the topology is unknown
        (the body size then comes from distances to the root, and the bone stream is zero).
    root : int
        Index of the root joint. Choose it once, for instance with :func:`default_root` on the
        training data, and pass the same index for every batch.
    streams : sequence of {"joint", "bone", "motion"}, default=("joint", "bone", "motion")
        Streams to compute, in the order they are stacked.
    center : bool, default=True
        Express the joint stream relative to the root of each frame, the root's row carrying
        its trajectory relative to the first frame (see the module's description).
    scale : bool, default=True
        Divide every stream by the body size of its recording (:func:`body_size`).

    Returns
    -------
    ndarray of shape (n_samples, n_frames, n_joints, n_coords * len(streams)), float32
        Stream-major along the last axis: channel ``s * n_coords + c`` is coordinate ``c`` of
        stream ``streams[s]``. Padded frames are zero.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture._features import skeleton_features
    >>> data = np.random.default_rng(0).normal(size=(2, 5, 4, 3))
    >>> data[1, 3:] = 0  # the second recording has 3 frames
    >>> features = skeleton_features(data, [5, 3], parents=[-1, 0, 1, 1], root=0)
    >>> features.shape
    (2, 5, 4, 9)
    >>> bool(np.all(features[1, 3:] == 0))
    True
    """
    data = _check_data(data)
    n_samples, n_frames, n_joints, n_coords = data.shape
    lengths = _check_lengths(lengths, data)
    parents = _check_parents(parents, n_joints)
    root = _check_root(root, n_joints)
    streams = _check_streams(streams)

    mask = _real_frames(lengths, n_frames)
    # Zero the padding first, so that whatever it held cannot leak into a body size or a stream.
    positions = np.where(mask, data.astype(np.float64), 0.0)
    bones = _bones(positions, parents) if "bone" in streams or scale else None
    if scale:
        size = _body_size(positions, lengths, root, parents, bones)[:, None, None, None]
        positions /= size
        if "bone" in streams:
            bones /= size

    features = np.empty((n_samples, n_frames, n_joints, n_coords * len(streams)), np.float32)
    joints = None
    if "joint" in streams or "motion" in streams:
        joints = _joint_stream(positions, mask, root, center)
    for index, name in enumerate(streams):
        # Padded frames are zero in positions, hence in the joints and bones made from them.
        if name == "joint":
            stream = joints
        elif name == "bone":
            stream = bones
        else:
            stream = _motion(joints, lengths)
        features[..., index * n_coords : (index + 1) * n_coords] = stream
    return features
