"""Readers and writers of motion-capture files; no torch here.

- :func:`read_mocap_csv`, :func:`write_mocap_csv`: one MocapLab CSV recording, or another
  frame-per-line text file (whitespace-delimited, with frame ids, such as Kinect exports).
- :func:`read_labels`: the annotation table (``Annotation_gloses.csv``).
- :func:`read_segments`, :func:`cut_segments`: a table of labelled frame ranges, and the
  segments it cuts out of continuous takes.
- :func:`load_mocap_folder`: a folder of recordings with their labels, as a dataset.
- :func:`read_ts`: a UEA/sktime ``.ts`` file (such as NATOPS).
- :func:`read_bvh`: a BVH skeleton animation, as joint positions with its skeleton.
- :func:`read_c3d`: a C3D marker file (needs the optional ezc3d, ``skgesture[c3d]``).
- :func:`read_keypoints`: 2-D keypoints of a pose estimator (OpenPose JSON, COCO, CSV).
- :func:`from_aeon`, :func:`to_aeon`: arrays in aeon's / sktime's
  ``(n_cases, n_channels, n_timepoints)`` layout to skgesture's recordings and back
  (:class:`LayoutWarning` flags such arrays passed unconverted).

Every reader refuses a malformed file with a ``ValueError`` naming the file and, where it
applies, the line and column; files are only read, never modified.
"""

from skgesture.io.arrays import LayoutWarning, from_aeon, to_aeon
from skgesture.io.bvh import read_bvh
from skgesture.io.c3d import read_c3d
from skgesture.io.folder import load_mocap_folder
from skgesture.io.keypoints import read_keypoints
from skgesture.io.labels import LabelTable, read_labels
from skgesture.io.mocap_csv import read_mocap_csv, write_mocap_csv
from skgesture.io.segments import Segment, SegmentTable, cut_segments, read_segments
from skgesture.io.ts import read_ts

__all__ = [
    "LabelTable",
    "LayoutWarning",
    "Segment",
    "SegmentTable",
    "cut_segments",
    "from_aeon",
    "load_mocap_folder",
    "read_bvh",
    "read_c3d",
    "read_keypoints",
    "read_labels",
    "read_mocap_csv",
    "read_segments",
    "read_ts",
    "to_aeon",
    "write_mocap_csv",
]
