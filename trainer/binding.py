"""Binding a graph's Input and Output blocks to a dataset's fields, and feeding them.

Each block is bound to the field of the same name, or to the dataset's only
field of that kind. An Input takes a field of the same shape, or of the same
number of elements (a documented reshape: Fashion-MNIST's (28, 28) images
feed an Input of (784,) or (28, 28, 1)). An Output's target must suit its loss.
"""

from __future__ import annotations

import math
import re

import numpy as np

SPARSE_LOSSES = {"sparse_categorical_crossentropy", "sparse_categorical_focal_crossentropy"}
CATEGORICAL_LOSSES = {
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "kl_divergence",
    "kld",
    "kullback_leibler_divergence",
}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}
LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "crossentropy": "categorical_crossentropy",
}


class BindingError(Exception):
    """The graph's blocks cannot be fed from the dataset; `errors` are [{"node", "field"?, "message"}]."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        lines = [f"{e['node']}: {e['message'].rstrip('.')}" for e in errors]
        super().__init__("; ".join(lines) + "." if lines else "the graph does not fit the dataset")


def loss_name(loss) -> str | None:
    """'SparseCategoricalCrossentropy' or 'sparse_categorical_crossentropy' -> 'sparse_categorical_crossentropy'."""
    if loss is None:
        return None
    if isinstance(loss, dict):  # a serialised Keras loss
        loss = loss.get("class_name") or loss.get("config", {}).get("name")
    if not isinstance(loss, str):
        loss = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", loss).lower() if any(c.isupper() for c in loss) else loss
    return LOSS_ALIASES.get(name, name)


def _shape(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in (shape or []))


def _fmt(shape) -> str:
    shape = tuple("None" if d is None else d for d in shape)
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _elements(shape: tuple) -> int | None:
    return None if any(d is None for d in shape) else math.prod(shape)


def _compatible(block: tuple, field: tuple) -> bool:
    """Same rank with None as a wildcard, or the same number of elements (a reshape)."""
    if len(block) == len(field) and all(b is None or f is None or b == f for b, f in zip(block, field, strict=False)):
        return True
    return _elements(block) is not None and _elements(block) == _elements(field)


def _match(name: str, fields: list[dict]) -> tuple[dict | None, str | None]:
    """The field a block named `name` is bound to and how ("name" or "only"), or (None, None)."""
    for f in fields:
        if f["name"] == name:
            return f, "name"
    return (fields[0], "only") if len(fields) == 1 else (None, None)


def find_field(name: str, fields: list[dict]) -> dict | None:
    """The field a block named `name` is bound to: the one of that name, or the only one; None otherwise."""
    return _match(name, fields)[0]


def bindings(inputs: list[dict], outputs: list[dict], info: dict) -> list[dict]:
    """Which dataset field each block is bound to: [{"node", "kind": "input"|"output", "field", "how"}],
    inputs first; "field" and "how" are None for a block that matches no field (check_binding says why)."""
    rows = []
    for kind, blocks, fields in (
        ("input", inputs, info.get("inputs", [])),
        ("output", outputs, info.get("targets", [])),
    ):
        for block in blocks:
            field, how = _match(block["name"], fields)
            rows.append({"node": block["name"], "kind": kind, "field": field["name"] if field else None, "how": how})
    return rows


def _choices(fields: list[dict]) -> str:
    return ", ".join(f"'{f['name']}' {_fmt(_shape(f['shape']))}" for f in fields) or "none"


def _loss_kind(loss: str | None) -> str:
    if loss in SPARSE_LOSSES:
        return "sparse"
    if loss in CATEGORICAL_LOSSES:
        return "categorical"
    if loss in BINARY_LOSSES:
        return "binary"
    return "other"


def check_binding(inputs: list[dict], outputs: list[dict], info: dict) -> list[dict]:
    """Errors ([] when every block can be fed), each naming its block and field and saying how to fix it."""
    dataset = info.get("name", "the dataset")
    errors = []
    fields = info.get("inputs", [])
    for block in inputs:
        name = block["name"]
        field = find_field(name, fields)
        if field is None:
            errors.append(
                {
                    "node": name,
                    "message": (
                        f"Input '{name}' matches no input field of {dataset}: its inputs are {_choices(fields)}. "
                        "Rename the Input block to one of them."
                    ),
                }
            )
            continue
        want, have = _shape(block.get("shape")), _shape(field["shape"])
        if not _compatible(want, have):
            hint = f"set the Input's shape to {list(have)}" + (
                f" (or any shape of {_elements(have)} elements)" if _elements(have) else ""
            )
            errors.append(
                {
                    "node": name,
                    "field": field["name"],
                    "message": (
                        f"Input '{name}' has shape {_fmt(want)} but field '{field['name']}' of {dataset} is "
                        f"{_fmt(have)}: {hint}."
                    ),
                }
            )
            continue
        block_dtype = str(block.get("dtype") or "float32")
        if block_dtype.startswith("int") and not str(field["dtype"]).startswith("int"):
            errors.append(
                {
                    "node": name,
                    "field": field["name"],
                    "message": (
                        f"Input '{name}' is {block_dtype} but field '{field['name']}' of {dataset} holds "
                        f"{field['dtype']} values: set the Input's dtype to float32."
                    ),
                }
            )

    targets = info.get("targets", [])
    for block in outputs:
        name = block["name"]
        target = find_field(name, targets)
        if target is None:
            errors.append(
                {
                    "node": name,
                    "message": (
                        f"Output '{name}' matches no target of {dataset}: its targets are {_choices(targets)}. "
                        "Rename the Output block to one of them."
                    ),
                }
            )
            continue
        message = _output_problem(block, target, dataset)
        if message:
            errors.append({"node": name, "field": target["name"], "message": message})
    return errors


def binding_warnings(outputs: list[dict], info: dict) -> list[dict]:
    """What trains but is likely a slip: an Output with more units than its target has classes (Keras
    trains it, as the book's Dense(500) on 499 classes does; the extra units are never the answer).
    Each names its block and field, as check_binding's errors do."""
    dataset = info.get("name", "the dataset")
    warnings = []
    for block in outputs:
        target = find_field(block["name"], info.get("targets", []))
        if target is None:
            continue
        out = _shape(block.get("shape"))
        classes = target.get("classes")
        last = out[-1] if out else None
        kind = _loss_kind(loss_name(block.get("loss")))
        if kind in ("sparse", "categorical") and classes and last is not None and last > classes:
            extra = last - classes
            warnings.append(
                {
                    "node": block["name"],
                    "field": target["name"],
                    "message": (
                        f"Output '{block['name']}' has {last} units but target '{target['name']}' of {dataset} "
                        f"has {classes} classes: the {extra} extra unit{'s are' if extra > 1 else ' is'} never "
                        f"the answer (it trains; a Dense of {classes} units is the usual end)."
                    ),
                }
            )
    return warnings


def _output_problem(block: dict, target: dict, dataset: str) -> str | None:
    name, field = block["name"], target["name"]
    out = _shape(block.get("shape"))
    have = _shape(target["shape"])
    loss = loss_name(block.get("loss"))
    kind = _loss_kind(loss)
    classes = target.get("classes")
    label = f"Output '{name}'"
    about = f"target '{field}' of {dataset}"
    last = out[-1] if out else None
    # The target without a trailing 1 (class ids may come as (N,) or (N, 1)).
    ids_shape = have[:-1] if have and have[-1] == 1 else have

    if kind == "sparse":
        if not classes:
            return (
                f"{label} uses {loss}, which needs class ids, but {about} is a regression target: "
                "use mean_squared_error (a Dense of 1 unit, no activation)."
            )
        if last is not None and last < classes:
            return (
                f"{label} has {last} units but {about} has {classes} classes: "
                f"end with a Dense of {classes} units and softmax."
            )
        if not _compatible(out[:-1], ids_shape):
            return f"{label} has shape {_fmt(out)} but {about} is {_fmt(have)} class ids: they do not line up."
        return None
    if kind == "categorical":
        if classes:
            if last is not None and last < classes:
                return (
                    f"{label} has {last} units but {about} has {classes} classes: "
                    f"end with a Dense of {classes} units and softmax."
                )
            if not _compatible(out[:-1], ids_shape):
                return f"{label} has shape {_fmt(out)} but {about} is {_fmt(have)}: they do not line up."
            return None  # class ids become one-hot rows
        if not _compatible(out, have):
            return f"{label} has shape {_fmt(out)} but {about} is {_fmt(have)}: make them match."
        return None
    if kind == "binary":
        if classes:
            if classes != 2:
                return (
                    f"{label} uses {loss}, which needs 2 classes, but {about} has {classes}: use "
                    f"sparse_categorical_crossentropy with a Dense of {classes} units and softmax."
                )
            if last is not None and last != 1:
                return (
                    f"{label} has {last} units but {loss} needs 1 unit with a sigmoid for {about}: "
                    "end with Dense(1, activation='sigmoid')."
                )
            return None
        if not _compatible(out, have):
            return f"{label} has shape {_fmt(out)} but {about} is {_fmt(have)}: make them match."
        return None
    # Regression and other losses: the target is used as it is.
    if classes and out and last is not None and last == classes and last != 1:
        return (
            f"{label} has {classes} units for the {classes} classes of {about} but {loss or 'its loss'} "
            "compares values: use "
            "sparse_categorical_crossentropy for class ids."
        )
    if not _compatible(out, have) and not (classes and _compatible(out, (*ids_shape, 1))):
        return (
            f"{label} has shape {_fmt(out)} but {about} is {_fmt(have)}: "
            f"end with a layer of output shape {_fmt(have or (1,))}."
        )
    return None


def _reshape(array: np.ndarray, shape: tuple) -> np.ndarray:
    if any(d is None for d in shape) or tuple(array.shape[1:]) == shape:
        return array
    return array.reshape((len(array), *shape))


def _dtype(block: dict) -> np.dtype:
    dtype = str(block.get("dtype") or "float32")
    return np.dtype("int32") if dtype.startswith("int") else np.dtype("float32")


def prepare(inputs: list[dict], outputs: list[dict], ds, split: str = "train") -> tuple[dict, dict]:
    """x and y keyed by block names, reshaped and converted as each block and loss needs.

    Call check_binding first: this assumes the binding is valid."""
    if split not in ("train", "test"):
        raise ValueError(f"split is 'train' or 'test', got {split!r}")
    xs = ds.x_train if split == "train" else ds.x_test
    ys = ds.y_train if split == "train" else ds.y_test
    info = ds.info
    x = {}
    for block in inputs:
        field = _bound(block, info["inputs"])
        array = xs[field["name"]]
        x[block["name"]] = _reshape(array, _shape(block.get("shape"))).astype(_dtype(block), copy=False)
    y = {}
    for block in outputs:
        target = _bound(block, info["targets"])
        y[block["name"]] = _target(block, target, ys[target["name"]])
    return x, y


def _bound(block: dict, fields: list[dict]) -> dict:
    field = find_field(block["name"], fields)
    if field is None:
        raise BindingError([{"node": block["name"], "message": f"no dataset field for block '{block['name']}'"}])
    return field


def _target(block: dict, target: dict, array: np.ndarray) -> np.ndarray:
    out = _shape(block.get("shape"))
    kind = _loss_kind(loss_name(block.get("loss")))
    classes = target.get("classes")
    if classes and kind == "categorical":
        ids = array.reshape(array.shape[:-1] if array.ndim > 1 and array.shape[-1] == 1 else array.shape)
        # one-hot rows as wide as the output: more units than classes trains (binding_warnings)
        width = max(classes, out[-1]) if out and isinstance(out[-1], int) else classes
        return np.eye(width, dtype=np.float32)[ids.astype(np.int64)]
    if classes and kind == "sparse":
        return array.astype(np.int32, copy=False)
    if classes:  # binary and others: the ids as numbers, shaped like the output
        values = array.astype(np.float32)
        return _reshape(values, out) if _elements(out) == _elements(tuple(values.shape[1:]) or (1,)) else values
    values = array.astype(np.float32, copy=False)
    if out and _elements(out) is not None and _elements(out) == _elements(tuple(values.shape[1:])):
        return _reshape(values, out)
    return values
