"""Read 2-D keypoint sequences as pose estimators (OpenPose, COCO-style detectors) write them.

Three layouts are read, each as one recording of shape ``(n_frames, n_joints, 2)``:

- OpenPose's output: one JSON file per frame, ``{"people": [{"pose_keypoints_2d": [x0, y0, c0,
  x1, y1, c1, ...]}, ...]}``, all in one folder (or a single such file, or a JSON list of such
  frames);
- COCO-style results: a JSON list of ``{"image_id": ..., "keypoints": [x0, y0, c0, ...]}``, one
  entry per detected person, an image being a frame;
- a flat CSV table: one row per frame, a header naming the columns ``<joint>_x``, ``<joint>_y``
  and optionally ``<joint>_c`` (or ``_conf``, ``_confidence``, ``_score``, ``_likelihood``),
  with optional ``frame`` and ``time`` columns.

Each point comes with a confidence. Points whose confidence is at or below a threshold (OpenPose
writes ``0, 0, 0`` for a point it did not find) are missing, under the same ``missing=`` policy
as the blank cells of a MocapLab CSV file; so are points with a ``null`` (or ``NaN``) value in a
JSON file, and blank or ``NaN`` cells in a CSV table. Infinite values, and values beyond
float32's range, are refused.
"""

from __future__ import annotations

import json
import math
import os
import re
import reprlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._missing import apply_missing_policy
from skgesture.io._text import (
    MAX_LINE_BYTES,
    file_error,
    parse_rows,
    read_text,
    sniff_delimiter,
    split_lines,
)
from skgesture.io.mocap_csv import check_missing_policy
from skgesture.skeleton import COCO_17_SKELETON, Skeleton

__all__ = ["read_keypoints"]

#: Keypoint names of OpenPose's BODY_25 model (its default) and of its older COCO model.
_OPENPOSE_BODY_25 = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "MidHip",
    "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
    "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel",
)  # fmt: skip
_OPENPOSE_COCO_18 = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "RHip",
    "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
)  # fmt: skip
_LAYOUTS = {17: COCO_17_SKELETON.joint_names, 18: _OPENPOSE_COCO_18, 25: _OPENPOSE_BODY_25}
_CONFIDENCE_SUFFIXES = ("c", "conf", "confidence", "score", "likelihood")
_COLUMN = re.compile(r"^(?P<joint>.+)_(?P<part>[^_]+)$")
_DELIMITERS = (",", ";", "\t")
_PARTS = ("x", "y", "confidence")


def _default_names(n_joints):
    names = _LAYOUTS.get(n_joints)
    return list(names) if names else [f"keypoint_{k}" for k in range(n_joints)]


def _triplets(path, values, where):
    """``(n_joints, 3)`` array from a flat ``[x, y, c, ...]`` list; ``null`` becomes NaN."""
    if not isinstance(values, list) or len(values) % 3 or not values:
        got = f"{len(values)} values" if isinstance(values, list) else type(values).__name__
        raise file_error(
            path, f"{where} is not a flat list of x, y, confidence triplets (got {got})."
        )
    numbers = []
    for index, value in enumerate(values):
        if value is None:
            numbers.append(math.nan)
            continue
        # json reads only int and float as numbers; numpy would also turn "1", "inf" and True
        # into numbers.
        if type(value) not in (int, float):
            raise file_error(
                path,
                f"{where}, keypoint {index // 3}: the {_PARTS[index % 3]} "
                f"{reprlib.repr(value)} is not a number.",
            )
        try:
            numbers.append(float(value))
        except OverflowError:  # an integer beyond float64's range
            numbers.append(math.inf)
    array = np.array(numbers).reshape(-1, 3)
    # Returned as float32, where a larger value would become infinite.
    with np.errstate(over="ignore"):
        infinite = np.isinf(array.astype(np.float32))
    if infinite.any():
        keypoint, part = np.argwhere(infinite)[0]
        raise file_error(
            path,
            f"{where}, keypoint {keypoint}: the {_PARTS[part]} "
            f"{reprlib.repr(values[3 * keypoint + part])} is infinite or beyond float32's "
            "range; keypoints must be finite (null or a confidence of 0 marks a missing one).",
        )
    return array


def _choose(people, person):
    """The keypoints ``(n_joints, 3)`` of the chosen person, None when nobody is there."""
    if not people:
        return None
    if person == "most_confident":
        return max(people, key=lambda array: float(np.nansum(array[:, 2])))
    return people[person] if person < len(people) else None


def _openpose_people(path, frame, where):
    people = frame.get("people")
    if not isinstance(people, list):
        raise file_error(path, f"{where} has no 'people' list (OpenPose layout).")
    found = []
    for k, entry in enumerate(people):
        if not isinstance(entry, dict) or "pose_keypoints_2d" not in entry:
            raise file_error(path, f"{where}, person {k} has no 'pose_keypoints_2d'.")
        found.append(_triplets(path, entry["pose_keypoints_2d"], f"{where}, person {k}"))
    return found


def _load_json(path):
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise file_error(path, f"is not valid JSON ({error.msg}).", line=error.lineno) from None
    except RecursionError:
        raise file_error(
            path, "is nested too deeply to be read (lists or objects inside one another)."
        ) from None
    except ValueError as error:
        # A whole number of more digits than int() reads (sys.get_int_max_str_digits()).
        raise file_error(path, f"is not valid JSON ({error}).") from None


def _frames_of_json(path, content):
    """Each frame's list of people, from one JSON file."""
    if isinstance(content, dict):
        return [_openpose_people(path, content, "the frame")]
    if not isinstance(content, list) or not content:
        raise file_error(
            path, "holds neither an OpenPose frame nor a non-empty list of frames or detections."
        )
    if all(isinstance(item, dict) and "people" in item for item in content):
        return [_openpose_people(path, item, f"frame {k}") for k, item in enumerate(content)]
    if all(isinstance(item, dict) and "keypoints" in item for item in content):
        # COCO results: one entry per detected person; the images, in order, are the frames.
        by_image = {}
        for k, item in enumerate(content):
            image = item.get("image_id", k)
            if isinstance(image, bool) or not isinstance(image, int | str):
                raise file_error(
                    path, f"detection {k} has image_id {reprlib.repr(image)}; expected an id."
                )
            by_image.setdefault(image, []).append(
                _triplets(path, item["keypoints"], f"detection {k}")
            )
        try:
            order = sorted(by_image)
        except TypeError:
            order = list(by_image)
        return [by_image[image] for image in order]
    raise file_error(
        path,
        "is a list whose items are neither all OpenPose frames ({'people': [...]}) nor all "
        "COCO detections ({'image_id': ..., 'keypoints': [...]}).",
    )


def _frame_number(name):
    digits = re.findall(r"[0-9]+", name)
    return int(digits[-1]) if digits else None


def _read_json_folder(folder):
    files = sorted(path for path in Path(folder).glob("*.json") if path.is_file())
    if not files:
        raise ValueError(f"No .json file in the folder {os.fspath(folder)!r}.")
    numbers = [_frame_number(path.stem) for path in files]
    if None not in numbers and len(set(numbers)) == len(numbers):
        # Frame numbers in the names (OpenPose's ``video_000000000012_keypoints.json``).
        files = [path for _, path in sorted(zip(numbers, files))]
        numbers = sorted(numbers)
    else:
        numbers = list(range(len(files)))
    frames = []
    for path in files:
        content = _load_json(path)
        if not isinstance(content, dict):
            raise file_error(path, "is not an OpenPose frame ({'people': [...]}).")
        frames.append(_openpose_people(path, content, "the frame"))
    return frames, np.asarray(numbers, dtype=np.float64)


def _stack(path, frames, person):
    chosen = [_choose(people, person) for people in frames]
    sizes = {len(array) for array in chosen if array is not None}
    if not sizes:
        raise file_error(path, f"no frame holds person {person!r}; nobody was detected.")
    if len(sizes) > 1:
        raise file_error(
            path,
            f"frames hold different numbers of keypoints ({sorted(sizes)}); one model's output "
            "per recording.",
        )
    (n_joints,) = sizes
    keypoints = np.full((len(frames), n_joints, 3), np.nan)
    for frame, array in enumerate(chosen):
        if array is not None:
            keypoints[frame] = array
        else:
            keypoints[frame, :, 2] = 0.0
    return keypoints


def _split_column(cell):
    match = _COLUMN.match(cell.strip())
    if match is None:
        return None, None
    return match.group("joint"), match.group("part").lower()


def is_keypoint_csv(path):
    """Whether the first line of a CSV file names ``<joint>_x`` and ``<joint>_y`` columns.

    A table that also names ``<joint>_z`` columns holds 3-D positions: it is a motion-capture
    CSV (:func:`skgesture.io.read_mocap_csv` reads it), not 2-D keypoints.
    """
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as file:
            # Bounded: a file of one endless line must not be read whole just to sniff it.
            first = file.readline(MAX_LINE_BYTES)
    except OSError:
        return False
    delimiter = sniff_delimiter([first], _DELIMITERS) or ","
    parts = {_split_column(cell)[1] for cell in first.split(delimiter)}
    return {"x", "y"} <= parts and "z" not in parts


def _read_csv(path):
    """``(keypoints, frames, times, names)`` of a flat keypoint table."""
    lines = split_lines(read_text(path))
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 2:
        raise file_error(path, "needs a header row and at least one frame.")
    delimiter = sniff_delimiter(lines, _DELIMITERS) or ","
    rows = parse_rows(path, lines, delimiter)
    header = [cell.strip() for cell in rows[0]]
    names, columns = [], {}
    frame_column = time_column = None
    for index, cell in enumerate(header):
        # pandas writes its index as a first column with a blank name.
        if cell.lower() == "frame" or (index == 0 and not cell):
            frame_column = index
            continue
        if cell.lower() in ("time", "timestamp"):
            time_column = index
            continue
        joint, part = _split_column(cell)
        if part in _CONFIDENCE_SUFFIXES:
            part = "c"
        if part not in ("x", "y", "c"):
            raise file_error(
                path,
                f"column {cell!r} is neither frame, time nor <joint>_x, <joint>_y or "
                f"<joint>_c ({', '.join(_CONFIDENCE_SUFFIXES)} for the confidence).",
                line=1,
                column=index + 1,
            )
        if joint not in columns:
            names.append(joint)
            columns[joint] = {}
        if part in columns[joint]:
            raise file_error(path, f"column {cell!r} appears twice.", line=1, column=index + 1)
        columns[joint][part] = index
    for joint in names:
        for part in ("x", "y"):
            if part not in columns[joint]:
                raise file_error(path, f"joint {joint!r} has no {joint}_{part} column.", line=1)
    if not names:
        raise file_error(path, "names no <joint>_x, <joint>_y columns.", line=1)
    table = np.full((len(rows) - 1, len(header)), np.nan)
    for row_index, row in enumerate(rows[1:]):
        line = row_index + 2
        if len(row) != len(header):
            raise file_error(
                path, f"has {len(row)} fields but the header has {len(header)}.", line=line
            )
        for column, cell in enumerate(row):
            if cell.strip():
                try:
                    # float() also reads other scripts' digits ('３') and underscores (1_000).
                    if not cell.isascii() or "_" in cell:
                        raise ValueError(cell)
                    table[row_index, column] = float(cell)
                except ValueError:
                    raise file_error(
                        path, f"{cell!r} is not a number.", line=line, column=column + 1
                    ) from None
    # Keypoints are returned as float32, where a larger value would become infinite; a NaN
    # cell is missing, as a blank one.
    keypoint_columns = sorted(index for parts in columns.values() for index in parts.values())
    with np.errstate(over="ignore"):
        infinite = np.isinf(table[:, keypoint_columns].astype(np.float32))
    if infinite.any():
        row_index, column = np.argwhere(infinite)[0]
        column = keypoint_columns[column]
        raise file_error(
            path,
            f"{rows[row_index + 1][column]!r} in column {header[column]!r} is infinite or "
            "beyond float32's range; values must be finite (a blank cell marks a missing one).",
            line=row_index + 2,
            column=column + 1,
        )
    keypoints = np.ones((len(table), len(names), 3))
    for joint_index, joint in enumerate(names):
        for axis, part in enumerate("xyc"):
            if part in columns[joint]:
                keypoints[:, joint_index, axis] = table[:, columns[joint][part]]
    frames = table[:, frame_column] if frame_column is not None else None
    times = table[:, time_column] if time_column is not None else None
    for values, label, column in ((frames, "frame", frame_column), (times, "time", time_column)):
        if values is not None and not np.isfinite(values).all():
            row = int(np.argmax(~np.isfinite(values)))
            raise file_error(
                path, f"the {label} is missing or not finite.", line=row + 2, column=column + 1
            )
    return keypoints, frames, times, names


def _check_arguments(confidence_threshold, confidence_channel, person, frame_rate):
    if isinstance(confidence_threshold, bool) or not isinstance(
        confidence_threshold, int | float | np.integer | np.floating
    ):
        raise TypeError(f"confidence_threshold must be a number; got {confidence_threshold!r}.")
    if not isinstance(confidence_channel, bool | np.bool_):
        raise TypeError(f"confidence_channel must be True or False; got {confidence_channel!r}.")
    if person != "most_confident" and (
        isinstance(person, bool) or not isinstance(person, int | np.integer) or person < 0
    ):
        raise ValueError(f"person must be an index >= 0 or 'most_confident'; got {person!r}.")
    if (
        isinstance(frame_rate, bool)
        or not isinstance(frame_rate, int | float | np.integer | np.floating)
        or not np.isfinite(frame_rate)
        or frame_rate <= 0
    ):
        raise ValueError(f"frame_rate must be a positive finite number; got {frame_rate!r}.")


def read_keypoints(
    path,
    *,
    missing="raise",
    confidence_threshold=0.0,
    confidence_channel=False,
    person=0,
    joint_names=None,
    frame_rate=30.0,
):
    """Read a sequence of 2-D keypoints (one person) as a recording with ``n_coords=2``.

    Parameters
    ----------
    path : str or path-like
        A folder of per-frame OpenPose JSON files (frames ordered by the last number in their
        names, as OpenPose writes them), a JSON file (one OpenPose frame, a list of OpenPose
        frames, or a list of COCO-style detections), or a CSV file with ``<joint>_x``,
        ``<joint>_y`` and optional confidence columns.
    missing : {"raise", "interpolate", "drop"}, default="raise"
        What to do with missing points (a confidence at or below ``confidence_threshold``, a
        ``null`` or ``NaN`` JSON value, a blank or ``NaN`` CSV cell, a frame where the person
        was not detected); see :func:`read_mocap_csv`.
    confidence_threshold : float, default=0.0
        Points whose confidence is at or below it are missing. The default marks only the
        points the estimator did not find (confidence 0).
    confidence_channel : bool, default=False
        Also return each point's confidence as a third channel: ``positions`` then has shape
        ``(n_frames, n_joints, 3)`` holding x, y and the confidence (as read, also where a
        missing point was interpolated).
    person : int or "most_confident", default=0
        Which detected person to read in each frame: the index in the frame's list, or the
        person with the highest total confidence.
    joint_names : list of str, optional
        Names of the keypoints. Default from the number of keypoints of JSON files: COCO-17
        (17), OpenPose COCO (18), OpenPose BODY_25 (25), else ``keypoint_0``, ...; from the
        header of CSV files.
    frame_rate : float, default=30.0
        Frames per second, to turn frame numbers into times (CSV files with a ``time`` column
        keep it).

    Returns
    -------
    recording : :class:`~sklearn.utils.Bunch`
        With the keys

        positions : ndarray of shape (n_frames, n_joints, 2), float32
            x and y of each keypoint, in pixels as written (y points down in images); shape
            ``(n_frames, n_joints, 3)`` with ``confidence_channel=True``.

        joint_names : list of str

        times : ndarray of shape (n_frames,), float64
            Frame numbers (from the file names, the ``frame`` column, or the order of the
            frames) divided by ``frame_rate``, or the ``time`` column.

        filename : str
            ``path`` as a string.

        confidences : ndarray of shape (n_frames, n_joints), float32
            Each point's confidence as read (0 where the person was not detected).

        skeleton : :class:`~skgesture.skeleton.Skeleton`
            :data:`~skgesture.skeleton.COCO_17_SKELETON` for the COCO-17 layout, else a
            skeleton whose left/right pairs are inferred from the names.

    Raises
    ------
    ValueError
        If the files are malformed (invalid JSON or JSON nested too deeply, keypoints that are
        not x, y, c triplets, frames with different numbers of keypoints, unknown CSV columns,
        a value that is not a number written in ASCII, an infinite value or one beyond
        float32's range), nobody is detected in any frame, ``joint_names`` does not fit, or
        there are missing points and ``missing="raise"``; the message names the file and the
        line, or the frame, person (or detection) and keypoint.

    See Also
    --------
    load_mocap_folder : Read a folder of recordings (``.json`` keypoint files among them).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from skgesture.io import read_keypoints
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for frame in range(3):
    ...     keypoints = [[100.0 + 10 * frame, 50.0, 0.9] for _ in range(17)]
    ...     if frame == 1:
    ...         keypoints[9] = [0.0, 0.0, 0.0]  # OpenPose did not find the left wrist
    ...     people = [{"pose_keypoints_2d": sum(keypoints, [])}]
    ...     name = f"clip_{frame:012d}_keypoints.json"
    ...     _ = (folder / name).write_text(json.dumps({"version": 1.3, "people": people}))
    >>> recording = read_keypoints(folder, missing="interpolate", frame_rate=25)
    >>> recording.positions.shape
    (3, 17, 2)
    >>> recording.joint_names[:3]
    ['nose', 'left_eye', 'right_eye']
    >>> recording.positions[:, 9]  # the left wrist, interpolated in frame 1
    array([[100.,  50.],
           [110.,  50.],
           [120.,  50.]], dtype=float32)
    >>> recording.confidences[:, 9]
    array([0.9, 0. , 0.9], dtype=float32)
    >>> recording.times
    array([0.  , 0.04, 0.08])
    >>> recording.skeleton.name
    'coco17'
    """
    check_missing_policy(missing)
    _check_arguments(confidence_threshold, confidence_channel, person, frame_rate)
    times = frames = None
    names = None
    is_csv = Path(path).suffix.lower() == ".csv" and not os.path.isdir(path)
    if os.path.isdir(path):
        keypoint_frames, frames = _read_json_folder(path)
        keypoints = _stack(path, keypoint_frames, person)
    elif not os.path.exists(path):
        raise FileNotFoundError(f"No such file or folder: {os.fspath(path)!r}")
    elif is_csv:
        keypoints, frames, times, names = _read_csv(path)
    else:
        keypoints = _stack(path, _frames_of_json(path, _load_json(path)), person)
    n_frames, n_joints = keypoints.shape[:2]
    if joint_names is not None:
        if isinstance(joint_names, str) or len(joint_names) != n_joints:
            raise ValueError(
                f"joint_names must be a list of {n_joints} names, one per keypoint; got "
                f"{joint_names!r}."
            )
        names = [str(name) for name in joint_names]
    elif names is None:
        names = _default_names(n_joints)
    if times is None:
        frames = np.arange(n_frames, dtype=np.float64) if frames is None else frames
        with np.errstate(over="ignore"):
            times = frames / float(frame_rate)
        if not np.isfinite(times).all():
            frame = int(np.argmax(~np.isfinite(times)))
            raise file_error(
                path,
                f"frame {frame} (counting from 0) is numbered {frames[frame]:g}, whose time at "
                f"frame_rate={frame_rate!r} is beyond float64's range.",
                line=frame + 2 if is_csv else None,
            )
    confidences = keypoints[:, :, 2]
    positions = keypoints[:, :, :2].copy()
    undetected = np.isnan(positions).any(axis=2) | ~(confidences > confidence_threshold)
    positions[undetected] = np.nan
    confidences = np.nan_to_num(confidences, nan=0.0)
    keep = ~undetected.any(axis=1)
    positions, kept_times = apply_missing_policy(
        path,
        positions,
        times,
        names,
        missing,
        f"confidence at or below {confidence_threshold}, or not detected",
    )
    if missing == "drop":
        confidences = confidences[keep]
    if confidence_channel:
        positions = np.concatenate([positions, confidences[:, :, None]], axis=2)
    skeleton = (
        COCO_17_SKELETON
        if tuple(names) == COCO_17_SKELETON.joint_names
        else Skeleton.from_joint_names(names, name=Path(path).stem or "keypoints")
    )
    return Bunch(
        positions=positions.astype(np.float32),
        joint_names=names,
        times=np.asarray(kept_times, dtype=np.float64),
        filename=os.fspath(path),
        confidences=confidences.astype(np.float32),
        skeleton=skeleton,
    )
