"""Training settings: every key has a default; a bad value is a SettingsError naming the field."""

from __future__ import annotations

import contextlib
import copy
import math
import re

from .datasets import DatasetError

OPTIMIZERS = ("sgd", "rmsprop", "adam", "adamw", "adagrad", "nadam")
MONITOR = re.compile(r"^(val_)?[A-Za-z0-9_]{1,64}$")

DEFAULTS = {
    "optimizer": "adam",
    "learning_rate": 0.001,
    "batch_size": 32,
    "epochs": 5,
    "validation_split": 0.1,
    "max_samples": None,
    "seed": 0,
    "callbacks": {
        "early_stopping": {"enabled": False, "monitor": "val_loss", "patience": 3},
        "reduce_lr": {"enabled": False, "factor": 0.5, "patience": 2},
        "checkpoint_best": {"enabled": False, "monitor": "val_loss"},
        "lr_schedule": {"enabled": False, "kind": "cosine", "step_size": 10, "gamma": 0.5},
        "terminate_on_nan": True,
        "tensorboard": True,
    },
}


class SettingsError(DatasetError):
    """A bad training setting; `field` is its dotted path (`callbacks.early_stopping.patience`)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def defaults() -> dict:
    return copy.deepcopy(DEFAULTS)


def parse_training(data: dict | None) -> dict:
    """The complete, checked settings: defaults filled in, values normalised. Idempotent."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SettingsError("training settings must be an object", "training")
    _no_unknown(data, DEFAULTS, "")
    out = defaults()
    if "optimizer" in data:
        value = data["optimizer"]
        name = value.lower() if isinstance(value, str) else value
        if name not in OPTIMIZERS:
            raise SettingsError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {value!r}", "optimizer")
        out["optimizer"] = name
    if "learning_rate" in data:
        out["learning_rate"] = _number(data["learning_rate"], "learning_rate", 1e-7, 10.0)
    if "batch_size" in data:
        out["batch_size"] = _integer(data["batch_size"], "batch_size", 1, 65536)
    if "epochs" in data:
        out["epochs"] = _integer(data["epochs"], "epochs", 1, 1000)
    if "validation_split" in data:
        out["validation_split"] = _number(data["validation_split"], "validation_split", 0.0, 0.5)
    if data.get("max_samples") is not None:
        out["max_samples"] = _integer(data["max_samples"], "max_samples", 1, 100_000_000)
    if "seed" in data:
        out["seed"] = _integer(data["seed"], "seed", 0, 2**31 - 1)
    callbacks = data.get("callbacks")
    if callbacks is not None:
        out["callbacks"] = _callbacks(callbacks)
    _check_monitors(out)
    return out


def _no_unknown(data: dict, allowed: dict, prefix: str) -> None:
    for key in data:
        if key not in allowed:
            where = prefix.rstrip(".") or "training"
            raise SettingsError(
                f"{prefix}{key} is not a setting of {where}: the settings are {', '.join(allowed)}", f"{prefix}{key}"
            )


def _integer(value, field: str, low: int, high: int) -> int:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value.strip())
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and (not math.isfinite(value) or value != int(value)))
    ):
        raise SettingsError(f"{field} must be a whole number from {low} to {high}, got {value!r}", field)
    value = int(value)
    if not low <= value <= high:
        raise SettingsError(f"{field} must be from {low} to {high}, got {value}", field)
    return value


def _number(value, field: str, low: float, high: float, low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(f"{field} must be a number from {low:g} to {high:g}, got {value!r}", field)
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise SettingsError(f"{field} must be in {left}{low:g}, {high:g}{right}, got {value:g}", field)
    return value


def _boolean(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{field} must be true or false, got {value!r}", field)
    return value


def _monitor(value, field: str) -> str:
    if not isinstance(value, str) or not MONITOR.match(value):
        raise SettingsError(
            f"{field} must be a metric name such as 'val_loss', 'loss' or 'val_accuracy', got {value!r}", field
        )
    return value


def _callbacks(data) -> dict:
    if not isinstance(data, dict):
        raise SettingsError("callbacks must be an object", "callbacks")
    _no_unknown(data, DEFAULTS["callbacks"], "callbacks.")
    out = copy.deepcopy(DEFAULTS["callbacks"])
    for name in ("terminate_on_nan", "tensorboard"):
        if name in data:
            out[name] = _boolean(data[name], f"callbacks.{name}")
    checks = {
        "early_stopping": {"monitor": _monitor, "patience": lambda v, f: _integer(v, f, 0, 1000)},
        "reduce_lr": {
            "factor": lambda v, f: _number(v, f, 0.0, 1.0, low_open=True, high_open=True),
            "patience": lambda v, f: _integer(v, f, 0, 1000),
        },
        "checkpoint_best": {"monitor": _monitor},
        "lr_schedule": {
            "kind": _schedule_kind,
            "step_size": lambda v, f: _integer(v, f, 1, 1000),
            "gamma": lambda v, f: _number(v, f, 0.0, 1.0, low_open=True),
        },
    }
    for name, fields in checks.items():
        if name not in data:
            continue
        value = data[name]
        prefix = f"callbacks.{name}"
        if isinstance(value, bool):  # shorthand: "early_stopping": true
            value = {"enabled": value}
        if not isinstance(value, dict):
            raise SettingsError(f"{prefix} must be an object like {DEFAULTS['callbacks'][name]}", prefix)
        _no_unknown(value, DEFAULTS["callbacks"][name], prefix + ".")
        if "enabled" in value:
            out[name]["enabled"] = _boolean(value["enabled"], f"{prefix}.enabled")
        for key, check in fields.items():
            if key in value:
                out[name][key] = check(value[key], f"{prefix}.{key}")
    return out


def _schedule_kind(value, field: str) -> str:
    if value not in ("cosine", "step"):
        raise SettingsError(f"{field} must be 'cosine' or 'step', got {value!r}", field)
    return value


def _check_monitors(settings: dict) -> None:
    """A val_* monitor needs validation data."""
    if settings["validation_split"] > 0:
        return
    for name in ("early_stopping", "checkpoint_best"):
        entry = settings["callbacks"][name]
        if entry["enabled"] and entry["monitor"].startswith("val_"):
            raise SettingsError(
                f"callbacks.{name}.monitor {entry['monitor']!r} needs validation data: set validation_split "
                f"above 0 or monitor {entry['monitor'][4:]!r}",
                f"callbacks.{name}.monitor",
            )
