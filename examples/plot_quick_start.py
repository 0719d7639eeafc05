"""
Quick start: recognise NATOPS gestures
======================================

Load the NATOPS data set that ships with skgesture, build a scikit-learn
:class:`~sklearn.pipeline.Pipeline` that pads the recordings and trains a
:class:`~skgesture.estimators.CNNClassifier`, then look at its accuracy, its confusion
matrix and its learning curves.

To keep the documentation build quick, the network trains for 10 epochs instead of its
default 100; remove ``max_epochs`` for the full result (about 0.98 test accuracy).
"""

import matplotlib.pyplot as plt
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, SkeletonPadder
from skgesture.datasets import load_natops
from skgesture.plotting import plot_confusion_matrix, plot_history

# %%
# The data
# --------
# NATOPS holds 360 recordings (180 for training, 180 for testing) of six aircraft-handling
# signals. Each recording is an array ``(n_frames, n_joints, n_coords)``: 51 frames of 8 joints
# (hand tips, wrists, elbows and thumbs) in 3-D. A data set is a 4-D array (or a list of
# recordings of different lengths).
train, test = load_natops("train"), load_natops("test")
print(train.data.shape, test.data.shape)
print(train.joint_names)
print(train.target_names)

# %%
# One recording, joint by joint: the vertical position of each joint over time.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
recording = train.data[0]
for joint, name in enumerate(train.joint_names):
    ax.plot(recording[:, joint, 1], label=name)
ax.set(xlabel="frame", ylabel="height", title=f"NATOPS recording 0: {train.target[0]!r}")
ax.legend(fontsize=7, ncol=2)
plt.show()

# %%
# A pipeline
# ----------
# :class:`~skgesture.preprocessing.SkeletonPadder` brings every recording to the length of the
# longest training recording (the paper's zero padding); the classifier is an ordinary
# scikit-learn estimator, so the pipeline can be cross-validated, searched or pickled like
# any other.
model = Pipeline(
    [
        ("pad", SkeletonPadder()),
        ("clf", CNNClassifier(max_epochs=10, random_state=0)),
    ]
)
model.fit(train.data, train.target)
print(f"test accuracy: {model.score(test.data, test.target):.3f}")

# %%
# What it gets wrong, and how it learned
# --------------------------------------
# :mod:`skgesture.plotting` draws the confusion matrix on the test recordings and the
# training loss per epoch.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
plot_confusion_matrix(model, test.data, test.target, ax=axes[0])
plot_history(model, ax=axes[1])
plt.show()

# %%
# Predicting new recordings
# -------------------------
# ``predict`` takes recordings of any length: the padder pads shorter ones and crops longer
# ones (with a warning). ``predict_proba`` gives the probability of each class.
new_recordings = [test.data[0][:40], test.data[1]]
print(model.predict(new_recordings))
print(model.predict_proba(new_recordings).round(2))
