"""Figures for the run page: the test split's confusion matrix and sample predictions, images as PNG data URLs."""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import numpy as np

from .binding import find_field
from .datasets import Dataset

log = logging.getLogger(__name__)

MAX_SAMPLES_SHOWN = 24
MAX_WRONG_SHOWN = 16
MAX_CONFUSION_CLASSES = 100
MAX_PREDICTED = 10_000


def predictions(
    model: Any, outputs: list[dict], ds: Dataset, x_test: dict, batch_size: int
) -> tuple[dict | None, list[dict]]:
    """(confusion or None, samples) on the test split, for the first classification output
    (or the first output when none classifies)."""
    chosen: tuple[dict, dict | None] | None = None
    for block in outputs:
        target = find_field(block["name"], ds.info["targets"])
        if target is not None and target.get("classes"):
            chosen = (block, target)
            break
    if chosen is None and outputs:
        block = outputs[0]
        chosen = (block, find_field(block["name"], ds.info["targets"]))
    if chosen is None or chosen[1] is None:
        return None, []
    block, target = chosen[0], chosen[1]
    n = min(MAX_PREDICTED, ds.test_size)
    if n == 0:
        return None, []
    x = {k: v[:n] for k, v in x_test.items()}
    try:
        raw = model.predict(x, batch_size=batch_size, verbose=0)
    except Exception:  # figures are a bonus: never fail a finished run over them
        log.exception("predicting the samples failed")
        return None, []
    # several Outputs: a dict by Output name; one Output: its array, as a hand-written model predicts
    if isinstance(raw, dict):
        raw = raw[block["name"]]
    elif isinstance(raw, list | tuple):  # a list of outputs, in the blocks' order
        raw = raw[outputs.index(block)]
    pred = np.asarray(raw, dtype=np.float32)
    truth = np.asarray(ds.y_test[target["name"]][:n])
    image = _image_field(ds)
    if target.get("classes"):
        return _classification(block, target, pred, truth, image)
    return None, _regression_samples(pred, truth, image)


def _image_field(ds: Dataset) -> np.ndarray | None:
    for entry in ds.info["inputs"]:
        shape = entry["shape"]
        if entry.get("modality") == "image" and (len(shape) == 2 or (len(shape) == 3 and shape[-1] in (1, 3))):
            return ds.x_test[entry["name"]]
    return None


def _classification(
    block: dict, target: dict, pred: np.ndarray, truth: np.ndarray, image: np.ndarray | None
) -> tuple[dict | None, list[dict]]:
    classes = target["classes"]
    names = target.get("class_names") or [str(i) for i in range(classes)]
    truth = truth.reshape(len(truth), -1)[:, 0].astype(np.int64)
    if pred.ndim != 2:
        return None, []
    if pred.shape[1] == 1 and classes == 2:
        p = pred[:, 0]
        labels = (p >= 0.5).astype(np.int64)
        confidence = np.where(labels == 1, p, 1 - p)
    elif pred.shape[1] == classes:
        labels = pred.argmax(1)
        confidence = pred[np.arange(len(pred)), labels]
    else:
        return None, []
    confusion = None
    if classes <= MAX_CONFUSION_CLASSES:
        matrix = np.zeros((classes, classes), dtype=np.int64)
        valid = (truth >= 0) & (truth < classes)
        np.add.at(matrix, (truth[valid], labels[valid]), 1)
        confusion = {"output": block["name"], "labels": list(names), "matrix": matrix.tolist()}
    order = np.random.default_rng(0).permutation(len(truth))
    wrong = [i for i in order if labels[i] != truth[i]][:MAX_WRONG_SHOWN]
    right = [i for i in order if labels[i] == truth[i]][: MAX_SAMPLES_SHOWN - len(wrong)]
    chosen = wrong + right
    if len(chosen) < MAX_SAMPLES_SHOWN:
        more = [i for i in order if labels[i] != truth[i]][MAX_WRONG_SHOWN:]
        chosen += more[: MAX_SAMPLES_SHOWN - len(chosen)]
    samples = [
        {
            "index": int(i),
            "true": names[truth[i]] if 0 <= truth[i] < len(names) else str(truth[i]),
            "pred": names[labels[i]],
            "correct": bool(labels[i] == truth[i]),
            "confidence": round(float(confidence[i]), 4),
            "image": png_data_url(image[i]) if image is not None else None,
        }
        for i in chosen
    ]
    return confusion, samples


def _regression_samples(pred: np.ndarray, truth: np.ndarray, image: np.ndarray | None) -> list[dict]:
    pred = pred.reshape(len(pred), -1)
    truth = truth.reshape(len(truth), -1).astype(np.float32)
    if pred.shape[1] != truth.shape[1]:
        return []
    error = np.abs(pred - truth).mean(1)
    order = np.random.default_rng(0).permutation(len(truth))[: MAX_SAMPLES_SHOWN * 4]
    chosen = sorted(order, key=lambda i: -error[i])[:MAX_SAMPLES_SHOWN]
    return [
        {
            "index": int(i),
            "true": _rounded(truth[i]),
            "pred": _rounded(pred[i]),
            "error": round(float(error[i]), 6),
            "confidence": None,
            "image": png_data_url(image[i]) if image is not None else None,
        }
        for i in chosen
    ]


def _rounded(values: np.ndarray) -> float | list[float]:
    numbers = [round(float(v), 6) for v in values]
    return numbers[0] if len(numbers) == 1 else numbers


def to_uint8(pixels: Any) -> np.ndarray:
    """An image's values as 8-bit pixels: values in [0, 1] (the datasets' floats) times 255; whole numbers in
    [0, 255] (8-bit pixels, as integers or floats) as they are; any other range (standardised values,
    16-bit pixels) stretched from its own min..max. NaNs become 0; a constant image outside [0, 1] is black."""
    a = np.asarray(pixels).astype(np.float64)
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return np.zeros(a.shape, dtype=np.uint8)
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0 and hi <= 1:
        scaled = a * 255.0
    elif lo >= 0 and hi <= 255 and bool(np.all(finite == np.round(finite))):
        scaled = a
    else:
        scaled = (a - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(a)
    return np.nan_to_num(np.rint(scaled), nan=0.0, posinf=255.0, neginf=0.0).clip(0, 255).astype(np.uint8)


def png_data_url(pixels: Any) -> str:
    """A data: URL of a PNG of one image, (h, w), (h, w, 1), (h, w, 3) or (h, w, 4), any numeric range
    (see to_uint8)."""
    from PIL import Image

    array = to_uint8(pixels)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
