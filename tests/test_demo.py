"""`make demo` runs examples/demo.py; a one-epoch run proves it still works end to end."""

import importlib.util
import json

import pytest

pytest.importorskip("matplotlib")


def test_demo_writes_a_report(repo_root, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("demo", repo_root / "examples" / "demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)

    demo.main(["--output", str(tmp_path), "--max-epochs", "1", "--verbose", "0"])

    report = json.loads((tmp_path / "report.json").read_text())
    assert report["natops_train_shape"] == [180, 51, 8, 3]
    assert 0.0 <= report["cnn_natops"]["test_accuracy"] <= 1.0
    for picture in ("data_summary.png", "confusion_matrix.png", "learning_curves.png"):
        assert (tmp_path / picture).stat().st_size > 1000
    assert "Report written to" in capsys.readouterr().out
