"""Training on recordings kept on disk (RecordingStore) as a user with too much data would."""

import pickle

import numpy as np
import pytest
from _tiny import TINY, TINY_CNN, TINY_FC
from sklearn.model_selection import StratifiedKFold, cross_val_score

from skgesture import CNNClassifier, FCClassifier
from skgesture._standardize import channel_statistics
from skgesture.datasets import make_gestures
from skgesture.store import RecordingStore
from skgesture.utils.validation import pad_recordings


@pytest.fixture(scope="module")
def gestures():
    return make_gestures(30, n_joints=5, min_frames=20, max_frames=40, random_state=0)


@pytest.fixture
def folder_of_recordings(tmp_path, gestures):
    for i, recording in enumerate(gestures.data):
        np.save(tmp_path / f"recording_{i:03d}.npy", recording)
    return tmp_path


@pytest.fixture
def padded_file(tmp_path, gestures):
    data, _ = pad_recordings(gestures.data)
    np.save(tmp_path / "padded.npy", data)
    return tmp_path / "padded.npy"


# ------------------------------------------------------------------------------------ the store
def test_a_folder_store_reads_recordings_on_demand(folder_of_recordings, gestures):
    store = RecordingStore.from_folder(folder_of_recordings)

    padded, lengths = pad_recordings(gestures.data)
    assert store.shape == padded.shape
    np.testing.assert_array_equal(store.lengths, lengths)
    np.testing.assert_array_equal(store[3], padded[3])
    np.testing.assert_array_equal(store[-1], padded[-1])
    # A part of a folder store is padded to its own longest recording, as a list would be.
    np.testing.assert_array_equal(np.asarray(store[5:9]), pad_recordings(gestures.data[5:9])[0])
    some = [gestures.data[9], gestures.data[2]]
    np.testing.assert_array_equal(np.asarray(store[[9, 2]]), pad_recordings(some)[0])
    np.testing.assert_array_equal(store.recording(2), gestures.data[2])
    assert store.sources[0].endswith("recording_000.npy")


def test_a_padded_npy_file_is_memory_mapped_and_its_lengths_found(padded_file, gestures):
    store = RecordingStore.from_array(padded_file, chunk_values=1000)

    padded, lengths = pad_recordings(gestures.data)
    np.testing.assert_array_equal(store.lengths, lengths)
    np.testing.assert_array_equal(np.asarray(store[0:30:7]), padded[0:30:7])
    np.testing.assert_array_equal(np.asarray(store[lengths > 30]), padded[lengths > 30])
    assert isinstance(store._array, np.memmap)


def test_a_store_opened_from_a_path_pickles_as_the_path(padded_file, gestures):
    store = RecordingStore.from_array(padded_file)[3:10]

    copy = pickle.loads(pickle.dumps(store))

    assert len(pickle.dumps(store)) < 2000  # the data is 30 x 40 x 5 x 3 floats
    np.testing.assert_array_equal(np.asarray(copy), np.asarray(store))


def test_streaming_statistics_equal_the_in_memory_ones(gestures):
    data, lengths = pad_recordings(gestures.data)

    at_once = channel_statistics(data, lengths)
    streamed = channel_statistics(data, lengths, chunk_values=int(np.prod(data.shape[1:])) * 4)

    np.testing.assert_allclose(streamed[0], at_once[0], rtol=1e-6)
    np.testing.assert_allclose(streamed[1], at_once[1], rtol=1e-5)


# ----------------------------------------------------------------------------------- training
@pytest.mark.parametrize(
    "make_classifier",
    [
        lambda: CNNClassifier(**TINY_CNN),
        lambda: FCClassifier(**TINY_FC),  # fixed length: batches cropped
    ],
    ids=["CNNClassifier", "FCClassifier"],
)
def test_fitting_on_a_store_equals_fitting_in_memory(
    make_classifier, folder_of_recordings, gestures
):
    in_memory = make_classifier().fit(gestures.data, gestures.target)

    on_disk = make_classifier().fit(
        RecordingStore.from_folder(folder_of_recordings), gestures.target
    )

    np.testing.assert_array_equal(on_disk.channel_mean_, in_memory.channel_mean_)
    np.testing.assert_array_equal(on_disk.channel_scale_, in_memory.channel_scale_)
    assert on_disk.n_frames_ == in_memory.n_frames_ and on_disk.n_features_in_ == 15
    np.testing.assert_allclose(
        on_disk.predict_proba(gestures.data), in_memory.predict_proba(gestures.data), atol=1e-6
    )


def test_early_stopping_splits_a_store_by_class(padded_file, gestures):
    store = RecordingStore.from_array(padded_file)
    clf = CNNClassifier(
        n_filters=4, n_blocks=0, early_stopping=True, validation_fraction=0.3, **TINY
    )

    clf.fit(store, gestures.target)

    assert clf.early_stopping_ and "valid_loss" in clf.history_[-1]


def test_warm_start_continues_training_on_a_store(padded_file, gestures):
    store = RecordingStore.from_array(padded_file)
    clf = CNNClassifier(n_filters=4, n_blocks=0, warm_start=True, **TINY).fit(
        store, gestures.target
    )
    first_weights = clf.net_.module_.state_dict()["head.weight"].clone()

    clf.fit(store, gestures.target)

    assert clf.n_iter_ == 2
    assert not np.array_equal(clf.net_.module_.state_dict()["head.weight"], first_weights)


def test_cross_validation_trains_each_fold_from_the_store(folder_of_recordings, gestures):
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    clf = CNNClassifier(n_filters=4, n_blocks=0, **TINY)
    in_memory = cross_val_score(clf, gestures.data, gestures.target, cv=cv)

    store = RecordingStore.from_folder(folder_of_recordings)
    on_disk = cross_val_score(clf, store, gestures.target, cv=cv)

    np.testing.assert_allclose(on_disk, in_memory)


def test_a_store_is_predicted_chunk_by_chunk(padded_file, gestures):
    store = RecordingStore.from_array(padded_file)
    clf = CNNClassifier(n_filters=4, n_blocks=0, **TINY).fit(store, gestures.target)

    chunks = [clf.predict(store[start : start + 8]) for start in range(0, len(store), 8)]

    np.testing.assert_array_equal(np.concatenate(chunks), clf.predict(gestures.data))


# ----------------------------------------------------------------------------------- bad input
def test_a_recording_with_nan_is_named_and_fit_leaves_the_estimator_unfitted(
    folder_of_recordings, gestures
):
    broken = np.load(folder_of_recordings / "recording_007.npy")
    broken[3, 1, 0] = np.nan
    np.save(folder_of_recordings / "recording_007.npy", broken)
    clf = CNNClassifier(n_filters=4, n_blocks=0, **TINY)

    with pytest.raises(ValueError, match=r"X\[7\] \(.*recording_007.npy\) contains NaN"):
        clf.fit(RecordingStore.from_folder(folder_of_recordings), gestures.target)
    assert not hasattr(clf, "net_")


def test_labels_must_match_the_store(folder_of_recordings, gestures):
    store = RecordingStore.from_folder(folder_of_recordings)

    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        CNNClassifier(**TINY).fit(store, gestures.target[:-1])


def test_a_file_of_another_skeleton_is_named(folder_of_recordings):
    np.save(folder_of_recordings / "recording_999.npy", np.zeros((10, 4, 3), dtype=np.float32))

    with pytest.raises(ValueError, match=r"recording_999\.npy': has 4 joints x 3 coordinates"):
        RecordingStore.from_folder(folder_of_recordings)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((3, 5, 2)), r"shape \(3, 5, 2\); expected a non-empty padded dataset"),
        (np.array([[[["a"]]]]), "holds <U1 values"),
    ],
)
def test_arrays_that_are_not_padded_datasets_are_refused(array, message):
    with pytest.raises(ValueError, match=message):
        RecordingStore.from_array(array)


def test_lengths_out_of_range_are_refused():
    with pytest.raises(ValueError, match="lengths must lie between 1 and the 5 frames"):
        RecordingStore.from_array(np.ones((2, 5, 1, 3)), lengths=[5, 6])


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="holds no file matching"):
        RecordingStore.from_folder(tmp_path)
