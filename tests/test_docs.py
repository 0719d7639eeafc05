"""The API reference (docs/api.rst) lists every public name of the modules it documents, and
the docstring examples keep running as doctests.

Sphinx builds the reference from the names written in docs/api.rst, so a new public function
would otherwise be missing from the documentation without any warning.
"""

import doctest
import importlib
import re
import tomllib
from pathlib import Path

import pytest

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
# Module-level constants, described in the text of docs/api.rst rather than on pages of their own.
CONSTANTS = {"METHODS", "CLASS_SCORES", "NATOPS_SKELETON", "MOCAPLAB_SKELETON", "COCO_17_SKELETON"}


def documented_names():
    """``{module: names}`` from the autosummary tables that follow each ``currentmodule``."""
    names, module = {}, None
    in_table = False
    for line in API_RST.read_text().splitlines():
        directive = re.match(r"\.\. currentmodule:: (\S+)", line)
        if directive:
            module = directive.group(1)
            names.setdefault(module, set())
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line.startswith("   ") and not line.strip().startswith(":"):
            if line.strip():
                names[module].add(line.strip())
        elif in_table and line.strip() and not line.startswith("   "):
            in_table = False
    return names


DOCUMENTED = documented_names()


@pytest.mark.parametrize("module", sorted(m for m in DOCUMENTED if m != "skgesture"))
def test_every_public_name_is_in_the_api_reference(module):
    public = set(importlib.import_module(module).__all__) - CONSTANTS
    # A submodule listed in __all__ (skgesture.preprocessing.augment) has its own section.
    public = {name for name in public if f"{module}.{name}" not in DOCUMENTED}
    missing = public - DOCUMENTED[module]
    assert not missing, f"add {sorted(missing)} to the {module} section of docs/api.rst"
    unknown = DOCUMENTED[module] - set(importlib.import_module(module).__all__)
    assert not unknown, f"docs/api.rst lists {sorted(unknown)}, not in {module}.__all__"


def test_the_top_level_table_lists_the_lazy_names():
    import skgesture

    assert DOCUMENTED["skgesture"] == set(skgesture.__all__) - {"__version__"}


# pytest runs the docstring examples of the package (--doctest-modules in pyproject.toml); a
# module that loses its last example drops out of that run without a failure.
MODULES_WITH_EXAMPLES = [
    "skgesture.estimators.cnn",
    "skgesture.estimators.fc",
    "skgesture.estimators.lstm",
    "skgesture.estimators.pretrainer",
    "skgesture.estimators.ssl",
    "skgesture.datasets._generator",
    "skgesture.datasets._natops",
    "skgesture.datasets._sample",
    "skgesture.explain._gradcam",
    "skgesture.explain._interop",
    "skgesture.export.onnx",
    "skgesture.io.arrays",
    "skgesture.io.bvh",
    "skgesture.io.folder",
    "skgesture.io.keypoints",
    "skgesture.io.labels",
    "skgesture.io.mocap_csv",
    "skgesture.io.ts",
    "skgesture.model_selection",
    "skgesture.plotting",
    "skgesture.preprocessing._flatten",
    "skgesture.preprocessing._impute",
    "skgesture.preprocessing._normalize",
    "skgesture.preprocessing._padding",
    "skgesture.preprocessing._resample",
    "skgesture.preprocessing._select",
    "skgesture.preprocessing.augment",
    "skgesture.skeleton",
    "skgesture.store",
    "skgesture.stream",
    "skgesture.utils.validation",
]


def test_pytest_collects_the_docstring_examples(repo_root):
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    options = pyproject["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in options["addopts"].split()
    assert "skgesture" in options["testpaths"]


@pytest.mark.parametrize("module", MODULES_WITH_EXAMPLES)
def test_module_keeps_its_docstring_examples(module):
    found = doctest.DocTestFinder().find(importlib.import_module(module))
    assert any(test.examples for test in found), f"{module} lost its docstring examples"
