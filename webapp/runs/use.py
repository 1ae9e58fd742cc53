"""Using a trained run's model from the web app: predictions, a test sample, export files, the
script, notebook and data that reproduce the run. The work is trainer's (trainer.predict,
trainer.exports, trainer.reproduce); this module finds the files in Django's storage and keeps what
each web process should keep:

- one bounded `ModelCache` of loaded models per process (`predictor(run)`): a request never loads
  a model that is already loaded; models are loaded with compile=False, so nothing can train them;
- export files converted once, in a child process with a time limit, and stored beside the model
  with a record (`export-<format>.json`) written only after the file is complete: a file is served
  only once its record names it, so a half-written file is never served; a second download is the
  stored file. A format that cannot hold the model is remembered (its record keeps the message).

Views call these inside their own (sync) request thread: a slow conversion or prediction holds only
its own request (under ASGI every request has a thread of its own).
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from trainer import exports
from trainer.predict import ModelCache, PredictError, Predictor, image_layout
from webapp.errors import FieldError
from webapp.files import local_file
from webapp.runs.models import Run

log = logging.getLogger(__name__)

# Multipart predictions: each image file and the whole body are capped before anything is decoded.
PREDICT_MAX_FILE_BYTES = 10 * 1024 * 1024
PREDICT_MAX_BODY_BYTES = 64 * 1024 * 1024
# A JSON or CSV body (256 Fashion-MNIST images as JSON floats are about 2 MB).
PREDICT_MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_CHOICES = 500  # categories listed per column in the description


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- the model ---------------------------------------------------------------------------------------

_cache: ModelCache | None = None
_cache_lock = threading.Lock()


def model_cache() -> ModelCache:
    """This process's cache of loaded models (settings.PREDICT_CACHE_MODELS of them at most)."""
    global _cache
    with _cache_lock:
        if _cache is None:
            _cache = ModelCache(max_models=max(1, int(getattr(settings, "PREDICT_CACHE_MODELS", 4))))
        return _cache


def require_model(run: Run, *, succeeded: bool) -> None:
    if succeeded and run.status != Run.Status.SUCCEEDED:
        raise FieldError(f"run {run.pk} has not succeeded ({run.status}): only a trained model predicts", "run", 409)
    if not run.model_file:
        status = 409 if succeeded else 404
        raise FieldError(f"run {run.pk} has no trained model ({run.status})", "run", status)


def local_model(run: Run) -> tuple[str, Hashable | None]:
    """(a local path of the run's .keras file, the cache stamp to use or None for the file's own): see
    webapp.files.local_file; a file gone from storage is a 410."""
    try:
        return local_file(run.model_file, f"run{run.pk}")
    except FileNotFoundError:
        raise FieldError("the run's model file is missing from storage", "model", 410) from None


def predictor(run: Run) -> Predictor:
    """The run's model, loaded once per process (compile=False: inference only)."""
    require_model(run, succeeded=True)
    path, stamp = local_model(run)
    max_samples = limit("PREDICT_MAX_SAMPLES", 256)
    info, graph = run.dataset_info or {}, run.graph if isinstance(run.graph, dict) else None
    try:
        loaded = model_cache().get(
            run.pk, path, lambda: Predictor.load(path, info, graph, max_samples=max_samples), stamp=stamp
        )
    except PredictError as exc:  # the file could not be read as a model
        raise FieldError(exc.message, exc.field, 409) from None
    loaded.max_samples = max_samples  # the setting as it is now
    return loaded


@contextlib.contextmanager
def answered() -> Iterator[None]:
    """PredictError as a 400 naming its field, ExportError as a 422 naming the format (and block)."""
    try:
        yield
    except PredictError as exc:
        raise FieldError(exc.message, exc.field) from None
    except exports.ExportError as exc:
        extra = {"format": exc.format} | ({"node": exc.node} if exc.node else {})
        raise FieldError(str(exc), None, 422, **extra) from None


def forget(run_id: int) -> None:
    """Drop a run's loaded model and its local copy, if any (the run was deleted)."""
    model_cache().discard(run_id)
    for copy in (Path(settings.VAR_DIR) / "model-cache").glob(f"run{run_id}-*.keras"):
        copy.unlink(missing_ok=True)


# --- what the model takes ----------------------------------------------------------------------------


def describe(p: Predictor) -> dict:
    """Predictor.describe() with what a form needs: each input's kind (image, tabular, sequence,
    array) and its image size, CSV columns or sequence length; each output's kind and classes."""
    plain = p.describe()
    inputs = []
    for entry, spec in zip(plain["inputs"], p.inputs, strict=True):
        field = spec.field or {}
        modality = entry["modality"]
        out = {**entry}
        layout = image_layout(field) if modality == "image" else None
        if layout is not None:
            height, width, color, _ = layout
            out["kind"] = "image"
            out["image"] = {"width": width, "height": height, "channels": 3 if color == "rgb" else 1}
        elif modality == "text" or (spec.dtype.startswith("int") and len(spec.shape) == 1):
            out["kind"] = "sequence"
            out["length"] = spec.shape[0] if spec.shape and spec.shape[0] else field.get("sequence_length")
            if field.get("vocab_size"):
                out["vocabulary_size"] = int(field["vocab_size"])
            if field.get("column"):
                out["columns"] = [{"name": field["column"], "kind": "text"}]
        elif modality == "tabular":
            out["kind"] = "tabular"
            columns = [_column(c) for c in field.get("columns") or [] if c.get("width", 0)]
            if columns:
                out["columns"] = columns
        else:
            out["kind"] = "array"
        inputs.append(out)
    outputs = []
    for entry in plain["outputs"]:
        out = {k: v for k, v in entry.items() if k != "class_names"}
        names = entry.get("class_names")
        out["kind"] = "classification" if entry.get("task") == "classification" or names else "regression"
        if out["kind"] == "classification" and names:
            out["classes"] = [str(n) for n in names]
        outputs.append(out)
    return {"inputs": inputs, "outputs": outputs, "max_samples": plain["max_samples"]}


def _column(entry: dict) -> dict:
    if entry.get("encoding") == "numeric":
        return {"name": entry["column"], "kind": "number"}
    choices = entry.get("categories") if entry.get("encoding") == "one-hot" else entry.get("values")
    out: dict[str, Any] = {"name": entry["column"], "kind": "category"}
    if isinstance(choices, list):
        out["choices"] = [str(c) for c in choices[:MAX_CHOICES]]
    return out


# --- predictions -------------------------------------------------------------------------------------


def predict_request(p: Predictor, request: HttpRequest) -> dict:
    """POST predict's body, whichever kind it is, to the predictor's answer. PredictError (400) names
    the field at fault; a body past its limit is a 413."""
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        return _predict_files(p, request)
    cap = limit("PREDICT_MAX_JSON_BYTES", PREDICT_MAX_JSON_BYTES)
    too_large = FieldError(f"body: larger than the limit of {cap // 2**20} MB: send fewer samples", "body", 413)
    if _content_length(request) > cap:
        raise too_large
    try:
        raw = request.body
    except RequestDataTooBig:
        raise too_large from None
    if len(raw) > cap:
        raise too_large
    if content_type == "text/csv":
        return p.predict_rows(_text(raw, "csv"))
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FieldError(f"body: not valid JSON ({exc})", "body") from None
    if not isinstance(body, dict):
        raise FieldError('body: send an object: {"inputs": {...}}, {"rows": "<csv>"} or {"columns": {...}}', "body")
    kinds = [k for k in ("inputs", "rows", "csv", "columns") if k in body]
    if len(kinds) != 1:
        raise FieldError(
            'body: send exactly one of "inputs" (arrays by input), "rows" (CSV text with a header) '
            f'or "columns" ({{column: [values]}}); got {sorted(body) or "none"}',
            "body",
        )
    kind = kinds[0]
    if kind == "inputs":
        return p.predict(body["inputs"])
    rows = body[kind]
    if kind in ("rows", "csv") and not isinstance(rows, str):
        raise FieldError(f"{kind}: CSV text with a header row, then one row per sample", kind)
    if kind == "columns" and not isinstance(rows, dict):
        raise FieldError("columns: an object {column: [values, one per sample]}", "columns")
    return p.predict_rows(rows)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _text(data: bytes, field: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FieldError(f"{field}: not UTF-8 text", field) from None


def _predict_files(p: Predictor, request: HttpRequest) -> dict:
    total_cap = limit("PREDICT_MAX_BODY_BYTES", PREDICT_MAX_BODY_BYTES)
    file_cap = limit("PREDICT_MAX_FILE_BYTES", PREDICT_MAX_FILE_BYTES)
    if _content_length(request) > total_cap:
        raise FieldError(f"files: the request is larger than the limit of {total_cap // 2**20} MB", "files", 413)
    try:
        files = request.FILES.getlist("files")
        form = request.POST
    except MultiPartParserError as exc:
        raise FieldError(f"body: malformed multipart body ({exc})", "body") from None
    except (TooManyFilesSent, TooManyFieldsSent) as exc:
        raise FieldError(f"files: {exc}", "files") from None
    if not files:
        raise FieldError("files: send one or more image files in the multipart field 'files'", "files")
    if len(files) > p.max_samples:
        raise FieldError(f"files: at most {p.max_samples} images per request, got {len(files)}", "files")
    total = 0
    for i, f in enumerate(files):
        if f.size is not None and f.size > file_cap:
            raise FieldError(f"files[{i}]: larger than the limit of {file_cap // 2**20} MB", f"files[{i}]", 413)
        total += f.size or 0
    if total > total_cap:
        raise FieldError(f"files: {total} bytes in all, more than the limit of {total_cap // 2**20} MB", "files", 413)
    others = None
    if form.get("inputs"):
        try:
            others = json.loads(form["inputs"])
        except json.JSONDecodeError as exc:
            raise FieldError(f"inputs: not valid JSON ({exc})", "inputs") from None
        if not isinstance(others, dict):
            raise FieldError("inputs: an object {input name: [sample, ...]}", "inputs")
    data = [f.read() for f in files]
    return p.predict_images(data, form.get("input") or None, names=[f.name or "" for f in files], inputs=others)


# --- a test sample -----------------------------------------------------------------------------------

_datasets: OrderedDict[Hashable, Any] = OrderedDict()
_datasets_lock = threading.Lock()
MAX_UPLOADS_KEPT = 2


def run_dataset(run: Run):
    """The arrays the run trained on (built-in sets are kept by trainer; a couple of uploads here)."""
    from trainer.datasets import DatasetError
    from webapp.datasets import services as datasets

    if not run.dataset_builtin and run.dataset_upload is None:
        raise FieldError("the run's uploaded dataset was deleted", "dataset", 404)
    if run.dataset_builtin:
        return datasets.load(run.dataset_builtin, None)
    upload = run.dataset_upload
    key = (upload.pk, upload.file.name)
    with _datasets_lock:
        if key in _datasets:
            _datasets.move_to_end(key)
            return _datasets[key]
    try:
        ds = datasets.load("", upload)
    except DatasetError as exc:
        raise FieldError(str(exc), "dataset", 410) from None
    with _datasets_lock:
        _datasets[key] = ds
        while len(_datasets) > MAX_UPLOADS_KEPT:
            _datasets.popitem(last=False)
    return ds


def test_sample(run: Run, index: int | None) -> dict:
    from trainer.predict import sample_from_test

    p = predictor(run)
    sample = sample_from_test(run_dataset(run), index, p)
    # a batch of one, so the answer's `inputs` is the body POST /predict takes as it is
    sample["inputs"] = {name: [value] for name, value in sample["inputs"].items()}
    if sample.get("image") is None:
        sample.pop("image", None)
    return sample


# --- exports -----------------------------------------------------------------------------------------

CONTENT_TYPES = {
    "keras": "application/octet-stream",
    "savedmodel": "application/zip",
    "onnx": "application/octet-stream",
    "tflite": "application/octet-stream",
}
_export_locks: dict[tuple[int, str], threading.Lock] = {}
_export_locks_guard = threading.Lock()
conversions = 0
"""Conversions this process ran (a download served from storage adds nothing)."""


def _folder(run: Run) -> str:
    return str(PurePosixPath(str(run.model_file.name)).parent)


def record_name(run: Run, fmt: str) -> str:
    return f"{_folder(run)}/export-{fmt}.json"


def read_record(run: Run, fmt: str) -> dict | None:
    """The export's record, or None when it was never converted (or its record is unreadable)."""
    name = record_name(run, fmt)
    try:
        with default_storage.open(name, "rb") as f:
            record = json.loads(f.read())
    except (FileNotFoundError, OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(run: Run, fmt: str, record: dict) -> None:
    name = record_name(run, fmt)
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(json.dumps(record).encode()))
    if saved != name:  # another process wrote it meanwhile: theirs stands
        default_storage.delete(saved)


def _stored(run: Run, fmt: str) -> dict | None:
    """The record of a complete stored export file (None when it must be converted), or raise the
    remembered ExportError."""
    record = read_record(run, fmt)
    if record is None:
        return None
    if "error" in record:
        raise exports.ExportError(str(record["error"]), format=fmt, node=record.get("node"))
    if "name" in record and default_storage.exists(record["name"]):
        return record
    return None


def export_file(run: Run, fmt: str) -> tuple[str, str]:
    """(storage name, attachment name) of the run's model in `fmt`, converted now if it never was:
    once, in a child process killed after settings.EXPORT_TIMEOUT_S. ExportError says why a format
    cannot hold the model (or that the conversion took too long)."""
    global conversions
    fmt = exports.check_format(fmt)
    require_model(run, succeeded=False)
    if fmt == "keras":
        return str(run.model_file.name), exports.FILENAMES[fmt]
    record = _stored(run, fmt)
    if record is not None:
        return record["name"], exports.FILENAMES[fmt]
    with _export_locks_guard:
        lock = _export_locks.setdefault((run.pk, fmt), threading.Lock())
    with lock:  # one conversion per run and format at a time; the others wait for it
        record = _stored(run, fmt)
        if record is not None:
            return record["name"], exports.FILENAMES[fmt]
        path, _ = local_model(run)
        timeout = float(getattr(settings, "EXPORT_TIMEOUT_S", exports.DEFAULT_TIMEOUT_S))
        target = f"{_folder(run)}/{exports.FILENAMES[fmt]}"
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            started = time.monotonic()
            try:
                made = exports.export_in_subprocess(path, fmt, tmp, timeout=timeout)
            except exports.ExportError as exc:
                seconds = time.monotonic() - started
                if seconds < timeout:  # a model the format cannot hold; a timeout may pass another time
                    _write_record(run, fmt, {"error": str(exc), "node": exc.node})
                log.info("run %s: %s export refused after %.1f s: %s", run.pk, fmt, seconds, exc)
                raise
            seconds = time.monotonic() - started
            if default_storage.exists(target):  # left by a conversion whose record was never written
                default_storage.delete(target)
            with open(made, "rb") as f:
                name = default_storage.save(target, File(f, name=exports.FILENAMES[fmt]))
            size = made.stat().st_size
        # The record last: until it exists, nobody serves the file.
        _write_record(run, fmt, {"name": name, "size": size, "seconds": round(seconds, 3)})
        conversions += 1
        log.info("run %s: %s export converted in %.1f s (%d bytes)", run.pk, fmt, seconds, size)
        return name, exports.FILENAMES[fmt]


def export_list(run: Run) -> dict:
    """Each format: its file name, its size once converted, the reason it cannot hold the model."""
    require_model(run, succeeded=False)
    formats = []
    for fmt in exports.FORMATS:
        entry: dict[str, Any] = {"format": fmt, "filename": exports.FILENAMES[fmt], "size": None, "error": None}
        if fmt == "keras":
            try:
                entry["size"] = run.model_file.size
            except (FileNotFoundError, OSError):
                entry["error"] = "the model file is missing from storage"
        else:
            record = read_record(run, fmt)
            if record is not None and "error" in record:
                entry["error"] = str(record["error"])
            elif record is not None and "name" in record and default_storage.exists(record["name"]):
                entry["size"] = int(record.get("size") or default_storage.size(record["name"]))
        formats.append(entry)
    return {"formats": formats}


def stored_names(run: Run) -> list[str]:
    """Every file the exports left in storage for the run (to delete with it)."""
    if not run.model_file:
        return []
    names = []
    for fmt in exports.FORMATS:
        if fmt == "keras":
            continue
        record = read_record(run, fmt)
        if record is not None and record.get("name"):
            names.append(str(record["name"]))
        names.append(record_name(run, fmt))
    return names


def delete_stored(names: list[str]) -> None:
    for name in names:
        try:
            if default_storage.exists(name):
                default_storage.delete(name)
        except OSError:
            log.warning("could not delete %s", name, exc_info=True)


def export_graph(doc: dict, fmt: str) -> bytes:
    """An untrained graph (already valid) in `fmt` (savedmodel, onnx, tflite): its .keras file built
    here, converted in a child process with the time limit. ExportError when the format cannot."""
    import builder

    fmt = exports.check_format(fmt)
    timeout = float(getattr(settings, "EXPORT_TIMEOUT_S", exports.DEFAULT_TIMEOUT_S))
    with tempfile.TemporaryDirectory(prefix="graph-export-") as tmp:
        source = Path(tmp) / "graph.keras"
        source.write_bytes(builder.export_keras(doc))
        made = exports.export_in_subprocess(source, fmt, Path(tmp) / "out", timeout=timeout)
        return made.read_bytes()


# --- reproducing the run -----------------------------------------------------------------------------


def _reproduce_args(run: Run) -> tuple[Any, dict]:
    from trainer.reproduce import data_filename

    if run.dataset_builtin:
        return run.dataset_builtin, {}
    return run.dataset_info or {}, {"data_path": data_filename(run.dataset_info or {})}


def script(run: Run, filename: str) -> str:
    from trainer.reproduce import run_script

    dataset, extra = _reproduce_args(run)
    return _reproduced(
        lambda: run_script(run.graph, dataset, run.training, run_test=run.test, filename=filename, **extra)
    )


def notebook(run: Run) -> str:
    from trainer.reproduce import run_notebook

    dataset, extra = _reproduce_args(run)
    return _reproduced(lambda: run_notebook(run.graph, dataset, run.training, run_test=run.test, **extra))


def _reproduced(make) -> str:
    import builder
    from trainer.binding import BindingError
    from trainer.datasets import DatasetError

    try:
        return make()
    except (builder.GraphInvalid, BindingError, DatasetError) as exc:  # SettingsError is a DatasetError
        raise FieldError(f"the run cannot be written as a script: {exc}", "run", 409) from None


def data_file(run: Run) -> tuple[Any, str]:
    """(the upload's stored .npz FieldFile, the name the script expects) of an upload run."""
    from trainer.reproduce import data_filename

    if run.dataset_builtin:
        raise FieldError(
            f"run {run.pk} trained on the built-in dataset {run.dataset_builtin!r}: "
            "the script loads it itself, there is no data file",
            "dataset",
            404,
        )
    if run.dataset_upload is None or not run.dataset_upload.file:
        raise FieldError("the run's uploaded dataset was deleted", "dataset", 404)
    return run.dataset_upload.file, data_filename(run.dataset_info or {})
