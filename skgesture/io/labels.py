"""Read the annotation table that labels each recording (the paper's ``Annotation_gloses.csv``)."""

from __future__ import annotations

import os
import warnings

from skgesture.io._text import (
    file_error,
    parse_rows,
    plural,
    read_text,
    sniff_delimiter,
    split_lines,
)

__all__ = ["LabelTable", "read_labels"]

_DELIMITERS = ("\t", ";", ",")


class LabelTable(dict):
    """Labels of an annotation table: a ``dict`` from file stem to label, plus what was left out.

    Parameters
    ----------
    labels : mapping or iterable of (str, str) pairs, default=()
        File stem (file name without ``.csv``) -> label.
    filename : str, optional
        The table this came from.
    lines : dict, optional
        File stem -> line of the table it came from (1-based).
    incomplete_rows : list of tuple, optional
        ``(line, file_name, label)`` of rows without a file name or without a label; the
        missing one is ``""``. They are not in the mapping.

    Attributes
    ----------
    filename : str or None
    lines : dict of str to int
    incomplete_rows : list of tuple of (int, str, str)

    Examples
    --------
    >>> from skgesture.io import LabelTable
    >>> labels = LabelTable({"Avion": "Bi"}, incomplete_rows=[(3, "Venir", "")])
    >>> labels["Avion"], labels.incomplete_rows
    ('Bi', [(3, 'Venir', '')])
    """

    def __init__(self, labels=(), *, filename=None, lines=None, incomplete_rows=()):
        super().__init__(labels)
        self.filename = filename
        self.lines = dict(lines or {})
        self.incomplete_rows = list(incomplete_rows)

    def __repr__(self):
        return (
            f"LabelTable({dict.__repr__(self)}, filename={self.filename!r}, "
            f"incomplete_rows={self.incomplete_rows!r})"
        )


def _column_index(path, header, name, argument, line):
    matches = [k for k, cell in enumerate(header) if cell == name]
    if not matches:
        found = ", ".join(repr(cell) for cell in header)
        raise file_error(
            path,
            f"has no column {name!r}; columns found: {found}. Pass {argument}=... to name "
            "the right one.",
            line=line,
        )
    if len(matches) > 1:
        raise file_error(
            path,
            f"column {name!r} appears {len(matches)} times, in columns "
            f"{', '.join(str(k + 1) for k in matches)}.",
            line=line,
            column=matches[1] + 1,
        )
    return matches[0]


def _check_column_name(name, argument):
    if not isinstance(name, str):
        raise TypeError(
            f"{argument} must be the header of a column, a string; got {type(name).__name__} "
            f"{name!r}."
        )
    if not name.strip():
        raise ValueError(f"{argument}={name!r} is blank; it must name a column of the header.")
    return name.strip()


def read_labels(path, *, file_column="Nom.csv", label_column="Mono/Bi", encoding=None):
    """Read an annotation table: one row per recording, its file name and its label.

    The paper's table, ``Annotation_gloses.csv``, is tab-separated; ``;`` and ``,`` are sniffed
    too. Its first non-blank line names the columns; the column ``file_column`` holds the file
    name without its ``.csv`` extension (an extension that is there is dropped) and
    ``label_column`` the label (``Mono`` or ``Bi``). File names and labels are kept as written,
    without surrounding spaces; other columns are ignored.

    Nothing is dropped silently: rows with no file name or no label are left out of the
    mapping, kept in ``incomplete_rows`` with their line numbers, and reported by a
    ``UserWarning``. Blank lines are skipped. A file listed twice with the same label is kept
    once.

    Parameters
    ----------
    path : str or path-like
        The table.
    file_column : str, default="Nom.csv"
        Header of the column of file names (compared without surrounding spaces, as the
        header's cells are).
    label_column : str, default="Mono/Bi"
        Header of the column of labels (compared the same way).
    encoding : str, optional
        The table's text encoding. By default UTF-8 (with or without byte-order mark), else
        cp1252 (what Excel writes on Western European Windows); UTF-16 with a byte-order mark
        is recognised.

    Returns
    -------
    labels : LabelTable
        A ``dict`` from file stem to label, with the attributes ``filename``, ``lines`` (stem
        -> line number) and ``incomplete_rows`` (``(line, file_name, label)`` tuples).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    TypeError
        If ``file_column`` or ``label_column`` is not a string.
    ValueError
        If ``file_column`` or ``label_column`` is blank or both name the same column. If
        ``path`` is not a regular file (a folder, a device, a named pipe; refused without
        reading it). If the table is empty or has no rows, lacks either column (the message
        lists the columns found), has a row with more fields than the header, lists one file
        with two different labels (the message names both lines), cannot be decoded, or has
        a field longer than 131072 characters or a line longer than 16 MiB. The message names
        the file and the line.

    See Also
    --------
    load_mocap_folder : Match these labels with the recordings of a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgesture.io import read_labels
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "Annotation_gloses.csv"
    >>> _ = path.write_text("Nom.csv\\tMono/Bi\\nAvion\\tBi\\nVenir\\tMono\\n", encoding="utf-8")
    >>> labels = read_labels(path)
    >>> dict(labels)
    {'Avion': 'Bi', 'Venir': 'Mono'}
    >>> labels.lines["Venir"]
    3
    """
    file_column = _check_column_name(file_column, "file_column")
    label_column = _check_column_name(label_column, "label_column")
    if file_column == label_column:
        raise ValueError(f"file_column and label_column are both {file_column!r}.")
    lines = split_lines(read_text(path, encoding))
    rows = parse_rows(path, lines, sniff_delimiter(lines, _DELIMITERS) or "\t")
    header_index = next((i for i, row in enumerate(rows) if any(map(str.strip, row))), None)
    if header_index is None:
        raise file_error(path, "the label table is empty.")
    header = [cell.strip() for cell in rows[header_index]]
    file_index = _column_index(path, header, file_column, "file_column", header_index + 1)
    label_index = _column_index(path, header, label_column, "label_column", header_index + 1)

    labels, label_lines, incomplete = {}, {}, []
    for index in range(header_index + 1, len(rows)):
        row = [cell.strip() for cell in rows[index]]
        line = index + 1
        if not any(row):
            continue
        if any(row[len(header) :]):
            raise file_error(
                path,
                f"has {plural(len(row), 'field')} but the header has {len(header)}.",
                line=line,
                column=len(header) + 1,
            )
        row += [""] * (len(header) - len(row))
        file_name, label = row[file_index], row[label_index]
        if not file_name or not label:
            incomplete.append((line, file_name, label))
            continue
        stem = file_name[: -len(".csv")] if file_name.lower().endswith(".csv") else file_name
        if stem in labels and labels[stem] != label:
            raise file_error(
                path,
                f"{stem!r} is labelled {label!r} here but {labels[stem]!r} on line "
                f"{label_lines[stem]}.",
                line=line,
            )
        labels.setdefault(stem, label)
        label_lines.setdefault(stem, line)
    if not labels and not incomplete:
        raise file_error(path, "the label table has a header but no rows.")
    if incomplete:
        shown = ", ".join(str(line) for line, _, _ in incomplete[:10])
        warnings.warn(
            f"{os.fspath(path)!r}: {plural(len(incomplete), 'row')} without a file name or a "
            f"label left out (lines {shown}{', ...' if len(incomplete) > 10 else ''}); see "
            "incomplete_rows.",
            UserWarning,
            stacklevel=2,
        )
    return LabelTable(labels, filename=str(path), lines=label_lines, incomplete_rows=incomplete)
