"""Data sets: NATOPS as shipped, synthetic MocapLab-like gestures, the sample CSV folder."""

import inspect

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgesture.datasets import (
    load_natops,
    load_sample_mocap,
    make_gestures,
    make_sample_mocap_folder,
)
from skgesture.io import load_mocap_folder
from skgesture.io.ts import read_ts
from skgesture.skeleton import MOCAPLAB_SKELETON, NATOPS_SKELETON
from skgesture.utils import pad_recordings

GESTURES = ["I have command", "All clear", "Not clear", "Spread wings", "Fold wings", "Lock wings"]


# --- NATOPS -------------------------------------------------------------------------------


@pytest.mark.parametrize(("split", "n_recordings"), [("train", 180), ("test", 180), ("all", 360)])
def test_natops_splits(split, n_recordings):
    natops = load_natops(split)
    assert natops.data.shape == (n_recordings, 51, 8, 3) and natops.data.dtype == np.float32
    assert natops.target.shape == (n_recordings,)
    names, counts = np.unique(natops.target, return_counts=True)
    assert sorted(names.tolist()) == sorted(GESTURES)
    assert counts.tolist() == [n_recordings // 6] * 6
    assert natops.target_names.tolist() == GESTURES
    assert natops.joint_names == list(NATOPS_SKELETON.joint_names)
    assert natops.skeleton is NATOPS_SKELETON
    assert natops.filename.endswith("natops.npz")


def test_natops_all_is_train_then_test_and_return_X_y():
    X_all, y_all = load_natops("all", return_X_y=True)
    train, test = load_natops("train"), load_natops("test")
    np.testing.assert_array_equal(X_all, np.concatenate([train.data, test.data]))
    np.testing.assert_array_equal(y_all, np.concatenate([train.target, test.target]))
    assert not np.array_equal(train.data, test.data)


def test_natops_descr_cites_the_sources():
    descr = load_natops().DESCR
    for source in ("Ghouaiel", "Marteau", "Dupont", "4(2)", "Bagnall", "AALTD"):
        assert source in descr


def test_natops_rejects_an_unknown_split():
    with pytest.raises(ValueError, match=r"split must be one of .*got 'validation'"):
        load_natops("validation")


@pytest.mark.shared
@pytest.mark.parametrize("split", ["train", "test"])
def test_shipped_natops_equals_the_original_files(natops_dir, split):
    original = read_ts(natops_dir / f"NATOPS_{split.upper()}.ts")
    natops = load_natops(split)
    expected = np.stack(original.data).reshape(-1, 51, 8, 3)
    np.testing.assert_array_equal(natops.data, expected)
    label_of = dict(zip(original.class_labels, GESTURES))
    assert natops.target.tolist() == [label_of[label] for label in original.target]


# --- make_gestures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gestures():
    return make_gestures(random_state=0, return_relevance=True)


def test_make_gestures_defaults_look_like_the_papers_data(gestures):
    lengths = [len(recording) for recording in gestures.data]
    assert len(gestures.data) == 111 and min(lengths) >= 40 and max(lengths) <= 100
    assert len(set(lengths)) > 20
    assert all(r.shape[1:] == (79, 3) and r.dtype == np.float32 for r in gestures.data)
    assert gestures.target_names.tolist() == ["Mono", "Bi"]
    assert sorted(np.unique(gestures.target, return_counts=True)[1].tolist()) == [55, 56]
    assert gestures.skeleton is MOCAPLAB_SKELETON
    assert gestures.joint_names == list(MOCAPLAB_SKELETON.joint_names)
    assert gestures.frame_rate == 25.0
    assert "frozen" in gestures.DESCR
    # Centimetres, hip near the origin, Y up: the head is above the hip, the feet below.
    head, feet = MOCAPLAB_SKELETON.index(["head_T_glob", "lFoot_T_glob"])
    first = gestures.data[0][0]
    assert 40 < first[head, 1] < 70 and -110 < first[feet, 1] < -70


def test_make_gestures_frozen_defaults_and_fingerprint(gestures):
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(make_gestures).parameters.items()
    }
    assert defaults == {
        "n_samples": 111,
        "n_joints": 79,
        "n_classes": 2,
        "min_frames": 40,
        "max_frames": 100,
        "noise": 0.2,
        "sway": 1.0,
        "max_rotation": 10.0,
        "frame_rate": 25.0,
        "random_state": None,
        "return_relevance": False,
        "return_X_y": False,
    }
    # Changing the generator changes this fingerprint: results obtained with the defaults would
    # no longer be comparable (see descr/make_gestures.rst).
    assert [len(r) for r in gestures.data[:10]] == [99, 93, 71, 43, 67, 41, 66, 99, 61, 69]
    assert gestures.target[:4].tolist() == ["Bi", "Mono", "Mono", "Mono"]
    assert gestures.data[0][0, 0, 0] == pytest.approx(1.2804247, abs=1e-4)
    assert gestures.data[5][-1, 40, 1] == pytest.approx(-9.6119719, abs=1e-4)


def test_make_gestures_is_deterministic():
    first = make_gestures(8, random_state=3, return_relevance=True)
    again = make_gestures(8, random_state=np.random.RandomState(3), return_relevance=True)
    other = make_gestures(8, random_state=4)
    for a, b in zip(first.data + first.relevance, again.data + again.relevance):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.target, again.target)
    assert any(
        a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(first.data, other.data)
    )


def _left_hand_rise(recording, frames=slice(None)):
    hand = MOCAPLAB_SKELETON.index("lHand_T_glob")
    return np.max(recording[frames, hand, 1] - recording[0, hand, 1])


def test_bi_moves_the_left_arm_where_relevance_says(gestures):
    left_arm = {
        i for i, name in enumerate(MOCAPLAB_SKELETON.joint_names) if name.startswith("l")
    } - set(MOCAPLAB_SKELETON.index(["lEye_T_glob", "lEar_T_glob"]).tolist())
    right_hand = MOCAPLAB_SKELETON.index("rHand_T_glob")
    for recording, label, relevance in zip(gestures.data, gestures.target, gestures.relevance):
        assert relevance.shape == recording.shape[:2] and relevance.dtype == bool
        relevant_frames = relevance.any(axis=1)
        relevant_joints = set(np.flatnonzero(relevance.any(axis=0)).tolist())
        assert relevant_frames.any() and not relevant_frames.all()
        assert relevant_joints <= left_arm - set(
            MOCAPLAB_SKELETON.index(["lCollar_T_glob", "lShldrBend_T_glob"]).tolist()
        )
        # Every class signs with the right hand, so it never tells the classes apart.
        assert not relevance[:, right_hand].any()
        if label == "Bi":
            assert _left_hand_rise(recording, relevant_frames) > 15
            assert _left_hand_rise(recording, ~relevant_frames) < 8
        else:
            # Mono: the left arm stays down; relevance marks where "Bi" would have moved it.
            assert _left_hand_rise(recording) < 8


def test_a_simple_model_learns_mono_versus_bi(gestures):
    X, _ = pad_recordings(gestures.data, 100)
    X = X.reshape(len(X), -1)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(X[:77], gestures.target[:77])
    assert model.score(X[77:], gestures.target[77:]) > 0.8


def test_more_classes_have_their_own_joints_and_windows():
    gestures = make_gestures(64, n_classes=8, random_state=0, return_relevance=True)
    assert gestures.target_names.tolist() == [f"class_{k}" for k in range(8)]
    assert np.unique(gestures.target, return_counts=True)[1].tolist() == [8] * 8
    names = np.array(MOCAPLAB_SKELETON.joint_names)
    joints, centre = {}, {}
    for label, relevance in zip(gestures.target, gestures.relevance):
        joints.setdefault(label, set()).update(names[relevance.any(axis=0)].tolist())
        frames = np.flatnonzero(relevance.any(axis=1))
        centre.setdefault(label, []).append(frames.mean() / len(relevance))
    head = {"head_T_glob", "lEye_T_glob", "rEye_T_glob", "lEar_T_glob", "rEar_T_glob"}
    assert joints["class_2"] == head == joints["class_7"]
    assert "chestUpper_T_glob" in joints["class_5"] and "hip_T_glob" not in joints["class_5"]
    assert "lIndex2_T_glob" in joints["class_6"] and "lHand_T_glob" not in joints["class_6"]
    assert joints["class_1"] == joints["class_3"] == joints["class_4"]
    assert "lHand_T_glob" in joints["class_1"]
    assert np.mean(centre["class_3"]) < np.mean(centre["class_1"]) < np.mean(centre["class_4"])
    assert np.mean(centre["class_2"]) < np.mean(centre["class_7"])


def test_fewer_joints_keep_the_useful_ones_and_the_same_motion():
    full = make_gestures(6, random_state=1, return_relevance=True)
    small = make_gestures(6, n_joints=10, random_state=1, return_relevance=True)
    assert small.skeleton.n_joints == 10 and len(small.joint_names) == 10
    assert {"lHand_T_glob", "rHand_T_glob", "head_T_glob"} <= set(small.joint_names)
    kept = MOCAPLAB_SKELETON.index(small.joint_names)
    assert list(kept) == sorted(kept)
    for a, b, ra, rb in zip(full.data, small.data, full.relevance, small.relevance):
        np.testing.assert_array_equal(a[:, kept], b)
        np.testing.assert_array_equal(ra[:, kept], rb)
    # Bones skip the joints left out: the hands hang from the elbows.
    hand, elbow = small.skeleton.index(["lHand_T_glob", "lForearmBend_T_glob"])
    assert small.skeleton.parents[hand] == elbow


def test_return_x_y_forms():
    X, y = make_gestures(4, random_state=0, return_X_y=True)
    assert len(X) == 4 and y.shape == (4,)
    X, y, relevance = make_gestures(4, random_state=0, return_X_y=True, return_relevance=True)
    assert [r.shape for r in relevance] == [x.shape[:2] for x in X]
    assert "relevance" not in make_gestures(4, random_state=0)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_joints": 80}, "n_joints"),
        ({"n_classes": 1}, "n_classes"),
        ({"n_classes": 9}, "n_classes"),
        ({"min_frames": 5}, "min_frames"),
        ({"max_frames": 2.5}, "max_frames"),
        ({"noise": -1.0}, "noise"),
        ({"sway": -0.1}, "sway"),
        ({"max_rotation": 200}, "max_rotation"),
        ({"frame_rate": 0}, "frame_rate"),
        ({"random_state": "seed"}, "random_state"),
        ({"return_relevance": "yes"}, "return_relevance"),
    ],
)
def test_make_gestures_rejects_bad_parameters(kwargs, parameter):
    with pytest.raises(ValueError, match=f"'{parameter}' parameter of make_gestures"):
        make_gestures(**kwargs)


def test_make_gestures_rejects_min_frames_above_max_frames():
    with pytest.raises(ValueError, match="min_frames=60 is larger than max_frames=50"):
        make_gestures(min_frames=60, max_frames=50)


# --- sample MocapLab folder ---------------------------------------------------------------


def test_sample_mocap_folder_reads_as_20_labelled_recordings():
    folder = load_sample_mocap()
    assert folder.is_dir()
    files = sorted(path.name for path in folder.iterdir())
    assert files == ["Annotation_gloses.csv"] + [f"gesture_{i:03d}.csv" for i in range(20)]
    assert sum(path.stat().st_size for path in folder.iterdir()) < 3_000_000
    sample = load_mocap_folder(folder, labels=folder / "Annotation_gloses.csv")
    assert len(sample.data) == 20
    assert sorted(set(sample.target.tolist())) == ["Bi", "Mono"]
    assert sample.joint_names == list(MOCAPLAB_SKELETON.joint_names)
    assert all(40 <= len(recording) <= 60 for recording in sample.data)


def test_shipped_sample_is_what_the_generator_writes(tmp_path):
    generated = make_sample_mocap_folder(tmp_path / "sample")
    shipped = load_sample_mocap()
    for path in sorted(shipped.iterdir()):
        assert (generated / path.name).read_bytes() == path.read_bytes(), path.name
    assert len(list(generated.iterdir())) == len(list(shipped.iterdir()))
    # The recordings are make_gestures' own, as float32.
    gestures = make_gestures(20, min_frames=40, max_frames=60, random_state=0)
    sample = load_mocap_folder(generated, labels=generated / "Annotation_gloses.csv")
    np.testing.assert_array_equal(sample.data[3], gestures.data[3])
    np.testing.assert_array_equal(sample.target.astype(str), gestures.target)


def test_make_sample_mocap_folder_writes_larger_folders_but_never_overwrites(tmp_path):
    folder = make_sample_mocap_folder(tmp_path / "big", 1001, min_frames=10, max_frames=10)
    assert (folder / "gesture_1000.csv").is_file() and (folder / "gesture_0000.csv").is_file()
    table = (folder / "Annotation_gloses.csv").read_text(encoding="utf-8").splitlines()
    assert table[0] == "Nom.csv\tMono/Bi" and len(table) == 1002
    with pytest.raises(FileExistsError, match="is not an empty folder"):
        make_sample_mocap_folder(folder, 2)
    with pytest.raises(ValueError, match="'n_samples' parameter of make_sample_mocap_folder"):
        make_sample_mocap_folder(tmp_path / "none", 0)
