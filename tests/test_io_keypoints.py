"""read_keypoints: 2-D keypoints as OpenPose and COCO-style detectors write them, and CSV tables."""

import json
from pathlib import Path

import numpy as np
import pytest

from skgesture.io import load_mocap_folder, read_keypoints, write_mocap_csv
from skgesture.skeleton import COCO_17_SKELETON, get_skeleton

# The COCO person keypoints, in the order of the COCO annotation format.
COCO_NAMES = [
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
]
# The 19 links COCO draws between them (1-based, from the annotation file's "skeleton").
COCO_LINKS = [
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (6, 8),
    (7, 9), (8, 10), (9, 11), (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7),
]  # fmt: skip


def pose(frame, n_keypoints=17):
    """Known keypoints of one frame: x = 10 * keypoint + frame, y = 100 + keypoint."""
    return [[10.0 * k + frame, 100.0 + k, 0.5 + 0.01 * k] for k in range(n_keypoints)]


def openpose_frame(*people):
    """One frame as OpenPose writes it (``--write_json``), people as lists of [x, y, c]."""
    return {
        "version": 1.3,
        "people": [
            {
                "person_id": [-1],
                "pose_keypoints_2d": [value for point in person for value in point],
                "face_keypoints_2d": [],
                "hand_left_keypoints_2d": [],
                "hand_right_keypoints_2d": [],
            }
            for person in people
        ],
    }


def write_openpose(folder, frames):
    folder.mkdir(exist_ok=True)
    for number, frame in frames.items():
        path = folder / f"signer_{number:012d}_keypoints.json"
        path.write_text(json.dumps(frame))
    return folder


def test_an_openpose_folder_gives_known_positions(tmp_path):
    # Files listed out of order, frame 3 absent: frames follow the numbers in the names.
    folder = write_openpose(
        tmp_path / "clip", {2: openpose_frame(pose(2)), 0: openpose_frame(pose(0))}
    )
    write_openpose(folder, {3: openpose_frame(pose(3))})
    recording = read_keypoints(folder, frame_rate=25)
    expected = np.array([pose(frame) for frame in (0, 2, 3)])
    np.testing.assert_array_equal(recording.positions, expected[:, :, :2].astype(np.float32))
    np.testing.assert_allclose(recording.confidences, expected[:, :, 2])
    np.testing.assert_allclose(recording.times, [0, 2 / 25, 3 / 25])
    assert recording.joint_names == COCO_NAMES
    assert recording.skeleton is COCO_17_SKELETON
    assert recording.filename == str(folder)


def test_undetected_points_are_missing_under_the_missing_policy(tmp_path):
    frames = [pose(frame) for frame in range(4)]
    frames[1][9] = [0.0, 0.0, 0.0]  # OpenPose: left wrist not found
    frames[2][9] = [0.0, 0.0, 0.0]
    folder = write_openpose(tmp_path / "clip", {k: openpose_frame(f) for k, f in enumerate(frames)})
    with pytest.raises(ValueError, match=r"2 missing points .* 'left_wrist' in frames 1-2"):
        read_keypoints(folder)
    filled = read_keypoints(folder, missing="interpolate")
    np.testing.assert_allclose(filled.positions[:, 9], [[90, 109], [91, 109], [92, 109], [93, 109]])
    np.testing.assert_allclose(filled.confidences[:, 9], [0.59, 0, 0, 0.59])
    dropped = read_keypoints(folder, missing="drop", frame_rate=10)
    np.testing.assert_allclose(dropped.times, [0, 0.3])
    assert dropped.confidences.shape == (2, 17)


def test_a_confidence_threshold_marks_weak_points(tmp_path):
    folder = write_openpose(tmp_path / "clip", {k: openpose_frame(pose(k)) for k in range(3)})
    # Confidences run from 0.5 (nose) to 0.66 (right ankle): 0.6 makes the last 7 missing.
    with pytest.raises(ValueError, match=r"missing points \(confidence at or below 0\.6"):
        read_keypoints(folder, confidence_threshold=0.6)
    with pytest.raises(ValueError, match="joints missing in every frame cannot be interpolated"):
        read_keypoints(folder, confidence_threshold=0.6, missing="interpolate")


def test_confidences_can_be_kept_as_a_channel(tmp_path):
    folder = write_openpose(tmp_path / "clip", {k: openpose_frame(pose(k)) for k in range(3)})
    recording = read_keypoints(folder, confidence_channel=True)
    assert recording.positions.shape == (3, 17, 3)
    np.testing.assert_array_equal(recording.positions[:, :, 2], recording.confidences)


def test_choosing_the_person(tmp_path):
    weak = [[x + 1000, y, 0.1] for x, y, _ in pose(0)]
    frames = {0: openpose_frame(weak, pose(0)), 1: openpose_frame(pose(1), weak)}
    folder = write_openpose(tmp_path / "clip", frames)
    strongest = read_keypoints(folder, person="most_confident")
    np.testing.assert_allclose(strongest.positions[:, 0], [[0, 100], [1, 100]])
    second = read_keypoints(folder, person=1)
    np.testing.assert_allclose(second.positions[:, 0], [[0, 100], [1000, 100]])
    # Nobody in a frame: every point of that frame is missing.
    write_openpose(folder, {2: openpose_frame()})
    with pytest.raises(ValueError, match="17 missing points"):
        read_keypoints(folder)
    with pytest.raises(ValueError, match="person must be an index"):
        read_keypoints(folder, person=-1)


def test_openpose_body_25_names(tmp_path):
    folder = write_openpose(tmp_path / "clip", {0: openpose_frame(pose(0, 25))})
    recording = read_keypoints(folder)
    assert recording.joint_names[:3] == ["Nose", "Neck", "RShoulder"]
    assert recording.joint_names[-1] == "RHeel"
    names = recording.joint_names
    pairs = {(names[a], names[b]) for a, b in recording.skeleton.mirror_pairs}
    assert ("LWrist", "RWrist") in pairs


def test_one_json_file_holding_a_sequence(tmp_path):
    path = tmp_path / "clip.json"
    path.write_text(json.dumps([openpose_frame(pose(k)) for k in range(3)]))
    recording = read_keypoints(path)
    np.testing.assert_array_equal(recording.positions[2, 1], [12, 101])


def test_coco_results_group_detections_by_image(tmp_path):
    detections = [
        {"image_id": 7, "category_id": 1, "keypoints": sum(pose(7), []), "score": 0.9},
        {"image_id": 5, "category_id": 1, "keypoints": sum(pose(5), []), "score": 0.8},
        {"image_id": 6, "category_id": 1, "keypoints": sum(pose(6), []), "score": 0.8},
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(detections))
    recording = read_keypoints(path)
    np.testing.assert_array_equal(recording.positions[:, 0, 0], [5, 6, 7])


def write_table(path, text):
    path.write_text(text)
    return path


def test_a_flat_csv_table(tmp_path):
    path = write_table(
        tmp_path / "clip.csv",
        "frame,nose_x,nose_y,nose_score,left_eye_x,left_eye_y,left_eye_score\n"
        "0,320.5,110.0,0.91,330.0,100.0,0.88\n"
        "1,321.5,111.0,0.93,,,0\n"
        "2,322.5,112.0,0.90,332.0,102.0,0.85\n",
    )
    with pytest.raises(ValueError, match=r"'left_eye' in frame 1"):
        read_keypoints(path)
    recording = read_keypoints(path, missing="interpolate", frame_rate=50)
    assert recording.joint_names == ["nose", "left_eye"]
    np.testing.assert_allclose(recording.positions[1], [[321.5, 111], [331, 101]])
    np.testing.assert_allclose(recording.times, [0, 0.02, 0.04])
    assert recording.skeleton.joint_names == ("nose", "left_eye")


def test_a_csv_time_column_and_tables_without_confidences(tmp_path):
    path = write_table(tmp_path / "clip.csv", "time;wrist_x;wrist_y\n0.5;1.0;2.0\n0.6;1.5;2.5\n")
    recording = read_keypoints(path)
    np.testing.assert_allclose(recording.times, [0.5, 0.6])
    np.testing.assert_array_equal(recording.confidences, [[1.0], [1.0]])


def test_a_table_written_by_pandas(tmp_path):
    pandas = pytest.importorskip("pandas")
    table = pandas.DataFrame({"nose_x": [1.0, 2.0], "nose_y": [3.0, 4.0], "nose_c": [0.9, 0.8]})
    table.index = [10, 11]
    table.to_csv(tmp_path / "clip.csv")
    recording = read_keypoints(tmp_path / "clip.csv", frame_rate=10)
    np.testing.assert_array_equal(recording.positions[:, 0], [[1, 3], [2, 4]])
    np.testing.assert_allclose(recording.times, [1.0, 1.1])


def test_a_folder_of_keypoint_recordings(tmp_path):
    (tmp_path / "wave.json").write_text(json.dumps([openpose_frame(pose(k)) for k in range(3)]))
    header = ",".join(f"{name}_x,{name}_y,{name}_c" for name in COCO_NAMES)
    rows = [",".join(str(v) for point in pose(k) for v in point) for k in range(4)]
    write_table(tmp_path / "point.csv", "\n".join([header, *rows]) + "\n")
    dataset = load_mocap_folder(tmp_path, pattern=("*.json", "*.csv"))
    assert [Path(name).name for name in dataset.filenames] == ["point.csv", "wave.json"]
    assert [recording.shape for recording in dataset.data] == [(4, 17, 2), (3, 17, 2)]
    np.testing.assert_array_equal(dataset.data[0][:3], dataset.data[1])
    assert dataset.joint_names == COCO_NAMES


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.json", '{"people": [}', r"line 1: is not valid JSON"),
        ("bad.json", '{"people": [{"pose_keypoints_2d": [1, 2]}]}', "not a flat list of x, y"),
        ("bad.json", '{"frames": []}', "has no 'people' list"),
        ("bad.json", '{"people": [{"pose_keypoints_2d": []}]}', r"triplets \(got 0 values\)"),
        ("bad.json", '{"people": [{"pose_keypoints_2d": [1, "a", 1]}]}', "not a number"),
        ("bad.json", '[{"people": []}, {"keypoints": []}]', "neither all OpenPose frames"),
        ("bad.json", '{"people": []}', "nobody was detected"),
        ("bad.json", '[{"image_id": [1], "keypoints": [1, 2, 1]}]', "detection 0 has image_id"),
        ("bad.csv", "frame,nose_x,nose_y,nose_angle\n0,1,2,3\n", "column 'nose_angle' is neither"),
        ("bad.csv", "nose_x,nose_y\n1,two\n", r"line 2, column 2: 'two' is not a number"),
        ("bad.csv", "nose_x,eye_y\n1,2\n", "joint 'nose' has no nose_y column"),
        ("bad.csv", "nose_x,nose_y\n1,2,3\n", "has 3 fields but the header has 2"),
    ],
)
def test_malformed_files_are_refused_naming_them(tmp_path, name, content, match):
    path = write_table(tmp_path / name, content)
    with pytest.raises(ValueError, match=match):
        read_keypoints(path)


def test_frames_from_different_models_are_refused(tmp_path):
    frames = {0: openpose_frame(pose(0, 17)), 1: openpose_frame(pose(1, 25))}
    folder = write_openpose(tmp_path / "clip", frames)
    with pytest.raises(ValueError, match=r"different numbers of keypoints \(\[17, 25\]\)"):
        read_keypoints(folder)


def test_joint_names_can_be_given(tmp_path):
    folder = write_openpose(tmp_path / "clip", {0: openpose_frame(pose(0, 3))})
    assert read_keypoints(folder).joint_names == ["keypoint_0", "keypoint_1", "keypoint_2"]
    named = read_keypoints(folder, joint_names=["head", "lHand", "rHand"])
    assert named.joint_names == ["head", "lHand", "rHand"]
    assert named.skeleton.mirror_pairs == ((1, 2),)
    with pytest.raises(ValueError, match="joint_names must be a list of 3 names"):
        read_keypoints(folder, joint_names=["head"])


# --------------------------------------------------------------------------- COCO-17 topology
def test_coco_17_skeleton_uses_coco_links_and_names():
    skeleton = get_skeleton("coco17")
    assert skeleton is COCO_17_SKELETON
    assert list(skeleton.joint_names) == COCO_NAMES
    links = {frozenset((a - 1, b - 1)) for a, b in COCO_LINKS}
    bones = {frozenset(bone) for bone in skeleton.bones}
    assert len(bones) == 16 and bones <= links  # a tree: the 3 links closing loops left out
    names = skeleton.joint_names
    for left, right in skeleton.mirror_pairs:
        assert names[left].replace("left_", "right_") == names[right]
    assert len(skeleton.mirror_pairs) == 8


def test_a_folder_does_not_mix_2d_and_3d(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([openpose_frame(pose(0))]))
    write_mocap_csv(tmp_path / "b.csv", np.zeros((2, 17, 3)), COCO_NAMES)
    with pytest.raises(ValueError, match=r"b\.csv': has 3 coordinates per joint, but .* has 2"):
        load_mocap_folder(tmp_path, pattern=["*.json", "*.csv"])
