"""The ``missing=`` policy of the readers whose files mark missing points themselves.

C3D files mark an occluded marker (NaN, zeros or a negative residual) and pose estimators an
undetected keypoint (a low confidence). Their readers turn those points into NaN and hand them
here, so that ``missing="raise"``, ``"interpolate"`` and ``"drop"`` mean the same as for the blank
cells of a MocapLab CSV file (:func:`skgesture.io.read_mocap_csv`).
"""

from __future__ import annotations

import numpy as np

from skgesture.io._text import compact_ranges, file_error, plural


def _describe(mask, joint_names, what):
    per_joint = mask.any(axis=2)  # (frames, joints)
    joints = np.flatnonzero(per_joint.any(axis=0))
    parts = []
    for joint in joints[:5]:
        frames = np.flatnonzero(per_joint[:, joint])
        parts.append(
            f"{joint_names[joint]!r} in frame{'s' * (len(frames) > 1)} {compact_ranges(frames)}"
        )
    more = f" and {plural(len(joints) - 5, 'more joint')}" if len(joints) > 5 else ""
    n_points = int(per_joint.sum())
    return (
        f"{plural(n_points, 'missing point')} ({what}) in {plural(len(joints), 'joint')}: "
        f"{'; '.join(parts)}{more}. Frames count from 0."
    )


def apply_missing_policy(path, positions, times, joint_names, missing, what):
    """Apply ``missing`` to the NaN points of ``positions`` (n_frames, n_joints, n_coords).

    ``what`` says how the file marked them (``"NaN, zeros or a negative residual"``), for the
    messages. Returns the positions and times to keep; the arrays are not modified.
    """
    mask = np.isnan(positions)
    if not mask.any():
        return positions, times
    if missing == "raise":
        raise file_error(
            path,
            _describe(mask, joint_names, what)
            + " Pass missing='interpolate' or missing='drop' to read it anyway.",
        )
    if missing == "drop":
        keep = ~mask.any(axis=(1, 2))
        if not keep.any():
            raise file_error(
                path,
                f"every one of its {len(keep)} frames has a missing point, so missing='drop' "
                "leaves nothing. " + _describe(mask, joint_names, what),
            )
        return positions[keep], times[keep]
    empty = mask.all(axis=0).any(axis=1)
    if empty.any():
        names = [repr(joint_names[joint]) for joint in np.flatnonzero(empty)]
        raise file_error(
            path,
            "joints missing in every frame cannot be interpolated: "
            f"{', '.join(names[:10])}{', ...' if len(names) > 10 else ''}.",
        )
    not_increasing = np.diff(times) <= 0
    if not_increasing.any():
        frame = int(np.argmax(not_increasing)) + 1
        raise file_error(
            path,
            f"the time of frame {frame} ({float(times[frame])!r}) does not come after the one "
            f"before ({float(times[frame - 1])!r}); missing='interpolate' needs strictly "
            "increasing times.",
        )
    flat = positions.reshape(len(positions), -1).copy()
    gaps_of = mask.reshape(len(mask), -1)
    for column in np.flatnonzero(gaps_of.any(axis=0)):
        gaps = gaps_of[:, column]
        # np.interp holds the nearest valid value beyond the first and last valid frames.
        flat[gaps, column] = np.interp(times[gaps], times[~gaps], flat[~gaps, column])
    return flat.reshape(positions.shape), times
