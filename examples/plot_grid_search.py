"""
Grid search over CNN hyper-parameters
=====================================

skgesture's classifiers are scikit-learn estimators, so
:class:`~sklearn.model_selection.GridSearchCV` tunes them like any other: the parameters of a
Pipeline step are named ``<step>__<parameter>``. Here the search compares two of
:class:`~skgesture.estimators.CNNClassifier`'s architectures and two kernel sizes by 3-fold
cross-validation on NATOPS.

To keep the documentation build quick, the search runs on half of the training recordings with
small networks trained for 6 epochs; on your machine, widen the grid and drop ``max_epochs``.
"""

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from skgesture import CNNClassifier, SkeletonPadder
from skgesture.datasets import load_natops

# %%
# Half of the NATOPS training recordings, with every class in the same proportion.
natops = load_natops("train")
X, _, y, _ = train_test_split(
    natops.data, natops.target, train_size=0.5, stratify=natops.target, random_state=0
)
print(X.shape)

# %%
# The search
# ----------
# The fits run one after the other, each with all of torch's threads. To run ``k`` fits at a
# time, pass ``n_jobs=k`` to the search and ``n_threads=1`` to the classifier, so that the
# fits do not fight over the cores.
pipeline = Pipeline(
    [
        ("pad", SkeletonPadder()),
        ("clf", CNNClassifier(n_filters=12, max_epochs=6, random_state=0)),
    ]
)
param_grid = {
    "clf__architecture": ["joint", "temporal"],
    "clf__kernel_size": [3, 7],
}
search = GridSearchCV(
    pipeline,
    param_grid,
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
)
search.fit(X, y)

print("best:", search.best_params_)
results = pd.DataFrame(search.cv_results_)
columns = ["param_clf__architecture", "param_clf__kernel_size", "mean_test_score", "std_test_score"]
results[columns + ["mean_fit_time"]].sort_values("mean_test_score", ascending=False)

# %%
# The scores side by side
# -----------------------
# Mean cross-validated accuracy of each candidate, with one standard deviation over the folds.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for architecture, rows in results.groupby("param_clf__architecture"):
    ax.errorbar(
        rows["param_clf__kernel_size"].astype(int),
        rows["mean_test_score"],
        yerr=rows["std_test_score"],
        marker="o",
        capsize=4,
        label=f'architecture="{architecture}"',
    )
ax.set(xlabel="kernel_size (frames)", ylabel="cross-validated accuracy", xticks=[3, 7])
ax.legend()
plt.show()

# %%
# The best model
# --------------
# ``refit=True`` (the default) retrained the best candidate on all the recordings given to
# ``fit``; it scores the held-out NATOPS test split like any fitted Pipeline.
test = load_natops("test")
print(f"test accuracy of the best candidate: {search.score(test.data, test.target):.3f}")
