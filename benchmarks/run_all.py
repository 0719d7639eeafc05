"""Run every benchmark, then refresh the README table."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

for script in ("natops.py", "cost.py", "paper_protocol.py", "update_readme.py"):
    print(f"== {script}", flush=True)
    sys.argv = [script]
    runpy.run_path(str(HERE / script), run_name="__main__")
