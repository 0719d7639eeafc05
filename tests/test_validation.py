"""The data conventions, checked in their one place."""

import numpy as np
import pytest

from skgesture.utils import check_dataset, check_recordings, recording_lengths, restore_layout


def test_ragged_list_is_padded_and_lengths_kept():
    data, lengths, layout = check_dataset([np.ones((3, 2, 3)), np.ones((5, 2, 3))])
    assert data.shape == (2, 5, 2, 3) and data.dtype == np.float32
    assert lengths.tolist() == [3, 5] and layout == "list"
    assert np.all(data[0, 3:] == 0)


@pytest.mark.parametrize(
    ("shape", "expected", "layout"),
    [
        ((4, 7), (4, 7, 1, 1), "2d"),
        ((4, 7, 5), (4, 7, 5, 1), "3d"),
        ((4, 7, 5, 3), (4, 7, 5, 3), "4d"),
    ],
)
def test_dense_layouts(shape, expected, layout):
    X = np.random.default_rng(0).normal(size=shape)
    data, lengths, got_layout = check_dataset(X)
    assert data.shape == expected and got_layout == layout
    assert restore_layout(data, layout).shape == shape
    np.testing.assert_allclose(restore_layout(data, layout), X, rtol=1e-6)


def test_trailing_zero_frames_are_padding():
    X = np.ones((3, 6, 2, 3))
    X[0, 4:] = 0
    X[1] = 0
    X[2, 2] = 0  # a zero frame inside a recording is data, not padding
    assert recording_lengths(X).tolist() == [4, 1, 6]


def test_list_keeps_layout_without_padding():
    recordings, layout = check_recordings([np.ones((2, 4)), np.ones((3, 4))])
    assert layout == "list"
    assert [r.shape for r in recordings] == [(2, 4, 1), (3, 4, 1)]


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ([], "0 sample"),
        ([np.ones((3, 2, 3)), np.ones((4, 5, 3))], r"X\[1\] has 5 joints"),
        ([np.ones((3, 2, 3)), np.zeros((0, 2, 3))], r"X\[1\] has 0 frames"),
        ([np.ones((3, 2, 3)), np.full((2, 2, 3), np.inf)], r"X\[1\] contains infinity"),
        (np.ones((2, 3, 4, 5, 6)), "5 dimensions"),
        (np.ones(5), "Expected 2D array"),
        (np.full((3, 4), np.nan), "Input X contains NaN"),
    ],
)
def test_bad_datasets_name_the_fault(X, match):
    with pytest.raises(ValueError, match=match):
        check_dataset(X)


def test_nan_allowed_on_request():
    data, _, _ = check_dataset([np.full((2, 1, 3), np.nan)], allow_nan=True)
    assert np.isnan(data).all()


def test_nested_python_lists_are_an_array_like():
    data, lengths, layout = check_dataset(np.arange(12.0).reshape(3, 4).tolist())
    assert layout == "2d" and data.shape == (3, 4, 1, 1)


def test_ragged_nested_python_lists_are_recordings():
    recordings, layout = check_recordings([[1.0, 2.0, 3.0], [4.0, 5.0]])
    assert layout == "list" and [len(r) for r in recordings] == [3, 2]
