import io

import numpy as np
import pytest

from trainer.datasets import DatasetError, dataset_from_npz, dataset_to_npz, load_builtin, parse_upload


def test_round_trip_keeps_arrays_and_info():
    ds = load_builtin("wine")
    buffer = io.BytesIO()
    dataset_to_npz(ds, buffer)
    buffer.seek(0)
    back = dataset_from_npz(buffer)
    assert back.name == "wine" and back.info == ds.info
    for part in ("x_train", "y_train", "x_test", "y_test"):
        original, loaded = getattr(ds, part), getattr(back, part)
        assert original.keys() == loaded.keys()
        for key in original:
            np.testing.assert_array_equal(original[key], loaded[key])
            assert original[key].dtype == loaded[key].dtype


def test_round_trip_of_an_upload_with_text():
    text = "note,label\n" + "\n".join(f"word{i} and another word{i % 7} here,{i % 2}x" for i in range(60))
    ds = parse_upload(io.BytesIO(text.encode()), "notes.csv", {"targets": ["label"]})
    buffer = io.BytesIO()
    dataset_to_npz(ds, buffer)
    buffer.seek(0)
    back = dataset_from_npz(buffer)
    assert back.info["inputs"][0]["modality"] == "text"
    np.testing.assert_array_equal(back.x_test["note"], ds.x_test["note"])


def test_unreadable_file():
    with pytest.raises(DatasetError, match="unreadable"):
        dataset_from_npz(io.BytesIO(b"nope"))
