"""Private helpers shared by the text readers: decoding, delimiter sniffing, error locations.

Every reader reports a bad file through :func:`file_error`, so messages look the same
everywhere: ``'path/to/file.csv', line 5, column 7: what is wrong``. Lines and columns are
1-based, as a text editor and a spreadsheet show them; a column is a field (cell), not a
character. Every reader takes its bytes from :func:`read_bytes` (through :func:`read_text`),
which refuses folders, devices and named pipes before opening them and a line longer than
:data:`MAX_LINE_BYTES` before reading past it.
"""

from __future__ import annotations

import csv
import os
import re
import stat

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


#: The longest line, in bytes, that :func:`read_bytes` accepts. Far above any real line (a
#: MocapLab frame of 2000 joints is about 100 KB; a one-line JSON recording a few MB), and low
#: enough that splitting one such line into fields fits in memory.
MAX_LINE_BYTES = 2**24

_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_regular_file(path):
    """Raise ``ValueError`` naming ``path`` and its kind unless it is a regular file.

    Only ``os.stat`` is called, so a named pipe is refused without blocking on it and a device
    such as ``/dev/zero`` without reading from it. A missing file raises ``FileNotFoundError``;
    a ``path`` that is not a ``str`` or path-like, ``TypeError``.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or path-like; got {type(path).__name__}.")
    try:
        mode = os.stat(path).st_mode
    except ValueError:  # os.stat's "embedded null byte"
        raise file_error(path, "is not a path: it holds a NUL character.") from None
    if not stat.S_ISREG(mode):
        kind = next((kind for is_kind, kind in _FILE_KINDS if is_kind(mode)), "a special file")
        raise file_error(path, f"is {kind}, not a regular file; only files can be read.")


def _line_breaks(raw):
    """Line ends in ``raw`` counted as :func:`split_lines` counts them (CRLF, CR or LF)."""
    return raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")


def read_bytes(path, *, max_line_bytes=None):
    """The bytes of a regular file, read in chunks; refuse other files and overlong lines.

    Raises ``ValueError`` naming the file when it is not a regular file (see
    :func:`check_regular_file`), and naming the file and line as soon as a line (ended by LF,
    CR or CRLF) runs past ``max_line_bytes`` (default :data:`MAX_LINE_BYTES`), before the rest
    is read. A missing file raises ``FileNotFoundError``.
    """
    check_regular_file(path)
    limit = MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
    # Chunks no longer than the limit: a line over the limit then always reaches a chunk's
    # edge, so only the line running into each chunk and the one running out of it are measured.
    chunk_size = max(1, min(limit, 2**20))
    chunks, line_length = [], 0
    with open(path, "rb") as file:
        while chunk := file.read(chunk_size):
            last_break = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
            if last_break < 0:
                line_length += len(chunk)
            else:
                breaks = (chunk.find(b"\n"), chunk.find(b"\r"))
                first_break = min(position for position in breaks if position >= 0)
                line_length += first_break
            if line_length > limit:
                raise file_error(
                    path,
                    f"is longer than {limit} bytes, the limit for a line of text.",
                    line=_line_breaks(b"".join(chunks)) + 1,
                )
            if last_break >= 0:
                line_length = len(chunk) - last_break - 1
            chunks.append(chunk)
    return b"".join(chunks)


def read_text(path, encoding=None, *, max_line_bytes=None):
    """Read a whole text file; raise ``ValueError`` for undecodable or binary content.

    With ``encoding=None``: UTF-16 when the file starts with its byte-order mark, else UTF-8
    (a leading byte-order mark is dropped), else cp1252 (Windows Western European, what Excel
    writes on French Windows). The bytes come from :func:`read_bytes`, so anything but a
    regular file, and a line longer than ``max_line_bytes`` (default
    :data:`MAX_LINE_BYTES`), raise ``ValueError``. A missing file raises
    ``FileNotFoundError``.
    """
    raw = read_bytes(path, max_line_bytes=max_line_bytes)
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


# A quoted field as the csv module reads it: '""' inside is a quote; possessive, so that a
# field ending in '""' does not match by giving the escape back.
_QUOTED_FIELD = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')
_UNCLOSED = "a quoted field opens on this line and does not close on it."


def _field_spans(line, delimiter):
    """``(start, end)`` of each field of one line, and whether the line ends inside quotes.

    Fields are delimited as the csv module's default dialect does: a quote opens a quoted field
    only at the start of a field, and text after its closing quote belongs to the same field.
    """
    spans, start = [], 0
    while True:
        end = start
        if line.startswith('"', start):
            quoted = _QUOTED_FIELD.match(line, start)
            if quoted is None:
                return spans, True
            end = quoted.end()
        end = line.find(delimiter, end)
        if end < 0:
            spans.append((start, len(line)))
            return spans, False
        spans.append((start, end))
        start = end + 1


def _csv_error(path, line, delimiter, line_number, error):
    """The ``ValueError`` for a ``csv.Error`` raised while splitting ``line``."""
    spans, unclosed = _field_spans(line, delimiter)
    if unclosed:
        return file_error(path, _UNCLOSED, line=line_number)
    limit = csv.field_size_limit()
    long = next((k for k, (start, end) in enumerate(spans) if end - start > limit), None)
    if long is not None:
        return file_error(
            path,
            f"a field is longer than {limit} characters (the limit).",
            line=line_number,
            column=long + 1,
        )
    return file_error(path, f"cannot be split into fields ({error}).", line=line_number)


def parse_rows(path, lines, delimiter, first_line=1):
    """Split lines into fields (quotes as Excel writes them), one list of fields per line.

    A blank line gives an empty list, so row ``i`` is line ``first_line + i`` of the file. A
    quoted field may not span lines, and no field may be longer than the csv module's
    ``field_size_limit()`` (131072 characters by default).
    """
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            if reader.line_num != len(rows) + 1:
                raise file_error(path, _UNCLOSED, line=first_line + len(rows))
            rows.append(row)
    except csv.Error as error:
        # A field past the size limit, or a quote still open at the end of the lines.
        raise _csv_error(path, lines[len(rows)], delimiter, first_line + len(rows), error) from None
    return rows


#: The largest frame id the readers accept: they read numbers as float64, which holds every
#: whole number up to 2**53 exactly.
MAX_FRAME_ID = 2**53

#: The ``delimiter`` of text tables whose fields are separated by runs of spaces and tabs.
WHITESPACE = "whitespace"
_BLANKS = re.compile(r"[ \t]+")


def split_whitespace(lines):
    """Split lines into fields at runs of spaces and tabs, one list of fields per line.

    Spaces and tabs at either end of a line are ignored, and nothing is quoted (a field holds
    no space or tab). A blank line gives an empty list, as in :func:`parse_rows`.
    """
    rows = []
    for line in lines:
        stripped = line.strip(" \t")
        rows.append(_BLANKS.split(stripped) if stripped else [])
    return rows


def describe_delimiter(delimiter):
    return {"\t": "tab", ";": "';'", ",": "','", WHITESPACE: "runs of spaces or tabs"}.get(
        delimiter, repr(delimiter)
    )


def whole_number(word):
    """The value of a whole number written in ASCII digits; None for any other word.

    str.isdigit() is also true of superscripts ('²') that int() refuses, and int() refuses
    more digits than ``sys.get_int_max_str_digits()``.
    """
    if not (word.isascii() and word.isdigit()):
        return None
    try:
        return int(word)
    except ValueError:
        return None


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
