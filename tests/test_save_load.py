"""``skgesture.save`` / ``skgesture.load``: whole fitted models (Pipelines of skgesture's
transformers and estimators, pretrainers, semi-supervised classifiers with their pretrainer) in
one pickle-free file, with the guarantees of the estimators' own ``save`` / ``load``."""

import json
import re
import zipfile

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import FunctionTransformer, Pipeline
from sklearn.preprocessing import StandardScaler

import skgesture
from skgesture import (
    AutoencoderPretrainer,
    CNNClassifier,
    FCClassifier,
    Flattener,
    JointImputer,
    JointSelector,
    SkeletonNormalizer,
    SkeletonPadder,
    SSLClassifier,
)
from skgesture.datasets import make_gestures
from skgesture.skeleton import Skeleton

TINY = {"max_epochs": 2, "random_state": 0, "n_threads": 1}
TINY_CNN = {"n_filters": 4, "n_blocks": 1, "kernel_size": 3, **TINY}
TINY_PRETRAINER = {"n_filters": 8, "n_blocks": 1, "kernel_size": 3, **TINY}
METADATA = "skgesture_metadata"
ARM = Skeleton(
    "arm", ["left", "right", "head", "hand"], parents=[-1, 0, 0, 2], mirror_pairs=[(0, 1)]
)


@pytest.fixture(scope="module")
def recordings():
    return make_gestures(
        n_samples=16, n_joints=4, min_frames=10, max_frames=12, random_state=0, return_X_y=True
    )


@pytest.fixture(scope="module")
def saved_pipeline(recordings, tmp_path_factory):
    X, y = recordings
    pipeline = Pipeline([("pad", SkeletonPadder()), ("clf", CNNClassifier(**TINY_CNN))])
    path = tmp_path_factory.mktemp("pipeline") / "pipeline.npz"
    skgesture.save(pipeline.fit(X, y), path)
    return pipeline, path


def assert_holds_no_pickle(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert names and all(name.endswith(".npy") for name in names)
    with np.load(path, allow_pickle=False) as archive:
        for key in archive.files:
            assert archive[key].dtype.kind in "biufU", key


def craft(source, target, edit):
    """Copy the saved model ``source`` to ``target`` after ``edit(metadata, arrays)``."""
    with np.load(source, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    metadata = json.loads(str(arrays[METADATA]))
    edit(metadata, arrays)
    arrays[METADATA] = np.array(json.dumps(metadata))
    with open(target, "wb") as file:
        np.savez(file, **arrays)
    return target


def refusal(path, reason):
    return rf"{re.escape(str(path))} is not a valid skgesture model file: .*{reason}"


# ----------------------------------------------------------------------------- round trips
def test_a_pipeline_predicts_exactly_like_the_original(saved_pipeline, recordings):
    pipeline, path = saved_pipeline
    X, _ = recordings
    assert_holds_no_pickle(path)
    loaded = skgesture.load(path)
    assert isinstance(loaded, Pipeline)
    assert [name for name, _ in loaded.steps] == ["pad", "clf"]
    assert loaded.named_steps["pad"].max_frames_ == pipeline.named_steps["pad"].max_frames_
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), pipeline.predict(X))


def test_transformers_with_arrays_and_a_skeleton_come_back(recordings, tmp_path):
    X, y = recordings
    pipeline = Pipeline(
        [
            ("impute", JointImputer()),
            ("normalize", SkeletonNormalizer(align=True, skeleton=ARM)),
            ("select", JointSelector(["head", "hand", "left"], skeleton=ARM)),
            ("pad", SkeletonPadder(max_frames=12)),
            ("skip", "passthrough"),
            ("flatten", Flattener()),
            ("clf", FCClassifier(hidden_sizes=(8,), **TINY)),
        ]
    ).fit(X, y)
    skgesture.save(pipeline, tmp_path / "fc.npz")
    assert_holds_no_pickle(tmp_path / "fc.npz")
    loaded = skgesture.load(tmp_path / "fc.npz")
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))
    assert loaded.named_steps["normalize"].skeleton == ARM
    assert loaded.named_steps["skip"] == "passthrough"
    np.testing.assert_array_equal(
        loaded.named_steps["select"].joint_indices_, pipeline.named_steps["select"].joint_indices_
    )
    np.testing.assert_array_equal(
        loaded.named_steps["impute"].fill_values_, pipeline.named_steps["impute"].fill_values_
    )
    assert loaded.get_params(deep=False)["verbose"] is False


def test_a_pretrainer_embeds_exactly_like_the_original(recordings, tmp_path):
    X, _ = recordings
    pretrainer = AutoencoderPretrainer(**TINY_PRETRAINER).fit(X)
    skgesture.save(pretrainer, tmp_path / "pretrainer.npz")
    assert_holds_no_pickle(tmp_path / "pretrainer.npz")
    loaded = skgesture.load(tmp_path / "pretrainer.npz")
    assert type(loaded) is AutoencoderPretrainer
    assert loaded.get_params() == pretrainer.get_params()
    np.testing.assert_array_equal(loaded.transform(X), pretrainer.transform(X))


def semi_supervised(y):
    return np.where(np.arange(len(y)) % 3 == 0, "?", y)


@pytest.mark.parametrize(
    "pretrainer",
    [None, "unfitted", "frozen"],
    ids=["default-pretrainer", "unfitted-pretrainer", "frozen-pretrainer"],
)
def test_a_semi_supervised_classifier_comes_back_with_its_pretrainer(
    recordings, tmp_path, pretrainer
):
    X, y = recordings
    if pretrainer == "unfitted":
        pretrainer = AutoencoderPretrainer(**TINY_PRETRAINER)
    elif pretrainer == "frozen":
        pretrainer = FrozenEstimator(AutoencoderPretrainer(**TINY_PRETRAINER).fit(X))
    ssl = SSLClassifier(
        pretrainer=pretrainer,
        unlabeled_label="?",
        pretrain_epochs=1,
        linear_probe_epochs=0,
        self_training=0,
        **TINY,
    ).fit(X, semi_supervised(y))
    skgesture.save(ssl, tmp_path / "ssl.npz")
    assert_holds_no_pickle(tmp_path / "ssl.npz")
    for loaded in (skgesture.load(tmp_path / "ssl.npz"), SSLClassifier.load(tmp_path / "ssl.npz")):
        assert type(loaded) is SSLClassifier
        np.testing.assert_array_equal(loaded.predict(X), ssl.predict(X))
        np.testing.assert_array_equal(loaded.predict_proba(X), ssl.predict_proba(X))
        np.testing.assert_array_equal(loaded.pretrainer_.transform(X), ssl.pretrainer_.transform(X))
        assert type(loaded.pretrainer) is type(ssl.pretrainer)
    if isinstance(ssl.pretrainer, AutoencoderPretrainer):
        assert loaded.pretrainer.get_params() == ssl.pretrainer.get_params()


def test_a_classifier_saved_alone_is_the_format_its_own_load_reads(saved_pipeline, tmp_path):
    pipeline, _ = saved_pipeline
    classifier = pipeline.named_steps["clf"]
    skgesture.save(classifier, tmp_path / "cnn.npz")
    metadata = json.loads(str(np.load(tmp_path / "cnn.npz")[METADATA]))
    assert metadata["format_version"] == 1
    assert CNNClassifier.load(tmp_path / "cnn.npz").get_params() == classifier.get_params()


def test_an_estimator_load_refuses_a_pipeline_file(saved_pipeline):
    _, path = saved_pipeline
    with pytest.raises(ValueError, match=r"holds a Pipeline, not a CNNClassifier.*skgesture\.load"):
        CNNClassifier.load(path)


def test_the_command_line_predicts_with_a_saved_pipeline(saved_pipeline, recordings, tmp_path):
    from skgesture.app._io import load_model

    pipeline, path = saved_pipeline
    X, _ = recordings
    np.testing.assert_array_equal(load_model(path).predict(X), pipeline.predict(X))


# ------------------------------------------------------------------------- refused at save
@pytest.mark.parametrize(
    "step",
    [StandardScaler(), FunctionTransformer(np.abs)],
    ids=["standard-scaler", "function-transformer"],
)
def test_a_step_of_another_library_is_refused_at_save_naming_it(recordings, tmp_path, step):
    X, y = recordings
    flat = Pipeline([("pad", SkeletonPadder()), ("flatten", Flattener())]).fit_transform(X)
    pipeline = Pipeline([("foreign", step), ("clf", FCClassifier(**TINY))]).fit(flat, y)
    with pytest.raises(ValueError, match=rf"step 'foreign'.*{type(step).__name__}.*joblib"):
        skgesture.save(pipeline, tmp_path / "model.npz")
    assert not list(tmp_path.iterdir())


def test_a_transformer_attribute_that_needs_pickle_is_refused_naming_it(recordings, tmp_path):
    X, y = recordings
    pipeline = Pipeline([("pad", SkeletonPadder()), ("clf", CNNClassifier(**TINY_CNN))])
    pipeline.fit(X, y)
    pipeline.named_steps["pad"].set_output(transform="default")
    with pytest.raises(ValueError, match="step 'pad'.*attribute _sklearn_output_config"):
        skgesture.save(pipeline, tmp_path / "model.npz")


def test_an_unfitted_pipeline_is_refused_at_save(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        skgesture.save(Pipeline([("pad", SkeletonPadder())]), tmp_path / "model.npz")


# ------------------------------------------------------------------------- refused at load
@pytest.mark.parametrize(
    "name", ["os.system", "sklearn.pipeline.FeatureUnion", "FeatureUnion", "StandardScaler"]
)
def test_a_class_outside_the_allow_list_is_refused(saved_pipeline, tmp_path, name):
    _, source = saved_pipeline

    def rename_step(metadata, arrays):
        metadata["steps"][0][1]["class"] = name

    path = craft(source, tmp_path / "step.npz", rename_step)
    with pytest.raises(ValueError, match=refusal(path, f"step 'pad', .*unknown class '{name}'")):
        skgesture.load(path)
    root = craft(source, tmp_path / "root.npz", lambda m, a: m.update({"class": name}))
    with pytest.raises(ValueError, match=refusal(root, f"unknown class '{name}'")):
        skgesture.load(root)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda step, arrays: step["attributes"].update(__class__="os"),
            r"in step 'pad', .*unknown \['__class__'\]",
        ),
        (
            lambda step, arrays: step["attributes"].update(max_frames_=10**9),
            "in step 'pad', attribute max_frames_ must be an integer from 1 to 1000000",
        ),
        (
            lambda step, arrays: arrays.update({"steps/0/max_frames_": np.ones(2)}),
            r"in step 'pad', it stores \['max_frames_'\] both",
        ),
        (
            lambda step, arrays: step["params"].update(fill="pickle"),
            "in step 'pad', its params are invalid: The 'fill' parameter",
        ),
        (
            lambda step, arrays: step["params"].update(eval="os.system"),
            r"in step 'pad', .*\['eval'\], which are not parameters",
        ),
    ],
    ids=["unknown-attribute", "huge-length", "array-and-json", "invalid-param", "unknown-param"],
)
def test_a_crafted_transformer_is_refused_naming_the_file_and_step(
    saved_pipeline, tmp_path, edit, reason
):
    _, source = saved_pipeline
    path = craft(source, tmp_path / "crafted.npz", lambda m, a: edit(m["steps"][0][1], a))
    with pytest.raises(ValueError, match=refusal(path, reason)):
        skgesture.load(path)


@pytest.fixture(scope="module")
def saved_imputer(recordings, tmp_path_factory):
    X, y = recordings
    pipeline = Pipeline(
        [("impute", JointImputer()), ("select", JointSelector([2, 0])), ("pad", SkeletonPadder())]
    )
    path = tmp_path_factory.mktemp("imputer") / "imputer.npz"
    skgesture.save(pipeline.fit(X, y), path)
    return path


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda arrays: arrays["steps/0/fill_values_"].__setitem__((0, 0), np.nan),
            "in step 'impute', fill_values_ holds NaN or infinite values",
        ),
        (
            lambda arrays: arrays.update({"steps/0/fill_values_": np.zeros((9, 3), np.float32)}),
            r"in step 'impute', fill_values_ must have shape .* \(4, 3\)",
        ),
        (
            lambda arrays: arrays.update({"steps/1/joint_indices_": np.array([2, 7])}),
            "in step 'select', joint_indices_ must be an array of distinct joint indices",
        ),
        (
            lambda arrays: arrays.update({"steps/1/joint_indices_": np.array([2, 2])}),
            "in step 'select', joint_indices_ must be an array of distinct",
        ),
        (
            lambda arrays: arrays.update({"steps/5/weights": np.ones(3)}),
            r"arrays that save\(\) never writes: \['steps/5/weights'\]",
        ),
    ],
    ids=["nan", "shape", "index-out-of-range", "index-repeated", "array-of-no-step"],
)
def test_crafted_transformer_arrays_are_refused_naming_the_file_and_step(
    saved_imputer, tmp_path, edit, reason
):
    def edit_arrays(metadata, arrays):
        for name in list(arrays):
            arrays[name] = arrays[name].copy()
        edit(arrays)

    path = craft(saved_imputer, tmp_path / "crafted.npz", edit_arrays)
    with pytest.raises(ValueError, match=refusal(path, reason)):
        skgesture.load(path)


def test_a_crafted_network_step_is_refused_naming_the_step_and_tensor(saved_pipeline, tmp_path):
    _, source = saved_pipeline

    def nan_weight(metadata, arrays):
        arrays["steps/1/state/head.weight"] = np.full_like(
            arrays["steps/1/state/head.weight"], np.nan
        )

    path = craft(source, tmp_path / "nan.npz", nan_weight)
    with pytest.raises(
        ValueError, match=refusal(path, "in step 'clf', tensor 'state/head.weight' holds NaN")
    ):
        skgesture.load(path)


def test_a_pipeline_that_sets_a_cache_folder_is_refused(saved_pipeline, tmp_path):
    _, source = saved_pipeline
    path = craft(source, tmp_path / "memory.npz", lambda m, a: m["params"].update(memory="/tmp"))
    with pytest.raises(ValueError, match=refusal(path, "may set only verbose")):
        skgesture.load(path)


# ------------------------------------------------------------------------ versions, old files
def test_other_library_versions_warn_and_load(saved_pipeline, recordings, tmp_path):
    pipeline, source = saved_pipeline
    X, _ = recordings

    def old_versions(metadata, arrays):
        metadata["versions"].update(torch="1.0.0", skgesture="0.0.1")

    path = craft(source, tmp_path / "old.npz", old_versions)
    with pytest.warns(UserWarning, match=r"skgesture 0\.0\.1 .*torch 1\.0\.0") as record:
        loaded = skgesture.load(path)
    assert record[0].filename == __file__
    np.testing.assert_array_equal(loaded.predict(X), pipeline.predict(X))


@pytest.mark.filterwarnings("ignore:.*was saved with:UserWarning")
def test_a_format_1_file_of_an_older_skgesture_loads():
    from pathlib import Path

    compat = Path(__file__).resolve().parent / "data" / "compat"
    with np.load(compat / "expected.npz", allow_pickle=False) as saved:
        recordings = [saved[f"recording_{i}"] for i in range(len(saved["predicted"]))]
        proba = saved["proba"]
    model = skgesture.load(compat / "cnn_9bbe0fd.npz")
    assert type(model) is CNNClassifier
    np.testing.assert_allclose(model.predict_proba(recordings), proba, atol=1e-6)
