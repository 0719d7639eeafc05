"""What `make demo` runs (`skgesture reproduce --quick --out reports/demo --force`), from Python.

The paper's experiments on synthetic MocapLab-like data, sized to take a few minutes on a laptop
CPU: Table 1 (FC, CNN and LSTM, supervised), Table 2 (a CNN with 5 + 5 labelled recordings per
class, supervised vs self-supervised pre-training), a label-efficiency curve and Grad-CAM
pictures, written up in reports/demo/report.md and report.html (every number in results.json).
Drop ``quick=True`` for the full-size run (79 joints, 100 frames, default networks).
"""

from skgesture.app.reproduce import run_reproduction

if __name__ == "__main__":
    report = run_reproduction(data="sample", out="reports/demo", quick=True, force=True)
    print(f"Report written to {report}")
