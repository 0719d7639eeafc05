"""Run every benchmark, then refresh the README table."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SCRIPTS = (
    # Choose the defaults first (cross-validation on training data), then report on test data.
    "select_defaults.py",
    "real_data.py",
    "natops.py",
    "cost.py",
    "paper_protocol.py",
    "label_efficiency.py",
    "label_efficiency.py --study objectives --seeds 0 1 2 3 4",
    "label_efficiency.py --study teacher --seeds 0 1 2 3 4 --k 1 2 3 5 10",
    "paper_ssl.py --models ssl-contrastive-lpft ssl-contrastive-lpft-st "
    "ssl-contrastive-lpft-st-avg ssl-contrastive-lpft-st-agree",
    "explain.py",
    "plausibility.py",
    "stream.py",
    "out_of_core.py",
    "update_readme.py",
)

for command in SCRIPTS:
    print(f"== {command}", flush=True)
    sys.argv = command.split()
    runpy.run_path(str(HERE / sys.argv[0]), run_name="__main__")
