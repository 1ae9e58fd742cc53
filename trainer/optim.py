"""The optimizer, the learning-rate schedule and the Keras callbacks a run's settings ask for."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any


def make_optimizer(name: str, learning_rate: float) -> Any:
    """A Keras optimizer by its settings name (SGD with momentum 0.9)."""
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


def current_lr(model: Any) -> float:
    """The optimizer's learning rate now, to 7 significant digits (NaN if it cannot be read)."""
    import keras

    try:
        return float(f"{float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)):.7g}")
    except Exception:
        return float("nan")


def make_callbacks(progress: Any, settings: dict, workdir: Path) -> tuple[list[Any], Path | None, Path | None]:
    """(callbacks, best checkpoint path or None, tensorboard dir or None); `progress` comes first."""
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


def lr_schedule(base: float, epochs: int, cfg: dict) -> Callable[[int, float], float]:
    """schedule(epoch, lr) for keras.callbacks.LearningRateScheduler: cosine over the epochs, or step decay."""
    if cfg["kind"] == "cosine":

        def cosine(epoch: int, lr: float) -> float:
            return float(base * 0.5 * (1 + math.cos(math.pi * epoch / max(1, epochs))))

        return cosine

    def step(epoch: int, lr: float) -> float:
        return float(base * cfg["gamma"] ** (epoch // cfg["step_size"]))

    return step
