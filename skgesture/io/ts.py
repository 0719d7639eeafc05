"""Reader for the ``.ts`` time-series format of the UEA & UCR archives.

A ``.ts`` file holds ``#`` comment lines, a header of ``@`` tags (``@problemName``,
``@timeStamps``, ``@missing``, ``@univariate``, ``@dimensions``, ``@equalLength``,
``@seriesLength``, ``@classLabel`` or ``@targetLabel``), then ``@data`` and one line per series:
its dimensions separated by ``:``, each a ``,``-separated list of values (``?`` for a missing
value), followed by the class label (or regression target) when the header declares one.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._text import file_error, read_bytes, whole_number

__all__ = ["read_ts"]

_BOOLEAN_TAGS = {
    "timestamps": "timeStamps",
    "missing": "missing",
    "univariate": "univariate",
    "equallength": "equalLength",
}
_INTEGER_TAGS = {"dimensions": "dimensions", "serieslength": "seriesLength"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)


class _Header:
    """The tags read before ``@data``, checked as they come."""

    def __init__(self, path):
        self.path = path
        self.metadata = {}
        self.class_labels = None
        self.has_class = False
        self.has_target = False

    def error(self, line_number, message):
        return file_error(self.path, message, line=line_number)

    def read_tag(self, line_number, text):
        tag, *values = text.split()
        key = tag[1:].lower()
        if key == "problemname":
            self.metadata["problemName"] = " ".join(values)
        elif key in _BOOLEAN_TAGS:
            value = self._boolean(line_number, tag, values)
            if key == "timestamps" and value:
                raise self.error(
                    line_number,
                    "@timeStamps true is not supported; only files whose series are plain "
                    "value lists (@timeStamps false) can be read.",
                )
            self.metadata[_BOOLEAN_TAGS[key]] = value
        elif key in _INTEGER_TAGS:
            value = whole_number(values[0]) if len(values) == 1 else None
            if value is None or value < 1:
                raise self.error(
                    line_number, f"{tag} must be followed by one positive integer, got {values}."
                )
            self.metadata[_INTEGER_TAGS[key]] = value
        elif key == "classlabel":
            self.has_class = self._boolean(line_number, tag, values[:1])
            self.metadata["classLabel"] = self.has_class
            if self.has_class:
                if len(values) < 2:
                    raise self.error(line_number, "@classLabel true must list the class labels.")
                self.class_labels = values[1:]
            elif len(values) > 1:
                raise self.error(line_number, "@classLabel false cannot list class labels.")
        elif key == "targetlabel":
            self.has_target = self._boolean(line_number, tag, values)
            self.metadata["targetLabel"] = self.has_target
        else:
            self.metadata[tag[1:]] = " ".join(values)
        if self.has_class and self.has_target:
            raise self.error(
                line_number, "a file cannot declare both @classLabel and @targetLabel."
            )

    def _boolean(self, line_number, tag, values):
        if len(values) != 1 or values[0].lower() not in ("true", "false"):
            raise self.error(line_number, f"{tag} must be followed by true or false, got {values}.")
        return values[0].lower() == "true"

    @property
    def n_dimensions(self):
        if "dimensions" in self.metadata:
            return self.metadata["dimensions"]
        if self.metadata.get("univariate"):
            return 1
        return None


def _parse_values(header, line_number, dimension, text):
    values = []
    for position, token in enumerate(text.split(",")):
        token = token.strip()
        if token == "?":
            values.append(math.nan)
            continue
        where = f"dimension {dimension}, value {position}"
        try:
            # Python's float() also reads digit-grouping underscores (1_000); .ts files do not.
            if "_" in token:
                raise ValueError(token)
            value = float(token)
        except ValueError:
            raise header.error(
                line_number,
                f"{where}: {token!r} is not a number (missing values are written '?').",
            ) from None
        if math.isnan(value) and not header.metadata.get("missing"):
            raise header.error(
                line_number,
                f"{where}: {token!r} is not a number; the format writes missing values as '?' "
                "(a NaN is read as missing only in files that declare @missing true).",
            )
        # Series are stored as float32, where a larger value would become infinite.
        if math.isinf(value) or abs(value) > _FLOAT32_MAX:
            raise header.error(
                line_number,
                f"{where}: {token!r} is infinite or beyond float32's range; values must be "
                "finite (missing values are written '?').",
            )
        values.append(value)
    return values


def _parse_series(header, line_number, text, n_dimensions):
    fields = text.split(":")
    label = None
    if header.has_class or header.has_target:
        if len(fields) < 2:
            raise header.error(line_number, "the series has no label after its values.")
        *fields, label = fields
        label = label.strip()
        if header.has_class and label not in header.class_labels:
            raise header.error(
                line_number,
                f"class label {label!r} is not among the declared labels {header.class_labels}.",
            )
        if header.has_target:
            try:
                # Python's float() also reads digit-grouping underscores (1_000).
                if "_" in label:
                    raise ValueError(label)
                target = float(label)
            except ValueError:
                raise header.error(
                    line_number, f"target value {label!r} is not a number."
                ) from None
            if not math.isfinite(target):
                raise header.error(
                    line_number,
                    f"target value {label!r} is not finite; regression targets must be finite "
                    "numbers.",
                )
            label = target
    if n_dimensions is not None and len(fields) != n_dimensions:
        raise header.error(
            line_number, f"the series has {len(fields)} dimensions, expected {n_dimensions}."
        )
    values = [
        _parse_values(header, line_number, dimension, field)
        for dimension, field in enumerate(fields)
    ]
    n_frames = len(values[0])
    for dimension, dimension_values in enumerate(values[1:], start=1):
        if len(dimension_values) != n_frames:
            raise header.error(
                line_number,
                f"dimension {dimension} has {len(dimension_values)} values but dimension 0 has "
                f"{n_frames}; all dimensions of a series must have the same length.",
            )
    series = np.ascontiguousarray(np.asarray(values, dtype=np.float32).T)
    return series, label


def read_ts(path):
    """Read a UEA/UCR ``.ts`` file.

    Equal- and unequal-length, univariate and multivariate files are read, with class labels
    (``@classLabel true ...``), regression targets (``@targetLabel true``) or neither. Missing
    values ``?`` become NaN (even when the header says ``@missing false``); a ``NaN`` written
    as such is read as missing only under ``@missing true``, and infinite values (or values
    beyond float32's range) are refused, as are regression targets that are not finite.
    Comment and header lines may hold any bytes (they are decoded leniently, as NATOPS holds a
    stray byte in a comment); data lines must be ASCII.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file; it is only read.

    Returns
    -------
    Bunch
        data : list of ndarray of shape (n_frames_i, n_dimensions), float32
            One array per series, always a list (even for equal-length files), frames first.
            Stack it with ``np.stack(bunch.data)`` when the series have equal lengths.
        target : ndarray of str, ndarray of float or None
            The class label of each series (as written in the file), the regression target
            (``@targetLabel true``), or None when the file has neither.
        class_labels : list of str or None
            The labels declared by ``@classLabel``, in the file's order.
        metadata : dict
            The header tags: ``problemName`` (str), ``timeStamps``, ``missing``, ``univariate``,
            ``equalLength``, ``classLabel``, ``targetLabel`` (bool), ``dimensions``,
            ``seriesLength`` (int), when present; unknown tags are kept as strings.

    Raises
    ------
    ValueError
        ``@timeStamps true``, a missing ``@data`` tag, data before ``@data``, a series whose
        number of dimensions or length disagrees with the header or with the other series, a
        non-numeric or infinite value (or ``NaN`` without ``@missing true``), a regression
        target that is not a finite number, a class label that is not declared, or non-ASCII
        data. The message names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgesture.io.ts import read_ts
    >>> text = "@problemName toy\\n@timeStamps false\\n@classLabel true a b\\n@data\\n"
    >>> text += "1,2,3:4,5,6:a\\n7,?,9:1,2,3:b\\n"
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "toy.ts"
    >>> _ = path.write_text(text)
    >>> bunch = read_ts(path)
    >>> bunch.data[1].shape, bunch.target.tolist(), bunch.class_labels
    ((3, 2), ['a', 'b'], ['a', 'b'])
    >>> bunch.data[1][1]
    array([nan,  2.], dtype=float32)
    """
    path = Path(path)
    header = _Header(path)
    data, targets = [], []
    in_data = False
    n_dimensions = length = None
    raw = read_bytes(path)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_error(path, "is UTF-16 text; a .ts file is ASCII (or UTF-8) text.")
    for line_number, raw_line in enumerate(raw.removeprefix(b"\xef\xbb\xbf").splitlines(), 1):
        raw_line = raw_line.strip()
        if not raw_line or raw_line.startswith(b"#"):
            continue
        if not in_data:
            # Header values such as @problemName may carry stray bytes; data may not.
            text = raw_line.decode("utf-8", errors="replace")
            if not text.startswith("@"):
                raise header.error(
                    line_number, "data before the @data tag (header lines start with '@')."
                )
            if text.split()[0].lower() == "@data":
                in_data = True
                n_dimensions = header.n_dimensions
            else:
                header.read_tag(line_number, text)
            continue
        try:
            text = raw_line.decode("ascii")
        except UnicodeDecodeError:
            raise header.error(line_number, "non-ASCII bytes in a data line.") from None
        series, target = _parse_series(header, line_number, text, n_dimensions)
        if header.metadata.get("equalLength"):
            # Without @seriesLength, the first series sets the length for the others.
            length = length or header.metadata.get("seriesLength", len(series))
            if len(series) != length:
                raise header.error(
                    line_number,
                    f"the series has {len(series)} values per dimension, but the file declares "
                    f"@equalLength true with series of length {length}.",
                )
        n_dimensions = series.shape[1]
        data.append(series)
        targets.append(target)
    if not in_data:
        raise file_error(path, "no @data tag; is this a .ts file?")
    if not data:
        raise file_error(path, "no series after the @data tag.")
    if header.has_class:
        target = np.asarray(targets, dtype=str)
    elif header.has_target:
        target = np.asarray(targets, dtype=np.float64)
    else:
        target = None
    return Bunch(
        data=data,
        target=target,
        class_labels=header.class_labels,
        metadata=header.metadata,
    )
