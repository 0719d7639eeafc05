"""Every gallery example (examples/plot_*.py) runs to the end, so none rots between docs builds.

The examples are run as scripts, the way sphinx-gallery runs them while building the docs,
with matplotlib's non-interactive backend and one torch thread.
"""

import runpy
import warnings
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
torch = pytest.importorskip("torch")

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))


def test_the_gallery_has_examples():
    assert len(EXAMPLES) >= 4, EXAMPLES


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs(path, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")
            runpy.run_path(str(path), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
        plt.close("all")
