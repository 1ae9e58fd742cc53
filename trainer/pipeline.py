"""tf.data pipelines over in-memory arrays: batches gathered by shuffled indices, prefetched."""

from __future__ import annotations

from typing import Any

import numpy as np

CACHE_LIMIT = 512 * 1024 * 1024  # eval batches kept in memory up to this size


def nbytes(arrays: Any) -> int:
    """The bytes of an array or of a dict of arrays."""
    if isinstance(arrays, dict):
        return sum(a.nbytes for a in arrays.values())
    return int(arrays.nbytes)


def split_validation(
    x: dict, y: dict, fraction: float, seed: int, crossval: dict | None = None
) -> tuple[tuple[dict, dict], tuple[dict, dict] | None]:
    """((x, y) to fit, (x, y) to validate or None): a seeded random hold-out of `fraction`; or, for a
    cross-validation's fold run (`crossval` {"folds": K, "fold": k, "stratified"} with K set), fold k of
    the seeded K-fold split (trainer.folds), `fraction` unused."""
    n = len(next(iter(x.values())))
    if crossval and crossval.get("folds"):
        from .folds import class_labels, fold_indices

        labels = class_labels(y) if crossval.get("stratified", True) else None
        fit, val = fold_indices(n, int(crossval["folds"]), int(crossval.get("fold", 0)), seed, labels)
    else:
        n_val = int(n * fraction)
        if fraction > 0 and n_val == 0 and n >= 2:
            n_val = 1
        if n_val == 0:
            return (x, y), None
        order = np.random.default_rng(seed).permutation(n)
        val, fit = np.sort(order[:n_val]), np.sort(order[n_val:])

    def pick(arrays, index):
        return {k: v[index] for k, v in arrays.items()}

    return (pick(x, fit), pick(y, fit)), (pick(x, val), pick(y, val))


def make_dataset(x: dict, y: Any, batch_size: int, *, shuffle: bool, seed: int = 0):
    """Batches of ({input: array}, y): y a dict {output: array} for a model with several outputs, the one
    array of a single-output model (builder.CompiledGraph.targets gives either); Keras takes no dict of
    targets for a model whose output is one tensor.

    Indices are shuffled and batched, then each batch is gathered from the
    arrays in one op (like Keras's own array adapter): no per-sample work and
    no copy of the data in a shuffle buffer. Unshuffled pipelines that fit in
    memory are cached after the first pass."""
    import tensorflow as tf

    n = len(next(iter(x.values())))
    data = tf.data.Dataset.from_tensors((x, y)).repeat()
    indices = tf.data.Dataset.range(n)
    if shuffle:
        indices = indices.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    indices = indices.batch(batch_size)

    def gather(index, arrays):
        return tf.nest.map_structure(lambda a: tf.gather(a, index, axis=0), arrays)

    ds = tf.data.Dataset.zip((indices, data)).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    if not shuffle and nbytes(x) + nbytes(y) <= CACHE_LIMIT:
        ds = ds.cache()
    options = tf.data.Options()
    options.deterministic = True  # same seed, same batches
    options.experimental_optimization.map_parallelization = True
    ds = ds.with_options(options)
    return ds.prefetch(tf.data.AUTOTUNE)
