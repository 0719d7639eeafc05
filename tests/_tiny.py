"""Tiny, seeded CPU settings and data that several test files share.

pytest puts tests/ on ``sys.path``, so a test file imports them with ``from _tiny import ...``.
Settings that one file alone uses stay in that file.
"""

import numpy as np

from skgesture import CNNClassifier, FCClassifier, LSTMClassifier

# One torch thread: tiny nets train fastest that way, and the suite shares the cores.
TINY = {"max_epochs": 2, "random_state": 0, "n_threads": 1}
TINY_CNN = {"n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}
TINY_LSTM = {"projection_size": 4, "hidden_size": 4, "num_layers": 1, **TINY}
TINY_FC = {"hidden_sizes": (8,), **TINY}
# A CNN small enough to train in about a second that still learns a planted movement.
SMALL_CNN = {"n_filters": 8, "n_blocks": 1, "lr": 0.01, "random_state": 0, "n_threads": 1}


def tiny_estimators(**params):
    """A new tiny CNN, LSTM and FC classifier; ``params`` replace their settings."""
    return [
        CNNClassifier(**{**TINY_CNN, **params}),
        LSTMClassifier(**{**TINY_LSTM, **params}),
        FCClassifier(**{**TINY_FC, **params}),
    ]


def gestures(n_per_class=10, n_frames=12, n_joints=4, n_coords=3, labels=("up", "down"), seed=0):
    """Recordings in which each class lifts one joint by a different amount."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.3, size=(n_per_class * len(labels), n_frames, n_joints, n_coords))
    y = np.repeat(np.asarray(labels), n_per_class)
    for offset, label in enumerate(labels):
        X[y == label, :, min(1, n_joints - 1), 0] += 2.0 * offset
    return X.astype(np.float32), y
