"""read_bvh: joint positions by forward kinematics, checked on hand-built and real CMU files."""

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skgesture.io import load_mocap_folder, read_bvh, write_mocap_csv

DATA = Path(__file__).parent / "data"
CMU = DATA / "cmu_01_04_head.bvh"

# An arm: a root that moves and turns about Z, a 6-channel shoulder (a joint with its own
# position channels), an elbow whose rotation order differs, a wrist without channels, and
# end sites. Tabs, a namespace in the names and a frame time written as ".0083333".
ARM = """HIERARCHY
ROOT rig:Hips
{
\tOFFSET 0 0 0
\tCHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
\tJOINT rig:Shoulder
\t{
\t\tOFFSET 0 10 0
\t\tCHANNELS 6 Xposition Yposition Zposition Xrotation Yrotation Zrotation
\t\tJOINT rig:Elbow
\t\t{
\t\t\tOFFSET 3 0 0
\t\t\tCHANNELS 3 Yrotation Xrotation Zrotation
\t\t\tJOINT rig:Wrist
\t\t\t{
\t\t\t\tOFFSET 2 0 0
\t\t\t\tCHANNELS 0
\t\t\t\tEnd Site
\t\t\t\t{
\t\t\t\t\tOFFSET 1 0 0
\t\t\t\t}
\t\t\t}
\t\t}
\t}
\tEnd Site
\t{
\t\tOFFSET 0 -1 0
\t}
}
MOTION
Frames: 3
Frame Time: .0083333
{frames}
"""
#          root pos  root rot(ZYX)  shoulder pos  shoulder rot(XYZ)  elbow rot(YXZ)
ARM_FRAMES = [
    "0 0 0     0 0 0     0 0 0    0 0 0      0 0 0",
    "5 0 0     90 0 0    0 0 0    0 0 0      0 0 0",
    "0 0 0     0 0 0     1 0 0    0 0 90     0 0 -90",
]
# Known exactly, by hand:
# frame 0, the rest pose: hips at the origin, shoulder 10 up, elbow 3 and wrist 5 along x.
# frame 1: moved 5 along x, turned 90 degrees about z, so x becomes y and y becomes -x.
# frame 2: the shoulder shifted 1 along x by its own channel and turned 90 degrees about z
# (the upper arm points up), then the elbow turned back by -90 (the forearm points along x).
ARM_POSITIONS = np.array(
    [
        [[0, 0, 0], [0, 10, 0], [3, 10, 0], [5, 10, 0], [6, 10, 0], [0, -1, 0]],
        [[5, 0, 0], [-5, 0, 0], [-5, 3, 0], [-5, 5, 0], [-5, 6, 0], [6, 0, 0]],
        [[0, 0, 0], [1, 10, 0], [1, 13, 0], [3, 13, 0], [4, 13, 0], [0, -1, 0]],
    ]
)


def write(path, text, newline="\n"):
    with open(path, "w", encoding="utf-8", newline=newline) as file:
        file.write(text)
    return path


@pytest.fixture
def arm(tmp_path):
    return write(tmp_path / "arm.bvh", ARM.replace("{frames}", "\n".join(ARM_FRAMES)))


def test_hand_built_arm_positions_are_exact(arm):
    recording = read_bvh(arm, end_sites=True)
    assert recording.joint_names == [
        "rig:Hips",
        "rig:Shoulder",
        "rig:Elbow",
        "rig:Wrist",
        "rig:Wrist_End",
        "rig:Hips_End",
    ]
    np.testing.assert_allclose(recording.positions, ARM_POSITIONS, atol=1e-5)
    assert recording.positions.dtype == np.float32
    assert recording.frame_time == pytest.approx(0.0083333)
    np.testing.assert_allclose(recording.times, [0, 0.0083333, 0.0166666])
    assert recording.filename == str(arm)


def test_end_sites_are_optional_and_do_not_move_the_joints(arm):
    with_sites = read_bvh(arm, end_sites=True)
    without = read_bvh(arm)
    assert without.joint_names == with_sites.joint_names[:4]
    np.testing.assert_array_equal(without.positions, with_sites.positions[:, :4])


def test_the_skeleton_comes_from_the_hierarchy(arm):
    skeleton = read_bvh(arm, end_sites=True).skeleton
    assert skeleton.parents == (-1, 0, 1, 2, 3, 0)
    assert skeleton.bones == [(0, 1), (1, 2), (2, 3), (3, 4), (0, 5)]
    assert skeleton.up_axis == 1


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends(tmp_path, newline):
    path = write(tmp_path / "arm.bvh", ARM.replace("{frames}", "\n".join(ARM_FRAMES)), newline)
    np.testing.assert_allclose(read_bvh(path).positions, ARM_POSITIONS[:, :4], atol=1e-5)


def test_joint_names_with_spaces_and_braces_on_the_name_line(tmp_path):
    # 3ds Max writes "Bip01 L Thigh"; some writers put the brace after the name.
    text = (
        arm_text()
        .replace("rig:Elbow\n\t\t{", "Bip01 L  Forearm {")
        .replace("ROOT rig:Hips", "ROOT Bip01")
    )
    recording = read_bvh(write(tmp_path / "biped.bvh", text))
    assert recording.joint_names == ["Bip01", "rig:Shoulder", "Bip01 L Forearm", "rig:Wrist"]
    np.testing.assert_allclose(recording.positions, ARM_POSITIONS[:, :4], atol=1e-5)


def test_blank_lines_after_motion_are_skipped(tmp_path):
    text = ARM.replace("{frames}", "\n\n".join(ARM_FRAMES)).replace("MOTION\n", "MOTION\n\n")
    recording = read_bvh(write(tmp_path / "arm.bvh", text))
    np.testing.assert_allclose(recording.positions, ARM_POSITIONS[:, :4], atol=1e-5)


@pytest.mark.parametrize("n_declared", [2, 5])
def test_a_frame_count_that_disagrees_is_reported_and_the_data_read(tmp_path, n_declared):
    text = ARM.replace("{frames}", "\n".join(ARM_FRAMES)).replace(
        "Frames: 3", f"Frames: {n_declared}"
    )
    path = write(tmp_path / "arm.bvh", text)
    with pytest.warns(UserWarning, match=f"announces {n_declared} frames but the file holds 3"):
        recording = read_bvh(path)
    assert len(recording.positions) == 3


def test_left_and_right_joints_are_paired():
    skeleton = read_bvh(CMU).skeleton
    names = skeleton.joint_names
    pairs = {(names[left], names[right]) for left, right in skeleton.mirror_pairs}
    assert ("LeftHand", "RightHand") in pairs
    assert ("LHipJoint", "RHipJoint") in pairs


# ----------------------------------------------------------- a real file, checked independently
def reference_positions(path):
    """Joint positions of a BVH file, written from scratch with scipy's Rotation.

    One joint at a time: the rotation of each ancestor (Euler angles in the order of its
    CHANNELS line, intrinsic, degrees) and each ancestor's offset (plus its position channels).
    """
    words = Path(path).read_text().split()
    motion = words.index("MOTION")
    joints, stack, channels_of = [], [], []
    k = 0
    while k < motion:
        word = words[k]
        if word in ("ROOT", "JOINT"):
            joints.append({"name": words[k + 1], "parent": stack[-1] if stack else None})
            k += 2
        elif word == "End":
            joints.append({"name": None, "parent": stack[-1], "channels": []})
            k += 2
        elif word == "{":
            stack.append(len(joints) - 1)
            k += 1
        elif word == "}":
            stack.pop()
            k += 1
        elif word == "OFFSET":
            joints[-1]["offset"] = np.array(words[k + 1 : k + 4], dtype=float)
            k += 4
        elif word == "CHANNELS":
            count = int(words[k + 1])
            joints[-1]["channels"] = words[k + 2 : k + 2 + count]
            k += 2 + count
        else:
            k += 1
    frames_at = motion + 6  # MOTION Frames: n Frame Time: t
    n_channels = sum(len(joint["channels"]) for joint in joints)
    values = np.array(words[frames_at:], dtype=float).reshape(-1, n_channels)
    start = 0
    for joint in joints:
        channels_of.append((start, joint["channels"]))
        start += len(joint["channels"])

    def local(joint_index, frame):
        first, channels = channels_of[joint_index]
        frame_values = dict(zip(channels, values[frame, first : first + len(channels)]))
        shift = [frame_values.get(f"{axis}position", 0.0) for axis in "XYZ"]
        order = "".join(name[0] for name in channels if name.endswith("rotation"))
        angles = [frame_values[f"{axis}rotation"] for axis in order]
        rotation = (
            Rotation.from_euler(order, angles, degrees=True) if order else Rotation.identity()
        )
        return joints[joint_index]["offset"] + shift, rotation

    positions = np.zeros((len(values), len(joints), 3))
    for frame in range(len(values)):
        for index in range(len(joints)):
            chain = [index]
            while joints[chain[-1]]["parent"] is not None:
                chain.append(joints[chain[-1]]["parent"])
            position, rotation = np.zeros(3), Rotation.identity()
            for ancestor in reversed(chain):
                translation, turn = local(ancestor, frame)
                position = position + rotation.apply(translation)
                rotation = rotation * turn
            positions[frame, index] = position
    names = [joint["name"] for joint in joints]
    return positions, names


def test_cmu_recording_matches_an_independent_computation():
    expected, names = reference_positions(CMU)
    recording = read_bvh(CMU)
    named = [k for k, name in enumerate(names) if name is not None]
    assert recording.joint_names == [names[k] for k in named]
    assert recording.positions.shape == (37, 31, 3)
    np.testing.assert_allclose(recording.positions, expected[:, named], atol=1e-4)
    # The end sites, in the order of the file, after the joints.
    sites = [k for k, name in enumerate(names) if name is None]
    with_sites = read_bvh(CMU, end_sites=True)
    np.testing.assert_allclose(with_sites.positions[:, 31:], expected[:, sites], atol=1e-4)
    assert with_sites.joint_names[31:] == [
        "LeftToeBase_End",
        "RightToeBase_End",
        "Head_End",
        "LeftHandIndex1_End",
        "LThumb_End",
        "RightHandIndex1_End",
        "RThumb_End",
    ]


def test_cmu_recording_looks_like_a_person():
    recording = read_bvh(CMU)
    frame = recording.positions[10]
    joint = {name: frame[k] for k, name in enumerate(recording.joint_names)}
    # Y is up in CMU files: the head is above the hips, the hips above the feet.
    assert joint["Head"][1] > joint["Hips"][1] > joint["LeftFoot"][1]
    # Bones keep their length in every frame (rigid forward kinematics).
    lengths = np.linalg.norm(
        recording.positions[:, 3] - recording.positions[:, 2], axis=1
    )  # LeftLeg - LeftUpLeg
    np.testing.assert_allclose(lengths, np.linalg.norm([2.44811, -6.72613, 0.0]), rtol=1e-5)
    assert recording.frame_time == pytest.approx(1 / 120, rel=1e-4)


# ------------------------------------------------------------------------------ a folder
def test_a_folder_mixing_bvh_and_csv_files(tmp_path, arm):
    folder = tmp_path / "takes"
    folder.mkdir()
    write(folder / "a.bvh", arm.read_text())
    recording = read_bvh(arm)
    write_mocap_csv(folder / "b.csv", recording.positions, recording.joint_names)
    dataset = load_mocap_folder(folder, pattern=("*.bvh", "*.csv"))
    assert [Path(name).name for name in dataset.filenames] == ["a.bvh", "b.csv"]
    np.testing.assert_allclose(dataset.data[0], dataset.data[1], atol=1e-6)
    np.testing.assert_allclose(dataset.times[0], recording.times)
    assert dataset.skeleton.parents == recording.skeleton.parents  # from a.bvh, the first


# --------------------------------------------------------------------------- bad files
def arm_text():
    return ARM.replace("{frames}", "\n".join(ARM_FRAMES))


def arm_with(old, new):
    text = arm_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "Zrotation Yrotation Xrotation",
            "Zrotation Yrotation Wrotation",
            r"line 5: 'Wrotation' is not a channel",
        ),
        ("CHANNELS 0", "CHANNELS x", r"line 17: 'x' is not a number of channels"),
        (
            "OFFSET 3 0 0",
            "OFFSET 3 zero 0",
            r"line 12: 'zero' is not a number \(expected the y offset\)",
        ),
        (
            "JOINT rig:Elbow",
            "JOINT rig:Shoulder",
            r"line 10: joint name 'rig:Shoulder' appears twice",
        ),
        ("MOTION", "MOTON", "has no MOTION line"),
        ("HIERARCHY", "HIERARCHIE", r"line 1: expected 'HIERARCHY', found 'HIERARCHIE'"),
        ("\t\t\t\t}\n\t\t\t}\n", "\t\t\t\t}\n", "the hierarchy ends where"),
        ("Frames: 3", "Frames: three", r"line 31: the number of frames 'three' is not a whole"),
        ("Frame Time: .0083333", "Frame Time: 0", r"line 32: the frame time '0' is not a positive"),
        ("Frame Time: .0083333", "FrameTime .0083333", r"line 32: expected 'Frame Time:'"),
        (
            "90 0 0    0 0 0    0 0 0",
            "90 0 0    0 0 0    0 0",
            r"line 34: this frame has 14 values but the hierarchy has 15 channels",
        ),
        ("90 0 0    0 0 0", "90 0 x    0 0 0", r"line 34, column 6: 'x' is not a number"),
        ("90 0 0    0 0 0", "90 0 nan    0 0 0", r"line 34, column 6: 'nan' is not finite"),
    ],
)
def test_malformed_files_are_refused_naming_the_line(tmp_path, old, new, match):
    path = write(tmp_path / "bad.bvh", arm_with(old, new))
    with pytest.raises(ValueError, match=match):
        read_bvh(path)


def test_a_hierarchy_deeper_than_python_recursion(tmp_path):
    n_joints = 1500
    joints = "".join(
        f"JOINT j{k}\n{{\nOFFSET 0 1 0\nCHANNELS 1 Zrotation\n" for k in range(1, n_joints)
    )
    text = (
        "HIERARCHY\nROOT j0\n{\nOFFSET 0 0 0\nCHANNELS 0\n"
        + joints
        + "}\n" * n_joints
        + "MOTION\nFrames: 1\nFrame Time: 0.01\n"
        + " ".join(["0"] * (n_joints - 1))
    )
    recording = read_bvh(write(tmp_path / "chain.bvh", text))
    np.testing.assert_allclose(recording.positions[0, -1], [0, n_joints - 1, 0])


def test_a_file_without_frames_is_refused(tmp_path):
    text = ARM.replace("{frames}", "")
    with pytest.raises(ValueError, match=r"has no frames \(the header announces 3\)"):
        read_bvh(write(tmp_path / "empty.bvh", text))


def test_end_sites_must_be_a_bool(arm):
    with pytest.raises(TypeError, match="end_sites must be True or False"):
        read_bvh(arm, end_sites="yes")
