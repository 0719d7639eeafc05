"""The network estimators skgesture offers, listed once.

Whoever needs the list reads it here instead of scanning modules: persistence (the only classes
a model file may name), the command line (its ``--model`` table), the lazy imports of
``skgesture`` and the common tests (each estimator's small test configurations come from its
class's ``_get_test_params``). Only names live here, so reading the registry imports neither
torch nor the estimators; :func:`estimator_class` imports one when it is asked for.

Adding an estimator: its network in ``skgesture/nn/``, its estimator module, one
:class:`Entry` below and an entry in ``docs/api.rst`` (see ``docs/design.md``).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

__all__ = ["ESTIMATORS", "Entry", "cli_models", "estimator_class", "estimator_classes"]


class Entry(NamedTuple):
    """One estimator: its class name, the module that defines it and what it is."""

    name: str
    module: str
    #: "classifier" (predicts classes from recordings) or "pretrainer" (learns without labels).
    kind: str
    #: Its name in ``skgesture train --model``, or None when the command does not offer it.
    cli_name: str | None = None


ESTIMATORS = (
    Entry("CNNClassifier", "skgesture.estimators.cnn", "classifier", "cnn"),
    Entry("FCClassifier", "skgesture.estimators.fc", "classifier", "fc"),
    Entry("LSTMClassifier", "skgesture.estimators.lstm", "classifier", "lstm"),
    Entry("SSLClassifier", "skgesture.estimators.ssl", "classifier", "ssl"),
    Entry("AutoencoderPretrainer", "skgesture.estimators.pretrainer", "pretrainer"),
)


def estimator_class(name):
    """The class registered as ``name``; KeyError when there is none."""
    entry = {entry.name: entry for entry in ESTIMATORS}[name]
    return getattr(importlib.import_module(entry.module), entry.name)


def estimator_classes(kind=None):
    """``{name: class}`` of every registered estimator, or of those of one ``kind``."""
    return {
        entry.name: estimator_class(entry.name)
        for entry in ESTIMATORS
        if kind is None or entry.kind == kind
    }


def cli_models():
    """``{--model name: class name}``, in the order of the registry."""
    return {entry.cli_name: entry.name for entry in ESTIMATORS if entry.cli_name}
