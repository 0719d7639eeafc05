"""Every malformed input of tests/corpus raises its documented error and is left untouched.

The corpus and its manifest format are described in tests/corpus/README.md.
"""

import functools
import hashlib
import importlib
import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
ENTRIES = MANIFEST["entries"]
# Files that describe the corpus rather than belong to it (arrays.py: tests/test_corpus_arrays.py).
CORPUS_DOCUMENTS = {"manifest.json", "README.md", ".gitattributes", "arrays.py"}


def resolve(dotted):
    """``"skgesture.io:read_mocap_csv"`` -> the function; ``"m:Class.method"`` works too."""
    module, _, name = dotted.partition(":")
    return functools.reduce(getattr, name.split("."), importlib.import_module(module))


def files_of(path):
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def digests(path):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files_of(path)}


# How each kind of input is handed to the entry point; a later kind (say "array", read with
# numpy.load) is one more line here.
INPUTS = {
    "file": lambda path: path,
    "folder": lambda path: path,
}


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["path"] for entry in ENTRIES])
def test_malformed_input_raises_its_error_and_is_not_modified(entry):
    path = CORPUS / entry["path"]
    before = digests(path)
    kwargs = dict(entry.get("kwargs", {}))
    kwargs.update({name: CORPUS / value for name, value in entry.get("path_kwargs", {}).items()})
    error = {"ValueError": ValueError}[entry.get("error", "ValueError")]

    with pytest.raises(error, match=entry["match"]):
        resolve(entry["call"])(INPUTS[entry["input"]](path), **kwargs)

    assert digests(path) == before


def test_manifest_entries_are_well_formed():
    allowed = {
        "path",
        "input",
        "call",
        "kwargs",
        "path_kwargs",
        "match",
        "why",
        "offender",
        "error",
    }
    for entry in ENTRIES:
        assert set(entry) <= allowed, entry["path"]
        assert {"path", "input", "call", "match", "why"} <= set(entry), entry["path"]
        assert entry["input"] in INPUTS, entry["path"]
        assert (CORPUS / entry["path"]).exists(), entry["path"]
        re.compile(entry["match"])
        # The message must name the file at fault: the file itself, or the one named.
        offender = entry.get("offender", Path(entry["path"]).stem)
        assert offender in entry["match"], entry["path"]


def test_every_corpus_file_is_in_the_manifest():
    listed = {file for entry in ENTRIES for file in files_of(CORPUS / entry["path"])}
    listed |= {
        CORPUS / value for entry in ENTRIES for value in entry.get("path_kwargs", {}).values()
    }
    present = {p for p in CORPUS.rglob("*") if p.is_file() and p.name not in CORPUS_DOCUMENTS}

    assert present - listed == set()
    assert len(ENTRIES) >= 25
