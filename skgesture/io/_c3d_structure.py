"""Check the structure of a C3D file in pure Python, before ezc3d reads it.

ezc3d, the compiled library :func:`skgesture.io.read_c3d` reads with, trusts the lengths and
counts written in a file: one damaged byte in the parameter section (a negative number of
dimensions or description length, a text parameter without dimensions, a parameter that ezc3d
reads a value of but that holds none) makes it read out of bounds and kill the Python
process, and a damaged count can make it allocate without end. :func:`check_c3d_structure`
walks the file the way the C3D format describes it (*The C3D File Format User Guide*, C3D.org)
and refuses, with a ``ValueError`` naming the file, the byte and the parameter, anything that
would lead ezc3d astray:

- the header block: the C3D key, where the parameters and the frames start;
- the parameter section: its key and processor type (Intel or DEC; ezc3d cannot read MIPS
  files), then every group and parameter: name length, group number, the pointer to the next
  entry (ezc3d requires it to point exactly past the entry), data type (-1 text, 1 byte,
  2 integer, 4 float), 0 to 7 dimensions whose data fits in the section, and the description
  length; every parameter must belong to a group the file defines;
- the parameters ezc3d reads a value of (POINT:USED, SCALE, RATE, FRAMES, DATA_START,
  ANALOG:USED, RATE, GEN_SCALE, ANALOG:SCALE and OFFSET for each channel, the ROTATION group)
  must hold numbers, and the frames, points, analog channels and subframes they announce must
  fit in the file.

What ezc3d would refuse by itself (a parameter of the wrong type, say) is left to it.
"""

from __future__ import annotations

import math
import os
import struct

from skgesture.io._text import file_error

__all__ = ["check_c3d_structure"]

_BLOCK = 512
# Data types of parameters: the number of bytes of one element.
_ELEMENT_SIZES = {-1: 1, 1: 1, 2: 2, 4: 4}
_TYPE_NAMES = {-1: "text", 1: "byte", 2: "integer", 4: "float"}
_PROCESSORS = {84: "Intel", 85: "DEC", 86: "MIPS"}
_MAX_DIMENSIONS = 7
# A point or an analog value stored as a float (negative scale) or as a 16-bit integer.
_FLOAT_BYTES, _INTEGER_BYTES = 4, 2
# ezc3d stores one rotation as a 4 x 4 matrix and a reliability, 17 floats.
_ROTATION_BYTES = 17 * 4
# Numbers of subframes and rotations per frame are 16-bit in the format.
_MAX_RATIO = 0xFFFF


class _Parameter:
    """One parameter as the walk found it: where it is, its type, dimensions and raw data."""

    def __init__(self, offset, group_id, name, data_type, dimensions, data):
        self.offset = offset
        self.group_id = group_id
        self.name = name
        self.data_type = data_type
        self.dimensions = dimensions
        self.data = data

    @property
    def n_values(self):
        """How many numbers it holds (a scalar has no dimensions and one number)."""
        return math.prod(self.dimensions)

    def values(self, processor):
        """The numbers it holds (integers signed, as ezc3d reads them)."""
        if self.data_type == 4:
            return [_float(self.data[k : k + 4], processor) for k in range(0, len(self.data), 4)]
        code = {1: "b", 2: "h"}[self.data_type]
        return list(struct.unpack(f"<{len(self.data) // self.data_type}{code}", self.data))


def _float(raw, processor):
    """A 4-byte float in the file's layout: IEEE for Intel, VAX F for DEC."""
    if processor == "DEC":
        # VAX F: the two 16-bit words swapped relative to IEEE, and an exponent bias of 128
        # instead of 127 with the hidden bit on the other side of the point (a factor 4).
        (value,) = struct.unpack("<f", raw[2:4] + raw[0:2])
        return value / 4
    (value,) = struct.unpack("<f", raw)
    return value


def _shown(name):
    """A name as a message shows it; a damaged one (control bytes) escaped."""
    return name if name.isprintable() else ascii(name)


class _Walk:
    """Reads the parameter section entry by entry, refusing what does not fit."""

    def __init__(self, path, raw, end, processor):
        self.path = path
        self.raw = raw
        self.end = end
        self.processor = processor
        self.group_names = {}  # group id -> name
        self.parameters = []

    def fail(self, offset, entry, problem):
        return file_error(self.path, f"is damaged at byte {offset} ({entry}): {problem}.")

    def int8(self, offset, entry):
        self.need(offset, 1, entry)
        return struct.unpack_from("<b", self.raw, offset)[0]

    def need(self, offset, length, entry):
        if offset + length > self.end:
            raise file_error(
                self.path,
                f"is cut short or damaged at byte {offset} ({entry}): the entry runs past the "
                f"end of the parameter section (byte {self.end}).",
            )

    def label(self, group_id, name):
        """How a message names an entry: ``group POINT``, ``parameter POINT:USED``."""
        if group_id < 0:
            return f"group {_shown(name) or '#' + str(-group_id)}"
        group = _shown(self.group_names.get(group_id, f"#{group_id}"))
        return f"parameter {group}:{_shown(name)}"

    def description(self, offset, entry):
        length = self.int8(offset, entry)
        if length < 0:
            raise self.fail(offset, entry, f"its description is {length} characters long")
        self.need(offset + 1, length, entry)
        return offset + 1 + length

    def entries(self, start):
        """Walk from ``start`` to the last entry; ezc3d stops where this stops."""
        offset = start
        previous = "the parameter section's first entry"
        while True:
            name_length = self.int8(offset, f"after {previous}")
            if name_length == 0:
                return
            group_id = self.int8(offset + 1, f"after {previous}")
            if group_id == 0:
                raise self.fail(offset + 1, f"after {previous}", "group number 0")
            name_at = offset + 2
            pointer_at = name_at + abs(name_length)
            self.need(name_at, abs(name_length) + 2, f"after {previous}")
            # ezc3d keeps a name up to its first NUL byte.
            name = self.raw[name_at:pointer_at].split(b"\0")[0].decode("latin-1")
            entry = self.label(group_id, name)
            (pointer,) = struct.unpack_from("<H", self.raw, pointer_at)
            body = pointer_at + 2
            if group_id < 0:
                entry_end = self.description(body, entry)
                self.group_names[-group_id] = name
            else:
                entry_end = self.parameter(offset, body, group_id, name, entry)
            if pointer == 0:  # the last entry
                return
            if pointer_at + pointer != entry_end:
                raise self.fail(
                    pointer_at,
                    entry,
                    f"its pointer to the next entry gives byte {pointer_at + pointer}, but the "
                    f"entry ends at byte {entry_end}",
                )
            offset = entry_end
            previous = entry

    def parameter(self, offset, body, group_id, name, entry):
        data_type = self.int8(body, entry)
        if data_type not in _ELEMENT_SIZES:
            raise self.fail(
                body,
                entry,
                f"data type {data_type}, where C3D has -1 (text), 1 (byte), 2 (integer) and 4 "
                "(float)",
            )
        n_dimensions = self.int8(body + 1, entry)
        if not 0 <= n_dimensions <= _MAX_DIMENSIONS:
            raise self.fail(
                body + 1,
                entry,
                f"{n_dimensions} dimensions, where a C3D parameter has 0 to {_MAX_DIMENSIONS}",
            )
        if n_dimensions == 0 and data_type == -1:
            raise self.fail(
                body + 1, entry, "a text parameter without dimensions, which ezc3d cannot read"
            )
        self.need(body + 2, n_dimensions, entry)
        dimensions = list(self.raw[body + 2 : body + 2 + n_dimensions])
        data_at = body + 2 + n_dimensions
        length = math.prod(dimensions) * _ELEMENT_SIZES[data_type]
        if data_at + length > self.end:
            shape = " x ".join(map(str, dimensions)) or "1"
            raise file_error(
                self.path,
                f"is cut short or damaged at byte {body + 1} ({entry}): {shape} values of "
                f"{_TYPE_NAMES[data_type]} need {length} bytes, past the end of the parameter "
                f"section (byte {self.end}).",
            )
        data = bytes(self.raw[data_at : data_at + length])
        self.parameters.append(_Parameter(offset, group_id, name, data_type, dimensions, data))
        return self.description(data_at + length, entry)


class _Parameters:
    """The parameters as ezc3d sees them: by group name, the first group of that name."""

    def __init__(self, walk):
        self.walk = walk
        self.processor = walk.processor
        undefined = [p for p in walk.parameters if p.group_id not in walk.group_names]
        if undefined:
            first = undefined[0]
            raise walk.fail(
                first.offset + 1,
                walk.label(first.group_id, first.name),
                f"it belongs to group {first.group_id}, which the file does not define",
            )
        self.group_ids = {}
        for group_id in sorted(walk.group_names):
            self.group_ids.setdefault(walk.group_names[group_id], group_id)
        self.by_name = {}
        for parameter in walk.parameters:  # a later parameter of the same name replaces it
            self.by_name[parameter.group_id, parameter.name] = parameter

    def has_group(self, group):
        return group in self.group_ids

    def get(self, group, name):
        return self.by_name.get((self.group_ids.get(group), name))

    def fail(self, parameter, group, problem):
        return self.walk.fail(parameter.offset, f"parameter {group}:{parameter.name}", problem)

    def numeric(self, group, name):
        """The parameter, or None; text where ezc3d reads numbers is refused."""
        parameter = self.get(group, name)
        if parameter is not None and parameter.data_type == -1:
            # ezc3d gives no number for an empty text parameter, and indexes that anyway.
            raise self.fail(parameter, group, "it holds text where ezc3d reads numbers")
        return parameter

    def number(self, group, name, default):
        """The first value of a parameter ezc3d reads one number of (``default`` if absent)."""
        parameter = self.numeric(group, name)
        if parameter is None:
            return default
        if parameter.n_values == 0:
            raise self.fail(parameter, group, "it holds no value, where ezc3d reads one")
        value = parameter.values(self.processor)[0]
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(parameter, group, f"it is {value}")
        return value

    def count(self, group, name, default):
        """A number of things (points, channels, frames): a non-negative integer."""
        value = self.number(group, name, default)
        if value < 0 or value != int(value):
            raise self.fail(self.get(group, name), group, f"it is {value}; expected a count")
        return int(value)

    def n_values(self, group, name):
        """How many numbers a series (``SCALE``, ``SCALE2``, ...) holds, all parts together."""
        total = 0
        for key in [name] + [f"{name}{k}" for k in range(2, 100)]:
            parameter = self.numeric(group, key)
            if parameter is None:
                break
            total += parameter.n_values
        return total


def _header_numbers(header, processor):
    words = struct.unpack_from("<10H", header)
    return {
        "first_frame": words[3],
        "last_frame": words[4],
        "scale": _float(header[12:16], processor),
        "data_block": words[8],
        "subframes": words[9],
        "frame_rate": _float(header[20:24], processor),
    }


def check_c3d_structure(path):
    """Refuse, with a ``ValueError`` naming ``path``, a C3D file that could crash ezc3d.

    Reads the header and the parameter section only; see the module docstring for what is
    checked.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as file:
        header = file.read(_BLOCK)
        if len(header) < _BLOCK or header[1] != 0x50:
            raise file_error(path, "is not a C3D file (no C3D key in its first block).")
        parameter_block = header[0]
        if parameter_block < 2:
            raise file_error(path, f"is damaged: its parameters start in block {parameter_block}.")
        start = (parameter_block - 1) * _BLOCK
        if start + 4 > size:
            raise file_error(
                path,
                f"is cut short or damaged: its parameters start at byte {start} (block "
                f"{parameter_block}), beyond its end ({size} bytes).",
            )
        file.seek(start)
        section_header = file.read(4)
        processor = _PROCESSORS.get(section_header[3])
        if processor is None:
            raise file_error(
                path,
                f"is damaged at byte {start + 3}: processor type {section_header[3]}, where "
                "C3D has 84 (Intel), 85 (DEC) and 86 (MIPS).",
            )
        if processor == "MIPS":
            raise file_error(path, "is a MIPS (big-endian) C3D file, which ezc3d cannot read.")
        # ezc3d starts at the byte the section's first byte points to; Qualisys writes 0, 0.
        if tuple(section_header[:2]) not in ((1, 0x50), (0, 0)):
            raise file_error(
                path,
                f"is damaged at byte {start}: the parameter section starts with "
                f"{section_header[0]}, {section_header[1]} instead of 1, 80 (its key).",
            )
        numbers = _header_numbers(header, processor)
        data_start = (numbers["data_block"] - 1) * _BLOCK
        if numbers["data_block"] <= parameter_block:
            raise file_error(
                path,
                f"is damaged: its frames start in block {numbers['data_block']}, not after "
                f"its parameters (block {parameter_block}).",
            )
        if data_start > size:
            raise file_error(
                path,
                f"is cut short or damaged: its frames start at byte {data_start} (block "
                f"{numbers['data_block']}), beyond its end ({size} bytes).",
            )
        file.seek(0)
        raw = file.read(data_start)
    walk = _Walk(path, raw, data_start, processor)
    walk.entries(start + 4)
    parameters = _Parameters(walk)
    _check_sizes(path, parameters, numbers, size)


def _check_sizes(path, parameters, numbers, size):
    """The frames the parameters announce must fit in the file, as ezc3d will read them."""
    n_points = parameters.count("POINT", "USED", 0)
    point_scale = parameters.number("POINT", "SCALE", -1.0)
    point_rate = parameters.number("POINT", "RATE", 0.0)
    n_frames_parameter = parameters.number("POINT", "FRAMES", 0)
    n_channels = parameters.count("ANALOG", "USED", 0)
    analog_rate = parameters.number("ANALOG", "RATE", 0.0)
    # ezc3d reads these too; they only need to hold a number.
    parameters.number("POINT", "DATA_START", 0)
    parameters.number("ANALOG", "GEN_SCALE", 1.0)
    for name, rate in (("POINT", point_rate), ("ANALOG", analog_rate)):
        if rate < 0:
            raise parameters.fail(
                parameters.get(name, "RATE"), name, f"it is {rate}; expected a rate of 0 or more"
            )
    if n_channels:
        # ezc3d scales channel k by the k-th value of ANALOG:SCALE (then SCALE2, ...).
        shadow = parameters.has_group("SHADOW")
        for name in ("SCALE", "OFFSET"):
            held = parameters.n_values("ANALOG", name)
            if held < n_channels and not (shadow and held == 0):
                raise file_error(
                    path,
                    f"is damaged: ANALOG:{name} holds {held} values for {n_channels} analog "
                    "channels (ANALOG:USED).",
                )

    # ezc3d takes the subframes from the rates when they give a whole number of them.
    subframes = numbers["subframes"]
    if int(point_rate) != 0:
        ratio = analog_rate / point_rate
        if ratio > _MAX_RATIO:
            raise file_error(
                path,
                f"is damaged: ANALOG:RATE {analog_rate} / POINT:RATE {point_rate} gives more "
                f"than {_MAX_RATIO} analog subframes per frame.",
            )
        if int(ratio) != subframes and not (subframes == 1 and parameters.has_group("SHADOW")):
            subframes = int(ratio)

    n_frames = _n_frames(path, parameters, numbers, n_frames_parameter)
    has_rotations = parameters.has_group("ROTATION")
    if not (n_points or (n_channels and subframes) or has_rotations):
        return  # ezc3d reads no frame
    if n_frames * max(subframes, 1) > size:
        raise file_error(
            path,
            f"is damaged: it announces {n_frames} frames of {max(subframes, 1)} analog "
            f"subframes, more than a file of {size} bytes holds.",
        )
    # Points are floats when POINT:SCALE is negative, analog values when the header's scale is;
    # where the two disagree, the file must hold the longer reading.
    value_bytes = _FLOAT_BYTES if min(point_scale, numbers["scale"]) < 0 else _INTEGER_BYTES
    frame_bytes = (4 * n_points + n_channels * subframes) * value_bytes
    data_start = (numbers["data_block"] - 1) * _BLOCK
    needed = data_start + n_frames * frame_bytes
    if needed > size:
        disagree = (point_scale < 0) != (numbers["scale"] < 0)
        reason = (
            " (the header's scale and POINT:SCALE disagree on floats or integers)"
            if disagree
            else ""
        )
        raise file_error(
            path,
            f"is cut short or damaged: its parameters announce {n_frames} frames of "
            f"{n_points} points and {n_channels} x {subframes} analog values from byte "
            f"{data_start}, at least {needed} bytes{reason}; the file has {size}.",
        )
    if has_rotations:
        _check_rotations(path, parameters, n_frames, point_rate or numbers["frame_rate"], size)


def _n_frames(path, parameters, numbers, n_frames_parameter):
    """POINT:FRAMES where it is not 0, else the header's first and last frames."""
    if n_frames_parameter:
        # A 16-bit count above 32767 reads as negative; ezc3d reads on to the file's end.
        return (
            int(n_frames_parameter) % 0x10000 if n_frames_parameter < 0 else int(n_frames_parameter)
        )
    first, last = numbers["first_frame"], numbers["last_frame"]
    if first:  # frame numbers count from 1, though some writers start at 0
        first -= 1
        last = last - 1 if last else last
    if last < first - 1:
        raise file_error(
            path,
            f"is damaged: its header's last frame ({numbers['last_frame']}) comes before its "
            f"first frame ({numbers['first_frame']}), and POINT:FRAMES does not give the count.",
        )
    return last - first + 1


def _check_rotations(path, parameters, n_frames, frame_rate, size):
    """The ROTATION group (ezc3d writes one in every file): its counts and its data."""
    n_rotations = parameters.count("ROTATION", "USED", 0)
    data_block = parameters.count("ROTATION", "DATA_START", 0)
    rate = parameters.number("ROTATION", "RATE", 0.0)
    if parameters.get("ROTATION", "RATIO") is not None:
        ratio = parameters.count("ROTATION", "RATIO", 0)
    elif frame_rate > 0:
        ratio = rate / frame_rate
    else:
        ratio = 0
    if not 0 <= ratio <= _MAX_RATIO:
        raise file_error(
            path,
            f"is damaged: ROTATION gives {ratio} rotation frames per frame; expected 0 to "
            f"{_MAX_RATIO}.",
        )
    needed = n_frames * int(ratio) * n_rotations * _ROTATION_BYTES
    if needed and (data_block < 1 or (data_block - 1) * _BLOCK + needed > size):
        raise file_error(
            path,
            f"is cut short or damaged: ROTATION announces {n_rotations} rotations x "
            f"{int(ratio)} per frame from block {data_block}, {needed} bytes beyond the "
            f"file's end ({size} bytes).",
        )
