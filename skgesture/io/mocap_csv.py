"""Read and write MocapLab CSV exports: one frame per line, a time column, then x, y, z per joint.

The layout the paper's data came in (see ``docs/conventions.md`` for what a recording is)::

    Frame;Time;abdomenUpper_T_glob;abdomenUpper_T_glob;abdomenUpper_T_glob;chestLower_T_glob;...
    ;;X;Y;Z;X;...
    2272;90.88;0.015;7.237;-0.249;-0.070;...

:func:`read_mocap_csv` also reads the variants such files come in (1 to 3 header rows, no frame
column, ``,`` or tab delimiters, decimal commas, CRLF line ends, UTF-8 with or without a
byte-order mark, cp1252), and the headerless, whitespace-delimited frame-per-line files of
other systems such as Kinect exports (``frame_id x1 y1 z1 ... xn yn zn``). The exports of
other systems (one header row of ``Hips_X`` names, Vicon Nexus, OptiTrack Motive, Qualisys QTM)
are detected and parsed in :mod:`skgesture.io._csv_layouts`, then checked here. It refuses malformed
files with a ``ValueError`` that names the file, the line and the column. :func:`write_mocap_csv`
writes the paper's layout.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._csv_layouts import LAYOUTS, Table, detect_layout, read_table
from skgesture.io._text import (
    MAX_FRAME_ID,
    WHITESPACE,
    compact_ranges,
    describe_delimiter,
    file_error,
    parse_rows,
    plural,
    read_text,
    sniff_delimiter,
    split_lines,
    split_whitespace,
)

__all__ = ["read_mocap_csv", "write_mocap_csv"]

MISSING_POLICIES = ("raise", "interpolate", "drop")
FIRST_COLUMNS = ("auto", "time", "frame")
DUPLICATE_FRAME_POLICIES = ("raise", "keep")
COORDINATES = ("X", "Y", "Z")
_DELIMITERS = (";", "\t", ",")
_MAX_HEADER_ROWS = 3


def _is_number(cell):
    # Python's float() also reads digit-grouping underscores (1_000), which no export writes.
    if "_" in cell:
        return False
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True


def _is_header(cells):
    """A header row starts with a label or a blank, never a number, and has text after that.

    The one header row without text after its first cell is a row of joint indices, each
    followed by two blanks (``Time(s);0;;;1;;;...``). A frame whose first cell is mistyped
    (``abc;0.04;...``) is thus a frame, and its error names the cell.
    """
    if not cells or _is_number(cells[0]):
        return False
    body = [cell.strip() for cell in cells[1:]]
    indices_only = any(body) and not any(cell for k, cell in enumerate(body) if k % 3)
    return indices_only or any(cell and not _is_number(cell) for cell in body)


def _parse(path, lines, delimiter, first_line=1):
    """Fields of each line: :func:`split_whitespace` or, for a one-character delimiter, csv's."""
    if delimiter == WHITESPACE:
        return split_whitespace(lines)
    return parse_rows(path, lines, delimiter, first_line)


def _column_name(column, lead_names, joint_names=None, file_column=None):
    """``"column 7 (joint 'hand_R', y)"`` for a 0-based column index.

    ``file_column`` is the 0-based column of the file, where it differs from ``column``.
    """
    n_lead = len(lead_names)
    number = (column if file_column is None else file_column) + 1
    if column < n_lead:
        return f"column {number} ({lead_names[column]})"
    joint, coordinate = divmod(column - n_lead, 3)
    name = repr(joint_names[joint]) if joint_names is not None else str(joint)
    return f"column {number} (joint {name}, {'xyz'[coordinate]})"


def _check_lead_labels(path, lead, line, n_columns, lead_names):
    label = lead[0].strip()
    if len(lead) == 2 and label.lower().startswith("time"):
        raise file_error(
            path,
            f"is labelled {label!r}, but a file with {n_columns} columns (3n+2) starts with a "
            "frame column and then the time; is a coordinate missing or one too many?",
            line=line,
            column=1,
        )
    if lead_names == ("Time",) and label.lower().startswith("frame"):
        raise file_error(
            path,
            f"is labelled {label!r}, but a file with {n_columns} columns (3n+1) starts with the "
            "time; is a coordinate missing or one too many? (A file whose first column holds "
            "frame ids, with no time column, is read with first_column='frame'.)",
            line=line,
            column=1,
        )
    if lead_names == ("Frame",) and label.lower().startswith("time"):
        raise file_error(
            path,
            f"is labelled {label!r}, but first_column='frame' reads the first column as frame ids.",
            line=line,
            column=1,
        )


def _names_in_row(path, row, line, n_lead):
    """Joint names of one header row: each name over its x, y, z columns, or once per joint."""
    body = [cell.strip() for cell in row[n_lead:]]
    names = []
    for joint in range(len(body) // 3):
        triplet = body[3 * joint : 3 * joint + 3]
        first = triplet[0]
        if first and (triplet[1:] == [first, first] or triplet[1:] == ["", ""]):
            names.append(first)
            continue
        text = next((k for k, cell in enumerate(row) if cell.strip() and not _is_number(cell)), 0)
        if any(_is_number(cell) for cell in body if cell):
            # A frame with a typo is more likely than a header row made of numbers.
            raise file_error(
                path,
                f"{row[text]!r} is not a number (this line looks like a frame).",
                line=line,
                column=text + 1,
            )
        column = n_lead + 3 * joint + 1
        if not first:
            raise file_error(
                path,
                "the joint name is blank in the x column of a joint, while other columns of "
                "this header row are named.",
                line=line,
                column=column,
            )
        offset = next(k for k in (1, 2) if triplet[k] != first)
        raise file_error(
            path,
            f"joint name {triplet[offset]!r} does not match {first!r} in column {column}: each "
            "joint's name is repeated over its x, y and z columns (or written once, followed "
            "by two blank cells).",
            line=line,
            column=column + offset,
        )
    return names


def _joint_names(path, header_rows, header_lines, lead_names, n_joints):
    """Joint names from the header rows; ``joint_0``, ``joint_1``, ... when none names them."""
    n_lead = len(lead_names)
    n_columns = n_lead + 3 * n_joints
    candidates = []
    for row, line in zip(header_rows, header_lines):
        _check_lead_labels(path, row[:n_lead], line, n_columns, lead_names)
        body = [cell.strip() for cell in row[n_lead:]]
        if not any(body):
            continue
        if all(cell.upper() in COORDINATES for cell in body if cell):
            expected = COORDINATES * n_joints
            bad = next((k for k, cell in enumerate(body) if cell.upper() != expected[k]), None)
            if bad is not None:
                raise file_error(
                    path,
                    f"expected {expected[bad]!r} in the X, Y, Z header row, found {body[bad]!r}.",
                    line=line,
                    column=n_lead + bad + 1,
                )
            continue
        candidates.append((_names_in_row(path, row, line, n_lead), line))
    if not candidates:
        return [f"joint_{joint}" for joint in range(n_joints)]
    # A row of joint indices (0, 1, ...) may sit above the row of names: prefer the names.
    names, line = next(
        ((names, line) for names, line in candidates if not all(map(_is_number, names))),
        candidates[0],
    )
    seen = {}
    for joint, name in enumerate(names):
        if name in seen:
            raise file_error(
                path,
                f"joint name {name!r} appears twice, in columns "
                f"{n_lead + 3 * seen[name] + 1} and {n_lead + 3 * joint + 1}; joint names must "
                "be unique.",
                line=line,
                column=n_lead + 3 * joint + 1,
            )
        seen[name] = joint
    return names


def _to_float(cells):
    """Vectorised conversion of the cells; blank and NaN cells become NaN.

    Returns the values and ``None``, or ``None`` and the ``(row, column)`` of the first cell
    that is not a number. Only when the fast conversion fails (or a cell holds a digit-grouping
    underscore, which numpy would read) are the cells visited one by one (whitespace-only cells
    count as blank).
    """
    if not any("_" in cell for cell in cells.flat):
        try:
            return np.where(cells == "", "nan", cells).astype(np.float64), None
        except ValueError:
            pass
    values = np.empty(cells.shape)
    for (row, column), cell in np.ndenumerate(cells):
        if not cell.strip():
            values[row, column] = np.nan
            continue
        try:
            if "_" in cell:
                raise ValueError(cell)
            values[row, column] = float(cell)
        except ValueError:
            return None, (row, column)
    return values, None


def _drop_trailing_blank_fields(header_rows, frames):
    """Drop the empty fields that a delimiter at the end of a line adds; they hold no data.

    Exporters end every line, only the frames or only the header rows with a delimiter. The
    frames lose their last field when it is blank in every frame and no header row names it
    (a column that the header names but no frame fills is a missing value, not an artefact);
    header rows lose blank fields beyond the frames' width.
    """
    if all(len(row) > 1 and not row[-1].strip() for row in frames):
        last = max(map(len, frames)) - 1
        if not any(len(row) > last and row[last].strip() for row in header_rows):
            frames = [row[:-1] for row in frames]
    widths = {len(row) for row in frames}
    if len(widths) == 1:
        (width,) = widths
        header_rows = [
            row if any(map(str.strip, row[width:])) else row[:width] for row in header_rows
        ]
    return header_rows, frames


def _split_header(path, lines, delimiter):
    """The header rows (parsed), their line numbers, and the line number of the first frame."""
    header_rows, header_lines = [], []
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        cells = _parse(path, lines[index : index + 1], delimiter, index + 1)[0]
        if not _is_header(cells):
            break
        if len(header_rows) == _MAX_HEADER_ROWS:
            bad = next(
                (k for k, cell in enumerate(cells) if cell.strip() and not _is_number(cell)), 0
            )
            raise file_error(
                path,
                f"{cells[bad]!r} is not a number, and a MocapLab file has at most "
                f"{_MAX_HEADER_ROWS} header rows.",
                line=index + 1,
                column=bad + 1,
            )
        header_rows.append(cells)
        header_lines.append(index + 1)
        index += 1
    if index == len(lines):
        raise file_error(
            path, f"has {plural(len(header_rows), 'header row')} but no frames after them."
        )
    blank = next((i for i in range(index, len(lines)) if not lines[i].strip()), None)
    if blank is not None:
        raise file_error(
            path, "is blank, between frames; frames are on consecutive lines.", line=blank + 1
        )
    return header_rows, header_lines, index + 1


def _layout(path, rows, header_lines, first_line, delimiter):
    """``(n_lead, n_joints)``: 1 or 2 leading columns (Time, or Frame and Time), then joints."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    n_header = len(header_lines)
    frame_lengths = lengths[n_header:]
    counts = np.bincount(frame_lengths)
    # The frames set the layout: their most common number of fields; in a tie, the first's.
    n_columns = int(
        frame_lengths[0] if counts[frame_lengths[0]] == counts.max() else np.argmax(counts)
    )
    if (frame_lengths != n_columns).any():
        odd = int(np.argmax(frame_lengths != n_columns))
        raise file_error(
            path,
            f"has {plural(frame_lengths[odd], 'field')} but the other lines have {n_columns} "
            f"(delimiter {describe_delimiter(delimiter)}).",
            line=first_line + odd,
        )
    if (lengths[:n_header] != n_columns).any():
        odd = int(np.argmax(lengths[:n_header] != n_columns))
        if delimiter == "," and n_columns > lengths[odd]:
            hint = (
                "with ',' as delimiter, decimal commas (1,5) split numbers in two; export with "
                "';' or with decimal points"
            )
        else:
            hint = "a Frame column or a joint is in one but not the other"
        raise file_error(
            path,
            f"this header row has {plural(lengths[odd], 'field')} but the frames have "
            f"{n_columns} (delimiter {describe_delimiter(delimiter)}); {hint}.",
            line=header_lines[odd],
        )
    n_lead = {1: 1, 2: 2}.get(n_columns % 3)
    if n_lead is None:
        raise file_error(
            path,
            f"has {n_columns} columns, a multiple of 3; expected a time column and x, y, z per "
            "joint (3n+1 columns), optionally after a frame column (3n+2 columns).",
        )
    n_joints = (n_columns - n_lead) // 3
    if n_joints == 0:
        raise file_error(
            path, f"has {n_columns} columns and so no joint; expected x, y, z per joint."
        )
    return n_lead, n_joints


def _lead_names(path, n_lead, n_joints, first_column):
    """Names of the leading columns: ``("Frame", "Time")``, ``("Time",)`` or ``("Frame",)``."""
    if n_lead == 2:
        if first_column == "time":
            raise file_error(
                path,
                f"has {n_lead + 3 * n_joints} columns (3n+2), so a frame column and then the "
                "time, but first_column='time' expects the time first and no frame column "
                "(3n+1 columns).",
            )
        return ("Frame", "Time")
    return ("Frame",) if first_column == "frame" else ("Time",)


def _check_whole_frame_numbers(path, frames, as_written, first_line, lead_names, layout):
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(frames) | (frames != np.round(frames))
        bad |= np.abs(frames) > MAX_FRAME_ID
    if bad.any():
        row = int(np.argmax(bad))
        if layout != "mocaplab":
            hint = f"frame numbers are whole numbers of at most {MAX_FRAME_ID} in size"
        elif lead_names == ("Frame",):
            hint = (
                "first_column='frame' reads the first column as frame ids, whole numbers "
                f"of at most {MAX_FRAME_ID} in size"
            )
        else:
            hint = (
                "a file with 3n+2 columns starts with a frame column and then the time (is a "
                "coordinate one too many?)"
            )
        raise file_error(
            path,
            f"{as_written(row, 0)!r} is not a frame number; {hint}.",
            line=first_line + row,
            column=1,
        )


def _check_frame_order(path, frame_ids, duplicate_frames, first_line):
    """Frame ids must increase from line to line; equal ones only with duplicate_frames='keep'."""
    steps = np.diff(frame_ids)
    backwards = steps < 0
    if backwards.any():
        row = int(np.argmax(backwards)) + 1
        raise file_error(
            path,
            f"frame id {frame_ids[row]} comes after frame id {frame_ids[row - 1]} (line "
            f"{first_line + row - 1}); frame ids must increase from line to line.",
            line=first_line + row,
            column=1,
        )
    repeated = steps == 0
    if duplicate_frames == "raise" and repeated.any():
        row = int(np.argmax(repeated)) + 1
        raise file_error(
            path,
            f"frame id {frame_ids[row]} is that of line {first_line + row - 1} too "
            f"({plural(int(repeated.sum()), 'line')} of the file repeat the frame id of the "
            "line above). Pass duplicate_frames='keep' to keep every line as a frame.",
            line=first_line + row,
            column=1,
        )


def _check_times(path, times, as_written, first_line, n_lead):
    bad = ~np.isfinite(times)
    if bad.any():
        row = int(np.argmax(bad))
        raise file_error(
            path,
            f"the time is missing or not finite ({as_written(row, n_lead - 1)!r}).",
            line=first_line + row,
            column=n_lead,
        )


def _describe_missing(missing, joint_names, first_line):
    n_joints = len(joint_names)
    per_joint = missing.reshape(len(missing), n_joints, 3).any(axis=2)
    joints = np.flatnonzero(per_joint.any(axis=0))
    parts = []
    for joint in joints[:5]:
        frames = np.flatnonzero(per_joint[:, joint])
        many = len(frames) > 1
        parts.append(
            f"{joint_names[joint]!r} in frame{'s' * many} {compact_ranges(frames)} "
            f"(line{'s' * many} {compact_ranges(frames + first_line)})"
        )
    more = f" and {plural(len(joints) - 5, 'more joint')}" if len(joints) > 5 else ""
    return (
        f"{plural(int(missing.sum()), 'missing value')} (blank or NaN cells) in "
        f"{plural(len(joints), 'joint')}: {'; '.join(parts)}{more}. Frames count from 0. Pass "
        "missing='interpolate' or missing='drop' to read it anyway."
    )


def _handle_missing(path, positions, axis, joint_names, missing, first_line, lead_names):
    """Apply ``missing``: the positions, and the mask of the frames kept (None: every frame).

    ``axis`` is what interpolation runs along: the times, or the frame ids of a file without
    a time column.
    """
    mask = np.isnan(positions)
    if not mask.any():
        return positions, None
    if missing == "raise":
        raise file_error(path, _describe_missing(mask, joint_names, first_line))
    if missing == "drop":
        keep = ~mask.any(axis=1)
        if not keep.any():
            raise file_error(
                path,
                f"every one of its {len(keep)} frames has a missing value, so missing='drop' "
                "leaves nothing. " + _describe_missing(mask, joint_names, first_line),
            )
        return positions[keep], keep
    empty = mask.all(axis=0)
    if empty.any():
        names = [
            f"{joint_names[column // 3]!r} ({'xyz'[column % 3]})"
            for column in np.flatnonzero(empty)
        ]
        raise file_error(
            path,
            f"joint coordinates missing in every frame cannot be interpolated: "
            f"{', '.join(names[:10])}{', ...' if len(names) > 10 else ''}.",
        )
    not_increasing = np.diff(axis) <= 0
    if not_increasing.any():
        row = int(np.argmax(not_increasing)) + 1
        if lead_names[-1] == "Time":
            message = (
                f"time {float(axis[row])!r} does not come after {float(axis[row - 1])!r}; "
                "missing='interpolate' needs strictly increasing times."
            )
        else:
            message = (
                f"frame id {int(axis[row])} does not come after {int(axis[row - 1])}; "
                "missing='interpolate' needs strictly increasing frame ids (the file has no "
                "time column)."
            )
        raise file_error(path, message, line=first_line + row, column=len(lead_names))
    positions = positions.copy()
    for column in np.flatnonzero(mask.any(axis=0)):
        gaps = mask[:, column]
        # np.interp holds the nearest valid value beyond the first and last valid frames.
        positions[gaps, column] = np.interp(axis[gaps], axis[~gaps], positions[~gaps, column])
    return positions, None


def _check_option(name, value, options):
    # A str first: ``in`` alone accepts np.array(["drop"]), which compares equal element-wise.
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}.")


def check_missing_policy(missing):
    _check_option("missing", missing, MISSING_POLICIES)


def _check_delimiter(delimiter):
    options = (*_DELIMITERS, WHITESPACE)
    if delimiter is not None and (not isinstance(delimiter, str) or delimiter not in options):
        raise ValueError(
            f"delimiter must be None (sniffed) or one of {', '.join(map(repr, options))}; got "
            f"{delimiter!r}."
        )


def _sniff(lines):
    """The delimiter of a file: ``;``, tab or ``,``, else runs of spaces; None when none is found.

    Runs of spaces count only where no ``;``, tab or ``,`` is found, and a tab is always a
    delimiter of its own: two tabs in a row enclose a blank cell (a missing value). Pass
    ``delimiter="whitespace"`` for files that mix runs of spaces and tabs between fields.
    """
    delimiter = sniff_delimiter(lines, _DELIMITERS)
    if delimiter is None:
        sample = [line.strip(" \t") for line in lines[:20] if line.strip()][:5]
        if any(" " in line for line in sample):
            delimiter = WHITESPACE
    return delimiter


def read_mocap_csv(
    path,
    *,
    missing="raise",
    first_column="auto",
    duplicate_frames="raise",
    delimiter=None,
    layout="auto",
):
    """Read one MocapLab CSV recording, or another frame-per-line text file of joint positions.

    The file holds one frame per line: a time column, then the x, y and z of each joint
    (``3 * n_joints + 1`` columns), optionally after a frame-number column (``3 * n_joints + 2``
    columns: Frame, Time). With ``first_column="frame"``, the first column of a file of
    ``3 * n_joints + 1`` columns holds frame ids instead of times (``frame_id x1 y1 z1 ...``,
    as Kinect exports write). Above the frames sit 0 to 3 header rows, recognised by content:

    - a row of joint names, each name repeated over its x, y and z columns
      (``abdomenUpper_T_glob;abdomenUpper_T_glob;abdomenUpper_T_glob``) or written once
      followed by two blank cells;
    - a row of ``X;Y;Z`` repeated once per joint;
    - labels of the first columns (``Frame``, ``Time``), on either of these rows or their own.

    The delimiter (``;``, tab or ``,``) is sniffed; a file with none of them whose lines hold
    spaces between fields is read as whitespace-delimited: fields are separated by runs of
    spaces or tabs, and spaces and tabs at either end of a line are ignored (a missing value
    there is written ``NaN``, since a blank cannot be told from the separator). With ``;``, tab
    or whitespace, decimal commas (``1,25``) are read as decimal points (sniffing takes the
    commas of a whitespace-delimited file for delimiters: pass ``delimiter="whitespace"``).
    Line ends may be LF, CRLF or CR; the encoding UTF-8 (with or without byte-order mark),
    UTF-16 with byte-order mark, or cp1252. A delimiter at the end of the lines (all of them,
    the header rows only or the frames only) is ignored. The file is only read, never modified.

    Frame ids (the frame column) must increase from line to line. Recorders that drop frames
    leave gaps (``190, 194, 195``), which are kept as they are; some also write two lines with
    the same frame id, which ``duplicate_frames`` decides about. Times are not checked for
    order, except by ``missing="interpolate"``.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    missing : {"raise", "interpolate", "drop"}, default="raise"
        What to do with missing positions: blank cells (occluded markers) and ``NaN`` cells.
        ``"raise"`` refuses the file with a message naming the joints and frames at fault;
        ``"interpolate"`` fills each joint coordinate linearly in time, holding the nearest valid
        value before the first and after the last valid frame (it needs strictly increasing
        times, and refuses a joint coordinate missing in every frame); ``"drop"`` removes the
        frames that have any missing value (and refuses a file where that is every frame).
        Missing values never become zeros. In a file without a time column, interpolation
        runs along the frame ids.
    first_column : {"auto", "time", "frame"}, default="auto"
        What the first column holds. ``"auto"``: the time in a file of ``3n+1`` columns, the
        frame number (followed by the time) in a file of ``3n+2`` columns. ``"frame"``: frame
        ids, in a file of either width; a file of ``3n+1`` columns then has no time column and
        ``times`` is None. ``"time"``: the time, in a file that must have ``3n+1`` columns.
    duplicate_frames : {"raise", "keep"}, default="raise"
        What to do with a line whose frame id is that of the line above. ``"raise"`` refuses
        the file, naming the line; ``"keep"`` keeps every line as a frame, so that
        ``frame_ids`` holds the repeated id once per line, in the file's order (select
        ``np.unique(recording.frame_ids, return_index=True)[1]`` to keep the first of each).
        A frame id smaller than the one above is refused either way. Files without a frame
        column are not concerned.
    delimiter : {None, ";", "\\t", ",", "whitespace"}, default=None
        The delimiter, sniffed when None. ``"whitespace"`` reads fields separated by runs of
        spaces and tabs, for files that mix both (sniffing takes a tab for the delimiter, and
        two tabs in a row for a blank cell).
    layout : {"auto", "mocaplab", "suffixed", "vicon", "motive", "qualisys"}, default="auto"
        The layout of the file, detected from its first lines with ``"auto"``. ``"mocaplab"``:
        the layouts above. ``"suffixed"``: one header row naming the columns ``<joint>_x``,
        ``<joint>_y``, ``<joint>_z`` (or ``.x``, `` x``, ``:x``; either case; in any order)
        after a frame column, a time column or both. ``"vicon"``: the Trajectories section of a
        Vicon Nexus CSV export. ``"motive"``: an OptiTrack Motive CSV export, whose Position
        columns (of rigid bodies, their markers, bones, bone markers and markers) are each a
        joint; rotations are left out. ``"qualisys"``: a Qualisys QTM TSV export of 3-D data.
        ``first_column`` applies to ``"mocaplab"`` only. See ``docs/formats.md``.

    Returns
    -------
    recording : :class:`~sklearn.utils.Bunch`
        With the keys

        positions : ndarray of shape (n_frames, n_joints, 3), float32
            The x, y, z of each joint in each frame.
        joint_names : list of str
            From the header; ``joint_0``, ``joint_1``, ... when no header row names the joints.
        times : ndarray of shape (n_frames,), float64, or None
            The time column, as written; None when the file has none (``first_column="frame"``
            and ``3n+1`` columns).
        frame_ids : ndarray of shape (n_frames,), int64, or None
            The frame column, as written (gaps and, with ``duplicate_frames="keep"``, repeated
            ids included); None when the file has none.
        filename : str
            ``path`` as a string.

        The layouts other than ``"mocaplab"`` add:

        layout : str
            The layout read.
        frame_rate : float or None
            The frame rate the file states (Vicon, Motive, Qualisys), else None. Where the file
            has a frame rate but no time column, ``times`` counts from the first frame number
            of the capture (1 for Vicon and Qualisys): ``(frame_id - 1) / frame_rate``.
        units : str or None
            The length unit the file states (``"mm"``, ``"m"``, ...), else None. Positions are
            returned in the file's units, never converted, as for every other layout.
        joint_types : list of str
            Motive exports only: the type of each joint (``"Rigid Body"``, ``"Marker"``,
            ``"Bone"``, ...). A name used by joints of two types gets the type appended:
            ``"Skeleton:LFHD (Bone Marker)"``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is not a regular file (a folder, a device such as ``/dev/zero``, a named
        pipe or a socket; refused without reading it), or the file is malformed: empty, header
        rows without frames, a column count that is a multiple of 3, lines with different
        numbers of fields, a cell that is not a number, joint names that differ over a joint's
        x, y, z columns or appear twice, an ``X;Y;Z`` row out of order, a missing or infinite
        time, a frame id that is not a whole number, is smaller than the one above or (with
        ``duplicate_frames="raise"``) equal to it, a leading column labelled against
        ``first_column``, an infinite position (or one beyond float32's range), bytes that are
        neither text in a known encoding nor text at all, a quoted field that does not close
        on its line, a field longer than the csv module's limit (131072 characters) or a line
        longer than 16 MiB (the file is not read past it). The message names the file and,
        where it applies, the line (1-based, counting header rows) and the column (1-based
        field number). Also if an argument is not one of its options, or ``first_column``
        is not ``"auto"`` for a layout other than ``"mocaplab"``. For the other layouts, also
        if a joint lacks a coordinate or has one twice, a joint writes its coordinate suffixes
        with two separators, a header row the layout needs is missing or a frame rate is not
        a positive number.

    See Also
    --------
    write_mocap_csv : Write a recording in the paper's layout.
    load_mocap_folder : Read a folder of recordings and their labels.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgesture.io import read_mocap_csv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "Avion.csv"
    >>> _ = path.write_text(
    ...     "Frame;Time;hips;hips;hips;head;head;head\\n"
    ...     ";;X;Y;Z;X;Y;Z\\n"
    ...     "2272;90,88;0,015;7,237;-0,249;-0,070;14,052;-0,432\\n"
    ...     "2273;90,92;0,015;7,237;;-0,068;14,051;-0,440\\n"
    ... )
    >>> recording = read_mocap_csv(path, missing="interpolate")
    >>> recording.positions.shape
    (2, 2, 3)
    >>> recording.joint_names
    ['hips', 'head']
    >>> recording.times
    array([90.88, 90.92])
    >>> print(recording.positions[1, 0, 2])  # the blank cell, held from the frame before
    -0.249

    A headerless, whitespace-delimited file whose first column holds frame ids, one of them
    written twice (a Kinect export):

    >>> path = pathlib.Path(tempfile.mkdtemp()) / "joints_s01_e01.txt"
    >>> _ = path.write_text(
    ...     "190  0.81 -0.06 2.00  0.83 0.29 1.97\\n"
    ...     "190  0.81 -0.07 2.00  0.83 0.29 1.98\\n"
    ...     "194  0.82 -0.07 2.01  0.83 0.28 1.98\\n"
    ... )
    >>> recording = read_mocap_csv(path, first_column="frame", duplicate_frames="keep")
    >>> recording.frame_ids
    array([190, 190, 194])
    >>> recording.positions.shape, recording.times
    ((3, 2, 3), None)
    """
    check_missing_policy(missing)
    _check_option("first_column", first_column, FIRST_COLUMNS)
    _check_option("duplicate_frames", duplicate_frames, DUPLICATE_FRAME_POLICIES)
    _check_option("layout", layout, LAYOUTS)
    _check_delimiter(delimiter)
    lines = split_lines(read_text(path))
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise file_error(path, "the file is empty; expected a MocapLab CSV recording.")
    if delimiter is None:
        delimiter = _sniff(lines)
    if delimiter is None:
        raise file_error(
            path,
            "found no ';', tab or ',' delimiter, nor spaces between fields; a MocapLab CSV file "
            "holds a time column and x, y, z columns for each joint.",
        )
    if layout == "auto":
        layout = detect_layout(path, lines, delimiter)
    if layout == "mocaplab":
        table, as_written = _mocaplab_table(path, lines, delimiter, first_column)
    else:
        if first_column != "auto":
            raise ValueError(
                f"first_column={first_column!r} applies to MocapLab and headerless files; "
                f"{os.fspath(path)!r} is read as layout {layout!r}, whose header labels its "
                "frame and time columns."
            )
        table = read_table(path, lines, layout, delimiter)
        written = table.cells

        def as_written(row, column):
            return written[row][column]

        if delimiter != ",":
            table = replace(
                table, cells=[[cell.replace(",", ".") for cell in row] for row in written]
            )
    return _recording(path, table, as_written, missing, duplicate_frames)


def _mocaplab_table(path, lines, delimiter, first_column):
    """The :class:`Table` of a MocapLab (or headerless) file, and the cell as written."""
    header_rows, header_lines, first_line = _split_header(path, lines, delimiter)
    data_lines = lines[first_line - 1 :]
    if delimiter != "," and any("," in line for line in data_lines):
        data_lines = [line.replace(",", ".") for line in data_lines]
    header_rows, rows = _drop_trailing_blank_fields(
        header_rows, _parse(path, data_lines, delimiter, first_line)
    )
    n_lead, n_joints = _layout(path, header_rows + rows, header_lines, first_line, delimiter)
    lead_names = _lead_names(path, n_lead, n_joints, first_column)
    joint_names = _joint_names(path, header_rows, header_lines, lead_names, n_joints)

    def as_written(row, column):
        # The cell before decimal commas became points, for error messages.
        line = lines[first_line - 1 + row]
        return _parse(path, [line], delimiter, first_line + row)[0][column]

    table = Table(
        rows,
        lead_names,
        joint_names,
        first_line,
        file_columns=list(range(n_lead + 3 * n_joints)),
        layout="mocaplab",
    )
    return table, as_written


def _recording(path, table, as_written, missing, duplicate_frames):
    """Convert and check the cells of ``table``, apply ``missing``: the recording's Bunch."""
    lead_names, joint_names, first_line = table.lead_names, table.joint_names, table.first_line
    n_lead, n_joints = len(lead_names), len(joint_names)

    def column_name(column):
        return _column_name(column, lead_names, joint_names, table.file_columns[column])

    cells = np.array(table.cells, dtype=object)
    values, bad = _to_float(cells)
    if bad is not None:
        row, column = bad
        raise file_error(
            path,
            f"{as_written(row, column)!r} in {column_name(column)} is not a number.",
            line=first_line + row,
            column=table.file_columns[column] + 1,
        )
    frame_ids = times = None
    if lead_names[:1] == ("Frame",):
        _check_whole_frame_numbers(
            path, values[:, 0], as_written, first_line, lead_names, table.layout
        )
        frame_ids = values[:, 0].astype(np.int64)
        _check_frame_order(path, frame_ids, duplicate_frames, first_line)
    if lead_names[-1:] == ("Time",):
        times = values[:, n_lead - 1]
        _check_times(path, times, as_written, first_line, n_lead)
    elif table.frame_rate is not None:
        steps = np.arange(len(values)) if frame_ids is None else frame_ids - table.first_frame
        with np.errstate(over="ignore"):
            times = steps / table.frame_rate
        if not np.isfinite(times).all():
            raise file_error(
                path,
                f"frame rate {table.frame_rate!r} makes the times of its frames infinite.",
            )
    positions = values[:, n_lead:]
    # Positions are returned as float32: a value beyond its range would come back infinite.
    with np.errstate(over="ignore"):
        infinite = np.isinf(positions.astype(np.float32))
    if infinite.any():
        row, column = np.argwhere(infinite)[0] + (0, n_lead)
        raise file_error(
            path,
            f"{as_written(row, column)!r} in {column_name(column)} is infinite or beyond "
            "float32's range; positions must be finite (a blank cell marks a missing one).",
            line=first_line + row,
            column=table.file_columns[column] + 1,
        )
    if times is not None:
        axis = times
    elif frame_ids is not None:
        axis = frame_ids.astype(np.float64)
    else:
        axis = np.arange(len(values), dtype=np.float64)
    positions, kept = _handle_missing(
        path, positions, axis, joint_names, missing, first_line, lead_names
    )
    if kept is not None:
        times = None if times is None else times[kept]
        frame_ids = None if frame_ids is None else frame_ids[kept]
    recording = Bunch(
        positions=positions.reshape(len(positions), n_joints, 3).astype(np.float32),
        joint_names=joint_names,
        times=None if times is None else times.copy(),
        frame_ids=frame_ids,
        filename=os.fspath(path),
    )
    if table.layout != "mocaplab":
        recording.update(
            layout=table.layout, frame_rate=table.frame_rate, units=table.units, **table.extra
        )
    return recording


def _check_joint_names(joint_names, n_joints):
    if joint_names is None:
        return [f"joint_{joint}" for joint in range(n_joints)]
    if isinstance(joint_names, str):
        raise ValueError("joint_names must be a list of strings, not one string.")
    joint_names = list(joint_names)
    if len(joint_names) != n_joints:
        raise ValueError(
            f"joint_names has {len(joint_names)} names but positions has {n_joints} joints."
        )
    seen = {}
    for joint, name in enumerate(joint_names):
        if not isinstance(name, str):
            raise ValueError(f"joint_names[{joint}] is {name!r}; joint names are strings.")
        if not name or name != name.strip() or not name.isprintable() or set(name) & set(';"'):
            raise ValueError(
                f"joint_names[{joint}] is {name!r}; a joint name is not empty, has no leading "
                "or trailing spaces, no ';' or '\"' and no tab, line break or other control "
                "character."
            )
        if name.upper() in COORDINATES:
            raise ValueError(
                f"joint_names[{joint}] is {name!r}, which the reader would take for a "
                "coordinate label."
            )
        if name in seen:
            raise ValueError(
                f"joint_names[{seen[name]}] and joint_names[{joint}] are both {name!r}; joint "
                "names must be unique."
            )
        seen[name] = joint
    return joint_names


def _check_times_argument(times, n_frames, frame_rate):
    if (
        isinstance(frame_rate, bool)
        or not isinstance(frame_rate, int | float | np.integer | np.floating)
        or not np.isfinite(frame_rate)
        or frame_rate <= 0
    ):
        raise ValueError(f"frame_rate must be a positive finite number; got {frame_rate!r}.")
    if times is None:
        return np.arange(n_frames) / float(frame_rate)
    times = np.asarray(times, dtype=np.float64)
    if times.shape != (n_frames,):
        raise ValueError(
            f"times has shape {times.shape} but positions has {n_frames} frames; expected "
            f"shape ({n_frames},)."
        )
    if not np.isfinite(times).all():
        frame = int(np.argmax(~np.isfinite(times)))
        raise ValueError(f"times[{frame}] is {times[frame]}; times must be finite.")
    return times


def write_mocap_csv(path, positions, joint_names=None, times=None, *, frame_rate=100.0):
    """Write one recording as a MocapLab CSV file in the paper's layout.

    The file is UTF-8, ``;``-delimited, LF line ends, with exactly 2 header rows and then one
    line per frame::

        Frame;Time;<name 0>;<name 0>;<name 0>;<name 1>;...
        ;;X;Y;Z;X;...
        0;0.0;<x>;<y>;<z>;<x>;...

    The frame column counts from 0. Times are written with Python's shortest round-trip
    ``repr``, positions as float32 with 9 significant digits (``%.9g``), so that
    :func:`read_mocap_csv` gives back the same float32 positions bit for bit, the same times
    and the same joint names. NaN positions are written as blank cells (missing values).
    An existing file is overwritten.

    Parameters
    ----------
    path : str or path-like
        Where to write; the folder must exist.
    positions : array-like of shape (n_frames, n_joints, 3)
        Joint positions; stored as float32. NaN marks a missing value; infinity is refused.
    joint_names : list of str, optional
        One name per joint; default ``joint_0``, ``joint_1``, ... Names must be unique, not
        empty, without surrounding spaces, ``;``, ``"``, tabs or line breaks, and not ``X``,
        ``Y`` or ``Z``.
    times : array-like of shape (n_frames,), optional
        Time of each frame in seconds; default ``arange(n_frames) / frame_rate``.
    frame_rate : float, default=100.0
        Frames per second, used only to make the default ``times``.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If an argument is malformed; the message names it (and the frame or joint at fault).

    See Also
    --------
    read_mocap_csv : Read such a file back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from skgesture.io import read_mocap_csv, write_mocap_csv
    >>> positions = np.arange(12, dtype=np.float32).reshape(2, 2, 3) / 10
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "wave.csv"
    >>> path = write_mocap_csv(path, positions, ["hips", "head"], frame_rate=25)
    >>> print(path.read_text())
    Frame;Time;hips;hips;hips;head;head;head
    ;;X;Y;Z;X;Y;Z
    0;0.0;0;0.100000001;0.200000003;0.300000012;0.400000006;0.5
    1;0.04;0.600000024;0.699999988;0.800000012;0.899999976;1;1.10000002
    <BLANKLINE>
    >>> recording = read_mocap_csv(path)
    >>> np.array_equal(recording.positions, positions)
    True
    """
    positions = np.asarray(positions)
    if positions.ndim != 3 or positions.shape[2] != 3 or 0 in positions.shape:
        raise ValueError(
            f"positions has shape {positions.shape}; expected (n_frames, n_joints, 3) with at "
            "least one frame and one joint."
        )
    if not (
        np.issubdtype(positions.dtype, np.floating) or np.issubdtype(positions.dtype, np.integer)
    ):
        raise ValueError(f"positions has dtype {positions.dtype}; expected real numbers.")
    n_frames, n_joints, _ = positions.shape
    with np.errstate(over="ignore"):
        positions = positions.astype(np.float32)
    infinite = np.isinf(positions)
    if infinite.any():
        frame, joint, coordinate = np.argwhere(infinite)[0]
        raise ValueError(
            f"positions[{frame}, {joint}, {coordinate}] is infinite (or beyond float32's "
            "range); write a missing value as NaN."
        )
    joint_names = _check_joint_names(joint_names, n_joints)
    times = _check_times_argument(times, n_frames, frame_rate)

    lines = [
        ";".join(["Frame", "Time", *(name for name in joint_names for _ in COORDINATES)]),
        ";;" + ";".join(COORDINATES * n_joints),
    ]
    for frame, (time, values) in enumerate(zip(times.tolist(), positions.reshape(n_frames, -1))):
        cells = [f"{value:.9g}" if value == value else "" for value in values.tolist()]
        lines.append(f"{frame};{time!r};{';'.join(cells)}")
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write("\n".join(lines) + "\n")
    return path
