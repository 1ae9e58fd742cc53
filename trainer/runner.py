"""train(): one run from a graph document, a dataset and settings to a saved model and its figures.

The caller (the Celery task, the CLI, a notebook) passes `publish` for the
websocket events, `should_stop` to cancel and `on_epoch` to save history;
this module knows nothing of Django, Redis or the database.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .binding import BindingError, check_binding, prepare
from .datasets import Dataset, subsample
from .device import configure_device
from .events import BatchThrottle, event
from .pipeline import make_dataset, split_validation
from .settings import parse_training

log = logging.getLogger(__name__)

MAX_SAMPLES_SHOWN = 24
MAX_WRONG_SHOWN = 16
MAX_CONFUSION_CLASSES = 100
MAX_PREDICTED = 10_000


class TrainingError(Exception):
    """Training could not go on; the message says why and what to change."""


@dataclass
class TrainResult:
    status: str  # "succeeded" | "cancelled"
    history: list[dict]  # [{"epoch", "metrics", "lr", "seconds"}], epochs 1-based
    test: dict[str, float]  # model.evaluate on the test split, Keras's names
    model_path: Path
    confusion: dict | None  # {"output", "labels", "matrix"} for a classification output
    samples: list[dict] = field(default_factory=list)
    tensorboard_dir: Path | None = None
    seconds: float = 0.0
    device: dict = field(default_factory=dict)
    params: int = 0


def compile_graph(graph: dict):
    """builder.compile_graph (raises builder.GraphInvalid with .result)."""
    import builder

    return builder.compile_graph(graph)


def train(
    graph: dict,
    ds: Dataset,
    settings: dict | None,
    *,
    workdir: Path,
    publish: Callable[[dict], None] = lambda e: None,
    should_stop: Callable[[], bool] = lambda: False,
    on_epoch: Callable[[dict], None] | None = None,
    max_params: int | None = None,
) -> TrainResult:
    """Compile, check, fit, evaluate and save. Raises builder.GraphInvalid, BindingError, SettingsError
    (a DatasetError) or TrainingError with a message for the person who started the run."""
    started = time.monotonic()
    settings = parse_training(settings)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    device = configure_device()

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(settings["seed"])  # before the layers are built: seeded initial weights
    compiled = compile_graph(graph)
    errors = check_binding(compiled.inputs, compiled.outputs, ds.info)
    if errors:
        raise BindingError(errors)
    model = compiled.model
    if device["mixed_precision"]:
        model = float32_outputs(model)
    params = int(model.count_params())
    check_size(model, params, settings["batch_size"], max_params)

    train_ds = subsample(ds, settings["max_samples"], settings["seed"])
    x, y = prepare(compiled.inputs, compiled.outputs, train_ds, "train")
    x_test, y_test = prepare(compiled.inputs, compiled.outputs, ds, "test")
    (x_fit, y_fit), validation = split_validation(x, y, settings["validation_split"], settings["seed"])
    n_fit = len(next(iter(x_fit.values())))
    batch_size = settings["batch_size"]
    steps = math.ceil(n_fit / batch_size)
    fit_data = make_dataset(x_fit, y_fit, batch_size, shuffle=True, seed=settings["seed"])
    # No gradients are kept when evaluating: larger batches, fewer steps.
    eval_batch = max(batch_size, min(256, 4 * batch_size))
    val_data = make_dataset(*validation, eval_batch, shuffle=False) if validation else None

    model.compile(
        optimizer=make_optimizer(settings["optimizer"], settings["learning_rate"]), **compiled.compile_kwargs()
    )
    progress = ProgressCallback(
        _safe(publish),
        should_stop,
        on_epoch,
        steps=steps,
        epochs=settings["epochs"],
        check_nan=settings["callbacks"]["terminate_on_nan"],
    )
    callbacks, best_path, tensorboard_dir = make_callbacks(progress, settings, workdir)

    try:
        model.fit(
            fit_data, validation_data=val_data, epochs=settings["epochs"], callbacks=callbacks, shuffle=False, verbose=0
        )  # the pipeline shuffles
    except NaNLoss as exc:
        raise TrainingError(
            f"loss became NaN at epoch {exc.epoch} step {exc.step}: lower the learning rate (now "
            f"{settings['learning_rate']:g}), check the data for huge or missing values, or use a "
            "normalising layer (BatchNormalization) before large activations"
        ) from None
    except (tf.errors.ResourceExhaustedError, MemoryError):
        raise TrainingError(
            f"out of memory while training with batch size {batch_size}: lower the batch size or make the model smaller"
        ) from None
    except (tf.errors.OpError, ValueError, TypeError) as exc:
        raise TrainingError(f"training failed: {_short(exc)}") from exc

    if best_path is not None and best_path.exists():
        model.load_weights(best_path)
    test_data = make_dataset(x_test, y_test, eval_batch, shuffle=False)
    try:
        test = model.evaluate(test_data, return_dict=True, verbose=0)
    except (tf.errors.OpError, ValueError) as exc:
        raise TrainingError(f"evaluation on the test split failed: {_short(exc)}") from exc
    test = {k: _number(v) for k, v in test.items()}
    model_path = workdir / "model.keras"
    model.save(model_path)
    confusion, samples = predictions(model, compiled.outputs, ds, x_test, eval_batch)
    _flush(publish)
    return TrainResult(
        status="cancelled" if progress.cancelled else "succeeded",
        history=progress.history,
        test=test,
        model_path=model_path,
        confusion=confusion,
        samples=samples,
        tensorboard_dir=tensorboard_dir,
        seconds=time.monotonic() - started,
        device=device,
        params=params,
    )


def _short(exc: BaseException, limit: int = 600) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    text = " ".join(lines[:3]) if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value) -> float | None:
    value = float(np.asarray(value).reshape(-1)[0]) if np.ndim(value) else float(value)
    return value if math.isfinite(value) else None


def _safe(publish: Callable[[dict], None]) -> Callable[[dict], None]:
    def send(ev: dict) -> None:
        try:
            publish(ev)
        except Exception:  # a publisher must never stop training
            log.exception("publishing a %s event failed", ev.get("type"))

    return send


def _flush(publish) -> None:
    flush = getattr(publish, "flush", None)
    if callable(flush):
        try:
            flush()
        except Exception:
            log.exception("flushing the publisher failed")


def make_optimizer(name: str, learning_rate: float):
    import keras

    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    classes = {
        "rmsprop": keras.optimizers.RMSprop,
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "adagrad": keras.optimizers.Adagrad,
        "nadam": keras.optimizers.Nadam,
    }
    return classes[name](learning_rate=learning_rate)


def float32_outputs(model):
    """Under mixed precision: the same model with every float16 output cast to float32
    (a linear Activation in float32), so losses and softmax outputs stay numerically stable."""
    import keras

    outputs = model.output
    single = not isinstance(outputs, dict)
    named = {"output": outputs} if single else dict(outputs)
    if all(str(t.dtype) == "float32" for t in named.values()):
        return model
    taken = {layer.name for layer in model.layers}
    cast = {}
    for name, tensor in named.items():
        if str(tensor.dtype) == "float32":
            cast[name] = tensor
            continue
        layer_name = f"{name}_float32"
        while layer_name in taken:
            layer_name += "_"
        taken.add(layer_name)
        cast[name] = keras.layers.Activation("linear", dtype="float32", name=layer_name)(tensor)
    return keras.Model(model.input, cast["output"] if single else cast, name=model.name)


def check_size(model, params: int, batch_size: int, max_params: int | None) -> None:
    """Refuse models over `max_params` and runs whose rough memory need exceeds what the host has free."""
    if max_params and params > max_params:
        raise TrainingError(
            f"the model has {params:,} parameters, more than this server's limit of {max_params:,}: "
            "use fewer units or filters, or a pooling layer before Flatten"
        )
    activations = 0
    for layer in model.layers:
        try:
            shapes = layer.output.shape if not isinstance(layer.output, (list, tuple)) else None
        except (AttributeError, ValueError):
            continue
        if shapes is not None:
            activations += math.prod(d or 1 for d in shapes[1:])
    # weights + gradients + two optimizer slots, activations kept for the backward pass (x3 with grads)
    need = 4 * (4 * params + 3 * batch_size * activations)
    free = _free_memory()
    if free and need > 0.9 * free:
        raise TrainingError(
            f"training this model with batch size {batch_size} needs about {need / 2**30:.1f} GiB, more than "
            f"the {free / 2**30:.1f} GiB free on this worker: lower the batch size or make the model smaller"
        )


def _free_memory() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class NaNLoss(Exception):
    def __init__(self, epoch: int, step: int):
        super().__init__(f"NaN loss at epoch {epoch} step {step}")
        self.epoch = epoch
        self.step = step


def _metrics(logs: dict | None) -> dict[str, float]:
    out = {}
    for key, value in (logs or {}).items():
        if key == "learning_rate":
            continue
        try:
            out[key] = _number(value)
        except (TypeError, ValueError):
            continue
    return out


def _make_progress_base():
    import keras

    return keras.callbacks.Callback


class ProgressCallback(_make_progress_base()):
    """Publishes status, throttled batch and epoch events; cancels on should_stop(); stops on a NaN loss."""

    def __init__(
        self,
        publish,
        should_stop,
        on_epoch,
        *,
        steps: int,
        epochs: int,
        check_nan: bool = True,
        throttle: BatchThrottle | None = None,
    ):
        super().__init__()
        self.publish = publish
        self.should_stop = should_stop
        self.on_epoch = on_epoch
        self.steps = steps
        self.epochs = epochs
        self.check_nan = check_nan
        self.throttle = throttle or BatchThrottle()
        self.history: list[dict] = []
        self.cancelled = False
        self._epoch = 0
        self._step = 0
        self._epoch_started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1
        self._step = 0
        self._epoch_started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._step = batch + 1
        if self.check_nan and logs:
            loss = logs.get("loss")
            if loss is not None and not math.isfinite(float(loss)):
                raise NaNLoss(self._epoch, self._step)
        if self.throttle(self._step, self.steps):
            self.publish(
                event(
                    "batch",
                    epoch=self._epoch,
                    step=self._step,
                    steps=self.steps,
                    epochs=self.epochs,
                    metrics=_metrics(logs),
                )
            )
        if not self.cancelled and self._stop_requested():
            self.cancelled = True
            self.model.stop_training = True

    def _stop_requested(self) -> bool:
        try:
            return bool(self.should_stop())
        except Exception:  # a failing check (database away) must not kill the run: ask again next batch
            log.exception("should_stop() failed")
            return False

    def on_epoch_end(self, epoch, logs=None):
        if self.cancelled and self._step < self.steps:
            return  # a cancelled, unfinished epoch is not one of the epochs done
        entry = {
            "epoch": epoch + 1,
            "metrics": _metrics(logs),
            "lr": current_lr(self.model),
            "seconds": time.perf_counter() - self._epoch_started,
        }
        ev = event("epoch", epochs=self.epochs, **entry)
        self.history.append({k: ev[k] for k in entry})
        # Saved before it is published: a snapshot taken after a viewer saw an epoch holds that epoch.
        if self.on_epoch is not None:
            self.on_epoch(ev)
        self.publish(ev)


def current_lr(model) -> float:
    import keras

    try:
        return float(f"{float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)):.7g}")
    except Exception:
        return float("nan")


def make_callbacks(progress: ProgressCallback, settings: dict, workdir: Path):
    """(callbacks, best checkpoint path or None, tensorboard dir or None)."""
    import keras

    cfg = settings["callbacks"]
    has_val = settings["validation_split"] > 0
    callbacks = [progress]  # first: its epoch event reports the lr the epoch used
    if cfg["lr_schedule"]["enabled"]:
        callbacks.append(
            keras.callbacks.LearningRateScheduler(
                lr_schedule(settings["learning_rate"], settings["epochs"], cfg["lr_schedule"])
            )
        )
    if cfg["reduce_lr"]["enabled"]:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss" if has_val else "loss",
                factor=cfg["reduce_lr"]["factor"],
                patience=cfg["reduce_lr"]["patience"],
                verbose=0,
            )
        )
    if cfg["early_stopping"]["enabled"]:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=cfg["early_stopping"]["monitor"],
                patience=cfg["early_stopping"]["patience"],
                restore_best_weights=True,
                verbose=0,
            )
        )
    best_path = None
    if cfg["checkpoint_best"]["enabled"]:
        best_path = workdir / "best.weights.h5"
        callbacks.append(
            keras.callbacks.ModelCheckpoint(
                str(best_path),
                monitor=cfg["checkpoint_best"]["monitor"],
                save_best_only=True,
                save_weights_only=True,
                verbose=0,
            )
        )
    tensorboard_dir = None
    if cfg["tensorboard"]:
        tensorboard_dir = workdir / "tensorboard"
        callbacks.append(
            keras.callbacks.TensorBoard(
                log_dir=str(tensorboard_dir), write_graph=False, update_freq="epoch", profile_batch=0
            )
        )
    return callbacks, best_path, tensorboard_dir


def lr_schedule(base: float, epochs: int, cfg: dict):
    if cfg["kind"] == "cosine":

        def schedule(epoch, lr):
            return float(base * 0.5 * (1 + math.cos(math.pi * epoch / max(1, epochs))))
    else:

        def schedule(epoch, lr):
            return float(base * cfg["gamma"] ** (epoch // cfg["step_size"]))

    return schedule


# ---- figures for the run page: confusion matrix and sample predictions ----


def predictions(model, outputs: list[dict], ds: Dataset, x_test: dict, batch_size: int):
    """(confusion or None, samples) on the test split, for the first classification output
    (or the first output when none classifies)."""
    from .binding import _find

    chosen = None
    for block in outputs:
        target = _find(block["name"], ds.info["targets"])
        if target is not None and target.get("classes"):
            chosen = (block, target)
            break
    if chosen is None and outputs:
        block = outputs[0]
        chosen = (block, _find(block["name"], ds.info["targets"]))
    if chosen is None or chosen[1] is None:
        return None, []
    block, target = chosen
    n = min(MAX_PREDICTED, ds.test_size)
    if n == 0:
        return None, []
    x = {k: v[:n] for k, v in x_test.items()}
    try:
        raw = model.predict(x, batch_size=batch_size, verbose=0)
    except Exception:  # figures are a bonus: never fail a finished run over them
        log.exception("predicting the samples failed")
        return None, []
    pred = raw[block["name"]] if isinstance(raw, dict) else raw
    pred = np.asarray(pred, dtype=np.float32)
    truth = np.asarray(ds.y_test[target["name"]][:n])
    image = _image_field(ds)
    if target.get("classes"):
        return _classification(block, target, pred, truth, image)
    return None, _regression_samples(pred, truth, image)


def _image_field(ds: Dataset):
    for entry in ds.info["inputs"]:
        shape = entry["shape"]
        if entry.get("modality") == "image" and (len(shape) == 2 or (len(shape) == 3 and shape[-1] in (1, 3))):
            return ds.x_test[entry["name"]]
    return None


def _classification(block, target, pred, truth, image):
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


def _regression_samples(pred, truth, image):
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


def _rounded(values: np.ndarray):
    values = [round(float(v), 6) for v in values]
    return values[0] if len(values) == 1 else values


def png_data_url(pixels: np.ndarray) -> str:
    """A data: URL of a PNG of an image array with values in [0, 1] ((h, w), (h, w, 1) or (h, w, 3))."""
    from PIL import Image

    array = np.clip(np.asarray(pixels, dtype=np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
