"""Hostile input, generated: readers and transformers give a result of the right shape or a
ValueError naming the file or argument at fault -- never another exception, a hang, a silently
wrong shape, non-finite values, or a modified input.

Examples come from hypothesis; the number of examples is set by the profile chosen in
``tests/conftest.py`` (``HYPOTHESIS_PROFILE=thorough`` for a long run). Each file generator
draws a seed and a few choices, and numpy fills the cells from a palette of awkward values
(1e30, float32's extremes and denormals, -0, NaN, inf, blanks, decimal commas, text), so large
files (2000 joints) cost no more hypothesis draws than small ones.
"""

import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from skgesture.io import load_mocap_folder, read_labels, read_mocap_csv, read_ts
from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointImputer,
    JointSelector,
    SkeletonNormalizer,
    SkeletonPadder,
)

pytestmark = pytest.mark.timeout(120)

FLOAT32 = np.finfo(np.float32)
# Finite values float32 holds (and that survive a text round trip exactly).
EXTREME_VALUES = [
    0.0,
    -0.0,
    1.0,
    -2.5,
    1e30,
    -1e30,
    float(FLOAT32.max),
    float(-FLOAT32.max),
    float(FLOAT32.smallest_normal),
    float(FLOAT32.smallest_subnormal),
    1e-42,
]
HOSTILE_TOKENS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e39",
    "-1e309",
    "",
    " ",
    "abc",
    "1_000",
    "0x10",
    "1,5",
    "1.2.3",
    '"',
    "?",
    "é",
    "\x00",
]
N_JOINTS = st.sampled_from([1, 1, 2, 3, 5, 2000])
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


def fresh_folder(workdir):
    return tempfile.mkdtemp(dir=workdir)


def values(rng, shape):
    """Ordinary positions with extreme values sprinkled in."""
    data = rng.normal(scale=50.0, size=shape)
    extreme = rng.random(shape) < 0.2
    data[extreme] = rng.choice(EXTREME_VALUES, size=int(extreme.sum()))
    return data.astype(np.float32)


def number(value):
    """Text that reads back as the same float32 (zeros written as the integers 0 and -0)."""
    return np.format_float_positional(value, unique=True, trim="-") if value == 0 else repr(value)


def result_or_named_error(call, path, *args, **kwargs):
    """Call a reader; a ValueError must name ``path``; the file must stay byte for byte."""
    files = (
        [path]
        if os.path.isfile(path)
        else sorted(os.path.join(root, name) for root, _, names in os.walk(path) for name in names)
    )
    before = {file: Path(file).read_bytes() for file in files}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # reported rows, unmatched labels
            warnings.simplefilter("error", RuntimeWarning)  # numpy overflow: values went wrong
            return call(path, *args, **kwargs)
    except ValueError as error:
        note(str(error))
        assert os.fspath(path) in str(error), str(error)
        return None
    finally:
        assert {file: Path(file).read_bytes() for file in files} == before


# ------------------------------------------------------------------------ MocapLab CSV files
class CsvSpec:
    """A well-formed MocapLab CSV file and what reading it must give."""

    def __init__(self, seed, n_frames, n_joints, frame_column, header, delimiter, comma):
        rng = np.random.default_rng(seed)
        self.positions = values(rng, (n_frames, n_joints, 3))
        self.times = np.round(np.arange(n_frames) * 0.04 + rng.integers(0, 100), 2)
        self.names = [f"j{joint}" for joint in range(n_joints)]
        lead = ["Frame", "Time"] if frame_column else ["Time"]
        rows = []
        if "names" in header:
            rows.append(lead + [name for name in self.names for _ in range(3)])
        if "xyz" in header:
            rows.append([""] * len(lead) + ["X", "Y", "Z"] * n_joints)
        for frame in range(n_frames):
            cells = [number(float(v)) for v in self.positions[frame].ravel()]
            time = repr(float(self.times[frame]))
            rows.append(([str(frame)] if frame_column else []) + [time] + cells)
        if comma:  # decimal commas, as a French Excel writes them
            rows = [[cell.replace(".", ",") for cell in row] for row in rows]
        self.rows = rows
        self.delimiter = delimiter

    def text(self, rows=None, line_end="\n"):
        return line_end.join(self.delimiter.join(row) for row in rows or self.rows) + line_end


@st.composite
def csv_specs(draw, n_joints=N_JOINTS):
    delimiter = draw(st.sampled_from([";", "\t", ","]))
    return CsvSpec(
        seed=draw(st.integers(0, 2**32 - 1)),
        n_frames=draw(st.sampled_from([1, 1, 2, 5])),
        n_joints=draw(n_joints),
        frame_column=draw(st.booleans()),
        header=draw(st.sampled_from([(), ("names",), ("xyz",), ("names", "xyz")])),
        delimiter=delimiter,
        comma=delimiter != "," and draw(st.booleans()),
    )


@given(
    spec=csv_specs(),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_a_well_formed_csv_file_reads_back_exactly(workdir, spec, line_end, encoding):
    path = os.path.join(workdir, "clean.csv")
    with open(path, "wb") as file:
        file.write(spec.text(line_end=line_end).encode(encoding))
    recording = result_or_named_error(read_mocap_csv, path)
    assert recording is not None
    assert recording.positions.dtype == np.float32
    np.testing.assert_array_equal(recording.positions, spec.positions)
    np.testing.assert_array_equal(recording.times, spec.times)
    assert len(recording.joint_names) == spec.positions.shape[1]


@st.composite
def damaged_csv(draw):
    """A well-formed file with hostile cells, lines or bytes put in at drawn places."""
    spec = draw(csv_specs(n_joints=st.sampled_from([1, 2, 3, 2000])))
    rows = [list(row) for row in spec.rows]
    for _ in range(draw(st.integers(1, 3))):
        damage = draw(st.sampled_from(["cell", "cell", "drop_cell", "add_cell", "line", "cut"]))
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(rows[row]) - 1))
        if damage == "cell":
            rows[row][column] = draw(st.sampled_from(HOSTILE_TOKENS))
        elif damage == "drop_cell" and len(rows[row]) > 1:
            del rows[row][column]
        elif damage == "add_cell":
            rows[row].insert(column, draw(st.sampled_from(HOSTILE_TOKENS + ["1.0"])))
        elif damage == "line":
            rows.insert(row, [draw(st.text(max_size=12))])
        elif damage == "cut":
            rows = rows[:row] or rows[:1]
    data = spec.text(rows).encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data)))
        data = data[:start] + draw(st.binary(max_size=8)) + data[start:]
    return data


@given(data=damaged_csv(), missing=st.sampled_from(["raise", "interpolate", "drop"]))
def test_a_damaged_csv_file_gives_a_clean_recording_or_an_error_naming_it(workdir, data, missing):
    path = os.path.join(workdir, "damaged.csv")
    with open(path, "wb") as file:
        file.write(data)
    recording = result_or_named_error(read_mocap_csv, path, missing=missing)
    if recording is not None:
        n_frames, n_joints, n_coords = recording.positions.shape
        assert n_frames >= 1 and n_joints >= 1 and n_coords == 3
        assert recording.positions.dtype == np.float32
        assert np.isfinite(recording.positions).all()  # NaN never escapes, whatever the policy
        assert recording.times.shape == (n_frames,) and np.isfinite(recording.times).all()
        assert len(recording.joint_names) == n_joints


@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_read_or_refused_naming_the_file(workdir, data):
    path = os.path.join(workdir, "bytes.csv")
    with open(path, "wb") as file:
        file.write(data)
    recording = result_or_named_error(read_mocap_csv, path)
    if recording is not None:
        assert recording.positions.ndim == 3 and np.isfinite(recording.positions).all()


def test_a_quote_that_never_closes_on_a_long_line_names_the_line(workdir):
    """Regression: the csv module's field size limit escaped as _csv.Error (found by hypothesis)."""
    path = os.path.join(workdir, "unclosed.csv")
    with open(path, "w") as file:
        file.write('"Time' + ";j0;j0;j0" * 20000 + "\n0.0;1;2;3\n")
    with pytest.raises(ValueError, match=r"unclosed\.csv', line 1: a quoted field opens on this"):
        read_mocap_csv(path)


def test_missing_must_be_a_string():
    """Regression: np.array(["drop"]) compares equal to "drop" element-wise and got through."""
    with pytest.raises(ValueError, match=r"missing must be one of 'raise', 'interpolate', 'drop'"):
        read_mocap_csv("never-opened.csv", missing=np.array(["drop"]))


# ---------------------------------------------------------------------------- .ts files
class TsSpec:
    """A well-formed .ts file and what reading it must give."""

    def __init__(self, seed, n_series, n_dimensions, lengths, tags, labels):
        rng = np.random.default_rng(seed)
        self.series = [values(rng, (length, n_dimensions)) for length in lengths[:n_series]]
        self.labels = [labels[i % len(labels)] for i in range(len(self.series))]
        header = ["# a comment", "@problemName hostile"]
        optional = {
            "timeStamps": "@timeStamps false",
            "missing": "@missing false",
            "univariate": f"@univariate {str(n_dimensions == 1).lower()}",
            "dimensions": f"@dimensions {n_dimensions}",
            "equalLength": f"@equalLength {str(len(set(lengths[:n_series])) == 1).lower()}",
        }
        header += [optional[tag] for tag in tags]
        header += [f"@classLabel true {' '.join(labels)}", "@data"]
        lines = [
            ":".join(",".join(number(float(v)) for v in dimension) for dimension in series.T)
            + f":{label}"
            for series, label in zip(self.series, self.labels)
        ]
        self.lines = header + lines


@st.composite
def ts_specs(draw):
    n_series = draw(st.integers(1, 4))
    return TsSpec(
        seed=draw(st.integers(0, 2**32 - 1)),
        n_series=n_series,
        n_dimensions=draw(st.sampled_from([1, 2, 3, 60])),
        lengths=draw(st.lists(st.sampled_from([1, 2, 7]), min_size=n_series, max_size=n_series)),
        tags=draw(
            st.lists(
                st.sampled_from(
                    ["timeStamps", "missing", "univariate", "dimensions", "equalLength"]
                ),
                unique=True,
            )
        ),
        labels=draw(st.sampled_from([["a", "b"], ["1.0", "2.0"], ["only"]])),
    )


@given(spec=ts_specs(), line_end=st.sampled_from(["\n", "\r\n"]))
def test_a_well_formed_ts_file_reads_back_exactly(workdir, spec, line_end):
    path = os.path.join(workdir, "clean.ts")
    with open(path, "w", encoding="ascii", newline="") as file:
        file.write(line_end.join(spec.lines) + line_end)
    bunch = result_or_named_error(read_ts, path)
    assert bunch is not None
    assert len(bunch.data) == len(spec.series)
    for series, expected in zip(bunch.data, spec.series):
        assert series.dtype == np.float32
        np.testing.assert_array_equal(series, expected)
    assert bunch.target.tolist() == spec.labels


@st.composite
def damaged_ts(draw):
    spec = draw(ts_specs())
    lines = list(spec.lines)
    for _ in range(draw(st.integers(1, 3))):
        damage = draw(st.sampled_from(["value", "value", "tag", "drop_line", "line", "label"]))
        index = draw(st.integers(0, len(lines) - 1))
        if damage == "value" and not lines[index].startswith(("@", "#")):
            tokens = lines[index].replace(":", ",").split(",")
            token = tokens[draw(st.integers(0, len(tokens) - 1))]
            hostile = draw(st.sampled_from(HOSTILE_TOKENS + ["?", "1e38", "3.5e38"]))
            lines[index] = lines[index].replace(token, hostile, 1)
        elif damage == "tag":
            lines.insert(
                index,
                draw(
                    st.sampled_from(
                        [
                            "@missing true",
                            "@timeStamps true",
                            "@dimensions 0",
                            "@seriesLength 2",
                            "@equalLength true",
                            "@classLabel false",
                            "@targetLabel true",
                            "@data",
                            "@",
                        ]
                    )
                ),
            )
        elif damage == "drop_line" and len(lines) > 1:
            del lines[index]
        elif damage == "line":
            lines.insert(index, draw(st.text(max_size=12)))
        elif damage == "label":
            lines[index] = lines[index] + draw(st.sampled_from([":c", ":", "::a"]))
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


@given(data=st.one_of(damaged_ts(), st.binary(max_size=300)))
def test_a_damaged_ts_file_gives_finite_series_or_an_error_naming_it(workdir, data):
    path = os.path.join(workdir, "damaged.ts")
    with open(path, "wb") as file:
        file.write(data)
    bunch = result_or_named_error(read_ts, path)
    if bunch is not None:
        assert len(bunch.data) >= 1
        n_dimensions = bunch.data[0].shape[1]
        for series in bunch.data:
            assert series.dtype == np.float32 and series.ndim == 2
            assert series.shape[0] >= 1 and series.shape[1] == n_dimensions
            assert not np.isinf(series).any()  # NaN may be a declared missing value; inf never
        if bunch.target is not None:
            assert len(bunch.target) == len(bunch.data)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("inf", r"'inf' is infinite or beyond float32's range"),
        ("-Infinity", r"'-Infinity' is infinite"),
        ("1e39", r"'1e39' is infinite or beyond float32's range"),
        ("nan", r"'nan' is not a number; the format writes missing values as '\?'"),
    ],
)
def test_ts_refuses_infinite_values_and_undeclared_nan(workdir, value, match):
    """Regression: read_ts returned inf and NaN read from the text as values."""
    path = os.path.join(workdir, "values.ts")
    with open(path, "w") as file:
        file.write(f"@problemName p\n@classLabel true a\n@data\n1,{value},3:a\n")
    with pytest.raises(ValueError, match=rf"values\.ts', line 4: dimension 0, value 1: {match}"):
        read_ts(path)


def test_ts_reads_nan_as_missing_where_the_header_declares_missing_values(workdir):
    path = os.path.join(workdir, "declared.ts")
    with open(path, "w") as file:
        file.write("@problemName p\n@missing true\n@classLabel true a\n@data\n1,NaN,?:a\n")
    series = read_ts(path).data[0][:, 0]
    np.testing.assert_array_equal(np.isnan(series), [False, True, True])


# ------------------------------------------------------------------------ annotation tables
@st.composite
def label_tables(draw):
    n_rows = draw(st.integers(0, 4))
    rows = [["Nom.csv", "Mono/Bi"]] + [
        [
            draw(st.sampled_from(["Avion", "Avion.csv", "Venir", "", " ", "é"])),
            draw(st.sampled_from(["Mono", "Bi", "", "?"])),
        ]
        for _ in range(n_rows)
    ]
    delimiter = draw(st.sampled_from(["\t", ";", ","]))
    text = "\n".join(delimiter.join(row) for row in rows)
    if draw(st.booleans()):
        index = draw(st.integers(0, len(text)))
        text = text[:index] + draw(st.text(max_size=6)) + text[index:]
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@given(data=st.one_of(label_tables(), st.binary(max_size=200)))
def test_a_label_table_gives_string_labels_or_an_error_naming_it(workdir, data):
    path = os.path.join(workdir, "Annotation_gloses.csv")
    with open(path, "wb") as file:
        file.write(data)
    labels = result_or_named_error(read_labels, path)
    if labels is not None:
        assert all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in labels.items())


# ------------------------------------------------------------------------------- folders
@given(
    specs=st.lists(csv_specs(n_joints=st.just(2)), min_size=1, max_size=3),
    damaged=st.one_of(st.none(), damaged_csv()),
    table=st.one_of(st.none(), label_tables()),
    missing=st.sampled_from(["raise", "interpolate", "drop"]),
)
def test_a_folder_gives_a_dataset_or_an_error_naming_the_file(
    workdir, specs, damaged, table, missing
):
    folder = fresh_folder(workdir)
    contents = [spec.text().encode() for spec in specs] + ([damaged] if damaged else [])
    for index, data in enumerate(contents):
        with open(os.path.join(folder, f"rec{index}.csv"), "wb") as file:
            file.write(data)
    labels = None
    if table is not None:
        labels = os.path.join(folder, "Annotation_gloses.csv")
        with open(labels, "wb") as file:
            file.write(table)
    dataset = result_or_named_error(load_mocap_folder, folder, labels=labels, missing=missing)
    if dataset is not None:
        assert len(dataset.data) == len(contents) == len(dataset.target)
        n_joints = dataset.data[0].shape[1]
        for recording in dataset.data:
            assert recording.shape[1:] == (n_joints, 3) and np.isfinite(recording).all()
        if damaged is None:
            for recording, spec in zip(dataset.data, specs):
                np.testing.assert_array_equal(recording, spec.positions)


# --------------------------------------------------------------------------- transformers
TRANSFORMERS = [
    SkeletonPadder(),
    SkeletonPadder(fill="edge", max_frames=3),
    SkeletonPadder(fill="resample", max_frames=4),
    Flattener(),
    SkeletonNormalizer(),
    SkeletonNormalizer(center="centroid", center_mode="frame", scale=None),
    JointSelector(),
    FrameRateResampler(source_rate=50.0, target_rate=20.0),
    JointImputer(),
]

# What a transformer may refuse besides NaN and infinity, as its documentation says.
DOCUMENTED_ERRORS = {
    "Flattener": r"^Flattener needs recordings of one length, but X\[\d+\] has \d+ frames",
    "JointImputer": r"^joint \d+, coordinate \d+ is missing \(NaN\) in every frame of X",
    "SkeletonNormalizer": r"^normalising X\[\d+\] gives values beyond float32's range",
}


@st.composite
def datasets(draw):
    """A dataset in a drawn layout, with extreme values and maybe NaN or inf at drawn places."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(["list", "4d", "3d", "2d"]))
    n_samples = draw(st.integers(1, 3))
    n_joints = 1 if layout == "2d" else draw(st.sampled_from([1, 2, 3, 2000]))
    n_coords = draw(st.sampled_from([1, 2, 3])) if layout in ("list", "4d") else 1
    lengths = draw(st.lists(st.integers(1, 5), min_size=n_samples, max_size=n_samples))
    recordings = [values(rng, (length, n_joints, n_coords)) for length in lengths]
    for _ in range(draw(st.integers(0, 2))):
        index = draw(st.integers(0, n_samples - 1))
        cell = tuple(rng.integers(0, size) for size in recordings[index].shape)
        recordings[index][cell] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))
    if draw(st.booleans()):  # an all-zero recording: one frame of zeros, read as padding
        recordings[0][:] = 0.0
    if layout == "list":
        return recordings, layout, (n_joints, n_coords)
    dense = np.zeros((n_samples, max(lengths), n_joints, n_coords), dtype=np.float32)
    for dense_recording, recording in zip(dense, recordings):
        dense_recording[: len(recording)] = recording
    if layout == "3d":
        dense = dense[..., 0]
    elif layout == "2d":
        dense = dense[:, :, 0, 0]
    return dense, layout, (n_joints, n_coords)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
@given(dataset=datasets())
def test_transformers_give_finite_data_of_the_right_layout_or_name_the_fault(transformer, dataset):
    X, layout, (n_joints, n_coords) = dataset
    before = [np.copy(x) for x in X] if layout == "list" else X.copy()
    values_in = np.concatenate([np.ravel(x) for x in X])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # SkeletonPadder's crop warning
            warnings.simplefilter("error", RuntimeWarning)
            Xt = transformer.fit_transform(X)
    except ValueError as error:
        note(str(error))
        if re.search(DOCUMENTED_ERRORS.get(type(transformer).__name__, "^$"), str(error)):
            return
        # Otherwise the error names a fault that is there: NaN (looked for first) or infinity.
        faults = {"NaN": np.isnan(values_in).any(), "infinity": np.isinf(values_in).any()}
        named = [fault for fault in faults if f"contains {fault}" in str(error)]
        assert "Input X" in str(error) and len(named) == 1 and faults[named[0]], str(error)
        return
    finally:
        for x, x_before in zip(X, before):
            np.testing.assert_array_equal(x, x_before)
    assert np.isfinite(values_in).all() or (
        isinstance(transformer, JointImputer) and not np.isinf(values_in).any()
    )
    n_samples = len(X)
    outputs = list(Xt) if isinstance(Xt, list) else Xt
    assert len(outputs) == n_samples
    for output in outputs:
        output = np.asarray(output)
        assert output.dtype == np.float32 and np.isfinite(output).all()
    if isinstance(transformer, Flattener):
        assert Xt.ndim == 2
        return
    if layout == "list" and not isinstance(transformer, SkeletonPadder):
        assert isinstance(Xt, list)
        assert all(output.shape[1:] == (n_joints, n_coords) for output in Xt)
    else:
        expected_ndim = {"list": 4, "4d": 4, "3d": 3, "2d": 2}[layout]
        assert Xt.ndim == expected_ndim
        if expected_ndim >= 3:
            assert Xt.shape[2:] == ((n_joints, n_coords) if expected_ndim == 4 else (n_joints,))


def test_normalising_beyond_float32s_range_names_the_recording():
    """Regression: centring values near 3.4e38 overflowed to inf silently (found by hypothesis)."""
    X = [np.ones((2, 3, 1)), np.array([[[3e38], [-3e38], [3e38]]])]
    with pytest.raises(ValueError, match=r"normalising X\[1\] gives values beyond float32's"):
        SkeletonNormalizer(center="centroid", center_mode="frame", scale=None).fit_transform(X)


# ---------------------------------------------------------------------------- classifiers
@pytest.fixture(scope="module")
def fitted_classifiers():
    """Tiny classifiers fitted on recordings of 4 joints x 3 coordinates, and an explainer."""
    from skgesture import CNNClassifier, FCClassifier, GradCAMExplainer, LSTMClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 5, 4, 3)).astype(np.float32)
    y = np.array(["wave", "point"] * 3)
    tiny = {"max_epochs": 1, "random_state": 0, "n_threads": 1}
    classifiers = [
        CNNClassifier(n_filters=4, n_blocks=1, kernel_size=3, **tiny).fit(X, y),
        FCClassifier(hidden_sizes=(8,), **tiny).fit(X, y),
        LSTMClassifier(projection_size=4, hidden_size=4, **tiny).fit(X, y),
    ]
    return classifiers, GradCAMExplainer(classifiers[0]).fit()


@st.composite
def recordings_of_the_fitted_skeleton(draw):
    """A list or dense array of 4-joint, 3-coordinate recordings, with extremes, NaN or inf."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lengths = draw(st.lists(st.integers(1, 8), min_size=1, max_size=3))
    recordings = [values(rng, (length, 4, 3)) for length in lengths]
    for _ in range(draw(st.integers(0, 2))):
        index = draw(st.integers(0, len(recordings) - 1))
        cell = tuple(rng.integers(0, size) for size in recordings[index].shape)
        recordings[index][cell] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))
    if draw(st.booleans()):
        return recordings
    dense = np.zeros((len(lengths), max(lengths), 4, 3), dtype=np.float32)
    for dense_recording, recording in zip(dense, recordings):
        dense_recording[: len(recording)] = recording
    return dense


@given(X=recordings_of_the_fitted_skeleton())
def test_predictions_and_explanations_are_finite_or_refused_naming_the_value(fitted_classifiers, X):
    classifiers, explainer = fitted_classifiers
    values_in = np.concatenate([np.ravel(x) for x in X])
    calls = [(clf.predict_proba, False) for clf in classifiers] + [(explainer.explain, True)]
    for call, explains in calls:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # FC networks crop long recordings
                warnings.simplefilter("error", RuntimeWarning)
                result = call(X)
        except ValueError as error:
            note(str(error))
            message = str(error)
            if "contains NaN" in message:
                assert np.isnan(values_in).any(), message
            elif "contains infinity" in message:
                assert np.isinf(values_in).any(), message
            else:  # finite values too far from the training data for float32
                assert "standard deviations from the training mean" in message, message
            continue
        assert np.isfinite(values_in).all()
        if explains:
            heat = result.heatmaps
            assert heat.shape[0] == len(X) and heat.shape[2] == 4
            assert np.all((heat >= 0) & (heat <= 1))
        else:
            assert result.shape == (len(X), 2) and np.isfinite(result).all()
