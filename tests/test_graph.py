"""Skeleton graphs: the graph convolutional network, its adjacency, and bones inferred from data."""

import math

import numpy as np
import pytest
import torch
from _tiny import random_padded_batch

from skgesture.datasets import load_natops, make_gestures
from skgesture.nn import GraphCNN
from skgesture.nn.graph import PARTITIONS, partitioned_adjacency
from skgesture.skeleton import MOCAPLAB_SKELETON, NATOPS_SKELETON, infer_skeleton

N_COORDS, N_CLASSES = 3, 4
#: A small tree: 0 is the root, 1-2-3 and 4-5 are two limbs, 6 hangs from 0.
PARENTS = (-1, 0, 1, 2, 0, 4, 0)
N_JOINTS = len(PARENTS)


def small_network(**params):
    return GraphCNN(N_JOINTS, N_COORDS, N_CLASSES, parents=PARENTS, n_filters=6, **params)


def padded_batch(lengths, n_frames=None, seed=0):
    """Random recordings of this file's sizes, zero after each length."""
    return random_padded_batch(lengths, N_JOINTS, N_COORDS, n_frames=n_frames, seed=seed)


def bone_set(skeleton_or_parents):
    parents = getattr(skeleton_or_parents, "parents", skeleton_or_parents)
    return {frozenset((parent, child)) for child, parent in enumerate(parents) if parent >= 0}


# ----------------------------------------------------------------------------- the network
def test_graph_cnn_gives_one_score_per_class():
    network = small_network()
    x, lengths = padded_batch([9, 4, 1])
    assert network(x, lengths).shape == (3, N_CLASSES)


def test_last_conv_resolves_joints_on_strided_frames():
    network = small_network()  # default strides (2, 2, 1): a quarter of the frames
    outputs = []
    handle = network.last_conv.register_forward_hook(lambda m, i, out: outputs.append(out))
    try:
        network(*padded_batch([17, 3]))
    finally:
        handle.remove()
    assert outputs[0].shape == (2, 6, math.ceil(17 / 4), N_JOINTS)


@pytest.mark.parametrize("strides", [None, (1, 2, 2), (3, 1, 2)])
def test_scores_do_not_depend_on_padding_or_batch(strides):
    torch.manual_seed(0)
    network = small_network(strides=strides)
    x, lengths = padded_batch([13, 7, 30, 1])
    network.train()
    network(x, lengths)  # one training step's worth of batch statistics
    network.eval()
    with torch.no_grad():
        together = network(x, lengths)
        for i, length in enumerate(lengths.tolist()):
            alone = network(x[i : i + 1, :length], lengths[i : i + 1])
            torch.testing.assert_close(alone[0], together[i], rtol=0, atol=1e-5)
        longer = torch.cat([x, torch.zeros(4, 21, N_JOINTS, N_COORDS)], dim=1)
        torch.testing.assert_close(network(longer, lengths), together, rtol=0, atol=1e-5)


def test_padded_frames_are_never_read_even_in_training():
    torch.manual_seed(0)
    network = small_network(dropout=0.0).train()
    x, lengths = padded_batch([11, 5])
    garbage = x.clone()
    garbage[1, 5:] = 100.0
    torch.testing.assert_close(network(garbage, lengths), network(x, lengths))


def test_gradients_reach_every_parameter_and_no_padded_frame():
    torch.manual_seed(0)
    network = small_network().train()
    x, lengths = padded_batch([12, 6, 9])
    x.requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(network(x, lengths), torch.tensor([0, 1, 3]))
    loss.backward()
    for name, parameter in network.named_parameters():
        assert parameter.grad is not None and torch.isfinite(parameter.grad).all(), name
        assert parameter.grad.abs().sum() > 0, name
    assert torch.all(x.grad[1, 6:] == 0)
    assert x.grad[1, :6].abs().sum() > 0


def test_the_adjacency_offset_learns_links_between_joints():
    network = small_network()
    offsets = [name for name, _ in network.named_parameters() if name.endswith("offset")]
    assert len(offsets) == 3  # one per block
    assert network.last_conv.spatial.offset.shape == (len(PARTITIONS), N_JOINTS, N_JOINTS)
    assert "last_conv.spatial.adjacency" not in network.state_dict()  # rebuilt from parents


def test_graph_cnn_without_bones_still_classifies():
    network = GraphCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=4, n_blocks=1)
    assert network(*padded_batch([5, 2])).shape == (2, N_CLASSES)
    torch.testing.assert_close(
        network.last_conv.spatial.adjacency, partitioned_adjacency((-1,) * N_JOINTS)
    )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"parents": (-1, 0)}, "parents has 2 entries but there are 7 joints"),
        ({"parents": PARENTS, "kernel_size": 4}, "kernel_size=4 must be odd"),
        ({"parents": PARENTS, "n_blocks": 0}, "at least one block"),
        ({"parents": PARENTS, "strides": (2, 2)}, "one positive stride for each of the 3"),
        ({"parents": PARENTS, "strides": (2, 0, 1)}, "one positive stride"),
    ],
)
def test_graph_cnn_rejects_bad_sizes(params, match):
    with pytest.raises(ValueError, match=match):
        GraphCNN(N_JOINTS, N_COORDS, N_CLASSES, **params)


# --------------------------------------------------------------------------- the adjacency
def test_adjacency_averages_each_joint_with_its_neighbours():
    adjacency = partitioned_adjacency(PARENTS).numpy()
    assert adjacency.shape == (3, N_JOINTS, N_JOINTS) and adjacency.dtype == np.float32
    neighbours = np.zeros(N_JOINTS)
    for child, parent in enumerate(PARENTS):
        if parent >= 0:
            neighbours[parent] += 1
            neighbours[child] += 1
    np.testing.assert_allclose(adjacency.sum(axis=(0, 2)), 1.0, rtol=1e-6)  # rows sum to 1
    self_part, inward, outward = adjacency
    np.testing.assert_allclose(self_part, np.diag(1 / (1 + neighbours)), rtol=1e-6)
    for child, parent in enumerate(PARENTS):
        if parent >= 0:
            assert inward[parent, child] == pytest.approx(1 / (1 + neighbours[parent]))
            assert outward[child, parent] == pytest.approx(1 / (1 + neighbours[child]))
    # The partitions never share a link, and outward links are the inward ones reversed.
    supports = adjacency > 0
    assert supports.sum(axis=0).max() == 1
    np.testing.assert_array_equal(supports[2], supports[1].T)
    assert supports[1].sum() == len(bone_set(PARENTS))


def test_adjacency_of_a_forest_with_a_joint_without_bones():
    adjacency = partitioned_adjacency((-1, 0, -1, 2, -1))  # two bones, joint 4 alone
    np.testing.assert_allclose(adjacency.sum(0).sum(1).numpy(), 1.0, rtol=1e-6)
    assert adjacency[0, 4, 4] == 1 and adjacency[:, 4].sum() == 1 and adjacency[:, :, 4].sum() == 1
    assert adjacency[1, 0, 1] == 0.5 and adjacency[2, 3, 2] == 0.5
    assert adjacency[:, :2, 2:].sum() == 0  # no link between the two trees


@pytest.mark.parametrize(
    ("parents", "match"),
    [
        ((), "parents is empty"),
        ((-1, 2), r"parents\[1\] = 2 is not -1 or another joint's index in \[0, 2\)"),
        ((-1, 1), r"parents\[1\] = 1"),
        ((1, 2, 0), "cycle through joint 0"),
        ((-1, 0.5), "sequence of integers"),
    ],
)
def test_adjacency_rejects_invalid_parents(parents, match):
    with pytest.raises(ValueError, match=match):
        partitioned_adjacency(parents)


# ---------------------------------------------------------------- bones inferred from data
def articulated_recordings(parents, n_recordings=4, n_frames=40, noise=0.0, seed=0):
    """Forward kinematics: every bone turns about its parent joint; bones keep their length.

    Each bone has its own rotation, so that no two bones move rigidly together (siblings
    included) and the bones are the only pairs at constant distance.
    """
    rng = np.random.default_rng(seed)
    n_joints = len(parents)
    bones = rng.normal(size=(n_joints, 3))
    bones *= rng.uniform(1, 5, size=(n_joints, 1)) / np.linalg.norm(bones, axis=1, keepdims=True)
    depth = [0] * n_joints
    for joint in range(n_joints):
        ancestor = parents[joint]
        while ancestor >= 0:
            depth[joint], ancestor = depth[joint] + 1, parents[ancestor]
    recordings = []
    for _ in range(n_recordings):
        times = np.linspace(0, 2 * np.pi, n_frames)[:, None]
        angles = rng.uniform(0.3, 1.2, (1, n_joints)) * np.sin(
            times * rng.uniform(0.5, 2, (1, n_joints)) + rng.uniform(0, 6, (1, n_joints))
        )  # (frames, joints)
        axes = rng.normal(size=(n_joints, 3))
        axes /= np.linalg.norm(axes, axis=1, keepdims=True)
        positions = np.zeros((n_frames, n_joints, 3))
        rotations = np.zeros((n_frames, n_joints, 3, 3))
        for joint in np.argsort(depth, kind="stable"):  # parents first
            rotation = _rotations(axes[joint], angles[:, joint])
            parent = parents[joint]
            if parent < 0:
                rotations[:, joint] = rotation
                positions[:, joint] = rng.normal(size=3)
            else:
                rotations[:, joint] = rotations[:, parent] @ rotation
                positions[:, joint] = positions[:, parent] + rotations[:, joint] @ bones[joint]
        recordings.append(positions + rng.normal(0, noise, positions.shape))
    return recordings


def _rotations(axis, angles):
    x, y, z = axis
    cross = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    sin, cos = np.sin(angles)[:, None, None], np.cos(angles)[:, None, None]
    return np.eye(3) + sin * cross + (1 - cos) * cross @ cross


def test_infer_skeleton_recovers_a_rigid_chain_exactly():
    chain = (-1, 0, 1, 2, 3, 4)
    order = np.array([3, 0, 5, 1, 4, 2])  # joints in a shuffled order
    recordings = [recording[:, order] for recording in articulated_recordings(chain)]
    true_bones = {
        frozenset((int(np.flatnonzero(order == a)[0]), int(np.flatnonzero(order == b)[0])))
        for a, b in bone_set(chain)
    }
    skeleton = infer_skeleton(recordings)
    assert bone_set(skeleton) == true_bones
    assert skeleton.parents.count(-1) == 1
    assert skeleton.joint_names == tuple(f"joint {j}" for j in range(6))
    assert skeleton.name == "inferred"


def test_infer_skeleton_ignores_missing_values():
    recordings = articulated_recordings(PARENTS, noise=0.01)
    rng = np.random.default_rng(1)
    for recording in recordings:
        recording[rng.random(recording.shape[:2]) < 0.2] = np.nan  # 20% of the joints' frames
    assert bone_set(infer_skeleton(recordings)) == bone_set(PARENTS)


def test_infer_skeleton_recovers_an_articulated_body():
    recordings = articulated_recordings(MOCAPLAB_SKELETON.parents, n_recordings=3, noise=0.05)
    skeleton = infer_skeleton(recordings, joint_names=MOCAPLAB_SKELETON.joint_names)
    assert bone_set(skeleton) == bone_set(MOCAPLAB_SKELETON)  # all 78 bones
    assert skeleton.mirror_pairs == MOCAPLAB_SKELETON.mirror_pairs  # from the names


def test_infer_skeleton_finds_most_bones_of_synthetic_gestures():
    # make_gestures holds rigid groups of joints (trunk and legs, carpals), among which any
    # tree fits the distances, so only part of the bones can be told apart.
    data = make_gestures(n_samples=20, random_state=0)
    skeleton = infer_skeleton(data.data, joint_names=data.joint_names, name="gestures")
    recovered = len(bone_set(skeleton) & bone_set(MOCAPLAB_SKELETON)) / len(MOCAPLAB_SKELETON.bones)
    assert recovered > 0.5
    assert skeleton.name == "gestures" and skeleton.n_joints == 79
    assert skeleton.parents.count(-1) == 1  # one tree


def test_infer_skeleton_on_natops_links_each_arm():
    X = load_natops("train", return_X_y=True)[0]
    skeleton = infer_skeleton(X, joint_names=NATOPS_SKELETON.joint_names)
    assert len(bone_set(skeleton) & bone_set(NATOPS_SKELETON)) >= 4  # elbow-wrist of both arms
    assert skeleton.joint_names[skeleton.parents.index(-1)].startswith("elbow")


def test_joints_never_seen_together_form_separate_trees():
    first, second = articulated_recordings((-1, 0, 1), n_recordings=2)
    first = np.concatenate([first, np.full_like(first, np.nan)], axis=1)  # joints 0-2 only
    second = np.concatenate([np.full_like(second, np.nan), second], axis=1)  # joints 3-5 only
    skeleton = infer_skeleton([first, second])
    assert skeleton.parents.count(-1) == 2
    assert bone_set(skeleton) == {frozenset(b) for b in [(0, 1), (1, 2), (3, 4), (4, 5)]}


def test_infer_skeleton_reads_dense_padded_datasets():
    recordings = articulated_recordings(PARENTS)
    dense = np.stack(recordings)  # (recordings, frames, joints, coords)
    assert bone_set(infer_skeleton(dense)) == bone_set(PARENTS)


@pytest.mark.parametrize(
    ("recordings", "match"),
    [
        ([np.zeros((5, 1, 3))], "at least 2 joints"),
        ([np.zeros((0, 4, 3))], "0 frames"),
        ([], "empty list of recordings"),
    ],
)
def test_infer_skeleton_rejects_data_without_bones(recordings, match):
    with pytest.raises(ValueError, match=match):
        infer_skeleton(recordings)


def test_infer_skeleton_names_joints_that_are_never_observed():
    recording = np.random.default_rng(0).normal(size=(6, 4, 3))
    recording[:, 2] = np.nan
    with pytest.raises(ValueError, match=r"Joints \['c'\] have no observed value"):
        infer_skeleton([recording], joint_names=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="joint_names has 3 names but the recordings have 4"):
        infer_skeleton([np.ones((6, 4, 3))], joint_names=["a", "b", "c"])


def test_many_joints_take_the_sparse_path_with_the_same_result(monkeypatch):
    from skgesture.nn import graph

    torch.manual_seed(0)
    parents = [-1] + [int(torch.randint(0, i, (1,))) for i in range(1, 300)]
    adjacency = graph.partitioned_adjacency(parents)
    sparse = graph.GraphConv(4, 5, adjacency)
    assert not sparse.dense and not any(name == "offset" for name, _ in sparse.named_parameters())
    monkeypatch.setattr(graph, "MAX_DENSE_JOINTS", 1000)
    dense = graph.GraphConv(4, 5, adjacency)
    dense.conv.load_state_dict(sparse.conv.state_dict())
    x = torch.randn(2, 4, 7, 300)
    torch.testing.assert_close(sparse(x), dense(x), atol=1e-5, rtol=1e-5)
