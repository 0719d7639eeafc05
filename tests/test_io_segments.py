"""Frame-per-line files with frame ids (Kinect exports), segment tables, and cutting takes.

Files are small and written here; the last test reads the real UTKinect-Action3D data through
the benchmark loader, and skips when ../shared is not beside the repository.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from skgesture.io import (
    Segment,
    SegmentTable,
    cut_segments,
    read_mocap_csv,
    read_segments,
    write_mocap_csv,
)
from skgesture.skeleton import get_skeleton

REPO_ROOT = Path(__file__).resolve().parents[1]
UTKINECT_DIR = REPO_ROOT.parent / "shared" / "data" / "utkinect"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def take_file(tmp_path, frame_ids, name="joints_s01_e01.txt", n_joints=2):
    """A Kinect-style take: ``frame_id x1 y1 z1 ...``, padded with runs of spaces; the first
    coordinate of each frame is its row index, so tests can tell which rows were kept."""
    lines = []
    for row, frame_id in enumerate(frame_ids):
        values = [float(row)] + [0.5 * joint for joint in range(1, 3 * n_joints)]
        lines.append(f"{frame_id}   " + "  ".join(f"{value:.6f}" for value in values) + "  ")
    return write(tmp_path, name, "\n".join(lines) + "\n")


# Reading frame-per-line files with frame ids --------------------------------------------------


def test_headerless_whitespace_file_gives_its_frame_ids_as_written(tmp_path):
    path = take_file(tmp_path, [190, 194, 196, 200])

    recording = read_mocap_csv(path, first_column="frame")

    assert recording.frame_ids.dtype == np.int64
    np.testing.assert_array_equal(recording.frame_ids, [190, 194, 196, 200])
    assert recording.times is None
    assert recording.positions.shape == (4, 2, 3)
    assert recording.positions.dtype == np.float32
    np.testing.assert_array_equal(recording.positions[:, 0, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(recording.positions[0, 1], [1.5, 2.0, 2.5])
    assert recording.joint_names == ["joint_0", "joint_1"]


def test_whitespace_file_first_column_is_a_time_by_default(tmp_path):
    path = write(tmp_path, "times.txt", "0.00 1 2 3\n0.04 4 5 6\n")

    recording = read_mocap_csv(path)

    np.testing.assert_array_equal(recording.times, [0.0, 0.04])
    assert recording.frame_ids is None
    np.testing.assert_array_equal(recording.positions[1, 0], [4, 5, 6])


def test_whitespace_file_with_frame_and_time_columns(tmp_path):
    path = write(tmp_path, "both.txt", "  12  0.40  1 2 3\n13 0.44 4 5 6  \n")

    recording = read_mocap_csv(path)

    np.testing.assert_array_equal(recording.frame_ids, [12, 13])
    np.testing.assert_array_equal(recording.times, [0.40, 0.44])


def test_mocaplab_files_now_give_their_frame_column(tmp_path):
    path = write_mocap_csv(tmp_path / "paper.csv", np.zeros((3, 1, 3)))

    np.testing.assert_array_equal(read_mocap_csv(path).frame_ids, [0, 1, 2])


def test_explicit_whitespace_delimiter_reads_runs_of_spaces_and_tabs(tmp_path):
    path = write(tmp_path, "mixed.txt", "1\t\t0.5  1.5\t 2.5\n2 \t3.5\t4.5    5.5\n")

    recording = read_mocap_csv(path, first_column="frame", delimiter="whitespace")

    np.testing.assert_array_equal(recording.frame_ids, [1, 2])
    np.testing.assert_array_equal(recording.positions[:, 0], [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]])


def test_sniffed_tabs_stay_single_delimiters_where_two_enclose_a_blank_cell(tmp_path):
    path = write(tmp_path, "tabs.txt", "1\t\t0.5\t1.5\t2.5\n")

    # Five fields (3n+2: frame, time, x, y, z), the time blank: not one frame id and 3 values.
    with pytest.raises(ValueError, match=r"tabs\.txt', line 1, column 2: the time is missing"):
        read_mocap_csv(path)


def test_whitespace_file_with_decimal_commas_needs_the_delimiter(tmp_path):
    path = write(tmp_path, "virgule.txt", "7 0,5 1,25 -2,5\n")

    # Sniffing takes the commas for delimiters, and refuses the file.
    with pytest.raises(ValueError, match=r"virgule\.txt'"):
        read_mocap_csv(path, first_column="frame")
    recording = read_mocap_csv(path, first_column="frame", delimiter="whitespace")

    np.testing.assert_array_equal(recording.positions[0, 0], [0.5, 1.25, -2.5])


def test_repeated_frame_id_is_refused_by_default(tmp_path):
    path = take_file(tmp_path, [190, 190, 194, 196, 196])

    with pytest.raises(
        ValueError,
        match=r"joints_s01_e01\.txt', line 2, column 1: frame id 190 is that of line 1 too "
        r"\(2 lines of the file repeat .*duplicate_frames='keep'",
    ):
        read_mocap_csv(path, first_column="frame")


def test_repeated_frame_ids_are_kept_in_file_order_on_request(tmp_path):
    path = take_file(tmp_path, [190, 190, 194, 196, 196, 196])

    recording = read_mocap_csv(path, first_column="frame", duplicate_frames="keep")

    np.testing.assert_array_equal(recording.frame_ids, [190, 190, 194, 196, 196, 196])
    np.testing.assert_array_equal(recording.positions[:, 0, 0], np.arange(6))


@pytest.mark.parametrize("duplicate_frames", ["raise", "keep"])
def test_decreasing_frame_id_is_refused_whatever_duplicate_frames_says(tmp_path, duplicate_frames):
    path = take_file(tmp_path, [5, 9, 7])

    with pytest.raises(
        ValueError,
        match=r"line 3, column 1: frame id 7 comes after frame id 9 \(line 2\); frame ids must",
    ):
        read_mocap_csv(path, first_column="frame", duplicate_frames=duplicate_frames)


def test_repeated_frame_number_of_a_mocaplab_file_is_refused(tmp_path):
    path = write(tmp_path, "twice.csv", "Frame;Time;a;a;a\n0;0.0;1;2;3\n0;0.1;1;2;3\n")

    with pytest.raises(ValueError, match=r"twice\.csv', line 3, column 1: frame id 0 is that"):
        read_mocap_csv(path)


def test_frame_id_that_is_not_a_whole_number_is_refused(tmp_path):
    path = write(tmp_path, "half.txt", "1 0 0 0\n1.5 0 0 0\n")

    with pytest.raises(
        ValueError,
        match=r"half\.txt', line 2, column 1: '1\.5' is not a frame number; "
        r"first_column='frame' reads",
    ):
        read_mocap_csv(path, first_column="frame")


def test_missing_frame_id_is_refused(tmp_path):
    path = write(tmp_path, "nan_id.txt", "1 0 0 0\nNaN 0 0 0\n")

    with pytest.raises(ValueError, match=r"line 2, column 1: 'NaN' is not a frame number"):
        read_mocap_csv(path, first_column="frame")


def test_first_column_time_refuses_a_file_with_a_frame_column(tmp_path):
    path = write(tmp_path, "wide.txt", "1 0.0 0 0 0\n2 0.1 0 0 0\n")

    with pytest.raises(ValueError, match=r"wide\.txt': has 5 columns \(3n\+2\).*first_column"):
        read_mocap_csv(path, first_column="time")


def test_time_label_contradicts_first_column_frame(tmp_path):
    path = write(tmp_path, "label.csv", "Time;a;a;a\n0;1;2;3\n")

    with pytest.raises(
        ValueError, match=r"line 1, column 1: is labelled 'Time', but first_column='frame'"
    ):
        read_mocap_csv(path, first_column="frame")


def test_frame_label_is_read_with_first_column_frame(tmp_path):
    path = write(tmp_path, "label.csv", "Frame;a;a;a\n4;1;2;3\n")

    assert read_mocap_csv(path, first_column="frame").frame_ids.tolist() == [4]
    with pytest.raises(ValueError, match=r"is labelled 'Frame'.*first_column='frame'"):
        read_mocap_csv(path)


def test_interpolation_runs_along_frame_ids_without_a_time_column(tmp_path):
    path = write(tmp_path, "gap.txt", "0 0 0 0\n1 NaN 0 0\n3 3 0 0\n")

    recording = read_mocap_csv(path, first_column="frame", missing="interpolate")

    # Frame 1 lies a third of the way from frame 0 to frame 3.
    np.testing.assert_allclose(recording.positions[:, 0, 0], [0, 1, 3])


def test_interpolation_refuses_repeated_frame_ids(tmp_path):
    path = write(tmp_path, "gap.txt", "0 0 0 0\n0 NaN 0 0\n3 3 0 0\n")

    with pytest.raises(
        ValueError, match=r"line 2, column 1: frame id 0 does not come after 0; missing="
    ):
        read_mocap_csv(path, first_column="frame", duplicate_frames="keep", missing="interpolate")


def test_dropped_frames_leave_frame_ids_and_times_in_step(tmp_path):
    path = write(tmp_path, "drop.txt", "10 0.1 0 0 0\n11 0.2 NaN 0 0\n12 0.3 2 0 0\n")

    recording = read_mocap_csv(path, missing="drop")

    assert recording.frame_ids.tolist() == [10, 12]
    assert recording.times.tolist() == [0.1, 0.3]


def test_ragged_whitespace_line_names_the_delimiter(tmp_path):
    path = write(tmp_path, "ragged.txt", "1 0 0 0\n2 0 0\n3 0 0 0\n")

    with pytest.raises(
        ValueError,
        match=r"ragged\.txt', line 2: has 3 fields but the other lines have 4 \(delimiter runs "
        r"of spaces or tabs\)",
    ):
        read_mocap_csv(path, first_column="frame")


def test_non_number_in_a_whitespace_file_names_its_cell(tmp_path):
    path = write(tmp_path, "typo.txt", "1 0 0 0\n2 0 O.5 0\n")

    with pytest.raises(
        ValueError,
        match=r"line 2, column 3: 'O\.5' in column 3 \(joint 'joint_0', y\) is not a number",
    ):
        read_mocap_csv(path, first_column="frame")


def test_file_without_delimiter_or_spaces_is_still_refused(tmp_path):
    path = write(tmp_path, "single.txt", "90.880\n90.920\n")

    with pytest.raises(ValueError, match=r"single\.txt': found no ';', tab or ',' delimiter"):
        read_mocap_csv(path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"first_column": "index"}, r"first_column must be one of 'auto', 'time', 'frame'"),
        ({"duplicate_frames": "first"}, r"duplicate_frames must be one of 'raise', 'keep'"),
        ({"delimiter": "|"}, r"delimiter must be None \(sniffed\) or one of"),
        ({"delimiter": " "}, r"delimiter must be None \(sniffed\) or one of"),
    ],
)
def test_reader_options_are_checked(tmp_path, arguments, message):
    path = take_file(tmp_path, [1, 2])

    with pytest.raises(ValueError, match=message):
        read_mocap_csv(path, **arguments)


# Reading segment tables -----------------------------------------------------------------------

TABLE = """s01_e01
walk: 252 390
sitDown:\t572   686 \n
  standUp: 704 752
s01_e02
walk: 154 192
pull: 1640 1686
push: 1686 1748
"""


def test_reads_takes_and_segments_with_their_lines(tmp_path):
    path = write(tmp_path, "actionLabel.txt", TABLE)

    segments = read_segments(path)

    assert isinstance(segments, SegmentTable)
    assert segments.takes == ["s01_e01", "s01_e02"]
    assert segments.missing == []
    assert segments.filename == str(path)
    assert segments[0] == Segment("s01_e01", "walk", 252, 390, 2)
    assert segments[1] == Segment("s01_e01", "sitDown", 572, 686, 3)
    assert segments[2] == Segment("s01_e01", "standUp", 704, 752, 5)
    # Ranges may touch or overlap, and come in any order.
    assert [(s.label, s.first, s.last) for s in segments[4:]] == [
        ("pull", 1640, 1686),
        ("push", 1686, 1748),
    ]


def test_segment_without_a_range_is_warned_about_and_kept_apart(tmp_path):
    path = write(tmp_path, "actionLabel.txt", TABLE + "carry:  NaN NaN\n")

    with pytest.warns(
        UserWarning,
        match=r"1 segment without a frame range \(NaN NaN\) left out: line 10 \(s01_e02, carry\)",
    ):
        segments = read_segments(path)

    assert len(segments) == 6
    assert segments.missing == [Segment("s01_e02", "carry", None, None, 10)]


def test_take_whose_segments_all_lack_a_range_is_still_named(tmp_path):
    path = write(tmp_path, "t.txt", "a\nwalk: 1 2\nb\nwalk: nan NaN\n")

    with pytest.warns(UserWarning, match="line 4 \\(b, walk\\)"):
        segments = read_segments(path)

    assert segments.takes == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"': the segment table is empty"),
        ("\n  \n", r"': the segment table is empty"),
        ("walk: 1 2\n", r"', line 1: a segment comes before any take name"),
        ("a\nwalk: 1 2\na\nrun: 3 4\n", r"', line 3: take 'a' is named a second time; .*line 1"),
        ("a b\nwalk: 1 2\n", r"', line 1: 'a b' is neither a take name \(one word\) nor"),
        ("a\n: 1 2\n", r"', line 2: the label before ':' is blank"),
        ("a\nwalk: 1\n", r"', line 2: has 1 field after 'walk':, expected 2"),
        ("a\nwalk:\n", r"', line 2: has 0 fields after 'walk':, expected 2"),
        ("a\nwalk: 1 2 3\n", r"', line 2, column 4: has 3 fields after 'walk':, expected 2"),
        ("a\nwalk: 1x 2\n", r"', line 2, column 2: '1x' is not a frame id"),
        ("a\nwalk: 1 2.5\n", r"', line 2, column 3: '2\.5' is not a frame id"),
        ("a\nwalk: 1 inf\n", r"', line 2, column 3: 'inf' is not a frame id"),
        ("a\nwalk: 1_000 2000\n", r"', line 2, column 2: '1_000' is not a frame id"),
        ("a\nwalk: NaN 2\n", r"', line 2, column 2: segment 'walk' of take 'a' has one end"),
        ("a\nwalk: 1 NaN\n", r"', line 2, column 3: segment 'walk' of take 'a' has one end"),
        (
            "a\nwalk: 390 252\n",
            r"', line 2, column 3: segment 'walk' of take 'a' ends at frame 252, before it "
            r"starts at frame 390",
        ),
        ("a\nb\n", r"': names 2 takes but no segment with a frame range \(0 segments"),
    ],
)
def test_malformed_table_is_refused_naming_file_and_line(tmp_path, text, message):
    path = write(tmp_path, "labels.txt", text)

    with pytest.raises(ValueError, match=r"labels\.txt" + message):
        read_segments(path)


def test_table_of_missing_ranges_only_is_refused(tmp_path):
    path = write(tmp_path, "labels.txt", "a\nwalk: NaN NaN\n")

    with pytest.raises(ValueError, match=r"names 1 take but no segment with a frame range"):
        read_segments(path)


def test_missing_table_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_segments(tmp_path / "absent.txt")


# Cutting takes into segments ------------------------------------------------------------------


def read_take(path):
    return read_mocap_csv(path, first_column="frame", duplicate_frames="keep")


def test_segments_are_cut_by_frame_id_inclusive_not_by_row(tmp_path):
    # Rows:          0   1   2   3   4   5   6   7
    frame_ids = [10, 11, 11, 14, 15, 17, 18, 20]
    take = read_take(take_file(tmp_path, frame_ids))
    table = read_segments(
        write(tmp_path, "labels.txt", "s01_e01\nwave: 11 15\npoint: 16 18\nstill: 20 20\n")
    )

    cut = cut_segments(take.positions, take.frame_ids, table)

    rows = [segment[:, 0, 0].tolist() for segment in cut.data]
    # 11 (twice, in file order) to 15; 16 to 18 starts at 17 (16 was dropped); 20 alone.
    assert rows == [[1, 2, 3, 4], [5, 6], [7]]
    assert [ids.tolist() for ids in cut.frame_ids] == [[11, 11, 14, 15], [17, 18], [20]]
    assert cut.target.tolist() == ["wave", "point", "still"]
    assert cut.groups.tolist() == ["s01_e01"] * 3
    assert cut.segments == list(table)
    assert all(segment.dtype == np.float32 and segment.shape[1:] == (2, 3) for segment in cut.data)


def test_cut_segments_are_copies(tmp_path):
    positions = np.zeros((3, 1, 3))

    cut = cut_segments(positions, np.array([1, 2, 3]), [Segment("t", "a", 1, 2)])
    cut.data[0][:] = 1

    assert not positions.any()


def test_take_selects_the_segments_of_one_take_of_a_table(tmp_path):
    table = read_segments(write(tmp_path, "labels.txt", TABLE))
    frame_ids = np.array([150, 170, 1650, 1686, 1700, 1750])

    cut = cut_segments(np.zeros((6, 1, 3)), frame_ids, table, take="s01_e02")

    assert cut.target.tolist() == ["walk", "pull", "push"]
    assert cut.groups.tolist() == ["s01_e02"] * 3
    assert [ids.tolist() for ids in cut.frame_ids] == [[170], [1650, 1686], [1686, 1700]]


def test_take_whose_segments_all_lack_a_range_cuts_nothing(tmp_path):
    with pytest.warns(UserWarning):
        table = read_segments(write(tmp_path, "t.txt", "a\nwalk: 1 2\nb\nwalk: NaN NaN\n"))

    cut = cut_segments(np.zeros((2, 1, 3)), np.array([1, 2]), table, take="b")

    assert cut.data == [] and cut.target.tolist() == [] and cut.groups.tolist() == []


def test_range_beyond_the_take_is_refused_naming_take_line_and_table(tmp_path):
    table = read_segments(write(tmp_path, "labels.txt", "s01_e01\nwave: 11 15\npoint: 16 25\n"))

    with pytest.raises(
        ValueError,
        match=r"segment 'point' of take 's01_e01' \(line 3 of '.*labels\.txt'\) spans frames "
        r"16-25, beyond the take, which has frame ids 10-20",
    ):
        cut_segments(np.zeros((3, 1, 3)), np.array([10, 15, 20]), table)


def test_range_starting_before_the_take_is_refused(tmp_path):
    table = read_segments(write(tmp_path, "labels.txt", "s01_e01\nwave: 5 15\n"))

    with pytest.raises(ValueError, match=r"'wave' of take 's01_e01' \(line 2 of .*10-20"):
        cut_segments(np.zeros((3, 1, 3)), np.array([10, 15, 20]), table)


def test_range_in_a_gap_of_the_take_is_refused(tmp_path):
    table = read_segments(write(tmp_path, "labels.txt", "s01_e01\nwave: 12 14\n"))

    with pytest.raises(
        ValueError,
        match=r"segment 'wave' of take 's01_e01' \(line 2 of .*\) spans frames 12-14, but the "
        r"take has no frame there: its frame ids jump from 10 to 15",
    ):
        cut_segments(np.zeros((3, 1, 3)), np.array([10, 15, 20]), table)


def test_hand_made_segment_ending_before_it_starts_is_refused():
    with pytest.raises(
        ValueError, match=r"segment 'wave' of take 't' ends at frame 1, before it starts at frame 2"
    ):
        cut_segments(np.zeros((3, 1, 3)), np.array([1, 2, 3]), [Segment("t", "wave", 2, 1)])


def test_hand_made_segment_without_a_range_is_refused():
    with pytest.raises(ValueError, match=r"segment 'wave' of take 't' \(line 4\) has no frame"):
        cut_segments(
            np.zeros((3, 1, 3)), np.array([1, 2, 3]), [Segment("t", "wave", None, None, 4)]
        )


def test_segments_of_several_takes_need_take(tmp_path):
    table = read_segments(write(tmp_path, "labels.txt", TABLE))

    with pytest.raises(ValueError, match=r"segments come from 2 takes \('s01_e01', 's01_e02'\)"):
        cut_segments(np.zeros((3, 1, 3)), np.array([1, 2, 3]), table)


def test_unknown_take_is_refused(tmp_path):
    table = read_segments(write(tmp_path, "labels.txt", TABLE))

    with pytest.raises(ValueError, match=r"take='s09_e01' is not a take of the segments"):
        cut_segments(np.zeros((3, 1, 3)), np.array([1, 2, 3]), table, take="s09_e01")


@pytest.mark.parametrize(
    ("positions", "frame_ids", "segments", "message"),
    [
        (np.zeros((3, 3)), [1, 2, 3], [], r"positions has shape \(3, 3\); expected"),
        (np.zeros((3, 1, 3)), [1, 2], [], r"frame_ids has shape \(2,\) but positions has 3"),
        (np.zeros((3, 1, 3)), [1.0, 2.0, 3.0], [], r"frame_ids has dtype float64; expected"),
        (np.zeros((3, 1, 3)), [1, 3, 2], [], r"frame_ids\[2\] = 2 comes after frame_ids\[1\]"),
        (np.zeros((3, 1, 3)), [1, 2, 3], [("t", "a", 1, 2)], r"segments\[0\] is tuple"),
    ],
)
def test_cut_segments_checks_its_arguments(positions, frame_ids, segments, message):
    with pytest.raises(ValueError, match=message):
        cut_segments(positions, np.array(frame_ids), segments)


def test_takes_and_table_to_a_grouped_dataset(tmp_path):
    """What a user with their own Kinect export writes: read the table, each take, cut."""
    take_file(tmp_path, [1, 2, 2, 3, 5, 6], "joints_a.txt")
    take_file(tmp_path, [4, 5, 6, 7], "joints_b.txt")
    table = read_segments(write(tmp_path, "labels.txt", "a\nup: 1 2\ndown: 5 6\nb\nup: 5 7\n"))

    data, target, groups = [], [], []
    for take in table.takes:
        recording = read_take(tmp_path / f"joints_{take}.txt")
        cut = cut_segments(recording.positions, recording.frame_ids, table, take=take)
        data += cut.data
        target += cut.target.tolist()
        groups += cut.groups.tolist()

    assert [len(segment) for segment in data] == [3, 2, 3]
    assert target == ["up", "down", "up"]
    assert groups == ["a", "a", "b"]


# The real data ---------------------------------------------------------------------------------


@pytest.mark.shared
def test_utkinect_cross_subject_split_through_the_benchmark_loader():
    if not (UTKINECT_DIR / "actionLabel.txt").is_file():
        pytest.skip("../shared/data/utkinect is not beside the repository")
    # Imported only here: the loader is a benchmark script, not part of the package.
    spec = importlib.util.spec_from_file_location(
        "utkinect", REPO_ROOT / "benchmarks" / "utkinect.py"
    )
    utkinect = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utkinect)

    with pytest.warns(UserWarning, match=r"line 215 \(s10_e02, carry\)"):
        dataset = utkinect.load_utkinect(UTKINECT_DIR)

    assert len(dataset.train.data) == len(dataset.train.target) == 100
    assert len(dataset.test.data) == len(dataset.test.target) == 99
    assert set(dataset.train.target) == set(dataset.test.target)
    assert len(set(dataset.train.target)) == 10
    assert set(dataset.train.groups) == {"s01", "s03", "s05", "s07", "s09"}
    assert set(dataset.test.groups) == {"s02", "s04", "s06", "s08", "s10"}
    segments = dataset.train.data + dataset.test.data
    assert {(segment.dtype, segment.shape[1:]) for segment in segments} == {
        (np.dtype(np.float32), (20, 3))
    }
    lengths = [len(segment) for segment in segments]
    assert (min(lengths), max(lengths)) == (5, 174)
    assert np.median(lengths) == 29
    assert dataset.joint_names == list(get_skeleton("kinect_v1").joint_names)
    assert dataset.skeleton is get_skeleton("kinect_v1")
    assert [(s.take, s.label) for s in dataset.missing] == [("s10_e02", "carry")]
