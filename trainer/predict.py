"""Predictions from a trained run's saved model (no Django).

A `Predictor` wraps the model loaded once (`compile=False, safe_mode=True`; it
is never fitted) with the dataset info the run trained on and its graph, which
say which Input takes which dataset field and which Output predicts which
target (with its class names). It takes samples as JSON lists, image files
(decoded exactly as the upload or Fashion-MNIST was) or raw CSV rows (scaled
and encoded with the statistics kept when the CSV was parsed), and answers

    {"outputs": {"<output>": {"values": [[...] per sample],
                              "top": [[{"class", "name", "probability"}, ...] per sample]}}}

with `top` only for classification outputs. Bad input raises `PredictError`,
whose `field` names what is wrong (`inputs.pixels`, `files[0]`, `columns.age`).
`ModelCache` keeps a few Predictors warm, keyed by run and model file.
"""

from __future__ import annotations

import csv
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .binding import bindings
from .datasets.base import Dataset, UploadError
from .datasets.csv_upload import OOV, _as_number, _sniff, standardise_values, tokenize
from .datasets.limits import UploadLimits

DEFAULT_MAX_SAMPLES = 256
TOP_CLASSES = 5
DECIMALS = 6


class PredictError(Exception):
    """A request that cannot be predicted, worded for the person who sent it; `field` names the input."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def _error(field: str, text: str) -> PredictError:
    return PredictError(f"{field}: {text}", field)


@dataclass(frozen=True)
class InputSpec:
    name: str  # the Input block's id, the model input's name
    shape: tuple  # without the batch axis; None for any length
    dtype: str  # "float32" or "int32"
    field: dict | None  # the dataset input field it was trained on


@dataclass(frozen=True)
class OutputSpec:
    name: str  # the Output block's id
    shape: tuple
    loss: str | None
    target: dict | None  # the dataset target it was trained on


def _fmt(shape: Sequence) -> str:
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _elements(shape: Sequence) -> int | None:
    return None if any(d is None for d in shape) else math.prod(shape)


def _fits(shape: tuple, want: tuple) -> bool:
    return len(shape) == len(want) and all(w is None or s == w for s, w in zip(shape, want, strict=True))


# ---- images ----


def image_layout(field: dict) -> tuple[int, int, str, bool] | None:
    """(height, width, "rgb" | "grayscale", has a channel axis) of an image field; None when it is no image."""
    shape = [int(d) for d in field.get("shape") or []]
    if len(shape) == 2:
        return shape[0], shape[1], "grayscale", False
    if len(shape) == 3 and shape[2] in (1, 3):
        return shape[0], shape[1], "rgb" if shape[2] == 3 else "grayscale", True
    return None


def images_to_input(
    files: Sequence[bytes],
    field: dict,
    *,
    names: Sequence[str] | None = None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    limits: UploadLimits | None = None,
) -> np.ndarray:
    """Image files as the array of `field` (a dataset info input): decoded, converted to grey or RGB,
    resized and scaled to [0, 1] exactly as the uploaded images (and Fashion-MNIST's) were."""
    from .datasets.image_upload import _decode

    layout = image_layout(field) if field.get("modality") == "image" else None
    if layout is None:
        raise _error(
            "files", f"input field {field.get('name')!r} {_fmt(field.get('shape') or [])} takes no image files"
        )
    height, width, color, channel_axis = layout
    if not isinstance(files, (list, tuple)) or not files:
        raise _error("files", "send at least one image file")
    if len(files) > max_samples:
        raise _error("files", f"at most {max_samples} images per request, got {len(files)}")
    limits = limits or UploadLimits()
    out = np.empty((len(files), height, width, 3 if color == "rgb" else 1), dtype=np.float32)
    for i, data in enumerate(files):
        where = f"files[{i}]"
        label = names[i] if names is not None and i < len(names) and names[i] else where
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise _error(where, "is not a file")
        if len(data) > limits.max_bytes:
            raise _error(where, f"is larger than the limit of {limits.max_bytes // 2**20} MB")
        try:
            out[i] = _decode(bytes(data), label, height, width, color, limits)
        except UploadError as exc:
            raise _error(where, str(exc)) from None
    return out if channel_axis else out[..., 0]


# ---- CSV rows ----


def tabular_columns(info: dict) -> list[str]:
    """Every column of the CSV the dataset was parsed from, in its order (inputs, targets, dropped ones)."""
    columns = list((info.get("source") or {}).get("columns") or [])
    known = [c["column"] for f in info.get("inputs", []) for c in f.get("columns") or []]
    known += [f["column"] for f in info.get("inputs", []) if f.get("modality") == "text" and f.get("column")]
    known += [t["column"] for t in info.get("targets", []) if t.get("column")]
    for column in known:
        if column not in columns:
            columns.append(column)
    return columns


def _rows_table(rows: str | Mapping[str, Sequence], max_samples: int) -> tuple[list[str], dict[str, list]]:
    """(columns, {column: values}) of CSV text or of an object of named columns."""
    if isinstance(rows, str):
        text = rows.lstrip("\ufeff")
        first = text.split("\n", 1)[0]
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(first))
        try:
            table = [row for row in reader if any(v.strip() for v in row)]
        except csv.Error as exc:
            raise _error("csv", f"is not valid CSV: {exc}") from None
        if not table:
            raise _error("csv", "is empty: send a header row naming the columns, then one row per sample")
        header = [h.strip() for h in table[0]]
        if len(set(header)) != len(header):
            raise _error("csv", "names a column twice in its header")
        body = table[1:]
        for line, row in enumerate(body, start=2):
            if len(row) != len(header):
                raise _error("csv", f"line {line} has {len(row)} values but the header has {len(header)}")
        data: dict[str, list] = {h: [row[j] for row in body] for j, h in enumerate(header)}
    elif isinstance(rows, Mapping):
        header = [str(c) for c in rows]
        data = {}
        for column, values in rows.items():
            if not isinstance(values, (list, tuple)):
                raise _error(f"columns.{column}", "must be a list of values, one per sample")
            data[str(column)] = list(values)
        lengths = {len(v) for v in data.values()}
        if len(lengths) > 1:
            detail = ", ".join(f"{c}: {len(v)}" for c, v in data.items())
            raise _error("columns", f"every column needs the same number of values ({detail})")
    else:
        raise _error("rows", "send CSV text or an object of named columns {column: [values]}")
    n = len(next(iter(data.values()))) if data else 0
    if n == 0:
        raise _error("rows", "send at least one row")
    if n > max_samples:
        raise _error("rows", f"at most {max_samples} rows per request, got {n}")
    return header, data


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _numbers(column: str, values: list) -> np.ndarray:
    """float64 cells, NaN where missing; a cell that is not a number is an error naming the column."""
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value) if isinstance(value, (int, float)) else _as_number(_cell(value))
        except (TypeError, ValueError):
            raise _error(f"columns.{column}", f"row {i + 1} holds {value!r}: this column takes numbers") from None
        if number is not None and math.isinf(number):
            raise _error(f"columns.{column}", f"row {i + 1} is infinite: send a finite number")
        out[i] = np.nan if number is None else number
    return out


def _stale(column: str, what: str) -> PredictError:
    return _error(
        f"columns.{column}",
        f"the dataset was stored without {what} for this column (an older or too large upload): "
        "upload the CSV again and retrain to predict from raw rows, or send the input arrays",
    )


def _encode_column(entry: dict, values: list) -> np.ndarray | None:
    """The (n, width) float32 part of the features input for one column, as at upload; None when dropped."""
    column, encoding = entry["column"], entry["encoding"]
    if entry.get("width", 0) == 0:
        return None
    if encoding == "numeric":
        if "mean" not in entry:
            raise _stale(column, "its mean and deviation")
        return standardise_values(_numbers(column, values), entry["mean"], entry["std"])[:, None]
    if encoding == "one-hot":
        index = {v: i for i, v in enumerate(entry["categories"])}
        onehot = np.zeros((len(values), len(index)), dtype=np.float32)
        for row, value in enumerate(values):
            cell = _cell(value)
            if cell in index:  # missing and unseen values are all zeros, as in training
                onehot[row, index[cell]] = 1.0
        return onehot
    if encoding == "integer":
        if "values" not in entry or "mean" not in entry:
            raise _stale(column, "its category codes")
        codes_of = {v: i + 1 for i, v in enumerate(entry["values"])}
        codes = np.array([codes_of.get(_cell(v), 0) for v in values], dtype=np.float64)
        return standardise_values(codes, entry["mean"], entry["std"])[:, None]
    raise _error(f"columns.{column}", f"unknown encoding {encoding!r}")


def _encode_text(field: dict, values: list) -> np.ndarray:
    column = field["column"]
    vocabulary = field.get("vocabulary")
    if vocabulary is None:
        raise _stale(column, "its vocabulary")
    ids_of = {word: i + 2 for i, word in enumerate(vocabulary)}
    length = int(field["sequence_length"])
    ids = np.zeros((len(values), length), dtype=np.int32)
    for row, value in enumerate(values):
        row_ids = [ids_of.get(w, OOV) for w in tokenize(_cell(value))[:length]]
        ids[row, : len(row_ids)] = row_ids
    return ids


def rows_to_input(
    rows: str | Mapping[str, Sequence],
    info: dict,
    *,
    fields: Sequence[str] | None = None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
) -> dict[str, np.ndarray]:
    """Raw rows of a CSV upload's columns as its input fields ({field name: array}), scaled and encoded
    with the statistics kept when the CSV was parsed: a row gives exactly the numbers it gave in training.

    `rows` is CSV text with a header or {column: [values]}; `fields` limits which input fields are
    made (the ones a model uses). Target columns may be present (they are ignored); unknown or missing
    columns are a PredictError naming the column."""
    tabular = [f for f in info.get("inputs", []) if f.get("modality") == "tabular" and f.get("columns")]
    texts = [f for f in info.get("inputs", []) if f.get("modality") == "text" and f.get("column")]
    if not tabular and not texts:
        raise _error("rows", f"dataset {info.get('name')!r} is not a CSV upload: send the inputs as arrays")
    wanted = set(fields) if fields is not None else {f["name"] for f in tabular + texts}
    header, data = _rows_table(rows, max_samples)
    known = tabular_columns(info)
    for column in header:
        if column not in known:
            raise _error(f"columns.{column}", f"is not a column of the dataset: its columns are {_names(known)}")
    needed = [c["column"] for f in tabular if f["name"] in wanted for c in f["columns"] if c.get("width", 0)]
    needed += [f["column"] for f in texts if f["name"] in wanted]
    for column in needed:
        if column not in data:
            raise _error(f"columns.{column}", f"is missing: the model needs the columns {_names(needed)}")
    out = {}
    for f in tabular:
        if f["name"] in wanted:
            parts = [p for c in f["columns"] if (p := _encode_column(c, data.get(c["column"], []))) is not None]
            out[f["name"]] = np.concatenate(parts, axis=1).astype(np.float32)
    for f in texts:
        if f["name"] in wanted:
            out[f["name"]] = _encode_text(f, data[f["column"]])
    return out


def _names(names: Sequence[str], most: int = 20) -> str:
    shown = ", ".join(str(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


# ---- JSON samples ----


def _sample_shapes(spec: InputSpec) -> list[tuple]:
    """The per-sample shapes an input takes: its own, its dataset field's, and flat (a documented reshape)."""
    shapes = [spec.shape]
    elements = _elements(spec.shape)
    if spec.field is not None:
        field_shape = tuple(int(d) for d in spec.field.get("shape") or [])
        if field_shape not in shapes and _elements(field_shape) == elements:
            shapes.append(field_shape)
    if elements is not None and (elements,) not in shapes:
        shapes.append((elements,))
    return shapes


def _shape_words(shapes: list[tuple]) -> str:
    first, rest = shapes[0], shapes[1:]
    words = _fmt(first)
    if rest:
        alt = ["x".join(str(d) for d in s) if len(s) > 1 else _fmt(s) for s in rest]
        words += f" (or {' or '.join(alt)})"
    return words


def samples_to_input(spec: InputSpec, samples: Any, max_samples: int = DEFAULT_MAX_SAMPLES) -> np.ndarray:
    """JSON samples (one nested list per sample) checked against the input's shape and dtype, as its array."""
    where = f"inputs.{spec.name}"
    if not isinstance(samples, (list, tuple)):
        raise _error(where, "must be a list of samples")
    if not samples:
        raise _error(where, "send at least one sample")
    if len(samples) > max_samples:
        raise _error(where, f"at most {max_samples} samples per request, got {len(samples)}")
    if _is_sequence(spec):
        return _sequences(spec, samples, where)
    shapes = _sample_shapes(spec)
    arrays = []
    for i, sample in enumerate(samples):
        array = _numeric_array(sample, where, i)
        if not any(_fits(array.shape, s) for s in shapes):
            raise _error(where, f"each sample must have shape {_shape_words(shapes)}, got {_fmt(array.shape)}")
        arrays.append(array)
    try:
        batch = np.stack(arrays)
    except ValueError:
        raise _error(where, "every sample must have the same shape") from None
    if _elements(spec.shape) is not None and batch.shape[1:] != spec.shape:
        batch = batch.reshape((len(batch), *spec.shape))
    return _checked_values(spec, batch, where)


def _is_sequence(spec: InputSpec) -> bool:
    """Token ids: an int input of one axis, of any length or fed from a text column (0 pads)."""
    text = (spec.field or {}).get("modality") == "text"
    return spec.dtype.startswith("int") and len(spec.shape) == 1 and (spec.shape[0] is None or text)


def _numeric_array(sample: Any, where: str, i: int) -> np.ndarray:
    try:
        array = np.asarray(sample)
    except ValueError:  # ragged nested lists
        raise _error(where, f"sample {i} is not a rectangular list of numbers") from None
    if array.dtype.kind not in "biuf":
        raise _error(where, f"sample {i} must hold numbers only")
    return array.astype(np.float64)


def _checked_values(spec: InputSpec, batch: np.ndarray, where: str) -> np.ndarray:
    if not np.isfinite(batch).all():
        raise _error(where, "values must be finite numbers (no NaN or infinity)")
    if spec.dtype.startswith("int"):
        if (batch != np.round(batch)).any():
            raise _error(where, f"is {spec.dtype}: values must be whole numbers")
        vocab = spec.field.get("vocab_size") if spec.field else None
        if vocab and (batch.min() < 0 or batch.max() >= vocab):
            raise _error(where, f"ids must be between 0 and {vocab - 1} (the vocabulary has {vocab} ids)")
        return batch.astype(np.int32)
    if spec.field is not None and spec.field.get("modality") == "image" and (batch.min() < 0 or batch.max() > 1):
        raise _error(where, "pixels are scaled to [0, 1] (value / 255) as in training")
    return batch.astype(np.float32)


def _sequences(spec: InputSpec, samples: Sequence, where: str) -> np.ndarray:
    """Integer id sequences padded with 0 to the input's length, else the text field's, else the longest's."""
    rows = []
    for i, sample in enumerate(samples):
        array = _numeric_array(sample, where, i)
        if array.ndim != 1:
            raise _error(where, f"each sample is a list of integer ids, got shape {_fmt(array.shape)} for sample {i}")
        rows.append(array)
    length = spec.shape[0] or (spec.field or {}).get("sequence_length")  # as the text column was cut in training
    if length is None:
        length = max(1, max(len(r) for r in rows))
    longest = max(range(len(rows)), key=lambda i: len(rows[i]))
    if len(rows[longest]) > length:
        raise _error(where, f"each sample has at most {length} ids, sample {longest} has {len(rows[longest])}")
    batch = np.zeros((len(rows), length), dtype=np.float64)
    for i, r in enumerate(rows):
        batch[i, : len(r)] = r
    return _checked_values(spec, batch, where)


# ---- outputs ----


def _probabilities(spec: OutputSpec, pred: np.ndarray) -> np.ndarray | None:
    """(n, classes) class probabilities of a classification output, None for other outputs."""
    classes = (spec.target or {}).get("classes")
    if not classes or pred.ndim not in (1, 2):
        return None
    p = pred.reshape(len(pred), -1).astype(np.float64)
    if p.shape[1] == classes and classes >= 2:
        if (p >= 0).all() and (p <= 1).all() and np.allclose(p.sum(1), 1, atol=1e-3):
            return p
        e = np.exp(p - p.max(1, keepdims=True))  # logits
        return e / e.sum(1, keepdims=True)
    if p.shape[1] == 1 and classes == 2:
        q = p[:, 0]
        if not ((q >= 0).all() and (q <= 1).all()):
            q = 1 / (1 + np.exp(-q))
        return np.stack([1 - q, q], axis=1)
    return None


def _top(probs: np.ndarray, names: Sequence[str]) -> list[list[dict]]:
    k = min(TOP_CLASSES, probs.shape[1])
    out = []
    for row in probs:
        order = np.argsort(-row, kind="stable")[:k]
        out.append(
            [
                {
                    "class": int(c),
                    "name": str(names[c]) if c < len(names) else str(c),
                    "probability": round(float(row[c]), 4),
                }
                for c in order
            ]
        )
    return out


def _plain(values: np.ndarray) -> list:
    values = np.round(values.astype(np.float64), DECIMALS)
    if np.isfinite(values).all():
        return values.tolist()
    plain = values.astype(object)
    plain[~np.isfinite(values)] = None  # NaN and infinity as null in JSON
    return plain.tolist()


def format_output(spec: OutputSpec, pred: np.ndarray) -> dict:
    pred = np.asarray(pred)
    answer: dict[str, Any] = {"values": _plain(pred.reshape(len(pred), -1) if pred.ndim == 1 else pred)}
    probs = _probabilities(spec, pred)
    if probs is not None:
        classes = int(spec.target["classes"]) if spec.target else probs.shape[1]
        names = (spec.target or {}).get("class_names") or [str(i) for i in range(classes)]
        answer["top"] = _top(probs, names)
    return answer


# ---- the predictor ----


def _graph_blocks(graph: dict | None) -> tuple[dict[str, dict], list[str]]:
    """({node id: params} of the Input and Output nodes, Output ids in document order)."""
    params, outputs = {}, []
    for node in (graph or {}).get("nodes") or []:
        if isinstance(node, dict) and node.get("type") in ("Input", "Output"):
            params[str(node.get("id"))] = node.get("params") or {}
            if node["type"] == "Output":
                outputs.append(str(node.get("id")))
    return params, outputs


def _dims(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tuple(tensor.shape)[1:])


class Predictor:
    """A loaded model with what it was trained on; `predict` never trains it."""

    def __init__(self, model, info: dict, graph: dict | None = None, *, max_samples: int = DEFAULT_MAX_SAMPLES):
        self.model = model
        self.info = info
        self.max_samples = int(max_samples)
        self._lock = threading.Lock()
        model.trainable = False
        params, output_ids = _graph_blocks(graph)
        specs = [(t.name, _dims(t), "int32" if "int" in str(t.dtype) else "float32") for t in model.inputs]
        if isinstance(model.output, dict):
            outputs = [(str(k), _dims(t)) for k, t in model.output.items()]
            self._positional = False
        else:
            tensors = list(model.outputs)
            names = output_ids if len(output_ids) == len(tensors) else list(model.output_names)
            outputs = [(str(n), _dims(t)) for n, t in zip(names, tensors, strict=True)]
            self._positional = True
        bound = bindings(
            [{"name": n, "shape": list(s), "dtype": d} for n, s, d in specs],
            [{"name": n, "shape": list(s)} for n, s in outputs],
            info,
        )
        fields = {f["name"]: f for f in info.get("inputs", [])}
        targets = {t["name"]: t for t in info.get("targets", [])}
        field_of = {(b["kind"], b["node"]): b["field"] for b in bound}
        self.inputs = [InputSpec(n, s, d, fields.get(field_of.get(("input", n)) or "")) for n, s, d in specs]
        self.outputs = [
            OutputSpec(n, s, params.get(n, {}).get("loss"), targets.get(field_of.get(("output", n)) or ""))
            for n, s in outputs
        ]

    @classmethod
    def load(
        cls, path: str | Path, info: dict, graph: dict | None = None, *, max_samples: int = DEFAULT_MAX_SAMPLES
    ) -> Predictor:
        """Load a saved .keras model for inference only (no optimizer, no custom code)."""
        import keras

        try:
            model = keras.saving.load_model(str(path), compile=False, safe_mode=True)
        except (OSError, ValueError) as exc:
            raise _error("model", f"the run's saved model cannot be loaded ({exc})") from exc
        return cls(model, info, graph, max_samples=max_samples)

    def input(self, name: str | None = None, *, modality: str | None = None) -> InputSpec:
        """The input called `name`, or the only input (of that modality)."""
        if name is not None:
            for spec in self.inputs:
                if spec.name == name:
                    return spec
            raise _error("input", f"the model has no input {name!r}: its inputs are {_names(self._input_names())}")
        candidates = [s for s in self.inputs if modality is None or (s.field or {}).get("modality") == modality]
        if len(candidates) != 1:
            kind = f"{modality} " if modality else ""
            raise _error(
                "input",
                f"the model has {len(candidates)} {kind}inputs ({_names([s.name for s in candidates])}): name one",
            )
        return candidates[0]

    def _input_names(self) -> list[str]:
        return [s.name for s in self.inputs]

    def describe(self) -> dict:
        """What each input takes and each output answers, for a form and for error messages."""
        inputs = []
        for spec in self.inputs:
            field = spec.field or {}
            modality = field.get("modality")
            accepts = ["samples"]
            if modality == "image" and image_layout(field):
                accepts.append("files")
            if modality in ("tabular", "text") and (field.get("columns") or field.get("column")):
                accepts.append("rows")
            inputs.append(
                {
                    "name": spec.name,
                    "shape": list(spec.shape),
                    "dtype": spec.dtype,
                    "field": field.get("name"),
                    "modality": modality,
                    "accepts": accepts,
                }
            )
        outputs = []
        for out in self.outputs:
            target = out.target or {}
            outputs.append(
                {
                    "name": out.name,
                    "shape": list(out.shape),
                    "target": target.get("name"),
                    "task": target.get("task"),
                    "class_names": target.get("class_names"),
                }
            )
        return {"inputs": inputs, "outputs": outputs, "max_samples": self.max_samples}

    # The ways in: JSON samples, image files, CSV rows. All end in predict_arrays.

    def predict(self, inputs: Any) -> dict:
        """JSON {"<input name>": [sample, ...]} to the answer; PredictError naming the input when it does not fit."""
        if not isinstance(inputs, Mapping):
            raise _error("inputs", "must be an object {input name: [sample, ...]}")
        names = self._input_names()
        for key in inputs:
            if key not in names:
                raise _error(f"inputs.{key}", f"the model has no such input: its inputs are {_names(names)}")
        x = {}
        for spec in self.inputs:
            if spec.name not in inputs:
                raise _error(f"inputs.{spec.name}", f"is missing: the model needs {_names(names)}")
            x[spec.name] = samples_to_input(spec, inputs[spec.name], self.max_samples)
        return self.predict_arrays(x)

    def predict_images(
        self,
        files: Sequence[bytes],
        input: str | None = None,
        *,
        names: Sequence[str] | None = None,
        inputs: Mapping | None = None,
    ) -> dict:
        """Image files for the image input (`input`, or the only one); `inputs` gives any other inputs as JSON."""
        spec = self.input(input, modality=None if input else "image")
        if spec.field is None:
            raise _error("files", f"input {spec.name!r} is bound to no dataset field")
        array = images_to_input(files, spec.field, names=names, max_samples=self.max_samples)
        x = {spec.name: self._as_input(spec, array)}
        for other in self.inputs:
            if other.name != spec.name:
                if not inputs or other.name not in inputs:
                    raise _error(f"inputs.{other.name}", "is missing: send it beside the files")
                x[other.name] = samples_to_input(other, inputs[other.name], self.max_samples)
        return self.predict_arrays(x)

    def predict_rows(self, rows: str | Mapping[str, Sequence]) -> dict:
        """Raw CSV rows (text with a header, or {column: [values]}) of the dataset's columns."""
        fields = {s.name: (s.field or {}).get("name") for s in self.inputs}
        arrays = rows_to_input(rows, self.info, fields=[f for f in fields.values() if f], max_samples=self.max_samples)
        x = {}
        for spec in self.inputs:
            field = fields[spec.name]
            if field not in arrays:
                raise _error(f"inputs.{spec.name}", f"field {field!r} is not made from CSV columns: send it as samples")
            x[spec.name] = self._as_input(spec, arrays[field])
        return self.predict_arrays(x)

    def _as_input(self, spec: InputSpec, array: np.ndarray) -> np.ndarray:
        """A field's array reshaped and cast for the input, as trainer.binding.prepare does."""
        if _elements(spec.shape) is not None and tuple(array.shape[1:]) != spec.shape:
            if _elements(array.shape[1:]) != _elements(spec.shape):
                raise _error(
                    f"inputs.{spec.name}",
                    f"each sample must have shape {_fmt(spec.shape)}, got {_fmt(array.shape[1:])}",
                )
            array = array.reshape((len(array), *spec.shape))
        return array.astype(np.int32 if spec.dtype.startswith("int") else np.float32, copy=False)

    def predict_arrays(self, x: Mapping[str, np.ndarray]) -> dict:
        """Arrays already shaped for the inputs ({input name: (n, ...)}) to the answer."""
        counts = {name: len(a) for name, a in x.items()}
        if len(set(counts.values())) > 1:
            detail = ", ".join(f"{k}: {n}" for k, n in counts.items())
            raise _error("inputs", f"every input needs the same number of samples ({detail})")
        n = next(iter(counts.values()), 0)
        if n == 0:
            raise _error("inputs", "send at least one sample")
        if n > self.max_samples:
            raise _error("inputs", f"at most {self.max_samples} samples per request, got {n}")
        with self._lock:  # one batch at a time through a model
            raw = self.model.predict_on_batch({name: x[name] for name in self._input_names()})
        return {"outputs": {spec.name: format_output(spec, pred) for spec, pred in self._by_output(raw)}}

    def _by_output(self, raw) -> list[tuple[OutputSpec, np.ndarray]]:
        if isinstance(raw, dict):
            return [(spec, np.asarray(raw[spec.name])) for spec in self.outputs]
        arrays = [raw] if not isinstance(raw, (list, tuple)) else list(raw)
        return [(spec, np.asarray(a)) for spec, a in zip(self.outputs, arrays, strict=True)]


# ---- a test sample for the run page ----


def sample_from_test(
    ds: Dataset, index: int | None = None, predictor: Predictor | None = None, seed: int | None = None
) -> dict:
    """Test sample `index` (a random one when None) with its true label:
    {"index", "inputs": {name: sample as lists}, "label", "name", "targets": {target: {"label", "name"}},
    "image": PNG data URL or None}. With a predictor the inputs are keyed and shaped for its Inputs
    (ready for Predictor.predict); without, by the dataset's field names."""
    n = ds.test_size
    if n == 0:
        raise _error("index", "the dataset has no test samples")
    if index is None:
        index = int(np.random.default_rng(seed).integers(n))
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
        raise _error("index", f"must be a whole number from 0 to {n - 1}, got {index!r}")
    index = int(index)
    if predictor is not None:
        inputs = {}
        for spec in predictor.inputs:
            if spec.field is None or spec.field["name"] not in ds.x_test:
                raise _error(f"inputs.{spec.name}", "is bound to no field of the dataset")
            array = ds.x_test[spec.field["name"]][index : index + 1]
            inputs[spec.name] = predictor._as_input(spec, array)[0].tolist()
    else:
        inputs = {name: array[index].tolist() for name, array in ds.x_test.items()}
    targets = {}
    for target in ds.info["targets"]:
        value = np.asarray(ds.y_test[target["name"]][index])
        if target.get("classes"):
            label: Any = int(value.reshape(-1)[0])
            names = target.get("class_names") or []
            targets[target["name"]] = {"label": label, "name": names[label] if 0 <= label < len(names) else None}
        else:
            flat = [round(float(v), DECIMALS) for v in value.reshape(-1)]
            targets[target["name"]] = {"label": flat[0] if len(flat) == 1 else flat, "name": None}
    primary = next(
        (t for t in ds.info["targets"] if t.get("classes")), ds.info["targets"][0] if ds.info["targets"] else None
    )
    first = targets.get(primary["name"], {}) if primary else {}
    return {
        "index": index,
        "inputs": inputs,
        "label": first.get("label"),
        "name": first.get("name"),
        "targets": targets,
        "image": _test_image(ds, index),
    }


def _test_image(ds: Dataset, index: int) -> str | None:
    from .figures import png_data_url

    for entry in ds.info["inputs"]:
        if entry.get("modality") == "image" and image_layout(entry) and entry["name"] in ds.x_test:
            return png_data_url(ds.x_test[entry["name"]][index])
    return None


# ---- the cache ----


class ModelCache:
    """A bounded, thread-safe LRU of loaded Predictors, keyed by run id and the model file's mtime and size.

    get() loads a run's model once (concurrent callers wait for that one load) and reloads only when
    the file changed; the least recently used run is dropped beyond `max_models`."""

    def __init__(self, max_models: int = 4):
        if max_models < 1:
            raise ValueError("max_models must be at least 1")
        self.max_models = max_models
        self.loads = 0
        self._entries: OrderedDict[Hashable, tuple[Hashable, Predictor]] = OrderedDict()
        self._loading: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def stamp(path: str | Path) -> tuple[int, int]:
        try:
            st = Path(path).stat()
        except OSError:
            raise _error("model", "the run has no saved model file") from None
        return st.st_mtime_ns, st.st_size

    def get(
        self, run_id: Hashable, path: str | Path, load: Callable[[], Predictor], stamp: Hashable | None = None
    ) -> Predictor:
        """The run's Predictor, from the cache or from load() (called with no argument)."""
        stamp = self.stamp(path) if stamp is None else stamp
        hit = self._hit(run_id, stamp)
        if hit is not None:
            return hit
        with self._lock:
            key_lock = self._loading.setdefault(run_id, threading.Lock())
        with key_lock:
            hit = self._hit(run_id, stamp)  # loaded by the caller we waited for
            if hit is not None:
                return hit
            predictor = load()
            with self._lock:
                self.loads += 1
                self._entries[run_id] = (stamp, predictor)
                self._entries.move_to_end(run_id)
                while len(self._entries) > self.max_models:
                    old, _ = self._entries.popitem(last=False)
                    self._loading.pop(old, None)
            return predictor

    def _hit(self, run_id: Hashable, stamp: Hashable) -> Predictor | None:
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is None or entry[0] != stamp:
                return None
            self._entries.move_to_end(run_id)
            return entry[1]

    def discard(self, run_id: Hashable) -> None:
        with self._lock:
            self._entries.pop(run_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, run_id: Hashable) -> bool:
        with self._lock:
            return run_id in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
