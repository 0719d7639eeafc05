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


def real_data_table(result):
    lines = [
        "**Real skeleton data, default `CNNClassifier()` against MiniRocket** (test splits; the "
        "defaults were chosen beforehand by cross-validation on the training parts, "
        "`select_defaults.py`), `benchmarks/real_data.py`:",
        "",
        "| data | model | test accuracy (mean ± std) | minus MiniRocket "
        "| fit time vs. MiniRocket |",
        "| --- | --- | --- | --- | --- |",
    ]
    for dataset, rows in result["summary"].items():
        for model, entry in rows.items():
            gain = entry.get("accuracy_minus_minirocket")
            ratio = entry.get("fit_time_vs_minirocket")
            lines.append(
                f"| {dataset} | {model} | {_acc(entry)} "
                f"| {'-' if gain is None else f'{gain:+.3f}'} "
                f"| {'1.0x' if ratio is None else f'{ratio:.1f}x'} |"
            )
    return lines


def select_defaults_table(result):
    chosen = result.get("chosen", {})
    lines = [
        "**Choosing the defaults** by cross-validation on training data only (NATOPS train "
        "3-fold, UTKinect training subjects leave-one-subject-out, `make_gestures` 3-fold), "
        "`benchmarks/select_defaults.py`. Each cell: mean ± std over its runs (in brackets: "
        "folds x network seeds; the candidates the choice hinged on were repeated over 3 "
        "seeds). Chosen" + (f" ({chosen['rule']})" if chosen else "") + ": **bold**.",
        "",
        "| candidate | mean CV accuracy | NATOPS | UTKinect | make_gestures "
        "| ms per recording-epoch (UTKinect) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    datasets = ("NATOPS", "UTKinect", "make_gestures")
    for name in result["ranking"]:
        entry = result["candidates"][name]
        sets = entry["per_dataset"]
        cells = " | ".join(
            f"{sets[d]['cv_accuracy']:.3f} ± {sets[d]['cv_std']:.3f} ({sets[d]['n_folds']})"
            for d in datasets
        )
        ms = sets["UTKinect"]["fit_ms_per_recording_epoch"]
        label = f"**{name}**" if name == chosen.get("candidate") else name
        lines.append(f"| {label} | {entry['mean_cv_accuracy']:.3f} | {cells} | {ms:.2f} |")
    return lines


def natops_table(result):
    lines = [
        "**NATOPS** (180 train / 180 test), `benchmarks/natops.py`, every classifier at its "
        "defaults, 5 seeds, MiniRocket in the same run:",
        "",
        "| model | test accuracy (mean ± std) | fit time vs. MiniRocket |",
        "| --- | --- | --- |",
    ]
    for name, entry in result["summary"].items():
        lines.append(f"| {name} | {_acc(entry)} | {entry['fit_time_vs_minirocket']:.1f}x |")
    published = ", ".join(f"{k} {v:.3f}" for k, v in result["published_30_resample_means"].items())
    lines += [
        "",
        f"Published 30-resample means: {published}. One process, one fit at a time, "
        f"{result['machine']['torch_threads']} torch thread(s); `cost.py` has single-thread "
        "per-sample timings.",
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
        "(NATOPS-sized) | peak RSS MiB | train / predict time vs. paper CNN | train time vs. "
        "first release's CNN |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, entry in result["models"].items():
        natops = entry.get("natops_predict_ms_per_recording")
        natops = "" if natops is None else f" ({natops:.2f})"
        first = entry.get("train_time_vs_first_release_cnn")
        first = "-" if first is None else f"{first:.3f}"
        lines.append(
            f"| {name} | {entry['parameters']:,} | {entry['train_ms_per_sample']:.1f} | "
            f"{entry['predict_ms_per_recording']:.2f}{natops} | {entry['peak_rss_mib']:.0f} | "
            f"{entry['train_time_vs_paper_cnn']:.3f} / {entry['predict_time_vs_paper_cnn']:.3f} "
            f"| {first} |"
        )
    return lines


def _pm(stats, digits=3):
    return f"{stats['mean']:.{digits}f} ± {stats['std']:.{digits}f}"


def label_efficiency_table(result, study="default"):
    first = next(iter(result["table"].values()))
    models = [key.removeprefix("ssl-") for key in first if key.startswith("ssl-")]
    models = [name for name in models if " - " not in name]
    name = "label_efficiency" if study == "default" else f"label_efficiency_{study}"
    what = {
        "default": "contrastive pre-training with LP-FT, without and with a round of "
        "self-training pseudo-labelled by the fine-tuned model alone (`-st`, the default before "
        '`self_training_teacher="agreement"`)',
        "objectives": "the pre-training objectives, fine-tuned from the start, and contrastive "
        "with LP-FT",
        "teacher": "who pseudo-labels in self-training: the fine-tuned model alone (`-st`) or "
        "it and a CNN trained from scratch where both agree (`-st-agree`, the default)",
    }[study]
    lines = [
        f"**Few labels on NATOPS: {what}** (k labelled training recordings per class, the "
        "other training recordings unlabelled, 180 test; paired by seed; "
        f"run on {', '.join(result.get('devices', ['cpu']))}), "
        f"`benchmarks/label_efficiency.py --study {study}`, plot "
        f"`benchmarks/results/{name}.png`:",
        "",
        "| labels per class | seeds | supervised CNN | "
        + " | ".join(f"SSL {name}" for name in models)
        + " | "
        + " | ".join(f"gain ({name})" for name in models)
        + " |",
        "| --- | --- | --- |" + " --- |" * 2 * len(models),
    ]
    for k, row in result["table"].items():
        cells = [f"{k}", f"{len(row['seeds'])}", _pm(row["supervised"])]
        cells += [_pm(row[f"ssl-{name}"]) for name in models]
        gains = [row[f"ssl-{name} - supervised"] for name in models]
        cells += [f"{gain['mean']:+.3f} ± {gain['std']:.3f}" for gain in gains]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def paper_ssl_table(result):
    lines = [
        "**The paper's Table 2 protocol** (111 `make_gestures` recordings, 10 labelled, 101 "
        "unlabelled and scored), `benchmarks/paper_ssl.py`:",
        "",
        "| model | accuracy on the 101 (mean ± std) | gain over supervised (paired) "
        "| paper (its own data) |",
        "| --- | --- | --- | --- |",
    ]
    for name, entry in result["summary"].items():
        gain = entry.get("gain_over_supervised")
        gain = "-" if gain is None else _pm(gain)
        paper = "-" if entry.get("paper") is None else f"{entry['paper']:.2f}"
        lines.append(f"| {name} | {_acc(entry)} | {gain} | {paper} |")
    return lines


def explain_table(result):
    lines = [
        "**Explanation faithfulness** (`make_gestures(return_relevance=True)`, the default "
        f"CNN, test accuracy {result['test_accuracy']:.2f}), `benchmarks/explain.py`. ROAD "
        "removes (frame, joint) cells most relevant first and fills them by noisy "
        "interpolation in time; lower MoRF area is better, higher insertion area is better:",
        "",
        "| method | class score | reference | pointing game | relevance mass "
        "| deletion area (random order) | ROAD MoRF (random order) | insertion (random order) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in result["methods"].values():
        road = entry.get("road")
        cells = ["-", "-"]
        if road:
            cells = [
                f"{road['deletion_most']:.2f} ({road['deletion_random_order']:.2f})",
                f"{road['insertion_most']:.2f} ({road['insertion_random_order']:.2f})",
            ]
        lines.append(
            f"| {entry['method']} | {entry['class_score']} | {entry['reference']} "
            f"| {entry['pointing_game']:.2f} | {entry['relevance_mass']:.2f} "
            f"| {entry['deletion_area']:.2f} ({entry['deletion_area_random']:.2f}) "
            f"| {cells[0]} | {cells[1]} |"
        )
    chance = result["chance"]
    lines += [
        "",
        f"Chance: pointing {chance['pointing_game']:.2f}, relevance mass "
        f"{chance['relevance_mass']:.2f}.",
    ]
    truth = result.get("road_true_relevance")
    if truth:
        lines[-1] += (
            f" The true relevance map itself: ROAD MoRF {truth['deletion_most']:.2f}, "
            f"insertion {truth['insertion_most']:.2f}."
        )
    return lines


def stream_table(result):
    update, one = result["update_ms"], result["predict_one_window_ms"]
    replay = result["replay"]["boundary_error_frames"]
    return [
        "**Live recognition** (`StreamingRecognizer`, default CNN, window "
        f"{result['window']}, step {result['step']}, one torch thread), `benchmarks/stream.py`: "
        f"median update {update['median']:.1f} ms (p95 {update['p95']:.1f}) = "
        f"{result['update_over_predict_one_window']:.2f}x one-window `predict` "
        f"({one['median']:.1f} ms); gesture boundaries in a replay of "
        f"{result['replay']['n_recordings']} NATOPS recordings found within a median "
        f"{replay['median']:.1f} frames (p90 {replay['p90']:.1f}).",
    ]


def out_of_core_table(result):
    lines = [
        "**Out-of-core training** (`RecordingStore`, memory-mapped), peak anonymous memory, "
        "`benchmarks/out_of_core.py`:",
        "",
        "| data size | in memory (MB) | out of core (MB) |",
        "| --- | --- | --- |",
    ]
    sizes = sorted({run["size_gb"] for run in result["runs"]})
    for size in sizes:
        peak = {r["mode"]: r["peak_anon_mb"] for r in result["runs"] if r["size_gb"] == size}
        lines.append(
            f"| {size:.1f} GB | {peak.get('in_memory', float('nan')):.0f} | "
            f"{peak.get('out_of_core', float('nan')):.0f} |"
        )
    return lines


BUILDERS = {
    "real_data": real_data_table,
    "select_defaults": select_defaults_table,
    "natops": natops_table,
    "paper_protocol": paper_protocol_table,
    "label_efficiency": label_efficiency_table,
    "label_efficiency_objectives": lambda result: label_efficiency_table(result, "objectives"),
    "label_efficiency_teacher": lambda result: label_efficiency_table(result, "teacher"),
    "paper_ssl": paper_ssl_table,
    "cost": cost_table,
    "explain": explain_table,
    "stream": stream_table,
    "out_of_core": out_of_core_table,
}


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
