"""Loading a folder of recordings with their labels (skgesture.io.load_mocap_folder)."""

import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from skgesture.io import load_mocap_folder, read_labels, write_mocap_csv
from skgesture.utils.validation import check_dataset

JOINTS = ["hips", "head", "hand_R"]
TABLE = "Nom.csv\tMono/Bi\nAvion\tBi\nVenir\tMono\nDisparu\tBi\n"


def recording(n_frames, seed):
    return np.random.default_rng(seed).normal(size=(n_frames, len(JOINTS), 3)).astype(np.float32)


@pytest.fixture
def folder(tmp_path):
    """Three recordings."""
    for seed, (name, n_frames) in enumerate([("Venir", 4), ("Avion", 6), ("Bonjour", 5)]):
        write_mocap_csv(tmp_path / f"{name}.csv", recording(n_frames, seed), JOINTS)
    return tmp_path


def write_table(folder):
    """The paper's annotation table beside the recordings; one of its labels has no file."""
    path = folder / "Annotation_gloses.csv"
    path.write_text(TABLE)
    return path


def test_loads_recordings_sorted_with_labels_and_unlabelled_as_minus_one(folder):
    with pytest.warns(UserWarning, match=r"1 labelled file missing from .*: 'Disparu'"):
        dataset = load_mocap_folder(folder, labels=write_table(folder))

    assert [Path(name).name for name in dataset.filenames] == [
        "Avion.csv",
        "Bonjour.csv",
        "Venir.csv",
    ]
    assert dataset.target.dtype == object
    assert dataset.target.tolist() == ["Bi", -1, "Mono"]
    assert dataset.unmatched_labels == ["Disparu"]
    assert dataset.joint_names == JOINTS
    assert [r.shape for r in dataset.data] == [(6, 3, 3), (5, 3, 3), (4, 3, 3)]
    np.testing.assert_array_equal(dataset.data[2], recording(4, 0))
    np.testing.assert_array_equal(dataset.times[0], np.arange(6) / 100)


def test_dataset_feeds_the_package_conventions(folder):
    data, target = load_mocap_folder(folder, labels={"Avion": "Bi"}, return_X_y=True)

    padded = check_dataset(data)
    assert padded.data.shape == (3, 6, 3, 3)
    assert padded.lengths.tolist() == [6, 5, 4]
    assert target.tolist() == ["Bi", -1, -1]


def test_without_labels_every_recording_is_unlabelled(folder):
    dataset = load_mocap_folder(folder)

    assert dataset.target.tolist() == [-1, -1, -1]
    assert dataset.unmatched_labels == []


def test_label_table_read_beforehand_is_not_read_as_a_recording(folder):
    table = folder / "gloses.csv"
    table.write_text("file\thands\nAvion\t2\nBonjour\t1\nVenir\t1\n")

    labels = read_labels(table, file_column="file", label_column="hands")
    dataset = load_mocap_folder(folder, labels=labels)

    assert dataset.target.tolist() == ["2", "1", "1"]
    assert "gloses.csv" not in " ".join(dataset.filenames)


def test_a_table_given_as_a_plain_mapping_is_not_skipped(folder):
    write_table(folder)

    with pytest.raises(ValueError, match=r"Annotation_gloses\.csv', line 4"):
        load_mocap_folder(folder, labels={"Avion": "Bi"})


def test_unicode_file_names_match_in_any_normal_form(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Café")
    write_mocap_csv(tmp_path / f"{decomposed}.csv", recording(3, 0), JOINTS)
    table = tmp_path / "Annotation_gloses.csv"
    table.write_bytes("Nom.csv;Mono/Bi\r\nCafé;Bi\r\n".encode("cp1252"))

    dataset = load_mocap_folder(tmp_path, labels=table)

    assert dataset.target.tolist() == ["Bi"]
    assert dataset.unmatched_labels == []


def test_pattern_can_search_subfolders(folder):
    (folder / "session2").mkdir()
    write_mocap_csv(folder / "session2" / "Avion2.csv", recording(2, 9), JOINTS)

    with pytest.warns(UserWarning, match="Disparu"):
        dataset = load_mocap_folder(folder, labels=write_table(folder), pattern="**/*.csv")

    relative = [Path(name).relative_to(folder).as_posix() for name in dataset.filenames]
    assert relative == ["Avion.csv", "Bonjour.csv", "Venir.csv", "session2/Avion2.csv"]
    assert dataset.target.tolist() == ["Bi", -1, "Mono", -1]


def test_recordings_with_different_joints_name_the_first_that_differs(folder):
    write_mocap_csv(folder / "Chat.csv", recording(3, 1), ["hips", "head", "hand_L"])

    with pytest.raises(
        ValueError,
        match=r"Chat\.csv': has joint 2 named 'hand_L', but 'hand_R' in '.*Avion\.csv'",
    ):
        load_mocap_folder(folder, labels={})


def test_recordings_with_a_different_number_of_joints_are_refused(folder):
    write_mocap_csv(folder / "Chat.csv", np.zeros((3, 2, 3)), ["hips", "head"])

    with pytest.raises(ValueError, match=r"Chat\.csv': has 2 joints, but 3 in '.*Avion\.csv'"):
        load_mocap_folder(folder, labels={})


def test_a_malformed_recording_is_named(folder):
    (folder / "Casse.csv").write_text("Frame;Time;hips;hips;hips\n0;0;1;2;3\n1;0.1;1;2\n")

    with pytest.raises(ValueError, match=r"Casse\.csv', line 3: has 4 fields"):
        load_mocap_folder(folder, labels={})


def test_missing_policy_is_passed_to_every_recording(folder):
    positions = recording(4, 3)
    positions[1, 2, 0] = np.nan
    write_mocap_csv(folder / "Occlus.csv", positions, JOINTS)
    labels = {"Avion": "Bi"}

    with pytest.raises(ValueError, match=r"Occlus\.csv'.*'hand_R' in frame 1 \(line 4\)"):
        load_mocap_folder(folder, labels=labels)
    dataset = load_mocap_folder(folder, labels=labels, missing="drop")
    assert dataset.data[-2].shape == (3, 3, 3)
    with pytest.raises(ValueError, match="missing must be one of"):
        load_mocap_folder(folder, labels=labels, missing="zero")


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"return_X_y": "yes"}, TypeError, "return_X_y must be True or False; got 'yes'"),
        ({"return_X_y": 1}, TypeError, "return_X_y must be True or False; got 1"),
        ({"return_X_y": None}, TypeError, "return_X_y must be True or False; got None"),
        ({"missing": None}, TypeError, "missing must be one of the strings 'raise', "),
        ({"missing": ["drop"]}, TypeError, r"missing must .*; got list \['drop'\]"),
        ({"missing": np.array(["drop"])}, TypeError, "missing must .*; got ndarray"),
        ({"missing": "Drop"}, ValueError, "missing must be one of 'raise', .*; got 'Drop'"),
    ],
)
def test_bad_arguments_are_refused_naming_them(folder, arguments, error, match):
    with pytest.raises(error, match=match):
        load_mocap_folder(folder, **arguments)


def test_return_x_y_accepts_numpy_booleans(folder):
    data, target = load_mocap_folder(folder, return_X_y=np.bool_(True))
    assert len(data) == len(target) == 3


def test_a_folder_without_recordings_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("no recording here")
    with pytest.raises(ValueError, match=r"is a recording \(\.csv, .*\) besides the label table"):
        load_mocap_folder(tmp_path, labels=write_table(tmp_path))
    with pytest.raises(ValueError, match=r"No file in .* matches pattern='\*\.bvh'\.$"):
        load_mocap_folder(tmp_path, pattern="*.bvh")


def test_recordings_only_in_subfolders_are_found_by_a_pattern(tmp_path):
    (tmp_path / "session1").mkdir()
    write_mocap_csv(tmp_path / "session1" / "Avion.csv", recording(3, 0), JOINTS)

    with pytest.raises(ValueError, match=r"is a recording .*; subfolders are searched only by"):
        load_mocap_folder(tmp_path)
    assert len(load_mocap_folder(tmp_path, pattern="**/*.csv").data) == 1


def test_missing_folder_and_missing_table(tmp_path, folder):
    with pytest.raises(FileNotFoundError, match="No such folder"):
        load_mocap_folder(tmp_path / "absent")
    with pytest.raises(NotADirectoryError, match="Not a folder"):
        load_mocap_folder(folder / "Avion.csv")
    with pytest.raises(FileNotFoundError):
        load_mocap_folder(folder, labels=folder / "absent.tsv")


def test_labels_of_the_wrong_type_are_refused(folder):
    with pytest.raises(ValueError, match="labels must be the path of an annotation table"):
        load_mocap_folder(folder, labels=["Bi", "Mono", "Bi"])


def test_a_label_left_as_none_is_refused_not_passed_on(folder):
    with pytest.raises(ValueError, match=r"labels\['Avion'\] is None; leave a file out"):
        load_mocap_folder(folder, labels={"Avion": None, "Venir": "Mono"})


@pytest.mark.parametrize("pattern", ["", "/tmp/*.csv", "../*.csv", "sub/../../*.csv"])
def test_pattern_must_stay_inside_the_folder(folder, pattern):
    with pytest.raises(ValueError, match="pattern must be a glob pattern relative to the folder"):
        load_mocap_folder(folder, pattern=pattern)


# ------------------------------------------------------ every supported format by default
def write_bvh(path, hips_positions, neck_length=1.0):
    """A two-joint BVH file written by hand: hips that move, and a head ``neck_length`` above
    them; no joint turns, so the head is the hips raised by ``neck_length`` in every frame."""
    lines = [
        "HIERARCHY",
        "ROOT Hips",
        "{",
        "  OFFSET 0 0 0",
        "  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation",
        "  JOINT Head",
        "  {",
        f"    OFFSET 0 {neck_length} 0",
        "    CHANNELS 3 Zrotation Xrotation Yrotation",
        "    End Site",
        "    {",
        "      OFFSET 0 0.2 0",
        "    }",
        "  }",
        "}",
        "MOTION",
        f"Frames: {len(hips_positions)}",
        "Frame Time: 0.04",
    ]
    lines += [
        " ".join(str(value) for value in [*hips, 0, 0, 0, 0, 0, 0]) for hips in hips_positions
    ]
    path.write_text("\n".join(lines) + "\n")


def expected_bvh_positions(hips_positions, neck_length=1.0):
    hips = np.asarray(hips_positions, dtype=np.float32)
    return np.stack([hips, hips + [0, neck_length, 0]], axis=1)


WALK = [[0, 1, 0], [1, 1, 0], [2, 1, 0.5]]
WAVE = [[0, 1, 0], [0, 1.5, 0]]


def test_a_folder_of_bvh_files_needs_no_pattern(tmp_path):
    write_bvh(tmp_path / "walk.bvh", WALK)
    write_bvh(tmp_path / "wave.BVH", WAVE)

    dataset = load_mocap_folder(tmp_path, labels={"walk": "walk", "wave": "wave"})

    assert [Path(name).name for name in dataset.filenames] == ["walk.bvh", "wave.BVH"]
    assert dataset.target.tolist() == ["walk", "wave"]
    assert dataset.joint_names == ["Hips", "Head"]
    np.testing.assert_allclose(dataset.data[0], expected_bvh_positions(WALK), atol=1e-6)
    np.testing.assert_allclose(dataset.data[1], expected_bvh_positions(WAVE), atol=1e-6)
    np.testing.assert_allclose(dataset.times[0], [0, 0.04, 0.08])
    assert dataset.skeleton.parents == (-1, 0)


def test_by_default_every_recording_of_the_folder_itself_is_read(tmp_path):
    write_bvh(tmp_path / "a_walk.bvh", WALK)
    write_mocap_csv(tmp_path / "b_wave.csv", expected_bvh_positions(WAVE), ["Hips", "Head"])
    (tmp_path / "README.txt").write_text("Recorded in 2024.")
    (tmp_path / "._a_walk.bvh").write_bytes(b"\x00\x05\x16\x07")  # a macOS companion file
    (tmp_path / "session2").mkdir()
    write_bvh(tmp_path / "session2" / "c_walk.bvh", WALK)
    table = tmp_path / "Annotation_gloses.csv"
    table.write_text("Nom.csv\tMono/Bi\na_walk\tBi\nb_wave\tMono\n")

    dataset = load_mocap_folder(tmp_path, labels=table)

    assert [Path(name).name for name in dataset.filenames] == ["a_walk.bvh", "b_wave.csv"]
    assert dataset.target.tolist() == ["Bi", "Mono"]
    np.testing.assert_allclose(dataset.data[1], expected_bvh_positions(WAVE))
    subfolders = load_mocap_folder(tmp_path, pattern="*/*.bvh")  # searched when asked
    assert [Path(name).name for name in subfolders.filenames] == ["c_walk.bvh"]


def test_a_mixed_folder_must_share_joints(tmp_path):
    write_bvh(tmp_path / "a_walk.bvh", WALK)
    write_mocap_csv(tmp_path / "b_wave.csv", recording(3, 0), JOINTS)

    with pytest.raises(ValueError, match=r"b_wave\.csv': has 3 joints, but 2 in '.*a_walk\.bvh'"):
        load_mocap_folder(tmp_path)


def test_a_mixed_folder_must_share_the_number_of_coordinates(tmp_path):
    write_bvh(tmp_path / "a_walk.bvh", WALK)
    (tmp_path / "b_keypoints.csv").write_text("Hips_x,Hips_y,Head_x,Head_y\n0,1,0,2\n")

    with pytest.raises(
        ValueError, match=r"b_keypoints\.csv': has 2 coordinates per joint, but .* has 3"
    ):
        load_mocap_folder(tmp_path)


# --------------------------------------------------------------------------------- progress
def test_silent_unless_verbose(folder, capfd):
    load_mocap_folder(folder)

    assert capfd.readouterr() == ("", "")


def test_verbose_shows_progress_over_the_files(folder, capfd):
    pytest.importorskip("tqdm")

    dataset = load_mocap_folder(folder, verbose=1)

    captured = capfd.readouterr()
    assert captured.out == ""
    assert "Reading recordings" in captured.err and "3/3" in captured.err
    assert len(dataset.data) == 3


def test_verbose_without_tqdm_prints_one_line_per_file(folder, capfd, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)

    load_mocap_folder(folder, verbose=True)

    assert capfd.readouterr().err.splitlines() == [
        "Reading recording 1/3: Avion.csv",
        "Reading recording 2/3: Bonjour.csv",
        "Reading recording 3/3: Venir.csv",
    ]


@pytest.mark.parametrize(
    ("verbose", "error", "match"),
    [
        ("yes", TypeError, "verbose must be an integer; got str 'yes'"),
        (1.5, TypeError, "verbose must be an integer; got float 1.5"),
        (-1, ValueError, r"verbose must be 0 \(silent\) or more; got -1"),
    ],
)
def test_bad_verbose_is_refused_naming_it(folder, verbose, error, match):
    with pytest.raises(error, match=match):
        load_mocap_folder(folder, verbose=verbose)
