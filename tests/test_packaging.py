"""The built wheel holds the package data and works when installed (not editable)."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# Run inside the fresh environment, from a folder outside the repository.
CHECKS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import skgesture
    from skgesture.datasets import load_natops, load_sample_mocap, make_gestures
    from skgesture.io import load_mocap_folder

    package = Path(skgesture.__file__).parent
    natops = load_natops("all")
    folder = load_sample_mocap()
    sample = load_mocap_folder(folder, labels=folder / "Annotation_gloses.csv")
    print(json.dumps({
        "package": str(package),
        "prefix": sys.prefix,
        "natops_shape": list(natops.data.shape),
        "natops_descr": "Ghouaiel" in natops.DESCR,
        "sample_folder": str(folder),
        "sample_files": len(list(folder.glob("*.csv"))),
        "sample_recordings": len(sample.data),
        "gestures_descr": "frozen" in make_gestures(2, random_state=0).DESCR,
        "py_typed": (package / "py.typed").is_file(),
    }))
    """
)


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, repo_root):
    """Build the wheel from a copy of the sources, so that the build leaves the tree alone."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(repo_root / name, source / name)
    shutil.copytree(
        repo_root / "skgesture",
        source / "skgesture",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    dist = work / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--wheel-dir", str(dist), str(source)]
    )
    (built,) = dist.glob("skgesture-*.whl")
    return built


def test_wheel_holds_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "skgesture/py.typed",
        "skgesture/datasets/data/natops.npz",
        "skgesture/datasets/descr/natops.rst",
        "skgesture/datasets/descr/make_gestures.rst",
        "skgesture/datasets/data/sample_mocap/Annotation_gloses.csv",
        "skgesture/io/ts.py",
        "skgesture/skeleton.py",
        "skgesture/app/cli.py",
        "skgesture/app/reproduce.py",
    }
    expected |= {f"skgesture/datasets/data/sample_mocap/gesture_{i:03d}.csv" for i in range(20)}
    assert expected <= names
    assert not [name for name in names if name.startswith(("tests/", "scripts/"))]


def test_installed_wheel_works_outside_the_repository(wheel, tmp_path, repo_root):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site_packages = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).strip()
    )
    # The dependencies (numpy, scikit-learn, torch...) come from this environment, appended
    # after the new environment's own site-packages; its .pth files (among them the editable
    # install of the repository) are not processed, so they cannot shadow the wheel.
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "_skgesture_test_dependencies.pth").write_text("\n".join(sorted(here)))
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
        + ["--no-deps", "--no-index", str(wheel)]
    )

    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    output = _run([str(python), "-I", "-c", CHECKS], cwd=tmp_path, env=environment)
    report = json.loads(output.strip().splitlines()[-1])

    package = Path(report["package"])
    assert package.is_relative_to(venv) and not package.is_relative_to(repo_root)
    assert Path(report["sample_folder"]).is_relative_to(package)
    assert report["natops_shape"] == [360, 51, 8, 3] and report["natops_descr"]
    assert report["sample_files"] == 21 and report["sample_recordings"] == 20
    assert report["gestures_descr"] and report["py_typed"]

    command = venv / ("Scripts/skgesture.exe" if os.name == "nt" else "bin/skgesture")
    version = _run([str(command), "--version"], cwd=tmp_path, env=environment)
    assert version.startswith("skgesture ")
