"""Reading UEA/UCR .ts files, and refusing malformed ones with the file and line at fault."""

import numpy as np
import pytest

from skgesture.io.ts import read_ts

HEADER = """#A comment
@problemName toy
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true up down
@data
"""


def write(tmp_path, text, name="toy.ts"):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1") if isinstance(text, str) else text)
    return path


def test_multivariate_equal_length_with_labels(tmp_path):
    path = write(tmp_path, HEADER + "1,2,3:4,5,6:up\n7,8,9:10,11,12:down\n0,0,0:1,1,1:up\n")
    before = path.read_bytes()
    bunch = read_ts(path)
    assert len(bunch.data) == 3
    assert all(series.shape == (3, 2) and series.dtype == np.float32 for series in bunch.data)
    # Frames first: row t holds the value of each dimension at time t.
    np.testing.assert_array_equal(bunch.data[0], [[1, 4], [2, 5], [3, 6]])
    assert bunch.target.tolist() == ["up", "down", "up"]
    assert bunch.class_labels == ["up", "down"]
    assert bunch.metadata == {
        "problemName": "toy",
        "timeStamps": False,
        "missing": False,
        "univariate": False,
        "dimensions": 2,
        "equalLength": True,
        "seriesLength": 3,
        "classLabel": True,
    }
    assert path.read_bytes() == before


def test_unequal_length_without_labels_and_missing_values(tmp_path):
    text = (
        "@problemName ragged\n@timeStamps false\n@missing true\n@univariate true\n"
        "@equalLength false\n@classLabel false\n@data\n1.5,?,3\n\n4,5,6,7,8\n"
    )
    bunch = read_ts(write(tmp_path, text))
    assert [series.shape for series in bunch.data] == [(3, 1), (5, 1)]
    assert np.isnan(bunch.data[0][1, 0]) and bunch.data[0][2, 0] == 3
    assert bunch.target is None and bunch.class_labels is None


def test_dimensions_inferred_from_the_first_series(tmp_path):
    text = "@problemName x\n@timeStamps false\n@classLabel false\n@data\n1,2:3,4:5,6\n7:8:9\n"
    bunch = read_ts(write(tmp_path, text))
    assert [series.shape for series in bunch.data] == [(2, 3), (1, 3)]


def test_regression_targets(tmp_path):
    text = "@problemName r\n@timeStamps false\n@targetLabel true\n@data\n1,2:0.5\n3,4:-2\n"
    bunch = read_ts(write(tmp_path, text))
    np.testing.assert_array_equal(bunch.target, [0.5, -2.0])
    assert bunch.target.dtype == np.float64 and bunch.class_labels is None


def test_stray_bytes_in_comments_crlf_and_unknown_tags(tmp_path):
    text = HEADER.replace("#A comment", "#Pierre-Fran\xe7ois") + "1,2,3:4,5,6:up\n"
    text = text.replace("@data", "@custom some value\n@data")
    bunch = read_ts(write(tmp_path, text.replace("\n", "\r\n")))
    assert bunch.data[0].shape == (3, 2)
    assert bunch.metadata["custom"] == "some value"
    utf8 = "#caf\u00e9\n".encode() + (HEADER + "1,2,3:4,5,6:down\n").encode()
    assert read_ts(write(tmp_path, utf8, "utf8.ts")).target.tolist() == ["down"]


def test_utf8_byte_order_mark_before_the_first_tag(tmp_path):
    text = b"\xef\xbb\xbf" + (HEADER.removeprefix("#A comment\n") + "1,2,3:4,5,6:up\n").encode()
    bunch = read_ts(write(tmp_path, text))
    assert bunch.metadata["problemName"] == "toy"
    assert bunch.target.tolist() == ["up"]


def lines_after_header(*data_lines):
    return HEADER + "".join(line + "\n" for line in data_lines)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER.replace("@timeStamps false", "@timeStamps true"),
            r"line 3: @timeStamps true is not supported",
        ),
        (HEADER.replace("@data\n", ""), r"toy\.ts': no @data tag"),
        (HEADER, r"toy\.ts': no series after the @data tag"),
        (lines_after_header("1,2,3:4,5,6:7,8,9:up"), r"line 11: .*3 dimensions, expected 2"),
        (lines_after_header("1,2,3:4,5,6:up", "1,2,3:4,5,6:left"), r"line 12: class label 'left'"),
        (lines_after_header("1,2,x:4,5,6:up"), r"line 11: dimension 0, value 2: 'x' is not a"),
        (lines_after_header("1,2,3_0:4,5,6:up"), r"line 11: dimension 0, value 2: '3_0' is not a"),
        (lines_after_header("1,2,3:4,,6:up"), r"line 11: dimension 1, value 1: '' is not a"),
        (lines_after_header("1,2,3:4,5:up"), r"line 11: dimension 1 has 2 values but dimension 0"),
        (lines_after_header("1,2:4,5:up"), r"line 11: .*2 values per dimension.*length 3"),
        (lines_after_header("1,2,3"), r"line 11: the series has no label"),
        (HEADER.replace("@dimensions 2", "@dimensions two"), r"line 6: @dimensions must be"),
        (HEADER.replace("@missing false", "@missing maybe"), r"line 4: @missing must be"),
        (HEADER.replace(" up down", ""), r"line 9: @classLabel true must list"),
        (HEADER.replace("@classLabel true", "@classLabel false"), "cannot list class labels"),
        ("1,2,3\n" + HEADER, r"line 1: data before the @data tag"),
        (
            HEADER.replace("@data", "@targetLabel true\n@data"),
            "line 10: a file cannot declare both",
        ),
        (lines_after_header("1,2,3:4,5,\xe9:up"), r"line 11: non-ASCII bytes in a data line"),
    ],
)
def test_malformed_files_name_the_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        read_ts(path)
    assert str(path) in str(error.value)


def test_equal_length_without_series_length_checks_against_the_first(tmp_path):
    text = "@problemName e\n@timeStamps false\n@equalLength true\n@classLabel false\n@data\n"
    with pytest.raises(ValueError, match=r"line 7: .*series of length 3"):
        read_ts(write(tmp_path, text + "1,2,3\n4,5\n"))


def test_non_numeric_regression_target(tmp_path):
    text = "@problemName r\n@timeStamps false\n@targetLabel true\n@data\n1,2:high\n"
    with pytest.raises(ValueError, match=r"line 5: target value 'high' is not a number"):
        read_ts(write(tmp_path, text))


@pytest.mark.shared
def test_reads_natops(natops_dir):
    bunch = read_ts(natops_dir / "NATOPS_TRAIN.ts")
    assert len(bunch.data) == 180
    assert {series.shape for series in bunch.data} == {(51, 24)}
    assert bunch.class_labels == ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0"]
    assert np.unique(bunch.target, return_counts=True)[1].tolist() == [30] * 6
    assert bunch.metadata["problemName"] == "NATOPS"


@pytest.mark.shared
def test_natops_agrees_with_aeon(natops_dir):
    aeon_datasets = pytest.importorskip("aeon.datasets")
    X, y = aeon_datasets.load_from_ts_file(str(natops_dir / "NATOPS_TEST.ts"))
    bunch = read_ts(natops_dir / "NATOPS_TEST.ts")
    np.testing.assert_array_equal(np.stack(bunch.data), X.transpose(0, 2, 1).astype(np.float32))
    np.testing.assert_array_equal(bunch.target, y)
