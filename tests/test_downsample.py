"""CNNClassifier(downsample=...): temporal striding of the joint and graph trunks."""

import json
import zipfile

import numpy as np
import pytest
from _tiny import TINY, gestures

from skgesture import CNNClassifier, GradCAMExplainer

#: The joint trunk (the default network, "hybrid", does not downsample).
TINY_TRUNK = {"architecture": "joint", "n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}


def recordings_of(n_frames, seed=0):
    X, y = gestures(n_per_class=4, n_frames=n_frames, seed=seed)
    return X, y


@pytest.mark.parametrize(
    ("n_frames", "expected"),
    [(20, 1), (63, 1), (64, 2), (127, 2), (128, 4), (300, 4)],
)
def test_auto_keeps_at_least_32_frames_for_the_median_recording(n_frames, expected):
    X, y = recordings_of(n_frames)
    clf = CNNClassifier(**{**TINY_TRUNK, "n_blocks": 2, "max_epochs": 1})
    assert clf.fit(X, y).downsample_ == expected


def test_auto_never_strides_more_stages_than_the_trunk_has():
    X, y = recordings_of(300)
    clf = CNNClassifier(**{**TINY_TRUNK, "n_blocks": 0, "max_epochs": 1}).fit(X, y)
    assert clf.downsample_ == 2  # the stem alone can halve the frames once


@pytest.mark.parametrize("architecture", ["temporal", "hybrid", "image"])
def test_the_temporal_and_image_networks_do_not_downsample(architecture):
    X, y = recordings_of(200)
    clf = CNNClassifier(**{**TINY_TRUNK, "architecture": architecture, "max_epochs": 1})
    assert clf.fit(X, y).downsample_ == 1
    with pytest.raises(ValueError, match=r"downsample=2 applies to the 'joint' and 'graph'"):
        clf.set_params(downsample=2).fit(X, y)


@pytest.mark.parametrize(("downsample", "message"), [(3, "power of 2"), (8, "at most 4")])
def test_a_downsample_the_trunk_cannot_do_is_refused(downsample, message):
    X, y = recordings_of(40)
    with pytest.raises(ValueError, match=message):
        CNNClassifier(downsample=downsample, **TINY_TRUNK).fit(X, y)


@pytest.mark.parametrize("architecture", ["joint", "graph"])
def test_a_downsampled_model_explains_every_input_frame(architecture):
    X, y = recordings_of(30)
    params = {**TINY_TRUNK, "n_blocks": 2}
    clf = CNNClassifier(**{**params, "architecture": architecture}, downsample=4).fit(X, y)
    explanation = GradCAMExplainer(clf).fit(X).explain(X[:2])
    assert [heat.shape for heat in explanation.heatmaps] == [(30, 4), (30, 4)]


def test_a_downsampled_model_saves_and_loads(tmp_path):
    X, y = recordings_of(70)
    clf = CNNClassifier(**TINY_TRUNK).fit(X, y)
    assert clf.downsample_ == 2
    clf.save(tmp_path / "model.npz")
    loaded = CNNClassifier.load(tmp_path / "model.npz")
    assert loaded.downsample == "auto" and loaded.downsample_ == 2
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def _without_downsample(path, out):
    """The model file as versions before ``downsample`` wrote it."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    key = "skgesture_metadata.npy"
    with np.load(path, allow_pickle=False) as saved:
        metadata = json.loads(str(saved["skgesture_metadata"]))
    del metadata["params"]["downsample"]
    del metadata["attributes"]["downsample_"]
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            if name != key:
                archive.writestr(name, data)
    with zipfile.ZipFile(out, "a") as archive, archive.open(key, "w") as entry:
        np.lib.format.write_array(entry, np.array(json.dumps(metadata)))


@pytest.mark.parametrize(
    ("architecture", "n_blocks", "older_downsample"),
    [("joint", 1, 1), ("graph", 2, 4), ("graph", 1, 2)],
)
def test_files_from_before_downsample_load_as_those_versions_built_them(
    tmp_path, architecture, n_blocks, older_downsample
):
    X, y = recordings_of(20)
    params = {**TINY_TRUNK, "n_blocks": n_blocks}
    params["architecture"] = architecture
    clf = CNNClassifier(downsample=older_downsample, **params)
    clf.fit(X, y).save(tmp_path / "new.npz")
    _without_downsample(tmp_path / "new.npz", tmp_path / "old.npz")

    loaded = CNNClassifier.load(tmp_path / "old.npz")

    assert loaded.downsample == older_downsample == loaded.downsample_
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_a_pickle_from_before_downsample_keeps_every_frame():
    X, y = recordings_of(20)
    clf = CNNClassifier(downsample=1, **TINY_TRUNK).fit(X, y)
    state = clf.__getstate__()
    del state["downsample"], state["downsample_"]
    old = CNNClassifier.__new__(CNNClassifier)
    old.__setstate__(state)
    assert old.downsample == 1 == old.downsample_
    np.testing.assert_allclose(old.predict_proba(X), clf.predict_proba(X), atol=1e-6)
