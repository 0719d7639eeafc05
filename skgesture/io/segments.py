"""Cut continuous takes into labelled segments, from a table of frame ranges.

A take is one continuous recording in which a performer carries out several actions; an
annotation table gives, for each take, the label and the inclusive range of frame ids of each
action. The UTKinect-Action3D layout, which :func:`read_segments` reads::

    s01_e01
    walk: 252 390
    sitDown: 572 686
    s01_e02
    walk: 154 192
    carry: NaN NaN

:func:`cut_segments` then cuts the frames of a take (read with
``read_mocap_csv(path, first_column="frame")``, whose ``frame_ids`` number them) into one
array per segment. Ranges are in frame ids, not row indices, so frames the recorder dropped do
not shift them.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._text import (
    MAX_FRAME_ID,
    file_error,
    plural,
    read_text,
    split_lines,
    split_whitespace,
)

__all__ = ["Segment", "SegmentTable", "cut_segments", "read_segments"]


class Segment(NamedTuple):
    """One labelled range of frames of a take.

    Attributes
    ----------
    take : str
        The take (recording) the segment belongs to, such as ``"s01_e01"``.
    label : str
        What happens in the segment, such as ``"walk"``.
    first : int or None
        Frame id of its first frame; None when the table gives no range (``NaN NaN``).
    last : int or None
        Frame id of its last frame, included; None when the table gives no range.
    line : int or None
        Line of the table it was read from (1-based); None for a segment made by hand.

    Examples
    --------
    >>> from skgesture.io import Segment
    >>> Segment("s01_e01", "walk", 252, 390, line=2)
    Segment(take='s01_e01', label='walk', first=252, last=390, line=2)
    """

    take: str
    label: str
    first: int | None
    last: int | None
    line: int | None = None


class SegmentTable(list):
    """The segments of an annotation table: a ``list`` of :class:`Segment`, plus what it left out.

    Parameters
    ----------
    segments : iterable of Segment, default=()
        The segments with a frame range, in the table's order.
    filename : str, optional
        The table this came from.
    takes : list of str, optional
        Every take the table names, in its order (also those whose segments all lack a range).
        Default: the takes of ``segments`` and ``missing``.
    missing : list of Segment, optional
        Segments without a frame range (``NaN NaN`` in the table); ``first`` and ``last`` are
        None. They are not in the list.

    Attributes
    ----------
    filename : str or None
    takes : list of str
    missing : list of Segment

    Examples
    --------
    >>> from skgesture.io import Segment, SegmentTable
    >>> table = SegmentTable(
    ...     [Segment("s01_e01", "walk", 252, 390, 2)],
    ...     missing=[Segment("s01_e01", "carry", None, None, 3)],
    ... )
    >>> len(table), table.takes, [segment.label for segment in table.missing]
    (1, ['s01_e01'], ['carry'])
    """

    def __init__(self, segments=(), *, filename=None, takes=None, missing=()):
        super().__init__(segments)
        self.filename = filename
        self.missing = list(missing)
        if takes is None:
            takes = dict.fromkeys(segment.take for segment in [*self, *self.missing])
        self.takes = list(takes)

    def __repr__(self):
        return (
            f"SegmentTable({list.__repr__(self)}, filename={self.filename!r}, "
            f"takes={self.takes!r}, missing={self.missing!r})"
        )


def _frame_id(path, word, line, column):
    """The frame id written as ``word``, or None for ``NaN``."""
    if word.lower() == "nan":
        return None
    try:
        # Digit-grouping underscores (1_000) are read by float() but written by no exporter.
        value = float(word) if "_" not in word else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != round(value) or abs(value) > MAX_FRAME_ID:
        raise file_error(
            path,
            f"{word!r} is not a frame id; a range is two whole numbers, the first and the last "
            "frame id, or 'NaN NaN' when the segment has no range.",
            line=line,
            column=column,
        )
    return int(value)


def _segment(path, text, take, line):
    """The :class:`Segment` of a line ``label: first last``."""
    label, _, rest = text.partition(":")
    label = label.strip()
    if not label:
        raise file_error(
            path, "the label before ':' is blank; a segment is 'label: first last'.", line=line
        )
    words = split_whitespace([rest])[0]
    if len(words) != 2:
        raise file_error(
            path,
            f"has {plural(len(words), 'field')} after {label!r}:, expected 2, the first and the "
            "last frame id ('NaN NaN' when the segment has no range).",
            line=line,
            column=4 if len(words) > 2 else None,
        )
    first, last = (_frame_id(path, word, line, column) for column, word in enumerate(words, 2))
    if (first is None) != (last is None):
        column = 2 if first is None else 3
        raise file_error(
            path,
            f"segment {label!r} of take {take!r} has one end of its range and not the other "
            f"({words[0]} {words[1]}); write both frame ids, or 'NaN NaN' when it has no range.",
            line=line,
            column=column,
        )
    if first is not None and first > last:
        raise file_error(
            path,
            f"segment {label!r} of take {take!r} ends at frame {last}, before it starts at "
            f"frame {first}; a range is 'first last', both included.",
            line=line,
            column=3,
        )
    return Segment(take, label, first, last, line)


def read_segments(path, *, encoding=None):
    """Read a table of labelled frame ranges, the segments of continuous takes.

    The table lists each take on a line of its own (its name, one word such as ``s01_e01``),
    followed by one line per segment of that take: ``label: first last``, where ``first`` and
    ``last`` are frame ids (whole numbers) of the take's file, both included. This is the
    layout of UTKinect-Action3D's ``actionLabel.txt``::

        s01_e01
        walk: 252 390
        sitDown: 572 686
        carry:  NaN NaN

    Fields are separated by runs of spaces or tabs; blank lines and spaces at either end of a
    line are ignored. Labels are kept as written, without surrounding spaces; a label may occur
    several times in a take, and ranges may overlap or come in any order.

    Nothing is dropped silently: a segment whose range is ``NaN NaN`` (not annotated) is left
    out of the list, kept in ``missing`` with its line, and reported by a ``UserWarning``.

    Parameters
    ----------
    path : str or path-like
        The table.
    encoding : str, optional
        The table's text encoding. By default UTF-8 (with or without byte-order mark), else
        cp1252; UTF-16 with a byte-order mark is recognised.

    Returns
    -------
    segments : SegmentTable
        A ``list`` of :class:`Segment` ``(take, label, first, last, line)``, in the table's
        order, with the attributes ``filename``, ``takes`` (every take named, in order) and
        ``missing`` (the segments without a range).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is not a regular file, or the table is malformed: empty, no segment at all,
        a segment line before the first take, a take named twice, a take line of more than one
        word, a blank label, a range of other than two fields, a frame id that is not a whole
        number, a range with one end ``NaN`` and not the other, or a range whose first frame
        comes after its last. The message names the file, the line and, where it applies, the
        column (the label is column 1, the first and last frame ids columns 2 and 3).

    See Also
    --------
    cut_segments : Cut the frames of a take into these segments.
    read_mocap_csv : Read a take, with its frame ids (``first_column="frame"``).

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> from skgesture.io import read_segments
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "actionLabel.txt"
    >>> _ = path.write_text("s01_e01\\nwalk: 252 390\\nsitDown: 572 686\\ncarry: NaN NaN\\n")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     segments = read_segments(path)
    >>> segments[1]
    Segment(take='s01_e01', label='sitDown', first=572, last=686, line=3)
    >>> segments.missing
    [Segment(take='s01_e01', label='carry', first=None, last=None, line=4)]
    >>> print(str(caught[0].message).split(": ", 1)[1])
    1 segment without a frame range (NaN NaN) left out: line 4 (s01_e01, carry); see missing.
    """
    lines = split_lines(read_text(path, encoding))
    segments, missing, take_lines = [], [], {}
    take = None
    for index, text in enumerate(lines):
        line = index + 1
        text = text.strip()
        if not text:
            continue
        if ":" not in text:
            words = split_whitespace([text])[0]
            if len(words) > 1:
                raise file_error(
                    path,
                    f"{text!r} is neither a take name (one word) nor a segment "
                    "('label: first last').",
                    line=line,
                )
            take = words[0]
            if take in take_lines:
                raise file_error(
                    path,
                    f"take {take!r} is named a second time; it is first named on line "
                    f"{take_lines[take]}, and a take's segments follow its name in one block.",
                    line=line,
                )
            take_lines[take] = line
            continue
        if take is None:
            raise file_error(
                path,
                "a segment comes before any take name; the table starts with the name of a "
                "take (such as 's01_e01') on a line of its own.",
                line=line,
            )
        segment = _segment(path, text, take, line)
        (segments if segment.first is not None else missing).append(segment)
    if not take_lines:
        raise file_error(path, "the segment table is empty.")
    if not segments:
        raise file_error(
            path,
            f"names {plural(len(take_lines), 'take')} but no segment with a frame range "
            f"({plural(len(missing), 'segment')} without one).",
        )
    if missing:
        shown = "; ".join(
            f"line {segment.line} ({segment.take}, {segment.label})" for segment in missing[:10]
        )
        warnings.warn(
            f"{os.fspath(path)!r}: {plural(len(missing), 'segment')} without a frame range "
            f"(NaN NaN) left out: {shown}{'; ...' if len(missing) > 10 else ''}; see missing.",
            UserWarning,
            stacklevel=2,
        )
    return SegmentTable(segments, filename=os.fspath(path), takes=list(take_lines), missing=missing)


def _where(segment, filename):
    """``segment 'walk' of take 's01_e01' (line 2 of 'actionLabel.txt')``, for messages."""
    if segment.line is None:
        origin = ""
    elif filename is None:
        origin = f" (line {segment.line})"
    else:
        origin = f" (line {segment.line} of {filename!r})"
    return f"segment {segment.label!r} of take {segment.take!r}{origin}"


def _check_take(positions, frame_ids):
    positions = np.asarray(positions)
    if positions.ndim != 3:
        raise ValueError(
            f"positions has shape {positions.shape}; expected (n_frames, n_joints, n_coords)."
        )
    frame_ids = np.asarray(frame_ids)
    if frame_ids.shape != (len(positions),):
        raise ValueError(
            f"frame_ids has shape {frame_ids.shape} but positions has {len(positions)} frames; "
            f"expected shape ({len(positions)},)."
        )
    if not np.issubdtype(frame_ids.dtype, np.integer):
        raise ValueError(
            f"frame_ids has dtype {frame_ids.dtype}; expected integers, the frame ids of the "
            "take (read_mocap_csv(path, first_column='frame').frame_ids)."
        )
    backwards = np.diff(frame_ids) < 0
    if backwards.any():
        frame = int(np.argmax(backwards)) + 1
        raise ValueError(
            f"frame_ids[{frame}] = {frame_ids[frame]} comes after frame_ids[{frame - 1}] = "
            f"{frame_ids[frame - 1]}; frame ids must not decrease."
        )
    return positions, frame_ids


def cut_segments(positions, frame_ids, segments, *, take=None):
    """Cut the frames of one take into its labelled segments.

    Each segment holds the frames whose frame id lies in its range ``first..last``, both
    included, in the take's order. A range's ends need not be frame ids of the take (a recorder
    drops frames), but the range must lie within the take and hold at least one frame. With
    repeated frame ids (``read_mocap_csv(..., duplicate_frames="keep")``), every frame of a
    repeated id in the range is in the segment.

    Parameters
    ----------
    positions : array-like of shape (n_frames, n_joints, n_coords)
        The frames of the take, such as ``recording.positions`` of :func:`read_mocap_csv`.
    frame_ids : array-like of shape (n_frames,), int
        The frame id of each frame, in non-decreasing order (gaps and repeats allowed), such
        as ``recording.frame_ids`` of ``read_mocap_csv(path, first_column="frame")``.
    segments : SegmentTable or iterable of Segment
        The segments, as :func:`read_segments` returns them; only those of ``take`` are cut.
    take : str, optional
        The take ``positions`` holds. Default: the one take of ``segments``, which then must
        not name several.

    Returns
    -------
    cut : :class:`~sklearn.utils.Bunch`
        With the keys

        data : list of ndarray of shape (n_segment_frames, n_joints, n_coords)
            One array (a copy, of the dtype of ``positions``) per segment, in the order of
            ``segments``.
        target : ndarray of shape (n_segments,), str
            The label of each segment.
        groups : ndarray of shape (n_segments,), str
            The take of each segment, for group-aware splitting.
        frame_ids : list of ndarray
            The frame ids of the frames of each segment.
        segments : list of Segment
            The segments cut, in the same order.

    Raises
    ------
    ValueError
        If ``positions`` is not 3-D, ``frame_ids`` does not hold one integer per frame in
        non-decreasing order, ``segments`` holds something else than :class:`Segment`, names
        several takes while ``take`` is None, or does not name ``take``. If a segment has no
        range, a first frame after its last, a range that reaches beyond the frame ids of the
        take, or a range that holds no frame (it falls in a gap). The message names the
        segment, its take and, for segments read from a table, the line and the table.

    See Also
    --------
    read_segments : Read the segments from an annotation table.
    read_mocap_csv : Read a take, with its frame ids.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.io import Segment, cut_segments
    >>> positions = np.arange(6 * 2 * 3, dtype=np.float32).reshape(6, 2, 3)
    >>> frame_ids = np.array([10, 11, 11, 14, 15, 16])
    >>> segments = [Segment("take", "wave", 11, 13), Segment("take", "point", 14, 16)]
    >>> cut = cut_segments(positions, frame_ids, segments)
    >>> [segment.shape for segment in cut.data]
    [(2, 2, 3), (3, 2, 3)]
    >>> cut.target, cut.groups
    (array(['wave', 'point'], dtype='<U5'), array(['take', 'take'], dtype='<U4'))
    >>> cut.frame_ids[0]
    array([11, 11])
    """
    positions, frame_ids = _check_take(positions, frame_ids)
    filename = getattr(segments, "filename", None)
    named_takes = getattr(segments, "takes", None)
    segments = list(segments)
    for index, segment in enumerate(segments):
        if not isinstance(segment, Segment):
            raise ValueError(
                f"segments[{index}] is {type(segment).__name__} {segment!r}; expected a "
                "Segment (take, label, first, last, line), as read_segments returns them."
            )
    takes = list(dict.fromkeys(segment.take for segment in segments))
    if take is None:
        if len(takes) > 1:
            shown = ", ".join(map(repr, takes[:5])) + (", ..." if len(takes) > 5 else "")
            raise ValueError(
                f"segments come from {len(takes)} takes ({shown}); pass take=... to say which "
                "one positions holds."
            )
    else:
        if take not in takes and take not in (named_takes or ()):
            raise ValueError(
                f"take={take!r} is not a take of the segments; they name "
                f"{', '.join(map(repr, (named_takes or takes)[:10]))}"
                f"{', ...' if len(named_takes or takes) > 10 else ''}."
            )
        segments = [segment for segment in segments if segment.take == take]

    data, kept_ids = [], []
    for segment in segments:
        where = _where(segment, filename)
        if segment.first is None or segment.last is None:
            raise ValueError(f"{where} has no frame range; it cannot be cut.")
        if segment.first > segment.last:
            raise ValueError(
                f"{where} ends at frame {segment.last}, before it starts at frame {segment.first}."
            )
        if len(frame_ids) == 0 or segment.first < frame_ids[0] or segment.last > frame_ids[-1]:
            extent = f"frame ids {frame_ids[0]}-{frame_ids[-1]}" if len(frame_ids) else "no frame"
            raise ValueError(
                f"{where} spans frames {segment.first}-{segment.last}, beyond the take, which "
                f"has {extent}."
            )
        start = int(np.searchsorted(frame_ids, segment.first, side="left"))
        stop = int(np.searchsorted(frame_ids, segment.last, side="right"))
        if start == stop:
            raise ValueError(
                f"{where} spans frames {segment.first}-{segment.last}, but the take has no frame "
                f"there: its frame ids jump from {frame_ids[start - 1]} to {frame_ids[start]}."
            )
        data.append(positions[start:stop].copy())
        kept_ids.append(frame_ids[start:stop].copy())
    return Bunch(
        data=data,
        target=np.array([segment.label for segment in segments], dtype=str),
        groups=np.array([segment.take for segment in segments], dtype=str),
        frame_ids=kept_ids,
        segments=segments,
    )
