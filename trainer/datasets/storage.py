"""One .npz file per dataset: its arrays and its info, for the caller to keep in Django's storage."""

from __future__ import annotations

import json

import numpy as np

from .base import Dataset, DatasetError

INFO_KEY = "__info__"
PARTS = ("x_train", "y_train", "x_test", "y_test")


def dataset_to_npz(ds: Dataset, fileobj) -> None:
    """Write the arrays (as `x_train/NAME`, ...) and the info JSON into `fileobj`."""
    arrays = {INFO_KEY: np.array(json.dumps({"name": ds.name, "info": ds.info}))}
    for part in PARTS:
        for name, array in getattr(ds, part).items():
            arrays[f"{part}/{name}"] = np.ascontiguousarray(array)
    np.savez(fileobj, allow_pickle=False, **arrays)


def dataset_from_npz(fileobj) -> Dataset:
    try:
        with np.load(fileobj, allow_pickle=False) as npz:
            meta = json.loads(str(npz[INFO_KEY]))
            parts: dict[str, dict[str, np.ndarray]] = {part: {} for part in PARTS}
            for key in npz.files:
                if key == INFO_KEY:
                    continue
                part, _, name = key.partition("/")
                if part in parts:
                    parts[part][name] = npz[key]
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"the stored dataset file is unreadable ({exc}): upload the dataset again") from None
    return Dataset(meta["name"], meta["info"], **parts)
