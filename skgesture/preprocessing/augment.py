"""Data augmentation for skeleton recordings.

Each function takes **one** recording ``(n_frames, n_joints, n_coords)`` with 3 coordinates
(motion capture) or 2 (image keypoints), returns a new array of the same floating dtype and
never modifies its input. Random functions take ``rng``: a ``numpy.random.Generator``, a seed
or None.

Geometric changes act about the recording's centroid (the mean of all its points), so a
performer who stands away from the origin is turned, scaled or mirrored in place rather than
thrown across the room.

:class:`Augmenter` bundles them with random magnitudes, and :func:`make_augmenter` turns a
classifier's ``augment`` parameter (None, ``"light"``, ``"medium"``, an ``Augmenter`` or any
callable ``(recording, rng) -> recording``) into one. Classifiers apply it to their training
batches with :func:`augment_batch`, which leaves padding frames at zero.

Augmentations are **not** transformers and never Pipeline steps: a Pipeline runs its
transformers at prediction time too, while augmentation must only vary the training data. So
nothing here has ``fit`` or ``transform``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval

from skgesture.preprocessing._geometry import (
    centroid,
    lateral_axis,
    rotate_points,
    spread,
)
from skgesture.preprocessing._resample import interpolate_frames
from skgesture.preprocessing._skeleton import mirror_permutation, skeleton_up_axis

__all__ = [
    "Augmenter",
    "augment_batch",
    "drop_joints",
    "jitter",
    "make_augmenter",
    "mirror",
    "random_crop",
    "rotate",
    "scale",
    "time_warp",
]


def _as_recording(recording):
    array = np.asarray(recording)
    if array.ndim != 3:
        raise ValueError(
            f"recording has shape {array.shape}; expected one recording of shape "
            "(n_frames, n_joints, n_coords)."
        )
    if array.shape[0] == 0:
        raise ValueError("recording has 0 frames; it needs at least one.")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    return array


def _is_finite_number(value):
    return isinstance(value, Real) and -math.inf < value < math.inf


def _argument_error(name, value, requirement):
    """The error every augmentation raises for an argument outside its range."""
    return ValueError(f"{name}={value!r} must be {requirement}.")


def _generator(rng):
    if isinstance(rng, np.random.RandomState):
        return np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(rng)


def rotate(recording, angle, up_axis=1):
    """Turn a recording by ``angle`` degrees about the vertical axis through its centroid.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
        With 3 coordinates the rotation is about ``up_axis`` (right-handed); with 2 it is the
        in-plane rotation (counter-clockwise from axis 0 towards axis 1) and ``up_axis`` is
        ignored.
    angle : float
        Angle in degrees.
    up_axis : {0, 1, 2}, default=1
        The vertical axis.

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import rotate
    >>> arms = np.array([[[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]])  # 1 frame, 2 joints, y up
    >>> np.round(rotate(arms, 90), 6) + 0.0  # a quarter turn takes x to -z
    array([[[ 0.,  0.,  1.],
            [ 0.,  0., -1.]]])
    """
    recording = _as_recording(recording)
    if not _is_finite_number(angle):
        raise _argument_error("angle", angle, "a finite number of degrees")
    rotated = rotate_points(recording, math.radians(angle), up_axis, centroid(recording))
    return rotated.astype(recording.dtype, copy=False)


def scale(recording, factor):
    """Grow (``factor > 1``) or shrink a recording about its centroid.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    factor : float
        Positive scale factor.

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import scale
    >>> arms = np.array([[[-1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]])  # centroid (0, 1, 0)
    >>> scale(arms, 2.0)
    array([[[-2.,  1.,  0.],
            [ 2.,  1.,  0.]]])
    """
    recording = _as_recording(recording)
    if not (_is_finite_number(factor) and factor > 0):
        raise _argument_error("factor", factor, "a positive finite number")
    center = centroid(recording)
    return ((recording - center) * factor + center).astype(recording.dtype, copy=False)


def jitter(recording, sigma, rng=None):
    """Add independent Gaussian noise of standard deviation ``sigma`` to every value.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    sigma : float
        Noise level, in the units of the recording (non-negative).
    rng : numpy.random.Generator, int or None, default=None

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import jitter
    >>> recording = np.zeros((100, 79, 3), dtype=np.float32)
    >>> noisy = jitter(recording, sigma=0.5, rng=0)
    >>> noisy.dtype, round(float(noisy.std()), 1)
    (dtype('float32'), 0.5)
    """
    recording = _as_recording(recording)
    if not (_is_finite_number(sigma) and sigma >= 0):
        raise _argument_error("sigma", sigma, "a non-negative finite number")
    noise = _generator(rng).normal(0.0, sigma, size=recording.shape)
    return (recording + noise).astype(recording.dtype, copy=False)


def time_warp(recording, strength, rng=None, n_knots=4):
    """Vary the speed of a recording smoothly along its time axis, keeping its length.

    The local playback speed is drawn at ``n_knots`` evenly spaced points from
    ``[1 - strength, 1 + strength]`` and interpolated in between; the warped time runs from the
    first to the last frame, so both are kept and the number of frames does not change.
    Frames are interpolated linearly.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    strength : float in [0, 1)
        How far the local speed may stray from 1.
    rng : numpy.random.Generator, int or None, default=None
    n_knots : int, default=4
        Number of random speeds (at least 2); more knots give a wigglier warp.

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import time_warp
    >>> ramp = np.linspace(0, 1, 11).reshape(11, 1, 1)  # one value moving at constant speed
    >>> warped = time_warp(ramp, strength=0.5, rng=0)
    >>> warped.shape, float(warped[0, 0, 0]), float(warped[-1, 0, 0])  # same ends
    ((11, 1, 1), 0.0, 1.0)
    >>> bool(np.all(np.diff(warped[:, 0, 0]) > 0))  # still moving forward, at varying speed
    True
    """
    recording = _as_recording(recording)
    if not 0 <= strength < 1:
        raise _argument_error("strength", strength, "in [0, 1)")
    if not (isinstance(n_knots, Integral) and n_knots >= 2):
        raise _argument_error("n_knots", n_knots, "an integer of at least 2")
    n_frames = len(recording)
    if n_frames < 3 or strength == 0:
        return recording.copy()
    speeds = 1 + strength * _generator(rng).uniform(-1, 1, size=n_knots)
    step_speeds = np.interp(np.arange(n_frames - 1), np.linspace(0, n_frames - 2, n_knots), speeds)
    positions = np.concatenate([[0.0], np.cumsum(step_speeds)])
    positions *= (n_frames - 1) / positions[-1]
    return interpolate_frames(recording, positions)


def random_crop(recording, min_fraction, rng=None):
    """Keep a random contiguous part of a recording (this changes its length).

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    min_fraction : float in (0, 1]
        The kept part has between ``ceil(min_fraction * n_frames)`` and ``n_frames`` frames
        (at least one), uniformly, and starts anywhere it fits.
    rng : numpy.random.Generator, int or None, default=None

    Returns
    -------
    ndarray of shape (n_kept, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import random_crop
    >>> frames = np.arange(10.0).reshape(10, 1, 1)
    >>> part = random_crop(frames, min_fraction=0.5, rng=0)
    >>> 5 <= len(part) <= 10, bool(np.all(np.diff(part[:, 0, 0]) == 1))  # contiguous frames
    (True, True)
    """
    recording = _as_recording(recording)
    if not 0 < min_fraction <= 1:
        raise _argument_error("min_fraction", min_fraction, "in (0, 1]")
    generator = _generator(rng)
    n_frames = len(recording)
    shortest = max(1, math.ceil(min_fraction * n_frames))
    n_kept = int(generator.integers(shortest, n_frames + 1))
    start = int(generator.integers(0, n_frames - n_kept + 1))
    return recording[start : start + n_kept].copy()


def drop_joints(recording, probability, rng=None):
    """Set whole joints to zero, each with the given probability, as if a sensor failed.

    Dropped joints become zero (rather than NaN) in every frame, which any model can take. At
    least one joint is always kept, so no frame is emptied into what would read as padding.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    probability : float in [0, 1]
        Chance that each joint is dropped.
    rng : numpy.random.Generator, int or None, default=None

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import drop_joints
    >>> recording = np.ones((4, 3, 3))
    >>> kept = drop_joints(recording, probability=1.0, rng=0).any(axis=(0, 2))
    >>> int(kept.sum())  # even with probability 1, one joint is kept
    1
    """
    recording = _as_recording(recording)
    if not 0 <= probability <= 1:
        raise _argument_error("probability", probability, "in [0, 1]")
    generator = _generator(rng)
    dropped = generator.random(recording.shape[1]) < probability
    if dropped.all():
        dropped[generator.integers(recording.shape[1])] = False
    result = recording.copy()
    result[:, dropped] = 0
    return result


def mirror(recording, skeleton, lateral_axis=0):
    """Mirror a recording left to right: swap left/right joints and flip the lateral axis.

    The lateral coordinate is reflected about the recording's centroid.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    skeleton : Skeleton
        Needs ``mirror_permutation()``, the joint order after swapping left and right.
    lateral_axis : int, default=0
        The axis that runs from one side of the body to the other (x for y-up or z-up data).

    Returns
    -------
    ndarray of shape (n_frames, n_joints, n_coords)

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import mirror
    >>> from skgesture.skeleton import NATOPS_SKELETON
    >>> left, right = NATOPS_SKELETON.index(["hand_tip_left", "hand_tip_right"])
    >>> recording = np.zeros((1, 8, 3))
    >>> recording[0, left], recording[0, right] = [-3.0, 1.0, 0.0], [3.0, 2.0, 0.0]
    >>> mirrored = mirror(recording, NATOPS_SKELETON)
    >>> mirrored[0, right], mirrored[0, left]  # the raised right hand is now the left one
    (array([3., 1., 0.]), array([-3.,  2.,  0.]))
    """
    recording = _as_recording(recording)
    if not 0 <= lateral_axis < recording.shape[2]:
        raise ValueError(
            f"lateral_axis={lateral_axis!r} is not an axis of a recording with "
            f"{recording.shape[2]} coordinates."
        )
    permutation = mirror_permutation(skeleton, recording.shape[1], owner="mirror")
    mirrored = recording[:, permutation].copy()
    middle = centroid(recording)[lateral_axis]
    mirrored[..., lateral_axis] = 2 * middle - mirrored[..., lateral_axis]
    return mirrored


class Augmenter(BaseEstimator):
    """Random augmentation of one recording, with scikit-learn style parameters.

    Calling ``augmenter(recording, rng)`` applies every enabled augmentation once, with a
    random magnitude, in this order: crop, time warp, mirror (half of the calls), rotation,
    scaling, jitter, joint dropout. A parameter of 0 (or False) disables its augmentation, so
    ``Augmenter()`` returns a copy. Augmenters are picklable and work with ``get_params``,
    ``set_params`` and ``clone``, so they can be parameters of a classifier and be searched.
    Parameters are checked when the augmenter is called (and by :func:`make_augmenter`): a
    value outside the range given below, NaN or infinity raises a ValueError naming the
    parameter.

    Parameters
    ----------
    rotation : float in [0, 180], default=0.0
        Largest turn about the vertical axis, in degrees; the angle is uniform in
        ``[-rotation, rotation]``.
    scaling : float in [0, 1), default=0.0
        Largest relative change of size; the factor is uniform in
        ``[1 - scaling, 1 + scaling]``, so it stays positive.
    jitter : float in [0, 1], default=0.0
        Standard deviation of the added noise, relative to the recording's spread (the RMS
        distance of its points to their centroid). At 1 the noise is as large as the
        whole body's extent and the gesture is gone, so larger values are refused.
    time_warp : float in [0, 1), default=0.0
        Strength of the smooth speed variation (see :func:`time_warp`); keeps the length.
    crop : float in [0, 1), default=0.0
        Largest fraction of the frames cut away (see :func:`random_crop`); shortens the
        recording.
    joint_dropout : float in [0, 1), default=0.0
        Probability that each joint is set to zero.
    mirror : bool, default=False
        Mirror left to right in half of the calls (needs ``skeleton``).
    skeleton : Skeleton, default=None
        Gives ``mirror_permutation()`` and ``up_axis``.
    up_axis : {0, 1, 2}, default=None
        Vertical axis for rotations; None takes ``skeleton.up_axis``, else 1 (y up).

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import Augmenter
    >>> recording = np.random.default_rng(0).normal(size=(30, 5, 3))
    >>> augmenter = Augmenter(rotation=15, scaling=0.1, crop=0.2)
    >>> augmented = augmenter(recording, rng=0)
    >>> augmented.shape[1:], 24 <= len(augmented) <= 30
    ((5, 3), True)
    """

    _parameter_constraints: dict = {
        "rotation": [Interval(Real, 0, 180, closed="both")],
        "scaling": [Interval(Real, 0, 1, closed="left")],
        "jitter": [Interval(Real, 0, 1, closed="both")],
        "time_warp": [Interval(Real, 0, 1, closed="left")],
        "crop": [Interval(Real, 0, 1, closed="left")],
        "joint_dropout": [Interval(Real, 0, 1, closed="left")],
        "mirror": ["boolean"],
        "skeleton": "no_validation",
        "up_axis": [Interval(Integral, 0, 2, closed="both"), None],
    }

    def __init__(
        self,
        rotation=0.0,
        scaling=0.0,
        jitter=0.0,
        time_warp=0.0,
        crop=0.0,
        joint_dropout=0.0,
        mirror=False,
        skeleton=None,
        up_axis=None,
    ):
        self.rotation = rotation
        self.scaling = scaling
        self.jitter = jitter
        self.time_warp = time_warp
        self.crop = crop
        self.joint_dropout = joint_dropout
        self.mirror = mirror
        self.skeleton = skeleton
        self.up_axis = up_axis

    def __call__(self, recording, rng=None):
        """Return a randomly augmented copy of one recording.

        Parameters
        ----------
        recording : ndarray of shape (n_frames, n_joints, n_coords)
        rng : numpy.random.Generator, int or None, default=None

        Returns
        -------
        ndarray of shape (n_frames_out, n_joints, n_coords)
            ``n_frames_out`` is smaller than ``n_frames`` only when ``crop`` is enabled.
        """
        self._check_settings()
        generator = _generator(rng)
        # A copy, so that an Augmenter with nothing enabled still returns a new array.
        result = _as_recording(recording).copy()
        up_axis = skeleton_up_axis(self.skeleton) if self.up_axis is None else self.up_axis
        if self.crop > 0:
            result = random_crop(result, 1 - self.crop, generator)
        if self.time_warp > 0:
            result = time_warp(result, self.time_warp, generator)
        if self.mirror and generator.random() < 0.5:
            result = mirror(result, self.skeleton, lateral_axis(up_axis))
        if self.rotation > 0:
            result = rotate(result, generator.uniform(-self.rotation, self.rotation), up_axis)
        if self.scaling > 0:
            result = scale(result, generator.uniform(1 - self.scaling, 1 + self.scaling))
        if self.jitter > 0:
            _check_no_overflow(result, recording)
            result = jitter(result, self.jitter * spread(result), generator)
        if self.joint_dropout > 0:
            result = drop_joints(result, self.joint_dropout, generator)
        return result

    def _check_settings(self):
        self._validate_params()
        if self.mirror and not callable(getattr(self.skeleton, "mirror_permutation", None)):
            raise ValueError(
                "Augmenter(mirror=True) needs a skeleton with mirror_permutation() to swap "
                "left and right joints; pass skeleton=."
            )

    def augment_batch(self, data, lengths, rng=None):
        """Augment the real frames of a zero-padded batch; see :func:`augment_batch`."""
        return augment_batch(self, data, lengths, rng)


def augment_batch(augment, data, lengths, rng=None):
    """Augment every recording of a zero-padded batch, leaving the padding at zero.

    Parameters
    ----------
    augment : callable
        ``augment(recording, rng) -> recording``, such as an :class:`Augmenter`. It may
        shorten a recording but not lengthen it past the batch's frames.
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords)
        Recordings padded with zeros after their true length.
    lengths : array-like of int, shape (n_samples,)
        True length of each recording.
    rng : numpy.random.Generator, int or None, default=None

    Returns
    -------
    data : ndarray of shape (n_samples, n_frames, n_joints, n_coords)
        Augmented recordings, zero after their (new) length; same dtype as ``data``.
    lengths : ndarray of shape (n_samples,), int64
        New length of each recording.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing.augment import Augmenter, augment_batch
    >>> batch = np.ones((2, 10, 4, 3), dtype=np.float32)
    >>> batch[0, 6:] = 0  # the first recording has 6 frames
    >>> augmented, lengths = augment_batch(Augmenter(crop=0.5), batch, [6, 10], rng=0)
    >>> bool(np.all(augmented[0, lengths[0]:] == 0)), bool(np.all(lengths <= [6, 10]))
    (True, True)
    """
    data = np.asarray(data)
    if data.ndim != 4:
        raise ValueError(
            f"data has shape {data.shape}; expected a padded batch (n_samples, n_frames, "
            "n_joints, n_coords)."
        )
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.shape != (len(data),) or np.any(lengths < 1) or np.any(lengths > data.shape[1]):
        raise ValueError(
            f"lengths must hold one length in [1, {data.shape[1]}] per recording of data "
            f"({len(data)}), got {lengths.tolist()}."
        )
    generator = _generator(rng)
    augmented = np.zeros_like(data)
    new_lengths = np.empty_like(lengths)
    for index, (recording, length) in enumerate(zip(data, lengths)):
        # Overflow near float32's limit is reported below, with its cause, not as a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            result = np.asarray(augment(recording[:length], generator))
        if result.ndim != 3 or result.shape[1:] != data.shape[2:] or len(result) < 1:
            raise ValueError(
                f"augment returned shape {result.shape} for recording {index}; expected "
                f"(n_frames, {data.shape[2]}, {data.shape[3]}) with at least one frame."
            )
        if len(result) > data.shape[1]:
            raise ValueError(
                f"augment returned {len(result)} frames for recording {index}, more than the "
                f"batch's {data.shape[1]}."
            )
        _check_no_overflow(result, recording[:length], index)
        augmented[index, : len(result)] = result
        new_lengths[index] = len(result)
    return augmented, new_lengths


def _check_no_overflow(result, recording, index=None):
    """Refuse an augmented recording that overflowed (values near float32's limit, 3.4e38)."""
    if np.isfinite(result).all() or not np.isfinite(recording).all():
        return
    which = "the recording" if index is None else f"recording {index}"
    raise ValueError(
        f"augmenting {which} gave infinite values: its positions (up to "
        f"{float(np.abs(recording).max()):.3g}) are too close to float32's limit (3.4e38) to be "
        "scaled or rotated. Rescale the recordings (for instance to metres) or train with "
        "augment=None."
    )


class _FunctionAugmenter:
    """A user's callable ``(recording, rng) -> recording`` with an Augmenter's two methods."""

    def __init__(self, function):
        self.function = function

    def __call__(self, recording, rng=None):
        return self.function(recording, rng)

    def augment_batch(self, data, lengths, rng=None):
        return augment_batch(self.function, data, lengths, rng)

    def __repr__(self):
        return f"{type(self).__name__}({self.function!r})"


_PRESETS = {
    "light": {"scaling": 0.1, "jitter": 0.01},
    "medium": {"rotation": 15.0, "scaling": 0.15, "jitter": 0.02, "time_warp": 0.1},
}


def make_augmenter(spec):
    """Turn a classifier's ``augment`` parameter into an augmenter, or None for no augmentation.

    Classifiers call it in ``fit`` (training only) and apply the result to each training batch
    with its ``augment_batch(data, lengths, rng)`` method.

    Parameters
    ----------
    spec : None, {"light", "medium"}, Augmenter or callable
        ``"light"`` is ``Augmenter(scaling=0.1, jitter=0.01)``; ``"medium"`` is
        ``Augmenter(rotation=15, scaling=0.15, jitter=0.02, time_warp=0.1)``. An
        ``Augmenter`` has its parameters validated and is returned as is. Any other callable
        ``(recording, rng) -> recording`` is wrapped so that it has ``augment_batch`` too.

    Returns
    -------
    None or object
        None for ``spec=None``; otherwise an object called as ``augmenter(recording, rng)``
        with an ``augment_batch(data, lengths, rng)`` method (see :func:`augment_batch`).

    Examples
    --------
    >>> from skgesture.preprocessing.augment import make_augmenter
    >>> make_augmenter("light")
    Augmenter(jitter=0.01, scaling=0.1)
    >>> make_augmenter(None) is None
    True
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in _PRESETS:
            raise ValueError(
                f"augment={spec!r} is not a preset; expected one of "
                f"{', '.join(repr(name) for name in _PRESETS)}, None, an Augmenter or a "
                "callable (recording, rng) -> recording."
            )
        return Augmenter(**_PRESETS[spec])
    if isinstance(spec, Augmenter):
        spec._check_settings()
        return spec
    if callable(spec):
        return _FunctionAugmenter(spec)
    raise ValueError(
        f"augment={spec!r} is not understood; expected None, 'light', 'medium', an Augmenter "
        "or a callable (recording, rng) -> recording."
    )
