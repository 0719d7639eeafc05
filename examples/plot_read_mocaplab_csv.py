"""
Reading your own MocapLab CSV files
===================================

The paper's recordings are MocapLab CSV exports: one file per recording, a few header rows
(joint names, then ``X;Y;Z``), then one line per frame with the frame number, the time and the
x, y, z of every joint. A separate table, ``Annotation_gloses.csv``, gives each file its
label. This example reads such a folder, repairs an occluded marker, and trains a first model
on it.

The paper's recordings are proprietary, so the folder here is written by
:func:`~skgesture.datasets.make_sample_mocap_folder` in the same layout; point the same calls
at your own export instead.
"""

import tempfile
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import cross_val_score

from skgesture import CNNClassifier, SkeletonPadder
from skgesture.datasets import make_sample_mocap_folder
from skgesture.io import load_mocap_folder, read_mocap_csv, write_mocap_csv

# %%
# A folder of recordings
# ----------------------
# 24 recordings of 79 joints, 40 to 60 frames each, and their label table, in a temporary
# folder that disappears with the script.
workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name) / "my_export"
make_sample_mocap_folder(folder, n_samples=24, random_state=0)
print(sorted(path.name for path in folder.iterdir())[:4], "...")

# %%
# The top of one file: two header rows, then frames.
first_file = folder / "gesture_000.csv"
for line in first_file.read_text().splitlines()[:4]:
    print(line[:110], "...")

# %%
# One recording
# -------------
# :func:`~skgesture.io.read_mocap_csv` recognises the header rows by their content, sniffs the
# delimiter and decimal commas, and returns the positions as ``(n_frames, n_joints, 3)``
# with the joint names and the time column.
recording = read_mocap_csv(first_file)
print(recording.positions.shape, recording.joint_names[:3], recording.times[:3])

# %%
# Occluded markers
# ----------------
# An occluded marker leaves blank cells. skgesture never reads them as zeros: by default the
# file is refused with a message that names the joints and frames, and
# ``missing="interpolate"`` fills them in time (``"drop"`` removes those frames).
positions = recording.positions.copy()
positions[10:14, 5] = np.nan  # joint 5 hidden for four frames
write_mocap_csv(first_file, positions, recording.joint_names, recording.times)

try:
    read_mocap_csv(first_file)
except ValueError as error:
    print(error)

repaired = read_mocap_csv(first_file, missing="interpolate")
print(repaired.positions[9:15, 5, 0])

# %%
# The whole folder
# ----------------
# :func:`~skgesture.io.load_mocap_folder` reads every recording in file-name order and labels
# each one from the table (``read_labels`` reads the table on its own; its default columns are
# the paper's ``Nom.csv`` and ``Mono/Bi``). The recordings keep their own lengths: the data set
# is a list of arrays.
dataset = load_mocap_folder(folder, labels=folder / "Annotation_gloses.csv", missing="interpolate")
lengths = [len(recording) for recording in dataset.data]
print(len(dataset.data), "recordings of", len(dataset.joint_names), "joints")
print("frames:", min(lengths), "to", max(lengths))
print("labels:", Counter(dataset.target.tolist()))

# %%
# The paper pads every recording with zero frames up to the longest one;
# :class:`~skgesture.preprocessing.SkeletonPadder` does that, and the classifiers recognise the
# trailing zero frames as padding.
padded = SkeletonPadder().fit_transform(dataset.data)
print(padded.shape)

hand = dataset.joint_names.index("rHand_T_glob")
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for recording, label in zip(dataset.data[:6], dataset.target[:6]):
    ax.plot(recording[:, hand, 1], color="tab:blue" if label == "Bi" else "tab:orange")
ax.set(xlabel="frame", ylabel="height", title="Right hand of six recordings (blue: Bi)")
plt.show()

# %%
# A first model
# -------------
# The classifiers take the list of recordings as it is (each batch is padded on the fly and
# the padding never counts), so a cross-validated score needs no more than this. With 24
# recordings and a small network trained for a few epochs this is only a first check of the
# data; see the other examples for real training.
clf = CNNClassifier(n_filters=16, n_blocks=1, max_epochs=10, random_state=0)
scores = cross_val_score(clf, dataset.data, dataset.target.astype(str), cv=3)
print("accuracy per fold:", scores.round(2))
