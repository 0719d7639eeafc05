"""Wall time of ``skgesture train`` on a folder of 100 recordings of 79 joints x 100 frames.

The folder is written by :func:`skgesture.datasets.make_sample_mocap_folder` (MocapLab CSV
files and their label table, the paper's layout), and ``skgesture train FOLDER --cv 5`` runs
as a user would run it: 5-fold cross-validation, then the final fit, with the default model
and its default number of epochs. The command of each checkout named on the command line (the
current one by default; ``--before REV`` adds a git revision, checked out into a temporary
worktree) runs in turn on the same folder, in this one run, so their wall times compare.

    python benchmarks/cli_train.py --before 12d21e9   # the defaults before the cost issue

About 5 minutes for today's defaults on 2 cores; the first release's take about 30.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import write_result

REPO = Path(__file__).resolve().parents[1]


def _command(checkout, folder, out):
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    args = [sys.executable, "-m", "skgesture", "train", str(folder), "--cv", "5", "--out", out]
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=checkout)
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-2:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a git revision to time as well (e.g. 12d21e9)")
    args = parser.parse_args()
    from skgesture.datasets import make_sample_mocap_folder

    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = make_sample_mocap_folder(
            tmp / "recordings", 100, min_frames=100, max_frames=100, random_state=0
        )
        checkouts = {"current": REPO}
        if args.before:
            worktree = tmp / "before"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(worktree), args.before],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            checkouts = {f"before ({args.before})": worktree, **checkouts}
        try:
            for name, checkout in checkouts.items():
                seconds, output = _command(checkout, folder, str(tmp / f"{len(runs)}.npz"))
                runs[name] = {"wall_seconds": seconds, "output": output}
                print(f"{name}: {seconds:.0f} s; {' / '.join(output)}", flush=True)
        finally:
            if args.before:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tmp / "before")],
                    cwd=REPO,
                    check=False,
                    capture_output=True,
                )
    result = {"data": "100 recordings x 100 frames x 79 joints, skgesture train --cv 5", **runs}
    if args.before:
        before, current = (runs[name]["wall_seconds"] for name in runs)
        result["current_over_before"] = current / before
    return write_result("cli_train", result)


if __name__ == "__main__":
    main()
