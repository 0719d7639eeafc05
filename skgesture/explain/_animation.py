"""Skeleton pictures of an explanation: a still frame and an animation (GIF or MP4)."""

from __future__ import annotations

import math
import os
from numbers import Real
from pathlib import Path

import numpy as np

from skgesture.skeleton import Skeleton, get_skeleton
from skgesture.utils.validation import check_integer

__all__ = ["SkeletonView"]

_TOP_COLOR = "tab:green"
_OTHER_COLOR = "0.6"
_BONE_COLOR = "0.35"
# A GIF stores each frame's duration in hundredths of a second on 16 bits.
_LONGEST_GIF_FRAME_S = 655.35


def check_fps(fps):
    """``fps`` as a float, once it is a positive finite number of frames per second."""
    if isinstance(fps, bool) or not isinstance(fps, Real):
        raise TypeError(
            f"fps must be a positive finite number; got {fps!r} ({type(fps).__name__})."
        )
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive finite number; got {fps!r}.")
    return float(fps)


def check_output_path(path, suffixes):
    """``path`` as a Path once it ends in one of ``suffixes`` and its folder exists."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like object; got {type(path).__name__}.")
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"path={str(path)!r} must end in {' or '.join(suffixes)}.")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"Cannot save {path.name}: the folder {str(path.parent)!r} does not exist."
        )
    return path


def _check_movie_path(path, fps):
    """The animation's output path, once it and ``fps`` are known to make a movie.

    Checked before anything is drawn, and without matplotlib.
    """
    path = check_output_path(path, (".gif", ".mp4"))
    check_fps(fps)
    if path.suffix.lower() == ".gif" and fps < 1 / _LONGEST_GIF_FRAME_S:
        raise ValueError(
            f"fps={fps!r} is too slow for a GIF, whose frames last at most "
            f"{_LONGEST_GIF_FRAME_S} s; use fps >= {1 / _LONGEST_GIF_FRAME_S:.5f}."
        )
    return path


class SkeletonView:
    """One recording of an explanation drawn as a skeleton seen from the front.

    The vertical axis of the picture is the skeleton's ``up_axis`` (Y without a skeleton). The
    horizontal one is the lateral axis when the skeleton knows which way the performer faces
    (``forward_axis``), so the performer is seen from the front; otherwise it is the other axis
    along which the recording spreads the most. The ``top_k`` joints of
    each frame are drawn in green, as in Allemand et al. (2024), the others in grey.
    Recordings with 2 coordinates are image keypoints, whose y points down: their vertical
    axis is flipped so that the performer stands upright.
    """

    def __init__(self, explanation, i, skeleton=None):
        if isinstance(skeleton, str):
            skeleton = get_skeleton(skeleton)
        elif skeleton is not None and not isinstance(skeleton, Skeleton):
            raise TypeError(
                "skeleton must be a Skeleton, the name of a built-in skeleton or None; got "
                f"{type(skeleton).__name__}."
            )
        self.skeleton = explanation.skeleton if skeleton is None else skeleton
        self.recording = np.asarray(explanation.recordings[i], dtype=float)
        n_joints, n_coords = self.recording.shape[1:]
        if self.skeleton is not None and self.skeleton.n_joints != n_joints:
            raise ValueError(
                f"skeleton {self.skeleton.name!r} has {self.skeleton.n_joints} joints but the "
                f"recording has {n_joints}."
            )
        if n_coords < 2:
            raise ValueError(
                f"The recording has {n_coords} coordinate per joint; drawing a skeleton needs "
                "at least 2."
            )
        self.explanation = explanation
        self.i = i
        up = self.skeleton.up_axis if self.skeleton is not None else 1
        up = min(up, n_coords - 1)
        forward = self.skeleton.forward_axis if self.skeleton is not None else None
        others = [axis for axis in range(n_coords) if axis not in (up, forward)] or [1 - up]
        spread = [np.ptp(self.recording[:, :, axis]) for axis in others]
        self.axes = (others[int(np.argmax(spread))], up)
        self.top = explanation.top_joints(min(explanation.top_k, n_joints))[i]
        self.bones = self.skeleton.bones if self.skeleton is not None else []

    def check_frame(self, frame):
        frame = check_integer(frame, "frame")
        n_frames = len(self.recording)
        if not 0 <= frame < n_frames:
            raise ValueError(f"frame={frame} is outside recording {self.i}'s {n_frames} frames.")
        return frame

    def _points(self, frame):
        return self.recording[frame][:, self.axes]  # (joints, 2)

    def _figsize(self):
        """A figure about 4 inches wide, as tall as the recording's extent needs."""
        points = self.recording[:, :, self.axes].reshape(-1, 2)
        width, height = np.ptp(points, axis=0)
        ratio = float(np.clip(height / max(width, 1e-6), 0.5, 2.0))
        return 4.0, 4.0 * ratio + 0.6  # room for the title

    def _setup(self, ax):
        points = self.recording[:, :, self.axes].reshape(-1, 2)
        low, high = points.min(axis=0), points.max(axis=0)
        margin = 0.05 * max(float(np.max(high - low)), 1e-6)
        ax.set_xlim(low[0] - margin, high[0] + margin)
        bottom, top = low[1] - margin, high[1] + margin
        ax.set_ylim((top, bottom) if self.recording.shape[2] == 2 else (bottom, top))
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        bones = [ax.plot([], [], color=_BONE_COLOR, lw=1.5, zorder=1)[0] for _ in self.bones]
        others = ax.scatter([], [], s=18, color=_OTHER_COLOR, zorder=2)
        top = ax.scatter([], [], s=60, color=_TOP_COLOR, edgecolors="darkgreen", zorder=3)
        return bones, others, top

    def _update(self, ax, artists, frame):
        bones, others, top = artists
        points = self._points(frame)
        for line, (parent, child) in zip(bones, self.bones):
            line.set_data(points[[parent, child], 0], points[[parent, child], 1])
        is_top = np.zeros(len(points), dtype=bool)
        is_top[self.top[frame]] = True
        others.set_offsets(points[~is_top])
        top.set_offsets(points[is_top])
        explanation = self.explanation
        ax.set_title(
            f"{explanation._title(self.i)}\nframe {frame + 1}/{len(self.recording)}, "
            f"top {is_top.sum()} joints in green",
            fontsize=9,
        )
        return [*bones, others, top]

    def draw_still(self, frame, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=self._figsize(), layout="constrained")
        self._update(ax, self._setup(ax), frame)
        return ax

    def save(self, path, fps):
        path = _check_movie_path(path, fps)
        from matplotlib import animation
        from matplotlib.figure import Figure

        if path.suffix.lower() == ".gif":
            writer = animation.PillowWriter(fps=fps)
        else:
            if not animation.FFMpegWriter.isAvailable():
                raise ValueError(
                    f"Saving {path.name} needs ffmpeg, which matplotlib cannot find; save a "
                    ".gif instead."
                )
            writer = animation.FFMpegWriter(fps=fps)
        figure = Figure(figsize=self._figsize(), layout="constrained")
        ax = figure.add_subplot()
        artists = self._setup(ax)
        movie = animation.FuncAnimation(
            figure,
            lambda frame: self._update(ax, artists, frame),
            frames=len(self.recording),
            blit=False,
        )
        movie.save(path, writer=writer)
        return path
