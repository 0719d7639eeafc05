"""``import skgesture`` stays light, and the data layer never loads torch or matplotlib.

Each check runs in a fresh interpreter, since this test session has long imported everything.
"""

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "skorch", "matplotlib", "PIL")


def modules_loaded_by(statement):
    """The top-level packages among HEAVY and scikit-learn's that ``statement`` imports."""
    code = (
        "import json, sys\n"
        f"{statement}\n"
        "names = {name.partition('.')[0] for name in sys.modules}\n"
        f"print(json.dumps(sorted(names & {set(HEAVY) | {'sklearn', 'numpy'}!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_import_skgesture_loads_nothing_heavy():
    loaded = modules_loaded_by("import skgesture; skgesture.__version__")

    assert loaded == set()


def test_data_layer_does_not_load_torch_or_matplotlib():
    statement = (
        "import skgesture, skgesture.io, skgesture.datasets, skgesture.skeleton\n"
        "import skgesture.utils.validation, skgesture.preprocessing\n"
        "from skgesture import SkeletonPadder, Flattener\n"
        "from skgesture.io import read_ts"
    )

    loaded = modules_loaded_by(statement)

    assert "sklearn" in loaded  # the statement did import the data layer
    assert loaded.isdisjoint(HEAVY), f"the data layer imported {sorted(loaded & set(HEAVY))}"


def test_public_names_resolve_lazily():
    import skgesture

    assert skgesture.SkeletonPadder.__module__.startswith("skgesture.preprocessing")
    assert {"io", "datasets", "preprocessing", "SkeletonPadder"} <= set(dir(skgesture))
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        skgesture.no_such_name  # noqa: B018
