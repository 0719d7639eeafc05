"""Private helpers shared by the text readers: decoding, delimiter sniffing, error locations.

Every reader reports a bad file through :func:`file_error`, so messages look the same
everywhere: ``'path/to/file.csv', line 5, column 7: what is wrong``. Lines and columns are
1-based, as a text editor and a spreadsheet show them; a column is a field (cell), not a
character.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Characters that never occur in a text table; a file holding them is binary (or UTF-16 without
# its byte-order mark).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def file_error(path, message, *, line=None, column=None):
    """A ``ValueError`` whose message starts with the file and, where known, line and column."""
    where = [repr(os.fspath(path))]
    if line is not None:
        where.append(f"line {line}")
    if column is not None:
        where.append(f"column {column}")
    return ValueError(f"{', '.join(where)}: {message}")


def _line_of_offset(raw, offset):
    return raw.count(b"\n", 0, offset) + 1


def read_text(path, encoding=None):
    """Read a whole text file; raise ``ValueError`` for undecodable or binary content.

    With ``encoding=None``: UTF-16 when the file starts with its byte-order mark, else UTF-8
    (a leading byte-order mark is dropped), else cp1252 (Windows Western European, what Excel
    writes on French Windows). A missing file raises ``FileNotFoundError``.
    """
    path = Path(path)
    raw = path.read_bytes()
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise ValueError(f"encoding={encoding!r} is not an encoding Python knows.") from None
        except UnicodeDecodeError as error:
            raise file_error(
                path,
                f"byte 0x{raw[error.start]:02x} at offset {error.start} is not valid "
                f"{encoding}; pass the file's encoding as encoding=...",
                line=_line_of_offset(raw, error.start),
            ) from None
    elif raw.startswith(_UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise file_error(
                path, f"starts like UTF-16 text but is not valid UTF-16 ({error})."
            ) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as error:
                raise file_error(
                    path,
                    f"byte 0x{raw[error.start]:02x} at offset {error.start} is neither UTF-8 "
                    "nor cp1252 text; is this a text file? Pass its encoding as encoding=... "
                    "where the reader has one.",
                    line=_line_of_offset(raw, error.start),
                ) from None
    text = text.removeprefix("\ufeff")
    control = _CONTROL_CHARS.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise file_error(
            path,
            f"holds the control character {control.group()!r}, so it is binary, not a text table.",
            line=line,
        )
    return text


def split_lines(text):
    """Lines of ``text`` with any of the CRLF, CR or LF line ends, without the end itself."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def sniff_delimiter(lines, candidates):
    """The candidate found in most of the first non-blank lines; ties go to the earlier one.

    ``None`` when none is found. Decimal commas are why ``;`` and tab come before ``,`` for
    motion-capture files.
    """
    sample = [line for line in lines[:20] if line.strip()][:5]
    counts = [sum(delimiter in line for line in sample) for delimiter in candidates]
    best = max(counts)
    return candidates[counts.index(best)] if best else None


def parse_rows(path, lines, delimiter, first_line=1):
    """Split lines into fields (quotes as Excel writes them), one list of fields per line.

    A blank line gives an empty list, so row ``i`` is line ``first_line + i`` of the file. A
    quoted field may not span lines.
    """
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    unclosed = "a quoted field opens on this line and does not close on it."
    try:
        for row in reader:
            if reader.line_num != len(rows) + 1:
                raise file_error(path, unclosed, line=first_line + len(rows))
            rows.append(row)
    except csv.Error as error:
        # The csv module gives up on a quoted field that runs on past its size limit.
        raise file_error(path, f"{unclosed} ({error})", line=first_line + len(rows)) from None
    return rows


def describe_delimiter(delimiter):
    return {"\t": "tab", ";": "';'", ",": "','"}.get(delimiter, repr(delimiter))


def plural(count, noun):
    """``plural(1, "frame")`` -> ``"1 frame"``; ``plural(2, "frame")`` -> ``"2 frames"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def compact_ranges(numbers, limit=6):
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``; after ``limit`` ranges, ``", ..."``."""
    ranges = []
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            ranges.append((start, previous))
        start = previous = number
    if start is not None:
        ranges.append((start, previous))
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:limit])
    return text + (", ..." if len(ranges) > limit else "")
