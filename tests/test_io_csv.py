"""Reading and writing MocapLab CSV recordings (skgesture.io.read_mocap_csv, write_mocap_csv)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skgesture.io import read_mocap_csv, write_mocap_csv
from skgesture.utils.validation import check_recordings

N_JOINTS = 79
N_FRAMES = 100
JOINT_NAMES = ["abdomenUpper_T_glob", "chestLower_T_glob"] + [
    f"joint{k:02d}_T_glob" for k in range(2, N_JOINTS)
]


def paper_recording(seed=0, n_frames=N_FRAMES, n_joints=N_JOINTS):
    """Positions as the decimal text MocapLab writes (3 decimals), and their exact values."""
    rng = np.random.default_rng(seed)
    millimetres = rng.integers(-20000, 20000, size=(n_frames, n_joints, 3))
    cells = np.char.mod("%.3f", millimetres / 1000)
    frames = 2272 + np.arange(n_frames)
    times = [f"{frame / 25:.3f}" for frame in frames]
    return cells, frames, times


def format_paper_csv(
    cells,
    frames,
    times,
    names,
    *,
    delimiter=";",
    decimal=".",
    newline="\n",
    header="paper",
    frame_column=True,
):
    """An independent writer of the paper's layout, by plain string formatting.

    ``header``: "paper" (names row with Frame;Time, then an X;Y;Z row), "names" (the names row
    only), "xyz" (the X;Y;Z row only), "figure9" (3 rows: Frame;Time(s) and joint indices,
    names, X;Y;Z, as in the paper's Figure 9) or "none".
    """
    n_joints = cells.shape[1]
    lead = ["Frame", "Time"] if frame_column else ["Time"]
    blank_lead = [""] * len(lead)
    names_row = lead + [name for name in names or [] for _ in range(3)]
    xyz_row = blank_lead + ["X", "Y", "Z"] * n_joints
    index_row = ["Frame", "Time(s)"][-len(lead) :] + [
        cell for joint in range(n_joints) for cell in (str(joint), "", "")
    ]
    rows = {
        "paper": [names_row, xyz_row],
        "names": [names_row],
        "xyz": [lead + ["X", "Y", "Z"] * n_joints],
        "figure9": [index_row, blank_lead + names_row[len(lead) :], xyz_row],
        "none": [],
    }[header]
    for frame, time, frame_cells in zip(frames, times, cells.reshape(len(cells), -1)):
        values = [f"{frame:.3f}", time] if frame_column else [time]
        rows.append(values + [cell.replace(".", decimal) for cell in frame_cells])
    return newline.join(delimiter.join(row) for row in rows) + newline


def expected_positions(cells):
    return cells.astype(np.float64).astype(np.float32)


VARIANTS = {
    "paper layout": {},
    "decimal comma": {"decimal": ","},
    "CRLF": {"newline": "\r\n"},
    "tab delimiter": {"delimiter": "\t"},
    "tab and decimal comma": {"delimiter": "\t", "decimal": ","},
    "comma delimiter": {"delimiter": ","},
    "one header row of names": {"header": "names"},
    "three header rows (Figure 9)": {"header": "figure9"},
    "no frame column": {"frame_column": False},
    "no frame column, three header rows": {"frame_column": False, "header": "figure9"},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_reads_independently_written_paper_layouts_exactly(tmp_path, variant):
    cells, frames, times = paper_recording()
    path = tmp_path / "Avion.csv"
    path.write_bytes(
        format_paper_csv(cells, frames, times, JOINT_NAMES, **VARIANTS[variant]).encode()
    )

    recording = read_mocap_csv(path)

    assert recording.positions.dtype == np.float32
    assert recording.positions.shape == (N_FRAMES, N_JOINTS, 3)
    np.testing.assert_array_equal(recording.positions, expected_positions(cells))
    assert recording.times.dtype == np.float64
    np.testing.assert_array_equal(recording.times, np.array(times, dtype=np.float64))
    assert recording.joint_names == JOINT_NAMES
    assert recording.filename == str(path)


@pytest.mark.parametrize("header", ["none", "xyz"])
def test_joints_without_a_names_row_are_numbered(tmp_path, header):
    cells, frames, times = paper_recording(n_frames=5, n_joints=4)
    path = tmp_path / "anonymous.csv"
    path.write_text(format_paper_csv(cells, frames, times, None, header=header))

    recording = read_mocap_csv(path)

    assert recording.joint_names == ["joint_0", "joint_1", "joint_2", "joint_3"]
    np.testing.assert_array_equal(recording.positions, expected_positions(cells))


def test_utf8_byte_order_mark_is_not_part_of_the_first_cell(tmp_path):
    cells, frames, times = paper_recording(n_frames=10)
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + format_paper_csv(cells, frames, times, JOINT_NAMES).encode())

    recording = read_mocap_csv(path)

    np.testing.assert_array_equal(recording.positions, expected_positions(cells))
    assert recording.joint_names == JOINT_NAMES


def test_cp1252_joint_names_with_decimal_commas_and_crlf(tmp_path):
    names = ["épaule_G", "tête", "poignet_D"]
    cells, frames, times = paper_recording(n_frames=12, n_joints=3)
    text = format_paper_csv(cells, frames, times, names, decimal=",", newline="\r\n")
    path = tmp_path / "Café.csv"
    path.write_bytes(text.encode("cp1252"))

    recording = read_mocap_csv(path)

    assert recording.joint_names == names
    np.testing.assert_array_equal(recording.positions, expected_positions(cells))


def test_utf16_with_byte_order_mark_as_excel_saves_unicode_text(tmp_path):
    cells, frames, times = paper_recording(n_frames=4, n_joints=2)
    path = tmp_path / "unicode.txt"
    path.write_bytes(
        format_paper_csv(cells, frames, times, ["hanche", "tête"], delimiter="\t").encode("utf-16")
    )

    recording = read_mocap_csv(path)

    assert recording.joint_names == ["hanche", "tête"]
    np.testing.assert_array_equal(recording.positions, expected_positions(cells))


def test_delimiter_at_the_end_of_every_line_is_ignored(tmp_path):
    cells, frames, times = paper_recording(n_frames=6, n_joints=3)
    text = format_paper_csv(cells, frames, times, ["a", "b", "c"], newline=";\n")
    path = tmp_path / "trailing.csv"
    path.write_text(text)

    recording = read_mocap_csv(path)

    assert recording.joint_names == ["a", "b", "c"]
    np.testing.assert_array_equal(recording.positions, expected_positions(cells))


def test_result_is_a_valid_recording_for_the_rest_of_the_package(tmp_path):
    cells, frames, times = paper_recording(n_frames=8, n_joints=5)
    path = tmp_path / "a.csv"
    path.write_text(format_paper_csv(cells, frames, times, list("abcde")))

    recording = read_mocap_csv(path).positions

    checked = check_recordings([recording])
    assert checked.layout == "list"
    assert checked.data[0].shape == (8, 5, 3)


# Missing values ------------------------------------------------------------------------------

MISSING_CSV = (
    "Frame;Time;hips;hips;hips;hand_R;hand_R;hand_R\n"
    ";;X;Y;Z;X;Y;Z\n"
    "0;0.0;1;2;3;10;20;30\n"
    "1;0.1;1;2;3;;21;31\n"
    "2;0.2;1;2;NaN;;22;32\n"
    "3;0.4;1;2;3;16;23;33\n"
    "4;0.5;1;2;3;17;;34\n"
)


@pytest.fixture
def missing_csv(tmp_path):
    path = tmp_path / "occluded.csv"
    path.write_text(MISSING_CSV)
    return path


def test_missing_values_raise_by_default_naming_joints_and_frames(missing_csv):
    with pytest.raises(
        ValueError,
        match=r"occluded\.csv'.*4 missing values .* in 2 joints: 'hips' in frame 2 \(line 5\); "
        r"'hand_R' in frames 1-2, 4 \(lines 4-5, 7\)",
    ):
        read_mocap_csv(missing_csv)


def test_interpolate_is_linear_in_time_and_holds_the_edges(missing_csv):
    positions = read_mocap_csv(missing_csv, missing="interpolate").positions

    hand_x = positions[:, 1, 0]
    # Frames 1 and 2 (t = 0.1, 0.2) lie between t = 0.0 (10) and t = 0.4 (16).
    np.testing.assert_allclose(hand_x, [10, 11.5, 13, 16, 17], rtol=1e-6)
    assert positions[2, 0, 2] == 3  # NaN between two 3s
    assert positions[4, 1, 1] == 23  # the last frame holds the last valid value
    assert not np.isnan(positions).any()


def test_interpolate_holds_the_first_valid_value_before_it(tmp_path):
    path = tmp_path / "late_start.csv"
    path.write_text("Time;a;a;a\n0;;0;0\n1;;0;0\n2;5;0;0\n3;7;0;0\n")

    positions = read_mocap_csv(path, missing="interpolate").positions

    np.testing.assert_array_equal(positions[:, 0, 0], [5, 5, 5, 7])


def test_drop_removes_frames_with_any_missing_value(missing_csv):
    recording = read_mocap_csv(missing_csv, missing="drop")

    np.testing.assert_array_equal(recording.times, [0.0, 0.4])
    np.testing.assert_array_equal(recording.positions[:, 1], [[10, 20, 30], [16, 23, 33]])


def test_missing_values_never_become_zeros(missing_csv):
    for policy in ("interpolate", "drop"):
        positions = read_mocap_csv(missing_csv, missing=policy).positions
        assert (positions != 0).all(), policy


def test_interpolate_refuses_a_joint_missing_in_every_frame(tmp_path):
    path = tmp_path / "lost_marker.csv"
    path.write_text("Time;a;a;a;b;b;b\n0;1;2;3;;5;6\n1;1;2;3;;5;6\n")

    with pytest.raises(ValueError, match=r"lost_marker\.csv'.*every frame.*'b' \(x\)"):
        read_mocap_csv(path, missing="interpolate")


def test_drop_refuses_when_no_frame_is_left(tmp_path):
    path = tmp_path / "all_gaps.csv"
    path.write_text("Time;a;a;a\n0;;2;3\n1;1;;3\n")

    with pytest.raises(ValueError, match=r"all_gaps\.csv'.*every one of its 2 frames"):
        read_mocap_csv(path, missing="drop")


def test_interpolate_needs_increasing_times(tmp_path):
    path = tmp_path / "time_loop.csv"
    path.write_text("Time;a;a;a\n0;1;2;3\n0.5;;2;3\n0.5;1;2;3\n")

    with pytest.raises(ValueError, match=r"time_loop\.csv', line 4, column 1: time 0\.5"):
        read_mocap_csv(path, missing="interpolate")


@pytest.mark.parametrize("missing", ["zeros", None, "RAISE"])
def test_unknown_missing_policy_is_refused(missing_csv, missing):
    with pytest.raises(ValueError, match="missing must be one of 'raise', 'interpolate'"):
        read_mocap_csv(missing_csv, missing=missing)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_mocap_csv(tmp_path / "absent.csv")


def test_whitespace_only_cell_is_a_missing_value(tmp_path):
    path = tmp_path / "spaces.csv"
    path.write_text("Time;a;a;a\n0;1; ;3\n")

    with pytest.raises(ValueError, match=r"spaces\.csv'.*1 missing value \("):
        read_mocap_csv(path)


def test_error_shows_the_cell_as_written_with_decimal_commas(tmp_path):
    path = tmp_path / "virgule.csv"
    path.write_text("Frame;Time;a;a;a\n0;0,0;1,5;2,5x;3\n")

    with pytest.raises(ValueError, match=r"line 2, column 4: '2,5x' in column 4 \(joint 'a', y\)"):
        read_mocap_csv(path)


# Writing -------------------------------------------------------------------------------------


def test_writes_the_documented_layout(tmp_path):
    positions = np.array([[[0.5, -1.0, 2.25]], [[np.nan, 1e-3, 3.0]]], dtype=np.float32)

    path = write_mocap_csv(tmp_path / "one_joint.csv", positions, ["hips"], frame_rate=50)

    assert path.read_bytes() == (
        b"Frame;Time;hips;hips;hips\n;;X;Y;Z\n0;0.0;0.5;-1;2.25\n1;0.02;;0.00100000005;3\n"
    )


def test_round_trip_is_exact_for_the_paper_shape(tmp_path):
    rng = np.random.default_rng(1)
    positions = (rng.normal(size=(N_FRAMES, N_JOINTS, 3)) * 100).astype(np.float32)
    times = np.cumsum(rng.random(N_FRAMES))

    path = write_mocap_csv(tmp_path / "paper.csv", positions, JOINT_NAMES, times)
    recording = read_mocap_csv(path)

    assert recording.positions.tobytes() == positions.tobytes()
    np.testing.assert_array_equal(recording.times, times)
    assert recording.joint_names == JOINT_NAMES


def test_nan_is_written_as_a_blank_cell_and_read_back_as_missing(tmp_path):
    positions = np.ones((4, 2, 3), dtype=np.float32)
    positions[1, 1, 2] = np.nan

    path = write_mocap_csv(tmp_path / "gap.csv", positions)

    assert path.read_text().splitlines()[3] == "1;0.01;1;1;1;1;1;"
    with pytest.raises(ValueError, match=r"'joint_1' in frame 1 \(line 4\)"):
        read_mocap_csv(path)
    np.testing.assert_array_equal(read_mocap_csv(path, missing="interpolate").positions, 1)


def test_default_times_follow_the_frame_rate(tmp_path):
    path = write_mocap_csv(tmp_path / "rate.csv", np.zeros((5, 1, 3)), frame_rate=25)

    np.testing.assert_array_equal(read_mocap_csv(path).times, np.arange(5) / 25)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"positions": np.zeros((4, 6))}, r"positions has shape \(4, 6\); expected"),
        ({"positions": np.zeros((4, 2, 2))}, r"positions has shape \(4, 2, 2\)"),
        ({"positions": np.zeros((0, 2, 3))}, "at least one frame and one joint"),
        ({"positions": np.full((2, 2, 3), "a")}, "positions has dtype <U1; expected real"),
        ({"joint_names": ["a"]}, "joint_names has 1 names but positions has 2 joints"),
        ({"joint_names": "ab"}, "joint_names must be a list of strings"),
        ({"joint_names": ["a", "a"]}, r"joint_names\[0\] and joint_names\[1\] are both 'a'"),
        ({"joint_names": ["a", "b;c"]}, r"joint_names\[1\] is 'b;c'"),
        ({"joint_names": ["a", " b"]}, r"joint_names\[1\] is ' b'"),
        ({"joint_names": ["", "b"]}, r"joint_names\[0\] is ''"),
        ({"joint_names": ["a", "b\x01"]}, r"joint_names\[1\] is 'b\\x01'"),
        ({"joint_names": ["y", "b"]}, r"joint_names\[0\] is 'y'.*coordinate label"),
        ({"joint_names": ["a", 3]}, r"joint_names\[1\] is 3; joint names are strings"),
        ({"times": [0.0, 1.0]}, r"times has shape \(2,\) but positions has 3 frames"),
        ({"times": [0.0, np.nan, 1.0]}, r"times\[1\] is nan; times must be finite"),
        ({"frame_rate": 0}, "frame_rate must be a positive finite number; got 0"),
        ({"frame_rate": float("inf")}, "frame_rate must be a positive finite number"),
        ({"frame_rate": "100"}, "frame_rate must be a positive finite number; got '100'"),
    ],
)
def test_write_validates_its_arguments(tmp_path, arguments, message):
    kwargs = {"positions": np.zeros((3, 2, 3))} | arguments
    path = tmp_path / "refused.csv"

    with pytest.raises(ValueError, match=message):
        write_mocap_csv(path, **kwargs)
    assert not path.exists()


def test_write_refuses_infinite_positions(tmp_path):
    positions = np.zeros((3, 2, 3))
    positions[2, 1, 0] = 1e39  # beyond float32

    with pytest.raises(ValueError, match=r"positions\[2, 1, 0\] is infinite"):
        write_mocap_csv(tmp_path / "inf.csv", positions)


joint_name = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S"), exclude_characters=';"'),
    min_size=1,
    max_size=6,
).filter(lambda name: name.upper() not in ("X", "Y", "Z"))


@st.composite
def recordings(draw):
    n_frames = draw(st.integers(1, 6))
    n_joints = draw(st.integers(1, 4))
    positions = draw(
        hnp.arrays(
            np.float32,
            (n_frames, n_joints, 3),
            elements=st.floats(width=32, allow_nan=False, allow_infinity=False),
        )
    )
    names = draw(
        st.none() | st.lists(joint_name, min_size=n_joints, max_size=n_joints, unique=True)
    )
    times = draw(
        st.none()
        | hnp.arrays(
            np.float64, n_frames, elements=st.floats(allow_nan=False, allow_infinity=False)
        )
    )
    return positions, names, times


@settings(max_examples=30, deadline=None)
@given(recording=recordings())
def test_write_then_read_round_trips_exactly(tmp_path_factory, recording):
    positions, names, times = recording
    path = tmp_path_factory.mktemp("round_trip") / "recording.csv"

    result = read_mocap_csv(write_mocap_csv(path, positions, names, times))

    assert result.positions.tobytes() == positions.tobytes()
    expected_times = times if times is not None else np.arange(len(positions)) / 100.0
    assert result.times.tobytes() == expected_times.astype(np.float64).tobytes()
    assert result.joint_names == (
        names if names is not None else [f"joint_{k}" for k in range(positions.shape[1])]
    )


CELLS = st.sampled_from(
    ["", " ", "a", "X", "Y", "Z", "0", "1", "2.5", "1,5", "nan", "inf", "Frame", "Time", '"', "é"]
)


@st.composite
def tables(draw):
    """Small tables of plausible and implausible cells, sometimes ragged."""
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    n_columns = draw(st.integers(1, 8))
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=n_columns, max_size=n_columns) | st.lists(CELLS, max_size=9),
            max_size=6,
        )
    )
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(delimiter.join(row) for row in rows) + newline


@settings(max_examples=30, deadline=None)
@given(table=tables(), missing=st.sampled_from(["raise", "interpolate", "drop"]))
def test_any_table_is_read_as_a_recording_or_refused_naming_the_file(
    tmp_path_factory, table, missing
):
    path = tmp_path_factory.mktemp("fuzz") / "table.csv"
    path.write_text(table, encoding="utf-8")

    try:
        recording = read_mocap_csv(path, missing=missing)
    except ValueError as error:
        assert str(error).startswith(repr(str(path)))
        return
    n_frames, n_joints, n_coords = recording.positions.shape
    assert n_frames == len(recording.times) >= 1
    assert n_joints == len(set(recording.joint_names)) == len(recording.joint_names) >= 1
    assert n_coords == 3
    assert np.isfinite(recording.positions).all() and np.isfinite(recording.times).all()
