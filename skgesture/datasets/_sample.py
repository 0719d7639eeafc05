"""A folder of MocapLab-format CSV recordings with their annotation table."""

import os
from importlib import resources
from numbers import Integral
from pathlib import Path

from sklearn.utils._param_validation import Interval, validate_params

from skgesture.datasets._generator import make_gestures
from skgesture.io.mocap_csv import write_mocap_csv

__all__ = ["load_sample_mocap", "make_sample_mocap_folder"]

#: Name of the annotation table, as in the paper's data.
LABEL_TABLE = "Annotation_gloses.csv"


def load_sample_mocap():
    """Path of the sample MocapLab folder shipped with skgesture.

    The folder holds 20 recordings ``gesture_000.csv`` ... ``gesture_019.csv`` in MocapLab's
    CSV layout (79 joints, 40 to 60 frames at 25 Hz, positions in centimetres) and the
    annotation table ``Annotation_gloses.csv`` (tab-separated, columns ``Nom.csv`` and
    ``Mono/Bi``) labelling each of them ``Mono`` or ``Bi``. It was written by
    ``make_sample_mocap_folder(path)`` with its defaults (see
    :func:`make_sample_mocap_folder`); read it with :func:`skgesture.io.load_mocap_folder`.
    The files are part of the installed package: read them, do not write there.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from skgesture.datasets import load_sample_mocap
    >>> from skgesture.io import load_mocap_folder
    >>> folder = load_sample_mocap()
    >>> sample = load_mocap_folder(folder, labels=folder / "Annotation_gloses.csv")
    >>> len(sample.data), sample.data[0].shape[1:], sorted(set(sample.target))
    (20, (79, 3), ['Bi', 'Mono'])
    """
    return Path(resources.files(__package__) / "data" / "sample_mocap")


@validate_params(
    {
        "path": [str, os.PathLike],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "min_frames": [Interval(Integral, 10, None, closed="left")],
        "max_frames": [Interval(Integral, 10, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sample_mocap_folder(path, n_samples=20, *, min_frames=40, max_frames=60, random_state=0):
    """Write a folder of MocapLab-format CSV recordings and their annotation table.

    The recordings come from :func:`~skgesture.datasets.make_gestures` (two classes, ``Mono``
    and ``Bi``, 79 joints, 25 Hz) and are written with :func:`skgesture.io.write_mocap_csv`
    as ``gesture_000.csv``, ``gesture_001.csv``...; ``Annotation_gloses.csv`` (tab-separated,
    columns ``Nom.csv`` and ``Mono/Bi``) gives each file stem its label. The defaults write
    the folder shipped with skgesture (:func:`load_sample_mocap`), whose recordings are kept
    short (at most 60 frames) to keep the package small; pass ``max_frames=100`` for
    recordings like the paper's.

    Parameters
    ----------
    path : str or path-like
        The folder to create; it must not exist or be empty (nothing is overwritten).
    n_samples : int, default=20
        Number of recordings.
    min_frames, max_frames : int, default=40, 60
        Range of the recording lengths (see ``make_gestures``).
    random_state : int, RandomState instance or None, default=0
        Seed passed to ``make_gestures``.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    FileExistsError
        If ``path`` is a file or a folder that is not empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgesture.datasets import make_sample_mocap_folder
    >>> from skgesture.io import load_mocap_folder
    >>> folder = make_sample_mocap_folder(pathlib.Path(tempfile.mkdtemp()) / "mocap", 4)
    >>> sorted(p.name for p in folder.iterdir())  # doctest: +NORMALIZE_WHITESPACE
    ['Annotation_gloses.csv', 'gesture_000.csv', 'gesture_001.csv', 'gesture_002.csv',
     'gesture_003.csv']
    >>> load_mocap_folder(folder, labels=folder / "Annotation_gloses.csv").target.tolist()
    ['Mono', 'Bi', 'Bi', 'Mono']
    """
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(
            f"path={os.fspath(folder)!r} exists and is not an empty folder; "
            "make_sample_mocap_folder writes only into a new or empty folder."
        )
    gestures = make_gestures(
        n_samples,
        n_classes=2,
        min_frames=min_frames,
        max_frames=max_frames,
        random_state=random_state,
    )
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(n_samples - 1)))
    rows = ["Nom.csv\tMono/Bi"]
    for number, (recording, label) in enumerate(zip(gestures.data, gestures.target)):
        stem = f"gesture_{number:0{width}d}"
        write_mocap_csv(
            folder / f"{stem}.csv",
            recording,
            gestures.joint_names,
            frame_rate=gestures.frame_rate,
        )
        rows.append(f"{stem}\t{label}")
    (folder / LABEL_TABLE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder
