"""Write the README's benchmark table from benchmarks/results/*.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

from _common import RESULTS_DIR

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- BENCHMARKS:START -->", "<!-- BENCHMARKS:END -->"


def _acc(entry):
    acc = entry["accuracy"]
    return f"{acc['mean']:.3f} ± {acc['std']:.3f} ({entry['n_seeds']} seeds)"


def natops_table(result):
    lines = [
        "**NATOPS** (180 train / 180 test), `benchmarks/natops.py`:",
        "",
        "| model | test accuracy (mean ± std) | fit time vs. MiniRocket |",
        "| --- | --- | --- |",
    ]
    for name, entry in result["summary"].items():
        lines.append(f"| {name} | {_acc(entry)} | {entry['fit_time_vs_minirocket']:.1f}x |")
    published = ", ".join(f"{k} {v:.3f}" for k, v in result["published_30_resample_means"].items())
    lines += [
        "",
        f"Published 30-resample means: {published}. Fit times come from runs split over "
        "several processes with one torch thread each on the 2 cores (see `natops.json`); "
        "`cost.py` has the clean per-sample timings.",
    ]
    return lines


def paper_protocol_table(result):
    lines = [
        "**The paper's protocol** (111 `make_gestures` recordings, 66/11/34), "
        "`benchmarks/paper_protocol.py`:",
        "",
        "| model | test accuracy (mean ± std) | paper (its own data) |",
        "| --- | --- | --- |",
    ]
    # Early stopping with patience 10 on 11 validation recordings, as the paper.
    for name, entry in result["summary"].items():
        paper = "-" if entry["paper"] is None else f"{entry['paper']:.2f}"
        lines.append(f"| {name} | {_acc(entry)} | {paper} |")
    return lines


def cost_table(result):
    lines = [
        "**Cost on 2 CPU cores**, every model on the paper's input size (100 frames x 79 joints "
        "x 3; single-recording latency on a NATOPS-sized recording in parentheses), "
        "`benchmarks/cost.py`:",
        "",
        "| model | parameters | train ms / sample | predict ms / recording "
        "(NATOPS-sized) | peak RSS MiB | train / predict time vs. paper CNN |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, entry in result["models"].items():
        natops = entry.get("natops_predict_ms_per_recording")
        natops = "" if natops is None else f" ({natops:.2f})"
        lines.append(
            f"| {name} | {entry['parameters']:,} | {entry['train_ms_per_sample']:.1f} | "
            f"{entry['predict_ms_per_recording']:.2f}{natops} | {entry['peak_rss_mib']:.0f} | "
            f"{entry['train_time_vs_paper_cnn']:.3f} / {entry['predict_time_vs_paper_cnn']:.3f} |"
        )
    return lines


BUILDERS = {"natops": natops_table, "paper_protocol": paper_protocol_table, "cost": cost_table}


def main():
    blocks = []
    for name, builder in BUILDERS.items():
        path = RESULTS_DIR / f"{name}.json"
        if path.is_file():
            blocks.append("\n".join(builder(json.loads(path.read_text()))))
    body = "\n\n".join(blocks) if blocks else "Not measured yet."
    text = README.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    README.write_text(pattern.sub(f"{START}\n{body}\n{END}", text))
    print(f"updated {README}")


if __name__ == "__main__":
    main()
