"""Write tests/data/pyc3d_markers.c3d with py-c3d (the `c3d` package on PyPI, MIT licence).

Run in a throwaway environment (`pip install c3d numpy`), never in the project's: the test
file must come from a C3D writer other than ezc3d. 4 markers with labels of different lengths
(py-c3d pads them with spaces), 10 frames at 100 Hz, integer storage with POINT:SCALE 0.1, and
marker 'LWRA' occluded (residual -1, the writer's way) in frames 3 and 4. Marker k in frame f
sits at (100 k + f, 200 + 10 f, 1000 - 5 k) mm.
"""

import sys

import c3d
import numpy as np

LABELS = ["C7", "LASI", "LWRA", "RWRA"]
writer = c3d.Writer(point_rate=100.0, point_scale=0.1)
for frame in range(10):
    points = np.zeros((len(LABELS), 5), dtype=np.float32)
    for marker in range(len(LABELS)):
        points[marker, :3] = (100 * marker + frame, 200 + 10 * frame, 1000 - 5 * marker)
    if frame in (3, 4):
        points[2, 3] = -1.0
    writer.add_frames([(points, np.zeros((0, 0), dtype=np.float32))])
writer.set_point_labels(LABELS)
with open(sys.argv[1], "wb") as handle:
    writer.write(handle)
