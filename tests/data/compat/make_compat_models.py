"""Write the compatibility fixtures: a small fitted CNNClassifier saved with joblib and as .npz.

Run once, at commit 9bbe0fd (before the estimator layer was restructured), from the repository
root: ``python tests/data/compat/make_compat_models.py``. ``tests/test_compat.py`` checks that
today's skgesture still loads both files and predicts what they predicted then
(``expected.npz``). Do not re-run it with a later skgesture: the point is that the files are old.
"""

from pathlib import Path

import joblib
import numpy as np

from skgesture import CNNClassifier
from skgesture.datasets import make_gestures

HERE = Path(__file__).resolve().parent

X, y = make_gestures(24, n_joints=8, min_frames=10, max_frames=16, random_state=0, return_X_y=True)
model = CNNClassifier(max_epochs=3, batch_size=8, random_state=0, verbose=0).fit(X, y)
X_new, _ = make_gestures(
    6, n_joints=8, min_frames=10, max_frames=18, random_state=1, return_X_y=True
)
joblib.dump(model, HERE / "cnn_9bbe0fd.joblib", compress=3)
model.save(HERE / "cnn_9bbe0fd.npz")
np.savez(
    HERE / "expected.npz",
    **{f"recording_{i}": np.asarray(r) for i, r in enumerate(X_new)},
    proba=model.predict_proba(X_new),
    predicted=model.predict(X_new).astype(str),
)
