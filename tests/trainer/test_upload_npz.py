import io
import zipfile

import numpy as np
import pytest

from trainer.datasets import UploadError, UploadLimits, parse_upload


def npz(**arrays) -> io.BytesIO:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    return buffer


def test_x_and_y_with_a_fixed_split():
    rng = np.random.default_rng(1)
    ds = parse_upload(npz(x=rng.random((50, 6)), y=np.arange(50) % 5), "points.npz", {})
    assert ds.info["inputs"][0]["name"] == "x" and ds.info["inputs"][0]["shape"] == [6]
    target = ds.info["targets"][0]
    assert target["name"] == "y" and target["classes"] == 5 and target["class_names"] == ["0", "1", "2", "3", "4"]
    assert ds.train_size == 40 and ds.test_size == 10
    assert np.bincount(ds.y_test["y"]).tolist() == [2, 2, 2, 2, 2]  # stratified
    assert ds.x_train["x"].dtype == np.float32


def test_train_and_test_arrays_are_kept_and_uint8_scaled():
    ds = parse_upload(
        npz(
            x_train=np.full((30, 8, 8), 255, np.uint8),
            y_train=np.arange(30) % 3,
            x_test=np.zeros((7, 8, 8), np.uint8),
            y_test=np.arange(7) % 3,
        ),
        "imgs.npz",
        {},
    )
    assert ds.train_size == 30 and ds.test_size == 7
    assert ds.x_train["x"].max() == 1.0 and ds.info["inputs"][0]["modality"] == "image"


def test_named_arrays_and_regression_and_one_hot():
    rng = np.random.default_rng(0)
    onehot = np.eye(3, dtype=np.int64)[np.arange(20) % 3]
    ds = parse_upload(
        npz(signal=rng.random((20, 4)), price=rng.random(20), kind=onehot),
        "mixed.npz",
        {"inputs": ["signal"], "targets": ["price", "kind"]},
    )
    assert ds.info["task"] == "multi"
    by_name = {t["name"]: t for t in ds.info["targets"]}
    assert by_name["price"]["task"] == "regression" and ds.y_train["price"].shape == (16, 1)
    assert by_name["kind"]["classes"] == 3 and ds.y_train["kind"].ndim == 1


def test_first_and_second_array_by_default():
    ds = parse_upload(npz(features=np.ones((10, 2)), labels=np.array(["a", "b"] * 5)), "f.npz", {})
    assert ds.info["inputs"][0]["name"] == "features"
    assert ds.info["targets"][0]["class_names"] == ["a", "b"]


def test_missing_array_named_in_options():
    with pytest.raises(UploadError, match="no array named 'label': its arrays are 'x', 'y'") as e:
        parse_upload(npz(x=np.ones((10, 2)), y=np.arange(10) % 2), "a.npz", {"targets": ["label"]})
    assert e.value.field == "targets"


def test_only_one_array():
    with pytest.raises(UploadError, match="needs a target array"):
        parse_upload(npz(x=np.ones((10, 2))), "a.npz", {})


def test_mismatched_lengths():
    with pytest.raises(UploadError, match="different numbers of rows"):
        parse_upload(npz(x=np.ones((10, 2)), y=np.arange(9) % 2), "a.npz", {})


def test_nan_target():
    y = np.linspace(0, 1, 10)
    y[3] = np.nan
    with pytest.raises(UploadError, match="NaN"):
        parse_upload(npz(x=np.ones((10, 2)), y=y), "a.npz", {})


def test_pickled_objects_are_never_loaded():
    with pytest.raises(UploadError, match="Python objects"):
        parse_upload(npz(x=np.ones((4, 2)), y=np.array([{"a": 1}] * 4, dtype=object)), "a.npz", {})


def test_corrupt_npz():
    with pytest.raises(UploadError, match=r"not a valid \.npz"):
        parse_upload(io.BytesIO(b"PK\x03\x04 certainly not a zip"), "a.npz", {})


def test_npz_bomb_is_refused_from_its_header():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", _npy(np.zeros((4000, 1000))))  # 32 MB of zeros
        zf.writestr("y.npy", _npy(np.arange(4000) % 2))
    buffer.seek(0)
    with pytest.raises(UploadError, match="ZIP bomb"):
        parse_upload(buffer, "bomb.npz", {})
    buffer.seek(0)
    with pytest.raises(UploadError, match="past the limit"):
        parse_upload(buffer, "bomb.npz", {}, UploadLimits(max_uncompressed=1_000_000))


def _npy(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()
