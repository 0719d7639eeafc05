"""Linear resampling of the time axis, and the FrameRateResampler transformer."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, InvalidParameterError

from skgesture.preprocessing._base import (
    SkeletonTransformerMixin,
    complete_docstrings,
    frame_feature_names,
    join_recordings,
    split_recordings,
    validate_skeleton_data,
)

__all__ = ["FrameRateResampler", "interpolate_frames", "resample_length"]

#: Frame rates (frames per second) that FrameRateResampler accepts: from one frame every 1000 s
#: to a million frames per second, so that rate ratios and time steps stay finite.
MIN_RATE, MAX_RATE = 1e-3, 1e6
#: FrameRateResampler makes at most this many output frames per input frame, so that a
#: mistyped rate or time stamp cannot exhaust memory.
MAX_UPSAMPLING = 1000


def interpolate_frames(recording, positions):
    """Sample a recording at fractional frame positions by linear interpolation.

    Parameters
    ----------
    recording : ndarray of shape (n_frames, n_joints, n_coords)
    positions : ndarray of shape (n_out,)
        Frame positions in ``[0, n_frames - 1]``.

    Returns
    -------
    ndarray of shape (n_out, n_joints, n_coords), same dtype as ``recording``
    """
    positions = np.clip(np.asarray(positions, dtype=np.float64), 0, len(recording) - 1)
    below = np.floor(positions).astype(np.intp)
    above = np.minimum(below + 1, len(recording) - 1)
    weight = (positions - below)[:, np.newaxis, np.newaxis]
    mixed = recording[below] * (1 - weight) + recording[above] * weight
    return mixed.astype(recording.dtype, copy=False)


def resample_length(recording, n_frames):
    """Stretch or shrink a recording to exactly ``n_frames`` frames (linear in time)."""
    return interpolate_frames(recording, np.linspace(0, len(recording) - 1, n_frames))


def _checked_n_out(steps, n_frames, what):
    """``floor(steps) + 1`` output frames for ``steps`` output steps over a recording.

    Refused before anything is allocated when that is more than :data:`MAX_UPSAMPLING` times
    ``n_frames``; ``what`` says where the frames come from, for the message.
    """
    # The tolerance keeps the last frame when the duration is an exact multiple of the step.
    n_out = np.floor(steps + 1e-9) + 1
    if not n_out <= MAX_UPSAMPLING * n_frames:  # also refuses NaN
        raise ValueError(
            f"{what} would turn {n_frames} frames into {n_out:.4g}, more than "
            f"{MAX_UPSAMPLING} times as many (FrameRateResampler's limit); are the rates and "
            "time stamps in frames per second and seconds?"
        )
    return int(n_out)


def _rate_positions(n_frames, source_rate, target_rate, name):
    """Source frame positions of the frames at ``target_rate`` spanning the same duration.

    ``name`` says which recording this is, for the message of :func:`_checked_n_out`.
    """
    n_out = _checked_n_out(
        (n_frames - 1) * target_rate / source_rate,
        n_frames,
        f"target_rate={target_rate!r} with source_rate={source_rate!r} ({name})",
    )
    return np.arange(n_out) * (source_rate / target_rate)


def _time_positions(times, target_rate, name):
    """Source frame positions of a uniform grid at ``target_rate`` over strictly rising ``times``.

    The grid starts at the first time stamp and ends at or before the last one; each grid time
    becomes a fractional frame position by linear interpolation of the frame index over time,
    so irregular steps (dropped frames) are evened out. ``name`` names ``times``, for the
    message of :func:`_checked_n_out`.
    """
    with np.errstate(over="ignore"):  # an infinite duration is refused by _checked_n_out
        duration = times[-1] - times[0]
        steps = duration * target_rate
    n_out = _checked_n_out(
        steps,
        len(times),
        f"target_rate={target_rate!r} over the {duration:.4g} s of {name}",
    )
    grid = times[0] + np.arange(n_out) / target_rate
    return np.interp(grid, times, np.arange(len(times), dtype=np.float64))


def _check_times(times, lengths, n_frames_dense):
    """Validate one array of time stamps per recording; return them as float64 arrays.

    ``lengths`` are the true lengths of the recordings. For dense input (``n_frames_dense``
    is the array's frame axis) a time array may also span the whole axis, padding included;
    the stamps of padding frames are then dropped unchecked.
    """
    if isinstance(times, str) or not hasattr(times, "__len__"):
        raise ValueError(
            f"times must hold one array of time stamps per recording, got {type(times).__name__}."
        )
    if len(times) != len(lengths):
        raise ValueError(
            f"times has {len(times)} array(s) of time stamps but X has {len(lengths)} "
            "recording(s); pass one array per recording, in the order of X."
        )
    checked = []
    for index, (stamps, length) in enumerate(zip(times, lengths)):
        try:
            stamps = np.asarray(stamps, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"times[{index}] is not an array of numbers: {error}") from None
        if stamps.ndim != 1:
            raise ValueError(
                f"times[{index}] has shape {stamps.shape}; expected a 1-D array of "
                f"{length} time stamps, one per frame of X[{index}]."
            )
        if len(stamps) != length and len(stamps) != n_frames_dense:
            raise ValueError(
                f"times[{index}] has {len(stamps)} time stamps but X[{index}] has {length} "
                "frames; pass one time stamp per frame."
            )
        stamps = stamps[:length]
        not_finite = np.flatnonzero(~np.isfinite(stamps))
        if not_finite.size:
            frame = int(not_finite[0])
            raise ValueError(
                f"times[{index}] is {float(stamps[frame])} at frame {frame}; time stamps must "
                "be finite."
            )
        not_rising = np.flatnonzero(np.diff(stamps) <= 0)
        if not_rising.size:
            frame = int(not_rising[0]) + 1
            raise ValueError(
                f"times[{index}] is not strictly increasing: frame {frame} is at "
                f"{float(stamps[frame])!r}, not after frame {frame - 1} at "
                f"{float(stamps[frame - 1])!r}."
            )
        checked.append(stamps)
    return checked


@complete_docstrings()
class FrameRateResampler(SkeletonTransformerMixin, BaseEstimator):
    """Resample recordings to one frame rate by linear interpolation in time.

    Each output frame is interpolated linearly between the two source frames around its time.
    The source timing comes from one of two places:

    - ``transform(X, times=...)``: each recording's own time stamps (seconds), such as the
      ``times`` of :func:`~skgesture.io.read_mocap_csv` or
      :func:`~skgesture.io.load_mocap_folder`. Each recording becomes frames every
      ``1 / target_rate`` seconds from its first time stamp to its last, so recordings
      captured at different rates, or with irregular steps (dropped frames), all come out
      uniformly sampled at ``target_rate``. Given times take precedence over ``source_rate``.
    - ``source_rate``: one frame rate for every recording. A recording of ``n`` frames lasts
      ``(n - 1) / source_rate`` seconds and becomes
      ``floor((n - 1) * target_rate / source_rate) + 1`` frames at ``target_rate``.

    The transformer learns nothing from the data: ``fit`` only validates the parameters and
    records the frame shape, so the time stamps are a ``transform`` argument only. In a
    :class:`~sklearn.pipeline.Pipeline`, route them with scikit-learn's metadata routing:
    ``sklearn.set_config(enable_metadata_routing=True)``, then
    ``FrameRateResampler().set_transform_request(times=True)``, and pass ``times=`` to the
    pipeline's ``fit``, ``predict``, ``score``, ... (see Examples).

    Parameters
    ----------
    source_rate : float, default=None
        Frame rate of the input, in frames per second (0.001 to 1e6), used when ``transform``
        gets no ``times``. None requires ``times`` in every ``transform``.
    target_rate : float, default=30.0
        Frame rate of the output, in frames per second (0.001 to 1e6). A recording comes out
        with at most 1000 times as many frames as it has (``MAX_UPSAMPLING``): ``transform``
        refuses rates or time stamps that would make more, before allocating them.

    Attributes
    ----------
    %(fitted_input_attributes)s

    Notes
    -----
    Layouts come back as they came: a list stays a list of ``(n_frames_i, n_joints,
    n_coords)`` recordings; a dense array stays dense, each recording resampled over its true
    length and zero-padded, with ``source_rate`` to the resampled length of the array's frame
    axis, with ``times`` to the longest resampled recording. For 2-D input the output
    columns are frames, so their number changes.

    Examples
    --------
    >>> import numpy as np
    >>> from skgesture.preprocessing import FrameRateResampler
    >>> recordings = [np.zeros((121, 2, 3)), np.zeros((61, 2, 3))]
    >>> resampled = FrameRateResampler(source_rate=120, target_rate=30).fit_transform(recordings)
    >>> [len(recording) for recording in resampled]
    [31, 16]

    With each recording's time stamps, a frame dropped at 0.3 s is filled in:

    >>> times = [np.array([0.0, 0.1, 0.2, 0.4, 0.5])]
    >>> ramp = [times[0].reshape(5, 1, 1) * 10]  # one value moving at 10 units per second
    >>> resampler = FrameRateResampler(target_rate=10).fit(ramp)
    >>> resampler.transform(ramp, times=times)[0][:, 0, 0]
    array([0., 1., 2., 3., 4., 5.], dtype=float32)

    In a Pipeline, the time stamps travel by metadata routing:

    >>> import sklearn
    >>> from sklearn.pipeline import make_pipeline
    >>> from skgesture.preprocessing import Flattener, SkeletonPadder
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     pipeline = make_pipeline(
    ...         FrameRateResampler(target_rate=10).set_transform_request(times=True),
    ...         SkeletonPadder(max_frames=8),
    ...         Flattener(),
    ...     )
    ...     pipeline.fit_transform(ramp, times=times).shape
    (1, 8)
    """

    _parameter_constraints: dict = {
        "source_rate": [Interval(Real, MIN_RATE, MAX_RATE, closed="both"), None],
        "target_rate": [Interval(Real, MIN_RATE, MAX_RATE, closed="both")],
    }

    def __init__(self, source_rate=None, target_rate=30.0):
        self.source_rate = source_rate
        self.target_rate = target_rate

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the frame shape of ``X``.

        %(fit_parameters)s
        """
        for name in ("source_rate", "target_rate"):
            # Interval(Real) lets booleans through; True frames per second is a mistake.
            if isinstance(getattr(self, name), bool | np.bool_):
                raise InvalidParameterError(
                    f"The {name!r} parameter of FrameRateResampler must be a number of frames "
                    f"per second, not a boolean. Got {getattr(self, name)!r} instead."
                )
        validate_skeleton_data(self, X, reset=True)
        return self

    def fit_transform(self, X, y=None, times=None):
        """Fit, then resample ``X`` (with its time stamps when given).

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings in any layout of the data conventions.
        y : None
            Ignored.
        times : list of array-like, optional
            One array of time stamps per recording; see :meth:`transform`.

        Returns
        -------
        list of ndarray or ndarray
            Same layout as ``X``.
        """
        return self.fit(X, y).transform(X, times=times)

    def transform(self, X, times=None):
        """Resample every recording to ``target_rate``.

        Parameters
        ----------
        X : list of array-like or array-like
            Recordings with the frame shape seen in ``fit``.
        times : list of array-like, optional
            One array of time stamps (seconds) per recording, as long as the recording,
            finite and strictly increasing (for dense ``X`` it may also span the padding
            frames). None uses ``source_rate``.

        Returns
        -------
        list of ndarray or ndarray
            Same layout as ``X`` (see Notes).

        Raises
        ------
        ValueError
            When neither ``times`` nor ``source_rate`` is given, when ``times`` does not
            have one valid array per recording (the message names the recording and frame),
            or when a recording would come out with more than 1000 times as many frames as it
            has (the message names ``target_rate``, the recording and the number of frames).
        """
        recordings = validate_skeleton_data(self, X, reset=False)
        real = split_recordings(recordings)
        dense = recordings.layout != "list"
        if times is not None:
            n_frames_dense = recordings.data.shape[1] if dense else None
            stamps = _check_times(times, [len(recording) for recording in real], n_frames_dense)
            positions = [
                _time_positions(recording_times, self.target_rate, f"times[{index}]")
                for index, recording_times in enumerate(stamps)
            ]
        elif self.source_rate is not None:
            positions = [
                _rate_positions(len(recording), self.source_rate, self.target_rate, f"X[{index}]")
                for index, recording in enumerate(real)
            ]
        else:
            raise ValueError(
                "FrameRateResampler needs the recordings' time stamps, transform(X, "
                "times=...), or source_rate, the frame rate of X in frames per second."
            )
        resampled = [
            interpolate_frames(recording, recording_positions)
            for recording, recording_positions in zip(real, positions)
        ]
        n_frames = None
        if dense and times is None:
            n_frames = self._n_frames_out(recordings.data.shape[1])
        return join_recordings(resampled, recordings.layout, n_frames)

    def _n_frames_out(self, n_frames):
        return len(_rate_positions(n_frames, self.source_rate, self.target_rate, "the frame axis"))

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Per-frame features keep their names; for 2-D input the output columns are frames,
        named ``frame0, frame1, ...`` (their number follows from ``source_rate``).

        %(feature_names_parameters)s
        """
        names = frame_feature_names(self, input_features)
        if self._tabular_in:
            if self.source_rate is None:
                raise ValueError(
                    "FrameRateResampler cannot name the frames of 2-D output without "
                    "source_rate: with time stamps their number depends on the data."
                )
            n_frames = self._n_frames_out(self.n_features_in_)
            return np.asarray([f"frame{t}" for t in range(n_frames)], dtype=object)
        return names
