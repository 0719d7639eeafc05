"""
Self-supervised pre-training when few recordings are labelled
=============================================================

Labelling gestures is slow; recording them is not. The paper's answer is self-supervised
learning: pre-train the network on every recording without its label, then fine-tune it on
the few labelled ones. :class:`~skgesture.estimators.SSLClassifier` does both in one ``fit``,
following scikit-learn's semi-supervised convention: ``y == -1`` marks an unlabelled
recording.

Here only 1, 2 or 5 of the 30 NATOPS training recordings of each gesture keep their label. A
CNN trained on those alone is compared with the same CNN whose convolutional trunk was first
pre-trained, contrastively (SimCLR), on all 180 training recordings.

To keep the documentation build quick the networks are small and pre-training runs for 15
epochs; ``benchmarks/label_efficiency.py`` runs the full-size comparison over several seeds.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.frozen import FrozenEstimator

from skgesture import CNNClassifier
from skgesture.datasets import load_natops
from skgesture.plotting import plot_label_efficiency
from skgesture.ssl import AutoencoderPretrainer, SSLClassifier

# %%
# Hiding most labels
# ------------------
# ``k`` recordings of each of the six gestures keep their label; the others get ``-1``.
train, test = load_natops("train"), load_natops("test")
rng = np.random.default_rng(0)
order = {
    label: rng.permutation(np.flatnonzero(train.target == label)) for label in train.target_names
}


def hide_labels(k):
    """The training labels with all but ``k`` recordings per gesture replaced by -1."""
    y = np.full(len(train.target), -1, dtype=object)
    for indices in order.values():
        y[indices[:k]] = train.target[indices[:k]]
    return y


y = hide_labels(2)
print(f"{np.sum(y != -1)} labelled and {np.sum(y == -1)} unlabelled recordings")

# %%
# Pre-training and fine-tuning
# ----------------------------
# ``SSLClassifier`` pre-trains with an
# :class:`~skgesture.estimators.AutoencoderPretrainer` on all of ``X``, then trains a
# classifier that starts from the pre-trained trunk on the labelled recordings.
# ``objective="reconstruction"`` rebuilds hidden parts of each recording instead, as the
# paper's autoencoder does; ``freeze_encoder=True`` trains only the final linear layer on the
# pre-trained features.
pretrainer = AutoencoderPretrainer(
    objective="contrastive", n_filters=16, n_blocks=1, max_epochs=15, random_state=0
)
ssl = SSLClassifier(pretrainer=pretrainer, freeze_encoder=True, max_epochs=30, random_state=0)
ssl.fit(train.data, y)
print(f"pre-trained, then fitted on {ssl.n_labeled_} labelled recordings")
print(f"test accuracy: {ssl.score(test.data, test.target):.3f}")

# %%
# The same network without pre-training, trained on the labelled recordings only:
labelled = y != -1
supervised = CNNClassifier(n_filters=16, n_blocks=1, max_epochs=30, random_state=0)
supervised.fit(train.data[labelled], train.target[labelled])
print(f"test accuracy without pre-training: {supervised.score(test.data, test.target):.3f}")

# %%
# Accuracy against the number of labels
# --------------------------------------
# Pre-training does not depend on the labels, so the fitted pretrainer is reused for every
# number of labels. Wrapped in :class:`~sklearn.frozen.FrozenEstimator`, it is not fitted again
# (the same wrapping reuses it across the folds of a cross-validation).
frozen = FrozenEstimator(ssl.pretrainer_)
labels_per_class = [1, 2, 5]
with_pretraining, without = [], []
for k in labels_per_class:
    y = hide_labels(k)
    labelled = y != -1
    ssl_k = SSLClassifier(pretrainer=frozen, freeze_encoder=True, max_epochs=30, random_state=0)
    with_pretraining.append(ssl_k.fit(train.data, y).score(test.data, test.target))
    supervised_k = CNNClassifier(n_filters=16, n_blocks=1, max_epochs=30, random_state=0)
    supervised_k.fit(train.data[labelled], train.target[labelled])
    without.append(supervised_k.score(test.data, test.target))

n_labelled = [6 * k for k in labels_per_class]
for n, score_ssl, score_supervised in zip(n_labelled, with_pretraining, without):
    print(f"{n:2d} labels: {score_ssl:.3f} with pre-training, {score_supervised:.3f} without")

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
plot_label_efficiency(n_labelled, with_pretraining, label="contrastive pre-training", ax=ax)
plot_label_efficiency(n_labelled, without, label="labelled recordings only", ax=ax)
ax.set_title("NATOPS test accuracy with few labels (one seed)")
plt.show()

# %%
# With one seed and short training these numbers move by several points from run to run;
# the benchmark's repeated, full-size runs are the ones to compare. The pre-trained classifier
# is a CNN like any other: :class:`~skgesture.explain.GradCAMExplainer` explains it and
# ``save``/``load`` store it.
