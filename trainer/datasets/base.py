"""The Dataset container, its errors, and the helpers shared by the built-in sets and uploads."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TEST_FRACTION = 0.2
SPLIT_SEED = 0


class DatasetError(Exception):
    """A problem with a dataset, worded for the person who chose or uploaded it."""


class UploadError(DatasetError):
    """A bad uploaded file; `field` names the form field, column, array or member that is wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Dataset:
    name: str
    info: dict
    x_train: dict[str, np.ndarray]
    y_train: dict[str, np.ndarray]
    x_test: dict[str, np.ndarray]
    y_test: dict[str, np.ndarray]

    @property
    def train_size(self) -> int:
        return _length(self.x_train)

    @property
    def test_size(self) -> int:
        return _length(self.x_test)

    def field(self, name: str) -> dict:
        """The info entry of an input or target field."""
        for entry in self.info["inputs"] + self.info["targets"]:
            if entry["name"] == name:
                return entry
        raise KeyError(name)


def _length(arrays: dict[str, np.ndarray]) -> int:
    return len(next(iter(arrays.values()))) if arrays else 0


def field_name(raw: str) -> str:
    """A dataset field name usable as a block id: letters, digits, `_` and `-`, at most 64."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(raw).strip()).strip("_")[:64]
    return name or "field"


def input_field(name: str, array: np.ndarray, **extra) -> dict:
    return {"name": name, "shape": list(array.shape[1:]), "dtype": str(array.dtype), **extra}


def class_target(name: str, array: np.ndarray, class_names: list[str]) -> dict:
    return {
        "name": name,
        "shape": list(array.shape[1:]),
        "dtype": str(array.dtype),
        "classes": len(class_names),
        "class_names": [str(c) for c in class_names],
        "task": "classification",
    }


def regression_target(name: str, array: np.ndarray) -> dict:
    return {
        "name": name,
        "shape": list(array.shape[1:]),
        "dtype": str(array.dtype),
        "classes": None,
        "class_names": None,
        "task": "regression",
    }


def make_info(
    name: str,
    title: str,
    kind: str,
    description: str,
    inputs: list[dict],
    targets: list[dict],
    train_size: int,
    test_size: int,
    **extra,
) -> dict:
    tasks = {t["task"] for t in targets}
    task = "multi" if len(targets) > 1 else (tasks.pop() if tasks else "regression")
    return {
        "name": name,
        "title": title,
        "kind": kind,
        "task": task,
        "description": description,
        "inputs": inputs,
        "targets": targets,
        "train_size": int(train_size),
        "test_size": int(test_size),
        **extra,
    }


def split_indices(
    n: int, labels: np.ndarray | None = None, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """A fixed train/test split of range(n): stratified by `labels` when every class has 2 members."""
    if n < 2:
        raise DatasetError(f"a dataset needs at least 2 samples to split into train and test, got {n}")
    n_test = min(n - 1, max(1, round(n * test_fraction)))
    rng = np.random.default_rng(seed)
    if labels is not None:
        classes, counts = np.unique(labels, return_counts=True)
        if counts.min() >= 2 and n_test >= len(classes) and n - n_test >= len(classes):
            return _stratified(labels, n_test, rng)
    order = rng.permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def _stratified(
    labels: np.ndarray, n_pick: int, rng: np.random.Generator, keep_rest: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Rest and picked indices, the picked ones keeping each class's share (largest remainders).

    Every class gets at least one pick; with `keep_rest` each class also keeps one sample in the rest.
    """
    classes, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse)
    most = counts - 1 if keep_rest else counts
    share = counts * n_pick / len(labels)
    take = np.clip(np.floor(share).astype(int), np.minimum(1, most), most)
    while take.sum() > n_pick and take.max() > 1:  # the minimum of one per class overshot
        take[np.argmax(take)] -= 1
    short = n_pick - take.sum()
    order = np.argsort(-(share - take), kind="stable")
    while short > 0 and (take < most).any():
        for c in order:
            if short > 0 and take[c] < most[c]:
                take[c] += 1
                short -= 1
    per_class: list[np.ndarray] = []
    for c in range(len(classes)):
        members = np.flatnonzero(inverse == c)
        per_class.append(rng.permutation(members)[: take[c]])
    picked = np.sort(np.concatenate(per_class))
    mask = np.ones(len(labels), dtype=bool)
    mask[picked] = False
    return np.flatnonzero(mask), picked


def take(arrays: dict[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[index] for k, v in arrays.items()}


def standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale columns to zero mean and unit variance with the train split's statistics."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)


def primary_labels(ds: Dataset) -> np.ndarray | None:
    """Class ids of the single classification target, used to stratify; None otherwise."""
    targets = [t for t in ds.info["targets"] if t["task"] == "classification"]
    if len(ds.info["targets"]) != 1 or not targets:
        return None
    y = ds.y_train[targets[0]["name"]]
    return y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y


def subsample(ds: Dataset, max_samples: int | None, seed: int = 0) -> Dataset:
    """The dataset with at most `max_samples` training samples: stratified for one class target, else the first N."""
    n = ds.train_size
    if not max_samples or max_samples >= n:
        return ds
    labels = primary_labels(ds)
    if labels is not None and max_samples >= len(np.unique(labels)):
        rng = np.random.default_rng(seed)
        _, index = _stratified(labels, max_samples, rng, keep_rest=False)
    else:
        index = np.arange(max_samples)
    info = dict(ds.info, train_size=len(index))
    return Dataset(ds.name, info, take(ds.x_train, index), take(ds.y_train, index), ds.x_test, ds.y_test)
