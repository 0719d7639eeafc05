"""The result of GradCAMExplainer.explain: heatmaps per recording, and pictures of them."""

from __future__ import annotations

import numpy as np

from skgesture.explain._animation import SkeletonView
from skgesture.utils.validation import check_integer

__all__ = ["Explanation"]


def _check_axes(ax):
    """``ax`` if it is None or a matplotlib Axes; a TypeError naming ``ax`` otherwise."""
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}.")
    return ax


class Explanation:
    """Heatmaps of frames x joints for a set of recordings, with their classes.

    Made by :meth:`GradCAMExplainer.explain`; not meant to be built by hand.

    Attributes
    ----------
    heatmaps : ndarray of shape (n_samples, n_frames, n_joints), float32
        Importance of each joint in each frame, in [0, 1] (1 at each recording's most
        important cell). Recordings shorter than the longest are padded with zeros after
        their ``lengths[i]`` frames; :meth:`heatmap` gives one recording without padding.
    lengths : ndarray of shape (n_samples,)
        Number of frames of each recording.
    joint_importance : ndarray of shape (n_samples, n_joints)
        Mean of each joint's heatmap over the recording's frames.
    predicted : ndarray of shape (n_samples,)
        Class predicted for each recording.
    target : ndarray of shape (n_samples,)
        Class explained for each recording (the predicted one unless asked otherwise).
    joint_names : list of str
    recordings : list of ndarray of shape (n_frames_i, n_joints, n_coords)
        The explained recordings (positions as given), for the skeleton pictures.
    skeleton : Skeleton or None
        Topology used to draw bones.
    method : str
        The explainer's method.
    top_k : int
        Joints highlighted per frame by the pictures.
    """

    def __init__(
        self,
        *,
        heatmaps,
        lengths,
        predicted,
        target,
        joint_names,
        recordings,
        skeleton,
        method,
        top_k,
    ):
        self.heatmaps = heatmaps
        self.lengths = np.asarray(lengths)
        self.predicted = predicted
        self.target = target
        self.joint_names = list(joint_names)
        self.recordings = recordings
        self.skeleton = skeleton
        self.method = method
        self.top_k = top_k
        real = np.arange(heatmaps.shape[1])[None, :] < self.lengths[:, None]
        self.joint_importance = (heatmaps * real[:, :, None]).sum(axis=1) / self.lengths[:, None]

    def __len__(self):
        return len(self.heatmaps)

    def __repr__(self):
        return (
            f"Explanation(method={self.method!r}, n_samples={len(self)}, "
            f"n_frames={self.heatmaps.shape[1]}, n_joints={self.heatmaps.shape[2]})"
        )

    def _check_index(self, i):
        i = check_integer(i, "i")
        if not -len(self) <= i < len(self):
            raise ValueError(f"i={i} is not the index of one of the {len(self)} recordings.")
        return i % len(self)

    def heatmap(self, i):
        """Heatmap of recording ``i`` without padding, shape ``(lengths[i], n_joints)``."""
        i = self._check_index(i)
        return self.heatmaps[i, : self.lengths[i]]

    def top_joints(self, k=None):
        """The ``k`` most important joints of every frame, most important first.

        Parameters
        ----------
        k : int, default=None
            Joints per frame; None uses ``top_k`` (at most the number of joints, as the
            pictures do).

        Returns
        -------
        list of ndarray of shape (lengths[i], k), int
            Joint indices, one array per recording.
        """
        n_joints = self.heatmaps.shape[2]
        k = min(self.top_k, n_joints) if k is None else check_integer(k, "k")
        if not 1 <= k <= n_joints:
            raise ValueError(f"k={k} must be between 1 and the number of joints, {n_joints}.")
        # A stable sort keeps ties (e.g. frames where nothing mattered) in joint order.
        return [
            np.argsort(-self.heatmap(i), axis=1, kind="stable")[:, :k] for i in range(len(self))
        ]

    def _title(self, i):
        title = f"recording {i}: predicted {self.predicted[i]!s}"
        if self.target[i] != self.predicted[i]:
            title += f", explained {self.target[i]!s}"
        return title

    def plot(self, i, ax=None):
        """Draw recording ``i``'s heatmap: joints (rows, named) x frames (columns).

        Parameters
        ----------
        i : int
            Index of the recording.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        i = self._check_index(i)
        _check_axes(ax)
        n_joints = self.heatmaps.shape[2]
        if ax is None:
            height = min(2 + 0.22 * n_joints, 18)
            _, ax = plt.subplots(figsize=(8, height), layout="constrained")
        image = ax.imshow(
            self.heatmap(i).T, aspect="auto", cmap="inferno", vmin=0, vmax=1, origin="upper"
        )
        # Beyond about 40 rows the names overlap: name every step-th joint.
        step = -(-n_joints // 40)
        rows = range(0, n_joints, step)
        names = [self.joint_names[row] for row in rows]
        ax.set_yticks(rows, names, fontsize=8 if n_joints > 20 else 10)
        ax.set_xlabel("frame")
        ax.set_title(f"{self._title(i)} ({self.method})")
        ax.figure.colorbar(image, ax=ax, label="importance")
        return ax

    def plot_skeleton(self, i, frame, ax=None, skeleton=None):
        """Draw recording ``i`` at one frame, its ``top_k`` joints of that frame in green.

        Parameters
        ----------
        i : int
            Index of the recording.
        frame : int
            Frame to draw.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        skeleton : Skeleton or str, default=None
            Bones to draw; None uses the explainer's skeleton.

        Returns
        -------
        matplotlib Axes
        """
        view = SkeletonView(self, self._check_index(i), skeleton)
        frame = view.check_frame(frame)
        return view.draw_still(frame, _check_axes(ax))

    def animate(self, i, path, skeleton=None, fps=10):
        """Save recording ``i`` as an animation of the skeleton with its top joints in green.

        Parameters
        ----------
        i : int
            Index of the recording.
        path : str or path-like
            Output file: ``.gif`` (pillow) or ``.mp4`` (needs ffmpeg).
        skeleton : Skeleton or str, default=None
            Bones to draw; None uses the explainer's skeleton.
        fps : float, default=10
            Frames per second of the animation: a positive finite number (for a GIF at least
            1 / 655.35, the format's longest frame being 655.35 s).

        Returns
        -------
        pathlib.Path
            The written file.
        """
        return SkeletonView(self, self._check_index(i), skeleton).save(path, fps)
