"""`make demo` runs `skgesture reproduce --quick`; a one-epoch run proves it works end to end."""

import json

import pytest

from skgesture.app.cli import main
from skgesture.app.reproduce import run_reproduction

pytest.importorskip("matplotlib")


def test_reproduce_writes_the_report(tmp_path):
    report = run_reproduction(out=tmp_path, quick=True, n_seeds=1, max_epochs=1, quiet=True)

    assert report == tmp_path / "report.md"
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["data"]["n_recordings"] == 111
    assert {run["model"] for run in results["table_1"]["runs"]} == {"FC", "CNN", "LSTM"}
    for run in results["table_1"]["runs"]:
        assert 0.0 <= run["accuracy"] <= 1.0
    efficiency = results["label_efficiency"]
    assert 10 in efficiency["labels_per_class"]  # Table 2: 5 train + 5 validation per class
    assert {run["model"] for run in efficiency["runs"]} == {"supervised", "ssl_reconstruction"}
    assert 0.0 <= results["explanations"]["methods"]["hirescam"]["pointing_game"] <= 1.0

    markdown = report.read_text()
    for section in ("Table 1", "Table 2", "Label efficiency", "Grad-CAM"):
        assert section in markdown
    pictures = [
        "confusion_matrices.png",
        "learning_curves.png",
        "label_efficiency.png",
        "explanations.png",
        "explanation.gif",
    ]
    for picture in pictures:
        assert (tmp_path / picture).stat().st_size > 1000
        assert f"]({picture})" in markdown
    html = (tmp_path / "report.html").read_text()
    assert html.count("data:image/") == len(pictures)  # self-contained
    assert 'src="confusion' not in html


def test_an_earlier_report_is_kept_without_force(tmp_path, capsys):
    (tmp_path / "report.md").write_text("earlier\n")
    assert main(["reproduce", "--quick", "--out", str(tmp_path)]) == 2
    assert "holds a report already" in capsys.readouterr().err
    assert (tmp_path / "report.md").read_text() == "earlier\n"
