"""What the ``skgesture`` command reads and writes: data sets named on the command line, saved
models (written only in the pickle-free ``.npz`` format; read by content, never by name),
output paths that must not be overwritten, and progress bars.

Shared by :mod:`skgesture.app.cli` and :mod:`skgesture.app.reproduce`. Every failure a user
can cause (a missing path, a malformed file, an existing output) is raised as ``OSError`` or
``ValueError`` with a message naming the path; the command turns those into one line and exit
status 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

#: Name of the annotation table looked for beside the recordings when no table is given.
LABEL_TABLE = "Annotation_gloses.csv"
#: Data sets named instead of a folder on the command line.
BUILTIN_DATA = ("natops", "sample")


def load_data(source, labels=None, *, split="train", pattern=None):
    """Read the data set named by ``source``: a folder of recordings, one CSV file, or a name.

    Parameters
    ----------
    source : str or path-like
        ``"natops"`` (the ``split`` part of NATOPS), ``"sample"`` (the MocapLab-format sample
        folder shipped with skgesture), a folder of recordings (read by
        :func:`~skgesture.io.load_mocap_folder`: every ``.csv``, ``.bvh``, ``.c3d`` and
        ``.json`` file in it, or those ``pattern`` matches) or one CSV recording.
    labels : str or path-like, optional
        Annotation table of a folder; by default ``Annotation_gloses.csv`` in the folder when
        it is there. Recordings without a label get ``-1``.
    split : {"train", "test"}, default="train"
        Part of NATOPS to read.
    pattern : sequence of str, optional
        Glob patterns of the recordings of a folder (``--pattern``); by default every
        recording in it.

    Returns
    -------
    Bunch
        ``data`` (list of recordings), ``target`` (object array, ``-1`` where unlabelled),
        ``names`` (one per recording: the file path relative to the folder, or
        ``natops_<split>_<index>``), ``joint_names`` and ``skeleton``.
    """
    if str(source) in BUILTIN_DATA and not Path(source).exists():
        if labels is not None:
            raise ValueError(f"--labels applies to a folder of recordings, not to {source!r}.")
        if pattern is not None:
            raise ValueError(f"--pattern applies to a folder of recordings, not to {source!r}.")
        if str(source) == "natops":
            from skgesture.datasets import load_natops

            natops = load_natops(split)
            return Bunch(
                data=list(natops.data),
                target=np.asarray(natops.target, dtype=object),
                names=[f"natops_{split}_{i:03d}" for i in range(len(natops.target))],
                joint_names=list(natops.joint_names),
                skeleton=natops.skeleton,
            )
        from skgesture.datasets import load_sample_mocap

        source = load_sample_mocap()
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(
            f"No such file or folder: {os.fspath(path)!r} (DATA is a folder of recordings, "
            f"one CSV file, or one of {', '.join(BUILTIN_DATA)})."
        )
    from skgesture.skeleton import Skeleton

    if path.is_file():
        if pattern is not None:
            raise ValueError(
                f"--pattern applies to a folder of recordings, not to the file {os.fspath(path)!r}."
            )
        from skgesture.io import read_mocap_csv

        recording = read_mocap_csv(path)
        return Bunch(
            data=[recording.positions],
            target=np.array([-1], dtype=object),
            names=[path.name],
            joint_names=list(recording.joint_names),
            skeleton=Skeleton.from_joint_names(recording.joint_names),
        )
    from skgesture.io import load_mocap_folder

    if labels is None and (path / LABEL_TABLE).is_file():
        labels = path / LABEL_TABLE
    if labels is not None and not Path(labels).is_file():
        raise FileNotFoundError(f"No such label table: {os.fspath(labels)!r}")
    folder = load_mocap_folder(path, labels=labels, pattern=pattern)
    # BVH files and keypoints bring their bones; other formats only name their joints.
    skeleton = folder.skeleton
    if skeleton is None:
        skeleton = Skeleton.from_joint_names(folder.joint_names)
    return Bunch(
        data=folder.data,
        target=folder.target,
        names=[Path(name).relative_to(path).as_posix() for name in folder.filenames],
        joint_names=list(folder.joint_names),
        skeleton=skeleton,
    )


def check_output(path, force):
    """Refuse to replace an existing output without ``force``; its folder must exist."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{os.fspath(path)!r} exists; pass --force to overwrite it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"No such folder for the output: {os.fspath(path.parent)!r}")
    return path


#: How every zip archive, and so every ``.npz`` file, begins.
ZIP_MAGIC = b"PK\x03\x04"
#: Names of pickle files, which the command never writes.
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")


def check_model_output(path, force):
    """Check ``path`` for ``train --out``: the command writes only the pickle-free format."""
    if Path(path).suffix.lower() in PICKLE_SUFFIXES:
        raise ValueError(
            f"--out {os.fspath(path)!r} names a pickle file, but 'skgesture train' writes only "
            "the pickle-free .npz format (no code runs when it is loaded); name it e.g. "
            "model.npz."
        )
    return check_output(path, force)


def save_model(model, path):
    """Write a fitted model in the pickle-free ``.npz`` format, whatever the name of ``path``."""
    from skgesture import save

    save(model, path)
    return Path(path)


def load_model(path, *, allow_pickle=False):
    """Read a model file and check it holds a fitted model.

    The format is decided by the file's content, never by its name: a zip archive is read
    without pickle by :func:`skgesture.load` (a fitted estimator or Pipeline); anything else is
    refused unless ``allow_pickle``, which loads it with ``joblib.load`` and so runs any code
    stored in it.
    """
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such model file: {os.fspath(path)!r}")
    with path.open("rb") as file:
        magic = file.read(len(ZIP_MAGIC))
    if magic == ZIP_MAGIC:
        from skgesture import load

        model = load(path)
    elif not allow_pickle:
        raise ValueError(
            f"{os.fspath(path)!r} is not a pickle-free .npz model (it is not a zip archive); "
            "if it is a joblib/pickle file you trust, pass --allow-pickle, which runs any code "
            "stored in the file."
        )
    else:
        import joblib

        try:
            model = joblib.load(path)
        # Unpickling a file that is not a model fails in many ways (UnpicklingError, EOFError,
        # KeyError, ModuleNotFoundError...); all mean the same to the user.
        except Exception as error:
            raise ValueError(
                f"{os.fspath(path)!r} is not a model saved by 'skgesture train' "
                f"({type(error).__name__}: {error})."
            ) from error
    if not hasattr(model, "predict"):
        raise ValueError(f"{os.fspath(path)!r} holds a {type(model).__name__}, not a model.")
    try:
        check_is_fitted(model)
    except NotFittedError as error:
        raise ValueError(f"{os.fspath(path)!r} holds a model that is not fitted.") from error
    return model


class _NoBar:
    """Stands in for a tqdm bar when there is none to show."""

    def __init__(self, iterable=None):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def update(self, n=1):
        pass

    def set_description(self, desc=None):
        pass

    def close(self):
        pass


def progress(iterable=None, *, total=None, desc=None, quiet=False):
    """A tqdm progress bar on stderr over ``iterable`` (or updated by hand); a silent stand-in
    when ``quiet`` or when tqdm is not installed."""
    if quiet:
        return _NoBar(iterable)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar(iterable)
    return tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False)
