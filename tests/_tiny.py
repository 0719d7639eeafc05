"""Tiny, seeded CPU settings and data that several test files share.

pytest puts tests/ on ``sys.path``, so a test file imports them with ``from _tiny import ...``.
Settings that one file alone uses stay in that file.

A test of a property every classifier should have takes the classifiers from the registry
(:func:`registered_classifiers`, :func:`tiny`, :func:`tiny_estimators`), never from a list of
its own: an estimator added to ``skgesture/_registry.py`` is then tested by it too. A test whose
meaning does not apply to some classifier leaves it out with ``exclude={name: reason}``.
"""

import numpy as np

from skgesture._registry import estimator_classes

# One torch thread: tiny nets train fastest that way, and the suite shares the cores.
TINY = {"max_epochs": 2, "random_state": 0, "n_threads": 1}
TINY_CNN = {"n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}
TINY_LSTM = {"projection_size": 4, "hidden_size": 4, "num_layers": 1, **TINY}
TINY_FC = {"hidden_sizes": (8,), **TINY}
# A CNN small enough to train in about a second that still learns a planted movement.
SMALL_CNN = {"n_filters": 8, "n_blocks": 1, "lr": 0.01, "random_state": 0, "n_threads": 1}


def registered_classifiers(exclude=None):
    """``{name: class}`` of every registered classifier, in the registry's order.

    ``exclude``: ``{class name: reason}`` of classifiers a test's meaning does not apply to.
    A reason is required, so that none is left out silently, and each name must be registered,
    so that an exclusion cannot outlive its estimator unnoticed.
    """
    classes = estimator_classes("classifier")
    exclude = dict(exclude or {})
    unknown = sorted(set(exclude) - set(classes))
    if unknown:
        raise ValueError(f"exclude names {unknown}, which are not registered classifiers")
    for name, reason in exclude.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"exclude[{name!r}] must give the reason it is left out")
    return {name: cls for name, cls in classes.items() if name not in exclude}


def tiny(cls, **params):
    """A new ``cls`` with its first test configuration, trained for 2 epochs; ``params``
    replace its settings."""
    return cls(**{**cls._get_test_params()[0], "max_epochs": TINY["max_epochs"], **params})


def tiny_estimators(exclude=None, **params):
    """A new tiny instance of every registered classifier (see :func:`registered_classifiers`
    for ``exclude``); ``params`` replace their settings."""
    return [tiny(cls, **params) for cls in registered_classifiers(exclude).values()]


def estimator_name(estimator):
    """The test id of a parametrisation over estimators: the class's name."""
    return type(estimator).__name__


def gestures(n_per_class=10, n_frames=12, n_joints=4, n_coords=3, labels=("up", "down"), seed=0):
    """Recordings in which each class lifts one joint by a different amount."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.3, size=(n_per_class * len(labels), n_frames, n_joints, n_coords))
    y = np.repeat(np.asarray(labels), n_per_class)
    for offset, label in enumerate(labels):
        X[y == label, :, min(1, n_joints - 1), 0] += 2.0 * offset
    return X.astype(np.float32), y


def random_padded_batch(lengths, n_joints, n_coords, n_frames=None, seed=0):
    """A network batch of random recordings, zero after each length: ``(x, lengths)`` tensors."""
    import torch

    from skgesture.nn import frame_mask

    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor(lengths)
    n_frames = n_frames or int(lengths.max())
    x = torch.randn(len(lengths), n_frames, n_joints, n_coords, generator=generator)
    return x * frame_mask(lengths, n_frames)[:, :, None, None], lengths


def mono_bi_gestures():
    """``(train, test)``: 48 and 24 small Mono/Bi gestures on 10 joints with their true
    relevance (``make_gestures(return_relevance=True)``); "Bi" recordings raise the left arm."""
    from skgesture.datasets import make_gestures

    params = {"n_joints": 10, "min_frames": 20, "max_frames": 30, "return_relevance": True}
    return make_gestures(48, random_state=0, **params), make_gestures(24, random_state=1, **params)


def small_cnn_of(train):
    """A :data:`SMALL_CNN` trained for 15 epochs on a Bunch of recordings: it learns the planted
    movement of :func:`mono_bi_gestures`."""
    from skgesture import CNNClassifier

    return CNNClassifier(max_epochs=15, **SMALL_CNN).fit(train.data, train.target)
