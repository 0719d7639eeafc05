"""An independent check of skgesture.io against files written the way MocapLab and Excel write them.

The generator below is written from the paper's description of its data (Figure 9 and the
layout notes), not from the reader: cells are decimal strings in the forms real exports hold
(many decimals, negative numbers, ``1.5e-05``, bare integers), and every value the reader
returns is compared with the float32 (positions) or float64 (times) of the string written.
"""

import unicodedata
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skgesture.datasets import load_sample_mocap
from skgesture.io import load_mocap_folder, read_labels, read_mocap_csv
from skgesture.preprocessing import Flattener, SkeletonPadder

N_JOINTS = 79
# The paper's first two joints, then names in the same style, some with accents so that a
# cp1252 export has bytes outside ASCII.
JOINT_NAMES = ["abdomenUpper_T_glob", "chestLower_T_glob"] + [
    f"{side}{part}{copy or ''}_T_glob"
    for copy in (0, 2)
    for part in ("épaule", "coude", "poignet", "genou", "tête", "hanche", "pouce", "index")
    for side in ("gauche_", "droite_", "centre_", "arrière_", "avant_")
][: N_JOINTS - 2]
assert len(set(JOINT_NAMES)) == N_JOINTS


def decimal_cells(rng, shape):
    """Coordinates written as text in the varied forms an export can hold.

    Returns the cells (with ``.`` as decimal separator) and the float32 value of each.
    """
    forms = rng.integers(0, 6, size=shape)
    magnitudes = rng.uniform(-2000, 2000, size=shape)
    cells = np.empty(shape, dtype=object)
    for index, form in np.ndenumerate(forms):
        value = magnitudes[index]
        if form == 0:  # the paper's 3 decimals
            text = f"{value / 100:.3f}"
        elif form == 1:  # many decimals
            text = f"{value:.12f}"
        elif form == 2:  # scientific notation, lower and upper case
            text = f"{value * 1e-7:.6e}" if index[-1] % 2 else f"{value * 1e5:.4E}"
        elif form == 3:  # a bare integer
            text = str(int(value))
        elif form == 4:  # tiny values near zero
            text = f"{value * 1e-8:.3e}"
        else:  # float repr, shortest round trip
            text = repr(float(np.float32(value / 7)))
        cells[index] = text
    expected = np.array([float(cell) for cell in cells.ravel()], dtype=np.float64)
    return cells, expected.astype(np.float32).reshape(shape)


def mocap_text(
    cells,
    times,
    names,
    *,
    delimiter=";",
    decimal_comma=False,
    header_rows=2,
    frame_column=True,
    first_frame=2272,
    newline="\n",
):
    """The text of a MocapLab export: header rows, then ``Frame;Time;x;y;z;...`` per frame.

    ``cells`` has shape (n_frames, n_joints, 3) of strings; ``None`` cells are left blank.
    ``header_rows``: 1 (joint names with Frame and Time), 2 (the paper's names and X, Y, Z) or 3
    (Figure 9: frame and time labels over joint indices, then names, then X, Y, Z).
    """
    n_frames, n_joints, _ = cells.shape
    lead_labels = ["Frame", "Time"] if frame_column else ["Time"]
    lead_blanks = [""] * len(lead_labels)
    repeated_names = [name for name in names for _ in range(3)]
    xyz = ["X", "Y", "Z"] * n_joints
    if header_rows == 1:
        header = [lead_labels + repeated_names]
    elif header_rows == 2:
        header = [lead_labels + repeated_names, lead_blanks + xyz]
    else:
        indices = []
        for joint in range(n_joints):
            indices += [str(joint), "", ""]
        time_label = ["Frame", "Time(s)"] if frame_column else ["Time(s)"]
        header = [time_label + indices, lead_blanks + repeated_names, lead_blanks + xyz]

    def number(text):
        return text.replace(".", ",") if decimal_comma else text

    lines = [delimiter.join(row) for row in header]
    for frame in range(n_frames):
        lead = [number(times[frame])]
        if frame_column:
            lead.insert(0, number(f"{first_frame + frame}.000"))
        values = ["" if cell is None else number(cell) for cell in cells[frame].ravel()]
        lines.append(delimiter.join(lead + values))
    return newline.join(lines) + newline


def time_cells(n_frames, start=90.88, step=0.04):
    times = [f"{start + step * frame:.3f}" for frame in range(n_frames)]
    return times, np.array([float(time) for time in times])


VARIANTS = {
    "paper: ';', 2 header rows, UTF-8": dict(),
    "decimal comma": dict(decimal_comma=True),
    "CRLF": dict(newline="\r\n"),
    "CR only (old Mac)": dict(newline="\r"),
    "UTF-8 with BOM": dict(encoding="utf-8-sig"),
    "cp1252 accented names": dict(encoding="cp1252"),
    "cp1252, CRLF and decimal comma": dict(encoding="cp1252", newline="\r\n", decimal_comma=True),
    "tab delimiter": dict(delimiter="\t"),
    "tab delimiter and decimal comma": dict(delimiter="\t", decimal_comma=True),
    "',' delimiter, decimal point": dict(delimiter=","),
    "1 header row": dict(header_rows=1),
    "3 header rows (Figure 9)": dict(header_rows=3),
    "3 header rows, no frame column": dict(header_rows=3, frame_column=False),
    "no frame column (3n+1)": dict(frame_column=False),
    "UTF-16 with BOM, tab (Excel 'Unicode text')": dict(encoding="utf-16", delimiter="\t"),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_independently_written_exports_are_read_back_exactly(tmp_path, variant):
    options = dict(VARIANTS[variant])
    encoding = options.pop("encoding", "utf-8")
    rng = np.random.default_rng(len(variant))
    n_frames = 37
    cells, expected = decimal_cells(rng, (n_frames, N_JOINTS, 3))
    times, expected_times = time_cells(n_frames)
    path = tmp_path / "Avion.csv"
    path.write_bytes(mocap_text(cells, times, JOINT_NAMES, **options).encode(encoding))
    before = path.read_bytes()

    recording = read_mocap_csv(path)

    assert recording.positions.dtype == np.float32
    assert recording.positions.shape == (n_frames, N_JOINTS, 3)
    np.testing.assert_array_equal(recording.positions, expected)
    assert recording.times.dtype == np.float64
    np.testing.assert_array_equal(recording.times, expected_times)
    assert recording.joint_names == JOINT_NAMES
    assert path.read_bytes() == before


@pytest.mark.parametrize("ended", ["every line", "header rows only", "frames only"])
def test_a_delimiter_ending_lines_adds_no_column(tmp_path, ended):
    rng = np.random.default_rng(11)
    cells, expected = decimal_cells(rng, (6, 4, 3))
    times, _ = time_cells(6)
    lines = mocap_text(cells, times, JOINT_NAMES[:4], header_rows=3).splitlines()
    lines = [
        line + ";" if ended == "every line" or (ended == "frames only") == (number >= 3) else line
        for number, line in enumerate(lines)
    ]
    path = tmp_path / "trailing.csv"
    path.write_text("\n".join(lines) + "\n")

    recording = read_mocap_csv(path)

    np.testing.assert_array_equal(recording.positions, expected)
    assert recording.joint_names == JOINT_NAMES[:4]


def test_a_named_column_left_blank_in_every_frame_is_missing_not_dropped(tmp_path):
    cells, _ = decimal_cells(np.random.default_rng(12), (5, 2, 3))
    cells[:, 1, 2] = None  # the last joint's z, blank in every frame
    path = tmp_path / "lost_z.csv"
    path.write_text(mocap_text(cells, time_cells(5)[0], ["hips", "head"]))

    with pytest.raises(ValueError, match=r"lost_z\.csv': 5 missing values .* 'head' in frames 0-4"):
        read_mocap_csv(path)


def test_signed_zero_and_large_integers_survive(tmp_path):
    cells = np.array([[["-0", "0.000", "123456"], ["-7", "1.5e-05", "-1.5E+02"]]], dtype=object)
    path = tmp_path / "edge.csv"
    path.write_text(mocap_text(cells, ["0.0"], ["a", "b"]))

    positions = read_mocap_csv(path).positions

    np.testing.assert_array_equal(
        positions, np.array([[[0, 0, 123456], [-7, 1.5e-05, -150]]], dtype=np.float32)
    )
    assert np.signbit(positions[0, 0, 0])


# Occluded markers ----------------------------------------------------------------------------


def occluded_recording(rng, n_frames=40, n_joints=N_JOINTS):
    """Cells with gaps (blank cells, and a few ``NaN`` cells) in some joints, as a tracker loses
    markers: whole x, y, z triplets for a run of frames, including runs at the start and end."""
    cells, expected = decimal_cells(rng, (n_frames, n_joints, 3))
    gaps = np.zeros((n_frames, n_joints, 3), dtype=bool)
    gaps[5:9, 10] = True  # a hand marker lost for 4 frames
    gaps[0:3, 20] = True  # lost at the start
    gaps[n_frames - 2 :, 30] = True  # lost at the end
    gaps[17, 40, 1] = True  # a single coordinate
    gaps[12:14, 50:53] = True  # three neighbouring joints at once
    cells = cells.copy()
    cells[gaps] = None
    cells[17, 40, 1] = "NaN"
    return cells, expected, gaps


def linear_fill(values, gaps, times):
    """Linear interpolation in time between the valid frames around each gap, holding the
    nearest valid value before the first and after the last, written from its definition."""
    filled = values.astype(np.float64)
    valid = np.flatnonzero(~gaps)
    for frame in np.flatnonzero(gaps):
        before = valid[valid < frame]
        after = valid[valid > frame]
        if not len(before):
            filled[frame] = filled[after[0]]
        elif not len(after):
            filled[frame] = filled[before[-1]]
        else:
            t0, t1 = times[before[-1]], times[after[0]]
            v0, v1 = filled[before[-1]], filled[after[0]]
            filled[frame] = v0 + (v1 - v0) * (times[frame] - t0) / (t1 - t0)
    return filled


@pytest.fixture
def occluded_file(tmp_path):
    rng = np.random.default_rng(7)
    cells, expected, gaps = occluded_recording(rng)
    times, expected_times = time_cells(len(cells), start=0.0, step=0.01)
    path = tmp_path / "Occlus.csv"
    path.write_text(mocap_text(cells, times, JOINT_NAMES, decimal_comma=True), encoding="utf-8")
    return path, expected, gaps, expected_times


def test_occluded_markers_are_refused_by_default_naming_joints_and_frames(occluded_file):
    path, _, _, _ = occluded_file

    with pytest.raises(ValueError, match="Occlus.csv") as error:
        read_mocap_csv(path)

    message = str(error.value)
    # 4*3 + 3*3 + 2*3 + 1 + 2*3*3 missing values in 7 joints; lines count the 2 header rows.
    assert "46 missing values" in message and "7 joints" in message
    assert f"{JOINT_NAMES[10]!r} in frames 5-8 (lines 8-11)" in message


def test_occluded_markers_interpolated_in_time(occluded_file):
    path, expected, gaps, times = occluded_file

    positions = read_mocap_csv(path, missing="interpolate").positions

    np.testing.assert_array_equal(positions[~gaps], expected[~gaps])
    for joint, coordinate in zip(*np.nonzero(gaps.any(axis=0))):
        column_gaps = gaps[:, joint, coordinate]
        filled = linear_fill(expected[:, joint, coordinate], column_gaps, times)
        np.testing.assert_allclose(
            positions[column_gaps, joint, coordinate], filled[column_gaps], rtol=1e-6, atol=1e-9
        )
    assert np.isfinite(positions).all()


def test_occluded_frames_dropped(occluded_file):
    path, expected, gaps, times = occluded_file
    keep = ~gaps.any(axis=(1, 2))

    recording = read_mocap_csv(path, missing="drop")

    np.testing.assert_array_equal(recording.positions, expected[keep])
    np.testing.assert_array_equal(recording.times, times[keep])


# A folder with its annotation table ----------------------------------------------------------


def write_recording(path, rng, n_frames, names=JOINT_NAMES[:5]):
    cells, expected = decimal_cells(rng, (n_frames, len(names), 3))
    times, _ = time_cells(n_frames)
    path.write_text(mocap_text(cells, times, names), encoding="utf-8")
    return expected


def test_folder_with_the_paper_annotation_table_reports_everything_it_leaves_out(tmp_path):
    rng = np.random.default_rng(3)
    recordings = {}
    # "Bonjour" has no row in the table; "Château" is written decomposed (as macOS stores it).
    for stem, n_frames in [
        ("Avion", 12),
        ("Venir", 9),
        ("Bonjour", 7),
        ("Manger", 10),
        (unicodedata.normalize("NFD", "Château"), 8),
    ]:
        recordings[stem] = write_recording(tmp_path / f"{stem}.csv", rng, n_frames)
    table = tmp_path / "Annotation_gloses.csv"
    rows = [
        ["Nom.csv", "Mono/Bi", "Glose", "Configuration", "Commentaire"],
        ["Avion", "Bi", "AVION", "plate", ""],
        ["Venir.csv", "Mono", "VENIR", "index", "rejoué"],
        ["Manger", "", "MANGER", "bec", "label oublié"],  # incomplete row
        ["Château", "Bi", "CHÂTEAU", "", ""],
        ["Soleil", "Mono", "SOLEIL", "5", "fichier perdu"],  # no such file
    ]
    table.write_bytes(("\r\n".join("\t".join(row) for row in rows) + "\r\n").encode("cp1252"))
    before = table.read_bytes()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = load_mocap_folder(tmp_path, labels=table)

    messages = [str(warning.message) for warning in caught]
    assert any("1 row without a file name or a label" in m and "lines 4" in m for m in messages)
    assert any("1 labelled file missing" in m and "'Soleil'" in m for m in messages)
    assert dataset.unmatched_labels == ["Soleil"]
    # Sorted by file name; the table itself is not read as a recording.
    stems = [name.rsplit("/", 1)[-1].removesuffix(".csv") for name in dataset.filenames]
    assert [unicodedata.normalize("NFC", stem) for stem in stems] == [
        "Avion",
        "Bonjour",
        "Château",
        "Manger",
        "Venir",
    ]
    assert dataset.target.tolist() == ["Bi", -1, "Bi", -1, "Mono"]
    assert dataset.joint_names == JOINT_NAMES[:5]
    for stem, positions in zip(stems, dataset.data):
        np.testing.assert_array_equal(positions, recordings[stem])
    assert table.read_bytes() == before

    with pytest.warns(UserWarning, match="Annotation_gloses.csv"):
        labels = read_labels(table)
    assert labels.incomplete_rows == [(4, "Manger", "")]


def test_labels_mapped_to_integers_as_in_the_paper(tmp_path):
    folder = tmp_path / "recordings"
    folder.mkdir()
    rng = np.random.default_rng(4)
    for stem in ("Avion", "Venir", "Bonjour"):
        write_recording(folder / f"{stem}.csv", rng, 6)
    table = tmp_path / "Annotation_gloses.csv"
    table.write_text("Nom.csv\tMono/Bi\nAvion\tBi\nVenir\tMono\nBonjour\tMono\n")
    labels = read_labels(table)

    data, target = load_mocap_folder(
        folder, labels={stem: int(label == "Bi") for stem, label in labels.items()}, return_X_y=True
    )

    assert [recording.shape for recording in data] == [(6, 5, 3)] * 3
    assert target.tolist() == [1, 0, 0]  # Avion (Bi), Bonjour, Venir


def test_files_to_a_cross_validated_pipeline_as_in_the_paper():
    folder = load_sample_mocap()
    recordings, labels = load_mocap_folder(
        folder, labels=folder / "Annotation_gloses.csv", return_X_y=True
    )
    # The paper padded to the longest recording of the whole data set, so no fold crops.
    longest = max(len(recording) for recording in recordings)
    model = make_pipeline(
        SkeletonPadder(max_frames=longest), Flattener(), LogisticRegression(max_iter=1000)
    )

    scores = cross_val_score(
        model, recordings, labels.astype(str), cv=StratifiedKFold(4, shuffle=True, random_state=0)
    )

    assert len(recordings) == 20 and len({len(r) for r in recordings}) > 1  # ragged
    assert scores.mean() >= 0.75
    fitted = model.fit(recordings, labels.astype(str))
    # The paper's layout: padded to the longest recording, 79 joints x 3 per frame, flattened.
    assert fitted[:-1].transform(recordings[:1]).shape == (1, longest * 237)
