"""Run every benchmark, then refresh the README table."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SCRIPTS = (
    "natops.py",
    "cost.py",
    "paper_protocol.py",
    "label_efficiency.py",
    "paper_ssl.py",
    "explain.py",
    "stream.py",
    "out_of_core.py",
    "update_readme.py",
)

for script in SCRIPTS:
    print(f"== {script}", flush=True)
    sys.argv = [script]
    runpy.run_path(str(HERE / script), run_name="__main__")
