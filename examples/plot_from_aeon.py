"""
Data from aeon or sktime
========================

aeon and sktime hold a collection of multivariate series channels first:
``(n_cases, n_channels, n_timepoints)``, or a list of ``(n_channels, n_timepoints_i)`` arrays
when the series differ in length. skgesture holds recordings frames first:
``(n_recordings, n_frames, n_joints, n_coords)``, or a list of ``(n_frames_i, n_joints,
n_coords)`` arrays. :func:`~skgesture.io.from_aeon` converts the first into the second
(each group of ``n_coords`` channels becomes a joint) and
:func:`~skgesture.io.to_aeon` goes back.

aeon is not needed to run this example: with it, ``X, y = load_classification("NATOPS",
split="train")`` (from ``aeon.datasets``) downloads the UEA copy of NATOPS as a
``(180, 24, 51)`` array. skgesture ships the same recordings, so the example builds that very
array from them with :func:`~skgesture.io.to_aeon`.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import Pipeline

from skgesture import FCClassifier, SkeletonPadder
from skgesture.datasets import load_natops
from skgesture.io.arrays import LayoutWarning, from_aeon, to_aeon

# %%
# NATOPS as aeon holds it
# -----------------------
# 24 channels (x, y and z of 8 joints: hand tips, elbows, wrists and thumbs, joint by joint)
# by 51 timepoints.
train, test = load_natops("train"), load_natops("test")
X_train, y_train = to_aeon(train.data), train.target
X_test, y_test = to_aeon(test.data), test.target
print("aeon layout:", X_train.shape)

# %%
# Given as it is, the array would be read the wrong way round: 24 frames of 51 one-value
# joints. skgesture warns when a 3-D array looks like that.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", LayoutWarning)
    SkeletonPadder().fit(X_train)
print(caught[0].message)

# %%
# Converting it
# -------------
# ``n_coords=3``: every three channels are the x, y and z of one joint.
recordings = from_aeon(X_train, n_coords=3)
print("skgesture layout:", recordings.shape)

# %%
# Channel 4 of aeon's array is the y coordinate (coordinate 1) of joint 1, the right hand
# tip: the same values, now a joint's height over the frames.
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
ax.plot(X_train[0, 4], lw=4, alpha=0.4, label="aeon: X[0, channel 4]")
ax.plot(recordings[0, :, 1, 1], "k--", label="skgesture: recordings[0, :, joint 1, y]")
ax.set(xlabel="frame (timepoint)", ylabel="height", title=train.joint_names[1])
ax.legend()
plt.show()

# %%
# A pipeline on the converted data
# --------------------------------
# Once converted, the data feed skgesture's estimators like any other recordings. A small
# fully connected network, trained for a few epochs to keep this example quick:
model = Pipeline(
    [
        ("pad", SkeletonPadder()),
        ("clf", FCClassifier(hidden_sizes=(64,), max_epochs=30, random_state=0)),
    ]
)
model.fit(recordings, y_train)
print(f"test accuracy: {model.score(from_aeon(X_test, n_coords=3), y_test):.3f}")

# %%
# Series of different lengths
# ---------------------------
# aeon keeps unequal-length series in a list of ``(n_channels, n_timepoints_i)`` arrays; here,
# the test series cut to between 30 and 51 timepoints. ``from_aeon`` gives a list of
# recordings, which the pipeline pads to the length it learned.
rng = np.random.default_rng(0)
unequal = [series[:, : rng.integers(30, 52)] for series in X_test]
print([series.shape for series in unequal[:3]])
ragged = from_aeon(unequal, n_coords=3)
print([recording.shape for recording in ragged[:3]])
print(f"accuracy on the cut series: {model.score(ragged, y_test):.3f}")

# %%
# Back to aeon
# ------------
# :func:`~skgesture.io.to_aeon` gives recordings back in aeon's layout, for instance
# to compare with one of aeon's classifiers: an array for an array, a list for a list.
print(to_aeon(recordings).shape, [series.shape for series in to_aeon(ragged)[:3]])
