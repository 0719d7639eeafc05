"""The docstring examples of the skgesture package run as doctests (``--doctest-modules``).

pyproject.toml collects them with the tests. Each runs as in a user's session, minus the side
effects: temporary files go under pytest's own folder, torch trains on one thread (tiny networks
train fastest that way, and the suite shares the cores), and matplotlib draws without a window.
An example that needs an optional extra is skipped where the extra is not installed.
"""

import os
import sys
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent / "skgesture"
# Module -> the optional extra its examples need (``pip install skgesture[plot]``).
EXTRAS = {"skgesture.plotting": "matplotlib", "skgesture.export": "onnxruntime"}

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _docstring_example_setting(request):
    if not request.node.path.is_relative_to(PACKAGE_DIR):
        yield
        return
    # A doctest's name is the module's followed by the documented object's.
    for module, extra in EXTRAS.items():
        if f"{request.node.name}.".startswith(f"{module}."):
            pytest.importorskip(extra)
    import torch

    request.getfixturevalue("monkeypatch").setattr(
        "tempfile.tempdir", str(request.getfixturevalue("tmp_path"))
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
