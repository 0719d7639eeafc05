"""Reading the CSV/TSV layouts of other exporters with read_mocap_csv (issue 22).

The writers below are written from the exporters' documented layouts (Vicon Nexus, OptiTrack
Motive, Qualisys QTM, one-row ``Hips_X`` headers), not from the reader nor from the package's
own writer: cells are decimal strings, and every value read back is compared with the float32
of the string written.
"""

import numpy as np
import pytest

from skgesture.io import read_mocap_csv

NAME_PARTS = ["Hips", "L Wrist", "R Knee", "head top", "Sub1:LASI", "chest", "toe", "RFHD"]


def random_names(rng, n_joints):
    """Distinct joint names, with spaces and colons, as exporters write them."""
    names = []
    while len(names) < n_joints:
        name = f"{rng.choice(NAME_PARTS)}{rng.integers(100)}"
        if name not in names:
            names.append(name)
    return names


def random_cells(rng, n_frames, n_joints, missing=0.0):
    """Coordinates as text (None: a blank cell) and their float32 values (NaN where blank)."""
    values = rng.uniform(-3000, 3000, size=(n_frames, n_joints, 3))
    cells = np.empty(values.shape, dtype=object)
    for index, value in np.ndenumerate(values):
        form = rng.integers(3)
        cells[index] = (
            f"{value:.3f}" if form == 0 else (f"{value:.6e}" if form == 1 else str(int(value)))
        )
    blank = rng.random(size=(n_frames, n_joints)) < missing
    cells[blank] = None
    expected = np.array(
        [np.nan if cell is None else float(cell) for cell in cells.ravel()]
    ).reshape(values.shape)
    return cells, expected.astype(np.float32)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def suffixed_text(names, cells, times, *, separator="_", upper=True, delimiter=",", order=None):
    """One header row ``Time,<name>_X,...``; ``order`` permutes the joint columns."""
    n_frames, n_joints, _ = cells.shape
    columns = [(joint, axis) for joint in range(n_joints) for axis in range(3)]
    if order is not None:
        columns = [columns[k] for k in order]
    header = ["Time"] + [
        f"{names[joint]}{separator}{'XYZ'[axis] if upper else 'xyz'[axis]}"
        for joint, axis in columns
    ]
    lines = [delimiter.join(header)]
    for frame in range(n_frames):
        row = [times[frame]] + [cells[frame, joint, axis] or "" for joint, axis in columns]
        lines.append(delimiter.join(row))
    return "\n".join(lines) + "\n"


def vicon_text(names, cells, first_frame, rate, *, units="mm"):
    """A Nexus export: a Devices section, the Trajectories section, a Model Outputs section."""
    n_frames, n_joints, _ = cells.shape
    devices = ["Devices", "1000", ",,Force Plate,,", "Frame,Sub Frame,Fx,Fy,Fz", ",,N,N,N"]
    devices += [f"{first_frame + f},{sub},0,0,{f}" for f in range(n_frames) for sub in range(2)]
    trajectories = [
        "Trajectories",
        str(rate),
        ",," + ",".join(f"{name},," for name in names),
        "Frame,Sub Frame," + ",".join(["X,Y,Z"] * n_joints),
        ",," + ",".join([units] * 3 * n_joints),
    ]
    for frame in range(n_frames):
        values = [cell or "" for cell in cells[frame].ravel()]
        trajectories.append(f"{first_frame + frame},0," + ",".join(values))
    outputs = ["Model Outputs", str(rate), ",,Sub:LKneeAngles,,", "Frame,Sub Frame,X,Y,Z"]
    outputs += [",,deg,deg,deg", f"{first_frame},0,1,2,3"]
    return "\n".join(devices + [""] + trajectories + [""] + outputs) + "\n"


# A Motive entity: (type, name, columns); columns are (component, axis) pairs.
RIGID_BODY = [("Rotation", a) for a in "XYZW"] + [("Position", a) for a in "XYZ"]
RIGID_BODY += [("Mean Marker Error", "")]
MARKER = [("Position", a) for a in "XYZ"]
RIGID_BODY_MARKER = MARKER + [("Marker Quality", "")]


def motive_text(entities, cells, times, *, rate=120, units="Millimeters", label_rows=True):
    """An OptiTrack Motive CSV export; ``cells`` holds the positions of each entity in turn."""
    n_frames = cells.shape[0]
    metadata = (
        f"Format Version,1.23,Take Name,Take 1,Capture Frame Rate,{rate},Export Frame Rate,"
        f"{rate},Total Exported Frames,{n_frames},Rotation Type,Quaternion,Length Units,"
        f"{units},Coordinate Space,Global"
    )
    types, names, ids, components, axes = [], [], [], [], []
    for number, (kind, name, columns) in enumerate(entities):
        for component, axis in columns:
            types.append(kind)
            names.append(name)
            ids.append(str(number + 1))
            components.append(component)
            axes.append(axis)
    labels = ["Type", "Name", "ID"] if label_rows else ["", "", ""]
    lines = [metadata, ""]
    for label, row in zip(labels, (types, names, ids)):
        lines.append(",".join(["", label, *row]))
    lines.append(",".join(["", "", *components]))
    lines.append(",".join(["Frame", "Time (Seconds)", *axes]))
    for frame in range(n_frames):
        row, joint = [str(frame), times[frame]], 0
        for _, _, columns in entities:
            for component, axis in columns:
                if component == "Position":
                    row.append(cells[frame, joint, "XYZ".index(axis)] or "")
                elif component == "Rotation":
                    row.append("0.5")
                else:
                    row.append("0.0001")
            joint += 1
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def qualisys_text(names, cells, times, *, rate=100, column_header=True):
    """A QTM TSV export of 3-D data, with or without the ``Frame Time <name> X ...`` row."""
    n_frames = cells.shape[0]
    lines = [
        f"NO_OF_FRAMES\t{n_frames}",
        "NO_OF_CAMERAS\t7",
        f"NO_OF_MARKERS\t{len(names)}",
        f"FREQUENCY\t{rate}",
        "NO_OF_ANALOG\t0",
        "ANALOG_FREQUENCY\t0",
        "DESCRIPTION\t--",
        "TIME_STAMP\t2014-06-17, 08:53:44.123\t912.56663253",
        "DATA_INCLUDED\t3D",
        "EVENT\tstart\t1\t0.000",
        "MARKER_NAMES\t" + "\t".join(names),
        "TRAJECTORY_TYPES\t" + "\t".join(["Measured"] * len(names)),
    ]
    if column_header:
        lines.append("\t".join(["Frame", "Time", *(f"{n} {a}" for n in names for a in "XYZ")]))
    for frame in range(n_frames):
        values = [cell or "" for cell in cells[frame].ravel()]
        lead = [str(frame + 1), times[frame]] if column_header else []
        lines.append("\t".join(lead + values))
    return "\n".join(lines) + "\n"


def time_cells(n_frames, rate=100):
    return [f"{frame / rate:.4f}" for frame in range(n_frames)]


@pytest.mark.parametrize("separator", ["_", ".", " ", ":"])
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_one_header_row_of_suffixed_names_reads_back_exactly(tmp_path, separator, upper, delimiter):
    rng = np.random.default_rng(len(separator + delimiter) + upper)
    names = random_names(rng, 5)
    cells, expected = random_cells(rng, 12, 5)
    times = time_cells(12)
    order = rng.permutation(15)  # columns in another order than x, y, z per joint
    text = suffixed_text(names, cells, times, separator=separator, upper=upper,
                         delimiter=delimiter, order=order)  # fmt: skip
    recording = read_mocap_csv(write(tmp_path, "take.csv", text))
    first_joints = list(dict.fromkeys(names[k // 3] for k in order))
    assert recording.joint_names == first_joints
    reorder = [names.index(name) for name in first_joints]
    np.testing.assert_array_equal(recording.positions, expected[:, reorder])
    np.testing.assert_array_equal(recording.times, [float(t) for t in times])
    assert recording.layout == "suffixed"
    assert recording.frame_ids is None and recording.frame_rate is None


def test_suffixed_names_with_frame_and_time_columns_and_missing_cells(tmp_path):
    rng = np.random.default_rng(3)
    names = random_names(rng, 3)
    cells, expected = random_cells(rng, 20, 3, missing=0.2)
    header = "Frame;Time (s);" + ";".join(f"{n}.{a}" for n in names for a in "xyz")
    lines = [header] + [
        f"{100 + f};{f / 50};" + ";".join(c or "" for c in cells[f].ravel()) for f in range(20)
    ]
    path = write(tmp_path, "take.csv", "\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="missing values .* Pass missing='interpolate'"):
        read_mocap_csv(path)
    recording = read_mocap_csv(path, missing="drop")
    complete = ~np.isnan(expected).any(axis=(1, 2))
    np.testing.assert_array_equal(recording.positions, expected[complete])
    np.testing.assert_array_equal(recording.frame_ids, 100 + np.flatnonzero(complete))


def test_vicon_trajectories_are_read_from_among_the_sections(tmp_path):
    rng = np.random.default_rng(4)
    names = [f"Subject 1:{name}" for name in random_names(rng, 4)]
    cells, expected = random_cells(rng, 15, 4, missing=0.1)
    path = write(tmp_path, "walk.csv", vicon_text(names, cells, first_frame=31, rate=100))
    recording = read_mocap_csv(path, missing="drop")
    complete = ~np.isnan(expected).any(axis=(1, 2))
    assert recording.layout == "vicon"
    assert recording.joint_names == names
    np.testing.assert_array_equal(recording.positions, expected[complete])
    frames = 31 + np.flatnonzero(complete)
    np.testing.assert_array_equal(recording.frame_ids, frames)
    np.testing.assert_array_equal(recording.times, (frames - 1) / 100)
    assert (recording.frame_rate, recording.units) == (100.0, "mm")


def test_motive_positions_are_joints_and_rotations_are_left_out(tmp_path):
    rng = np.random.default_rng(5)
    entities = [
        ("Rigid Body", "Wand", RIGID_BODY),
        ("Rigid Body Marker", "Wand:Marker 1", RIGID_BODY_MARKER),
        ("Bone", "Skeleton:Hip", RIGID_BODY),
        ("Marker", "Unlabeled 1000", MARKER),
    ]
    cells, expected = random_cells(rng, 10, 4, missing=0.1)
    times = time_cells(10, rate=120)
    path = write(tmp_path, "take.csv", motive_text(entities, cells, times))
    recording = read_mocap_csv(path, missing="drop")
    complete = ~np.isnan(expected).any(axis=(1, 2))
    assert recording.layout == "motive"
    assert recording.joint_names == [name for _, name, _ in entities]
    assert recording.joint_types == [kind for kind, _, _ in entities]
    np.testing.assert_array_equal(recording.positions, expected[complete])
    np.testing.assert_array_equal(recording.times, np.array(times, dtype=float)[complete])
    assert (recording.frame_rate, recording.units) == (120.0, "mm")


def test_motive_without_row_labels_and_a_name_shared_by_two_types(tmp_path):
    rng = np.random.default_rng(6)
    entities = [("Bone Marker", "Skeleton:LFHD", MARKER), ("Marker", "Skeleton:LFHD", MARKER)]
    cells, expected = random_cells(rng, 6, 2)
    text = motive_text(entities, cells, time_cells(6), units="Meters", label_rows=False)
    recording = read_mocap_csv(write(tmp_path, "take.csv", text))
    assert recording.joint_names == ["Skeleton:LFHD (Bone Marker)", "Skeleton:LFHD (Marker)"]
    np.testing.assert_array_equal(recording.positions, expected)
    assert recording.units == "m"


@pytest.mark.parametrize("column_header", [True, False])
def test_qualisys_tsv_reads_back_exactly(tmp_path, column_header):
    rng = np.random.default_rng(7)
    names = random_names(rng, 3)
    cells, expected = random_cells(rng, 8, 3)
    times = time_cells(8, rate=100)
    text = qualisys_text(names, cells, times, column_header=column_header)
    recording = read_mocap_csv(write(tmp_path, "walk.tsv", text))
    assert recording.layout == "qualisys"
    assert recording.joint_names == names
    np.testing.assert_array_equal(recording.positions, expected)
    np.testing.assert_allclose(recording.times, np.arange(8) / 100, atol=1e-12)
    assert (recording.frame_rate, recording.units) == (100.0, "mm")
    if column_header:
        np.testing.assert_array_equal(recording.frame_ids, np.arange(1, 9))


def test_the_layout_can_be_forced_and_mocaplab_files_keep_their_keys(tmp_path):
    mocaplab = write(tmp_path, "a.csv", "Frame;Time;hips;hips;hips\n;;X;Y;Z\n1;0.0;1;2;3\n")
    recording = read_mocap_csv(mocaplab)
    assert "layout" not in recording and recording.joint_names == ["hips"]
    with pytest.raises(ValueError, match="Vicon Nexus export without a Trajectories section"):
        read_mocap_csv(mocaplab, layout="vicon")
    with pytest.raises(ValueError, match="layout must be one of"):
        read_mocap_csv(mocaplab, layout="nexus")


def header_error(tmp_path, header, match, frame="0.0,1,2,3,4,5,6"):
    path = write(tmp_path, "take.csv", header + "\n" + frame + "\n")
    with pytest.raises(ValueError, match=match):
        read_mocap_csv(path)


def test_a_joint_lacking_a_coordinate_is_named(tmp_path):
    header_error(
        tmp_path,
        "Time,Hips_X,Hips_Y,Head_X,Head_Y,Head_Z,Neck_X",
        r"line 1, column 2: joint 'Hips' has no z column \(its columns: 2, 3\)",
    )


def test_a_coordinate_written_twice_is_named(tmp_path):
    header_error(
        tmp_path,
        "Time,Hips_X,Hips_Y,Hips_Z,Hips_x,Head_X,Head_Y",
        r"column 5: 'Hips_x' is the x of joint 'Hips' a second time \(first in column 2\)",
    )


def test_suffix_styles_mixed_within_a_joint_are_ambiguous(tmp_path):
    header_error(
        tmp_path,
        "Time,Hips_X,Hips.Y,Hips_Z",
        r"column 3: 'Hips.Y' writes joint 'Hips' with the separator '\.', but column 2",
        frame="0.0,1,2,3",
    )


def test_a_two_dimensional_keypoint_table_points_to_read_keypoints(tmp_path):
    path = write(tmp_path, "pose.csv", "frame,nose_x,nose_y,eye_x,eye_y\n0,1,2,3,4\n")
    with pytest.raises(ValueError, match="2-D keypoints .* read_keypoints"):
        read_mocap_csv(path, layout="suffixed")


def test_an_unknown_leading_column_is_named(tmp_path):
    path = write(tmp_path, "take.csv", "Subject,Hips_X,Hips_Y,Hips_Z\nanna,1,2,3\n")
    with pytest.raises(ValueError, match="line 1, column 1: 'Subject' is not a joint coordinate"):
        read_mocap_csv(path, layout="suffixed")


def test_a_bad_cell_is_named_by_its_column_in_the_file(tmp_path):
    path = write(tmp_path, "take.csv", "Time,Hips_Z,Hips_Y,Hips_X\n0.0,1,abc,3\n")
    with pytest.raises(
        ValueError, match=r"line 2, column 3: 'abc' in column 3 \(joint 'Hips', y\)"
    ):
        read_mocap_csv(path)


def test_a_frame_with_a_missing_field_is_refused(tmp_path):
    path = write(tmp_path, "take.csv", "Time,Hips_X,Hips_Y,Hips_Z\n0.0,1,2,3\n0.1,1,2\n")
    with pytest.raises(ValueError, match="line 3: has 3 fields but the header names 4 columns"):
        read_mocap_csv(path)


def test_first_column_does_not_apply_to_labelled_layouts(tmp_path):
    path = write(tmp_path, "take.csv", "Time,Hips_X,Hips_Y,Hips_Z\n0.0,1,2,3\n")
    with pytest.raises(ValueError, match="first_column='frame' applies to MocapLab"):
        read_mocap_csv(path, first_column="frame")


def test_a_vicon_frame_rate_that_is_not_a_number_is_refused(tmp_path):
    rng = np.random.default_rng(8)
    text = vicon_text(["A", "B"], random_cells(rng, 3, 2)[0], first_frame=1, rate=100)
    path = write(tmp_path, "walk.csv", text.replace("Trajectories\n100\n", "Trajectories\n-5\n"))
    with pytest.raises(ValueError, match=r"line \d+, column 1: '-5' is not a frame rate"):
        read_mocap_csv(path)


def test_a_vicon_marker_without_its_z_column_is_named(tmp_path):
    text = (
        "Trajectories\n100\n,,A,,B,,\nFrame,Sub Frame,X,Y,X,Y,Z\n,,mm,mm,mm,mm,mm\n1,0,1,2,3,4,5\n"
    )
    with pytest.raises(ValueError, match="line 4, column 3: joint 'A' has no Z column"):
        read_mocap_csv(write(tmp_path, "walk.csv", text))


def test_a_motive_export_of_rotations_only_is_refused(tmp_path):
    text = motive_text([("Bone", "Hip", [("Rotation", a) for a in "XYZW"])], np.empty((2, 0, 3)),
                       time_cells(2))  # fmt: skip
    with pytest.raises(ValueError, match="has no Position column"):
        read_mocap_csv(write(tmp_path, "take.csv", text))


def test_a_qualisys_export_of_2d_data_is_refused(tmp_path):
    text = qualisys_text(["A"], np.full((2, 1, 3), "1", dtype=object), time_cells(2))
    path = write(tmp_path, "walk.tsv", text.replace("DATA_INCLUDED\t3D", "DATA_INCLUDED\t2D"))
    with pytest.raises(ValueError, match="line 9: holds 2D data"):
        read_mocap_csv(path)


def test_qualisys_columns_must_match_marker_names(tmp_path):
    text = qualisys_text(["A", "B"], np.full((2, 2, 3), "1", dtype=object), time_cells(2))
    path = write(tmp_path, "walk.tsv", text.replace("MARKER_NAMES\tA\tB", "MARKER_NAMES\tA\tC"))
    with pytest.raises(ValueError, match=r"line 13: the columns name the markers \['A', 'B'\]"):
        read_mocap_csv(path)


def test_a_headerless_qualisys_frame_of_the_wrong_width_is_refused(tmp_path):
    text = qualisys_text(["A", "B"], np.full((2, 2, 3), "1", dtype=object), time_cells(2),
                         column_header=False)  # fmt: skip
    path = write(tmp_path, "walk.tsv", text.replace("1\t1\t1\t1\t1\t1\n", "1\t1\t1\t1\t1\n", 1))
    with pytest.raises(ValueError, match="line 13: has 5 fields; MARKER_NAMES lists 2 markers"):
        read_mocap_csv(path)


def test_motive_and_qualisys_headers_after_blank_lines_are_read(tmp_path):
    # The layout is detected at the first non-blank line; the header must be read from there.
    rng = np.random.default_rng(8)
    cells, expected = random_cells(rng, 4, 1)
    motive = motive_text([("Marker", "Hips", MARKER)], cells, time_cells(4, rate=120))
    recording = read_mocap_csv(write(tmp_path, "take.csv", "\n\n" + motive))
    np.testing.assert_array_equal(recording.positions, expected)
    assert (recording.layout, recording.frame_rate, recording.units) == ("motive", 120.0, "mm")

    qualisys = qualisys_text(["Hips"], cells, time_cells(4, rate=100))
    recording = read_mocap_csv(write(tmp_path, "walk.tsv", "\n" + qualisys))
    np.testing.assert_array_equal(recording.positions, expected)
    assert (recording.layout, recording.frame_rate) == ("qualisys", 100.0)
