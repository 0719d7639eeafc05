"""Shared fixtures. Tests that need ../shared (beside the repository) skip cleanly without it."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
NATOPS_DIR = SHARED_DIR / "data" / "natops"


@pytest.fixture(scope="session")
def natops_dir():
    """Folder holding NATOPS_TRAIN.ts and NATOPS_TEST.ts; skips the test when absent."""
    if not (NATOPS_DIR / "NATOPS_TRAIN.ts").is_file():
        pytest.skip("../shared/data/natops is not beside the repository")
    return NATOPS_DIR


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT
