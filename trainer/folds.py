"""K-fold cross-validation splits of the training samples (the test split is never part of them).

A cross-validation's fold runs share one seed: the same seeded assignment of every training sample to one
of K folds, and fold k's run validates on fold k and fits on the rest. Stratified, each class's samples
are dealt over the folds in turn (after a seeded shuffle), so every fold keeps each class's share.
"""

from __future__ import annotations

import numpy as np


def class_labels(y: dict) -> np.ndarray | None:
    """Class ids to stratify by: the one target of a one-Output model when it holds class ids (integers,
    or one-hot rows); None otherwise (several outputs, or values)."""
    if len(y) != 1:
        return None
    array = np.asarray(next(iter(y.values())))
    if array.ndim == 2 and array.shape[1] > 1:
        one_hot = bool(np.all((array == 0) | (array == 1)) and np.all(array.sum(1) == 1))
        return array.argmax(1) if one_hot else None
    flat = array.reshape(len(array), -1)
    if flat.shape[1] != 1:
        return None
    values = flat[:, 0]
    if not np.all(np.equal(np.mod(values, 1), 0)):
        return None
    labels = values.astype(np.int64)
    return labels if len(np.unique(labels)) <= 1000 else None


def assign_folds(n: int, folds: int, seed: int, labels: np.ndarray | None = None) -> np.ndarray:
    """The fold (0..folds-1) of each of `n` samples: seeded; stratified by `labels` when given."""
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    if n < folds:
        raise ValueError(f"{n} training samples cannot make {folds} folds")
    rng = np.random.default_rng(seed)
    out = np.empty(n, dtype=np.int64)
    if labels is None:
        order = rng.permutation(n)
        out[order] = np.arange(n) % folds
        return out
    labels = np.asarray(labels).reshape(-1)
    start = 0
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        # Dealt in turn, each class starting where the last one stopped: the folds' sizes stay within one.
        out[members] = (start + np.arange(len(members))) % folds
        start = (start + len(members)) % folds
    return out


def fold_indices(
    n: int, folds: int, fold: int, seed: int, labels: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(indices to fit, indices to validate) of fold `fold`, both sorted."""
    if not 0 <= fold < folds:
        raise ValueError(f"fold must be from 0 to {folds - 1}, got {fold}")
    assigned = assign_folds(n, folds, seed, labels)
    return np.flatnonzero(assigned != fold), np.flatnonzero(assigned == fold)
