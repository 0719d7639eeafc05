"""One explained recording as an interactive, self-contained HTML page.

The page plays the skeleton with each joint coloured by its importance in the current frame
(the ``top_k`` joints ringed in green, as in the GIF), beside the heatmap of joints x frames
with a marker at that frame, under a frame slider and a play/pause button. Everything it needs
is inside the one file (the data as JSON, a small canvas renderer in plain JavaScript), so it
opens offline and can be mailed. No matplotlib is needed.
"""

from __future__ import annotations

import html
import json

import numpy as np

from skgesture.explain._animation import SkeletonView, check_fps, check_output_path
from skgesture.explain._explanation import Explanation

__all__ = ["explanation_html"]

# Characters that could end the <script> element holding the data, or open a comment in it,
# written as JSON escapes instead: the data then cannot break out of its element.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
# Decimals kept in the page: sub-millimetre positions, importance to a thousandth.
_POSITION_DECIMALS = 4
_IMPORTANCE_DECIMALS = 3

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 0.3em; }
#classes { margin: 0 0 1em; }
#classes b { font-weight: 600; }
.mismatch { color: #b00020; }
#views { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
figure { margin: 0; display: table; }
figcaption { display: table-caption; caption-side: bottom; color: #555; font-size: 0.85em;
             padding-top: 0.3em; }
canvas { display: block; border: 1px solid #ddd; }
#controls { display: flex; align-items: center; gap: 0.8em; margin: 1em 0 0.5em; }
#frame { width: 28em; }
#play { min-width: 5em; }
#top-joints { color: #333; }
"""

_SCRIPT = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("skgesture-data").textContent);
  const nFrames = data.heatmap.length;
  const nJoints = data.joint_names.length;

  // Inferno-like colour map, as the heatmap pictures use: black (0) to pale yellow (1).
  const STOPS = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];
  function colour(value) {
    const v = Math.min(Math.max(value, 0), 1) * (STOPS.length - 1);
    const k = Math.min(Math.floor(v), STOPS.length - 2);
    const t = v - k;
    const rgb = STOPS[k].map((c, n) => Math.round(c + t * (STOPS[k + 1][n] - c)));
    return rgb;
  }
  function css(rgb) { return "rgb(" + rgb.join(",") + ")"; }

  // ------------------------------------------------------------------- skeleton canvas
  const skeleton = document.getElementById("skeleton");
  let low = [Infinity, Infinity], high = [-Infinity, -Infinity];
  for (const frame of data.points) {
    for (const point of frame) {
      if (point === null) continue;
      for (let a = 0; a < 2; a++) {
        low[a] = Math.min(low[a], point[a]);
        high[a] = Math.max(high[a], point[a]);
      }
    }
  }
  if (!isFinite(low[0])) { low = [0, 0]; high = [1, 1]; }
  const span = Math.max(high[0] - low[0], high[1] - low[1], 1e-6);
  const margin = 0.08 * span;
  const ratio = (high[1] - low[1] + 2 * margin) / Math.max(high[0] - low[0] + 2 * margin, 1e-6);
  // A box about 460 pixels tall, as wide as the recording's extent needs.
  const boxHeight = 460;
  const boxWidth = Math.round(Math.min(Math.max(boxHeight / ratio, 240), 460));
  const legendHeight = 56;
  const skeletonWidth = boxWidth + 20;
  const skeletonHeight = boxHeight + 20 + legendHeight;
  const skeletonContext = setup(skeleton, skeletonWidth, skeletonHeight);
  const scale = Math.min(
    boxWidth / (high[0] - low[0] + 2 * margin),
    boxHeight / (high[1] - low[1] + 2 * margin)
  );
  const offsetX = (skeletonWidth - scale * (high[0] + low[0])) / 2;
  const centreY = 10 + boxHeight / 2;
  function toCanvas(point) {
    // The data's vertical axis points up; the canvas's points down.
    return [offsetX + scale * point[0], centreY - scale * (point[1] - (high[1] + low[1]) / 2)];
  }

  function setup(canvas, width, height) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    const context = canvas.getContext("2d");
    context.scale(ratio, ratio);
    return context;
  }

  function drawSkeleton(frame) {
    const c = skeletonContext;
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, skeletonWidth, skeletonHeight);
    const points = data.points[frame].map((p) => (p === null ? null : toCanvas(p)));
    const heat = data.heatmap[frame];
    const top = new Set(data.top[frame]);
    c.lineWidth = 2;
    c.strokeStyle = "#8a8a8a";
    for (const [parent, child] of data.bones) {
      if (points[parent] === null || points[child] === null) continue;
      c.beginPath();
      c.moveTo(points[parent][0], points[parent][1]);
      c.lineTo(points[child][0], points[child][1]);
      c.stroke();
    }
    // Least important first, so the top joints are drawn over the others.
    const order = [...Array(nJoints).keys()].sort((a, b) => heat[a] - heat[b]);
    for (const j of order) {
      if (points[j] === null) continue;
      const isTop = top.has(j);
      c.beginPath();
      c.arc(points[j][0], points[j][1], isTop ? 6.5 : 3.5, 0, 2 * Math.PI);
      c.fillStyle = css(colour(heat[j]));
      c.fill();
      if (isTop) {
        c.lineWidth = 2.5;
        c.strokeStyle = "#2ca02c";
        c.stroke();
        c.lineWidth = 2;
      }
    }
    drawLegend(c, skeletonHeight - legendHeight + 4);
  }

  function drawLegend(c, y) {
    const x = 14, width = 140, height = 10;
    for (let k = 0; k < width; k++) {
      c.fillStyle = css(colour(k / (width - 1)));
      c.fillRect(x + k, y, 1, height);
    }
    c.fillStyle = "#333";
    c.font = "11px system-ui, sans-serif";
    c.textBaseline = "top";
    c.fillText("0", x, y + height + 3);
    c.fillText("importance", x + width / 2 - 25, y + height + 3);
    c.fillText("1", x + width - 6, y + height + 3);
    c.beginPath();
    c.arc(x + 6, y + 38, 6.5, 0, 2 * Math.PI);
    c.lineWidth = 2.5;
    c.strokeStyle = "#2ca02c";
    c.stroke();
    c.fillText("the frame's " + data.top_k + " most important joints", x + 18, y + 32);
  }

  // -------------------------------------------------------------------- heatmap canvas
  const heatmap = document.getElementById("heatmap");
  const rowHeight = Math.min(Math.max(Math.floor(440 / nJoints), 3), 18);
  const font = (rowHeight >= 12 ? 12 : 10) + "px system-ui, sans-serif";
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = font;
  const longestName = Math.max(...data.joint_names.map((n) => measure.measureText(n).width));
  const namesWidth = Math.round(Math.min(Math.max(longestName + 12, 60), 220));
  const plotWidth = 460, axisHeight = 34;
  const plotHeight = rowHeight * nJoints;
  const heatmapContext = setup(heatmap, namesWidth + plotWidth + 10, plotHeight + axisHeight + 8);
  // Joints x frames drawn once at one pixel per cell, then stretched without smoothing.
  const cells = document.createElement("canvas");
  cells.width = nFrames;
  cells.height = nJoints;
  const cellsContext = cells.getContext("2d");
  const image = cellsContext.createImageData(nFrames, nJoints);
  for (let f = 0; f < nFrames; f++) {
    for (let j = 0; j < nJoints; j++) {
      const at = 4 * (j * nFrames + f);
      const rgb = colour(data.heatmap[f][j]);
      image.data[at] = rgb[0];
      image.data[at + 1] = rgb[1];
      image.data[at + 2] = rgb[2];
      image.data[at + 3] = 255;
    }
  }
  cellsContext.putImageData(image, 0, 0);
  // Beyond a row of about 10 pixels per name the names overlap: name every step-th joint.
  const step = Math.max(1, Math.ceil(11 / rowHeight));

  function drawHeatmap(frame) {
    const c = heatmapContext;
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, namesWidth + plotWidth + 10, plotHeight + axisHeight + 8);
    c.imageSmoothingEnabled = false;
    c.drawImage(cells, namesWidth, 4, plotWidth, plotHeight);
    c.fillStyle = "#333";
    c.font = font;
    c.textAlign = "right";
    c.textBaseline = "middle";
    const top = new Set(data.top[frame]);
    for (let j = 0; j < nJoints; j += step) {
      c.fillStyle = top.has(j) ? "#1a7a1a" : "#333";
      c.fillText(data.joint_names[j], namesWidth - 6, 4 + (j + 0.5) * rowHeight, namesWidth - 10);
    }
    const x = namesWidth + ((frame + 0.5) / nFrames) * plotWidth;
    // A frame around the current column keeps its colours visible.
    const column = Math.max(plotWidth / nFrames, 3);
    c.strokeStyle = "#00a0ff";
    c.lineWidth = 2;
    c.strokeRect(x - column / 2 - 1, 2, column + 2, plotHeight + 4);
    c.textAlign = "center";
    c.textBaseline = "top";
    c.fillStyle = "#333";
    const labelX = Math.min(Math.max(x, namesWidth + 30), namesWidth + plotWidth - 30);
    c.fillText("frame " + (frame + 1), labelX, plotHeight + 8);
    c.fillText("1", namesWidth + 4, plotHeight + 22);
    c.fillText(String(nFrames), namesWidth + plotWidth - 8, plotHeight + 22);
  }

  // ------------------------------------------------------------------------- controls
  const slider = document.getElementById("frame");
  const label = document.getElementById("frame-label");
  const playButton = document.getElementById("play");
  const topList = document.getElementById("top-joints");
  let current = 0;
  let timer = null;

  function show(frame) {
    current = Math.min(Math.max(Math.round(frame), 0), nFrames - 1);
    slider.value = String(current);
    label.textContent = "frame " + (current + 1) + " / " + nFrames;
    drawSkeleton(current);
    drawHeatmap(current);
    topList.textContent = data.top[current]
      .map((j) => data.joint_names[j] + " (" + data.heatmap[current][j].toFixed(2) + ")")
      .join(", ");
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.textContent = "Play";
  }
  function play() {
    if (timer !== null) return;
    if (current === nFrames - 1) show(0);
    playButton.textContent = "Pause";
    timer = setInterval(() => {
      if (current === nFrames - 1) pause(); else show(current + 1);
    }, 1000 / data.fps);
  }
  slider.addEventListener("input", () => { pause(); show(Number(slider.value)); });
  playButton.addEventListener("click", () => (timer === null ? play() : pause()));
  heatmap.addEventListener("click", (event) => {
    const box = heatmap.getBoundingClientRect();
    const x = event.clientX - box.left - namesWidth;
    if (x >= 0 && x < plotWidth) { pause(); show((x / plotWidth) * nFrames - 0.5); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target === slider || event.target === playButton) return;
    if (event.key === " ") { event.preventDefault(); timer === null ? play() : pause(); }
    if (event.key === "ArrowRight") { pause(); show(current + 1); }
    if (event.key === "ArrowLeft") { pause(); show(current - 1); }
  });

  // What scripts (and the tests) can ask the page.
  window.skgestureView = {
    nFrames: nFrames,
    currentFrame: () => current,
    highlightedJoints: () => data.top[current].slice(),
    setFrame: (frame) => { pause(); show(frame); },
    play: play,
    pause: pause,
    playing: () => timer !== null,
  };
  show(0);
})();
"""


def _rounded(values, decimals):
    """Nested lists of ``values`` rounded, with None where a value is not finite.

    JSON has no NaN; a joint the recording lost in a frame becomes ``null``.
    """
    values = np.round(np.asarray(values, dtype=float), decimals)
    return np.where(np.isfinite(values), values, None).tolist()


def _page_data(view, fps):
    """What the page's script draws, as plain lists, strings and numbers."""
    explanation, i = view.explanation, view.i
    points = view.recording[:, :, view.axes]  # (frames, joints, 2)
    if view.recording.shape[2] == 2:
        points = points * [1, -1]  # image keypoints: y points down
    coordinates = _rounded(points, _POSITION_DECIMALS)
    # A joint lost in either coordinate is not drawn in that frame.
    coordinates = [[None if None in point else point for point in frame] for frame in coordinates]
    return {
        "joint_names": [str(name) for name in explanation.joint_names],
        "bones": [[int(parent), int(child)] for parent, child in view.bones],
        "points": coordinates,
        "heatmap": _rounded(explanation.heatmap(i), _IMPORTANCE_DECIMALS),
        "top": view.top.tolist(),
        "top_k": int(view.top.shape[1]),
        "fps": fps,
    }


def _script_json(data):
    """``data`` as JSON that can sit inside a ``<script>`` element whatever its strings hold."""
    return json.dumps(data, ensure_ascii=True, allow_nan=False).translate(_SCRIPT_SAFE)


def explanation_html(
    explanation, i=0, *, skeleton=None, name=None, true_label=None, fps=10, path=None
):
    """An interactive page of recording ``i``'s explanation, in one self-contained HTML file.

    The page plays the skeleton with each joint coloured by its importance in the current
    frame and the frame's ``top_k`` joints ringed in green, beside the heatmap (joints x
    frames) with a marker at the current frame. A slider and a play/pause button move through
    the frames (clicking the heatmap or the arrow keys too). The predicted, explained and, when
    given, true classes head the page. The skeleton is seen as in
    :meth:`Explanation.animate`. Everything is inlined (no network access), so the file opens
    offline; scripts can read ``window.skgestureView.currentFrame()`` and
    ``highlightedJoints()`` and call ``setFrame(frame)``.

    Parameters
    ----------
    explanation : Explanation
        The result of :meth:`GradCAMExplainer.explain`, which holds the recordings.
    i : int, default=0
        Index of the recording in ``explanation``.
    skeleton : Skeleton or str, default=None
        Bones to draw; None uses the explainer's skeleton (no bones without one).
    name : str, default=None
        Name of the recording in the page's title (e.g. its file name); None says
        ``recording i``.
    true_label : object, default=None
        The recording's true class, shown beside the predicted one when given.
    fps : float, default=10
        Frames per second of playback.
    path : str or path-like, default=None
        Where to write the page (``.html``); None only returns it.

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> from skgesture import CNNClassifier
    >>> from skgesture.datasets import make_gestures
    >>> from skgesture.explain import GradCAMExplainer
    >>> from skgesture.explain import explanation_html
    >>> gestures = make_gestures(8, n_joints=6, min_frames=12, max_frames=16, random_state=0)
    >>> cnn = CNNClassifier(n_filters=4, max_epochs=1, random_state=0)
    >>> cnn.fit(gestures.data, gestures.target)
    CNNClassifier(...)
    >>> explanation = GradCAMExplainer(cnn, skeleton=gestures.skeleton).fit().explain(
    ...     gestures.data[:2]
    ... )
    >>> page = explanation_html(explanation, 1, true_label=gestures.target[1])
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    if not isinstance(explanation, Explanation):
        raise TypeError(
            "explanation must be an Explanation (from GradCAMExplainer.explain); got "
            f"{type(explanation).__name__}."
        )
    i = explanation._check_index(i)
    fps = check_fps(fps)
    if path is not None:
        path = check_output_path(path, (".html", ".htm"))
    view = SkeletonView(explanation, i, skeleton)
    predicted, target = explanation.predicted[i], explanation.target[i]
    heading = f"recording {i}" if name is None else str(name)
    title = f"{heading}: predicted {predicted!s}"
    classes = [f'predicted <b id="predicted">{html.escape(str(predicted))}</b>']
    if true_label is not None:
        mismatch = ' class="mismatch"' if str(true_label) != str(predicted) else ""
        classes.append(f'true <b id="true"{mismatch}>{html.escape(str(true_label))}</b>')
    if str(target) != str(predicted):
        classes.append(f'explained <b id="explained">{html.escape(str(target))}</b>')
    classes.append(f"method {html.escape(str(explanation.method))}")
    n_frames = len(view.recording)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style></head>
<body>
<h1 id="title">{html.escape(heading)}</h1>
<p id="classes">{" &middot; ".join(classes)}</p>
<div id="controls">
<button id="play" type="button">Play</button>
<input id="frame" type="range" min="0" max="{n_frames - 1}" step="1" value="0" aria-label="frame">
<output id="frame-label" for="frame">frame 1 / {n_frames}</output>
</div>
<div id="views">
<figure><canvas id="skeleton" width="400" height="536"></canvas>
<figcaption>The skeleton in the current frame: each joint coloured by its importance in that
frame, the most important ringed in green.</figcaption></figure>
<figure><canvas id="heatmap" width="600" height="420"></canvas>
<figcaption>Importance of each joint (rows) in each frame (columns); the current frame is
framed in blue. Click to jump to a frame.</figcaption></figure>
</div>
<p>Most important joints in this frame: <span id="top-joints"></span></p>
<noscript><p>This page needs JavaScript to draw the skeleton and the heatmap.</p></noscript>
<script type="application/json" id="skgesture-data">{_script_json(_page_data(view, fps))}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
    if path is not None:
        path.write_text(page, encoding="utf-8")
    return page
