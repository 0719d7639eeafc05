"""Rotations about the vertical axis and body-size measures on recordings.

Points are arrays whose last axis holds the coordinates. With 3 coordinates a rotation turns
about ``up_axis`` (right-handed); with 2 (image keypoints) it is the in-plane rotation, the only
one there is.
"""

from __future__ import annotations

import numpy as np


def rotation_plane(n_coords, up_axis):
    """The two axes a rotation about ``up_axis`` mixes, in right-handed order."""
    if n_coords == 3:
        if up_axis not in (0, 1, 2):
            raise ValueError(f"up_axis={up_axis!r} must be 0, 1 or 2 for 3-D coordinates.")
        return (up_axis + 1) % 3, (up_axis + 2) % 3
    if n_coords == 2:
        return 0, 1
    raise ValueError(
        f"Rotations need 2 or 3 coordinates per joint, but the recording has {n_coords}."
    )


def rotate_points(points, angle, up_axis, center=None):
    """Rotate points by ``angle`` radians about the vertical line through ``center``.

    ``angle`` is a number or an array broadcastable to ``points.shape[:-1]`` (e.g. one angle
    per frame, shape ``(n_frames, 1)``). ``center`` (a point) defaults to the origin.
    Returns a new float array.
    """
    first, second = rotation_plane(points.shape[-1], up_axis)
    rotated = np.array(points, dtype=np.result_type(points.dtype, np.float32))
    shift = np.zeros(points.shape[-1]) if center is None else np.asarray(center, dtype=float)
    a = rotated[..., first] - shift[first]
    b = rotated[..., second] - shift[second]
    cos, sin = np.cos(angle), np.sin(angle)
    rotated[..., first] = a * cos - b * sin + shift[first]
    rotated[..., second] = a * sin + b * cos + shift[second]
    return rotated


def heading_angle(vectors, n_coords, up_axis):
    """Angle (radians) of the horizontal part of vectors ``(..., n_coords)``.

    Measured in the rotation plane, from its first axis towards its second.
    """
    first, second = rotation_plane(n_coords, up_axis)
    return np.arctan2(vectors[..., second], vectors[..., first])


def centroid(recording):
    """Mean position over all frames and joints, shape (n_coords,)."""
    return recording.reshape(-1, recording.shape[-1]).mean(axis=0)


def spread(recording):
    """RMS distance of all positions of a recording to its centroid (0 when constant)."""
    # In float64: squares of float32 positions beyond about 1e19 would overflow to infinity.
    recording = np.asarray(recording, dtype=np.float64)
    offsets = recording - centroid(recording)
    return float(np.sqrt(np.mean(np.sum(offsets**2, axis=-1))))


def body_size(recording, bones):
    """Body size of a recording, averaged over its frames.

    The mean bone length when ``bones`` (``(child, parent)`` pairs) are given, else the RMS
    distance of the joints to each frame's centroid. 0 for a single joint.
    """
    recording = np.asarray(recording, dtype=np.float64)  # as in spread(): no overflow
    if len(bones):
        lengths = np.linalg.norm(recording[:, bones[:, 0]] - recording[:, bones[:, 1]], axis=-1)
        return float(lengths.mean())
    offsets = recording - recording.mean(axis=1, keepdims=True)
    return float(np.sqrt(np.mean(np.sum(offsets**2, axis=-1))))


def lateral_axis(up_axis):
    """The horizontal axis that runs from one side of the body to the other.

    The lowest-numbered axis other than ``up_axis``: x when y or z is up.
    """
    return 0 if up_axis != 0 else 1
