"""The documentation of what the network estimators share, written once.

An estimator's docstring holds the line ``%(training_parameters)s`` where its parameters list
goes on, and ``%(fitted_attributes)s`` (plus ``%(classifier_attributes)s`` for classifiers)
in its Attributes; :func:`complete_docstring` writes there the entries below, with each
parameter's default read from the class's ``__init__``. A parameter the docstring documents
itself (a line ``name : ...``) is left out of the spliced text, so an estimator can say more
about one setting without repeating the others.
"""

from __future__ import annotations

import inspect
import re

from skgesture.utils._docstrings import splice

__all__ = ["complete_docstring"]

#: ``{parameter: its documentation}``; ``{default}`` becomes the class's default.
TRAINING_PARAMETER_DOCS = {
    "skeleton": """\
skeleton : Skeleton, str or None, default={default}
    The joints' topology (bones), for the body frame and the bone stream: a
    :class:`~skgesture.skeleton.Skeleton` or a name of
    :func:`~skgesture.skeleton.get_skeleton` (``"kinect_v1"``, ``"natops"``,
    ``"mocaplab"``, ``"coco17"``). None infers it from the training recordings (joints whose
    distance stays nearly constant are joined by a bone, see
    :func:`~skgesture.skeleton.infer_skeleton`); the fitted ``skeleton_`` says which was
    used.""",
    "body_frame": """\
body_frame : bool, default={default}
    Express every recording relative to its root joint (``root_``) and divided by its body
    size, keeping the root's own trajectory from its first frame, so that where the subject
    stands and how tall they are do not matter (see :mod:`skgesture._features`). False feeds
    the positions as given (standardised).""",
    "streams": """\
streams : tuple of {{"joint", "bone", "motion"}}, default={default}
    Input streams stacked per joint: the (body-frame) positions, the bones (joint minus its
    parent in ``skeleton_``) and the motion (frame differences), each ``n_coords_in_``
    channels.""",
    "max_epochs": """\
max_epochs : int, default={default}
    Most passes over the training data (fewer when early stopping ends training).""",
    "batch_size": """\
batch_size : int, default={default}
    Recordings per mini-batch.""",
    "lr": """\
lr : float, default={default}
    Learning rate.""",
    "optimizer": """\
optimizer : {{"adamw", "adam", "sgd"}} or torch optimizer class, default={default}
    Pass optimizer options such as momentum through ``net_params``
    (``{{"optimizer__momentum": 0.9}}``).""",
    "weight_decay": """\
weight_decay : float, default={default}
    Weight decay of the optimizer.""",
    "lr_schedule": """\
lr_schedule : {{"cosine", "constant"}}, default={default}
    ``"cosine"`` anneals the learning rate to zero over ``max_epochs`` epochs.""",
    "label_smoothing": """\
label_smoothing : float in [0, 1), default={default}
    Label smoothing of the cross-entropy loss.""",
    "early_stopping": """\
early_stopping : bool or "auto", default={default}
    Hold out ``validation_fraction`` of the training recordings (stratified by class for a
    classifier), stop when their loss has not improved for ``patience`` epochs and keep the
    weights of the best epoch (in memory; ``fit`` writes no files); it never stops in the
    first ``2 * patience`` epochs, while the network is still near its random start. ``"auto"``
    turns it on
    when the held-out part would have at least 100 recordings (and, for a classifier, 2 of
    every class): on smaller sets the validation loss is too noisy to pick an epoch by (on
    NATOPS, 36 held-out recordings, early stopping cost 1 to 2 points of test accuracy
    against training on all 180 recordings for ``max_epochs``).""",
    "validation_fraction": """\
validation_fraction : float in (0, 1), default={default}
    Share of the training recordings held out for early stopping.""",
    "patience": """\
patience : int, default={default}
    Epochs without improvement of the validation loss before stopping (the paper's 10).""",
    "class_weight": """\
class_weight : dict, "balanced" or None, default={default}
    Weights of the classes in the loss, as in scikit-learn.""",
    "augment": """\
augment : None, "light", "medium", Augmenter or callable, default={default}
    Augmentation of training batches (never of validation or prediction batches); see
    :func:`skgesture.preprocessing.augment.make_augmenter`. Each estimator's default is
    what tested best on NATOPS: ``"light"`` (random scaling and jitter) helped the LSTM
    by about 3 points of accuracy and did not help the CNN or the FC network.""",
    "device": """\
device : {{"auto", "cpu", "cuda"}}, default={default}
    Where to train and predict; ``"auto"`` picks CUDA when it is available.""",
    "random_state": """\
random_state : int, RandomState instance or None, default={default}
    Seeds weight initialisation, shuffling, the validation split, dropout and
    augmentation. The same integer gives the same predictions run after run; the global
    torch random state is left untouched.""",
    "verbose": """\
verbose : int, default={default}
    0 prints nothing, 1 prints skorch's table of losses per epoch, 2 also shows a
    progress bar over batches (needs ``tqdm``), in ``fit`` and in the predictions and
    transforms after it.""",
    "warm_start": """\
warm_start : bool, default={default}
    When fitted already, continue training the current weights (with the classes,
    skeleton and standardisation learned in the first fit) instead of starting afresh.""",
    "n_threads": """\
n_threads : int or None, default={default}
    Number of torch threads during ``fit`` and ``predict`` (the previous setting is
    restored afterwards); set it to 1 inside ``GridSearchCV(n_jobs=...)`` to avoid
    oversubscribing the cores. None leaves torch's setting alone. At most 1024 (far
    more threads crash torch's thread pool).""",
    "callbacks": """\
callbacks : list of skorch callbacks or None, default={default}
    Extra skorch callbacks (instances or ``(name, callback)`` pairs); they are copied,
    so the fitted ones live in ``net_.callbacks_``.""",
    "net_params": """\
net_params : dict or None, default={default}
    Further skorch parameters, e.g. ``{{"optimizer__momentum": 0.9}}``. Applied last, so
    they override what the parameters above set.""",
}

CLASSIFIER_ATTRIBUTES_DOC = """\
classes_ : ndarray of shape (n_classes,)
    The class labels."""

FITTED_ATTRIBUTES_DOC = """\
n_features_in_ : int
    Values per frame (``n_joints_in_ * n_coords_in_``) for sequence input; the number of
    columns for 2-D input, as in scikit-learn.
feature_names_in_ : ndarray of shape (``n_features_in_``,)
    Column names, only when fitted on a 2-D DataFrame with string column names.
n_joints_in_ : int
    Joints per frame seen in ``fit``.
n_coords_in_ : int
    Coordinates per joint seen in ``fit``.
n_frames_ : int
    Length of the longest training recording (for a fixed-length network such as
    ``FCClassifier``, the width of a dense training array).
skeleton_ : Skeleton
    The topology of the input features: the ``skeleton`` parameter, or inferred from the
    training recordings when it is None (a skeleton without bones when the features need
    none).
root_ : int
    Index of the root joint of the body frame.
body_frame_ : bool
streams_ : tuple of str
    The input settings that took effect: ``body_frame`` and ``streams``, except that
    recordings of one coordinate per joint get no body frame and no bones, and a skeleton
    without bones no bone stream.
channel_mean_ : ndarray of shape (``n_joints_in_``, ``n_coords_in_ * len(streams)``)
channel_scale_ : ndarray of shape (``n_joints_in_``, ``n_coords_in_ * len(streams)``)
    Per-channel standardisation of the input features, learned on the real (non-padding)
    training frames.
net_ : skorch.NeuralNet
    The trained skorch net; its ``module_`` is the torch network.
history_ : skorch.History
    Losses (and validation accuracy) per epoch of the last call to ``fit``.
n_iter_ : int
    Epochs run by the last call to ``fit``.
early_stopping_ : bool
    Whether the last call to ``fit`` held out recordings for early stopping.
interrupted_ : bool
    Whether the last call to ``fit`` was stopped by ``KeyboardInterrupt`` (Ctrl+C). Then
    the weights of the best completed epoch (lowest validation loss, or training loss
    without early stopping) were restored and a warning said so: the model is
    under-trained."""


def _default(parameter):
    default = parameter.default
    return f'"{default}"' if isinstance(default, str) else default


def complete_docstring(cls):
    """Class decorator: splice the shared parameter and attribute documentation into ``cls``."""
    documented = set(re.findall(r"^ +(\w+) :", cls.__doc__, flags=re.MULTILINE))
    signature = inspect.signature(cls.__init__).parameters
    parameters = "\n".join(
        TRAINING_PARAMETER_DOCS[name].format(default=_default(signature[name]))
        for name in TRAINING_PARAMETER_DOCS
        if name in signature and name not in documented
    )
    fragments = {
        "training_parameters": parameters,
        "fitted_attributes": FITTED_ATTRIBUTES_DOC,
        "classifier_attributes": CLASSIFIER_ATTRIBUTES_DOC,
    }
    cls.__doc__ = splice(cls.__doc__, fragments)
    return cls
