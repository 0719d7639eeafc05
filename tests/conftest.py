"""Shared fixtures. Tests that need ../shared (beside the repository) skip cleanly without it."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property-based tests without their own max_examples run the "ci" profile (few, reproducible
# examples); HYPOTHESIS_PROFILE=thorough runs many more, drawn afresh each time.
settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
NATOPS_DIR = SHARED_DIR / "data" / "natops"

# Scripts that wrote the test files; --doctest-modules would otherwise import (run) them.
collect_ignore = ["data", "corpus"]


@pytest.fixture(scope="session")
def natops_dir():
    """Folder holding NATOPS_TRAIN.ts and NATOPS_TEST.ts; skips the test when absent."""
    if not (NATOPS_DIR / "NATOPS_TRAIN.ts").is_file():
        pytest.skip("../shared/data/natops is not beside the repository")
    return NATOPS_DIR


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


@pytest.fixture
def pyplot():
    """matplotlib.pyplot drawing without a window; skips without matplotlib, closes the figures."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Twelve MocapLab CSV recordings (79 joints, 10 to 20 frames) and their label table, one
    copy per test module (the command-line tests write beside them)."""
    from skgesture.datasets import make_sample_mocap_folder

    path = tmp_path_factory.mktemp("data") / "mocap"
    return make_sample_mocap_folder(path, 12, min_frames=10, max_frames=20, random_state=3)
