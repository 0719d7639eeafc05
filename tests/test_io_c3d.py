"""read_c3d: C3D marker files written here with ezc3d, compared with what ezc3d itself reads."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skgesture.io import load_mocap_folder, read_c3d, write_mocap_csv

ezc3d = pytest.importorskip("ezc3d")

LABELS = ["Subject:LASI", "Subject:RASI", "Subject:LWRA", "Subject:RWRA"]


def write_c3d(path, points, labels=LABELS, rate=120.0, residuals=None, units="mm"):
    """Write markers ``(n_frames, n_markers, 3)`` as a C3D file, the way capture software does."""
    content = ezc3d.c3d()
    content["parameters"]["POINT"]["RATE"]["value"] = [rate]
    content["parameters"]["POINT"]["LABELS"]["value"] = tuple(labels)
    content["parameters"]["POINT"]["UNITS"]["value"] = [units]
    n_frames, n_markers, _ = points.shape
    homogeneous = np.ones((4, n_markers, n_frames))
    homogeneous[:3] = points.transpose(2, 1, 0)
    content["data"]["points"] = homogeneous
    if residuals is None:
        residuals = np.zeros((n_frames, n_markers))
    content["data"]["meta_points"] = {"residuals": residuals.T[np.newaxis]}
    content.write(str(path))
    return path


def markers(n_frames=6):
    """Marker tracks in millimetres that move smoothly, never through the origin."""
    rng = np.random.default_rng(0)
    start = rng.uniform(100, 1000, size=(1, len(LABELS), 3))
    velocity = rng.uniform(-10, 10, size=(1, len(LABELS), 3))
    return start + velocity * np.arange(n_frames)[:, None, None]


def test_positions_are_what_ezc3d_reads(tmp_path):
    path = write_c3d(tmp_path / "walk.c3d", markers())
    recording = read_c3d(path)
    direct = ezc3d.c3d(str(path))
    expected = np.asarray(direct["data"]["points"])[:3].transpose(2, 1, 0)
    np.testing.assert_array_equal(recording.positions, expected.astype(np.float32))
    assert recording.positions.shape == (6, 4, 3)
    assert recording.joint_names == LABELS
    assert recording.frame_rate == 120.0
    assert recording.units == "mm"
    np.testing.assert_allclose(recording.times, np.arange(6) / 120)
    assert recording.filename == str(path)


def test_markers_to_keep_in_the_order_given(tmp_path):
    path = write_c3d(tmp_path / "walk.c3d", markers())
    recording = read_c3d(path, markers=["Subject:RWRA", "Subject:LASI"])
    assert recording.joint_names == ["Subject:RWRA", "Subject:LASI"]
    np.testing.assert_array_equal(recording.positions, read_c3d(path).positions[:, [3, 0]])


def test_an_unknown_marker_is_refused_with_close_labels(tmp_path):
    path = write_c3d(tmp_path / "walk.c3d", markers())
    with pytest.raises(
        ValueError, match=r"no marker labelled 'LASI'\. Did you mean 'Subject:LASI'"
    ):
        read_c3d(path, markers=["LASI"])
    with pytest.raises(ValueError, match="not one string"):
        read_c3d(path, markers="Subject:LASI")


@pytest.fixture
def occluded(tmp_path):
    """Three vendors' ways of writing an occluded marker, one per marker and frame."""
    points = markers()
    residuals = np.zeros(points.shape[:2])
    points[1, 0] = np.nan  # NaN coordinates
    points[2, 1] = 0.0  # all-zero coordinates
    residuals[3, 2] = -1.0  # a negative residual (the coordinates left as they were)
    return write_c3d(tmp_path / "occluded.c3d", points, residuals=residuals), markers()


def test_occluded_markers_are_refused_by_default_naming_them(occluded):
    path, _ = occluded
    with pytest.raises(ValueError, match="missing='interpolate'") as error:
        read_c3d(path)
    message = str(error.value)
    assert "3 missing points (NaN, zeros or a negative residual) in 3 joints" in message
    assert "'Subject:LASI' in frame 1; 'Subject:RASI' in frame 2; 'Subject:LWRA' in frame 3" in (
        message
    )


def test_occluded_markers_are_interpolated_or_their_frames_dropped(occluded):
    path, truth = occluded
    filled = read_c3d(path, missing="interpolate")
    # The tracks are straight lines in time, so linear interpolation gives them back.
    np.testing.assert_allclose(filled.positions, truth, rtol=1e-6)
    dropped = read_c3d(path, missing="drop")
    np.testing.assert_allclose(dropped.positions, truth[[0, 4, 5]], rtol=1e-6)
    np.testing.assert_allclose(dropped.times, np.array([0, 4, 5]) / 120)
    # Only the kept markers count.
    clean = read_c3d(path, markers=["Subject:RWRA"])
    assert clean.positions.shape == (6, 1, 3)


def test_a_marker_missing_throughout_cannot_be_interpolated(tmp_path):
    points = markers()
    points[:, 3] = np.nan
    path = write_c3d(tmp_path / "lost.c3d", points)
    with pytest.raises(
        ValueError, match="missing in every frame cannot be interpolated: 'Subject:RWRA'"
    ):
        read_c3d(path, missing="interpolate")


def test_a_folder_mixing_c3d_and_csv_files(tmp_path):
    write_c3d(tmp_path / "a.c3d", markers())
    write_mocap_csv(tmp_path / "b.csv", markers(4), LABELS)
    dataset = load_mocap_folder(tmp_path, pattern=["*.c3d", "*.csv"], labels={"a": "walk"})
    assert [Path(name).suffix for name in dataset.filenames] == [".c3d", ".csv"]
    assert [len(recording) for recording in dataset.data] == [6, 4]
    assert list(dataset.target) == ["walk", -1]
    np.testing.assert_allclose(dataset.data[1], dataset.data[0][:4], rtol=1e-6)


def test_read_options_reach_the_readers(tmp_path):
    write_c3d(tmp_path / "a.c3d", markers())
    write_c3d(tmp_path / "b.c3d", markers()[:, ::-1], labels=LABELS[::-1])
    wrists = ["Subject:LWRA", "Subject:RWRA"]
    dataset = load_mocap_folder(
        tmp_path, pattern="*.c3d", read_options={"read_c3d": {"markers": wrists}}
    )
    assert dataset.joint_names == wrists
    np.testing.assert_array_equal(dataset.data[0], dataset.data[1])
    assert dataset.skeleton is None
    with pytest.raises(ValueError, match="the readers are 'read_mocap_csv', 'read_bvh'"):
        load_mocap_folder(tmp_path, pattern="*.c3d", read_options={"c3d": {}})
    with pytest.raises(ValueError, match="pass missing= to load_mocap_folder"):
        load_mocap_folder(tmp_path, pattern="*.c3d", read_options={"read_c3d": {"missing": "drop"}})
    with pytest.raises(TypeError, match="read_options must map reader names"):
        load_mocap_folder(tmp_path, pattern="*.c3d", read_options=["read_c3d"])


def test_unknown_extensions_in_a_folder_are_refused(tmp_path):
    write_c3d(tmp_path / "a.c3d", markers())
    (tmp_path / "notes.txt").write_text("calibration on Monday")
    with pytest.raises(ValueError, match=r"notes\.txt': no reader knows the extension '\.txt'"):
        load_mocap_folder(tmp_path, pattern="*")


def test_a_file_that_is_not_c3d_is_refused(tmp_path):
    path = tmp_path / "fake.c3d"
    path.write_text("Frame;Time\n")
    with pytest.raises(ValueError, match=r"fake\.c3d': is not a C3D file"):
        read_c3d(path)
    with pytest.raises(FileNotFoundError):
        read_c3d(tmp_path / "absent.c3d")
    with pytest.raises(ValueError, match="missing must be one of"):
        read_c3d(path, missing="zeros")


def test_a_file_cut_short_is_refused_before_ezc3d_reads_it(tmp_path):
    # ezc3d may crash or hang on a truncated file, so the reader checks its length first.
    whole = write_c3d(tmp_path / "walk.c3d", markers()).read_bytes()
    for length in (100, 600, 1700):  # the frames start at byte 1536
        path = tmp_path / f"cut_{length}.c3d"
        path.write_bytes(whole[:length])
        with pytest.raises(ValueError, match=r"cut_\d+\.c3d': is (not a C3D file|cut short)"):
            read_c3d(path)
    damaged = tmp_path / "damaged.c3d"
    damaged.write_bytes(b"\x00" + whole[1:])
    with pytest.raises(ValueError, match="its parameters start in block 0"):
        read_c3d(damaged)


def test_without_ezc3d_the_error_says_what_to_install(tmp_path, monkeypatch):
    path = write_c3d(tmp_path / "walk.c3d", markers())
    monkeypatch.setitem(sys.modules, "ezc3d", None)  # makes `import ezc3d` fail
    with pytest.raises(ImportError, match=r"pip install skgesture\[c3d\]"):
        read_c3d(path)


def test_io_never_imports_ezc3d_before_a_file_is_read():
    code = "import skgesture.io, sys; print('ezc3d' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert output.stdout.strip() == "False", output.stderr


# ------------------------------------------ a file from another writer (see tests/data/README.md)
def test_a_file_written_by_py_c3d():
    path = Path(__file__).parent / "data" / "pyc3d_markers.c3d"
    with pytest.raises(ValueError, match=r"2 missing points .* 'LWRA' in frames 3-4"):
        read_c3d(path)
    recording = read_c3d(path, missing="interpolate")
    # py-c3d pads the labels to one length; the reader strips them.
    assert recording.joint_names == ["C7", "LASI", "LWRA", "RWRA"]
    assert (recording.frame_rate, recording.units) == (100.0, "mm")
    frame = np.arange(10)[:, None]
    marker = np.arange(4)[None, :]
    expected = np.stack(
        np.broadcast_arrays(100 * marker + frame, 200 + 10 * frame, 1000 - 5 * marker), axis=-1
    )
    # Stored as integers times POINT:SCALE 0.1, and the occluded frames interpolated.
    np.testing.assert_allclose(recording.positions, expected, rtol=1e-6)
    direct = np.asarray(ezc3d.c3d(str(path))["data"]["points"])[:3].transpose(2, 1, 0)
    seen = ~np.isnan(direct)
    np.testing.assert_array_equal(recording.positions[seen], direct[seen].astype(np.float32))
