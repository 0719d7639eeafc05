"""Read BVH (Biovision hierarchy) files: joint positions by forward kinematics, and the skeleton.

A BVH file holds a hierarchy of joints (each with its offset from its parent, the channels it
animates and its children, ending in ``End Site`` leaves) and then one line of channel values
per frame::

    HIERARCHY
    ROOT Hips
    {
        OFFSET 0 0 0
        CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
        JOINT Chest
        {
            OFFSET 0 5 0
            CHANNELS 3 Zrotation Xrotation Yrotation
            End Site
            {
                OFFSET 0 5 0
            }
        }
    }
    MOTION
    Frames: 2
    Frame Time: .0083333
    0 0 0 0 0 0 0 0 0
    0 0 0 90 0 0 0 0 0

:func:`read_bvh` turns the rotations into joint positions with numpy, following Meredith &
Maddock, "Motion capture file formats explained" (2001): each joint's local transform is a
translation by its offset (plus its position channels, where it has them) followed by its
rotation channels applied in the order they are listed, so ``Zrotation Xrotation Yrotation``
rotates a vector by ``Rz @ Rx @ Ry``. Angles are in degrees.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._text import file_error, plural, read_text, split_lines, whole_number
from skgesture.skeleton import Skeleton

__all__ = ["read_bvh"]

_CHANNELS = {
    f"{axis}{kind}": (kind, "XYZ".index(axis))
    for axis in "XYZ"
    for kind in ("position", "rotation")
}
#: The most joint positions (frames x joints x 3 values, float32) that ``read_bvh`` returns:
#: 1 GiB. A joint costs a few bytes of hierarchy but 12 bytes in every frame, so a small file can
#: declare an array that exhausts memory; past this it is refused before anything is computed.
MAX_POSITION_BYTES = 2**30
# Memory for the float64 rotations and positions forward kinematics works in at one time.
_WORKING_BYTES = 2**27
_FRAMES = re.compile(r"frames\s*:\s*(\S*)\s*$", re.IGNORECASE)
_FRAME_TIME = re.compile(r"frame\s+time\s*:\s*(\S*)\s*$", re.IGNORECASE)


def _to_float(word):
    """``float(word)``, for numbers written with ASCII characters only.

    Python's float() also reads the digits of other scripts (full-width '３', Arabic-Indic
    '٣') and digit-grouping underscores (1_000), which no exporter writes; they raise
    ``ValueError`` here, as any other word that is not a number.
    """
    if not word.isascii() or "_" in word:
        raise ValueError(word)
    return float(word)


class _Tokens:
    """The words of the hierarchy, each with its line number, read one at a time."""

    def __init__(self, path, lines):
        self.path = path
        self.words = [(word, number) for number, line in lines for word in line.split()]
        self.index = 0
        self.last_line = lines[-1][0] if lines else 1

    def next(self, expected):
        if self.index == len(self.words):
            raise file_error(
                self.path,
                f"the hierarchy ends where {expected} was expected (is a '}}' or the MOTION "
                "section missing?).",
                line=self.last_line,
            )
        word, line = self.words[self.index]
        self.index += 1
        return word, line

    def peek(self):
        return self.words[self.index][0] if self.index < len(self.words) else None

    def rest_of_line(self, line):
        """The words left on ``line`` before a ``{``, joined by single spaces."""
        words = []
        while self.index < len(self.words) and self.words[self.index][1] == line:
            if self.words[self.index][0] == "{":
                break
            words.append(self.words[self.index][0])
            self.index += 1
        return " ".join(words)

    def expect(self, keyword):
        word, line = self.next(repr(keyword))
        if word.upper() != keyword.upper():
            raise file_error(self.path, f"expected {keyword!r}, found {word!r}.", line=line)
        return line

    def number(self, what):
        word, line = self.next(what)
        try:
            value = _to_float(word)
        except ValueError:
            raise file_error(
                self.path, f"{word!r} is not a number (expected {what}).", line=line
            ) from None
        if not math.isfinite(value):
            raise file_error(self.path, f"{what} is {word!r}; it must be finite.", line=line)
        return value


def _parse_offset(tokens):
    tokens.expect("OFFSET")
    return [tokens.number(f"the {axis} offset") for axis in "xyz"]


def _parse_channels(tokens):
    if (tokens.peek() or "").upper() != "CHANNELS":
        return []
    tokens.expect("CHANNELS")
    word, line = tokens.next("the number of channels")
    n_channels = whole_number(word)
    if n_channels is None:
        raise file_error(tokens.path, f"{word!r} is not a number of channels (0 to 6).", line=line)
    channels = []
    for _ in range(n_channels):
        name, line = tokens.next(f"one of the {word} channels")
        key = name[:1].upper() + name[1:].lower()
        if key not in _CHANNELS:
            raise file_error(
                tokens.path,
                f"{name!r} is not a channel; expected one of {', '.join(sorted(_CHANNELS))} "
                f"({word} channels are announced on this line).",
                line=line,
            )
        channels.append(_CHANNELS[key])
    return channels


def _open_joint(tokens, line, parent, joints):
    """Parse a joint's name, ``{``, offset and channels (after ROOT or JOINT); its index.

    The name is the rest of the keyword's ``line``: exporters such as 3ds Max write names
    with spaces (``Bip01 L Thigh``).
    """
    name = tokens.rest_of_line(line)
    if not name:
        raise file_error(tokens.path, "a joint has no name on its ROOT or JOINT line.", line=line)
    tokens.expect("{")
    offset = _parse_offset(tokens)
    joints.append(
        {
            "name": name,
            "parent": parent,
            "line": line,
            "offset": offset,
            "channels": _parse_channels(tokens),
        }
    )
    return len(joints) - 1


def _parse_tree(tokens, root_line, joints, end_sites):
    """Parse one ROOT's tree of joints (after the ROOT keyword), depth first."""
    # An explicit stack of the joints whose '}' is still to come, rather than recursion, so
    # that no hierarchy is too deep to read.
    open_joints = [_open_joint(tokens, root_line, -1, joints)]
    while open_joints:
        current = open_joints[-1]
        name = joints[current]["name"]
        word, line = tokens.next(f"a JOINT, an End Site or the '}}' closing {name!r}")
        keyword = word.upper()
        if keyword == "}":
            open_joints.pop()
        elif keyword == "JOINT":
            open_joints.append(_open_joint(tokens, line, current, joints))
        elif keyword == "END":
            tokens.expect("Site")
            tokens.expect("{")
            end_sites.append({"parent": current, "offset": _parse_offset(tokens), "line": line})
            tokens.expect("}")
        else:
            raise file_error(
                tokens.path,
                f"expected JOINT, End Site or '}}' inside joint {name!r}, found {word!r}.",
                line=line,
            )


def _parse_hierarchy(path, lines):
    """Joints and end sites, and the index of the MOTION line."""
    motion = next((k for k, line in enumerate(lines) if line.strip().upper() == "MOTION"), None)
    if motion is None:
        raise file_error(path, "has no MOTION line; is this a BVH file?")
    numbered = [(k + 1, line) for k, line in enumerate(lines[:motion]) if line.strip()]
    tokens = _Tokens(path, numbered)
    tokens.expect("HIERARCHY")
    joints, end_sites = [], []
    while tokens.peek() is not None:
        root_line = tokens.expect("ROOT")
        _parse_tree(tokens, root_line, joints, end_sites)
    if not joints:
        raise file_error(path, "the hierarchy has no ROOT joint.", line=motion + 1)
    seen = {}
    for joint in joints:
        if joint["name"] in seen:
            raise file_error(
                path,
                f"joint name {joint['name']!r} appears twice (also on line "
                f"{seen[joint['name']]}); joint names must be unique.",
                line=joint["line"],
            )
        seen[joint["name"]] = joint["line"]
    return joints, end_sites, motion


def _header_value(path, numbered, index, pattern, label):
    """The value of the ``Frames:`` or ``Frame Time:`` line, the ``index``-th after MOTION."""
    number, line = numbered[index] if index < len(numbered) else (None, "")
    match = pattern.match(line.strip())
    if match is None or not match.group(1):
        raise file_error(
            path,
            f"expected {label!r} and its value after MOTION, found {line.strip()!r}.",
            line=number,
        )
    return match.group(1), number


def _parse_motion(path, lines, motion, n_channels):
    """The MOTION section, checked.

    A Bunch of ``channel_values`` ``(n_frames, n_channels)``, ``line_numbers`` (each frame's
    line in the file), ``frame_time`` and ``times``.
    """
    numbered = [
        (number, line)
        for number, line in enumerate(lines[motion + 1 :], start=motion + 2)
        if line.strip()
    ]
    declared, number = _header_value(path, numbered, 0, _FRAMES, "Frames:")
    n_declared = whole_number(declared)
    if n_declared is None:
        raise file_error(
            path, f"the number of frames {declared!r} is not a whole number.", line=number
        )
    text, frame_time_line = _header_value(path, numbered, 1, _FRAME_TIME, "Frame Time:")
    try:
        frame_time = _to_float(text)
    except ValueError:
        frame_time = math.nan
    if not (math.isfinite(frame_time) and frame_time > 0):
        raise file_error(
            path,
            f"the frame time {text!r} is not a positive number of seconds.",
            line=frame_time_line,
        )
    rows = [line.split() for _, line in numbered[2:]]
    line_numbers = [number for number, _ in numbered[2:]]
    for row, number in zip(rows, line_numbers):
        if len(row) != n_channels:
            raise file_error(
                path,
                f"this frame has {plural(len(row), 'value')} but the hierarchy has "
                f"{plural(n_channels, 'channel')}.",
                line=number,
            )
    if not rows:
        raise file_error(path, f"has no frames (the header announces {declared}).")
    with np.errstate(over="ignore"):
        times = np.arange(len(rows)) * frame_time
    if not np.isfinite(times[-1]):
        raise file_error(
            path,
            f"the frame time {text!r} is too large: the time of the last of the "
            f"{plural(len(rows), 'frame')} is not finite.",
            line=frame_time_line,
        )
    values = None
    # numpy, like float(), reads other scripts' digits and underscores: only plain lines go the
    # fast way.
    if all(line.isascii() and "_" not in line for _, line in numbered[2:]):
        try:
            values = np.array(rows, dtype=np.float64).reshape(len(rows), n_channels)
        except ValueError:
            pass
    if values is None:
        # Cell by cell, to name the one that is not a number.
        values = np.empty((len(rows), n_channels))
        for index, (row, number) in enumerate(zip(rows, line_numbers)):
            for column, cell in enumerate(row):
                try:
                    values[index, column] = _to_float(cell)
                except ValueError:
                    raise file_error(
                        path, f"{cell!r} is not a number.", line=number, column=column + 1
                    ) from None
    if not np.isfinite(values).all():
        row, column = np.argwhere(~np.isfinite(values))[0]
        raise file_error(
            path,
            f"{rows[row][column]!r} is not finite; BVH channels have no missing values.",
            line=line_numbers[row],
            column=column + 1,
        )
    if n_declared != len(rows):
        warnings.warn(
            f"{os.fspath(path)!r}: the header announces {declared} frames but the file holds "
            f"{len(rows)}; reading the {len(rows)} frames it holds.",
            UserWarning,
            stacklevel=3,
        )
    return Bunch(
        channel_values=values, line_numbers=line_numbers, frame_time=frame_time, times=times
    )


def _elementary_rotations(axis, degrees):
    """Rotation matrices about one axis, shape ``(n_frames, 3, 3)``."""
    radians = np.deg2rad(degrees)
    cos, sin = np.cos(radians), np.sin(radians)
    matrices = np.zeros((len(degrees), 3, 3))
    first, second = [(1, 2), (2, 0), (0, 1)][axis]
    matrices[:, axis, axis] = 1.0
    matrices[:, first, first] = cos
    matrices[:, second, second] = cos
    matrices[:, first, second] = -sin
    matrices[:, second, first] = sin
    return matrices


def _forward_kinematics(joints, end_sites, values):
    """Global positions ``(n_frames, n_joints + n_end_sites, 3)``, joints then end sites."""
    n_frames = len(values)
    positions = np.empty((n_frames, len(joints) + len(end_sites), 3))
    rotations = np.empty((len(joints), n_frames, 3, 3))
    column = 0
    for index, joint in enumerate(joints):
        translation = np.tile(np.asarray(joint["offset"]), (n_frames, 1))
        rotation = np.broadcast_to(np.eye(3), (n_frames, 3, 3))
        for kind, axis in joint["channels"]:
            if kind == "position":
                translation[:, axis] += values[:, column]
            else:
                rotation = rotation @ _elementary_rotations(axis, values[:, column])
            column += 1
        parent = joint["parent"]
        if parent < 0:
            positions[:, index] = translation
            rotations[index] = rotation
        else:
            positions[:, index] = positions[:, parent] + np.einsum(
                "fij,fj->fi", rotations[parent], translation
            )
            rotations[index] = rotations[parent] @ rotation
    for site, end_site in enumerate(end_sites, start=len(joints)):
        parent = end_site["parent"]
        positions[:, site] = positions[:, parent] + rotations[parent] @ np.asarray(
            end_site["offset"]
        )
    return positions


def _end_site_names(joints, end_sites):
    taken = {joint["name"] for joint in joints}
    names = []
    for end_site in end_sites:
        base = f"{joints[end_site['parent']]['name']}_End"
        name, count = base, 1
        while name in taken:
            count += 1
            name = f"{base}{count}"
        taken.add(name)
        names.append(name)
    return names


def read_bvh(path, *, end_sites=False):
    """Read a BVH file as joint positions, with its skeleton.

    Joint positions are computed from the hierarchy's offsets and each frame's channels by
    forward kinematics (see the module's description for the convention). Each joint's
    rotation order is the order of its own ``CHANNELS`` line, so joints with 3 (rotation) and
    6 (position and rotation) channels, and different orders, may be mixed. A joint's name is
    the rest of its ROOT or JOINT line, kept as written (``mixamorig:Hips``, ``Bip01 L
    Thigh``, runs of spaces made one); words may be separated by spaces or tabs, lines end in
    LF, CRLF or CR. The file is only read, never modified.

    Parameters
    ----------
    path : str or path-like
        The BVH file.
    end_sites : bool, default=False
        Also return the ``End Site`` leaves (tips of the head, hands, feet, ...) as joints,
        after all the named joints, named ``<parent>_End``.

    Returns
    -------
    recording : :class:`~sklearn.utils.Bunch`
        With the keys

        positions : ndarray of shape (n_frames, n_joints, 3), float32
            Global position of each joint in each frame, in the file's units.

        joint_names : list of str
            The joints in the order of the hierarchy (depth first), then the end sites.

        times : ndarray of shape (n_frames,), float64
            ``arange(n_frames) * frame_time``.

        filename : str
            ``path`` as a string.

        skeleton : :class:`~skgesture.skeleton.Skeleton`
            The topology: each joint's parent from the hierarchy, left/right pairs inferred
            from the names, Y up (the BVH convention).

        frame_time : float
            Seconds per frame, as written.

    Warns
    -----
    UserWarning
        When the ``Frames:`` line announces a different number of frames than the file holds;
        the frames it holds are read.

    Raises
    ------
    ValueError
        If the file is malformed: no HIERARCHY or MOTION, unbalanced braces, an unknown
        channel, a joint name used twice, a frame with the wrong number of values, a value
        that is not a finite number (numbers are written in ASCII: other scripts' digits,
        superscripts and digit-grouping underscores are refused), no frames, a frame time that
        is not a positive number or so large that the times are not finite, or joint
        positions beyond float32's range. The message names the file and the line.

    See Also
    --------
    read_mocap_csv : MocapLab CSV recordings.
    load_mocap_folder : Read a folder of recordings (``.bvh`` files among them).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgesture.io import read_bvh
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "arm.bvh"
    >>> _ = path.write_text(
    ...     "HIERARCHY\\nROOT Shoulder\\n{\\n  OFFSET 0 0 0\\n"
    ...     "  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\\n"
    ...     "  JOINT Elbow\\n  {\\n    OFFSET 1 0 0\\n"
    ...     "    CHANNELS 3 Zrotation Xrotation Yrotation\\n"
    ...     "    End Site\\n    {\\n      OFFSET 1 0 0\\n    }\\n  }\\n}\\n"
    ...     "MOTION\\nFrames: 2\\nFrame Time: .04\\n"
    ...     "0 0 0 0 0 0 0 0 0\\n"
    ...     "0 0 0 90 0 0 0 0 0\\n"
    ... )
    >>> recording = read_bvh(path, end_sites=True)
    >>> recording.joint_names
    ['Shoulder', 'Elbow', 'Elbow_End']
    >>> recording.positions[1].round(6) + 0.0  # the arm raised by 90 degrees about Z
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 2., 0.]], dtype=float32)
    >>> recording.skeleton.bones
    [(0, 1), (1, 2)]
    """
    if not isinstance(end_sites, bool | np.bool_):
        raise TypeError(f"end_sites must be True or False; got {end_sites!r}.")
    lines = split_lines(read_text(path))
    joints, sites, motion = _parse_hierarchy(path, lines)
    n_channels = sum(len(joint["channels"]) for joint in joints)
    frames = _parse_motion(path, lines, motion, n_channels)
    sites = sites if end_sites else []
    names = [joint["name"] for joint in joints] + _end_site_names(joints, sites)
    n_frames, n_points = len(frames.channel_values), len(names)
    if n_frames * n_points * 3 * 4 > MAX_POSITION_BYTES:
        raise file_error(
            path,
            f"its {plural(n_frames, 'frame')} of {plural(n_points, 'joint')} would take "
            f"{n_frames * n_points * 12 / 2**30:.1f} GiB of positions, over the "
            f"{MAX_POSITION_BYTES / 2**30:g} GiB read_bvh returns (skgesture.io.bvh."
            "MAX_POSITION_BYTES); split the file.",
        )
    # Huge offsets and position channels overflow (to inf, then inf - inf to NaN), as does the
    # cast to float32: such positions are refused, naming the first frame that has one.
    positions = np.empty((n_frames, n_points, 3), dtype=np.float32)
    # 96 bytes of float64 rotation and position per joint and frame: a bounded number of frames
    # at a time.
    chunk = max(1, _WORKING_BYTES // (96 * n_points))
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, n_frames, chunk):
            values = frames.channel_values[start : start + chunk]
            positions[start : start + chunk] = _forward_kinematics(joints, sites, values)
    not_finite = ~np.isfinite(positions)
    if not_finite.any():
        frame, joint, _ = np.argwhere(not_finite)[0]
        raise file_error(
            path,
            f"the position of joint {names[joint]!r} in this frame is not finite or beyond "
            "float32's range; are the offsets or position channels that large?",
            line=frames.line_numbers[frame],
        )
    parents = [joint["parent"] for joint in joints] + [site["parent"] for site in sites]
    inferred = Skeleton.from_joint_names(names)
    skeleton = Skeleton(Path(path).stem or "bvh", names, parents, inferred.mirror_pairs, 1)
    return Bunch(
        positions=positions,
        joint_names=names,
        times=frames.times,
        filename=os.fspath(path),
        skeleton=skeleton,
        frame_time=frames.frame_time,
    )
