"""Model files crafted to harm: ``load`` refuses each with a ValueError naming the file and the
field or tensor at fault, quickly and without allocating what the file declares.

Every crafted file starts as a genuinely saved tiny model whose JSON metadata or arrays are then
rewritten, so each test changes one thing.
"""

import io
import json
import re
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from _tiny import registered_classifiers, tiny

from skgesture import CNNClassifier, FCClassifier
from skgesture._persistence import load
from skgesture.app.cli import main
from skgesture.datasets import make_gestures
from skgesture.ssl import SSLClassifier

TINY = {"max_epochs": 1, "random_state": 0, "n_threads": 1}
METADATA = "skgesture_metadata"


def kind(name):
    """The short name of a registered classifier's saved model: "cnn" for CNNClassifier."""
    return name.removesuffix("Classifier").lower()


# One saved model of every registered classifier, named by kind; tests about one estimator's
# file pick it by that name, and the tests of what every model file must survive run on each.
KINDS = [kind(name) for name in registered_classifiers()]


@pytest.fixture(scope="module")
def recordings():
    return make_gestures(
        n_samples=12, n_joints=3, min_frames=10, max_frames=12, random_state=0, return_X_y=True
    )


@pytest.fixture(scope="module")
def models(recordings, tmp_path_factory):
    """Paths of tiny saved models: one of every registered classifier (by kind), and an FC
    fitted on a table."""
    X, y = recordings
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for name, cls in registered_classifiers().items():
        paths[kind(name)] = folder / f"{kind(name)}.npz"
        tiny(cls, max_epochs=1).fit(X, y).save(paths[kind(name)])
    table = pd.DataFrame(
        np.stack([recording[:10, 0, 0] for recording in X]), columns=[f"t{i}" for i in range(10)]
    )
    paths["table"] = folder / "table.npz"
    FCClassifier(hidden_sizes=(8,), **TINY).fit(table, y).save(paths["table"])
    return paths


def craft(model, path, edit):
    """Copy the saved ``model`` to ``path`` after ``edit(metadata, arrays)``.

    ``edit`` changes the decoded metadata and the arrays in place, or returns the JSON text to
    store as the metadata instead.
    """
    with np.load(model, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    metadata = json.loads(str(arrays[METADATA]))
    text = edit(metadata, arrays)
    arrays[METADATA] = np.array(json.dumps(metadata) if text is None else text)
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


def rezip(model, path, entries=(), compression=zipfile.ZIP_STORED):
    """Copy the saved ``model``'s zip entries to ``path``, replacing or adding raw ``entries``."""
    entries = dict(entries)
    with zipfile.ZipFile(model) as source, zipfile.ZipFile(path, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, entries.pop(info.filename, source.read(info)))
        for name, content in entries.items():
            target.writestr(name, content)
    return path


def npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=True)
    return buffer.getvalue()


def refusal(path, reason):
    """The message of a refused file: its name, then the reason (a regular expression)."""
    return rf"{re.escape(str(path))} is not a valid skgesture model file: .*{reason}"


def set_in(section, **values):
    return lambda metadata, arrays: metadata[section].update(values)


def set_field(**values):
    return lambda metadata, arrays: metadata.update(values)


def set_arrays(**values):
    return lambda metadata, arrays: arrays.update(values)


def without(name, section=None):
    """An edit that removes a metadata field, or an entry of a metadata ``section`` or "arrays"."""

    def edit(metadata, arrays):
        if section == "arrays":
            del arrays[name]
        else:
            del (metadata if section is None else metadata[section])[name]

    return edit


def deeply_nested(depth):
    return "[" * depth + "]" * depth


# ------------------------------------------------------------------------- metadata types
@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda m, a: "[1, 2]", "'skgesture_metadata' entry is not the JSON object"),
        (lambda m, a: '"a string"', "'skgesture_metadata' entry is not the JSON object"),
        (lambda m, a: "3", "'skgesture_metadata' entry is not the JSON object"),
        (lambda m, a: "{not json", "'skgesture_metadata' entry is not JSON"),
        (lambda m, a: deeply_nested(100_000), "nests JSON too deeply"),
        (set_in("params", net_params=json.loads(deeply_nested(500))), "deeper than 32 levels"),
        (set_field(format_version="1"), "format version '1'"),
        (set_field(params=[1, 2]), r"field 'params' must be an object; it is \[1, 2\]"),
        (set_field(attributes="n_frames_"), "field 'attributes' must be an object"),
        (
            set_field(history=7),
            "field 'history' must be an array of objects, one per epoch; it is 7",
        ),
        (set_field(history=[1, 2]), "field 'history' must be an array of objects"),
        (set_field(state_keys=[1, 2]), "field 'state_keys' must be an array of distinct"),
        (set_field(state_keys=["head.bias"] * 2), "field 'state_keys' must be an array"),
        (set_field(state_keys={"head.bias": 1}), "field 'state_keys' must be an array"),
        (set_field(**{"class": ["CNNClassifier"]}), "field 'class' must be a class name"),
        (set_field(classes_kind=[]), "field 'classes_kind' must be null or \"object\""),
        (set_field(device="meta"), "field 'device' must be a torch device"),
        (set_field(versions=["2.0"]), "field 'versions' must be an object"),
        (without("state_keys"), "lacks the field 'state_keys'"),
    ],
    ids=[
        "list",
        "string",
        "number",
        "not-json",
        "nested-100000",
        "nested-500",
        "format-version-string",
        "params-list",
        "attributes-string",
        "history-number",
        "history-of-numbers",
        "state-keys-numbers",
        "state-keys-repeated",
        "state-keys-object",
        "class-list",
        "classes-kind-list",
        "device-meta",
        "versions-list",
        "state-keys-missing",
    ],
)
def test_metadata_of_the_wrong_json_type_is_refused_naming_the_field(
    models, tmp_path, edit, reason
):
    path = craft(models["cnn"], tmp_path / "crafted.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


# ------------------------------------------------------------------------------ parameters
@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (set_in("params", class_weight={"__dict__": [[1, 2, 3]]}), r"where a \[key, value\]"),
        (set_in("params", class_weight={"__dict__": [7]}), r"where a \[key, value\] pair"),
        (set_in("params", class_weight={"__dict__": [[[1, 2], 1.0]]}), "unhashable key"),
        (
            set_in("params", class_weight={"__dict__": [[{"__dict__": []}, 1.0]]}),
            "unhashable key",
        ),
        (set_in("params", class_weight={"__dict__": 3}), "JSON object that save"),
        (set_in("params", class_weight={"up": 1.0}), "JSON object that save"),
        (set_in("params", net_params={"__tuple__": [], "__dict__": []}), "JSON object that save"),
        (set_in("params", eval="os.system"), r"names \['eval'\], which are not parameters"),
        (set_in("params", n_filters=-1), "'n_filters' parameter of CNNClassifier must be"),
        (set_in("params", n_filters="4"), "'n_filters' parameter of CNNClassifier must be"),
        (set_in("params", dropout=float("nan")), "'dropout' parameter"),
        (set_in("params", architecture="os"), "'architecture' parameter"),
        (set_in("params", augment="heavy"), "params are invalid"),
        (set_in("params", callbacks=["print"]), r"params\['callbacks'\] lists callbacks"),
        (set_in("params", n_threads=10**6), r"'n_threads' parameter .* range \[1, 1024\]"),
        (
            set_in("params", net_params={"__dict__": [["module", "os.system"]]}),
            "sets \\['module'\\]",
        ),
        (set_in("params", net_params={"__dict__": [["device", "meta"]]}), "sets \\['device'\\]"),
        (
            set_in("params", net_params={"__dict__": [["iterator_valid__num_workers", 10**6]]}),
            "may set only options starting with optimizer__ or criterion__",
        ),
        (set_in("params", class_weight={"__dict__": [["left", 2.0]]}), "do not make a network"),
    ],
    ids=[
        "dict-item-of-three",
        "dict-item-number",
        "list-key",
        "dict-key",
        "dict-tag-number",
        "untagged-object",
        "two-tags",
        "unknown-parameter",
        "negative-size",
        "size-string",
        "dropout-nan",
        "unknown-architecture",
        "unknown-augment",
        "callbacks",
        "million-threads",
        "module-string",
        "net-params-device",
        "net-params-data-loading",
        "class-weight-of-unknown-label",
    ],
)
def test_parameters_that_save_cannot_have_written_are_refused(models, tmp_path, edit, reason):
    path = craft(models["cnn"], tmp_path / "params.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


def test_fc_hidden_sizes_the_class_refuses_are_refused(models, tmp_path):
    path = craft(models["fc"], tmp_path / "hidden.npz", set_in("params", hidden_sizes=[8, "x"]))
    with pytest.raises(ValueError, match=refusal(path, "hidden_sizes must hold positive")):
        FCClassifier.load(path)


# ----------------------------------------------------------------------- fitted attributes
@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (set_in("attributes", n_frames_="12"), "attribute n_frames_ must be an integer from 1"),
        (set_in("attributes", n_frames_=-3), "attribute n_frames_ must be an integer"),
        (set_in("attributes", n_frames_=12.0), "attribute n_frames_ must be an integer"),
        (set_in("attributes", n_frames_=10**9), "n_frames_ must be an integer from 1 to 1000000"),
        (set_in("attributes", n_joints_=True), "attribute n_joints_ must be an integer >= 1"),
        (set_in("attributes", n_iter_=-1), "attribute n_iter_ must be an integer >= 0"),
        (set_in("attributes", interrupted_=0), "attribute interrupted_ must be true or false"),
        (set_in("attributes", _fitted_layout="5d"), "attribute _fitted_layout must be 'list'"),
        (set_in("attributes", _fitted_layout=["4d"]), "attribute _fitted_layout must be"),
        (set_in("attributes", __class__="os"), r"unknown \['__class__'\]"),
        (without("n_iter_", section="attributes"), r"lacks \['n_iter_'\]"),
        (set_in("attributes", n_features_in_=10), "n_features_in_=10 is not n_joints_ . n_coords_"),
        (
            set_in("attributes", _fitted_layout="2d"),
            "a model fitted on 2-D input has n_joints_ = n_coords_ = 1",
        ),
    ],
    ids=[
        "frames-string",
        "frames-negative",
        "frames-float",
        "frames-billion",
        "joints-bool",
        "iterations-negative",
        "interrupted-int",
        "layout-unknown",
        "layout-list",
        "unknown-attribute",
        "missing-attribute",
        "features-inconsistent",
        "layout-2d-of-joints",
    ],
)
def test_fitted_attributes_of_the_wrong_type_or_inconsistent_are_refused(
    models, tmp_path, edit, reason
):
    path = craft(models["cnn"], tmp_path / "attributes.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


# --------------------------------------------------------------------------- fitted arrays
def three_classes(metadata, arrays):
    arrays["classes_"] = np.array(["Bi", "Mono", "Zzz"])


def joints_times(factor):
    def edit(metadata, arrays):
        attributes = metadata["attributes"]
        attributes["n_joints_"] *= factor
        attributes["n_features_in_"] = attributes["n_joints_"] * attributes["n_coords_"]

    return edit


@pytest.mark.parametrize(
    ("kind", "edit", "reason"),
    [
        ("cnn", three_classes, r"tensor 'state/head.weight' has shape \(2, 24\), but .*3 classes"),
        ("lstm", three_classes, r"tensor 'state/head.weight' has shape \(2, 16\)"),
        ("cnn", set_arrays(classes_=np.array(["Mono", "Mono"])), "distinct labels in sorted"),
        ("cnn", set_arrays(classes_=np.array(["Mono", "Bi"])), "distinct labels in sorted"),
        ("cnn", set_arrays(classes_=np.array([0.0, np.nan])), "classes_ holds NaN"),
        ("cnn", set_arrays(classes_=np.array(["Bi"])), "classes_ must list at least 2"),
        ("cnn", set_arrays(classes_=np.array([["Bi", "Mono"]])), "classes_ must list at least"),
        ("cnn", without("classes_", section="arrays"), "lacks the classes_ array"),
        ("cnn", set_arrays(channel_mean_=np.zeros((4, 3), np.float32)), r"channel_mean_ must be"),
        ("cnn", set_arrays(channel_scale_=np.ones((3, 3), int)), r"dtype int64"),
        # The fitted skeleton is checked against n_joints_ before the arrays are.
        ("fc", joints_times(2), r"attribute skeleton_ must be a skeleton of n_joints_=6 joints"),
        ("fc", set_arrays(feature_names_in_=np.array(["a"] * 9)), "only a model fitted on 2-D"),
        (
            "cnn",
            set_arrays(weights=np.ones(3)),
            r"arrays that save\(\) never writes: \['weights'\]",
        ),
    ],
    ids=[
        "cnn-classes-too-many",
        "lstm-classes-too-many",
        "classes-repeated",
        "classes-unsorted",
        "classes-nan",
        "classes-one",
        "classes-2d",
        "classes-missing",
        "mean-shape",
        "scale-integers",
        "joints-disagree-with-standardisation",
        "feature-names-on-recordings",
        "extra-array",
    ],
)
def test_fitted_arrays_that_disagree_with_the_model_are_refused(
    models, tmp_path, kind, edit, reason
):
    path = craft(models[kind], tmp_path / "arrays.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (set_arrays(feature_names_in_=np.array(["t0", "t1"])), "must hold n_features_in_=10"),
        (set_arrays(feature_names_in_=np.arange(10)), "must hold n_features_in_=10 strings"),
        (set_in("attributes", n_frames_=11), "n_frames_ <= n_features_in_"),
        (set_in("attributes", n_features_in_=12), "must hold n_features_in_=12 strings"),
    ],
    ids=["names-too-few", "names-numbers", "frames-over-columns", "columns-over-names"],
)
def test_a_model_fitted_on_a_table_is_checked_against_its_columns(models, tmp_path, edit, reason):
    path = craft(models["table"], tmp_path / "table.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


def pretrainer_named(value):
    """An edit that gives the pretrainer parameter as ``value`` in 'params' instead of as the
    saved (unfitted) pretrainer the file holds."""

    def edit(metadata, arrays):
        del metadata["estimators"]["pretrainer"]
        metadata["params"]["pretrainer"] = value

    return edit


def set_trunk(**sizes):
    return lambda metadata, arrays: metadata["attributes"]["trunk_sizes_"].update(sizes)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (set_trunk(n_joints=3), "attribute trunk_sizes_ must be an object of n_filters"),
        (set_trunk(kernel_size="7"), "attribute trunk_sizes_ must be an object of n_filters"),
        (set_trunk(n_filters=4800), r"'state/stem.conv.weight' has shape \(8, \d+, 3, 1\)"),
        (set_trunk(n_blocks=10**7), "describe a network of more than"),
        (set_in("attributes", n_labeled_="8"), "attribute n_labeled_ must be an integer >= 1"),
        (pretrainer_named("os.system"), "'pretrainer' parameter of SSLClassifier"),
        (
            set_in("params", pretrainer="os.system"),
            r"'estimators' names \['pretrainer'\], which are neither parameters",
        ),
    ],
    ids=[
        "trunk-extra-size",
        "trunk-string",
        "trunk-filters",
        "trunk-blocks",
        "labelled",
        "pretrainer",
        "pretrainer-given-twice",
    ],
)
def test_a_semi_supervised_model_is_checked_like_the_others(models, tmp_path, edit, reason):
    path = craft(models["ssl"], tmp_path / "ssl.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        SSLClassifier.load(path)


# ---------------------------------------------------------------------------------- values
def set_value(name, index, value):
    def edit(metadata, arrays):
        arrays[name] = arrays[name].copy()
        arrays[name].flat[index] = value

    return edit


@pytest.mark.parametrize(
    ("kind", "edit", "reason"),
    [
        ("cnn", set_value("state/head.weight", 3, np.nan), "'state/head.weight' holds NaN"),
        ("lstm", set_value("state/lstm.weight_ih_l0", 0, np.inf), "'state/lstm.weight_ih_l0'"),
        ("fc", set_value("state/head.bias", 0, -np.inf), "'state/head.bias' holds NaN or inf"),
        (
            "cnn",
            set_value("state/stem.norm.running_var", 0, -1.0),
            "'state/stem.norm.running_var' holds negative variances",
        ),
        ("cnn", set_value("channel_mean_", 0, np.nan), "channel_mean_ holds NaN or infinite"),
        ("cnn", set_value("channel_scale_", 2, np.inf), "channel_scale_ holds NaN or infinite"),
        ("cnn", set_value("channel_scale_", 2, 0.0), "channel_scale_ holds values <= 0"),
        ("cnn", set_value("channel_scale_", 2, -1.0), "channel_scale_ holds values <= 0"),
    ],
    ids=[
        "weight-nan",
        "lstm-weight-inf",
        "bias-minus-inf",
        "negative-variance",
        "mean-nan",
        "scale-inf",
        "scale-zero",
        "scale-negative",
    ],
)
def test_non_finite_or_impossible_values_are_refused_naming_the_tensor(
    models, tmp_path, kind, edit, reason
):
    path = craft(models[kind], tmp_path / "values.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


# --------------------------------------------------------------------------------- tensors
def drop_tensor(name):
    def edit(metadata, arrays):
        del arrays[f"state/{name}"]
        metadata["state_keys"].remove(name)

    return edit


def add_tensor(name):
    def edit(metadata, arrays):
        arrays[f"state/{name}"] = np.zeros(3, np.float32)
        metadata["state_keys"].append(name)

    return edit


def cast(name, dtype):
    return lambda metadata, arrays: arrays.update({name: arrays[name].astype(dtype)})


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (drop_tensor("head.bias"), r"lacks \['head.bias'\] and has unexpected \[\]"),
        (add_tensor("backdoor"), r"lacks \[\] and has unexpected \['backdoor'\]"),
        (without("state/head.bias", section="arrays"), r"lists \['head.bias'\] that the file"),
        (lambda m, a: m["state_keys"].remove("head.bias"), r"omits \['head.bias'\]"),
        (cast("state/head.weight", np.int32), "'state/head.weight' has dtype int32"),
        (cast("state/head.weight", np.complex64), "'state/head.weight' has dtype complex64"),
        (cast("state/head.weight", bool), "'state/head.weight' has dtype bool"),
        (
            set_arrays(**{"state/head.weight": np.zeros((2, 13), np.float32)}),
            r"'state/head.weight' has shape \(2, 13\), but the network of a CNNClassifier",
        ),
    ],
    ids=[
        "missing",
        "unexpected",
        "listed-but-absent",
        "present-but-unlisted",
        "integers",
        "complex",
        "booleans",
        "shape",
    ],
)
def test_tensors_that_do_not_match_the_network_are_refused_naming_the_tensor(
    models, tmp_path, edit, reason
):
    path = craft(models["cnn"], tmp_path / "tensors.npz", edit)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


@pytest.mark.parametrize("model", KINDS)
def test_the_tensors_of_every_classifier_are_checked_naming_them(models, tmp_path, model):
    """What the tests above do to the CNN's file, done to a tensor of every registered
    classifier's file: a new network's tensors are checked too."""
    with np.load(models[model], allow_pickle=False) as archive:
        names = json.loads(str(archive[METADATA]))["state_keys"]
        name = next(name for name in names if archive[f"state/{name}"].dtype.kind == "f")
    path = craft(models[model], tmp_path / "nan.npz", set_value(f"state/{name}", 0, np.nan))
    with pytest.raises(ValueError, match=refusal(path, rf"'state/{re.escape(name)}' holds NaN")):
        load(path)
    path = craft(models[model], tmp_path / "missing.npz", drop_tensor(name))
    with pytest.raises(ValueError, match=refusal(path, rf"lacks \['{re.escape(name)}'\]")):
        load(path)
    path = craft(models[model], tmp_path / "unexpected.npz", add_tensor("backdoor"))
    with pytest.raises(ValueError, match=refusal(path, r"has unexpected \['backdoor'\]")):
        load(path)


def test_float64_and_big_endian_weights_load_and_predict_the_same(models, recordings, tmp_path):
    def big_endian_float64(metadata, arrays):
        for name, array in arrays.items():
            if name.startswith("state/") and array.dtype.kind == "f":
                arrays[name] = array.astype(">f8")

    path = craft(models["cnn"], tmp_path / "big_endian.npz", big_endian_float64)
    X, _ = recordings
    np.testing.assert_allclose(
        load(path).predict_proba(X), load(models["cnn"]).predict_proba(X), atol=1e-6
    )


# ------------------------------------------------------------------- sizes that cost memory
def header_declaring(shape, dtype):
    """An .npy entry whose header declares ``shape`` but that holds 64 bytes of data."""
    buffer = io.BytesIO()
    header = {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + bytes(64)


HUGE = [
    ("cnn", set_in("params", n_filters=100_000), r"'state/stem.conv.weight' has shape \(8, \d+, 3"),
    ("cnn", set_in("params", kernel_size=10**9), r"'state/stem.conv.weight' has shape"),
    ("cnn", set_in("params", n_blocks=10**7), "describe a network of more than"),
    ("cnn", joints_times(100_000), r"skeleton_ must be a skeleton of n_joints_=300000 joints"),
    ("lstm", set_in("params", hidden_size=100_000), r"'state/lstm.weight_ih_l0' has shape"),
    ("lstm", set_in("params", num_layers=10**6), "describe a network of more than"),
    ("fc", set_in("attributes", n_frames_=1_000_000), r"'state/hidden.0.weight' has shape"),
    ("fc", set_in("params", hidden_sizes=[10**6]), r"'state/hidden.0.weight' has shape"),
]


@pytest.mark.parametrize(
    ("kind", "edit", "reason"),
    HUGE,
    ids=[
        "cnn-filters",
        "cnn-kernel",
        "cnn-blocks",
        "cnn-joints",
        "lstm-hidden",
        "lstm-layers",
        "fc-frames",
        "fc-hidden",
    ],
)
def test_huge_network_sizes_are_refused_quickly_without_allocating(
    models, tmp_path, kind, edit, reason
):
    path = craft(models[kind], tmp_path / "huge.npz", edit)
    assert path.stat().st_size < 50_000
    assert_refused_cheaply(path, refusal(path, reason))


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        (
            {"state/head.weight.npy": header_declaring((10**10,), np.float32)},
            r"entry 'state/head.weight' declares an array of shape \(10000000000,\) .* but "
            "holds 64 bytes",
        ),
        (
            {"skgesture_metadata.npy": header_declaring((), "<U100000000")},
            "entry 'skgesture_metadata' declares an array",
        ),
        ({"padding.npy": npy(np.zeros(2**22, np.uint8))}, "entries expand to"),
    ],
    ids=["huge-shape", "huge-string", "zip-bomb"],
)
def test_entries_declaring_more_than_the_file_holds_are_refused_without_allocating(
    models, tmp_path, entries, reason
):
    path = rezip(models["cnn"], tmp_path / "archive.npz", entries, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 50_000
    assert_refused_cheaply(path, refusal(path, reason))


def assert_refused_cheaply(path, match):
    """``load(path)`` refuses within seconds, allocating far less than 200 MB."""
    resource = pytest.importorskip("resource")
    # ru_maxrss is in kibibytes on Linux and in bytes on macOS.
    unit = 1 if sys.platform == "darwin" else 1024
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=match):
            load(path)
        seconds = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit - peak_before
    assert seconds < 5
    # tracemalloc sees numpy's allocations; the peak resident size also sees torch's.
    assert traced_peak < 200 * 2**20
    assert peak_growth < 200 * 2**20


def test_a_refused_file_leaves_later_networks_alone(models, tmp_path):
    path = craft(models["cnn"], tmp_path / "blocks.npz", set_in("params", n_blocks=10**7))
    with pytest.raises(ValueError, match="more than"):
        load(path)
    # Far more tensors than the refused file's budget allowed, built after it.
    network = torch.nn.Sequential(*[torch.nn.Linear(1, 1) for _ in range(500)])
    assert len(network.state_dict()) == 1000


# ------------------------------------------------------------------------ archive entries
@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ({"classes_.npy": npy(np.array(["Bi", "Mono"], dtype=object))}, "dtype object"),
        ({"classes_.npy": npy(np.zeros(2, "V8"))}, r"dtype \|V8"),
        ({"classes_.npy": npy(np.zeros(2, "<M8[s]"))}, r"dtype datetime64\[s\]"),
        ({"classes_.npy": header_declaring((10**15,), "<U0")}, "dtype <U0"),
        ({"readme.txt": b"hello"}, "entry 'readme.txt' is not one of the distinct .npy"),
        ({"classes_.npy": b"\x93NUMPY\x09\x00"}, "cannot be read as an .npz archive"),
        ({"skgesture_metadata.npy": npy(np.array([b"{}"]))}, "lacks the 'skgesture_metadata'"),
    ],
    ids=[
        "object-pickle",
        "void",
        "datetime",
        "zero-size-items",
        "text-file",
        "bad-magic",
        "metadata-bytes",
    ],
)
def test_archive_entries_that_np_savez_never_writes_are_refused(models, tmp_path, entries, reason):
    path = rezip(models["cnn"], tmp_path / "entries.npz", entries)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        load(path)


def test_a_compressed_archive_of_a_genuine_model_loads(models, recordings, tmp_path):
    path = rezip(models["lstm"], tmp_path / "compressed.npz", compression=zipfile.ZIP_DEFLATED)
    X, _ = recordings
    np.testing.assert_array_equal(load(path).predict(X), load(models["lstm"]).predict(X))


def test_the_command_line_reports_a_hostile_model_in_one_line(models, tmp_path, capsys):
    path = craft(models["cnn"], tmp_path / "hostile.npz", set_field(params="x"))
    assert main(["predict", str(path), str(tmp_path)]) != 0
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "Traceback" not in error
    assert "hostile.npz is not a valid skgesture model file" in error
    assert "field 'params' must be an object" in error


def test_save_refuses_net_params_a_file_may_not_hold(recordings, tmp_path):
    X, y = recordings
    model = CNNClassifier(
        n_filters=4, max_epochs=1, n_threads=1, net_params={"iterator_valid__num_workers": 0}
    ).fit(X, y)
    with pytest.raises(ValueError, match="Cannot save CNNClassifier: .*iterator_valid__num_work"):
        model.save(tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").exists()
