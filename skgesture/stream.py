"""Live recognition: classify a stream of frames with a sliding window over a fitted model.

:class:`StreamingRecognizer` keeps the last ``window`` frames in a ring buffer. Frames arrive in
chunks of any size through :meth:`~StreamingRecognizer.update`; every ``step`` frames, the
current window goes through the fitted estimator's ``predict_proba`` (all windows completed by one
chunk in one batch), the probabilities are smoothed over the last steps, and a label is reported,
or ``no_gesture_label`` when the smoothed probability of the best class is below ``threshold``.
"""

from __future__ import annotations

from collections import deque
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from skgesture.utils.validation import check_recordings

__all__ = ["StreamingRecognizer", "StreamSteps"]


class StreamSteps(NamedTuple):
    """What :meth:`StreamingRecognizer.update` reports: one entry per completed step.

    Attributes
    ----------
    labels : ndarray of shape (n_steps,), object
        The smoothed label of each step, or ``no_gesture_label`` below the threshold.
    proba : ndarray of shape (n_steps, n_classes)
        Smoothed class probabilities; columns follow ``classes_``.
    scores : ndarray of shape (n_steps,)
        Smoothed probability of the reported class (what ``threshold`` is compared with).
    frames : ndarray of shape (n_steps,), int64
        Number of frames received since the start (or the last :meth:`reset`) when the step's
        window ended: the window covers frames ``frames - window`` to ``frames - 1``.
    """

    labels: np.ndarray
    proba: np.ndarray
    scores: np.ndarray
    frames: np.ndarray


def _final_step(estimator):
    """The last step of a Pipeline, or the estimator itself."""
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


class StreamingRecognizer(BaseEstimator):
    """Recognise gestures in a live stream of frames with a fitted classifier.

    Feed frames as they arrive with :meth:`update`; every ``step`` frames, the last ``window``
    frames are classified by ``estimator.predict_proba`` and a smoothed label is reported.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline
        Anything fitted with ``predict_proba`` and ``classes_`` that takes recordings
        ``(n_frames, n_joints, n_coords)``, e.g. a fitted :class:`~skgesture.CNNClassifier` or
        a Pipeline ending in one. It is used as it is, never refitted.
    window : int or None, default=None
        Frames per classified window. None takes the length of the longest training recording
        (``n_frames_`` of the classifier), the length the model knows gestures at.
    step : int, default=1
        Frames between two classifications.
    smoothing : {"mean", "ema", "majority"} or None, default="mean"
        How the probabilities of the last ``smoothing_steps`` steps are combined:
        ``"mean"`` averages them, ``"ema"`` is an exponential moving average with weight
        ``2 / (smoothing_steps + 1)`` on the newest step, ``"majority"`` reports the most
        frequent best class of those steps (ties go to the higher mean probability) with the
        mean probabilities. None reports each step as it is. Smoothing removes single-step
        flickers at the cost of about ``smoothing_steps / 2`` steps of delay.
    smoothing_steps : int, default=3
        Steps combined by ``smoothing``.
    threshold : float in [0, 1], default=0.0
        A step whose smoothed best probability is below it reports ``no_gesture_label``
        instead of a class (e.g. while the window straddles two gestures or holds none).
    no_gesture_label : object, default=None
        Label reported below ``threshold``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The estimator's classes.
    window_ : int
        Frames per classified window.
    n_frames_seen_ : int
        Frames received since the start or the last :meth:`reset`.

    Notes
    -----
    Windows follow the data conventions: trailing all-zero frames of a window count as padding,
    so a sensor that sends all-zero frames shortens the window the model sees.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture import CNNClassifier
    >>> from skgesture.stream import StreamingRecognizer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 15, 4, 3))
    >>> y = np.repeat(["wave", "rest"], 10)
    >>> X[y == "wave", :, 2, 1] += 3 * np.sin(np.linspace(0, 6, 15))
    >>> clf = CNNClassifier(n_filters=8, max_epochs=20, lr=0.01, random_state=0).fit(X, y)
    >>> recognizer = StreamingRecognizer(clf, step=5)
    >>> steps = recognizer.update(X[0])  # 15 frames arrive: one full window
    >>> steps.labels, steps.frames
    (array(['wave'], dtype=object), array([15]))
    >>> recognizer.update(X[19][:10]).frames  # 10 more: two more steps
    array([20, 25])
    """

    _parameter_constraints = {
        "estimator": [object],
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "step": [Interval(Integral, 1, None, closed="left")],
        "smoothing": [StrOptions({"mean", "ema", "majority"}), None],
        "smoothing_steps": [Interval(Integral, 1, None, closed="left")],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "no_gesture_label": [object, None],
    }

    def __init__(
        self,
        estimator,
        *,
        window=None,
        step=1,
        smoothing="mean",
        smoothing_steps=3,
        threshold=0.0,
        no_gesture_label=None,
    ):
        self.estimator = estimator
        self.window = window
        self.step = step
        self.smoothing = smoothing
        self.smoothing_steps = smoothing_steps
        self.threshold = threshold
        self.no_gesture_label = no_gesture_label

    def reset(self):
        """Forget the frames and steps received so far (e.g. when a new performer starts).

        Returns
        -------
        self
        """
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        check_is_fitted(self.estimator)
        self.classes_ = np.asarray(self.estimator.classes_)
        self.window_ = self._resolve_window()
        # Labels by code; code n_classes is "no gesture". Object dtype, so that any
        # no_gesture_label sits beside the classes unchanged.
        self._labels = np.array([*self.classes_.tolist(), self.no_gesture_label], dtype=object)
        self._buffer = None  # (window_, n_joints, n_coords), allocated on the first frames
        self._recent = deque(maxlen=self.smoothing_steps)  # probabilities of the last steps
        self._ema = None
        self.n_frames_seen_ = 0
        return self

    def _resolve_window(self):
        if self.window is not None:
            return self.window
        n_frames = getattr(_final_step(self.estimator), "n_frames_", None)
        if n_frames is None:
            raise ValueError(
                f"window=None takes the classifier's n_frames_, but "
                f"{type(_final_step(self.estimator)).__name__} has none; pass window=<frames>."
            )
        return int(n_frames)

    def update(self, frames):
        """Add frames to the stream and classify every window they complete.

        Parameters
        ----------
        frames : array-like of shape (n_new_frames, n_joints, n_coords)
            The frames received since the last call, oldest first (one recording's layout;
            ``(n_new_frames, n_features)`` also works). Wrap a single frame as
            ``frame[np.newaxis]``.

        Returns
        -------
        StreamSteps
            One entry per step completed by these frames (possibly none).
        """
        if not hasattr(self, "n_frames_seen_"):
            self.reset()
        self._refuse_single_frame(frames)
        frames = check_recordings([frames], input_name="frames", estimator=self).data[0]
        if self._buffer is None:
            buffer = np.zeros((self.window_, *frames.shape[1:]), dtype=np.float32)
        elif frames.shape[1:] != self._buffer.shape[1:]:
            raise ValueError(
                f"frames have {frames.shape[1]} joints x {frames.shape[2]} coordinates but "
                f"the stream so far had {self._buffer.shape[1]} x {self._buffer.shape[2]}; "
                "call reset() before streaming another skeleton."
            )
        else:
            buffer = self._buffer.copy()
        # The stream moves on only once the estimator has classified the new windows: when it
        # raises, the recogniser is left as it was.
        n_seen, windows, ends = self.n_frames_seen_, [], []
        for frame in frames:
            buffer[n_seen % self.window_] = frame
            n_seen += 1
            if self._is_step(n_seen):
                start = n_seen % self.window_  # the oldest frame sits at the write position
                windows.append(np.concatenate([buffer[start:], buffer[:start]]))
                ends.append(n_seen)
        proba = np.empty((0, len(self.classes_)))
        if windows:
            proba = np.asarray(self.estimator.predict_proba(np.stack(windows)), dtype=np.float64)
        self._buffer, self.n_frames_seen_ = buffer, n_seen
        return self._steps([self._smooth(p) for p in proba], ends)

    def _refuse_single_frame(self, frames):
        """A 2-D chunk is ``(n_frames, n_features)``; say so when it looks like one frame."""
        shape = np.shape(frames)
        n_features = getattr(self.estimator, "n_features_in_", None)
        if len(shape) == 2 and shape[1] != n_features and shape[0] * shape[1] == n_features:
            raise ValueError(
                f"frames has shape {shape}, which looks like one frame of (n_joints, n_coords); "
                "frames is a chunk (n_new_frames, n_joints, n_coords): pass frame[np.newaxis]."
            )

    def _is_step(self, n_seen):
        return n_seen >= self.window_ and (n_seen - self.window_) % self.step == 0

    def _smooth(self, proba):
        """Smoothed probabilities of the newest step and the index of the class to report."""
        self._recent.append(proba)
        if self.smoothing is None:
            return proba, np.argmax(proba)
        if self.smoothing == "ema":
            alpha = 2.0 / (self.smoothing_steps + 1)
            self._ema = proba if self._ema is None else alpha * proba + (1 - alpha) * self._ema
            return self._ema, np.argmax(self._ema)
        mean = np.mean(self._recent, axis=0)
        if self.smoothing == "mean":
            return mean, np.argmax(mean)
        votes = np.bincount([np.argmax(p) for p in self._recent], minlength=len(proba))
        # Mean probabilities are below 1, so adding them breaks ties between vote counts only.
        return mean, np.argmax(votes + mean)

    def _steps(self, smoothed, ends):
        n_classes = len(self.classes_)
        proba = np.array([p for p, _ in smoothed]).reshape(len(smoothed), n_classes)
        best = np.array([b for _, b in smoothed], dtype=np.int64)
        scores = proba[np.arange(len(proba)), best]
        codes = np.where(scores < self.threshold, n_classes, best)
        return StreamSteps(self._labels[codes], proba, scores, np.asarray(ends, dtype=np.int64))
