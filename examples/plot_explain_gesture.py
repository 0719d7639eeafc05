"""
Explaining a gesture: which joints, in which frames
===================================================

A network that recognises gestures well may still look at the wrong thing. The paper explains
its CNN with Grad-CAM: a heatmap over frames x joints of what drove each decision.
:class:`~skgesture.explain.GradCAMExplainer` computes such maps for a fitted classifier (or a
Pipeline ending in one), and, on data whose relevant joints are known, measures how often the
map points at them.

The recordings come from :func:`~skgesture.datasets.make_gestures`: MocapLab-like skeletons
whose two classes, ``Mono`` (one hand) and ``Bi`` (two hands), differ by the motion of known
joints in known frames. To keep the documentation build quick, they have 20 joints instead of
79 and the network is small.
"""

import matplotlib.pyplot as plt
import numpy as np

from skgesture import CNNClassifier
from skgesture.datasets import make_gestures
from skgesture.explain import GradCAMExplainer, pointing_game, relevance_mass

# %%
# Data with a known answer
# ------------------------
# ``return_relevance=True`` also returns, for every recording, a ``(n_frames, n_joints)``
# boolean mask of the cells whose motion tells the classes apart.
train = make_gestures(60, n_joints=20, random_state=0)
test = make_gestures(20, n_joints=20, random_state=1, return_relevance=True)
print(len(train.data), train.data[0].shape, sorted(set(train.target.tolist())))

# %%
# A classifier to explain
# -----------------------
# The default ``architecture="joint"`` keeps a joint axis up to its last convolution, so its
# heatmaps resolve both frames and joints. The classifier takes the ragged recordings as they
# are: no padder is needed.
clf = CNNClassifier(n_filters=16, n_blocks=1, max_epochs=25, random_state=0)
clf.fit(train.data, train.target)
print(f"test accuracy: {clf.score(test.data, test.target):.2f}")

# %%
# Heatmaps
# --------
# ``explain`` returns an :class:`~skgesture.explain.Explanation`: one heatmap per recording,
# scaled to [0, 1], for the predicted class (pass ``target=`` to explain another one). The
# default method is HiResCAM on the class's margin over the other classes;
# ``method="gradcam", class_score="logit"`` gives the paper's Grad-CAM.
#
# ``fit`` takes reference recordings, here the training set: each cell's contribution is then
# measured against their average. A ``Mono`` recording is told apart by a left arm that does
# *not* rise; against the training recordings, in which it often rises, that still arm is the
# evidence. Without a reference (``fit()``) a still arm has little activation to point at.
explainer = GradCAMExplainer(clf, skeleton=test.skeleton).fit(train.data)
explanation = explainer.explain(test.data)
print(explanation.heatmaps.shape)  # (recordings, frames, joints), zero-padded

# %%
# The map of a two-handed (``Bi``) recording, next to the cells that truly matter.
i = int(np.flatnonzero(test.target == "Bi")[0])
fig, axes = plt.subplots(1, 2, figsize=(12, 5), layout="constrained", sharey=True)
explanation.plot(i, ax=axes[0])
axes[1].imshow(test.relevance[i].T, aspect="auto", cmap="Greens", origin="upper")
axes[1].set(title="relevant cells (ground truth)", xlabel="frame")
plt.show()

# %%
# The most important joints per frame are what the paper highlights in green on the skeleton;
# here, the frame where the explanation is strongest. ``explanation.animate(i, "bi.gif")``
# writes the whole recording as an animation.
frame = int(explanation.heatmap(i).max(axis=1).argmax())
top = explanation.top_joints(3)[i][frame]
print("frame", frame, "top joints:", [explanation.joint_names[j] for j in top])
explanation.plot_skeleton(i, frame)
plt.show()

# %%
# How faithful are the maps?
# --------------------------
# The pointing game counts the recordings whose most important joint is truly relevant;
# relevance mass is the share of each map on relevant cells. A map that knew nothing would
# score about the share of relevant joints and cells.
chance = np.mean([mask.any(axis=0).mean() for mask in test.relevance])
print(f"pointing game: {pointing_game(explanation, test.relevance):.2f} (chance {chance:.2f})")
print(f"relevance mass: {relevance_mass(explanation, test.relevance):.2f}")
unreferenced = GradCAMExplainer(clf, skeleton=test.skeleton).fit()
hits = pointing_game(unreferenced.explain(test.data), test.relevance)
print(f"pointing game without a reference: {hits:.2f}")
paper = GradCAMExplainer(clf, method="gradcam", class_score="logit", skeleton=test.skeleton)
hits = pointing_game(paper.fit().explain(test.data), test.relevance)
print(f"pointing game of the paper's Grad-CAM: {hits:.2f}")
