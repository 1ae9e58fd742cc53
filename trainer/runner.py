"""train(): one run from a graph document, a dataset and settings to a saved model and its figures.

The caller (the Celery task, the CLI, a notebook) passes `publish` for the
websocket events, `should_stop` to cancel and `on_epoch` to save history;
this module knows nothing of Django, Redis or the database. The same graph,
dataset, settings and seed give the same history and test metrics in any
process, first run or hundredth (trainer.model says how).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .binding import BindingError, check_binding, prepare
from .datasets import Dataset, subsample
from .errors import NaNLoss, TrainingError
from .figures import predictions
from .memory import check_size
from .model import build_model, float32_outputs, fresh_session
from .optim import make_callbacks, make_optimizer
from .pipeline import make_dataset, split_validation
from .progress import ProgressCallback, PruneHook, number
from .settings import SettingsError, parse_training

__all__ = ["TrainResult", "TrainingError", "compile_graph", "train"]

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    status: str  # "succeeded" | "cancelled" | "pruned"
    history: list[dict]  # [{"epoch", "metrics", "lr", "seconds"}], epochs 1-based
    test: dict[str, float | None]  # model.evaluate on the test split, Keras's names (None: not finite)
    model_path: Path
    confusion: dict | None  # {"output", "labels", "matrix"} for a classification output
    samples: list[dict] = field(default_factory=list)
    tensorboard_dir: Path | None = None
    seconds: float = 0.0
    device: dict = field(default_factory=dict)
    params: int = 0
    pruned_epoch: int | None = None  # the epoch a sweep's pruner stopped it at


def compile_graph(graph: dict) -> Any:
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
    prune: PruneHook | None = None,
    figures: bool = True,
) -> TrainResult:
    """Compile, check, fit, evaluate and save (`figures`: the confusion matrix and sample predictions too;
    `prune`: a sweep's pruner, asked after each epoch). Raises builder.GraphInvalid, BindingError, SettingsError
    (a DatasetError) or TrainingError with a message for the person who started the run."""
    started = time.monotonic()
    settings = parse_training(settings)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    device = fresh_session()

    import keras
    import tensorflow as tf

    from builder.pretrained import freeze, unfreeze_from

    seed = settings["seed"]
    compiled = build_model(graph, seed)
    errors = check_binding(compiled.inputs, compiled.outputs, ds.info)
    if errors:
        raise BindingError(errors)
    model = compiled.model
    if device["mixed_precision"]:
        model = float32_outputs(model)
    params = int(model.count_params())
    check_size(model, params, settings["batch_size"], max_params)

    train_ds = subsample(ds, settings["max_samples"], seed)
    x, y = prepare(compiled.inputs, compiled.outputs, train_ds, "train")
    x_test, y_test = prepare(compiled.inputs, compiled.outputs, ds, "test")
    (x_fit, y_fit), validation = split_validation(x, y, settings["validation_split"], seed, settings["crossval"])
    n_fit = len(next(iter(x_fit.values())))
    batch_size = settings["batch_size"]
    steps = math.ceil(n_fit / batch_size)
    # A one-Output model takes its targets as one array, several Outputs as a dict by name.
    fit_data = make_dataset(x_fit, compiled.targets(y_fit), batch_size, shuffle=True, seed=seed)
    # No gradients are kept when evaluating: larger batches, fewer steps.
    eval_batch = max(batch_size, min(256, 4 * batch_size))
    val_data = None
    if validation is not None:
        x_val, y_val = validation
        val_data = make_dataset(x_val, compiled.targets(y_val), eval_batch, shuffle=False)

    fine_tune = settings["fine_tune"]
    bases = _pretrained_bases(graph, model) if fine_tune["enabled"] else []
    if fine_tune["enabled"]:
        _check_fine_tune(bases, fine_tune["from"])
        for base in bases:  # phase 1: the pretrained part frozen
            freeze(base)
    model.compile(
        optimizer=make_optimizer(settings["optimizer"], settings["learning_rate"]), **compiled.compile_kwargs()
    )
    total_epochs = settings["epochs"] + (fine_tune["epochs"] if fine_tune["enabled"] else 0)
    progress = ProgressCallback(
        _safe(publish),
        should_stop,
        on_epoch,
        steps=steps,
        epochs=total_epochs,
        check_nan=settings["callbacks"]["terminate_on_nan"],
        prune=prune,
    )
    callbacks, best_path, tensorboard_dir = make_callbacks(progress, settings, workdir)

    def fit(learning_rate: float, epochs: int, initial_epoch: int, phase_callbacks: list) -> None:
        try:
            model.fit(
                fit_data,
                validation_data=val_data,
                epochs=epochs,
                initial_epoch=initial_epoch,
                callbacks=phase_callbacks,
                shuffle=False,  # the pipeline shuffles
                verbose=0,
            )
        except NaNLoss as exc:
            raise TrainingError(
                f"loss became NaN at epoch {exc.epoch} step {exc.step}: lower the learning rate (now "
                f"{learning_rate:g}), check the data for huge or missing values, or use a "
                "normalising layer (BatchNormalization) before large activations"
            ) from None
        except tf.errors.UnimplementedError as exc:
            if "determinis" not in str(exc).lower():
                raise TrainingError(f"training failed: {_short(exc)}") from exc
            raise TrainingError(
                "a block of this model has no deterministic implementation on this worker's device, and runs are "
                f"trained deterministically (same seed, same result): {_short(exc)}"
            ) from exc
        except (tf.errors.ResourceExhaustedError, MemoryError):
            raise TrainingError(
                f"out of memory while training with batch size {batch_size}: lower the batch size or make the "
                "model smaller"
            ) from None
        except (tf.errors.OpError, ValueError, TypeError) as exc:
            raise TrainingError(f"training failed: {_short(exc)}") from exc

    progress.phase = 1 if fine_tune["enabled"] else None
    fit(settings["learning_rate"], settings["epochs"], 0, callbacks)
    if fine_tune["enabled"] and not progress.cancelled and not progress.pruned_epoch:
        # Phase 2: unfreeze from the chosen layer, recompile (the trainable set changed) at the low rate,
        # go on from the last epoch; a schedule of the first phase's rate would override it, so it is left out.
        for base in bases:
            unfreeze_from(base, fine_tune["from"])
        model.compile(
            optimizer=make_optimizer(settings["optimizer"], fine_tune["learning_rate"]), **compiled.compile_kwargs()
        )
        model.stop_training = False
        progress.phase = 2
        kept = [cb for cb in callbacks if not isinstance(cb, keras.callbacks.LearningRateScheduler)]
        fit(fine_tune["learning_rate"], total_epochs, settings["epochs"], kept)

    if best_path is not None and best_path.exists():
        model.load_weights(best_path)
    test_data = make_dataset(x_test, compiled.targets(y_test), eval_batch, shuffle=False)
    try:
        evaluated = model.evaluate(test_data, return_dict=True, verbose=0)
    except (tf.errors.OpError, ValueError) as exc:
        raise TrainingError(f"evaluation on the test split failed: {_short(exc)}") from exc
    test = {k: number(v) for k, v in evaluated.items()}
    model_path = workdir / "model.keras"
    model.save(model_path)
    confusion, samples = predictions(model, compiled.outputs, ds, x_test, eval_batch) if figures else (None, [])
    _flush(publish)
    return TrainResult(
        status="cancelled" if progress.cancelled else ("pruned" if progress.pruned_epoch else "succeeded"),
        history=progress.history,
        test=test,
        model_path=model_path,
        confusion=confusion,
        samples=samples,
        tensorboard_dir=tensorboard_dir,
        seconds=time.monotonic() - started,
        device=device,
        params=params,
        pruned_epoch=progress.pruned_epoch,
    )


def _pretrained_bases(graph: dict, model: Any) -> list[Any]:
    """The nested models of the graph's Pretrained blocks (named by their node ids)."""
    from builder.pretrained import PRETRAINED

    ids = [n.get("id") for n in graph.get("nodes", []) if isinstance(n, dict) and n.get("type") == PRETRAINED]
    return [model.get_layer(i) for i in ids]


def _check_fine_tune(bases: list[Any], start: str | None) -> None:
    if not bases:
        raise SettingsError("fine_tune: the graph has no Pretrained block to fine-tune", "fine_tune.enabled")
    if start is not None and not any(start in [layer.name for layer in b.layers] for b in bases):
        names = sorted({layer.name for b in bases for layer in b.layers})
        raise SettingsError(
            f"fine_tune.from: no Pretrained block has a layer '{start}'; they have {', '.join(names)}",
            "fine_tune.from",
        )


def _short(exc: BaseException, limit: int = 600) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    text = " ".join(lines[:3]) if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe(publish: Callable[[dict], None]) -> Callable[[dict], None]:
    def send(ev: dict) -> None:
        try:
            publish(ev)
        except Exception:  # a publisher must never stop training
            log.exception("publishing a %s event failed", ev.get("type"))

    return send


def _flush(publish: Callable[[dict], None]) -> None:
    flush = getattr(publish, "flush", None)
    if callable(flush):
        try:
            flush()
        except Exception:
            log.exception("flushing the publisher failed")
