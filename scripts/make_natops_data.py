"""Convert NATOPS from the UEA ``.ts`` files to the compressed array shipped with skgesture.

Run once from the repository root, with the original files in ``../shared/data/natops``::

    python scripts/make_natops_data.py

It writes ``skgesture/datasets/data/natops.npz``: the train and test recordings as float32
``(n_recordings, 51 frames, 8 joints, 3 coordinates)`` and the gesture names of their labels.
"""

import argparse
from pathlib import Path

import numpy as np

from skgesture.datasets._natops import GESTURE_NAMES, N_FRAMES
from skgesture.io.ts import read_ts
from skgesture.skeleton import NATOPS_SKELETON

REPO_ROOT = Path(__file__).resolve().parents[1]


def convert(ts_file):
    bunch = read_ts(ts_file)
    if bunch.class_labels != list(GESTURE_NAMES):
        raise ValueError(f"{ts_file}: unexpected class labels {bunch.class_labels}")
    data = np.stack(bunch.data).reshape(len(bunch.data), N_FRAMES, NATOPS_SKELETON.n_joints, 3)
    target = np.array([GESTURE_NAMES[label] for label in bunch.target])
    return data.astype(np.float32), target


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPO_ROOT.parent / "shared/data/natops")
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "skgesture/datasets/data/natops.npz"
    )
    args = parser.parse_args()
    train_data, train_target = convert(args.source / "NATOPS_TRAIN.ts")
    test_data, test_target = convert(args.source / "NATOPS_TEST.ts")
    np.savez_compressed(
        args.output,
        train_data=train_data,
        train_target=train_target,
        test_data=test_data,
        test_target=test_target,
    )
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
