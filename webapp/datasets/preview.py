"""A few samples of a dataset for a person to look at: images as PNG data URLs, or table rows.

Plain numpy + Pillow (trainer.figures.png_data_url); no Django.
"""

from __future__ import annotations

import numpy as np

from trainer.figures import png_data_url

MAX_IMAGES = 12
MAX_ROWS = 10
MAX_COLUMNS = 24


def dataset_preview(ds, count: int | None = None) -> dict:
    """{"kind": "images", "images": [{"src", "targets"}]} or {"kind": "table", "columns", "rows"}."""
    info = ds.info
    inputs, targets = info["inputs"], info["targets"]
    image_input = next((f for f in inputs if _is_image(f, ds.x_train.get(f["name"]))), None)
    if image_input is not None:
        n = min(count or MAX_IMAGES, ds.train_size)
        array = ds.x_train[image_input["name"]]
        images = []
        for i in range(n):
            images.append({"src": png_data_url(array[i]), "targets": _targets(ds, targets, i)})
        return {"kind": "images", "input": image_input["name"], "images": images}
    n = min(count or MAX_ROWS, ds.train_size)
    columns: list[str] = []
    blocks = []
    for field in inputs:
        array = np.asarray(ds.x_train[field["name"]][:n]).reshape(n, -1)
        width = array.shape[1]
        names = (
            [field["name"]] if width == 1 and not field["shape"] else [f"{field['name']}[{j}]" for j in range(width)]
        )
        room = MAX_COLUMNS - len(columns)
        if room <= 0:
            break
        columns += names[:room]
        blocks.append(array[:, :room])
    rows = [[_cell(v) for v in np.concatenate([b[i] for b in blocks])] if blocks else [] for i in range(n)]
    target_columns = [t["name"] for t in targets]
    for i in range(n):
        rows[i] += [str(v) for v in _targets(ds, targets, i).values()]
    return {
        "kind": "table",
        "columns": columns + target_columns,
        "truncated": _total_width(ds, inputs) > len(columns),
        "rows": rows,
    }


def _total_width(ds, inputs) -> int:
    return sum(int(np.prod(ds.x_train[f["name"]].shape[1:], dtype=np.int64)) for f in inputs)


def _is_image(field: dict, array) -> bool:
    if array is None:
        return False
    if field.get("modality") == "image":
        return True
    shape = array.shape[1:]
    return (len(shape) == 2 and min(shape) >= 8) or (len(shape) == 3 and shape[-1] in (1, 3, 4) and min(shape[:2]) >= 8)


def _targets(ds, targets: list[dict], i: int) -> dict:
    out = {}
    for t in targets:
        value = np.asarray(ds.y_train[t["name"]][i])
        names = t.get("class_names")
        if names and value.ndim == 0 and np.issubdtype(value.dtype, np.integer) and 0 <= int(value) < len(names):
            out[t["name"]] = names[int(value)]
        elif value.size == 1:
            out[t["name"]] = _cell(value.reshape(-1)[0])
        else:
            out[t["name"]] = [_cell(v) for v in value.reshape(-1)[:8]]
    return out


def _cell(v):
    v = np.asarray(v).item()
    return round(v, 4) if isinstance(v, float) else v
