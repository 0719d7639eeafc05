"""Hostile files for read_keypoints, read_bvh and read_ts: a sane result or a ValueError naming
the file and where in it; never another exception, non-finite values, or a hang."""

import json
import time

import numpy as np
import pytest

from skgesture.io import read_bvh, read_keypoints, read_ts
from skgesture.skeleton import Skeleton


def openpose_file(path, flat_values):
    # Written by hand: json.dumps cannot write 1e39 or a 400-digit integer as such.
    path.write_text('{"version": 1.3, "people": [{"pose_keypoints_2d": [' + flat_values + "]}]}")
    return path


# ------------------------------------------------------------------ keypoints: non-finite values
@pytest.mark.parametrize(
    ("values", "match"),
    [
        ("1e39, 2, 0.9", r"keypoint 0: the x 1e\+39 is infinite or beyond float32's range"),
        ("1, Infinity, 0.9", r"keypoint 0: the y inf is infinite"),
        ("1, 2, 0.9, -Infinity, 2, 0.9", r"keypoint 1: the x -inf is infinite"),
        ("1, 2, Infinity", r"keypoint 0: the confidence inf is infinite"),
        ("1, 2, " + "9" * 400, r"keypoint 0: the confidence 9+\.\.\.9+ is infinite"),
    ],
)
def test_infinite_json_keypoints_are_refused(tmp_path, values, match):
    path = openpose_file(tmp_path / "clip.json", values)
    with pytest.raises(ValueError, match=r"clip\.json': the frame, person 0, " + match):
        read_keypoints(path)


def test_json_null_and_nan_mark_missing_points(tmp_path):
    frames = [
        {"people": [{"pose_keypoints_2d": [10.0, 20.0, 0.9]}]},
        {"people": [{"pose_keypoints_2d": [None, 21.0, 0.9]}]},
        {"people": [{"pose_keypoints_2d": [12.0, 22.0, float("nan")]}]},
        {"people": [{"pose_keypoints_2d": [13.0, 23.0, 0.9]}]},
    ]
    path = tmp_path / "clip.json"
    path.write_text(json.dumps(frames))  # json writes NaN as the literal NaN
    with pytest.raises(ValueError, match=r"clip\.json': 2 missing points .* in frames 1-2"):
        read_keypoints(path)
    recording = read_keypoints(path, missing="interpolate")
    np.testing.assert_allclose(recording.positions[:, 0], [[10, 20], [11, 21], [12, 22], [13, 23]])
    np.testing.assert_allclose(recording.confidences[:, 0], [0.9, 0.9, 0, 0.9])
    assert np.isfinite(recording.positions).all()


@pytest.mark.parametrize("value", ['"1"', "true", "[[[1]]]", '{"x": 1}'])
def test_json_keypoints_that_are_not_numbers_are_refused(tmp_path, value):
    path = openpose_file(tmp_path / "clip.json", f"{value}, 2, 0.9")
    with pytest.raises(ValueError, match=r"clip\.json': the frame, person 0, keypoint 0: the x "):
        read_keypoints(path)


def test_a_json_integer_longer_than_python_reads_is_refused(tmp_path):
    path = openpose_file(tmp_path / "clip.json", "1" * 5000 + ", 2, 0.9")
    with pytest.raises(ValueError, match=r"clip\.json': is not valid JSON"):
        read_keypoints(path)


@pytest.mark.parametrize(
    ("cell", "match"),
    [
        ("inf", r"line 3, column 2: 'inf' in column 'nose_x' is infinite"),
        ("-1e39", r"line 3, column 2: '-1e39' in column 'nose_x' is infinite or beyond float32"),
        ("３21.5", r"line 3, column 2: '３21\.5' is not a number"),
        ("٣21.5", r"line 3, column 2: '٣21\.5' is not a number"),
        ("3²", r"line 3, column 2: '3²' is not a number"),
        ("3_21", r"line 3, column 2: '3_21' is not a number"),
    ],
)
def test_csv_keypoints_must_be_finite_ascii_numbers(tmp_path, cell, match):
    path = tmp_path / "clip.csv"
    path.write_text(f"frame,nose_x,nose_y,nose_c\n0,320.5,110,0.9\n1,{cell},111,0.9\n")
    with pytest.raises(ValueError, match=r"clip\.csv', " + match):
        read_keypoints(path)


def test_a_csv_nan_cell_is_missing_as_a_blank_one(tmp_path):
    path = tmp_path / "clip.csv"
    path.write_text("nose_x,nose_y\n1,2\nnan,3\n3,4\n")
    recording = read_keypoints(path, missing="interpolate")
    np.testing.assert_allclose(recording.positions[:, 0], [[1, 2], [2, 3], [3, 4]])


def test_frame_numbers_whose_times_overflow_are_refused(tmp_path):
    path = tmp_path / "clip.csv"
    path.write_text("frame,nose_x,nose_y\n0,1,2\n1e308,1,2\n")
    with pytest.raises(ValueError, match=r"clip\.csv', line 3: frame 1 .* beyond float64's range"):
        read_keypoints(path, frame_rate=0.5)


# ------------------------------------------------------------------ keypoints: deep nesting
@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
        '{"people": [{"pose_keypoints_2d": ' + "[" * 50_000 + "]" * 50_000 + "}]}",
    ],
    ids=["lists", "objects", "inside-a-frame"],
)
def test_deeply_nested_json_is_refused(tmp_path, text):
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"deep\.json': is nested too deeply"):
        read_keypoints(path)


def test_a_deeply_nested_image_id_is_refused_without_recursing(tmp_path):
    path = tmp_path / "results.json"
    depth = 900  # within json's reach, so the reader itself must not recurse on it
    path.write_text('[{"image_id": ' + "[" * depth + "]" * depth + ', "keypoints": [1, 2, 1]}]')
    with pytest.raises(ValueError, match=r"results\.json': detection 0 has image_id \[\["):
        read_keypoints(path)


# ------------------------------------------------------------------ BVH
BVH = """HIERARCHY
ROOT Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Chest
  {
    OFFSET 0 5 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 5 0
    }
  }
}
MOTION
Frames: 3
Frame Time: 0.04
0 0 0 0 0 0 0 0 0
0 0 0 90 0 0 0 0 0
0 0 0 0 0 0 0 0 0
"""


def bvh_with(tmp_path, old, new):
    assert old in BVH
    path = tmp_path / "walk.bvh"
    path.write_text(BVH.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("frame_time", "match"),
    [
        ("1e308", r"line 18: the frame time '1e308' is too large: the time of the last of the 3"),
        ("1e400", r"line 18: the frame time '1e400' is not a positive number"),
        ("0", r"line 18: the frame time '0' is not a positive number"),
        ("-0.04", r"line 18: the frame time '-0\.04' is not a positive number"),
        ("nan", r"line 18: the frame time 'nan' is not a positive number"),
        ("inf", r"line 18: the frame time 'inf' is not a positive number"),
    ],
)
def test_a_bvh_frame_time_must_give_finite_times(tmp_path, frame_time, match):
    path = bvh_with(tmp_path, "Frame Time: 0.04", f"Frame Time: {frame_time}")
    with pytest.raises(ValueError, match=r"walk\.bvh', " + match):
        read_bvh(path)


def test_a_large_bvh_frame_time_that_fits_is_read(tmp_path):
    recording = read_bvh(bvh_with(tmp_path, "Frame Time: 0.04", "Frame Time: 1e300"))
    np.testing.assert_array_equal(recording.times, [0, 1e300, 2e300])


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("OFFSET 0 5 0", "OFFSET 0 ⁵ 0", r"line 8: '⁵' is not a number \(expected the y offset\)"),
        ("OFFSET 0 5 0", "OFFSET 0 ５ 0", r"line 8: '５' is not a number"),
        ("CHANNELS 3", "CHANNELS ³", r"line 9: '³' is not a number of channels"),
        ("CHANNELS 3", "CHANNELS ٣", r"line 9: '٣' is not a number of channels"),
        ("CHANNELS 3", "CHANNELS " + "0" * 5000 + "3", r"line 9: '0+3' is not a number of chan"),
        ("Frames: 3", "Frames: ³", r"line 17: the number of frames '³' is not a whole number"),
        ("Frames: 3", "Frames: " + "9" * 5000, r"line 17: the number of frames '9+' is not a"),
        ("Frame Time: 0.04", "Frame Time: ０.04", r"line 18: the frame time '０\.04' is not a"),
        ("0 0 0 90 0", "0 0 0 ٩٠ 0", r"line 20, column 4: '٩٠' is not a number"),
        ("0 0 0 90 0", "0 0 0 9⁰ 0", r"line 20, column 4: '9⁰' is not a number"),
        ("0 0 0 90 0", "0 0 0 9_0 0", r"line 20, column 4: '9_0' is not a number"),
    ],
)
def test_bvh_numbers_must_be_written_in_ascii(tmp_path, old, new, match):
    path = bvh_with(tmp_path, old, new)
    with pytest.raises(ValueError, match=r"walk\.bvh', " + match):
        read_bvh(path)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("OFFSET 0 5 0", "OFFSET 0 1e308 0", r"line 19: the position of joint 'Chest'"),
        ("0 0 0 90 0", "1e308 1e308 0 90 0", r"line 20: the position of joint 'Hips'"),
        ("0 0 0 90 0", "1e39 0 0 90 0", r"line 20: the position of joint 'Hips'"),
    ],
)
def test_bvh_positions_beyond_float32_are_refused(tmp_path, old, new, match):
    path = bvh_with(tmp_path, old, new)
    with pytest.raises(ValueError, match=r"walk\.bvh', " + match + ".* beyond float32's range"):
        read_bvh(path)


def chain_bvh(path, n_joints):
    """A BVH file whose joints hang one from another: a hierarchy ``n_joints`` deep."""
    joints = "".join(
        f"JOINT j{k}\n{{\nOFFSET 0 1 0\nCHANNELS 3 Zrotation Xrotation Yrotation\n"
        for k in range(1, n_joints)
    )
    path.write_text(
        "HIERARCHY\nROOT j0\n{\nOFFSET 0 0 0\nCHANNELS 0\n"
        + joints
        + "}\n" * n_joints
        + "MOTION\nFrames: 1\nFrame Time: 0.01\n"
        + " ".join(["0"] * (3 * (n_joints - 1)))
        + "\n"
    )
    return path


def seconds_to_read(path):
    start = time.perf_counter()
    recording = read_bvh(path)
    return time.perf_counter() - start, recording


def test_a_20000_joint_chain_reads_in_linear_time(tmp_path):
    small, _ = seconds_to_read(chain_bvh(tmp_path / "small.bvh", 2_000))
    small = min(small, seconds_to_read(tmp_path / "small.bvh")[0])
    large, recording = seconds_to_read(chain_bvh(tmp_path / "large.bvh", 20_000))
    assert recording.positions.shape == (1, 20_000, 3)
    np.testing.assert_allclose(recording.positions[0, -1], [0, 19_999, 0])
    assert recording.skeleton.parents[-1] == 19_998
    # 10 times the joints: about 10 times the time; a quadratic step would take 100 times.
    assert large < 30 * small, (small, large)


def test_a_skeleton_cycle_is_still_named_by_its_first_joint():
    # Joint 0 hangs from a 3-cycle (1 -> 2 -> 3 -> 1) without being on it.
    with pytest.raises(ValueError, match=r"cycle through joint 0 \('a'\)"):
        Skeleton("loop", ["a", "b", "c", "d"], parents=[1, 2, 3, 1])
    long_chain = Skeleton("chain", [f"j{k}" for k in range(50_000)], list(range(-1, 49_999)))
    assert long_chain.bones[-1] == (49_998, 49_999)


# ------------------------------------------------------------------ .ts regression targets
TS = """@problemName toy
@timeStamps false
@missing true
@univariate true
@targetLabel true
@data
1,2,3:0.5
4,?,6:{target}
"""


@pytest.mark.parametrize(
    ("target", "match"),
    [
        ("NaN", r"line 8: target value 'NaN' is not finite"),
        ("inf", r"line 8: target value 'inf' is not finite"),
        ("-Infinity", r"line 8: target value '-Infinity' is not finite"),
        ("1e309", r"line 8: target value '1e309' is not finite"),
        ("1_000", r"line 8: target value '1_000' is not a number"),
    ],
)
def test_ts_regression_targets_must_be_finite(tmp_path, target, match):
    path = tmp_path / "toy.ts"
    path.write_text(TS.format(target=target))
    with pytest.raises(ValueError, match=r"toy\.ts', " + match):
        read_ts(path)


def test_ts_integer_tags_with_too_many_digits_are_refused(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_text(TS.format(target="1").replace("@univariate true", "@dimensions " + "1" * 5000))
    with pytest.raises(ValueError, match=r"toy\.ts', line 4: @dimensions must be followed by one"):
        read_ts(path)


def wide_bvh(path, n_joints, n_frames):
    """A root with one channel and ``n_joints - 1`` children with none: a few bytes per frame,
    but 12 bytes of positions per joint in every frame."""
    children = "".join(
        f"JOINT c{k}\n{{\nOFFSET {k} 1 0\nCHANNELS 0\nEnd Site\n{{\nOFFSET 0 1 0\n}}\n}}\n"
        for k in range(1, n_joints)
    )
    path.write_text(
        "HIERARCHY\nROOT root\n{\nOFFSET 0 0 0\nCHANNELS 1 Xposition\n"
        + children
        + "}\nMOTION\n"
        + f"Frames: {n_frames}\nFrame Time: 0.01\n"
        + "".join(f"{frame % 7}\n" for frame in range(n_frames))
    )
    return path


def test_a_small_bvh_declaring_gigabytes_of_positions_is_refused(tmp_path):
    path = wide_bvh(tmp_path / "wide.bvh", 3_000, 100_000)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ValueError, match=r"wide\.bvh': its 100000 frames of 3000 joints .*GiB"):
        read_bvh(path)


def test_forward_kinematics_in_chunks_gives_the_same_positions(tmp_path, monkeypatch):
    path = wide_bvh(tmp_path / "wide.bvh", 40, 300)
    whole = read_bvh(path, end_sites=True).positions
    monkeypatch.setattr("skgesture.io.bvh._WORKING_BYTES", 96 * 81 * 7)  # 7 frames at a time
    np.testing.assert_array_equal(read_bvh(path, end_sites=True).positions, whole)
    assert np.ptp(whole[:, 0, 0]) == 6  # the root's channel moved it
