"""Every malformed array of tests/corpus/arrays.py is refused the same way by every entry point.

The entry points are everything that takes recordings from a user: ``check_dataset``, every
transformer's ``fit`` and ``transform``, every classifier's ``fit`` and ``predict``, and
``GradCAMExplainer.explain``. Each must raise the documented error with the documented message,
before any work starts, and leave its input as it was.
"""

import copy
import re
import runpy
from pathlib import Path

import numpy as np
import pytest
from _tiny import registered_classifiers, tiny
from scipy import sparse

from skgesture import GradCAMExplainer
from skgesture.preprocessing import (
    Flattener,
    FrameRateResampler,
    JointImputer,
    JointSelector,
    SkeletonNormalizer,
    SkeletonPadder,
)
from skgesture.utils.validation import check_dataset

# run_path compiles the file without leaving a __pycache__ folder in the corpus.
CORPUS = runpy.run_path(str(Path(__file__).parent / "corpus" / "arrays.py"))
CASES = CORPUS["CASES"]
good_recordings, good_labels = CORPUS["good_recordings"], CORPUS["good_labels"]

# Every call fails before any training; if one ever trained instead, it must not hang the suite.
pytestmark = pytest.mark.timeout(60)
TRANSFORMERS = {
    "SkeletonPadder": SkeletonPadder,
    "Flattener": Flattener,
    "SkeletonNormalizer": SkeletonNormalizer,
    "JointSelector": JointSelector,
    "FrameRateResampler": lambda: FrameRateResampler(source_rate=60.0),
    "JointImputer": JointImputer,
}
# Every registered classifier, so that a new one is held to the corpus too.
CLASSIFIERS = {
    name: lambda cls=cls: tiny(cls, max_epochs=1) for name, cls in registered_classifiers().items()
}


def fit_calls():
    """(entry point, class name, call(X, y)) for everything that validates unfitted input."""
    yield "check_dataset", "check_dataset", lambda X, y: check_dataset(X)
    for name, make in TRANSFORMERS.items():
        yield f"{name}.fit", name, lambda X, y, make=make: make().fit(X)
    for name, make in CLASSIFIERS.items():
        yield f"{name}.fit", name, lambda X, y, make=make: make().fit(X, y)


@pytest.fixture(scope="module")
def fitted():
    """Every entry point that needs a fit, fitted on the corpus's good recordings."""
    X, y = good_recordings(), good_labels()
    estimators = {name: make().fit(X) for name, make in TRANSFORMERS.items()}
    estimators.update({name: make().fit(X, y) for name, make in CLASSIFIERS.items()})
    estimators["GradCAMExplainer"] = GradCAMExplainer(estimators["CNNClassifier"]).fit()
    return estimators


APPLY_CALLS = [
    *((f"{name}.transform", name, name, "transform") for name in TRANSFORMERS),
    *((f"{name}.predict", name, name, "predict") for name in CLASSIFIERS),
    ("GradCAMExplainer.explain", "CNNClassifier", "GradCAMExplainer", "explain"),
]


def fit_params():
    for case in CASES:
        if case.stage == "fit":
            for entry, name, call in fit_calls():
                if not (case.missing_values and name == "JointImputer"):
                    yield pytest.param(case, name, call, id=f"{case.name}-{entry}")
        elif case.stage == "labels":
            for entry, name, call in fit_calls():
                if name in CLASSIFIERS:
                    yield pytest.param(case, name, call, id=f"{case.name}-{entry}")


def apply_params():
    for case in CASES:
        if case.stage in ("fit", "predict"):
            for entry, name, estimator, method in APPLY_CALLS:
                if not (case.missing_values and name == "JointImputer"):
                    yield pytest.param(case, name, estimator, method, id=f"{case.name}-{entry}")


def assert_same(before, after, where="X"):
    """The input after the call equals the copy taken before it: values, dtype and shape."""
    assert type(before) is type(after), where
    if sparse.issparse(before):
        assert (before != after).nnz == 0, where
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and before.shape == after.shape, where
        if before.dtype == object:
            assert before.tolist() == after.tolist(), where
        else:
            np.testing.assert_array_equal(before, after, err_msg=where)
    elif isinstance(before, list | tuple):
        assert len(before) == len(after), where
        for index, (item_before, item_after) in enumerate(zip(before, after)):
            assert_same(item_before, item_after, f"{where}[{index}]")
    elif isinstance(before, dict):
        assert before.keys() == after.keys(), where
        for key in before:
            assert_same(before[key], after[key], f"{where}[{key!r}]")
    else:
        assert before == after, where


# (case, entry point's class): the message it gives instead of the corpus's, and why.
# (case, class) -> the message that class gives instead of the corpus's; none today.
OWN_MESSAGES = {}


def raises(case, name):
    match = OWN_MESSAGES.get((case.name, name), case.match)
    return pytest.raises(case.error, match=match.replace("{name}", re.escape(name)))


@pytest.mark.parametrize(("case", "name", "call"), list(fit_params()))
def test_fit_refuses_the_bad_array_and_leaves_it_unchanged(case, name, call):
    X = case.make_X()
    y = case.make_y() if case.make_y is not None else good_labels()
    X_before, y_before = copy.deepcopy(X), y.copy()
    with raises(case, name):
        call(X, y)
    assert_same(X_before, X)
    assert_same(y_before, y, "y")


@pytest.mark.parametrize(("case", "name", "estimator", "method"), list(apply_params()))
def test_fitted_entry_points_refuse_the_bad_array_and_leave_it_unchanged(
    case, name, estimator, method, fitted
):
    X = case.make_X()
    X_before = copy.deepcopy(X)
    with raises(case, name):
        getattr(fitted[estimator], method)(X)
    assert_same(X_before, X)


def test_the_corpus_is_well_formed():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert re.fullmatch(r"[a-z0-9_]+", case.name), case.name
        assert case.stage in ("fit", "labels", "predict"), case.name
        assert issubclass(case.error, Exception) and case.why, case.name
        re.compile(case.match)
        assert (case.make_y is not None) == (case.stage == "labels"), case.name
    assert len(CASES) >= 30
    for case_name, class_name in OWN_MESSAGES:  # no exception outlives its case or class
        assert case_name in names and class_name in CLASSIFIERS, (case_name, class_name)


def test_the_good_recordings_are_accepted_by_every_entry_point(fitted):
    """The corpus's faults are the only reason for the errors above."""
    X, y = good_recordings(), good_labels()
    for _, _, call in fit_calls():
        call(X, y)
    for _, _, estimator, method in APPLY_CALLS:
        getattr(fitted[estimator], method)(X)
        getattr(fitted[estimator], method)(list(X))
