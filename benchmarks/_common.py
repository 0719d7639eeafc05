"""Shared helpers of the benchmark scripts: timing, peak memory, result files."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Fitted pretrainers, reused across runs (not committed).
CACHE_DIR = Path(__file__).resolve().parent / "cache"


def machine():
    """What the numbers were measured on."""
    import sklearn
    import torch

    import skgesture

    return {
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "skgesture": skgesture.__version__,
    }


@contextmanager
def stopwatch(record, key):
    start = time.perf_counter()
    yield
    record[key] = time.perf_counter() - start


def peak_rss_mb():
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mean_std(values):
    values = np.asarray(values, dtype=float)
    return {
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
    }


def write_result(name, payload):
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "machine": machine(), **payload}
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def run_path(runs_dir, seed, name):
    """The file :func:`cached_run` saves the run of ``name`` with ``seed`` in."""
    slug = "".join(c if c.isalnum() else "_" for c in name)
    return runs_dir / f"seed{seed}_{slug}.json"


def cached_run(runs_dir, seed, name, measure):
    """Run ``measure()`` once per (seed, name): its result is saved as soon as it ends.

    An interrupted benchmark resumes where it stopped, and seeds can be split across processes.
    """
    runs_dir.mkdir(parents=True, exist_ok=True)
    path = run_path(runs_dir, seed, name)
    if path.is_file():
        return json.loads(path.read_text())
    run = {"model": name, "seed": seed, **measure()}
    path.write_text(json.dumps(run))
    print(
        f"seed {seed} {name}: accuracy {run['accuracy']:.3f} in {run['fit_seconds']:.0f} s",
        flush=True,
    )
    return run


def load_runs(runs_dir):
    """Saved runs grouped by model name, each list sorted by seed."""
    runs = {}
    for path in sorted(runs_dir.glob("seed*.json")):
        run = json.loads(path.read_text())
        runs.setdefault(run["model"], []).append(run)
    return {name: sorted(rs, key=lambda r: r["seed"]) for name, rs in runs.items()}


def summarise_runs(runs):
    """Mean and spread of accuracy and fit time per model, over its seeds."""
    return {
        name: {
            "accuracy": mean_std([r["accuracy"] for r in rs]),
            "fit_seconds": mean_std([r["fit_seconds"] for r in rs]),
            "n_seeds": len(rs),
        }
        for name, rs in runs.items()
    }


def pretrain_epochs():
    """Pre-training epochs of ``SSLClassifier()``'s default pretrainer (imported lazily)."""
    from skgesture.ssl import SSLClassifier

    return SSLClassifier().pretrain_epochs


def pretrainer_path(data_name, objective, seed):
    """Where :func:`pretrained` caches the pretrainer of ``data_name``, ``objective``, ``seed``.

    The name carries the default trunk's width, downsampling and input, so a pretrainer cached
    under older defaults is never taken for today's.
    """
    from skgesture.ssl import AutoencoderPretrainer

    default = AutoencoderPretrainer()
    trunk = f"f{default.n_filters}-d{default.downsample}"
    if default.body_frame:  # the input, when it is not the positions as given
        trunk += "-body-" + "+".join(default.streams)
    return CACHE_DIR / f"{data_name}_{objective}_e{pretrain_epochs()}_{trunk}_seed{seed}.joblib"


def pretrained(data_name, objective, seed, X, device="cpu", n_threads=None):
    """The default pretrainer of ``SSLClassifier(objective=objective, random_state=seed)``.

    Fitted on ``X`` (the recordings of ``data_name``) once, then read from the cache; it gives
    ``SSLClassifier`` the same model as letting it pre-train itself with ``random_state=seed``.
    """
    import joblib

    from skgesture.ssl import AutoencoderPretrainer

    path = pretrainer_path(data_name, objective, seed)
    if path.is_file():
        return joblib.load(path)
    start = time.perf_counter()
    pretrainer = AutoencoderPretrainer(
        objective=objective,
        max_epochs=pretrain_epochs(),
        random_state=seed,
        device=device,
        n_threads=n_threads,
    ).fit(X)
    pretrainer.fit_seconds_ = time.perf_counter() - start
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    joblib.dump(pretrainer, path)
    print(f"seed {seed}: pre-trained {objective} in {pretrainer.fit_seconds_:.0f} s", flush=True)
    return pretrainer


def run_parallel(tasks, jobs):
    """Call every task (a callable without arguments), ``jobs`` at a time in worker processes.

    With ``jobs=1`` they run here, one after another. Each task saves its own result (see
    :func:`cached_run`), so an interrupted run loses only the tasks in flight.
    """
    if jobs == 1:
        return [task() for task in tasks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=jobs, verbose=0)(delayed(task)() for task in tasks)


#: The SSL models of the few-label benchmarks: pre-training objective and fine-tuning
#: parameters, spelled out so that saved runs stay valid when a default changes.
# The SSL variants these benchmarks compared before the safeguard existed, measured as they
# were: without it (fallback="never").
SSL_MODELS = {
    # SSLClassifier() as it is today (every parameter at its default, the safeguard included).
    "ssl-default": ("contrastive", {}),
    "ssl-reconstruction": ("reconstruction", {"linear_probe_epochs": 0, "fallback": "never"}),
    "ssl-contrastive": ("contrastive", {"linear_probe_epochs": 0, "fallback": "never"}),
    "ssl-hybrid": ("hybrid", {"linear_probe_epochs": 0, "fallback": "never"}),
    "ssl-contrastive-lpft": ("contrastive", {"linear_probe_epochs": 30, "fallback": "never"}),
    "ssl-contrastive-lpft-st": (
        "contrastive",
        {
            "linear_probe_epochs": 30,
            "fallback": "never",
            "self_training": 1,
            "self_training_threshold": 0.7,
            "self_training_teacher": "fine-tuned",
        },
    ),
    "ssl-contrastive-lpft-st-avg": (
        "contrastive",
        {
            "linear_probe_epochs": 30,
            "fallback": "never",
            "self_training": 1,
            "self_training_threshold": 0.7,
            "self_training_teacher": "average",
        },
    ),
    "ssl-contrastive-lpft-st-agree": (
        "contrastive",
        {
            "linear_probe_epochs": 30,
            "fallback": "never",
            "self_training": 1,
            "self_training_threshold": 0.7,
            "self_training_teacher": "agreement",
        },
    ),
}
