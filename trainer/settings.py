"""Training settings, declared once: every setting is one `Setting` in `SETTINGS`.

The declaration is the only copy of a setting's default, bounds and choices: `parse_training` checks
and fills values from it, `DEFAULTS` is built from it, and GET /api/training/settings serves it (the
Train panel renders its fields from that answer). A bad value is a SettingsError naming the field by
its dotted path (`callbacks.early_stopping.patience`).

Adding a setting is one `Setting` below plus its use in trainer/.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

from .datasets import DatasetError

# The kinds a setting can be: the same names (and widgets) as the block catalog's params.
KINDS = ("int", "float", "bool", "choice", "string")


@dataclass(frozen=True)
class Setting:
    """One training setting. `name` is its dotted path in the `training` object."""

    name: str
    kind: str
    default: Any
    label: str
    doc: str  # one line
    group: str  # a name in GROUPS
    min: float | None = None
    max: float | None = None
    # Whether `min` / `max` themselves are refused: (0, 1) rather than [0, 1].
    min_open: bool = False
    max_open: bool = False
    nullable: bool = False  # null is a value (and then means `default`'s meaning, e.g. "all samples")
    choices: tuple[str, ...] | None = None
    lower: bool = False  # a choice given in any case is lowered first ("SGD" -> "sgd")
    pattern: str | None = None  # a string must match it (re.match)
    pattern_hint: str = ""  # what a value matching `pattern` looks like, for messages
    log: bool = False  # spans orders of magnitude: sliders and sweeps use a log scale
    # The setting only matters when every named setting has the given value.
    applies_when: dict[str, Any] | None = None
    searchable: bool = False  # a hyperparameter sweep may vary it

    def as_json(self) -> dict[str, Any]:
        """The setting as GET /api/training/settings lists it."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "doc": self.doc,
            "group": self.group,
            "default": self.default,
            "min": self.min,
            "max": self.max,
            "min_open": self.min_open,
            "max_open": self.max_open,
            "nullable": self.nullable,
            "choices": list(self.choices) if self.choices is not None else None,
            "pattern": self.pattern,
            "pattern_hint": self.pattern_hint or None,
            "log": self.log,
            "applies_when": dict(self.applies_when) if self.applies_when is not None else None,
            "searchable": self.searchable,
        }


# The Train panel's sections, in order: (name, title).
GROUPS: tuple[tuple[str, str], ...] = (
    ("optimizer", "Optimizer"),
    ("fit", "Fitting"),
    ("data", "Data"),
    ("callbacks.early_stopping", "Early stopping"),
    ("callbacks.reduce_lr", "Reduce LR on plateau"),
    ("callbacks.checkpoint_best", "Keep the best epoch"),
    ("callbacks.lr_schedule", "Learning-rate schedule"),
    ("callbacks", "Logs and safety"),
    ("crossval", "Cross-validation"),  # set by POST /api/crossval, not shown as ordinary fields
    ("fine_tune", "Fine-tuning"),
)

_METRIC = r"^(val_)?[A-Za-z0-9_]{1,64}$"
_METRIC_HINT = "a metric name such as 'val_loss', 'loss' or 'val_accuracy'"
_ES = {"callbacks.early_stopping.enabled": True}
_RL = {"callbacks.reduce_lr.enabled": True}
_CP = {"callbacks.checkpoint_best.enabled": True}
_LS = {"callbacks.lr_schedule.enabled": True}
_FT = {"fine_tune.enabled": True}
_LS_STEP = {"callbacks.lr_schedule.enabled": True, "callbacks.lr_schedule.kind": "step"}

# The order here is the order of the `training` object's keys (and of error messages listing them).
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "optimizer",
        "choice",
        "adam",
        "Optimizer",
        "The Keras optimizer; sgd uses momentum 0.9.",
        "optimizer",
        choices=("sgd", "rmsprop", "adam", "adamw", "adagrad", "nadam"),
        lower=True,
        searchable=True,
    ),
    Setting(
        "learning_rate",
        "float",
        0.001,
        "Learning rate",
        "The optimizer's step size (the start, with a schedule).",
        "optimizer",
        min=1e-7,
        max=10.0,
        log=True,
        searchable=True,
    ),
    Setting(
        "batch_size",
        "int",
        32,
        "Batch size",
        "Samples per gradient step.",
        "fit",
        min=1,
        max=65536,
        searchable=True,
    ),
    Setting("epochs", "int", 5, "Epochs", "Passes over the training samples.", "fit", min=1, max=1000, searchable=True),
    Setting(
        "validation_split",
        "float",
        0.1,
        "Validation split",
        "The share of the training samples held out to validate each epoch (0 to 0.5).",
        "data",
        min=0.0,
        max=0.5,
        searchable=True,
    ),
    Setting(
        "max_samples",
        "int",
        None,
        "Sample limit",
        "Training samples used; blank for all.",
        "data",
        min=1,
        max=100_000_000,
        nullable=True,
    ),
    Setting(
        "seed",
        "int",
        0,
        "Seed",
        "Seeds the initial weights, the shuffling and the validation split.",
        "fit",
        min=0,
        max=2**31 - 1,
    ),
    Setting(
        "callbacks.early_stopping.enabled",
        "bool",
        False,
        "Early stopping",
        "Stop when the monitored metric stops improving (the best weights are restored).",
        "callbacks.early_stopping",
    ),
    Setting(
        "callbacks.early_stopping.monitor",
        "string",
        "val_loss",
        "Monitor",
        "The metric watched.",
        "callbacks.early_stopping",
        pattern=_METRIC,
        pattern_hint=_METRIC_HINT,
        applies_when=_ES,
    ),
    Setting(
        "callbacks.early_stopping.patience",
        "int",
        3,
        "Patience (epochs)",
        "Epochs without improvement before stopping.",
        "callbacks.early_stopping",
        min=0,
        max=1000,
        applies_when=_ES,
        searchable=True,
    ),
    Setting(
        "callbacks.reduce_lr.enabled",
        "bool",
        False,
        "Reduce LR on plateau",
        "Lower the learning rate when the validation loss stops improving.",
        "callbacks.reduce_lr",
    ),
    Setting(
        "callbacks.reduce_lr.factor",
        "float",
        0.5,
        "Factor",
        "The learning rate is multiplied by this, between 0 and 1.",
        "callbacks.reduce_lr",
        min=0.0,
        max=1.0,
        min_open=True,
        max_open=True,
        applies_when=_RL,
        searchable=True,
    ),
    Setting(
        "callbacks.reduce_lr.patience",
        "int",
        2,
        "Patience (epochs)",
        "Epochs without improvement before lowering it.",
        "callbacks.reduce_lr",
        min=0,
        max=1000,
        applies_when=_RL,
        searchable=True,
    ),
    Setting(
        "callbacks.checkpoint_best.enabled",
        "bool",
        False,
        "Keep the best epoch (checkpoint)",
        "Keep the weights of the epoch with the best monitored metric, not the last.",
        "callbacks.checkpoint_best",
    ),
    Setting(
        "callbacks.checkpoint_best.monitor",
        "string",
        "val_loss",
        "Monitor",
        "The metric that picks the best epoch.",
        "callbacks.checkpoint_best",
        pattern=_METRIC,
        pattern_hint=_METRIC_HINT,
        applies_when=_CP,
    ),
    Setting(
        "callbacks.lr_schedule.enabled",
        "bool",
        False,
        "Learning-rate schedule",
        "Change the learning rate from epoch to epoch.",
        "callbacks.lr_schedule",
    ),
    Setting(
        "callbacks.lr_schedule.kind",
        "choice",
        "cosine",
        "Kind",
        "cosine: decay to 0 over the epochs; step: multiply by gamma every step_size epochs.",
        "callbacks.lr_schedule",
        choices=("cosine", "step"),
        applies_when=_LS,
        searchable=True,
    ),
    Setting(
        "callbacks.lr_schedule.step_size",
        "int",
        10,
        "Every (epochs)",
        "Epochs between two steps of a step schedule.",
        "callbacks.lr_schedule",
        min=1,
        max=1000,
        applies_when=_LS_STEP,
        searchable=True,
    ),
    Setting(
        "callbacks.lr_schedule.gamma",
        "float",
        0.5,
        "Multiply by",
        "What a step schedule multiplies the learning rate by at each step.",
        "callbacks.lr_schedule",
        min=0.0,
        max=1.0,
        min_open=True,
        applies_when=_LS_STEP,
        searchable=True,
    ),
    Setting(
        "callbacks.terminate_on_nan",
        "bool",
        True,
        "Stop on a NaN loss",
        "End the run as soon as the loss is not a number.",
        "callbacks",
    ),
    Setting(
        "callbacks.tensorboard",
        "bool",
        True,
        "TensorBoard logs",
        "Write TensorBoard logs (downloadable with the run).",
        "callbacks",
    ),
    # A cross-validation's fold run (POST /api/crossval sets these): validate on fold `fold` of `folds`.
    Setting(
        "crossval.folds",
        "int",
        None,
        "Folds",
        "Cross-validation: the training split is cut into this many folds (blank: no cross-validation).",
        "crossval",
        min=2,
        max=10,
        nullable=True,
    ),
    Setting(
        "crossval.fold",
        "int",
        0,
        "Fold",
        "Cross-validation: the fold this run validates on (the others are fitted); validation_split is unused.",
        "crossval",
        min=0,
        max=9,
    ),
    Setting(
        "crossval.stratified",
        "bool",
        True,
        "Stratified folds",
        "Cross-validation: each fold keeps each class's share (one classification target).",
        "crossval",
    ),
    # Transfer learning's two phases (trainer/runner.py): `epochs` with every Pretrained block frozen, then
    # these epochs with the Pretrained layers from `from` on unfrozen, recompiled at this learning rate.
    Setting(
        "fine_tune.enabled",
        "bool",
        False,
        "Fine-tune",
        "Train with the Pretrained blocks frozen, then unfreeze them from a layer and train on at a low rate.",
        "fine_tune",
    ),
    Setting(
        "fine_tune.epochs",
        "int",
        2,
        "Fine-tuning epochs",
        "Epochs of the second phase, after the frozen ones.",
        "fine_tune",
        min=1,
        max=1000,
        applies_when=_FT,
    ),
    Setting(
        "fine_tune.learning_rate",
        "float",
        1e-5,
        "Fine-tuning learning rate",
        "The second phase's learning rate: low, so the trained weights change little.",
        "fine_tune",
        min=1e-9,
        max=1.0,
        log=True,
        applies_when=_FT,
    ),
    Setting(
        "fine_tune.from",
        "string",
        None,
        "Unfreeze from layer",
        "The Pretrained model's inner layer from which on it trains in the second phase (blank: all of it).",
        "fine_tune",
        nullable=True,
        pattern=r"^[A-Za-z0-9_.\-/]{1,200}$",
        pattern_hint="an inner layer's name",
        applies_when=_FT,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def _tree() -> dict[str, Any]:
    """The settings as nested dicts of their defaults, in declaration order."""
    root: dict[str, Any] = {}
    for setting in SETTINGS:
        *path, leaf = setting.name.split(".")
        node = root
        for key in path:
            node = node.setdefault(key, {})
        node[leaf] = setting.default
    return root


DEFAULTS: dict[str, Any] = _tree()
OPTIMIZERS: tuple[str, ...] = BY_NAME["optimizer"].choices or ()
MONITOR = re.compile(_METRIC)


def declaration() -> dict[str, Any]:
    """What GET /api/training/settings answers: the groups in order, then every setting."""
    return {
        "groups": [{"name": name, "title": title} for name, title in GROUPS],
        "fields": [s.as_json() for s in SETTINGS],
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
    out = _object(data, DEFAULTS, "")
    _check_monitors(out)
    _check_fold(out)
    return out


def _object(data: dict, defaults_here: dict, prefix: str) -> dict:
    """`data` checked against the settings under `prefix` (like "callbacks."), defaults filled in."""
    for key in data:
        if key not in defaults_here:
            where = prefix.rstrip(".") or "training"
            raise SettingsError(
                f"{prefix}{key} is not a setting of {where}: the settings are {', '.join(defaults_here)}",
                f"{prefix}{key}",
            )
    out = {}
    for key, default in defaults_here.items():
        name = f"{prefix}{key}"
        if isinstance(default, dict):
            out[key] = _nested(data[key], default, name) if key in data else copy.deepcopy(default)
        elif key in data and not (data[key] is None and BY_NAME[name].nullable):
            out[key] = _value(BY_NAME[name], data[key])
        else:
            out[key] = copy.deepcopy(default)
    return out


def _nested(value: Any, defaults_here: dict, name: str) -> dict:
    """A nested object (`callbacks`, `callbacks.early_stopping`): absent is its defaults (null too, for
    a top-level one), and where it has an `enabled` switch, true or false is shorthand for
    {"enabled": ...}."""
    if value is None and "." not in name:
        return copy.deepcopy(defaults_here)
    if isinstance(value, bool) and "enabled" in defaults_here:
        value = {"enabled": value}
    if not isinstance(value, dict):
        flat = not any(isinstance(v, dict) for v in defaults_here.values())
        like = f" like {defaults_here}" if flat else ""
        raise SettingsError(f"{name} must be an object{like}", name)
    return _object(value, defaults_here, name + ".")


def _value(setting: Setting, value: Any) -> Any:
    if setting.kind == "int":
        return _integer(value, setting)
    if setting.kind == "float":
        return _number(value, setting)
    if setting.kind == "bool":
        return _boolean(value, setting.name)
    if setting.kind == "choice":
        return _choice(value, setting)
    if setting.kind == "string":
        return _string(value, setting)
    raise AssertionError(f"{setting.name}: unknown kind {setting.kind!r}")  # pragma: no cover


def _integer(value: Any, setting: Setting) -> int:
    field, low, high = setting.name, setting.min, setting.max
    # Strict, like a block's parameters: the number 3, never the string "3" (nor true).
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and (not math.isfinite(value) or value != int(value)))
    ):
        raise SettingsError(f"{field} must be a whole number from {low} to {high}, got {value!r}", field)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise SettingsError(f"{field} must be from {low} to {high}, got {value}", field)
    return value


def _number(value: Any, setting: Setting) -> float:
    field = setting.name
    low = -math.inf if setting.min is None else setting.min
    high = math.inf if setting.max is None else setting.max
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(f"{field} must be a number from {low:g} to {high:g}, got {value!r}", field)
    value = float(value)
    too_low = value <= low if setting.min_open else value < low
    too_high = value >= high if setting.max_open else value > high
    if too_low or too_high:
        left = "(" if setting.min_open else "["
        right = ")" if setting.max_open else "]"
        raise SettingsError(f"{field} must be in {left}{low:g}, {high:g}{right}, got {value:g}", field)
    return value


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{field} must be true or false, got {value!r}", field)
    return value


def _choice(value: Any, setting: Setting) -> str:
    choices = setting.choices or ()
    name = value.lower() if setting.lower and isinstance(value, str) else value
    if name not in choices:
        if len(choices) == 2:
            expected = f"{choices[0]!r} or {choices[1]!r}"
        else:
            expected = f"one of {', '.join(choices)}"
        raise SettingsError(f"{setting.name} must be {expected}, got {value!r}", setting.name)
    return name


def _string(value: Any, setting: Setting) -> str:
    if not isinstance(value, str) or (setting.pattern is not None and not re.match(setting.pattern, value)):
        expected = setting.pattern_hint or "a string"
        raise SettingsError(f"{setting.name} must be {expected}, got {value!r}", setting.name)
    return value


def _check_fold(settings: dict) -> None:
    """A cross-validation's fold is one of its folds."""
    folds, fold = settings["crossval"]["folds"], settings["crossval"]["fold"]
    if folds is not None and fold >= folds:
        raise SettingsError(
            f"crossval.fold must be from 0 to {folds - 1} for {folds} folds, got {fold}", "crossval.fold"
        )


def _check_monitors(settings: dict) -> None:
    """A val_* monitor needs validation data (a cross-validation's fold always has its own)."""
    if settings["validation_split"] > 0 or settings["crossval"]["folds"] is not None:
        return
    for name in ("early_stopping", "checkpoint_best"):
        entry = settings["callbacks"][name]
        if entry["enabled"] and entry["monitor"].startswith("val_"):
            raise SettingsError(
                f"callbacks.{name}.monitor {entry['monitor']!r} needs validation data: set validation_split "
                f"above 0 or monitor {entry['monitor'][4:]!r}",
                f"callbacks.{name}.monitor",
            )
