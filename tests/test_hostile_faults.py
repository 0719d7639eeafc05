"""Hostile inputs that once escaped as MemoryError, OverflowError or a hang, or were misreported.

Each public entry point must give a sane result or a ValueError (or TypeError) naming the file
and line, or the parameter, at fault -- and leave its input as it was.
"""

import hashlib
import os

import numpy as np
import pytest

from skgesture.io import _text, load_mocap_folder, read_labels, read_mocap_csv, write_mocap_csv
from skgesture.preprocessing import FrameRateResampler
from skgesture.store import RecordingStore

pytestmark = pytest.mark.timeout(60)

HEADER = "Frame;Time;hips;hips;hips\n;;X;Y;Z\n"
FRAMES = "0;0.0;1;2;3\n1;0.1;4;5;6\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------- paths that are not regular files
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_refused_without_being_read():
    with pytest.raises(ValueError, match=r"'/dev/zero': is a character device, not a regular"):
        read_mocap_csv("/dev/zero")
    with pytest.raises(ValueError, match=r"'/dev/zero': is a character device"):
        read_labels("/dev/zero")


@needs_fifo
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "live.csv"
    os.mkfifo(pipe)  # nothing ever writes to it: opening it to read would block forever

    with pytest.raises(ValueError, match=r"live\.csv': is a named pipe \(FIFO\), not a regular"):
        read_mocap_csv(pipe)
    with pytest.raises(ValueError, match=r"live\.csv': is a named pipe \(FIFO\)"):
        read_labels(pipe)


@needs_fifo
def test_a_label_table_that_is_a_named_pipe_is_refused_by_the_folder_loader(tmp_path):
    write_mocap_csv(tmp_path / "Avion.csv", np.zeros((3, 1, 3)))
    table = tmp_path / "Annotation_gloses.csv"
    os.mkfifo(table)

    with pytest.raises(ValueError, match=r"Annotation_gloses\.csv': is a named pipe"):
        load_mocap_folder(tmp_path, labels=table)


def test_a_folder_is_refused_as_a_recording_and_as_a_label_table(tmp_path):
    folder = tmp_path / "takes.csv"
    folder.mkdir()

    with pytest.raises(ValueError, match=r"takes\.csv': is a folder, not a regular file"):
        read_mocap_csv(folder)
    with pytest.raises(ValueError, match=r"takes\.csv': is a folder, not a regular file"):
        read_labels(folder)


@needs_fifo
def test_a_named_pipe_in_a_recording_folder_is_passed_over_and_never_opened(tmp_path):
    write_mocap_csv(tmp_path / "Avion.csv", np.zeros((3, 1, 3)))
    os.mkfifo(tmp_path / "live.csv")

    dataset = load_mocap_folder(tmp_path)
    assert [os.path.basename(name) for name in dataset.filenames] == ["Avion.csv"]


@pytest.mark.parametrize(
    ("path", "error", "match"),
    [
        ("take\x00.csv", ValueError, r"'take\\x00\.csv': is not a path: it holds a NUL"),
        (b"take.csv", TypeError, "path must be a str or path-like; got bytes"),
        (3, TypeError, "path must be a str or path-like; got int"),
    ],
)
def test_paths_that_are_not_paths_are_refused(path, error, match):
    with pytest.raises(error, match=match):
        read_mocap_csv(path)
    with pytest.raises(error, match=match):
        read_labels(path)


def test_an_invalid_glob_pattern_is_named(tmp_path):
    write_mocap_csv(tmp_path / "Avion.csv", np.zeros((3, 1, 3)))
    np.save(tmp_path / "avion.npy", np.zeros((3, 1, 3)))

    with pytest.raises(ValueError, match=r"pattern='\*\*\*' is not a valid glob pattern"):
        load_mocap_folder(tmp_path, pattern="***")
    with pytest.raises(ValueError, match=r"pattern='\*\*\*' is not a valid glob pattern"):
        RecordingStore.from_folder(tmp_path, pattern="***")


# ------------------------------------------------------------------------------ long lines
def test_a_200_mb_line_of_zeros_is_refused_naming_the_line_and_the_limit(tmp_path):
    path = tmp_path / "zeros.csv"
    with open(path, "wb") as file:
        file.truncate(200 * 2**20)  # 200 MB of NUL bytes without a line end (sparse: cheap)

    with pytest.raises(ValueError, match=r"zeros\.csv', line 1: is longer than 16777216 bytes"):
        read_mocap_csv(path)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_line_over_the_limit_is_named_whatever_the_line_ends(tmp_path, monkeypatch, line_end):
    monkeypatch.setattr(_text, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "wide.csv"
    text = HEADER + FRAMES + "2;0.2;" + "0;" * 600 + "0\n"
    path.write_bytes(text.replace("\n", line_end).encode())

    with pytest.raises(ValueError, match=r"wide\.csv', line 5: is longer than 1000 bytes"):
        read_mocap_csv(path)


def test_a_line_as_long_as_the_limit_is_read(tmp_path, monkeypatch):
    path = write_mocap_csv(tmp_path / "wave.csv", np.arange(60.0).reshape(2, 10, 3))
    longest = max(len(line) for line in path.read_bytes().splitlines())

    monkeypatch.setattr(_text, "MAX_LINE_BYTES", longest)
    assert read_mocap_csv(path).positions.shape == (2, 10, 3)
    monkeypatch.setattr(_text, "MAX_LINE_BYTES", longest - 1)
    with pytest.raises(ValueError, match=rf"wave\.csv', line 1: is longer than {longest - 1}"):
        read_mocap_csv(path)


def test_a_label_table_with_a_line_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_text, "MAX_LINE_BYTES", 100)
    table = tmp_path / "labels.tsv"
    table.write_text("Nom.csv\tMono/Bi\nAvion\tBi\n" + "Venir\t" + "Mono" * 30 + "\n")

    with pytest.raises(ValueError, match=r"labels\.tsv', line 3: is longer than 100 bytes"):
        read_labels(table)


# ----------------------------------------------------------------------- long cells, quotes
@pytest.mark.parametrize("cell", ["1" * 140_000, '"' + "1" * 140_000 + '"'], ids=["bare", "quoted"])
def test_a_cell_over_the_csv_field_limit_is_reported_as_a_long_field(tmp_path, cell):
    path = tmp_path / "long_cell.csv"
    path.write_text(HEADER + f"0;0.0;{cell};2;3\n" + "1;0.1;4;5;6\n")
    before = digest(path)

    with pytest.raises(
        ValueError,
        match=r"long_cell\.csv', line 3, column 3: a field is longer than 131072 characters",
    ):
        read_mocap_csv(path)
    assert digest(path) == before


def test_a_quote_left_open_is_still_named_when_it_swallows_more_than_the_field_limit(tmp_path):
    path = tmp_path / "open_quote.csv"
    path.write_text(HEADER + '0;0.0;"1;2;3\n' + "1;0.1;4;5;6\n" * 15_000)

    with pytest.raises(
        ValueError, match=r"open_quote\.csv', line 3: a quoted field opens on this line and does"
    ):
        read_mocap_csv(path)


def test_a_doubled_quote_does_not_close_a_quoted_field(tmp_path):
    path = tmp_path / "escaped.csv"
    path.write_text(HEADER + '0;0.0;"1"";2;3\n' + "1;0.1;4;5;6\n" * 15_000)

    with pytest.raises(ValueError, match=r"escaped\.csv', line 3: a quoted field opens on this"):
        read_mocap_csv(path)


def test_a_label_over_the_csv_field_limit_is_reported_as_a_long_field(tmp_path):
    table = tmp_path / "labels.tsv"
    table.write_text("Nom.csv\tMono/Bi\nAvion\t" + "B" * 140_000 + "\n")

    with pytest.raises(
        ValueError, match=r"labels\.tsv', line 2, column 2: a field is longer than 131072"
    ):
        read_labels(table)


# -------------------------------------------------------------------- RecordingStore folders
@pytest.fixture
def store_folder(tmp_path):
    """Two good recordings, ``a.npy`` and ``c.npy``; tests add a bad ``b`` between them."""
    for name in ("a", "c"):
        np.save(tmp_path / f"{name}.npy", np.ones((5, 2, 3), dtype=np.float32))
    return tmp_path


def _save_truncated(path):
    np.save(path, np.ones((50, 2, 3)))
    path.write_bytes(path.read_bytes()[:200])


@pytest.mark.parametrize(
    ("name", "write", "match"),
    [
        ("b.npy", lambda path: path.write_bytes(b""), "is not a .npy file"),
        ("b.npy", lambda path: path.write_text("0.0;1;2;3\n"), "is not a .npy file"),
        ("b.npy", _save_truncated, "is not a .npy file that can be read"),
        (
            "b.npy",
            lambda path: np.save(path, np.array([{}], dtype=object)),
            "is not a .npy file that can be read",
        ),
        (
            "b.npy",
            lambda path: np.save(path, np.ones((5, 2, 3), complex)),
            "holds complex128 values",
        ),
        ("b.npy", lambda path: np.save(path, np.ones((5, 0, 3))), r"has shape \(5, 0, 3\)"),
        ("b.npy", lambda path: np.save(path, np.ones((5, 3, 3))), "has 3 joints x 3 coordinates"),
        ("b.csv", lambda path: path.write_text(HEADER + FRAMES), "is not a .npy file"),
    ],
    ids=["empty", "text", "truncated", "objects", "complex", "no_joints", "joints", "csv"],
)
def test_a_bad_file_among_good_ones_is_named(store_folder, name, write, match):
    write(store_folder / name)

    with pytest.raises(ValueError, match=rf"b\.{name[2:]}': {match}"):
        RecordingStore.from_folder(store_folder, pattern="*")


@needs_fifo
def test_a_named_pipe_in_a_store_folder_is_passed_over_and_never_opened(store_folder):
    os.mkfifo(store_folder / "b.npy")

    store = RecordingStore.from_folder(store_folder)
    assert [os.path.basename(source) for source in store.sources] == ["a.npy", "c.npy"]


def test_a_file_that_changes_after_the_store_opened_it_is_named_when_read(store_folder):
    store = RecordingStore.from_folder(store_folder)
    np.save(store_folder / "c.npy", np.ones((7, 2, 3)))
    with pytest.raises(ValueError, match=r"c\.npy': has shape \(7, 2, 3\) now"):
        np.asarray(store)

    (store_folder / "c.npy").unlink()
    with pytest.raises(ValueError, match=r"c\.npy': cannot be read: No such file"):
        store.recording(1)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_named(store_folder):
    locked = store_folder / "b.npy"
    np.save(locked, np.ones((5, 2, 3)))
    locked.chmod(0)
    try:
        with pytest.raises(ValueError, match=r"b\.npy': cannot be read: Permission denied"):
            RecordingStore.from_folder(store_folder)
    finally:
        locked.chmod(0o600)


@pytest.mark.parametrize(
    ("folder", "pattern", "error", "match"),
    [
        (None, "*.npy", TypeError, "folder must be a path; got NoneType"),
        ("missing_folder", "*.npy", ValueError, r"missing_folder': does not exist"),
        ("a.npy", "*.npy", ValueError, r"a\.npy': is not a folder"),
        (".", None, TypeError, "pattern must be a glob pattern such as '\\*.npy', a string"),
        (".", "../*.npy", ValueError, "pattern must be a glob pattern relative to the folder"),
        (".", "/abs/*.npy", ValueError, "pattern must be a glob pattern relative to the folder"),
        (".", "", ValueError, "pattern must be a glob pattern relative to the folder"),
    ],
)
def test_bad_store_folders_and_patterns_are_named(store_folder, folder, pattern, error, match):
    folder = folder if folder is None else store_folder / folder

    with pytest.raises(error, match=match):
        RecordingStore.from_folder(folder, pattern)


# ------------------------------------------------------------------------ FrameRateResampler
@pytest.mark.parametrize(
    ("source_rate", "target_rate", "parameter"),
    [
        (1e-300, 1e300, "source_rate"),
        (1.0, 1e20, "target_rate"),
        (1e308, 1e308, "source_rate"),
        (5e-324, 30.0, "source_rate"),  # subnormal
        (30.0, 5e-324, "target_rate"),
        (30.0, float("inf"), "target_rate"),
        (float("nan"), 30.0, "source_rate"),
        (True, 30.0, "source_rate"),
        (30.0, True, "target_rate"),
    ],
)
def test_extreme_rates_are_refused_naming_the_parameter(source_rate, target_rate, parameter):
    X = [np.ones((5, 2, 3))]

    with pytest.raises(ValueError, match=f"'{parameter}' parameter of FrameRateResampler"):
        FrameRateResampler(source_rate, target_rate).fit_transform(X)
    np.testing.assert_array_equal(X[0], np.ones((5, 2, 3)))


def test_upsampling_beyond_the_limit_is_refused_before_allocating():
    X = np.ones((2, 5, 2, 3))
    resampler = FrameRateResampler(source_rate=1e-3, target_rate=1e6)

    with pytest.raises(
        ValueError, match=r"target_rate=1000000\.0 .*\(X\[0\]\) would turn 5 frames into 4e\+09"
    ):
        resampler.fit_transform(X)


def test_upsampling_up_to_the_limit_is_done():
    (upsampled,) = FrameRateResampler(source_rate=1, target_rate=1000).fit_transform(
        [np.ones((5, 2, 3))]
    )

    assert upsampled.shape == (4001, 2, 3)


def test_time_stamps_spanning_ages_are_refused_naming_the_recording():
    X = [np.ones((3, 2, 3)), np.ones((3, 2, 3))]
    times = [np.array([0.0, 0.1, 0.2]), np.array([0.0, 1.0, 1e300])]

    with pytest.raises(ValueError, match=r"target_rate=30\.0 over the 1e\+300 s of times\[1\]"):
        FrameRateResampler(target_rate=30.0).fit_transform(X, times=times)
    with pytest.raises(ValueError, match=r"over the inf s of times\[0\]"):
        FrameRateResampler(target_rate=30.0).fit_transform(
            X[:1], times=[np.array([-1e308, 0.0, 1e308])]
        )


def test_downsampling_to_the_slowest_rate_keeps_one_frame():
    (resampled,) = FrameRateResampler(source_rate=1e6, target_rate=1e-3).fit_transform(
        [np.arange(15.0).reshape(5, 1, 3)]
    )

    np.testing.assert_array_equal(resampled, [[[0.0, 1.0, 2.0]]])
