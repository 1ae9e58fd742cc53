import numpy as np
import pytest

from trainer.datasets import DatasetError, builtin, list_builtin, load_builtin

SKLEARN = {"digits": (64, 10), "iris": (4, 3), "wine": (13, 3), "breast_cancer": (30, 2), "diabetes": (10, None)}


def test_list_builtin_names_every_dataset_without_loading(monkeypatch):
    monkeypatch.setattr(builtin, "_cache", {})
    infos = {info["name"]: info for info in list_builtin()}
    assert list(infos) == ["fashion_mnist", "digits", "iris", "wine", "breast_cancer", "diabetes"]
    assert builtin._cache == {}
    for info in infos.values():
        assert set(info) >= {
            "name",
            "title",
            "kind",
            "task",
            "description",
            "inputs",
            "targets",
            "train_size",
            "test_size",
        }
        assert info["kind"] == "builtin"
    assert infos["diabetes"]["task"] == "regression"
    assert infos["iris"]["task"] == "classification"


@pytest.mark.parametrize("name", list(SKLEARN))
def test_sklearn_sets_load_with_their_info(name):
    features, classes = SKLEARN[name]
    ds = load_builtin(name)
    info = next(i for i in list_builtin() if i["name"] == name)
    assert ds.info == info
    x_train, x_test = ds.x_train["features"], ds.x_test["features"]
    y_train, y_test = ds.y_train["target"], ds.y_test["target"]
    assert x_train.shape == (info["train_size"], features) and x_test.shape == (info["test_size"], features)
    assert x_train.dtype == np.float32
    n = info["train_size"] + info["test_size"]
    assert info["test_size"] == round(n * 0.2)
    # standardised with the training split's statistics
    np.testing.assert_allclose(x_train.mean(0), 0, atol=1e-4)
    assert np.all((np.abs(x_train.std(0) - 1) < 1e-3) | (x_train.std(0) == 0))
    if classes is None:
        assert y_train.shape == (info["train_size"], 1) and y_train.dtype == np.float32
        assert info["targets"][0]["classes"] is None
    else:
        assert y_train.dtype == np.int32 and y_train.ndim == 1
        assert info["targets"][0]["classes"] == classes == len(info["targets"][0]["class_names"])
        # stratified: each class's share of the test split is within one sample of the train split's
        for c in range(classes):
            share = np.mean(y_train == c)
            assert abs(np.sum(y_test == c) - share * len(y_test)) <= 1.0


def test_split_is_fixed():
    builtin.clear_memory_cache()
    a = load_builtin("wine").y_test["target"].copy()
    builtin.clear_memory_cache()
    np.testing.assert_array_equal(a, load_builtin("wine").y_test["target"])


def test_fashion_mnist_official_split_and_cache(monkeypatch, tmp_path):
    dataset_cache = tmp_path / "cache"
    monkeypatch.setenv("DATASET_CACHE_DIR", str(dataset_cache))
    builtin.clear_memory_cache()
    parsed = []
    real_parse = builtin.parse_fashion
    monkeypatch.setattr(builtin, "parse_fashion", lambda folder: parsed.append(folder) or real_parse(folder))
    ds = load_builtin("fashion_mnist")
    assert ds.x_train["image"].shape == (60000, 28, 28) and ds.x_test["image"].shape == (10000, 28, 28)
    assert ds.x_train["image"].dtype == np.float32
    assert ds.x_train["image"].min() >= 0.0 and ds.x_train["image"].max() <= 1.0
    assert ds.y_train["label"].shape == (60000,) and set(np.unique(ds.y_test["label"])) == set(range(10))
    assert ds.info["targets"][0]["class_names"][0] == "T-shirt/top"
    assert "[0, 1]" in ds.info["description"]
    assert not ds.x_train["image"].flags.writeable  # shared between runs: read-only
    assert len(parsed) == 1
    assert sorted(p.name for p in (dataset_cache / "fashion_mnist-v1").iterdir()) == [
        "x_test.npy",
        "x_train.npy",
        "y_test.npy",
        "y_train.npy",
    ]

    assert load_builtin("fashion_mnist") is ds  # in-process cache
    builtin.clear_memory_cache()
    again = load_builtin("fashion_mnist")  # from the .npy cache, not parsed again
    assert len(parsed) == 1
    np.testing.assert_array_equal(again.y_test["label"], ds.y_test["label"])


def test_unknown_dataset():
    with pytest.raises(DatasetError, match="unknown dataset 'nope'"):
        load_builtin("nope")


def test_missing_fashion_files(monkeypatch, tmp_path):
    builtin.clear_memory_cache()
    monkeypatch.setenv("DATASET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="dataset-fashion-mnist"):
        load_builtin("fashion_mnist")
    builtin.clear_memory_cache()
