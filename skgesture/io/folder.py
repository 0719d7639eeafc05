"""Load a folder of recordings (MocapLab CSV, BVH, C3D, 2-D keypoints), with their labels."""

from __future__ import annotations

import os
import sys
import unicodedata
import warnings
from collections.abc import Mapping
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skgesture.io._text import file_error, plural
from skgesture.io.bvh import read_bvh
from skgesture.io.c3d import read_c3d
from skgesture.io.keypoints import is_keypoint_csv, read_keypoints
from skgesture.io.labels import LabelTable, read_labels
from skgesture.io.mocap_csv import MISSING_POLICIES, check_missing_policy, read_mocap_csv

__all__ = ["load_mocap_folder"]


def _stem_key(stem):
    # macOS stores file names decomposed (NFD), tables hold them composed (NFC): compare as NFC.
    return unicodedata.normalize("NFC", str(stem))


_READERS = {
    "read_mocap_csv": read_mocap_csv,
    "read_bvh": read_bvh,
    "read_c3d": read_c3d,
    "read_keypoints": read_keypoints,
}


#: The extensions (lower case) of the files some reader reads: what ``pattern=None`` keeps.
RECORDING_SUFFIXES = (".csv", ".bvh", ".c3d", ".json", ".tsv")


def _reader_name(path):
    """The name of the reader of a file, from its extension."""
    suffix = path.suffix.lower()
    if suffix == ".bvh":
        return "read_bvh"
    if suffix == ".c3d":
        return "read_c3d"
    if suffix == ".json" or (suffix == ".csv" and is_keypoint_csv(path)):
        return "read_keypoints"
    if suffix in (".csv", ".tsv"):  # .tsv: Qualisys QTM exports
        return "read_mocap_csv"
    raise file_error(
        path,
        f"no reader knows the extension {path.suffix!r}; recordings are .csv (MocapLab, other "
        "exporters' layouts or keypoint tables), .tsv (Qualisys), .bvh, .c3d or .json "
        "(keypoints) files. Pass a pattern that "
        "matches only recordings.",
    )


def _check_patterns(pattern):
    """``pattern`` as a list of globs relative to the folder, or None for every recording."""
    if pattern is None:
        return None
    patterns = [pattern] if isinstance(pattern, str) else pattern
    if not isinstance(patterns, list | tuple) or not patterns:
        patterns = [None]
    for one in patterns:
        parts = Path(one).parts if isinstance(one, str) else ()
        if not parts or Path(one).is_absolute() or ".." in parts:
            raise ValueError(
                f"pattern must be a glob pattern relative to the folder, such as '*.csv' or "
                f"'**/*.csv', a list of them, or None (every recording); got {pattern!r}."
            )
    return patterns


def _find_recordings(folder, patterns, pattern):
    """The files of ``folder`` that ``patterns`` match (None: every recording in the folder
    itself), sorted by their paths relative to ``folder``."""
    if patterns is None:
        # Hidden files are left out: macOS writes '._name.csv' companions that are no CSV.
        found = {
            path
            for path in folder.iterdir()
            if path.suffix.lower() in RECORDING_SUFFIXES
            and not path.name.startswith(".")
            and path.is_file()
        }
    else:
        try:
            found = {path for one in patterns for path in folder.glob(one) if path.is_file()}
        except ValueError as error:  # pathlib refuses '***' and the like only while globbing
            raise ValueError(f"pattern={pattern!r} is not a valid glob pattern: {error}.") from None
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def _check_verbose(verbose):
    if not isinstance(verbose, Integral):
        raise TypeError(f"verbose must be an integer; got {type(verbose).__name__} {verbose!r}.")
    if verbose < 0:
        raise ValueError(f"verbose must be 0 (silent) or more; got {verbose!r}.")
    return int(verbose)


def _check_read_options(read_options):
    if read_options is None:
        return {}
    if not isinstance(read_options, Mapping):
        raise TypeError(
            "read_options must map reader names to keyword arguments, such as "
            f"{{'read_c3d': {{'markers': ['LASI', 'RASI']}}}}; got {read_options!r}."
        )
    for name, options in read_options.items():
        if name not in _READERS:
            raise ValueError(
                f"read_options names the reader {name!r}; the readers are "
                f"{', '.join(map(repr, _READERS))}."
            )
        if not isinstance(options, Mapping):
            raise TypeError(f"read_options[{name!r}] must be a mapping of keyword arguments.")
        if "missing" in options:
            raise ValueError(
                f"read_options[{name!r}] sets missing; pass missing= to load_mocap_folder."
            )
    return read_options


def _read_recording(path, missing, read_options):
    """Read one recording with the reader of its extension."""
    name = _reader_name(path)
    options = dict(read_options.get(name, {}))
    if name != "read_bvh":  # BVH files have no missing values
        options["missing"] = missing
    return _READERS[name](path, **options)


def _read_recordings(files, missing, read_options, verbose):
    """Read every file; with ``verbose``, a tqdm progress bar on stderr (one line per file
    when tqdm, the ``progress`` extra, is not installed)."""
    if not verbose:
        return [_read_recording(path, missing, read_options) for path in files]
    try:
        from tqdm.auto import tqdm
    except ImportError:
        recordings = []
        for index, path in enumerate(files, start=1):
            print(f"Reading recording {index}/{len(files)}: {path.name}", file=sys.stderr)
            recordings.append(_read_recording(path, missing, read_options))
        return recordings
    recordings = []
    with tqdm(total=len(files), desc="Reading recordings", unit="file", file=sys.stderr) as bar:
        for path in files:
            bar.set_postfix_str(path.name, refresh=False)
            recordings.append(_read_recording(path, missing, read_options))
            bar.update()
    return recordings


def _check_same_coordinates(recordings):
    n_coords = recordings[0].positions.shape[2]
    for recording in recordings[1:]:
        if recording.positions.shape[2] != n_coords:
            raise file_error(
                recording.filename,
                f"has {recording.positions.shape[2]} coordinates per joint, but "
                f"{recordings[0].filename!r} has {n_coords}; a dataset does not mix 2-D "
                "keypoints and 3-D positions.",
            )


def _check_same_joints(recordings):
    reference = recordings[0]
    for recording in recordings[1:]:
        names, expected = recording.joint_names, reference.joint_names
        if names == expected:
            continue
        if len(names) != len(expected):
            difference = f"{len(names)} joints, but {len(expected)}"
        else:
            joint = next(k for k, (a, b) in enumerate(zip(names, expected)) if a != b)
            difference = f"joint {joint} named {names[joint]!r}, but {expected[joint]!r}"
        raise file_error(
            recording.filename,
            f"has {difference} in {reference.filename!r}; all recordings of a folder must "
            "share their joints.",
        )


def load_mocap_folder(
    folder,
    labels=None,
    *,
    missing="raise",
    return_X_y=False,
    pattern=None,
    read_options=None,
    verbose=0,
):
    """Load every recording of a folder, with its label, as a dataset.

    Each file is read by the reader of its extension, so one folder may mix formats:
    ``.csv`` with :func:`read_mocap_csv` (or :func:`read_keypoints` when its header names
    ``<joint>_x`` and ``<joint>_y`` columns), ``.bvh`` with :func:`read_bvh`, ``.c3d`` with
    :func:`read_c3d` and ``.json`` with :func:`read_keypoints`; every recording must have the
    same joints and the same number of coordinates. By default every such file of the folder
    itself is read (not those of its subfolders). Recordings are read in the order of their
    file names (their paths relative to ``folder``, compared character by character), so the
    order is the same on every machine. A recording's label is the table's label of its file
    stem (the file name without its extension; Unicode names are compared in NFC form, so
    names written by macOS match those typed in a table).

    Parameters
    ----------
    folder : str or path-like
        The folder.
    labels : str, path-like or mapping, optional
        The annotation table (read with :func:`read_labels`, default columns ``Nom.csv`` and
        ``Mono/Bi``; call it yourself for other columns and pass the result), or a mapping
        from file stem to label. The table given by path, or the one a :class:`LabelTable`
        was read from, is not read as a recording even where it lies in ``folder`` and
        matches ``pattern`` (as ``Annotation_gloses.csv`` does); any other file matching
        ``pattern`` is.
    missing : {"raise", "interpolate", "drop"}, default="raise"
        What to do with missing positions (blank CSV cells, occluded C3D markers, keypoints
        not detected); see :func:`read_mocap_csv`. BVH files have none.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch.
    pattern : str or sequence of str, optional
        Glob pattern of the recordings, relative to ``folder`` (``"*.bvh"``; ``"**/*.csv"``
        also searches subfolders), or several (``("*.bvh", "*.c3d")``); absolute patterns
        and ``..`` are refused. A matching file whose extension no reader knows is refused.
        By default (None), every file of ``folder`` whose extension a reader knows
        (``.csv``, ``.bvh``, ``.c3d``, ``.json``, ``.tsv``, in any case) is read, other files and
        hidden files (whose names start with ``.``) are skipped, and subfolders are not
        searched.
    read_options : mapping, optional
        Keyword arguments of the readers, by reader name: ``{"read_c3d": {"markers":
        ["LASI", "RASI"]}, "read_keypoints": {"confidence_threshold": 0.3}}``. ``missing``
        is set for all by the argument of that name.
    verbose : int, default=0
        0 reads silently; 1 or more shows a progress bar over the files on stderr (with
        ``tqdm``, installed by ``pip install 'skgesture[progress]'``; without it, one line
        per file).

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        With the keys

        data : list of ndarray of shape (n_frames_i, n_joints, n_coords), float32
            The recordings (a ragged dataset, see ``docs/conventions.md``).
        target : ndarray of shape (n_recordings,), dtype object
            Each recording's label as written in the table, or the integer ``-1`` for a
            recording without one (scikit-learn's convention for unlabelled samples). All
            ``-1`` when ``labels`` is None.
        filenames : list of str
            The recordings' paths.
        joint_names : list of str
            The joints, shared by all recordings.
        times : list of ndarray of shape (n_frames_i,), float64
            Each recording's time column.
        unmatched_labels : list of str
            Stems that have a label but no recording, sorted; they are also reported by a
            ``UserWarning``.
        skeleton : :class:`~skgesture.skeleton.Skeleton` or None
            The topology the first recording's reader gives (BVH files, keypoints), else
            None.

    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If ``folder`` (or the label table) does not exist; ``NotADirectoryError`` if
        ``folder`` is a file.
    TypeError
        If ``return_X_y`` is not a bool, ``missing`` not a string, ``read_options`` not a
        mapping of mappings or ``verbose`` not an integer.
    ValueError
        If ``missing`` is not one of its policies, ``pattern`` leaves the folder, ``verbose``
        is negative, a label in a mapping is None, no file matches ``pattern`` (by default:
        the folder holds no recording), a recording or the label table is malformed (the
        message names the file), or two recordings have different joints or numbers of
        coordinates (the message names the first file that differs).

    See Also
    --------
    read_mocap_csv : Read one recording.
    read_labels : Read an annotation table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from skgesture.io import load_mocap_folder, write_mocap_csv
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name, n_frames in [("Avion", 3), ("Venir", 4), ("Bonjour", 2)]:
    ...     _ = write_mocap_csv(folder / f"{name}.csv", np.zeros((n_frames, 2, 3)))
    >>> table = folder / "Annotation_gloses.csv"
    >>> _ = table.write_text("Nom.csv\\tMono/Bi\\nAvion\\tBi\\nVenir\\tMono\\n")
    >>> dataset = load_mocap_folder(folder, labels=table)
    >>> [pathlib.Path(name).stem for name in dataset.filenames]
    ['Avion', 'Bonjour', 'Venir']
    >>> dataset.target
    array(['Bi', -1, 'Mono'], dtype=object)
    >>> [recording.shape for recording in dataset.data]
    [(3, 2, 3), (2, 2, 3), (4, 2, 3)]
    """
    if not isinstance(return_X_y, bool | np.bool_):
        raise TypeError(f"return_X_y must be True or False; got {return_X_y!r}.")
    if not isinstance(missing, str):
        raise TypeError(
            f"missing must be one of the strings {', '.join(map(repr, MISSING_POLICIES))}; "
            f"got {type(missing).__name__} {missing!r}."
        )
    check_missing_policy(missing)
    folder = Path(folder)
    if not folder.is_dir():
        if not folder.exists():
            raise FileNotFoundError(f"No such folder: {os.fspath(folder)!r}")
        raise NotADirectoryError(f"Not a folder: {os.fspath(folder)!r}")
    patterns = _check_patterns(pattern)
    verbose = _check_verbose(verbose)
    if labels is None:
        labels = {}
    elif isinstance(labels, str | os.PathLike):
        labels = read_labels(labels)
    elif not isinstance(labels, Mapping):
        raise ValueError(
            "labels must be the path of an annotation table, a mapping from file stem to "
            f"label, or None; got {type(labels).__name__}."
        )
    # The table the labels were read from is not a recording, even where it matches pattern.
    label_path = labels.filename if isinstance(labels, LabelTable) else None
    if label_path is not None and not os.path.isfile(label_path):
        label_path = None

    files = _find_recordings(folder, patterns, pattern)
    if label_path is not None:
        files = [path for path in files if not os.path.samefile(path, label_path)]
    if not files:
        besides = " besides the label table" if label_path is not None else ""
        if patterns is not None:
            raise ValueError(
                f"No file in {os.fspath(folder)!r} matches pattern={pattern!r}{besides}."
            )
        raise ValueError(
            f"No file in {os.fspath(folder)!r} is a recording ({', '.join(RECORDING_SUFFIXES)})"
            f"{besides}; subfolders are searched only by a pattern such as '**/*.csv'."
        )
    read_options = _check_read_options(read_options)
    recordings = _read_recordings(files, missing, read_options, verbose)
    _check_same_joints(recordings)
    _check_same_coordinates(recordings)

    unset = [stem for stem, label in labels.items() if label is None]
    if unset:
        raise ValueError(
            f"labels[{unset[0]!r}] is None; leave a file out of labels to mark its recording "
            "unlabelled (-1)."
        )
    label_of = {_stem_key(stem): label for stem, label in labels.items()}
    target = np.empty(len(files), dtype=object)
    target[:] = [label_of.get(_stem_key(path.stem), -1) for path in files]
    unmatched = sorted(set(label_of) - {_stem_key(path.stem) for path in files})
    if unmatched:
        shown = ", ".join(map(repr, unmatched[:10]))
        warnings.warn(
            f"{plural(len(unmatched), 'labelled file')} missing from {os.fspath(folder)!r}: "
            f"{shown}{', ...' if len(unmatched) > 10 else ''}; see unmatched_labels.",
            UserWarning,
            stacklevel=2,
        )
    data = [recording.positions for recording in recordings]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        filenames=[recording.filename for recording in recordings],
        joint_names=recordings[0].joint_names,
        times=[recording.times for recording in recordings],
        unmatched_labels=unmatched,
        skeleton=recordings[0].get("skeleton"),
    )
