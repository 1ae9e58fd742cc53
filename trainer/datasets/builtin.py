"""The built-in datasets: Fashion-MNIST from Debian's package and scikit-learn's bundled sets.

Arrays are parsed once per process (kept read-only in memory) and, for
Fashion-MNIST, once per machine into a .npy cache under $DATASET_CACHE_DIR.
"""

from __future__ import annotations

import gzip
import logging
import os
import struct
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .base import Dataset, DatasetError, make_info, split_indices, standardise

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
CACHE_VERSION = "v1"


def _test_size(n: int) -> int:
    return min(n - 1, max(1, round(n * 0.2)))


# name: (title, loader name, samples, features, class names or None for regression, description)
SKLEARN_SETS = {
    "digits": (
        "Digits (8x8)",
        "load_digits",
        1797,
        64,
        [str(i) for i in range(10)],
        "scikit-learn's handwritten digits: 8x8 images flattened to 64 pixel features, 10 classes.",
    ),
    "iris": (
        "Iris",
        "load_iris",
        150,
        4,
        ["setosa", "versicolor", "virginica"],
        "Fisher's iris flowers: 4 measurements, 3 species.",
    ),
    "wine": (
        "Wine",
        "load_wine",
        178,
        13,
        ["class_0", "class_1", "class_2"],
        "Chemical analysis of Italian wines: 13 features, 3 cultivars.",
    ),
    "breast_cancer": (
        "Breast cancer (Wisconsin)",
        "load_breast_cancer",
        569,
        30,
        ["malignant", "benign"],
        "Cell nuclei measurements from breast mass images: 30 features, malignant or benign.",
    ),
    "diabetes": (
        "Diabetes",
        "load_diabetes",
        442,
        10,
        None,
        "Diabetes progression one year after baseline from 10 measurements (regression; "
        "the target is the raw score, about 25 to 346).",
    ),
}
SKLEARN_NOTE = (
    " Features are standardised with the training split's mean and deviation; "
    "a fixed 80/20 split (stratified for classes, seed 0)."
)

_cache: dict[str, Dataset] = {}
_lock = threading.Lock()


def cache_dir() -> Path:
    return Path(os.environ.get("DATASET_CACHE_DIR") or REPO_ROOT / "var" / "cache" / "datasets")


def clear_memory_cache() -> None:
    """Forget the arrays kept in this process (the on-disk cache stays)."""
    with _lock:
        _cache.clear()


def _fashion_info() -> dict:
    return make_info(
        "fashion_mnist",
        "Fashion-MNIST",
        "builtin",
        "Zalando's article images: 28x28 grayscale, 10 classes. Input field 'image' has shape (28, 28), "
        "float32 pixels scaled to [0, 1] (value/255); an Input of (784,) or (28, 28, 1) takes it reshaped. "
        "Official split: 60,000 train, 10,000 test.",
        inputs=[{"name": "image", "shape": [28, 28], "dtype": "float32", "modality": "image"}],
        targets=[
            {
                "name": "label",
                "shape": [],
                "dtype": "int32",
                "classes": 10,
                "class_names": list(FASHION_CLASSES),
                "task": "classification",
            }
        ],
        train_size=60000,
        test_size=10000,
    )


def _sklearn_info(name: str) -> dict:
    title, _, n, features, classes, description = SKLEARN_SETS[name]
    n_test = _test_size(n)
    target: dict[str, Any]
    if classes is None:
        target = {
            "name": "target",
            "shape": [1],
            "dtype": "float32",
            "classes": None,
            "class_names": None,
            "task": "regression",
        }
    else:
        target = {
            "name": "target",
            "shape": [],
            "dtype": "int32",
            "classes": len(classes),
            "class_names": list(classes),
            "task": "classification",
        }
    return make_info(
        name,
        title,
        "builtin",
        description + SKLEARN_NOTE,
        inputs=[{"name": "features", "shape": [features], "dtype": "float32", "modality": "tabular"}],
        targets=[target],
        train_size=n - n_test,
        test_size=n_test,
    )


def list_builtin() -> list[dict]:
    """The infos of every built-in dataset, without loading any array."""
    return [_fashion_info()] + [_sklearn_info(name) for name in SKLEARN_SETS]


def load_builtin(name: str) -> Dataset:
    """A built-in dataset by name; its arrays are shared and read-only."""
    loaders = {"fashion_mnist": _load_fashion, **dict.fromkeys(SKLEARN_SETS, _load_sklearn)}
    if name not in loaders:
        raise DatasetError(f"unknown dataset {name!r}: the built-in ones are {', '.join(loaders)}")
    with _lock:
        if name not in _cache:
            ds = loaders[name](name)
            for arrays in (ds.x_train, ds.y_train, ds.x_test, ds.y_test):
                for array in arrays.values():
                    array.flags.writeable = False
            _cache[name] = ds
        return _cache[name]


def _load_sklearn(name: str) -> Dataset:
    from sklearn import datasets as sk

    _, loader, _, _, classes, _ = SKLEARN_SETS[name]
    x, y = getattr(sk, loader)(return_X_y=True)
    x = x.astype(np.float64)
    train, test = split_indices(len(x), y if classes is not None else None)
    x_train, x_test = standardise(x[train], x[test])
    if classes is None:
        y = y.astype(np.float32).reshape(-1, 1)
    else:
        y = y.astype(np.int32)
    return Dataset(
        name,
        _sklearn_info(name),
        {"features": x_train},
        {"target": y[train]},
        {"features": x_test},
        {"target": y[test]},
    )


def _load_fashion(name: str) -> Dataset:
    raw = _fashion_arrays()
    return Dataset(
        name,
        _fashion_info(),
        {"image": (raw["x_train"] / np.float32(255)).astype(np.float32)},
        {"label": raw["y_train"].astype(np.int32)},
        {"image": (raw["x_test"] / np.float32(255)).astype(np.float32)},
        {"label": raw["y_test"].astype(np.int32)},
    )


def _fashion_arrays() -> dict[str, np.ndarray]:
    """The four uint8 arrays, from the .npy cache when there is one, else parsed and cached."""
    folder = cache_dir() / f"fashion_mnist-{CACHE_VERSION}"
    paths = {key: folder / f"{key}.npy" for key in FASHION_FILES}
    if all(p.exists() for p in paths.values()):
        try:
            return {key: np.load(p, allow_pickle=False) for key, p in paths.items()}
        except (OSError, ValueError) as exc:
            log.warning("dataset cache %s unreadable (%s): parsing again", folder, exc)
    arrays = parse_fashion(Path(os.environ.get("FASHION_MNIST_DIR") or FASHION_DIR))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for key, path in paths.items():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                np.save(f, arrays[key], allow_pickle=False)
            os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    except OSError as exc:
        log.warning("could not write the dataset cache in %s: %s", folder, exc)
    return arrays


def parse_fashion(folder: Path) -> dict[str, np.ndarray]:
    """Parse the four IDX files of Fashion-MNIST (gzip) into uint8 arrays."""
    arrays = {}
    for key, filename in FASHION_FILES.items():
        path = folder / filename
        if not path.exists():
            raise DatasetError(
                f"fashion_mnist is not installed ({path} is missing): install Debian's "
                "dataset-fashion-mnist package (`make setup` does)"
            )
        arrays[key] = read_idx(path)
    return arrays


def read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise DatasetError(f"{path} is not an IDX file of unsigned bytes")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        raise DatasetError(f"{path} is truncated: expected {dims}")
    return array.reshape(dims)
