"""The CSV and TSV layouts of other exporters: detecting them and finding their columns.

:func:`skgesture.io.read_mocap_csv` reads MocapLab's layout itself; the layouts here are turned
into a :class:`Table`, the cells of the frames rearranged as MocapLab writes them (the frame and
time columns, then x, y, z per joint), which the reader converts and checks as it does its own:

- ``"suffixed"``: one header row naming each column ``<joint><separator><coordinate>``
  (``Hips_X``, ``Hips.x``, ``Hips X``, ``Hips:X``), after a frame and/or time column;
- ``"vicon"``: the Trajectories section of a Vicon Nexus CSV export;
- ``"motive"``: an OptiTrack Motive CSV export (the positions of its rigid bodies, markers and
  bones; rotations are left out);
- ``"qualisys"``: a Qualisys Track Manager (QTM) TSV export of 3-D data.

Positions are returned in the file's units, as every reader of the package does; ``units``
says which where the file states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skgesture.io._text import WHITESPACE, file_error, parse_rows, plural, split_whitespace

LAYOUTS = ("auto", "mocaplab", "suffixed", "vicon", "motive", "qualisys")

_SUFFIXED = re.compile(r"^(?P<name>.+)(?P<separator>[_.: ])(?P<coordinate>[xyzXYZ])$")
_VICON_SECTIONS = ("trajectories", "devices", "model outputs", "joints", "segments")
_QUALISYS_KEYS = ("FILE_VERSION", "NO_OF_FRAMES", "NO_OF_CAMERAS", "NO_OF_MARKERS", "FREQUENCY")
_QUALISYS_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_MOTIVE_UNITS = {"meters": "m", "centimeters": "cm", "millimeters": "mm"}


@dataclass(frozen=True)
class Table:
    """The frames of a file, rearranged as MocapLab writes them, and what the file says.

    ``cells`` holds the frames' cells as written: the leading columns named by ``lead_names``
    (``"Frame"``, ``"Time"``, both or neither), then x, y, z per joint. ``file_columns`` gives
    the 0-based column of the file each of them comes from, for error messages; the frames are
    the consecutive lines from ``first_line`` (1-based). Where the file has no time column but
    states ``frame_rate``, times are ``(frame_id - first_frame) / frame_rate`` (frame ids
    counted from 0 when the file has none).
    """

    cells: list
    lead_names: tuple
    joint_names: list
    first_line: int
    file_columns: list
    layout: str
    frame_rate: float | None = None
    units: str | None = None
    first_frame: int = 0
    extra: dict = field(default_factory=dict)


def _split(path, line, delimiter, line_number):
    if delimiter == WHITESPACE:
        return split_whitespace([line])[0]
    return parse_rows(path, [line], delimiter, line_number)[0]


def _is_number(cell):
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return "_" not in cell


def _first_cell(path, lines, index, delimiter):
    cells = _split(path, lines[index], delimiter, index + 1)
    return cells[0].strip() if cells else ""


def _next_filled(lines, index):
    """Index of the first non-blank line at or after ``index``; ``len(lines)`` when none."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def split_suffixed(cell):
    """``"Hips_X"`` -> ``("Hips", "_", "x")``; None for a cell not named so."""
    match = _SUFFIXED.match(cell.strip())
    if match is None or not match.group("name").strip():
        return None
    return match.group("name").strip(), match.group("separator"), match.group("coordinate").lower()


def _is_suffixed_header(cells):
    body = [cell.strip() for cell in cells]
    while body and not body[-1]:
        body.pop()
    start = 0
    while start < min(2, len(body)) and split_suffixed(body[start]) is None:
        start += 1
    if any(_lead_kind(cell) is None for cell in body[:start]):
        return False
    named = body[start:]
    # MocapLab repeats each name over x, y, z: distinct names tell the layouts apart.
    return (
        len(named) >= 3
        and len(set(named)) == len(named)
        and all(split_suffixed(cell) is not None for cell in named)
    )


def detect_layout(path, lines, delimiter):
    """The layout of a file's lines: one of :data:`LAYOUTS` other than ``"auto"``.

    By the first non-blank line: ``Format Version`` starts a Motive export, a QTM header key
    (``NO_OF_FRAMES``, ``FILE_VERSION``, ...) a Qualisys one, a Vicon section name followed by
    a line holding the frame rate a Nexus one, and a row of ``<joint>_<x|y|z>`` names (after
    frame and time labels) the suffixed layout. Anything else is MocapLab's.
    """
    first = _next_filled(lines, 0)
    cells = _split(path, lines[first], delimiter, first + 1)
    label = cells[0].strip() if cells else ""
    if label.lower() == "format version":
        return "motive"
    if label in _QUALISYS_KEYS or label == "MARKER_NAMES":
        return "qualisys"
    if label.lower() in _VICON_SECTIONS:
        rate = _next_filled(lines, first + 1)
        if rate < len(lines) and _is_number(_first_cell(path, lines, rate, delimiter)):
            return "vicon"
    if _is_suffixed_header(cells):
        return "suffixed"
    return "mocaplab"


def _lead_kind(cell):
    """``"Frame"`` or ``"Time"`` for the label of a leading column, else None."""
    label = cell.strip().lower()
    if label.startswith("frame"):
        return "Frame"
    if label.startswith("time") or label == "t":
        return "Time"
    return None


def _lead_columns(path, header, line, n_lead):
    """The names of the first ``n_lead`` columns: ``("Frame",)``, ``("Time",)`` or both."""
    kinds = []
    for column, cell in enumerate(header[:n_lead]):
        kind = _lead_kind(cell)
        if kind is None or kind in kinds or (kind == "Frame" and kinds):
            raise file_error(
                path,
                f"{cell.strip()!r} is not a joint coordinate (<joint>_x, <joint>_y, <joint>_z) "
                "and not a leading frame or time column; a file starts with a frame column, a "
                "time column or both, in that order.",
                line=line,
                column=column + 1,
            )
        kinds.append(kind)
    return tuple(kinds)


def _suffixed_joints(path, header, line, start):
    """Joint names and the ``[x, y, z]`` file columns of each, from ``<joint>_<x|y|z>`` cells.

    Joints come in the order of their first column; their three columns may come in any order
    and anywhere. Each joint must write its coordinates with one separator: ``Hips_X`` and
    ``Hips.Y`` might be one joint or two, so such a file is refused.
    """
    columns, separators = {}, {}
    for column in range(start, len(header)):
        cell = header[column].strip()
        split = split_suffixed(cell)
        if split is None:
            raise file_error(
                path,
                f"{cell!r} is not a joint coordinate: joint columns are named <joint>_x, "
                "<joint>_y and <joint>_z (the separator '_', '.', ':' or a space; x, y, z in "
                "either case), after the frame and time columns.",
                line=line,
                column=column + 1,
            )
        name, separator, coordinate = split
        first = separators.setdefault(name, (separator, column))
        if first[0] != separator:
            raise file_error(
                path,
                f"{cell!r} writes joint {name!r} with the separator {separator!r}, but column "
                f"{first[1] + 1} ({header[first[1]].strip()!r}) with {first[0]!r}; a file that "
                "mixes suffix styles within a joint is ambiguous. Name each joint's x, y and z "
                "columns alike.",
                line=line,
                column=column + 1,
            )
        found = columns.setdefault(name, {})
        if coordinate in found:
            raise file_error(
                path,
                f"{cell!r} is the {coordinate} of joint {name!r} a second time (first in column "
                f"{found[coordinate] + 1}); each joint has one x, one y and one z column.",
                line=line,
                column=column + 1,
            )
        found[coordinate] = column
    if not columns:
        raise file_error(
            path, "names no joint column (<joint>_x, <joint>_y, <joint>_z).", line=line
        )
    planar = all("z" not in found for found in columns.values())
    for name, found in columns.items():
        lacking = [coordinate for coordinate in "xyz" if coordinate not in found]
        if lacking:
            hint = (
                " A table of 2-D keypoints (<joint>_x, <joint>_y) is read with read_keypoints."
                if planar
                else ""
            )
            where = ", ".join(str(column + 1) for column in sorted(found.values()))
            raise file_error(
                path,
                f"joint {name!r} has no {' and no '.join(lacking)} column (its columns: "
                f"{where}); each joint needs x, y and z.{hint}",
                line=line,
                column=min(found.values()) + 1,
            )
    names = list(columns)
    return names, [[columns[name][c] for c in "xyz"] for name in names]


def _trim(cells):
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _frames(path, lines, start, delimiter, width, *, section_ends_at_blank=False):
    """The cells of the frames from line index ``start``, ``width`` fields each.

    Blank fields beyond ``width`` (a delimiter at the end of the lines) are dropped. A blank
    line ends a Vicon section; elsewhere only blank lines at the end of the file may follow.
    """
    rows = []
    index = start
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            if section_ends_at_blank:
                break
            raise file_error(
                path, "is blank, between frames; frames are on consecutive lines.", line=index + 1
            )
        cells = _split(path, line, delimiter, index + 1)
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            raise file_error(
                path,
                f"has {plural(len(cells), 'field')} but the header names {width} columns.",
                line=index + 1,
            )
        rows.append(cells)
        index += 1
    if not rows:
        raise file_error(path, "has a header but no frames after it.", line=start)
    return rows


def _table(rows, lead, joints, first_line, layout, **details):
    """A :class:`Table` of the lead columns ``[(name, column)]`` and joints ``[[x, y, z]]``."""
    file_columns = [column for _, column in lead] + [c for columns in joints for c in columns]
    cells = [[row[column] for column in file_columns] for row in rows]
    lead_names = tuple(name for name, _ in lead)
    return Table(
        cells,
        lead_names,
        first_line=first_line,
        file_columns=file_columns,
        layout=layout,
        **details,
    )


def _read_suffixed(path, lines, delimiter):
    index = _next_filled(lines, 0)
    header = _trim(_split(path, lines[index], delimiter, index + 1))
    n_lead = 0
    while n_lead < min(2, len(header)) and split_suffixed(header[n_lead]) is None:
        n_lead += 1
    lead_names = _lead_columns(path, header, index + 1, n_lead)
    names, joints = _suffixed_joints(path, header, index + 1, n_lead)
    rows = _frames(path, lines, index + 1, delimiter, len(header))
    lead = list(zip(lead_names, range(n_lead)))
    return _table(rows, lead, joints, index + 2, "suffixed", joint_names=names)


def _frame_rate(path, text, line, column, what):
    try:
        rate = float(text.strip().replace(",", "."))
    except ValueError:
        rate = float("nan")
    if not 0 < rate < float("inf"):
        raise file_error(
            path,
            f"{text.strip()!r} is not a frame rate ({what}); expected a positive number of "
            "frames per second.",
            line=line,
            column=column,
        )
    return rate


def _unique_names(path, names, columns, line):
    seen = {}
    for joint, name in enumerate(names):
        if name in seen:
            raise file_error(
                path,
                f"joint name {name!r} appears twice, in columns {seen[name] + 1} and "
                f"{columns[joint] + 1}; joint names must be unique.",
                line=line,
                column=columns[joint] + 1,
            )
        seen[name] = columns[joint]


def _grouped_xyz(path, groups, axis, line):
    """``[x, y, z]`` columns of each group, from the ``X``, ``Y``, ``Z`` labels of ``axis``.

    ``groups`` lists ``(name, columns)``; other labels (``X'`` velocities, ``W`` of a
    quaternion, an error column) are left out.
    """
    joints = []
    for name, columns in groups:
        found = {}
        for column in columns:
            coordinate = axis[column].strip().lower() if column < len(axis) else ""
            if coordinate in ("x", "y", "z"):
                if coordinate in found:
                    raise file_error(
                        path,
                        f"joint {name!r} has a second {coordinate.upper()} column (the first "
                        f"is column {found[coordinate] + 1}).",
                        line=line,
                        column=column + 1,
                    )
                found[coordinate] = column
        lacking = [c.upper() for c in "xyz" if c not in found]
        if lacking:
            raise file_error(
                path,
                f"joint {name!r} has no {' and no '.join(lacking)} column; each joint needs "
                "X, Y and Z.",
                line=line,
                column=min(columns) + 1,
            )
        joints.append([found[c] for c in "xyz"])
    return joints


def _read_vicon(path, lines, delimiter):
    index = 0
    while index < len(lines):
        starts_section = index == 0 or not lines[index - 1].strip()
        if starts_section and _first_cell(path, lines, index, delimiter).lower() == "trajectories":
            break
        index += 1
    else:
        raise file_error(
            path,
            "is a Vicon Nexus export without a Trajectories section; export the trajectories "
            "(marker positions) to read it.",
        )
    if index + 4 >= len(lines):
        raise file_error(
            path,
            "the Trajectories section ends before its frame rate, marker names, Frame/Sub Frame "
            "and units rows.",
            line=index + 1,
        )
    rate_cells = _split(path, lines[index + 1], delimiter, index + 2)
    frame_rate = _frame_rate(path, rate_cells[0], index + 2, 1, "the Trajectories frame rate")
    names_row = _split(path, lines[index + 2], delimiter, index + 3)
    axis_line = index + 4
    axis = _trim(_split(path, lines[index + 3], delimiter, axis_line))
    if len(axis) < 3 or [cell.strip().lower() for cell in axis[:2]] != ["frame", "sub frame"]:
        raise file_error(
            path,
            "expected the row 'Frame, Sub Frame, X, Y, Z, ...' of a Vicon Trajectories section.",
            line=axis_line,
        )
    starts = [c for c in range(2, len(axis)) if c < len(names_row) and names_row[c].strip()]
    if not starts or starts[0] != 2:
        raise file_error(
            path,
            "the row of marker names must name a marker over column 3, the first X column, "
            "and each marker over its X column.",
            line=index + 3,
            column=3,
        )
    names = [names_row[c].strip() for c in starts]
    _unique_names(path, names, starts, index + 3)
    bounds = [*starts, len(axis)]
    groups = [(name, range(bounds[k], bounds[k + 1])) for k, name in enumerate(names)]
    joints = _grouped_xyz(path, groups, axis, axis_line)
    first = index + 4
    units = None
    unit_row = _split(path, lines[first], delimiter, first + 1)
    if not any(_is_number(cell) for cell in unit_row if cell.strip()):
        written = {unit_row[c].strip() for columns in joints for c in columns if c < len(unit_row)}
        written.discard("")
        if len(written) > 1:
            raise file_error(
                path,
                f"the marker positions are in different units ({', '.join(sorted(written))}).",
                line=first + 1,
            )
        units = written.pop() if written else None
        first += 1
    rows = _frames(path, lines, first, delimiter, len(axis), section_ends_at_blank=True)
    return _table(
        rows,
        [("Frame", 0)],
        joints,
        first + 1,
        "vicon",
        joint_names=names,
        frame_rate=frame_rate,
        units=units,
        first_frame=1,
    )


def _motive_header(path, lines, delimiter):
    """The metadata and its line, the rows between it and the ``Frame,Time`` row, and that
    row's index.

    The metadata is the first non-blank line, as :func:`detect_layout` finds it.
    """
    first = _next_filled(lines, 0)
    metadata_cells = _split(path, lines[first], delimiter, first + 1)
    metadata = {
        key.strip().lower(): value.strip()
        for key, value in zip(metadata_cells[::2], metadata_cells[1::2])
    }
    rows = []
    index = _next_filled(lines, first + 1)
    while index < len(lines) and len(rows) < 8:
        cells = _split(path, lines[index], delimiter, index + 1)
        if cells and cells[0].strip().lower() == "frame":
            return (metadata, first + 1), rows, index
        rows.append((cells, index + 1))
        index += 1
    raise file_error(
        path,
        "is read as an OptiTrack Motive export but has no 'Frame,Time (Seconds),X,Y,Z,...' row "
        "within its first lines.",
    )


def _read_motive(path, lines, delimiter):
    (metadata, metadata_line), header_rows, axis_index = _motive_header(path, lines, delimiter)
    axis = _trim(_split(path, lines[axis_index], delimiter, axis_index + 1))
    if len(axis) < 2 or _lead_kind(axis[1]) != "Time":
        raise file_error(
            path,
            f"expected 'Time (Seconds)' after 'Frame', found {(axis + [''])[1].strip()!r}.",
            line=axis_index + 1,
            column=2,
        )
    labelled = {
        cells[1].strip().lower(): (cells, line)
        for cells, line in header_rows
        if len(cells) > 1 and cells[1].strip()
    }
    if "type" in labelled and "name" in labelled:
        (types, _), (names, names_line) = labelled["type"], labelled["name"]
        ids = labelled.get("id", ([], None))[0]
    elif len(header_rows) >= 4:
        # Some versions leave the Type, Name and ID rows unlabelled.
        (types, _), (names, names_line), (ids, _) = header_rows[:3]
    else:
        raise file_error(
            path,
            "found no Type and Name rows above the 'Frame,Time' row.",
            line=axis_index + 1,
        )
    components, components_line = header_rows[-1]

    def cell(row, column):
        return row[column].strip() if column < len(row) else ""

    groups = {}
    for column in range(2, len(axis)):
        if cell(components, column).lower() != "position":
            continue
        key = (cell(types, column), cell(names, column), cell(ids, column))
        if not key[1]:
            raise file_error(
                path,
                "a Position column has no name.",
                line=names_line,
                column=column + 1,
            )
        groups.setdefault(key, []).append(column)
    if not groups:
        raise file_error(
            path,
            "has no Position column (rigid body, marker or bone positions); rotations alone "
            "are not joint positions.",
            line=components_line,
        )
    joints = _grouped_xyz(
        path, [(name, c) for (_, name, _), c in groups.items()], axis, axis_index + 1
    )
    keys = list(groups)
    types_of = {}
    for kind, name, _ in keys:
        types_of.setdefault(name, set()).add(kind)
    # A labelled marker and the bone marker where it is expected share a name: add the type.
    names_out = [name if len(types_of[name]) == 1 else f"{name} ({kind})" for kind, name, _ in keys]
    _unique_names(path, names_out, [groups[key][0] for key in keys], names_line)
    frame_rate = None
    for key in ("export frame rate", "capture frame rate"):
        if metadata.get(key):
            frame_rate = _frame_rate(path, metadata[key], metadata_line, None, key.title())
            break
    units = metadata.get("length units") or None
    if units is not None:
        units = _MOTIVE_UNITS.get(units.lower(), units)
    rows = _frames(path, lines, axis_index + 1, delimiter, len(axis))
    return _table(
        rows,
        [("Frame", 0), ("Time", 1)],
        joints,
        axis_index + 2,
        "motive",
        joint_names=names_out,
        frame_rate=frame_rate,
        units=units,
        extra={"joint_types": [kind for kind, _, _ in keys]},
    )


def _read_qualisys(path, lines, delimiter):
    # The header keys start at the first non-blank line, as detect_layout finds them.
    keys, index = {}, _next_filled(lines, 0)
    while index < len(lines):
        cells = _split(path, lines[index], delimiter, index + 1)
        key = cells[0].strip() if cells else ""
        if not _QUALISYS_KEY.match(key) or key.lower() == "frame":
            break
        keys.setdefault(key, (cells[1:], index + 1))
        index += 1
    if "MARKER_NAMES" not in keys:
        raise file_error(
            path, "is a Qualisys TSV export without MARKER_NAMES; export with the TSV header."
        )
    included = keys.get("DATA_INCLUDED", (["3D"], None))
    if included[0] and included[0][0].strip().upper() != "3D":
        raise file_error(
            path,
            f"holds {included[0][0].strip()} data; only 3-D marker data is read.",
            line=included[1],
        )
    marker_cells, names_line = keys["MARKER_NAMES"]
    markers = [name.strip() for name in _trim(marker_cells)]
    if not markers:
        raise file_error(path, "MARKER_NAMES names no marker.", line=names_line)
    frame_rate = None
    if "FREQUENCY" in keys and keys["FREQUENCY"][0]:
        text = keys["FREQUENCY"][0][0]
        # EXT: an external, edge-triggered timebase, at no fixed rate.
        if text.strip().upper() != "EXT":
            frame_rate = _frame_rate(path, text, keys["FREQUENCY"][1], 2, "FREQUENCY")
    index = _next_filled(lines, index)
    if index == len(lines):
        raise file_error(path, "has a header but no frames after it.")
    header = _trim(_split(path, lines[index], delimiter, index + 1))
    if header and header[0].strip().lower() == "frame":
        n_lead = 2 if len(header) > 1 and _lead_kind(header[1]) == "Time" else 1
        lead_names = _lead_columns(path, header, index + 1, n_lead)
        names, joints = _suffixed_joints(path, header, index + 1, n_lead)
        if names != markers:
            raise file_error(
                path,
                f"the columns name the markers {names!r}, but MARKER_NAMES (line {names_line}) "
                f"lists {markers!r}.",
                line=index + 1,
            )
        width, index = len(header), index + 1
    else:
        cells = _split(path, lines[index], delimiter, index + 1)
        # The first frame's width, less the blank fields a delimiter at the line end adds.
        fits = [
            width
            for width in (3 * len(markers), 3 * len(markers) + 2)
            if len(cells) >= width and not any(cell.strip() for cell in cells[width:])
        ]
        width = fits[-1] if fits else len(cells)
        n_lead = width - 3 * len(markers)
        if not fits:
            raise file_error(
                path,
                f"has {plural(width, 'field')}; MARKER_NAMES lists {len(markers)} markers, so "
                f"expected {3 * len(markers)} (x, y, z per marker) or {3 * len(markers) + 2} "
                "(Frame, Time, then x, y, z per marker).",
                line=index + 1,
            )
        lead_names = ("Frame", "Time")[:n_lead]
        names = markers
        joints = [[n_lead + 3 * joint + k for k in range(3)] for joint in range(len(markers))]
    _unique_names(path, names, [columns[0] for columns in joints], names_line)
    rows = _frames(path, lines, index, delimiter, width)
    return _table(
        rows,
        list(zip(lead_names, range(len(lead_names)))),
        joints,
        index + 1,
        "qualisys",
        joint_names=names,
        frame_rate=frame_rate,
        units="mm",
        first_frame=1 if lead_names else 0,
    )


_READERS = {
    "suffixed": _read_suffixed,
    "vicon": _read_vicon,
    "motive": _read_motive,
    "qualisys": _read_qualisys,
}


def read_table(path, lines, layout, delimiter):
    """The :class:`Table` of a file in one of the layouts of this module."""
    return _READERS[layout](path, lines, delimiter)
