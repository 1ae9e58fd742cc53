import pytest

from trainer.datasets import DatasetError
from trainer.settings import (
    BY_NAME,
    DEFAULTS,
    GROUPS,
    KINDS,
    OPTIMIZERS,
    SETTINGS,
    SettingsError,
    declaration,
    defaults,
    parse_training,
)


def test_defaults_for_every_key():
    settings = parse_training(None)
    assert settings == parse_training({}) == DEFAULTS
    assert settings["optimizer"] == "adam" and settings["learning_rate"] == 0.001
    assert settings["batch_size"] == 32 and settings["epochs"] == 5 and settings["validation_split"] == 0.1
    assert settings["max_samples"] is None and settings["seed"] == 0
    assert settings["callbacks"]["terminate_on_nan"] is True


def test_values_are_normalised_and_parsing_is_idempotent():
    settings = parse_training(
        {
            "optimizer": "SGD",
            "epochs": 3,
            "batch_size": 64.0,
            "learning_rate": 1,
            "callbacks": {"early_stopping": True, "lr_schedule": {"enabled": True, "kind": "step"}},
        }
    )
    assert settings["optimizer"] == "sgd" and settings["epochs"] == 3 and settings["batch_size"] == 64
    assert settings["learning_rate"] == 1.0
    assert settings["callbacks"]["early_stopping"] == {"enabled": True, "monitor": "val_loss", "patience": 3}
    assert settings["callbacks"]["lr_schedule"]["kind"] == "step"
    assert parse_training(settings) == settings


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"epochs": 0}, "epochs", "from 1 to 1000"),
        ({"epochs": 1001}, "epochs", "from 1 to 1000"),
        ({"epochs": 2.5}, "epochs", "whole number"),
        ({"epochs": "3"}, "epochs", "whole number"),
        ({"learning_rate": "0.01"}, "learning_rate", "a number"),
        ({"batch_size": 0}, "batch_size", "from 1 to 65536"),
        ({"batch_size": True}, "batch_size", "whole number"),
        ({"learning_rate": -1}, "learning_rate", "[1e-07, 10]"),
        ({"learning_rate": "fast"}, "learning_rate", "a number"),
        ({"validation_split": 0.9}, "validation_split", "[0, 0.5]"),
        ({"optimizer": "lbfgs"}, "optimizer", "sgd, rmsprop, adam, adamw, adagrad, nadam"),
        ({"max_samples": 0}, "max_samples", "from 1"),
        ({"seed": -1}, "seed", "from 0"),
        ({"momentum": 0.9}, "momentum", "not a setting"),
        ({"callbacks": {"early_stopping": {"patience": -1}}}, "callbacks.early_stopping.patience", "from 0 to 1000"),
        ({"callbacks": {"reduce_lr": {"factor": 1.5}}}, "callbacks.reduce_lr.factor", "(0, 1)"),
        ({"callbacks": {"lr_schedule": {"kind": "linear"}}}, "callbacks.lr_schedule.kind", "'cosine' or 'step'"),
        (
            {"callbacks": {"checkpoint_best": {"monitor": "val loss!"}}},
            "callbacks.checkpoint_best.monitor",
            "metric name",
        ),
        ({"callbacks": {"tensorboard": "yes"}}, "callbacks.tensorboard", "true or false"),
        ({"callbacks": {"early_stopping": {"delta": 1}}}, "callbacks.early_stopping.delta", "not a setting"),
        ({"callbacks": {"profiler": True}}, "callbacks.profiler", "not a setting"),
        (
            {"validation_split": 0, "callbacks": {"early_stopping": {"enabled": True}}},
            "callbacks.early_stopping.monitor",
            "needs validation data",
        ),
    ],
)
def test_bad_values_name_the_field_and_the_range(data, field, words):
    with pytest.raises(SettingsError) as e:
        parse_training(data)
    assert e.value.field == field
    assert words in str(e.value)
    assert isinstance(e.value, DatasetError)


def test_not_an_object():
    with pytest.raises(SettingsError):
        parse_training([1, 2])


def test_the_declaration_is_whole_and_consistent():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    groups = {name for name, _ in GROUPS}
    for s in SETTINGS:
        assert s.kind in KINDS and s.group in groups and s.label and s.doc, s
        if s.kind == "choice":
            assert s.choices and s.default in s.choices, s
        if s.kind in ("int", "float"):
            assert s.min is not None and s.max is not None and s.min < s.max, s
        for other, value in (s.applies_when or {}).items():
            assert other in BY_NAME and other != s.name, s
            assert parse_training(_nest(other, value)) is not None  # a value the other setting takes
        # The default passes its own check, and parsing keeps it.
        assert parse_training(_nest(s.name, s.default)) == DEFAULTS
    assert BY_NAME["learning_rate"].log and BY_NAME["learning_rate"].searchable
    assert declaration()["fields"][0]["name"] == "optimizer"


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.kind in ("int", "float")], ids=lambda s: s.name)
def test_bounds_come_from_the_declaration(setting):
    low, high = setting.min, setting.max
    assert low is not None and high is not None
    inside_low = low + (1 if setting.kind == "int" else 1e-9) if setting.min_open else low
    inside_high = high - (1 if setting.kind == "int" else 1e-9) if setting.max_open else high
    for value in (inside_low, inside_high):
        assert _leaf(parse_training(_nest(setting.name, value)), setting.name) == value
    for value in (low if setting.min_open else low - 1, high if setting.max_open else high + 1):
        with pytest.raises(SettingsError) as e:
            parse_training(_nest(setting.name, value))
        assert e.value.field == setting.name


def test_a_choice_is_one_of_the_declared_ones():
    for s in SETTINGS:
        if s.kind != "choice":
            continue
        for choice in s.choices or ():
            assert _leaf(parse_training(_nest(s.name, choice)), s.name) == choice
        with pytest.raises(SettingsError) as e:
            parse_training(_nest(s.name, "no-such-choice"))
        assert e.value.field == s.name


def test_optimizers_and_defaults_are_derived():
    assert BY_NAME["optimizer"].choices == OPTIMIZERS
    assert defaults() == DEFAULTS and defaults() is not DEFAULTS
    assert parse_training({"callbacks": None}) == DEFAULTS
    with pytest.raises(SettingsError) as e:
        parse_training({"callbacks": {"reduce_lr": None}})
    assert e.value.field == "callbacks.reduce_lr" and "an object like" in str(e.value)
    with pytest.raises(SettingsError) as e:
        parse_training({"callbacks": 3})
    assert e.value.field == "callbacks" and str(e.value) == "callbacks must be an object"


def _nest(name: str, value):
    for key in reversed(name.split(".")):
        value = {key: value}
    return value


def _leaf(settings: dict, name: str):
    for key in name.split("."):
        settings = settings[key]
    return settings
