"""Regenerate the sample MocapLab folder shipped with skgesture (deterministic).

Run from the repository root::

    python scripts/make_sample_mocap.py

It replaces ``skgesture/datasets/data/sample_mocap/`` with the output of
``make_sample_mocap_folder`` at its defaults (20 recordings, ``random_state=0``).
"""

import shutil
from pathlib import Path

from skgesture.datasets import make_sample_mocap_folder

SAMPLE_DIR = (
    Path(__file__).resolve().parents[1] / "skgesture" / "datasets" / "data" / "sample_mocap"
)


def main():
    if SAMPLE_DIR.exists():
        shutil.rmtree(SAMPLE_DIR)
    folder = make_sample_mocap_folder(SAMPLE_DIR)
    size = sum(path.stat().st_size for path in folder.iterdir())
    print(f"wrote {len(list(folder.iterdir()))} files to {folder} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
