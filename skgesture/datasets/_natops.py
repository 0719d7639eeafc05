"""NATOPS: six aircraft-handling gestures, 8 hand and arm sensors, 51 frames."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

from skgesture.skeleton import NATOPS_SKELETON

__all__ = ["load_natops"]

#: Class labels of the UEA files and the gestures they stand for (from the files' header).
GESTURE_NAMES = {
    "1.0": "I have command",
    "2.0": "All clear",
    "3.0": "Not clear",
    "4.0": "Spread wings",
    "5.0": "Fold wings",
    "6.0": "Lock wings",
}
N_FRAMES = 51
_SPLITS = ("train", "test", "all")


def load_natops(split="train", *, return_X_y=False):
    """Load the NATOPS gesture data set (UEA archive version), shipped with skgesture.

    180 training and 180 test recordings of 51 frames of 8 joints (left and right hand tip,
    elbow, wrist and thumb) in 3-D, labelled with one of six aircraft-handling gestures
    (30 recordings per class in each split). Y is the vertical axis. See ``DESCR`` for the
    origin, the conversion and the citations.

    Parameters
    ----------
    split : {"train", "test", "all"}, default="train"
        The archive's training or test split, or both (training recordings first).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    Bunch
        data : ndarray of shape (n_recordings, 51, 8, 3), float32

        target : ndarray of shape (n_recordings,), str
            Gesture names, e.g. ``"I have command"``.

        target_names : ndarray of shape (6,), str
            The six gestures, in the order of the original labels 1 to 6.

        joint_names : list of str

        skeleton : :class:`~skgesture.skeleton.Skeleton`
            :data:`~skgesture.skeleton.NATOPS_SKELETON`.

        DESCR : str

        filename : str
            Path of the shipped ``natops.npz``.
    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    ValueError
        An unknown ``split``.

    Examples
    --------
    >>> from skgesture.datasets import load_natops
    >>> natops = load_natops("train")
    >>> natops.data.shape
    (180, 51, 8, 3)
    >>> natops.target[:2].tolist()
    ['Spread wings', 'Not clear']
    >>> load_natops("all", return_X_y=True)[0].shape
    (360, 51, 8, 3)
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {list(_SPLITS)}; got {split!r}.")
    package = resources.files(__package__)
    source = package / "data" / "natops.npz"
    with resources.as_file(source) as path, np.load(path) as arrays:
        parts = ["train", "test"] if split == "all" else [split]
        data = np.concatenate([arrays[f"{part}_data"] for part in parts])
        target = np.concatenate([arrays[f"{part}_target"] for part in parts])
        filename = str(path)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.array(list(GESTURE_NAMES.values())),
        joint_names=list(NATOPS_SKELETON.joint_names),
        skeleton=NATOPS_SKELETON,
        DESCR=(package / "descr" / "natops.rst").read_text(encoding="utf-8"),
        filename=filename,
    )
