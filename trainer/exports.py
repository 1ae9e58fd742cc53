"""Deployment formats for a model (trained or not): the .keras file, a zipped SavedModel, ONNX and TFLite.

    export_model(model_or_keras_path, "onnx", out_dir) -> out_dir / "model.onnx"

One conversion at a time, in this process (`export_model`) or in a child process with a time limit
(`export_in_subprocess`, for a worker that must never stall on a stuck converter). A model a format cannot
hold raises `ExportError`, worded for the person at the canvas: which block, why, and what to do instead;
never a converter's traceback. `verify_export` loads an exported file in a fresh process with the format's
own runtime and answers how far its predictions are from Keras's.

Files (the name says the format; each is written to a temporary name first, then renamed into place):

| format       | file             | made with                                     | loaded with                                   |
|--------------|------------------|-----------------------------------------------|-----------------------------------------------|
| `keras`      | `model.keras`    | the file as is (`model.save` for a model)     | `keras.saving.load_model`                     |
| `savedmodel` | `savedmodel.zip` | `model.export(format="tf_saved_model")`,      | unzip; `tf.saved_model.load("savedmodel")`    |
|              |                  | zipped under a top folder `savedmodel/`       | `.signatures["serving_default"]`              |
| `onnx`       | `model.onnx`     | `model.export(format="onnx")` (tf2onnx)       | `onnxruntime.InferenceSession`                |
| `tflite`     | `model.tflite`   | `model.export(format="litert")` with          | `tf.lite.Interpreter(...)`                    |
|              |                  | TFLite's built-in ops only                    | `.get_signature_runner("serving_default")`    |

Names: every format keeps the graph's names. Inputs are named by the Input ids (ONNX input names, the
SavedModel's and the TFLite signature's keyword arguments), outputs by the Output ids (ONNX output names,
the keys of the dicts the SavedModel and TFLite signatures answer). ONNX lists outputs sorted by name;
the raw TFLite tensors (`get_output_details`) carry converter names (`StatefulPartitionedCall_1:0`), so use
the signature runner there. A model whose output is one plain tensor (not a dict) answers `output_0`.
Batch and variable-length axes stay dynamic in every format.

A model trained under mixed precision is exported in float32 (same weights): ONNX requires it, and a
deployment file should not depend on the GPU it was trained on. On a GPU worker, export through
`export_in_subprocess` (its child sees no GPU): in a process with a GPU, Keras traces LSTM/GRU to cuDNN
kernels.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .runner import TrainingError

log = logging.getLogger(__name__)

FORMATS = ("keras", "savedmodel", "onnx", "tflite")
FILENAMES = {
    "keras": "model.keras",
    "savedmodel": "savedmodel.zip",
    "onnx": "model.onnx",
    "tflite": "model.tflite",
}
TITLES = {"keras": "Keras", "savedmodel": "SavedModel", "onnx": "ONNX", "tflite": "TFLite"}
SAVEDMODEL_DIR = "savedmodel"  # the top folder inside savedmodel.zip
DEFAULT_TIMEOUT_S = 600.0
RECURRENT = {"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"}
RESAMPLING = {"Resizing", "UpSampling2D", "UpSampling3D", "RandomZoom", "RandomRotation", "RandomTranslation"}
TEMP_PREFIX = ".export-"


class ExportError(TrainingError):
    """The model cannot be written in a format; the message says which block and what to do.

    `format` is the format asked for; `node` the block (layer name = graph node id) to blame, where known.
    A TrainingError, so the web app's handling of a person's mistakes (not bugs) applies to it as is."""

    def __init__(self, message: str, *, format: str, node: str | None = None):
        super().__init__(message)
        self.format = format
        self.node = node

    def as_json(self) -> dict:
        return {"detail": str(self), "format": self.format, "node": self.node}


# ---------------------------------------------------------------- export


def export_model(source: Any, fmt: str, out_dir: str | os.PathLike[str]) -> Path:
    """Write `source` (a keras.Model, or the path of a .keras file) in format `fmt` into `out_dir` and answer
    the file's path (FILENAMES[fmt]; an existing file of that name is replaced). ExportError when the format
    cannot hold the model or the conversion fails.

    TFLite files use TFLite's built-in ops only, so they run on any TFLite/LiteRT runtime: TensorFlow's
    select ops (the Flex delegate) are never used, because most runtimes lack them (tf.lite.Interpreter of
    the TensorFlow 2.21 wheel too) and such a file could not even be checked here."""
    fmt = check_format(fmt)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / FILENAMES[fmt]
    with _workdir(out) as work:
        if fmt == "keras":
            made = _write_keras(source, work)
        else:
            model = _exportable(_load(source, fmt))
            made = _convert(model, fmt, work)
        os.replace(made, target)
    return target


def check_format(fmt: Any) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}", format=str(fmt))
    return str(fmt)


@contextlib.contextmanager
def _workdir(out: Path) -> Iterator[Path]:
    """A temporary folder next to the target (same file system, so the final rename is atomic)."""
    work = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_keras(source: Any, work: Path) -> Path:
    made = work / FILENAMES["keras"]
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ExportError(f"the model file {path.name!r} is missing", format="keras")
        shutil.copyfile(path, made)
    else:
        source.save(made)
    return made


def _load(source: Any, fmt: str) -> Any:
    if not isinstance(source, (str, os.PathLike)):
        return source
    import keras

    path = Path(source)
    if not path.is_file():
        raise ExportError(f"the model file {path.name!r} is missing", format=fmt)
    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as exc:  # a corrupt or foreign file: say so, never a traceback
        log.warning("cannot load %s", path, exc_info=True)
        raise ExportError(
            f"the model file {path.name!r} cannot be read ({type(exc).__name__}): train the model again",
            format=fmt,
        ) from None


def _exportable(model: Any) -> Any:
    """The model in float32 and marked as called (model.export refuses a model never called)."""
    import keras

    model = _float32(model)
    if not isinstance(model.output, dict):
        # One Output predicts a plain array (builder/compile.py); a dict output under its name keeps
        # that name in every format (ONNX would otherwise call it after the final op, `Identity:0`).
        model = keras.Model(model.input, {model.output_names[0]: model.output}, name=model.name)
    # A symbolic call on fresh Inputs marks the model as called without running it: a zero batch would
    # need a length for every variable-length axis, and short ones fail in convolutions.
    model(_structured(model, [keras.Input(batch_shape=t.shape, dtype=t.dtype) for t in model.inputs]))
    return model


def _structured(model: Any, values: list) -> Any:
    """`values` (in model.inputs order) shaped like the model's inputs: a list, or one tensor."""
    return values if isinstance(model.input, (list, tuple)) else values[0]


def _float32(model: Any) -> Any:
    mixed = [layer for layer in model.layers if getattr(layer.dtype_policy, "name", "float32").startswith("mixed_")]
    if not mixed:
        return model

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            if value.get("class_name") == "DTypePolicy" and str(value.get("config", {}).get("name", "")).startswith(
                "mixed_"
            ):
                return {**value, "config": {**value["config"], "name": "float32"}}
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    clone = model.__class__.from_config(plain(model.get_config()))
    clone.set_weights(model.get_weights())
    if hasattr(model, "output_names"):
        clone.output_names = list(model.output_names)
    return clone


def _convert(model: Any, fmt: str, work: Path) -> Path:
    started = time.monotonic()
    if _gpu_visible() and any(_kind(layer) in RECURRENT | {"Bidirectional"} for layer in model.layers):
        log.warning("exporting a recurrent model with a GPU visible: its file may need cuDNN; use export_in_subprocess")
    records: list[str] = []
    try:
        with _captured("tf2onnx", records):
            made = _run_converter(model, fmt, work)
    except ExportError:
        raise
    except Exception as exc:  # any converter failure becomes a message; the traceback goes to the log
        log.info("%s export failed", fmt, exc_info=True)
        raise explain_failure(model, fmt, f"{exc}\n" + "\n".join(records), exc) from None
    unsupported = [r for r in records if "is not supported" in r or "Unsupported ops" in r]
    if unsupported:  # tf2onnx logs the ops it cannot convert and writes a file no runtime can load
        raise explain_failure(model, fmt, "\n".join(records), None)
    log.info("%s export of %s took %.1f s", fmt, model.name, time.monotonic() - started)
    return made


def _gpu_visible() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU"))


def _run_converter(model: Any, fmt: str, work: Path) -> Path:
    if fmt == "savedmodel":
        folder = work / SAVEDMODEL_DIR
        model.export(str(folder), format="tf_saved_model", verbose=False)
        made = work / FILENAMES["savedmodel"]
        with zipfile.ZipFile(made, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(work).as_posix())
        return made
    if fmt == "onnx":
        made = work / FILENAMES["onnx"]
        model.export(str(made), format="onnx", verbose=False)
        _check_onnx(made)
        return made
    import tensorflow as tf

    made = work / FILENAMES["tflite"]
    builtins = {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}  # Keras would add SELECT_TF_OPS
    model.export(str(made), format="litert", verbose=False, target_spec=builtins)
    return made


def _check_onnx(path: Path) -> None:
    """onnxruntime must be able to load the file (tf2onnx writes one even with ops it could not convert)."""
    import onnxruntime

    onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


class _Collect(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(level=logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


@contextlib.contextmanager
def _captured(logger_name: str, into: list[str]) -> Iterator[None]:
    handler = _Collect(into)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


# ---------------------------------------------------------------- messages

_TF_OP = re.compile(r"'tf\.(\w+)' op")
_OP_LIST = re.compile(r"(?:TF Select ops|Custom ops|Flex ops): ([\w, ]+)")
_ONNX_OP = re.compile(r"Tensorflow op \[([^\]:]+): (\w+)\] is not supported")
_PATH = re.compile(r"[\w./-]+")


def explain_failure(model: Any, fmt: str, text: str, exc: BaseException | None) -> ExportError:
    """An ExportError for a failed conversion of `model` to `fmt`: the block to blame (from the op paths in
    the converter's message, or the model's recurrent block for TFLite's loop ops), the ops at fault and
    what to do instead."""
    title = TITLES[fmt]
    layers = {layer.name: layer for layer in model.layers}
    node = _blamed_layer(text, layers, skip={model.name})
    ops = _ops(text)
    recurrent = [name for name, layer in layers.items() if _kind(layer) in RECURRENT or _kind(layer) == "Bidirectional"]
    loop_ops = "TensorList" in text or any(op.startswith("TensorList") for op in ops)
    if fmt == "tflite" and loop_ops and recurrent:
        if node is None or node not in recurrent:
            node = recurrent[0]
        unroll = "the recurrent layer inside it" if _kind(layers[node]) == "Bidirectional" else "the block"
        return ExportError(
            f"TFLite cannot hold block '{node}' ({_kind(layers[node])}) with its built-in ops: the recurrent "
            "loop needs TensorFlow's select ops, which a plain TFLite/LiteRT runtime lacks. Export ONNX or "
            f"SavedModel instead, or turn on the 'unroll' option of {unroll} (the sequence length must then "
            "be fixed: set it in the Input's shape).",
            format=fmt,
            node=node,
        )
    where = f"block '{node}' ({_kind(layers[node])})" if node else "the model"
    if ops:
        runtime = "TFLite's built-in ops" if fmt == "tflite" else "the ONNX converter (tf2onnx)"
        other = "ONNX" if fmt == "tflite" else "TFLite"
        if node and _kind(layers[node]) in RESAMPLING:
            change = "Choose another interpolation for that block (bilinear or nearest)"
        else:
            change = "Change that block's settings or replace it"
        return ExportError(
            f"{title} cannot hold {where}: it uses the TensorFlow op(s) {', '.join(ops)}, which {runtime} "
            f"cannot convert. {change}, or export SavedModel (it holds every model) or try {other}.",
            format=fmt,
            node=node,
        )
    reason = _first_line(text) or (type(exc).__name__ if exc is not None else "unknown reason")
    return ExportError(
        f"the {title} conversion of {where} failed: {reason}. Try another format (SavedModel holds every model).",
        format=fmt,
        node=node,
    )


def _kind(layer: Any) -> str:
    return type(layer).__name__


def _blamed_layer(text: str, layers: Mapping[str, Any], skip: set[str]) -> str | None:
    """The first layer named in an op path of `text` ("model_1/rnn_1/TensorArrayV2" names 'rnn'): exactly,
    or with the `_N` suffix TensorFlow's name scopes add."""
    suffixed = {}
    for name in layers:
        if name not in skip:
            suffixed[name] = re.compile(rf"^{re.escape(name)}_\d+$")
    for match in _PATH.finditer(text):
        segments = match.group(0).split("/")
        if len(segments) < 2:
            continue
        for segment in segments:
            if segment in layers and segment not in skip:
                return segment
            for name, pattern in suffixed.items():
                if pattern.match(segment) and segment not in layers:
                    return name
    return None


def _ops(text: str) -> list[str]:
    found: list[str] = []
    for match in _ONNX_OP.finditer(text):
        found.append(match.group(2))
    for match in _OP_LIST.finditer(text):
        found.extend(op.strip() for op in match.group(1).split(",") if op.strip())
    for match in _TF_OP.finditer(text):
        found.append(match.group(1))
    return list(dict.fromkeys(found))


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and not line.startswith(("loc(", "<unknown>", "Traceback")):
            return line[:300]
    return ""


# ---------------------------------------------------------------- subprocess


def export_in_subprocess(
    source: Any,
    fmt: str,
    out_dir: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Path:
    """export_model in a child process, killed after `timeout` seconds (ExportError then): a stuck or
    crashing converter never takes the caller with it. `source` is a .keras path (a model is saved to one
    first). Same answer and errors as export_model; the file appears in `out_dir` only when complete.

    The child sees no GPU, so the file is traced for CPU: the way to export on a GPU worker, where an
    in-process export of a recurrent model would hold cuDNN-only ops. It costs a Python start and the
    TensorFlow import (about 5-10 s here) on top of the conversion."""
    fmt = check_format(fmt)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with _workdir(out) as work:
        if isinstance(source, (str, os.PathLike)):
            src = Path(source).resolve()
        else:
            src = work / "source.keras"
            source.save(src)
        result_path = work / "result.json"
        child_out = work / "out"
        command = [sys.executable, "-m", "trainer.exports", "export", str(src), fmt, str(child_out), str(result_path)]
        rc, output = _run_child(command, timeout)
        if rc is None:
            raise ExportError(
                f"the {TITLES[fmt]} conversion took more than {timeout:g} s and was stopped: "
                "try another format or a smaller model",
                format=fmt,
            )
        result = json.loads(result_path.read_text()) if result_path.is_file() else {}
        if rc != 0:
            log.warning("the %s export process ended with code %s:\n%s", fmt, rc, output[-4000:])
        if "error" in result:
            raise ExportError(result["error"], format=fmt, node=result.get("node"))
        if rc != 0 or "path" not in result:
            raise ExportError(
                f"the {TITLES[fmt]} conversion process stopped unexpectedly (exit code {rc}); "
                "the worker's log has its output",
                format=fmt,
            )
        target = out / FILENAMES[fmt]
        os.replace(result["path"], target)
        return target


def _run_child(command: list[str], timeout: float) -> tuple[int | None, str]:
    """(exit code, output) of a child run in its own process group; (None, output) after a timeout, the
    whole group killed."""
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # CPU only: with a GPU visible, Keras traces LSTM/GRU to cuDNN kernels (CudnnRNNV3) that a deployment
    # file must not need, and the child leaves the GPU's memory to training.
    env["CUDA_VISIBLE_DEVICES"] = ""
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=root,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
        return proc.returncode, output
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return None, output


def _child_export(argv: Sequence[str]) -> int:
    src, fmt, out_dir, result_path = argv[:4]
    try:
        path = export_model(src, fmt, out_dir)
        answer: dict = {"path": str(path)}
        code = 0
    except ExportError as exc:
        answer = {"error": str(exc), "node": exc.node}
        code = 0
    except Exception as exc:  # reported to the parent as a message; the traceback stays in this output
        log.exception("export failed")
        answer = {"error": f"the {TITLES.get(fmt, fmt)} conversion failed ({type(exc).__name__}): {exc}"[:500]}
        code = 1
    tmp = Path(result_path).with_suffix(".tmp")
    tmp.write_text(json.dumps(answer))
    os.replace(tmp, result_path)
    return code


# ---------------------------------------------------------------- verification

_LOADER = textwrap.dedent(
    """
    import os, sys, tempfile, warnings, zipfile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    warnings.filterwarnings("ignore")
    import numpy as np

    fmt, path, inputs_path, outputs_path = sys.argv[1:5]
    x = dict(np.load(inputs_path))
    if fmt == "onnx":
        import onnxruntime
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        y = dict(zip(names, session.run(names, {i.name: x[i.name] for i in session.get_inputs()})))
    elif fmt == "tflite":
        import tensorflow as tf
        runner = tf.lite.Interpreter(model_path=path).get_signature_runner("serving_default")
        y = runner(**x)
    elif fmt == "savedmodel":
        import tensorflow as tf
        folder = tempfile.mkdtemp()
        with zipfile.ZipFile(path) as zf:
            zf.extractall(folder)
        serve = tf.saved_model.load(os.path.join(folder, "savedmodel")).signatures["serving_default"]
        y = {k: v.numpy() for k, v in serve(**{k: tf.constant(v) for k, v in x.items()}).items()}
    else:
        import keras
        model = keras.saving.load_model(path, compile=False)
        names = [t.name for t in model.inputs]
        values = [x[n] for n in names]
        out = model(values if isinstance(model.input, (list, tuple)) else values[0], training=False)
        if isinstance(out, dict):
            y = {k: np.asarray(v) for k, v in out.items()}
        else:
            outs = out if isinstance(out, (list, tuple)) else [out]
            y = {n: np.asarray(v) for n, v in zip(model.output_names, outs, strict=True)}
    np.savez(outputs_path, **{k: np.asarray(v) for k, v in y.items()})
    """
)


def input_names(model: Any) -> list[str]:
    return [t.name for t in model.inputs]


def named_inputs(model: Any, x: Any) -> dict[str, np.ndarray]:
    """`x` (one array, a list in the model's input order, or a dict by Input id) as a dict by Input id."""
    names = input_names(model)
    if isinstance(x, Mapping):
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError(f"no value for the input(s) {', '.join(missing)}")
        return {n: np.asarray(x[n]) for n in names}
    values = list(x) if isinstance(x, (list, tuple)) else [x]
    if len(values) != len(names):
        raise ValueError(f"{len(values)} input array(s) for {len(names)} input(s)")
    return {n: np.asarray(v) for n, v in zip(names, values, strict=True)}


def keras_outputs(model: Any, x: Any) -> dict[str, np.ndarray]:
    """Keras's predictions for `x`, by output name: a dict model's keys, else `model.output_names`."""
    named = named_inputs(model, x)
    values = [named[n] for n in input_names(model)]
    out = model(_structured(model, values), training=False)
    if isinstance(out, Mapping):
        return {str(k): np.asarray(v) for k, v in out.items()}
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return {str(n): np.asarray(v) for n, v in zip(model.output_names, outs, strict=True)}


def load_and_predict(
    path: str | os.PathLike[str], fmt: str, inputs: Mapping[str, Any], *, timeout: float = 300.0
) -> dict[str, np.ndarray]:
    """The exported file at `path` loaded in a fresh Python process with its format's runtime (no Keras for
    ONNX, TFLite and SavedModel) and run on `inputs` (by Input id): its outputs by the names the file gives."""
    fmt = check_format(fmt)
    with tempfile.TemporaryDirectory(prefix="export-verify-") as tmp:
        inputs_path = Path(tmp) / "inputs.npz"
        outputs_path = Path(tmp) / "outputs.npz"
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in inputs.items()}
        np.savez(inputs_path, **arrays)
        command = [sys.executable, "-c", _LOADER, fmt, str(Path(path).resolve()), str(inputs_path), str(outputs_path)]
        rc, output = _run_child(command, timeout)
        if rc != 0 or not outputs_path.is_file():
            raise RuntimeError(f"loading the {fmt} file failed (exit code {rc}):\n{output[-3000:]}")
        with np.load(outputs_path) as data:
            return {k: data[k] for k in data.files}


def verify_export(path: str | os.PathLike[str], fmt: str, model: Any, x: Any) -> float:
    """The largest absolute difference between `model`'s predictions for `x` and those of the exported file
    loaded in a fresh process (load_and_predict). The file must answer the same output names; with one
    output on each side the names may differ (a plain-tensor model's `output_0`)."""
    expected = keras_outputs(model, x)
    got = load_and_predict(path, fmt, named_inputs(model, x))
    if len(expected) == 1 and len(got) == 1:
        pairs = [(next(iter(expected.values())), next(iter(got.values())))]
    else:
        if set(expected) != set(got):
            raise AssertionError(f"the {fmt} file answers {sorted(got)}, Keras {sorted(expected)}")
        pairs = [(expected[k], got[k]) for k in expected]
    worst = 0.0
    for want, have in pairs:
        if want.shape != have.shape:
            raise AssertionError(f"the {fmt} file answers shape {have.shape}, Keras {want.shape}")
        worst = max(worst, float(np.max(np.abs(want.astype(np.float64) - have.astype(np.float64)), initial=0.0)))
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 5 and args[0] == "export":
        return _child_export(args[1:])
    print("usage: python -m trainer.exports export SOURCE.keras FORMAT OUT_DIR RESULT.json")
    return 2


if __name__ == "__main__":
    sys.exit(main())
