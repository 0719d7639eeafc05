"""UTKinect-Action3D (real Kinect v1 skeletons) as a development benchmark; not shipped.

The data lie in ``../shared/data/utkinect`` beside the repository (see its README.md): one
whitespace-delimited file per take, ``joints_sXX_eYY.txt`` (``frame_id x1 y1 z1 ... x20 y20
z20``; frame ids have gaps and repeats), and ``actionLabel.txt``, the inclusive frame-id range of
each action in each take. :func:`load_utkinect` builds the cross-subject split of the project's
benchmarks through the public readers only, as a user with their own Kinect export would:
``read_segments``, ``read_mocap_csv(..., first_column="frame", duplicate_frames="keep")`` and
``cut_segments``.

Every line of a take is kept as a frame, repeated frame ids included, which gives the
segment lengths the README states (5 to 174 frames, median 29). One segment of the table has
no range (``NaN NaN``, s10_e02's carry): ``read_segments`` warns about it and it is returned in
``missing``, so the split has 100 training and 99 test segments.

    python benchmarks/utkinect.py            # prints the split's sizes
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skgesture.io import cut_segments, read_mocap_csv, read_segments
from skgesture.skeleton import get_skeleton

#: Where the data lie: ``../shared/data/utkinect`` beside the repository.
DEFAULT_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "utkinect"

#: The joint order of the files (UTKinect's README): Kinect v1's, as the ``kinect_v1`` skeleton.
JOINT_NAMES = [
    "HipCenter",
    "Spine",
    "ShoulderCenter",
    "Head",
    "ShoulderLeft",
    "ElbowLeft",
    "WristLeft",
    "HandLeft",
    "ShoulderRight",
    "ElbowRight",
    "WristRight",
    "HandRight",
    "HipLeft",
    "KneeLeft",
    "AnkleLeft",
    "FootLeft",
    "HipRight",
    "KneeRight",
    "AnkleRight",
    "FootRight",
]

_TAKE = re.compile(r"s(\d+)_e(\d+)")


def _subject(take):
    match = _TAKE.fullmatch(take)
    if match is None:
        raise ValueError(f"take {take!r} is not named sXX_eYY (subject XX, trial YY).")
    return int(match.group(1))


def _split(segments, subjects, keep):
    chosen = [index for index, subject in enumerate(subjects) if keep(subject)]
    return Bunch(
        data=[segments.data[index] for index in chosen],
        target=segments.target[chosen],
        groups=np.array([f"s{subjects[index]:02d}" for index in chosen]),
    )


def load_utkinect(root=DEFAULT_ROOT):
    """The cross-subject split of UTKinect-Action3D: odd subjects train, even subjects test.

    Parameters
    ----------
    root : str or path-like, default=DEFAULT_ROOT
        The folder holding ``actionLabel.txt`` and the ``joints_sXX_eYY.txt`` files
        (``../shared/data/utkinect`` beside the repository).

    Returns
    -------
    Bunch
        train, test : Bunch
            ``data``, a list of float32 arrays of shape (n_frames, 20, 3), one per segment;
            ``target``, the action of each (str, 10 classes); ``groups``, the subject of each
            (``"s01"`` to ``"s10"``).
        joint_names : list of str
            The 20 Kinect v1 joints, in the files' order.
        skeleton : Skeleton
            ``get_skeleton("kinect_v1")``.
        missing : list of Segment
            Segments of the table without a frame range, which neither split holds.

    Raises
    ------
    FileNotFoundError
        If ``root`` lacks the table or a take's file.
    ValueError
        If a file is malformed (the readers' messages), or a take's file does not hold 20
        joints.
    """
    root = Path(root)
    table = read_segments(root / "actionLabel.txt")
    data, target, subjects = [], [], []
    for take in table.takes:
        recording = read_mocap_csv(
            root / f"joints_{take}.txt", first_column="frame", duplicate_frames="keep"
        )
        if recording.positions.shape[1] != len(JOINT_NAMES):
            raise ValueError(
                f"{recording.filename!r} has {recording.positions.shape[1]} joints; expected "
                f"{len(JOINT_NAMES)}."
            )
        cut = cut_segments(recording.positions, recording.frame_ids, table, take=take)
        data += cut.data
        target += cut.target.tolist()
        subjects += [_subject(take)] * len(cut.data)
    segments = Bunch(data=data, target=np.array(target))
    return Bunch(
        train=_split(segments, subjects, lambda subject: subject % 2 == 1),
        test=_split(segments, subjects, lambda subject: subject % 2 == 0),
        joint_names=list(JOINT_NAMES),
        skeleton=get_skeleton("kinect_v1"),
        missing=table.missing,
    )


if __name__ == "__main__":
    dataset = load_utkinect()
    for name in ("train", "test"):
        split = dataset[name]
        lengths = [len(segment) for segment in split.data]
        print(
            f"{name}: {len(split.data)} segments, {len(set(split.target))} classes, "
            f"{min(lengths)}-{max(lengths)} frames (median {np.median(lengths):g}), subjects "
            f"{sorted(set(split.groups.tolist()))}"
        )
    print(f"left out (no frame range): {dataset.missing}")
