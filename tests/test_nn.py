"""The torch networks on their own: shapes, padding invariance, masked normalisation."""

import subprocess
import sys

import pytest
import torch
from _tiny import random_padded_batch

from skgesture.nn import (
    FCNet,
    HybridCNN,
    HybridNet,
    ImageCNN,
    JointCNN,
    LSTMNet,
    MaskedBatchNorm,
    ReconstructionNet,
    SmoothedCrossEntropyLoss,
    TemporalCNN,
    frame_mask,
    masked_mean,
)

N_JOINTS, N_COORDS, N_CLASSES = 5, 3, 4


def small_networks():
    return {
        "joint": JointCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=6, n_blocks=2, kernel_size=3),
        "strided joint": JointCNN(
            N_JOINTS, N_COORDS, N_CLASSES, n_filters=6, n_blocks=2, kernel_size=3, downsample=4
        ),
        "even-kernel strided joint": JointCNN(
            N_JOINTS, N_COORDS, N_CLASSES, n_filters=6, n_blocks=1, kernel_size=4, downsample=2
        ),
        "temporal": TemporalCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=6, kernel_size=3),
        "hybrid": HybridCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=6, kernel_size=3),
        "image": ImageCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=4, kernel_size=3),
        "lstm": LSTMNet(N_JOINTS, N_COORDS, N_CLASSES, projection_size=6, hidden_size=5),
    }


def padded_batch(lengths, n_frames=None, seed=0):
    """Random recordings of this file's sizes, zero after each length."""
    return random_padded_batch(lengths, N_JOINTS, N_COORDS, n_frames=n_frames, seed=seed)


@pytest.mark.parametrize("name", ["joint", "strided joint", "temporal", "hybrid", "image", "lstm"])
def test_networks_give_one_score_per_class(name):
    network = small_networks()[name]
    x, lengths = padded_batch([9, 4, 1])
    assert network(x, lengths).shape == (3, N_CLASSES)


ALL = [
    "joint",
    "strided joint",
    "even-kernel strided joint",
    "temporal",
    "hybrid",
    "image",
    "lstm",
]


@pytest.mark.parametrize("name", ALL)
def test_scores_do_not_depend_on_padding_or_batch(name):
    torch.manual_seed(0)
    network = small_networks()[name]
    x, lengths = padded_batch([12, 5, 7])
    network.train()
    network(x, lengths)  # one training step's worth of batch statistics
    network.eval()
    with torch.no_grad():
        together = network(x, lengths)
        alone = network(x[1:2, :5], lengths[1:2])
        extra_padding = network(torch.cat([x, torch.zeros(3, 20, N_JOINTS, N_COORDS)], 1), lengths)
    torch.testing.assert_close(alone[0], together[1], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(extra_padding, together, rtol=1e-4, atol=1e-5)


def test_lstm_never_reads_padded_frames():
    network = LSTMNet(N_JOINTS, N_COORDS, N_CLASSES, hidden_size=4).eval()
    x, lengths = padded_batch([6, 3])
    garbage = x.clone()
    garbage[1, 3:] = 100.0
    with torch.no_grad():
        torch.testing.assert_close(network(garbage, lengths), network(x, lengths))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("joint", (2, 6, 8, N_JOINTS)),
        ("strided joint", (2, 6, 2, N_JOINTS)),  # ceil(8 / 4) frames
        ("even-kernel strided joint", (2, 6, 4, N_JOINTS)),
        ("temporal", (2, 6, 8)),
        ("hybrid", (2, 6, 8, N_JOINTS)),
        ("image", (2, 4, 8, 15)),
    ],
)
def test_last_conv_resolves_frames_and_joints(name, expected):
    network = small_networks()[name]
    outputs = []
    handle = network.last_conv.register_forward_hook(lambda m, i, out: outputs.append(out))
    try:
        network(*padded_batch([8, 3]))
    finally:
        handle.remove()
    assert outputs[0].shape == expected


def test_a_strided_joint_cnn_keeps_ceil_of_frames_over_stride_for_each_recording():
    encoder = JointCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=4, kernel_size=5, downsample=4)
    x, lengths = padded_batch([9, 4, 1])
    features, mask = encoder.features(x, lengths)
    assert features.shape == (3, 4, 3, N_JOINTS)
    assert mask.sum(1).tolist() == [3, 1, 1]


@pytest.mark.parametrize(
    ("downsample", "message"), [(3, "power of 2"), (0, "power of 2"), (16, "at most 8")]
)
def test_downsample_must_be_a_power_of_two_the_trunk_can_reach(downsample, message):
    with pytest.raises(ValueError, match=message):
        JointCNN(N_JOINTS, N_COORDS, N_CLASSES, n_blocks=2, downsample=downsample)


def test_joint_cnn_sees_the_joint_axis_in_its_head():
    network = JointCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=6)
    assert network.head.in_features == 6 * N_JOINTS


def test_hybrid_cnn_trunk_only_scales_each_joints_own_evidence():
    """In ``last_conv`` the trunk gates each joint's own features into (0, 1) of themselves: it
    can weigh what a joint did but never put evidence on a joint that has none; the head reads
    joints x channels."""
    torch.manual_seed(0)
    network = HybridCNN(N_JOINTS, N_COORDS, N_CLASSES, n_filters=6, kernel_size=3)
    network.train()
    network(*padded_batch([8, 5]))  # batch statistics away from their initial values
    network.eval()
    assert network.head.in_features == 6 * N_JOINTS
    seen = {}
    hooks = [
        network.last_conv.norm.register_forward_hook(
            lambda module, inputs, out: seen.setdefault("own", torch.relu(out).clone())
        ),
        network.last_conv.register_forward_hook(
            lambda module, inputs, out: seen.setdefault("gated", out)
        ),
    ]
    try:
        with torch.no_grad():
            network(*padded_batch([8, 8], seed=1))
    finally:
        for hook in hooks:
            hook.remove()
    own, gated = seen["own"], seen["gated"]
    assert (own == 0).any() and (own > 0).any()
    assert torch.all(gated[own == 0] == 0)
    assert torch.all((gated >= 0) & (gated <= own))
    assert torch.all(gated[own > 0] > 0)


def test_fc_net_reads_the_whole_flattened_sequence():
    network = FCNet(10, N_JOINTS, N_COORDS, N_CLASSES, hidden_sizes=(7, 3))
    assert network.hidden[0].in_features == 10 * N_JOINTS * N_COORDS
    assert network(*padded_batch([10, 2])).shape == (2, N_CLASSES)


def test_frame_mask_and_masked_mean_ignore_padding():
    lengths = torch.tensor([3, 1])
    mask = frame_mask(lengths, 4)
    assert mask.tolist() == [[True, True, True, False], [True, False, False, False]]
    x = torch.arange(8.0).reshape(2, 1, 4)  # (batch, channels, frames)
    torch.testing.assert_close(masked_mean(x, mask), torch.tensor([[1.0], [4.0]]))


def test_masked_batch_norm_statistics_come_from_real_frames_only():
    torch.manual_seed(0)
    norm = MaskedBatchNorm(3, momentum=1.0)
    x = torch.randn(2, 3, 6, 4)  # (batch, channels, frames, joints)
    lengths = torch.tensor([6, 2])
    x[1, :, 2:] = 50.0  # padded frames, whatever they hold
    out = norm(x, frame_mask(lengths, 6))
    real = torch.cat([x[0].flatten(1), x[1, :, :2].flatten(1)], dim=1)  # (channels, values)
    torch.testing.assert_close(norm.running_mean, real.mean(dim=1))
    torch.testing.assert_close(norm.running_var, real.var(dim=1))
    assert torch.all(out[1, :, 2:] == 0)
    reference = torch.nn.functional.batch_norm(real.T, None, None, training=True)
    real_out = torch.cat([out[0].flatten(1), out[1, :, :2].flatten(1)], dim=1)
    torch.testing.assert_close(real_out.T, reference, rtol=1e-4, atol=1e-5)


def test_masked_batch_norm_accepts_a_single_value_per_channel():
    norm = MaskedBatchNorm(2).train()
    out = norm(torch.tensor([[[3.0], [-1.0]]]), torch.tensor([[True]]))  # batch 1, frame 1
    torch.testing.assert_close(out.flatten(), torch.tensor([3.0, -1.0]) / (1 + 1e-5) ** 0.5)


def test_smoothed_cross_entropy_smooths_in_training_only():
    loss = SmoothedCrossEntropyLoss(label_smoothing=0.2)
    logits, target = torch.tensor([[4.0, 0.0, 0.0]]), torch.tensor([0])
    plain = torch.nn.functional.cross_entropy(logits, target)
    assert loss.train()(logits, target) > plain
    torch.testing.assert_close(loss.eval()(logits, target), plain)


def test_nn_does_not_import_scikit_learn():
    code = "import sys, skgesture.nn; assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("network_class", [ReconstructionNet, HybridNet])
def test_a_downsampling_pretext_network_still_rebuilds_every_frame(network_class):
    network = network_class(N_JOINTS, N_COORDS, n_filters=4, kernel_size=3, downsample=4)
    x, lengths = padded_batch([9, 6, 1])
    output = network(x, lengths)
    rebuilt = output[0] if isinstance(output, tuple) else output
    assert rebuilt.shape == x.shape
    assert not rebuilt[1, 6:].any() and not rebuilt[2, 1:].any()


@pytest.mark.parametrize("training", [True, False])
def test_masked_batch_norm_without_padding_matches_its_masked_path(training):
    # A batch without padding goes through torch's fused batch norm; force the masked path by
    # adding one padded frame, which the masked statistics ignore.
    torch.manual_seed(0)
    fused, masked = MaskedBatchNorm(3), MaskedBatchNorm(3)
    x = torch.randn(4, 3, 6, 5, requires_grad=True)
    mask = torch.ones(4, 6, dtype=torch.bool)
    padded_x = torch.cat([x, torch.zeros(4, 3, 1, 5)], dim=2)
    padded_mask = torch.cat([mask, torch.zeros(4, 1, dtype=torch.bool)], dim=1)
    fused.train(training), masked.train(training)

    out = fused(x, mask)
    reference = masked(padded_x, padded_mask)[:, :, :6]

    torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(fused.running_var, masked.running_var, rtol=1e-5, atol=1e-6)
    (grad,) = torch.autograd.grad(out.square().sum(), x)
    (reference_grad,) = torch.autograd.grad(reference.square().sum(), x)
    torch.testing.assert_close(grad, reference_grad, rtol=1e-4, atol=1e-5)


def _autograd_masked_batch_norm(x, mask, weight, bias, eps=1e-5):
    """The masked normalisation written with plain autograd operations, as a reference."""
    weights = mask[:, None, :].reshape(mask.shape[0], 1, mask.shape[1], *[1] * (x.dim() - 3))
    weights = weights.to(x.dtype)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    dims = [d for d in range(x.dim()) if d != 1]
    count = weights.sum() * (x[0, 0].numel() // x.shape[2])
    mean = (x * weights).sum(dim=dims) / count
    var = (((x - mean.view(shape)) * weights) ** 2).sum(dim=dims) / count
    normalised = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    return (normalised * weight.view(shape) + bias.view(shape)) * weights


@pytest.mark.parametrize("shape", [(3, 2, 7), (3, 2, 7, 4)])
def test_masked_batch_norm_gradients_match_autograd_through_the_plain_formula(shape):
    torch.manual_seed(0)
    norm = MaskedBatchNorm(2).double().train()
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1.5, -0.5]))
        norm.bias.copy_(torch.tensor([0.2, 0.3]))
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    mask = frame_mask(torch.tensor([7, 4, 1]), 7)
    upstream = torch.randn(*shape, dtype=torch.float64)

    out = norm(x, mask)
    reference = _autograd_masked_batch_norm(x, mask, norm.weight, norm.bias)
    torch.testing.assert_close(out, reference)
    ours = torch.autograd.grad((out * upstream).sum(), (x, norm.weight, norm.bias))
    expected = torch.autograd.grad((reference * upstream).sum(), (x, norm.weight, norm.bias))
    for got, want in zip(ours, expected):
        torch.testing.assert_close(got, want)
    assert not ours[0][1, :, 4:].any()  # nothing flows into padded frames
    torch.autograd.gradcheck(lambda x, w, b: norm.train()(x, mask), (x, norm.weight, norm.bias))
