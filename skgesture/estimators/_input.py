"""What a network sees: the input features an estimator computes from joint positions.

Positions in camera coordinates change with where the subject stands and how tall they are.
With ``body_frame=True`` an estimator expresses every recording relative to a root joint and
scaled by the body's size, keeping the root's own trajectory (:mod:`skgesture._features`), and
with ``streams`` it adds the bones (child minus parent) and the motion (frame differences) as
more channels per joint, as skeleton action recognition does (ST-GCN++, pyskl). This happens
inside the estimator, batch by batch, after augmentation and before standardisation, so a user
never has to remember a preprocessing step, and prediction and explanation see the same input.

The topology comes from the ``skeleton`` parameter (a :class:`~skgesture.skeleton.Skeleton` or
a name of :func:`~skgesture.skeleton.get_skeleton`); without one it is inferred from the
training recordings (:func:`~skgesture.skeleton.infer_skeleton`: joints whose distance stays
nearly constant are joined by a bone). Either way it is the fitted ``skeleton_``.
"""

from __future__ import annotations

import numpy as np

from skgesture._features import STREAMS, default_root, skeleton_features
from skgesture.skeleton import Skeleton, get_skeleton

__all__ = [
    "INPUT_DEFAULTS",
    "RAW_INPUT",
    "InputFeatures",
    "check_skeleton",
    "check_streams",
    "learn_input",
]

#: Defaults of the input parameters every network estimator takes.
INPUT_DEFAULTS = {"skeleton": None, "body_frame": True, "streams": ("joint", "motion")}

#: What models fitted before these parameters existed saw: positions as given.
RAW_INPUT = {"skeleton": None, "body_frame": False, "streams": ("joint",)}

# Topology inference reads at most this many recordings (the relations between joints are
# clear long before, and a RecordingStore is not read whole).
_MAX_INFERENCE_RECORDINGS = 200
# ... and is left out above this many joints: it compares every pair of joints, and skeletons
# that large (dense marker sets, meshes) are not trees of bones anyway. Give skeleton= there.
MAX_INFERRED_JOINTS = 200


def check_streams(streams):
    """``streams`` as a tuple of distinct stream names, or a clear ``ValueError``."""
    if isinstance(streams, str):
        streams = (streams,)
    try:
        streams = tuple(streams)
        unknown = [name for name in streams if name not in STREAMS]
        repeated = len(set(streams)) != len(streams)
    except TypeError:  # not iterable, or unhashable names
        unknown, repeated = [streams], True
    if not streams or unknown or repeated:
        raise ValueError(
            f"streams must be a non-empty tuple of distinct names among {STREAMS}; got {streams!r}."
        )
    return streams


def check_skeleton(skeleton, n_joints=None):
    """``skeleton`` (None, a name or a Skeleton) as a Skeleton or None, or a clear
    ``ValueError``; with ``n_joints``, it must have that many joints."""
    if isinstance(skeleton, str):
        skeleton = get_skeleton(skeleton)
    if skeleton is None:
        return None
    if not isinstance(skeleton, Skeleton):
        raise ValueError(
            "skeleton must be None, a Skeleton or the name of a known skeleton; got "
            f"{type(skeleton).__name__}."
        )
    if n_joints is not None and skeleton.n_joints != n_joints:
        raise ValueError(
            f"skeleton={skeleton.name!r} has {skeleton.n_joints} joints but the recordings "
            f"have {n_joints}."
        )
    return skeleton


def learn_input(skeleton, body_frame, streams, data, lengths, *, needs_topology=False):
    """What an estimator's network will see, learned on its training recordings.

    Returns ``(skeleton_, root_, body_frame_, streams_)``. ``skeleton`` (the parameter) wins;
    otherwise, when the bone stream or the network (``needs_topology``: one that convolves
    along the bones) needs a topology, it is inferred from the training recordings; otherwise
    every joint is a root. The settings that take effect follow the
    data: recordings of one coordinate per joint (2-D or 3-D arrays, scalar channels rather
    than positions in space) get neither the body frame nor bones, and a skeleton without
    bones gets no bone stream.
    """
    streams = check_streams(streams)
    n_joints, n_coords = data.shape[2:]
    positions = n_coords >= 2
    skeleton = check_skeleton(skeleton, n_joints)
    wants_bones = "bone" in streams or needs_topology
    if skeleton is None and positions and wants_bones and 1 < n_joints <= MAX_INFERRED_JOINTS:
        from skgesture.skeleton import infer_skeleton

        count = min(len(lengths), _MAX_INFERENCE_RECORDINGS)
        recordings = [np.asarray(data[i])[: lengths[i]] for i in range(count)]
        skeleton = infer_skeleton(recordings)
    elif skeleton is None:
        skeleton = Skeleton("no topology", [f"joint {j}" for j in range(n_joints)])
    body_frame = bool(body_frame) and positions
    if not (positions and skeleton.bones):
        streams = tuple(name for name in streams if name != "bone") or ("joint",)
    count = min(len(lengths), _MAX_INFERENCE_RECORDINGS)
    sample = np.asarray(data[:count])
    root = default_root(skeleton.parents, sample, lengths=np.asarray(lengths[:count]))
    return skeleton, int(root), body_frame, streams


class InputFeatures:
    """The estimator's input features of a padded batch (a picklable callable).

    Parameters
    ----------
    parents : tuple of int
        The fitted skeleton's parents.
    root : int
        The fitted root joint.
    streams : tuple of str
    body_frame : bool
    """

    def __init__(self, parents, root, streams, body_frame):
        self.parents = tuple(parents)
        self.root = int(root)
        self.streams = tuple(streams)
        self.body_frame = bool(body_frame)

    def __call__(self, data, lengths):
        return skeleton_features(
            data,
            lengths,
            parents=self.parents,
            root=self.root,
            streams=self.streams,
            center=self.body_frame,
            scale=self.body_frame,
        )

    @classmethod
    def of(cls, estimator):
        """The features of a fitted estimator, or None when it sees positions as given."""
        streams = tuple(getattr(estimator, "streams_", RAW_INPUT["streams"]))
        body_frame = getattr(estimator, "body_frame_", RAW_INPUT["body_frame"])
        if streams == ("joint",) and not body_frame:
            return None
        return cls(estimator.skeleton_.parents, estimator.root_, streams, body_frame)
