"""
Your own Kinect or mocap recordings
===================================

Many recordings do not come as one file per gesture. A Kinect or motion-capture session is
usually a few continuous *takes*, in each of which a performer carries out several actions,
and an annotation table says where each action starts and ends. UTKinect-Action3D is laid out
this way, and so are many home-made exports:

- one text file per take, ``joints_s01_e01.txt``: no header, whitespace-separated, one frame
  per line, ``frame_id x1 y1 z1 ... x20 y20 z20`` for the 20 joints of a Kinect v1;
- ``actionLabel.txt``: the name of each take on a line of its own, then one line per action,
  ``action: first_frame last_frame`` (frame ids, both included).

This example reads such a folder, cuts the takes into one recording per action, cross-validates
a classifier *by subject* and explains its decisions. So that it runs anywhere, it first
writes a small folder of synthetic takes in that layout; point the same calls at your own
export instead.
"""

import tempfile
import warnings
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier
from skgesture.explain import GradCAMExplainer
from skgesture.io import cut_segments, read_mocap_csv, read_segments
from skgesture.plotting import plot_confusion_matrix
from skgesture.skeleton import get_skeleton

# %%
# A folder of takes
# -----------------
# The 20 joints of a Kinect v1, in the order its exports write them, are
# ``get_skeleton("kinect_v1")``. The synthetic performers below stand on that skeleton
# (positions in metres, Y up, Z the depth away from the sensor, which they face) and perform
# five actions: wave (right hand), clap, push (both hands forward), pick up (bend down) and
# throw (right arm). The subjects have different heights; in each take they stand somewhere
# else in the room, turned a little; each action has its own speed and amplitude. You do not need
# this part for your own data: skip to the next section.
kinect = get_skeleton("kinect_v1")
joint = {name: j for j, name in enumerate(kinect.joint_names)}
print(kinect.n_joints, "joints:", ", ".join(kinect.joint_names[:8]), "...")

REST = np.zeros((kinect.n_joints, 3))  # standing, arms down, relative to the hip centre
for name, position in {
    "Spine": (0, 0.08, 0.01),
    "ShoulderCenter": (0, 0.45, 0.02),
    "Head": (0, 0.62, 0.01),
    "ShoulderRight": (0.17, 0.40, 0.03),
    "ElbowRight": (0.21, 0.14, 0.04),
    "WristRight": (0.22, -0.10, 0.02),
    "HandRight": (0.22, -0.17, 0.01),
    "HipRight": (0.08, -0.06, 0.01),
    "KneeRight": (0.09, -0.48, 0.0),
    "AnkleRight": (0.09, -0.87, 0.03),
    "FootRight": (0.09, -0.92, -0.06),
}.items():
    REST[joint[name]] = position
    if name.endswith("Right"):  # the left side mirrors the right one
        REST[joint[name.replace("Right", "Left")]] = (-position[0], *position[1:])
ACTIONS = ["wave", "clap", "push", "pickUp", "throw"]


def move(positions, names, target, weight):
    """Move joints towards target positions (relative to the hip), by weight in [0, 1]."""
    for name in names:
        j = joint[name]
        positions[:, j] += weight[:, None] * (np.asarray(target) - REST[j])


def perform(action, n_frames, rng):
    """One action, (n_frames, 20, 3), in the performer's frame (hip at the origin)."""
    u = np.linspace(0, 1, n_frames)
    rise = np.clip(np.minimum(u, 1 - u) / 0.3, 0, 1)
    weight = rise * rise * (3 - 2 * rise) * rng.uniform(0.8, 1.1)  # smooth in and out
    swing = np.sin(2 * np.pi * rng.uniform(2.5, 3.5) * u)
    positions = np.repeat(REST[None], n_frames, axis=0)
    if action == "wave":  # the right hand up, swinging left and right
        move(positions, ["ElbowRight"], (0.38, 0.45, 0.0), weight)
        move(positions, ["WristRight", "HandRight"], (0.40, 0.80, 0.0), weight)
        positions[:, [joint["WristRight"], joint["HandRight"]], 0] += (weight * 0.12 * swing)[
            :, None
        ]
    elif action == "clap":  # both hands meet in front of the chest, again and again
        gap = 0.05 + 0.08 * (1 + swing)
        for side, sign in (("Left", -1), ("Right", 1)):
            move(positions, [f"Elbow{side}"], (sign * 0.25, 0.20, -0.12), weight)
            hands = np.zeros((n_frames, 3))
            hands[:, 1], hands[:, 2] = 0.30, -0.30
            for name in (f"Wrist{side}", f"Hand{side}"):
                target = hands - REST[joint[name]]
                target[:, 0] = sign * gap - REST[joint[name], 0]
                positions[:, joint[name]] += weight[:, None] * target
    elif action == "push":  # both hands pushed forward, towards the sensor
        for side, sign in (("Left", -1), ("Right", 1)):
            move(positions, [f"Elbow{side}"], (sign * 0.20, 0.33, -0.28), weight)
            move(positions, [f"Wrist{side}", f"Hand{side}"], (sign * 0.18, 0.36, -0.55), weight)
    elif action == "pickUp":  # bend forward, knees bent, hands to the floor
        legs = ("Hip", "Knee", "Ankle", "Foot")
        upper = [j for j, name in enumerate(kinect.joint_names) if not name.startswith(legs)]
        angle = weight[:, None] * np.radians(70)
        y, z = positions[:, upper, 1].copy(), positions[:, upper, 2].copy()
        positions[:, upper, 1] = y * np.cos(angle) + z * np.sin(angle)
        positions[:, upper, 2] = z * np.cos(angle) - y * np.sin(angle)
        positions[:, [joint["HandLeft"], joint["HandRight"]], 1] -= 0.15 * weight[:, None]
        positions[:, [joint["KneeLeft"], joint["KneeRight"]], 2] -= 0.12 * weight[:, None]
        hips = upper + [joint["HipLeft"], joint["HipRight"]]
        positions[:, hips, 1] -= 0.10 * weight[:, None]
    elif action == "throw":  # the right arm drawn back and up, then thrown forward
        back = weight * (u < 0.5)
        forward = weight * (u >= 0.5)
        move(positions, ["ElbowRight"], (0.30, 0.42, 0.15), back)
        move(positions, ["WristRight", "HandRight"], (0.32, 0.72, 0.30), back)
        move(positions, ["ElbowRight"], (0.22, 0.40, -0.28), forward)
        move(positions, ["WristRight", "HandRight"], (0.20, 0.50, -0.58), forward)
    return positions


def record_take(height, rng):
    """A take: every action once, in random order, with idle frames around each."""
    turn = np.radians(rng.uniform(-20, 20))
    where = np.array([rng.uniform(-0.6, 0.6), rng.uniform(-0.25, 0.05), rng.uniform(2.0, 3.2)])
    rotation = np.array(
        [[np.cos(turn), 0, np.sin(turn)], [0, 1, 0], [-np.sin(turn), 0, np.cos(turn)]]
    )
    frames, actions, first = [], [], 0
    for action in rng.permutation(ACTIONS):
        idle = rng.integers(6, 13)
        frames.append(np.repeat(REST[None], idle, axis=0))
        n_frames = int(rng.integers(20, 37))
        frames.append(perform(action, n_frames, rng))
        first += idle
        actions.append((str(action), first, first + n_frames - 1))  # row numbers, for now
        first += n_frames
    frames.append(np.repeat(REST[None], rng.integers(6, 13), axis=0))
    positions = height * np.concatenate(frames) @ rotation.T + where
    positions += rng.normal(scale=0.008, size=positions.shape)  # sensor noise
    return positions, actions


def write_take(path, positions, rng):
    """Write a take as a Kinect export does, dropping and repeating a few frames."""
    frame_ids = rng.integers(100, 400) + np.arange(len(positions))
    kept = np.sort(rng.permutation(len(positions))[: int(0.92 * len(positions))])
    repeated = rng.choice(kept[1:], size=2, replace=False)  # two frame ids written twice
    rows = np.sort(np.concatenate([kept, repeated]))
    table = np.column_stack([frame_ids[rows], positions[rows].reshape(len(rows), -1)])
    np.savetxt(path, table, fmt=["%d"] + ["%.6f"] * (3 * kinect.n_joints), delimiter="  ")
    return frame_ids


workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name) / "my_kinect_export"
folder.mkdir()
rng = np.random.default_rng(0)
annotations = []
for subject in range(1, 7):
    height = rng.uniform(0.85, 1.12)
    for trial in (1, 2):
        take = f"s{subject:02d}_e{trial:02d}"
        positions, actions = record_take(height, rng)
        frame_ids = write_take(folder / f"joints_{take}.txt", positions, rng)
        annotations.append(take)
        for action, first, last in actions:
            annotations.append(f"{action}: {frame_ids[first]} {frame_ids[last]}")
# As in UTKinect-Action3D, one action was not annotated.
row = annotations.index("s04_e02") + 3
annotations[row] = annotations[row].split(":")[0] + ": NaN NaN"
(folder / "actionLabel.txt").write_text("\n".join(annotations) + "\n")
print(sorted(path.name for path in folder.iterdir())[:4], "...")

# %%
# The top of a take, and of the annotation table. The sensor drops frames, so the frame ids
# have gaps, and a few ids are written twice.
take_file = folder / "joints_s01_e01.txt"
for line in take_file.read_text().splitlines()[:4]:
    print(line[:75], "...")
print("\n".join((folder / "actionLabel.txt").read_text().splitlines()[:4]))

# %%
# Reading the takes
# -----------------
# :func:`~skgesture.io.read_mocap_csv` reads headerless whitespace-separated files too: the
# delimiter is sniffed (``delimiter="whitespace"`` forces it). With ``first_column="frame"``
# the first column is read as frame ids rather than times. A frame id written twice is refused
# by default, naming the line:
try:
    read_mocap_csv(take_file, first_column="frame")
except ValueError as error:
    print(error)

# %%
# ``duplicate_frames="keep"`` keeps every line as a frame. Nothing is dropped or reordered:
# ``frame_ids`` holds the ids as written, gaps and repeats included.
recording = read_mocap_csv(take_file, first_column="frame", duplicate_frames="keep")
print(recording.positions.shape, recording.times)
ids = recording.frame_ids
n_ids = len(np.unique(ids))
print(
    f"frame ids {ids[0]} to {ids[-1]}: {ids[-1] - ids[0] + 1 - n_ids} missing, "
    f"{len(ids) - n_ids} written twice"
)
gap = np.flatnonzero(np.diff(ids) > 1)[0]
print("around the first gap:", ids[gap - 2 : gap + 4])

# %%
# The annotation table
# --------------------
# :func:`~skgesture.io.read_segments` reads the table into a list of
# :class:`~skgesture.io.Segment` ``(take, label, first, last, line)``. A segment written
# ``NaN NaN`` has no range: it is left out of the list, kept in ``missing``, and a warning
# says so.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    table = read_segments(folder / "actionLabel.txt")
print(len(table), "segments in", len(table.takes), "takes; first:", table[0])
print("left out:", table.missing)
print("warning:", caught[0].message)

# %%
# Cutting the takes into recordings
# ---------------------------------
# :func:`~skgesture.io.cut_segments` cuts one take into one array per segment: the frames
# whose frame id lies in the segment's range, ends included. The ranges are frame ids, not
# row numbers, so the dropped frames do not shift them. The subject of each recording (the
# ``sXX`` of its take) is its group for cross-validation.
recordings, labels, subjects = [], [], []
for take in table.takes:
    recording = read_mocap_csv(
        folder / f"joints_{take}.txt", first_column="frame", duplicate_frames="keep"
    )
    cut = cut_segments(recording.positions, recording.frame_ids, table, take=take)
    recordings += cut.data
    labels += cut.target.tolist()
    subjects += [take.split("_")[0]] * len(cut.data)
labels, subjects = np.array(labels), np.array(subjects)
lengths = [len(recording) for recording in recordings]
print(len(recordings), "recordings of", min(lengths), "to", max(lengths), "frames")
print("per class:", Counter(labels.tolist()))

# %%
# The same action by two subjects: their hands, in camera coordinates, are far apart, because
# the subjects stand at different places and have different heights.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for subject, color in (("s01", "tab:blue"), ("s02", "tab:orange")):
    for k, i in enumerate(np.flatnonzero((labels == "push") & (subjects == subject))):
        hand = recordings[i][:, joint["HandRight"]]
        ax.plot(hand[:, 2], color=color, label=subject if k == 0 else None)
ax.set(xlabel="frame", ylabel="depth z (m)", title="Right hand during push, two takes each")
ax.legend(fontsize=8)
plt.show()

# %%
# Cross-validating by subject
# ---------------------------
# A model is useful if it recognises people it has never seen, so the folds split by subject:
# :class:`~sklearn.model_selection.GroupKFold` with ``groups=subjects`` keeps all the
# recordings of a subject, from both of their takes, on the same side. (Splitting at random,
# or by take, would test on subjects seen in training, and overestimate the accuracy.)
#
# The classifier takes the recordings as they are, of different lengths. By default it
# works in the *body frame*: each recording is expressed relative to a root joint and scaled
# by the body's size, so where the subject stands, how tall they are and whether the file is
# in metres or centimetres do not matter. ``skeleton="kinect_v1"`` gives it the bones, which
# ``architecture="graph"`` convolves along (without it they are inferred from the
# recordings). The classifier sits in a :class:`~sklearn.pipeline.Pipeline` so that the
# preprocessing steps you may add before it (a
# :class:`~skgesture.preprocessing.FrameRateResampler`, for instance) are fitted within each
# fold.
# The settings are small, to keep the documentation build quick; real recordings need more
# epochs and filters.
model = Pipeline(
    [
        (
            "clf",
            CNNClassifier(
                skeleton="kinect_v1",
                architecture="graph",
                n_filters=12,
                max_epochs=30,
                n_threads=1,
                random_state=0,
            ),
        )
    ]
)
scores = cross_val_score(model, recordings, labels, groups=subjects, cv=GroupKFold(n_splits=3))
print("accuracy per fold (2 unseen subjects each):", scores.round(2))

# %%
# Fitting and explaining
# ----------------------
# Train on every subject but the last, and test on that one. The graph network passes
# features between joints (along the bones, and through an adjacency it learns), so what it
# learned about the hand ends up spread over the whole body, and so do its explanations. The
# default ``architecture="joint"`` keeps every joint's features apart up to its last
# convolution: its heatmaps point at the joints that moved. It is a little slower to train.
model.set_params(clf__architecture="joint")
test = subjects == "s06"
train_recordings = [r for r, held_out in zip(recordings, test) if not held_out]
test_recordings = [r for r, held_out in zip(recordings, test) if held_out]
model.fit(train_recordings, labels[~test])

fig, ax = plt.subplots(figsize=(5, 4.5), layout="constrained")
plot_confusion_matrix(model, test_recordings, labels[test], ax=ax)
plt.show()

# %%
# What the classifier learned from the data, besides its weights: the fitted ``skeleton_``
# (here the ``skeleton`` parameter; inferred from the recordings without it), the root joint
# ``root_`` of the body frame, and the input ``streams_`` it stacks per joint (the body-frame
# positions and their frame-to-frame motion, by default).
clf = model[-1]
print("skeleton:", clf.skeleton_.name, "- root joint:", clf.skeleton_.joint_names[clf.root_])
print("input streams:", clf.streams_)

# %%
# :class:`~skgesture.explain.GradCAMExplainer` shows which joints, in which frames, drove a
# decision. The fitted ``skeleton_`` names the joints and draws the bones; the training
# recordings are the reference the maps are measured against (see :doc:`/explain`).
explainer = GradCAMExplainer(clf, skeleton=clf.skeleton_).fit(train_recordings)
explanation = explainer.explain(test_recordings)
i = int(np.flatnonzero(labels[test] == "wave")[0])
fig, ax = plt.subplots(figsize=(8, 6), layout="constrained")
explanation.plot(i, ax=ax)
plt.show()

# %%
# The skeleton at the frame where the explanation is strongest, its most important joints in
# green.
frame = int(explanation.heatmap(i).max(axis=1).argmax())
top = explanation.top_joints(3)[i][frame]
print("frame", frame, "top joints:", [explanation.joint_names[j] for j in top])
explanation.plot_skeleton(i, frame)
plt.show()
