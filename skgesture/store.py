"""Datasets larger than memory: recordings kept on disk and read one batch at a time.

A :class:`RecordingStore` looks like a zero-padded dataset ``(n_samples, n_frames, n_joints,
n_coords)`` with known lengths, but reads recordings only when asked, from

- a folder of ``.npy`` files, one recording ``(n_frames_i, n_joints, n_coords)`` per file, each
  memory-mapped when read (:meth:`RecordingStore.from_folder`);
- one zero-padded 4-D array on disk: a ``.npy`` file (memory-mapped), a :class:`numpy.memmap`,
  or any array that reads slices lazily such as a zarr array (:meth:`RecordingStore.from_array`).

Pass a store as ``X`` to a classifier's ``fit``: the per-channel standardisation is learned in one
streaming pass and training reads one mini-batch of recordings at a time, so the memory the
process owns stays flat however large the store is (pages of the files are cached by the
operating system, which can drop them). Indexing a store with a slice or an array of indices
gives a store of those recordings, still on disk, so scikit-learn's cross-validation trains each
fold out of core; ``numpy.asarray(store)`` reads a store into memory, which is what ``predict``
and the transformers do: predict a large store chunk by chunk,
``clf.predict(store[i : i + 1000])``.

This module reads files only; it does not import torch.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from skgesture.io._text import check_regular_file, file_error
from skgesture.utils.validation import recording_lengths

__all__ = ["RecordingStore"]


class RecordingStore:
    """Recordings on disk, seen as a zero-padded dataset with known lengths.

    Build one with :meth:`from_folder` or :meth:`from_array`.

    Attributes
    ----------
    shape : tuple of int
        ``(n_samples, n_frames, n_joints, n_coords)``, as if every recording were zero-padded
        to ``n_frames``.
    lengths : ndarray of shape (n_samples,), int64
        Number of real frames of each recording.
    sources : list of str or None
        The file of each recording (folder stores), else None.

    Notes
    -----
    ``store[i]`` gives recording ``i`` zero-padded to ``n_frames`` (:meth:`recording` gives its
    real frames only); ``store[start:stop]``, ``store[indices]`` and ``store[mask]`` give a
    store of those recordings, read nothing, and are how scikit-learn's splitters take folds;
    ``numpy.asarray(store)`` reads every recording into one float32 padded array. Values are
    checked when they are read (NaN and infinity raise a ValueError that names the recording).
    A store opened from a ``.npy`` path pickles as that path (e.g. to Dask workers that share
    the file system), not as its data.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from skgesture.store import RecordingStore
    >>> folder = tempfile.mkdtemp()
    >>> for i, n_frames in enumerate([30, 45, 38]):
    ...     np.save(f"{folder}/rec{i}.npy", np.ones((n_frames, 8, 3), dtype=np.float32))
    >>> store = RecordingStore.from_folder(folder)
    >>> store.shape, store.lengths.tolist()
    ((3, 45, 8, 3), [30, 45, 38])
    >>> store[0:2].shape, np.asarray(store[0:2]).shape
    ((2, 45, 8, 3), (2, 45, 8, 3))
    """

    #: Values are read as float32, whatever the files hold.
    dtype = np.dtype(np.float32)
    ndim = 4

    def __init__(self, *, lengths, skeleton_shape, files=None, array=None, rows=None, path=None):
        self._files = files  # one .npy file per recording, or None
        self._array = array  # one padded array on disk, or None
        self._rows = rows  # the rows of that array this store holds, in order
        self._path = path  # the .npy file the array was opened from, if any
        self.lengths = np.asarray(lengths, dtype=np.int64)
        if array is not None:
            n_frames = array.shape[1]
        else:
            n_frames = int(self.lengths.max()) if len(self.lengths) else 0
        self.shape = (len(self.lengths), n_frames, *skeleton_shape)

    # ------------------------------------------------------------------------- construction
    @classmethod
    def from_folder(cls, folder, pattern="*.npy"):
        """A store over a folder of ``.npy`` recordings, in the order of their sorted names.

        Only the files' headers are read here. As in
        :func:`~skgesture.io.load_mocap_folder`, only regular files are recordings: folders,
        named pipes and devices that match ``pattern`` are passed over.

        Parameters
        ----------
        folder : str or path-like
        pattern : str, default ``"*.npy"``
            Which files of the folder are recordings: a ``glob`` pattern relative to
            ``folder`` (``"**/*.npy"`` also searches subfolders); absolute patterns and ``..``
            are refused.

        Returns
        -------
        RecordingStore

        Raises
        ------
        TypeError
            If ``folder`` is not a path or ``pattern`` not a string.
        ValueError
            If ``folder`` is not a folder, ``pattern`` leaves it or matches no file, or a file
            is not a ``.npy`` file that can be read, holds no real numbers (booleans, complex
            numbers, text, Python objects), is not one recording ``(n_frames, n_joints,
            n_coords)`` or ``(n_frames, n_features)`` with at least one of each, or has other
            joints and coordinates than the first file; the message names the file.
        """
        if not isinstance(folder, str | os.PathLike):
            raise TypeError(f"folder must be a path; got {type(folder).__name__} {folder!r}.")
        if not isinstance(pattern, str):
            raise TypeError(
                f"pattern must be a glob pattern such as '*.npy', a string; got "
                f"{type(pattern).__name__} {pattern!r}."
            )
        folder = Path(folder)
        parts = Path(pattern).parts
        if not parts or Path(pattern).is_absolute() or ".." in parts:
            raise ValueError(
                "pattern must be a glob pattern relative to the folder, such as '*.npy' or "
                f"'**/*.npy'; got {pattern!r}."
            )
        if not folder.is_dir():
            problem = "is not a folder" if folder.exists() else "does not exist"
            raise file_error(folder, f"{problem}; pass the folder of .npy recordings.")
        try:
            files = sorted(path for path in folder.glob(pattern) if path.is_file())
        except ValueError as error:  # pathlib refuses '***' and the like only while globbing
            raise ValueError(f"pattern={pattern!r} is not a valid glob pattern: {error}.") from None
        if not files:
            raise file_error(folder, f"holds no file matching {pattern!r}.")
        lengths, reference = [], None
        for path in files:
            shape = _recording_shape(_open_npy(path), path)
            if reference is None:
                reference, first = shape[1:], path
            elif shape[1:] != reference:
                raise file_error(
                    path,
                    f"has {shape[1]} joints x {shape[2]} coordinates per frame but "
                    f"{os.fspath(first)!r} has {reference[0]} x {reference[1]}; all recordings "
                    "of a dataset must share one skeleton.",
                )
            lengths.append(shape[0])
        return cls(lengths=lengths, skeleton_shape=reference, files=[str(path) for path in files])

    @classmethod
    def from_array(cls, array, lengths=None, *, chunk_values=2**22):
        """A store over one zero-padded dataset on disk.

        Parameters
        ----------
        array : str, path-like or array-like of shape (n_samples, n_frames, n_joints, n_coords)
            A ``.npy`` file (opened memory-mapped) or an array that reads slices lazily
            (:class:`numpy.memmap`, a zarr array, ...).
        lengths : array-like of shape (n_samples,), optional
            Real frames of each recording. By default they are found as in the data
            conventions (trailing all-zero frames are padding), in one pass over the array.
        chunk_values : int, default=2**22
            About how many values that pass reads at a time.

        Returns
        -------
        RecordingStore
        """
        name, path = "array", None
        if isinstance(array, str | os.PathLike):
            name = path = str(array)
            array = _open_npy(path)
        if len(array.shape) != 4 or min(array.shape) < 1:
            raise ValueError(
                f"{name} has shape {tuple(array.shape)}; expected a non-empty padded dataset "
                "(n_samples, n_frames, n_joints, n_coords)."
            )
        if not np.issubdtype(np.dtype(array.dtype), np.number):
            raise ValueError(f"{name} holds {array.dtype} values; recordings hold numbers.")
        n_samples, n_frames = array.shape[:2]
        if lengths is None:
            chunk = max(1, chunk_values // int(np.prod(array.shape[1:])))
            lengths = np.concatenate(
                [
                    recording_lengths(np.asarray(array[start : start + chunk]))
                    for start in range(0, n_samples, chunk)
                ]
            )
        lengths = np.asarray(lengths)
        if lengths.shape != (n_samples,) or not np.issubdtype(lengths.dtype, np.integer):
            raise ValueError(
                f"lengths must hold one integer per recording of {name} ({n_samples}); got "
                f"shape {lengths.shape} of {lengths.dtype}."
            )
        if lengths.min() < 1 or lengths.max() > n_frames:
            raise ValueError(
                f"lengths must lie between 1 and the {n_frames} frames of {name}; got "
                f"{lengths.min()} to {lengths.max()}."
            )
        return cls(
            lengths=lengths,
            skeleton_shape=tuple(array.shape[2:]),
            array=array,
            rows=np.arange(n_samples),
            path=path,
        )

    # ------------------------------------------------------------------------------ reading
    @property
    def sources(self):
        return None if self._files is None else list(self._files)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        if isinstance(index, tuple) and len(index) == 2 and index[1] is Ellipsis:
            index = index[0]  # scikit-learn's X[indices, ...]
        if isinstance(index, int | np.integer):
            recording = self.recording(index)
            padded = np.zeros(self.shape[1:], dtype=np.float32)
            padded[: len(recording)] = recording
            return padded
        positions = np.arange(len(self))
        if isinstance(index, slice):
            return self._subset(positions[index])
        index = np.asarray(index)
        if index.ndim != 1 or not (index.dtype == bool or np.issubdtype(index.dtype, np.integer)):
            raise TypeError(
                "RecordingStore indices are integers, slices, or 1-D arrays of integers or "
                f"booleans, not {type(index).__name__} of shape {index.shape}."
            )
        return self._subset(positions[index])

    def _subset(self, positions):
        """A store of some recordings of this one, still on disk."""
        return RecordingStore(
            lengths=self.lengths[positions],
            skeleton_shape=self.shape[2:],
            files=None if self._files is None else [self._files[i] for i in positions],
            array=self._array,
            rows=None if self._rows is None else self._rows[positions],
            path=self._path,
        )

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("Reading a RecordingStore into an array always copies.")
        data = self._read()
        return data if dtype is None else data.astype(dtype, copy=False)

    def _read(self):
        """All recordings, zero-padded: ``(n_samples, n_frames, n_joints, n_coords)`` float32."""
        if self._array is None:
            data = np.zeros(self.shape, dtype=np.float32)
            for i in range(len(self)):
                recording = self.recording(i)
                data[i, : len(recording)] = recording
            return data
        rows = self._rows
        if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
            data = np.array(self._array[rows[0] : rows[0] + len(rows)], dtype=np.float32)
        elif isinstance(self._array, np.ndarray):  # memory maps read scattered rows at once
            data = np.array(self._array[rows], dtype=np.float32)
        else:
            data = np.zeros(self.shape, dtype=np.float32)
            for i, row in enumerate(rows):
                data[i] = self._array[row]
        data[np.arange(self.shape[1]) >= self.lengths[:, np.newaxis]] = 0
        finite = np.isfinite(data.reshape(len(data), -1)).all(axis=1)
        if not finite.all():
            self._check_finite(data[np.argmin(finite)], int(np.argmin(finite)))
        return data

    def recording(self, index):
        """The real frames of recording ``index``: float32 ``(n_frames_i, n_joints, n_coords)``."""
        index = range(len(self))[index]  # negative indices, and IndexError when out of range
        length = int(self.lengths[index])
        if self._array is not None:
            recording = np.asarray(self._array[self._rows[index], :length], dtype=np.float32)
        else:
            path = self._files[index]
            loaded = _open_npy(path)
            # The file may have been replaced since the store read its header.
            if _recording_shape(loaded, path) != (length, *self.shape[2:]):
                raise file_error(
                    path,
                    f"has shape {loaded.shape} now, not the one it had when the store was opened "
                    f"({length} frames of {self.shape[2]} x {self.shape[3]}).",
                )
            recording = np.asarray(loaded, dtype=np.float32).reshape(length, *self.shape[2:])
        self._check_finite(recording, index)
        return recording

    def _check_finite(self, recording, index):
        if not np.isfinite(recording).all():
            where = f" ({self._files[index]})" if self._files is not None else ""
            raise ValueError(f"Input X[{index}]{where} contains NaN or infinity.")

    def __getstate__(self):
        # A store opened from a .npy path pickles as that path (for Dask workers that share
        # the file system), not as the data a memory map would pickle as.
        state = dict(vars(self))
        if self._path is not None:
            state["_array"] = None
        return state

    def __setstate__(self, state):
        vars(self).update(state)
        if self._path is not None:
            self._array = _open_npy(self._path)

    def __repr__(self):
        source = f"{len(self)} .npy files" if self._files is not None else "one padded array"
        return f"RecordingStore({source}, shape={self.shape})"


def _open_npy(path):
    """Memory-map a ``.npy`` file; a ``ValueError`` that names the file when that fails."""
    magic = np.lib.format.MAGIC_PREFIX
    try:
        check_regular_file(path)  # np.load would block on a named pipe
        with open(path, "rb") as file:
            is_npy = file.read(len(magic)) == magic
    except OSError as error:
        raise file_error(path, f"cannot be read: {error.strerror or error}.") from None
    if not is_npy:
        raise file_error(
            path,
            "is not a .npy file (it does not start with numpy's magic string); pass a pattern "
            "that matches only the .npy recordings.",
        )
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, EOFError, ValueError) as error:  # a damaged header, a file cut short
        raise file_error(path, f"is not a .npy file that can be read ({error}).") from None


def _recording_shape(array, path):
    """``(n_frames, n_joints, n_coords)`` of one recording file, as the data conventions read it."""
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise file_error(path, f"holds {array.dtype} values; recordings hold real numbers.")
    if array.ndim in (2, 3) and min(array.shape) > 0:
        return array.shape if array.ndim == 3 else (*array.shape, 1)
    raise file_error(
        path,
        f"has shape {array.shape}; a recording is (n_frames, n_joints, n_coords) or "
        "(n_frames, n_features) with at least one frame, joint and coordinate.",
    )
