"""Read C3D marker files (the binary format of Vicon, Qualisys, Motion Analysis, ...) via ezc3d.

Each marker becomes a joint, named by its label. Capture systems mark an occluded marker in
one of three ways, all read as a missing point: NaN coordinates, coordinates that are exactly
zero, or a negative residual. ``ezc3d`` is an optional dependency (``pip install
skgesture[c3d]``), imported only when a file is read.

ezc3d is a compiled library that trusts the lengths and counts written in a file: one damaged
byte in the parameter section (the number of dimensions of ANALOG:GEN_SCALE, say) made it read
out of bounds and kill the Python process. :func:`read_c3d` therefore walks the header and the
parameter section in pure Python before ezc3d sees the file (``_c3d_structure``) and refuses
whatever would lead ezc3d astray with a ``ValueError`` naming the file, the byte and the
parameter. The walk costs about 0.1 ms a file, against 0.5 ms for ezc3d's reading of a small
one. Reading through a child process as a second line of defence was measured and left out: a
``spawn`` child imports numpy and ezc3d again, about 0.9 s a file; a ``forkserver`` answers in
20 ms once started, but is process-wide state, POSIX-only, and not allowed inside the daemonic
workers of a multiprocessing pool. The check is held to its word by
``tests/test_io_c3d_hostile.py``, which damages every byte of the header and parameters of two
files, one at a time, and reads each in a child process.
"""

from __future__ import annotations

import difflib
import os

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._c3d_structure import check_c3d_structure
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


def _text(path, parameters, group, name):
    """The strings of a text parameter, ``[]`` where the file lacks it."""
    value = parameters[group].get(name, {}).get("value", [])
    if not isinstance(value, list):
        raise file_error(path, f"{group}:{name} holds numbers where C3D writes text.")
    return value


def _labels(path, parameters, n_markers):
    """Marker labels: POINT:LABELS, then LABELS2, LABELS3, ... for files with many markers."""
    point = parameters["POINT"]
    labels = []
    for key in ["LABELS"] + [f"LABELS{k}" for k in range(2, 100)]:
        if key not in point:
            break
        labels += [label.strip() for label in _text(path, parameters, "POINT", key)]
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
        If the file is not a C3D file ezc3d can read, is damaged (its structure is checked
        before ezc3d reads it, so that a damaged file cannot crash the process; the message
        names the byte and the parameter at fault), holds no marker or no frame, has two
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
    check_c3d_structure(path)
    ezc3d = _import_ezc3d()
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
    units = _text(path, parameters, "POINT", "UNITS") or [""]
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
        units=units[0].strip(),
    )
