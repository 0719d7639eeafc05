"""Skeleton topologies: bones, joint lookup, mirroring, subsets, inference from names."""

import dataclasses

import numpy as np
import pytest

from skgesture.io.ts import read_ts
from skgesture.skeleton import MOCAPLAB_SKELETON, NATOPS_SKELETON, Skeleton, get_skeleton


def test_natops_skeleton_matches_the_data_order():
    assert NATOPS_SKELETON.joint_names == (
        "hand_tip_left",
        "hand_tip_right",
        "elbow_left",
        "elbow_right",
        "wrist_left",
        "wrist_right",
        "thumb_left",
        "thumb_right",
    )
    named_bones = {
        (NATOPS_SKELETON.joint_names[p], NATOPS_SKELETON.joint_names[c])
        for p, c in NATOPS_SKELETON.bones
    }
    for side in ("left", "right"):
        assert (f"elbow_{side}", f"wrist_{side}") in named_bones
        assert (f"wrist_{side}", f"hand_tip_{side}") in named_bones
        assert (f"wrist_{side}", f"thumb_{side}") in named_bones
    assert len(NATOPS_SKELETON.bones) == 6
    assert NATOPS_SKELETON.up_axis == 1


@pytest.mark.shared
def test_natops_y_is_the_vertical_axis(natops_dir):
    data = np.stack(read_ts(natops_dir / "NATOPS_TRAIN.ts").data).reshape(-1, 51, 8, 3)
    tips, elbows = NATOPS_SKELETON.index(["hand_tip_left", "hand_tip_right"]), [2, 3]
    first_frame = data[:, 0]
    # Arms hang at the start: hand tips lie well below the elbows along the up axis only.
    drop = first_frame[:, elbows] - first_frame[:, tips]
    assert np.all(drop[..., NATOPS_SKELETON.up_axis].mean(axis=0) > 0.8)
    assert np.all(np.abs(drop[..., [0, 2]].mean(axis=0)) < 0.7)


def test_mocaplab_skeleton_shape():
    skeleton = MOCAPLAB_SKELETON
    assert skeleton.n_joints == 79
    assert skeleton.joint_names[:2] == ("abdomenUpper_T_glob", "chestLower_T_glob")
    assert all(name.endswith("_T_glob") for name in skeleton.joint_names)
    # One root (the hip), so 78 bones forming a tree.
    assert [skeleton.joint_names[i] for i, p in enumerate(skeleton.parents) if p < 0] == [
        "hip_T_glob"
    ]
    assert len(skeleton.bones) == 78
    for side in "lr":
        hand = skeleton.index(f"{side}Hand_T_glob")
        below_hand = {c for p, c in skeleton.bones if p == hand}
        fingers = [n for n in skeleton.joint_names if n.startswith(side) and _is_finger(n)]
        assert len(fingers) + 1 == 20  # the hand and its 19 joints
        assert skeleton.index(f"{side}Thumb1_T_glob") in below_hand
    assert skeleton.parents[skeleton.index("lIndex1_T_glob")] == skeleton.index("lCarpal1_T_glob")
    assert skeleton.up_axis == 1 and skeleton.forward_axis == 2


def _is_finger(name):
    return any(part in name for part in ("Carpal", "Thumb", "Index", "Mid", "Ring", "Pinky"))


def test_mirror_permutation_swaps_twins_and_is_an_involution():
    for skeleton in (NATOPS_SKELETON, MOCAPLAB_SKELETON):
        permutation = skeleton.mirror_permutation()
        assert sorted(permutation) == list(range(skeleton.n_joints))
        np.testing.assert_array_equal(permutation[permutation], np.arange(skeleton.n_joints))
        for left, right in skeleton.mirror_pairs:
            assert permutation[left] == right
            assert _twin(skeleton.joint_names[left]) == skeleton.joint_names[right]
    head = MOCAPLAB_SKELETON.index("head_T_glob")
    assert MOCAPLAB_SKELETON.mirror_permutation()[head] == head


def _twin(name):
    return name.replace("left", "right") if "left" in name else "r" + name.removeprefix("l")


def test_mirrored_recording_swaps_hands():
    recording = np.random.default_rng(0).normal(size=(5, 8, 3))
    mirrored = recording[:, NATOPS_SKELETON.mirror_permutation()]
    np.testing.assert_array_equal(mirrored[:, 0], recording[:, 1])
    np.testing.assert_array_equal(mirrored[:, 7], recording[:, 6])


def test_index_of_names_and_unknown_name():
    assert NATOPS_SKELETON.index("elbow_left") == 2
    np.testing.assert_array_equal(NATOPS_SKELETON.index(["thumb_right", "elbow_left"]), [7, 2])
    with pytest.raises(ValueError, match=r"'elbow' is not a joint.*Did you mean 'elbow_left'"):
        NATOPS_SKELETON.index("elbow")


def test_subset_rewires_to_the_nearest_kept_ancestor():
    subset = NATOPS_SKELETON.subset(["elbow_right", "hand_tip_right", "hand_tip_left"])
    assert subset.joint_names == ("elbow_right", "hand_tip_right", "hand_tip_left")
    # The right wrist is gone: the hand tip hangs from the elbow; the left tip loses its chain.
    assert subset.parents == (-1, 0, -1)
    assert subset.mirror_pairs == ((2, 1),)  # (left, right), renumbered; the elbow lost its twin
    both_tips = NATOPS_SKELETON.subset([1, 0])
    assert both_tips.mirror_pairs == ((1, 0),)
    np.testing.assert_array_equal(both_tips.mirror_permutation(), [1, 0])

    hands = MOCAPLAB_SKELETON.subset(["chestUpper_T_glob", "lHand_T_glob", "rHand_T_glob"])
    assert hands.parents == (-1, 0, 0)
    assert hands.mirror_pairs == ((1, 2),)


@pytest.mark.parametrize(
    ("joints", "message"),
    [
        (["wrist_left", "wrist_left"], "more than once"),
        ([], "at least one joint"),
        ([8], "out of range"),
        (["ankle"], "'ankle' is not a joint"),
        ([1.5], "names or indices"),
    ],
)
def test_subset_rejects_bad_selections(joints, message):
    with pytest.raises(ValueError, match=message):
        NATOPS_SKELETON.subset(joints)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["lHand_T_glob", "rHand_T_glob", "head_T_glob"], ((0, 1),)),
        (["hand_tip_left", "hand_tip_right", "ring"], ((0, 1),)),
        (["RightArm", "LeftArm", "Spine"], ((1, 0),)),
        (["Foot_R", "Foot_L", "foot.l", "foot.r"], ((1, 0), (2, 3))),
        (["left_knee", "RIGHT_KNEE"], ((0, 1),)),
        (["HandTipLeft", "HandTipRight", "ShoulderLeft", "ShoulderRight"], ((0, 1), (2, 3))),
        # A lone side, or names that only look like sides, pair with nothing.
        (["lHand", "ring", "root", "Lhand"], ()),
    ],
)
def test_from_joint_names_infers_mirror_pairs(names, expected):
    skeleton = Skeleton.from_joint_names(names)
    assert skeleton.mirror_pairs == expected
    assert skeleton.parents == (-1,) * len(names)
    assert skeleton.up_axis == 1


def test_from_joint_names_takes_bones_of_a_known_skeleton():
    names = ["rHand_T_glob", "rForearmBend_T_glob", "lHand_T_glob", "lForearmBend_T_glob"]
    skeleton = Skeleton.from_joint_names(names, up_axis=2)
    # The forearm twist between elbow and hand is absent, so each hand hangs from its elbow.
    assert skeleton.parents == (1, -1, 3, -1)
    assert skeleton.mirror_pairs == ((2, 0), (3, 1))
    assert skeleton.up_axis == 2
    assert Skeleton.from_joint_names(NATOPS_SKELETON.joint_names).bones == NATOPS_SKELETON.bones


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"joint_names": ["a", "b", "a"]}, "duplicate joint name 'a' at indices 0 and 2"),
        ({"joint_names": []}, "joint_names is empty"),
        ({"joint_names": ["a", ""]}, r"joint_names\[1\]"),
        ({"parents": [-1, 5, 0]}, r"parents\[1\] = 5"),
        ({"parents": [-1, 1, 0]}, r"parents\[1\] = 1"),
        ({"parents": [-1, 0]}, "parents has 2 entries but there are 3 joints"),
        ({"parents": [2, 0, 1]}, "cycle through joint 0"),
        ({"parents": [-1, 0.5, 0]}, "must hold integers"),
        ({"mirror_pairs": [(0, 3)]}, r"mirror_pairs\[0\] = \(0, 3\) holds 3"),
        ({"mirror_pairs": [(0, 1), (1, 2)]}, r"mirror_pairs\[0\] and mirror_pairs\[1\]"),
        ({"mirror_pairs": [(1, 1)]}, "pairs a joint with itself"),
        ({"mirror_pairs": [(0, 1, 2)]}, "is not a"),
        ({"up_axis": 3}, "up_axis=3"),
        ({"forward_axis": 1}, "forward_axis=1"),
    ],
)
def test_invalid_skeletons_are_refused(kwargs, message):
    arguments = {"name": "bad", "joint_names": ["a", "b", "c"]} | kwargs
    with pytest.raises(ValueError, match=message):
        Skeleton(**arguments)


def test_skeleton_is_immutable_hashable_and_normalised():
    skeleton = Skeleton("arm", ["shoulder", "elbow"], parents=np.array([-1, 0]))
    assert skeleton.parents == (-1, 0) and isinstance(skeleton.parents[1], int)
    assert hash(skeleton) == hash(Skeleton("arm", ("shoulder", "elbow"), (-1, 0)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        skeleton.up_axis = 2
    assert "n_joints=2" in repr(skeleton)


def test_get_skeleton():
    assert get_skeleton("NATOPS") is NATOPS_SKELETON
    assert get_skeleton("mocaplab") is MOCAPLAB_SKELETON
    with pytest.raises(ValueError, match="Unknown skeleton 'kinect'.*'mocaplab', 'natops'"):
        get_skeleton("kinect")
