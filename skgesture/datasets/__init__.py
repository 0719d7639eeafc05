"""Data sets: NATOPS (shipped), synthetic MocapLab-like gestures, and a sample CSV folder.

- :func:`load_natops`: the NATOPS gestures of the UEA archive, ``(n, 51, 8, 3)``.
- :func:`make_gestures`: synthetic MocapLab-like recordings (79 joints, up to 100 frames)
  whose classes differ by the motion of known joints in known frames.
- :func:`load_sample_mocap`: a folder of MocapLab-format CSV files and their label table;
  :func:`make_sample_mocap_folder` writes larger ones.
"""

from skgesture.datasets._generator import make_gestures
from skgesture.datasets._natops import load_natops
from skgesture.datasets._sample import load_sample_mocap, make_sample_mocap_folder

__all__ = ["load_natops", "make_gestures", "load_sample_mocap", "make_sample_mocap_folder"]
