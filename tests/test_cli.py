"""The ``skgesture`` command, used as a new user would: on a folder of CSV files it never saw."""

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skgesture.app.cli import main
from skgesture.datasets import make_sample_mocap_folder

pytest.importorskip("matplotlib")

CMU_BVH = Path(__file__).parent / "data" / "cmu_01_04_head.bvh"


def run(*args):
    """The command in a fresh interpreter, as a shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "skgesture", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(stderr, *fragments):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def model(folder, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    status = main(
        ["train", str(folder), "--epochs", "2", "--cv", "2", "--out", str(path), "--quiet"]
    )
    assert status == 0
    return path


def test_help_answers_without_importing_torch():
    code = (
        "import sys\n"
        "from skgesture.app.cli import main\n"
        "for argv in (['--help'], ['train', '--help'], ['reproduce', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code == 0\n"
        "print('torch' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False False"
    assert "skgesture train" in result.stdout and "--labels FILE" in result.stdout


def test_version_and_commands_are_listed():
    result = run("--help")
    assert result.returncode == 0
    for command in ("train", "predict", "explain", "reproduce"):
        assert command in result.stdout
    assert run("--version").stdout.startswith("skgesture ")


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["train", "no/such/folder"], ["No such file or folder", "no/such/folder"]),
        (["train", "sample", "--model", "svm"], ["invalid choice: 'svm'"]),
        (["train", "sample", "--bogus"], ["unrecognized arguments: --bogus"]),
        (["predict", "no_model.joblib", "sample"], ["No such model file", "no_model.joblib"]),
        (["explain"], ["the following arguments are required"]),
    ],
)
def test_mistakes_end_in_one_line_and_status_2(args, fragments):
    result = run(*args)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, *fragments)


def test_train_cross_validates_and_saves(folder, model, tmp_path, capsys):
    assert model.stat().st_size > 1000
    status = main(
        [
            "train",
            str(folder),
            "--model",
            "fc",
            "--epochs",
            "1",
            "--cv",
            "3",
            "--out",
            str(tmp_path / "fc.npz"),
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "3-fold cross-validated accuracy:" in out
    assert (tmp_path / "fc.npz").is_file()
    # The .npz model (no pickle) predicts too.
    assert main(["predict", str(tmp_path / "fc.npz"), str(folder)]) == 0


def test_predict_writes_one_row_per_recording(folder, model, tmp_path, capsys):
    assert main(["predict", str(model), str(folder), "--proba"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["recording"] for row in rows] == [f"gesture_{i:03d}.csv" for i in range(12)]
    assert {row["predicted"] for row in rows} <= {"Mono", "Bi"}
    total = [float(row["proba_Bi"]) + float(row["proba_Mono"]) for row in rows]
    np.testing.assert_allclose(total, 1.0, atol=1e-5)

    out = tmp_path / "predictions.csv"
    assert main(["predict", str(model), str(folder / "gesture_003.csv"), "--out", str(out)]) == 0
    assert out.read_text().splitlines()[0] == "recording,predicted"
    assert len(out.read_text().splitlines()) == 2


def test_outputs_are_never_overwritten_without_force(folder, model, capsys):
    status = main(["train", str(folder), "--epochs", "1", "--cv", "0", "--out", str(model)])
    assert status == 2
    assert_one_line_error(capsys.readouterr().err, "exists; pass --force")
    status = main(
        ["train", str(folder), "--epochs", "1", "--cv", "0", "--out", str(model), "--force", "-q"]
    )
    assert status == 0


def test_malformed_inputs_are_named(folder, model, tmp_path, capsys):
    broken = tmp_path / "broken.csv"
    broken.write_text("Frame;Time;a;a;a\n;;X;Y;Z\n1;0.0;1;2;oops\n")
    assert main(["explain", str(model), str(broken), "--out", str(tmp_path)]) == 2
    assert_one_line_error(capsys.readouterr().err, "broken.csv")

    assert main(["predict", str(broken), str(folder)]) == 2
    assert_one_line_error(capsys.readouterr().err, "is not a pickle-free .npz model")

    assert main(["train", str(tmp_path), "--epochs", "1"]) == 2  # holds broken.csv only
    assert_one_line_error(capsys.readouterr().err, "broken.csv")

    assert main(["train", str(folder), "--labels", str(tmp_path / "none.csv")]) == 2
    assert_one_line_error(capsys.readouterr().err, "No such label table")


def test_unlabelled_recordings_only_train_the_ssl_model(tmp_path, capsys):
    folder = make_sample_mocap_folder(tmp_path / "mocap", 12, min_frames=10, max_frames=20)
    table = folder / "Annotation_gloses.csv"
    table.write_text("\n".join(table.read_text().splitlines()[:9]) + "\n")  # 8 of 12 labelled
    out = tmp_path / "cnn.npz"
    assert main(["train", str(folder), "--epochs", "1", "--cv", "0", "--out", str(out)]) == 0
    assert "Leaving out 4 unlabelled recordings" in capsys.readouterr().err

    out = tmp_path / "ssl.npz"
    args = ["--model", "ssl", "--epochs", "1", "--cv", "2", "--out", str(out)]
    assert main(["train", str(folder), *args]) == 0
    captured = capsys.readouterr()
    assert "on 8 labelled recordings" in captured.err and "and 4 unlabelled" in captured.err
    assert "2-fold cross-validated accuracy" in captured.out


def test_explain_draws_heatmap_and_skeleton(folder, model, tmp_path, capsys):
    recording = folder / "gesture_001.csv"
    assert main(["explain", str(model), str(recording), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "gesture_001: predicted" in out and "most important joints:" in out
    assert (tmp_path / "gesture_001_heatmap.png").stat().st_size > 1000
    assert (tmp_path / "gesture_001_skeleton.gif").read_bytes()[:3] == b"GIF"
    assert main(["explain", str(model), str(recording), "--out", str(tmp_path)]) == 2


def test_explain_against_reference_recordings(folder, model, tmp_path, capsys):
    recording = folder / "gesture_001.csv"
    args = ["explain", str(model), str(recording), "--reference", str(folder)]
    assert main([*args, "--out", str(tmp_path / "referenced")]) == 0
    assert "Reading the reference recordings" in capsys.readouterr().err
    assert (tmp_path / "referenced" / "gesture_001_heatmap.png").is_file()
    missing = ["--reference", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x"), "-q"]
    assert main(["explain", str(model), str(recording), *missing]) == 2
    assert_one_line_error(capsys.readouterr().err, "nowhere")


def test_pictures_without_matplotlib_say_what_to_install(
    folder, model, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    recording = folder / "gesture_001.csv"
    assert main(["explain", str(model), str(recording), "--out", str(tmp_path)]) == 2
    assert_one_line_error(capsys.readouterr().err, "pip install 'skgesture[plot]'")


def test_explain_creates_its_output_folder_but_not_its_parents(folder, model, tmp_path, capsys):
    recording = folder / "gesture_001.csv"
    out = tmp_path / "explanations"
    assert main(["explain", str(model), str(recording), "--out", str(out)]) == 0
    assert (out / "gesture_001_heatmap.png").is_file()
    capsys.readouterr()
    missing = tmp_path / "no" / "such"
    assert main(["explain", str(model), str(recording), "--out", str(missing)]) == 2
    assert_one_line_error(capsys.readouterr().err, "No such folder")
    assert not missing.parent.exists()


@pytest.fixture
def bvh_folder(tmp_path):
    """Four takes exported as BVH files (copies of a CMU recording), labelled in a table."""
    takes = tmp_path / "takes"
    takes.mkdir()
    for name in ("jump_1", "jump_2", "walk_1", "walk_2"):
        shutil.copy(CMU_BVH, takes / f"{name}.bvh")
    (takes / "Annotation_gloses.csv").write_text(
        "Nom.csv\tMono/Bi\njump_1\tjump\njump_2\tjump\nwalk_1\twalk\nwalk_2\twalk\n"
    )
    return takes


def test_train_and_predict_on_a_folder_of_bvh_files(bvh_folder, tmp_path, capsys):
    model = tmp_path / "bvh.npz"
    args = ["--model", "fc", "--epochs", "1", "--cv", "0", "--out", str(model), "-q"]
    assert main(["train", str(bvh_folder), *args]) == 0
    assert "Model saved" in capsys.readouterr().out

    assert main(["predict", str(model), str(bvh_folder)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["recording"] for row in rows] == [
        "jump_1.bvh",
        "jump_2.bvh",
        "walk_1.bvh",
        "walk_2.bvh",
    ]


def test_pattern_chooses_the_recordings_of_a_mixed_folder(bvh_folder, tmp_path, capsys):
    make_sample_mocap_folder(tmp_path / "mocap", 1, min_frames=10, max_frames=10)
    shutil.copy(tmp_path / "mocap" / "gesture_000.csv", bvh_folder / "other_skeleton.csv")
    model = tmp_path / "bvh.npz"
    args = ["--model", "fc", "--epochs", "1", "--cv", "0", "--out", str(model), "-q"]

    assert main(["train", str(bvh_folder), *args]) == 2
    assert_one_line_error(capsys.readouterr().err, "other_skeleton.csv", "share their joints")

    assert main(["train", str(bvh_folder), "--pattern", "*.bvh", *args]) == 0
    capsys.readouterr()
    with pytest.warns(UserWarning, match="2 labelled files missing .* 'walk_1', 'walk_2'"):
        status = main(["predict", str(model), str(bvh_folder), "--pattern", "jump_*.bvh"])
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["recording"] for row in rows] == ["jump_1.bvh", "jump_2.bvh"]


def test_pattern_applies_to_folders_only(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "model.npz"), "natops", "--pattern", "*.csv"]) == 2
    assert_one_line_error(capsys.readouterr().err, "No such model file")
    assert main(["train", "natops", "--pattern", "*.csv", "--out", str(tmp_path / "m.npz")]) == 2
    assert_one_line_error(capsys.readouterr().err, "--pattern applies to a folder of recordings")
