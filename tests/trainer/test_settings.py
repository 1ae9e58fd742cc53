import pytest

from trainer.datasets import DatasetError
from trainer.settings import DEFAULTS, SettingsError, parse_training


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
            "epochs": "3",
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
