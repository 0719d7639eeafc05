"""Read C3D marker files (the binary format of Vicon, Qualisys, Motion Analysis, ...) via ezc3d.

Each marker becomes a joint, named by its label. Capture systems mark an occluded marker in
one of three ways, all read as a missing point: NaN coordinates, coordinates that are exactly
zero, or a negative residual. ``ezc3d`` is an optional dependency (``pip install
skgesture[c3d]``), imported only when a file is read.

ezc3d is a compiled library: a damaged file can crash the Python process rather than raise an
error. :func:`read_c3d` first checks the header block and the file's length, which catches
files that are not C3D or are cut short (the common damage, and one on which ezc3d crashes or
hangs); a file damaged inside its parameter section can still crash it, so read untrusted
files in a separate process.
"""

from __future__ import annotations

import difflib
import os

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._missing import apply_missing_policy
from skgesture.io._text import file_error
from skgesture.io.mocap_csv import check_missing_policy

__all__ = ["read_c3d"]

_MISSING_MARKS = "NaN, zeros or a negative residual"


def _import_ezc3d():
    try:
        import ezc3d
    except ImportError as error:
        raise ImportError(
            "Reading C3D files needs the optional dependency ezc3d; install it with "
            "`pip install skgesture[c3d]` (or `pip install ezc3d`)."
        ) from error
    return ezc3d


def _check_structure(path):
    """Refuse a file that is not C3D or is cut short, before ezc3d reads it.

    ezc3d may crash or hang on such files. The check reads the 512-byte header block: the
    C3D key (0x50), where the parameters and the frames start, and, from the numbers of points,
    analog values and frames and the storage (integers when POINT:SCALE is positive, floats
    otherwise), how long the file must at least be.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as file:
        header = file.read(512)
        if len(header) < 512 or header[1] != 0x50:
            raise file_error(path, "is not a C3D file (no C3D key in its first block).")
        if header[0] < 2:
            raise file_error(path, f"is damaged: its parameters start in block {header[0]}.")
        file.seek((header[0] - 1) * 512)
        parameters = file.read(4)
    if len(parameters) < 4:
        raise file_error(path, "is damaged or cut short: its parameters lie beyond its end.")
    # Intel and DEC files store integers little-endian, MIPS files big-endian.
    byteorder = {84: "<", 85: "<", 86: ">"}.get(parameters[3])
    if byteorder is None:
        raise file_error(path, f"is damaged: unknown processor type {parameters[3]}.")
    words = np.frombuffer(header[:20], dtype=f"{byteorder}u2").astype(np.int64)
    n_points, n_analog, first, last, data_block = words[[1, 2, 3, 4, 8]]
    # The sign bit of POINT:SCALE, in each processor's float layout.
    sign_byte = {84: 15, 85: 13, 86: 12}[parameters[3]]
    value_size = 4 if header[sign_byte] & 0x80 else 2
    needed = (data_block - 1) * 512 + max(last - first + 1, 0) * (4 * n_points + n_analog) * (
        value_size
    )
    if data_block < 2 or needed > size:
        raise file_error(
            path,
            f"is cut short or damaged: its header announces at least {needed} bytes, the file "
            f"has {size}.",
        )


def _labels(path, parameters, n_markers):
    """Marker labels: POINT:LABELS, then LABELS2, LABELS3, ... for files with many markers."""
    point = parameters["POINT"]
    labels = []
    for key in ["LABELS"] + [f"LABELS{k}" for k in range(2, 100)]:
        if key not in point:
            break
        labels += [str(label).strip() for label in point[key]["value"]]
    labels = labels[:n_markers]
    labels += [f"marker_{k}" for k in range(len(labels), n_markers)]
    labels = [label or f"marker_{k}" for k, label in enumerate(labels)]
    seen = {}
    for index, label in enumerate(labels):
        if label in seen:
            raise file_error(
                path,
                f"markers {seen[label]} and {index} are both labelled {label!r}; marker labels "
                "must be unique.",
            )
        seen[label] = index
    return labels


def _select(path, labels, markers):
    if markers is None:
        return list(range(len(labels)))
    if isinstance(markers, str):
        raise ValueError("markers must be a list of marker labels, not one string.")
    markers = list(markers)
    if not markers:
        raise ValueError("markers is empty; pass None to keep every marker.")
    indices = []
    for name in markers:
        if name not in labels:
            # Labels often carry the subject's name as a prefix ("Subject:LASI").
            same = [label for label in labels if label.rsplit(":", 1)[-1] == str(name)]
            close = same or difflib.get_close_matches(str(name), labels, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise file_error(path, f"has no marker labelled {name!r}.{hint}")
        if labels.index(name) in indices:
            raise ValueError(f"markers holds {name!r} twice.")
        indices.append(labels.index(name))
    return indices


def read_c3d(path, *, markers=None, missing="raise"):
    """Read the markers of a C3D file as a recording.

    Parameters
    ----------
    path : str or path-like
        The C3D file.
    markers : list of str, optional
        Labels of the markers to keep, in the order wanted; default every marker, in the
        file's order.
    missing : {"raise", "interpolate", "drop"}, default="raise"
        What to do with missing points (a marker whose coordinates are NaN or all exactly zero,
        or whose residual is negative), as for the blank cells of a CSV file (see
        :func:`read_mocap_csv`): refuse the file naming the markers and frames, interpolate
        each coordinate linearly in time, or drop the frames that have one. Only the kept
        markers count.

    Returns
    -------
    recording : :class:`~sklearn.utils.Bunch`
        With the keys

        positions : ndarray of shape (n_frames, n_markers, 3), float32
            The x, y, z of each marker in each frame, in the file's units.

        joint_names : list of str
            The marker labels (surrounding spaces removed).

        times : ndarray of shape (n_frames,), float64
            ``arange(n_frames) / frame_rate``, from the first frame of the file.

        filename : str
            ``path`` as a string.

        frame_rate : float
            Frames per second (``POINT:RATE``).

        units : str
            ``POINT:UNITS`` (usually ``"mm"``), ``""`` when the file does not say.

    Raises
    ------
    ImportError
        If ezc3d is not installed.
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a C3D file ezc3d can read, holds no marker or no frame, has two
        markers with the same label, lacks a marker asked for, or has missing points and
        ``missing="raise"``; the message names the file.

    See Also
    --------
    read_mocap_csv : MocapLab CSV recordings.
    load_mocap_folder : Read a folder of recordings (``.c3d`` files among them).
    """
    check_missing_policy(missing)
    if not os.path.isfile(path):
        if not os.path.exists(path):
            raise FileNotFoundError(f"No such file: {os.fspath(path)!r}")
        raise IsADirectoryError(f"Not a file: {os.fspath(path)!r}")
    ezc3d = _import_ezc3d()
    _check_structure(path)
    try:
        content = ezc3d.c3d(os.fspath(path))
    except (OSError, RuntimeError, ValueError, IndexError) as error:
        raise file_error(path, f"is not a C3D file ezc3d can read ({error}).") from None
    points = np.asarray(content["data"]["points"], dtype=np.float64)  # (4, markers, frames)
    n_markers, n_frames = points.shape[1:]
    if n_markers == 0 or n_frames == 0:
        raise file_error(path, f"holds {n_markers} markers and {n_frames} frames; no recording.")
    parameters = content["parameters"]
    labels = _labels(path, parameters, n_markers)
    keep = _select(path, labels, markers)
    positions = points[:3, keep].transpose(2, 1, 0)  # (frames, markers, 3)
    residuals = content["data"]["meta_points"].get("residuals")
    occluded = np.isnan(positions).any(axis=2) | (positions == 0).all(axis=2)
    if residuals is not None and np.size(residuals):
        occluded |= np.asarray(residuals)[0, keep].T < 0
    positions = np.where(occluded[:, :, None], np.nan, positions)
    frame_rate = float(np.ravel(parameters["POINT"]["RATE"]["value"])[0])
    if not (np.isfinite(frame_rate) and frame_rate > 0):
        raise file_error(path, f"POINT:RATE is {frame_rate}; expected a positive frame rate.")
    units = parameters["POINT"].get("UNITS", {}).get("value") or [""]
    names = [labels[index] for index in keep]
    times = np.arange(n_frames) / frame_rate
    positions, times = apply_missing_policy(path, positions, times, names, missing, _MISSING_MARKS)
    with np.errstate(over="ignore"):
        positions = positions.astype(np.float32)
    if np.isinf(positions).any():
        raise file_error(path, "marker positions exceed float32's range.")
    return Bunch(
        positions=positions,
        joint_names=names,
        times=times,
        filename=os.fspath(path),
        frame_rate=frame_rate,
        units=str(units[0]).strip(),
    )
