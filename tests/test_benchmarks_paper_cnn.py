"""The paper's CNN, re-implemented in benchmarks/paper_cnn.py for the cost benchmark.

It is not part of the package (no estimator offers it), so it is loaded from its file, the way
the benchmarks' scripts, run from that folder, import it.
"""

import importlib.util
from pathlib import Path

import torch

PAPER_CNN_FILE = Path(__file__).resolve().parents[1] / "benchmarks" / "paper_cnn.py"


def _load_paper_cnn():
    spec = importlib.util.spec_from_file_location("paper_cnn", PAPER_CNN_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PaperCNN


PaperCNN = _load_paper_cnn()


def test_paper_cnn_has_the_papers_parameter_count():
    # Convolutions: 1->32, 32->32, 32->64, 64->64, 64->128, 128->128, 128->256, 3x3 with bias;
    # then 256 * 32 * 32 -> 1024 -> 512 -> 2.
    channels = [(1, 32), (32, 32), (32, 64), (64, 64), (64, 128), (128, 128), (128, 256)]
    convolutions = sum(c_in * c_out * 9 + c_out for c_in, c_out in channels)
    first_linear = 256 * 32 * 32 * 1024 + 1024
    expected = convolutions + first_linear + 1024 * 512 + 512 + 512 * 2 + 2
    with torch.device("meta"):  # counts without allocating the ~1 GB of weights
        network = PaperCNN(n_classes=2)
    assert sum(p.numel() for p in network.parameters()) == expected == 269_543_906
    assert network.classifier[0].weight.numel() + 1024 == first_linear  # 268.4 million
    assert network.last_conv.out_channels == 256


def test_paper_cnn_resizes_any_recording_to_its_square_image():
    network = PaperCNN(n_classes=3, image_size=16)
    x = torch.randn(2, 11, 4, 3)
    assert network(x).shape == (2, 3)
