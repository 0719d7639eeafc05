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
operating system, which can drop them). Slicing gives ordinary padded arrays, so predictions
on a store go chunk by chunk: ``clf.predict(store[i : i + 1000])``.

This module reads files only; it does not import torch.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

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
    ``store[i]`` gives recording ``i`` zero-padded to ``n_frames`` and ``store[start:stop]`` a
    float32 array ``(stop - start, n_frames, n_joints, n_coords)``; :meth:`recording` gives
    the real frames only. Values are checked when they are read (NaN and infinity raise a
    ValueError that names the recording).

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
    >>> store[0:2].shape
    (2, 45, 8, 3)
    """

    def __init__(self, *, array=None, files=None, lengths, skeleton_shape):
        self._array = array
        self._files = files
        self.lengths = np.asarray(lengths, dtype=np.int64)
        n_frames = int(self.lengths.max()) if array is None else array.shape[1]
        self.shape = (len(self.lengths), n_frames, *skeleton_shape)

    # ------------------------------------------------------------------------- construction
    @classmethod
    def from_folder(cls, folder, pattern="*.npy"):
        """A store over a folder of ``.npy`` recordings, in the order of their sorted names.

        Only the files' headers are read here.

        Parameters
        ----------
        folder : str or path-like
        pattern : str, default="*.npy"
            Which files of the folder are recordings (``glob`` pattern).

        Returns
        -------
        RecordingStore

        Raises
        ------
        ValueError
            No matching file, or a file that is not one recording ``(n_frames, n_joints,
            n_coords)`` or ``(n_frames, n_features)`` of numbers, or whose joints and
            coordinates differ from the first file's; the message names the file.
        """
        folder = Path(folder)
        files = sorted(folder.glob(pattern))
        if not files:
            raise ValueError(f"{folder} holds no file matching {pattern!r}.")
        lengths, reference = [], None
        for path in files:
            shape = _recording_shape(np.load(path, mmap_mode="r"), path)
            if reference is None:
                reference, first = shape[1:], path
            elif shape[1:] != reference:
                raise ValueError(
                    f"{path} has {shape[1]} joints x {shape[2]} coordinates per frame but "
                    f"{first} has {reference[0]} x {reference[1]}; all recordings of a dataset "
                    "must share one skeleton."
                )
            lengths.append(shape[0])
        return cls(files=[str(path) for path in files], lengths=lengths, skeleton_shape=reference)

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
        name = "array"
        if isinstance(array, str | os.PathLike):
            name = str(array)
            array = np.load(array, mmap_mode="r")
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
        return cls(array=array, lengths=lengths, skeleton_shape=tuple(array.shape[2:]))

    # ------------------------------------------------------------------------------ reading
    @property
    def sources(self):
        return None if self._files is None else list(self._files)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        if isinstance(index, slice):
            indices = range(*index.indices(len(self)))
            if self._array is not None and index.step in (None, 1):
                # One read of contiguous recordings rather than one per recording.
                data = np.asarray(self._array[index], dtype=np.float32)
                for offset, i in enumerate(indices):
                    self._check_finite(data[offset], i)
                return data
            data = np.zeros((len(indices), *self.shape[1:]), dtype=np.float32)
            for offset, i in enumerate(indices):
                recording = self.recording(i)
                data[offset, : len(recording)] = recording
            return data
        if isinstance(index, int | np.integer):
            recording = self.recording(index)
            padded = np.zeros(self.shape[1:], dtype=np.float32)
            padded[: len(recording)] = recording
            return padded
        raise TypeError(
            f"RecordingStore indices are integers or slices, not {type(index).__name__}."
        )

    def recording(self, index):
        """The real frames of recording ``index``: float32 ``(n_frames_i, n_joints, n_coords)``."""
        index = range(len(self))[index]  # negative indices, and IndexError when out of range
        length = int(self.lengths[index])
        if self._array is not None:
            recording = np.asarray(self._array[index, :length], dtype=np.float32)
        else:
            path = self._files[index]
            loaded = np.load(path, mmap_mode="r")
            recording = np.asarray(loaded, dtype=np.float32).reshape(length, *self.shape[2:])
        self._check_finite(recording, index)
        return recording

    def _check_finite(self, recording, index):
        if not np.isfinite(recording).all():
            where = f" ({self._files[index]})" if self._files is not None else ""
            raise ValueError(f"Input X[{index}]{where} contains NaN or infinity.")

    def __repr__(self):
        source = f"{len(self)} .npy files" if self._files is not None else "one padded array"
        return f"RecordingStore({source}, shape={self.shape})"


def _recording_shape(array, path):
    """``(n_frames, n_joints, n_coords)`` of one recording file, as the data conventions read it."""
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{path} holds {array.dtype} values; recordings hold numbers.")
    if array.ndim in (2, 3) and array.shape[0] > 0:
        return array.shape if array.ndim == 3 else (*array.shape, 1)
    raise ValueError(
        f"{path} has shape {array.shape}; a recording is (n_frames, n_joints, n_coords) or "
        "(n_frames, n_features) with at least one frame."
    )
