"""Every template that names a built-in dataset trains one epoch on a small slice of it."""

import math

import pytest

from builder.templates import list_examples
from trainer.datasets import load_builtin
from trainer.runner import train

WITH_DATASET = {t["name"]: t for t in list_examples() if "dataset" in t}
QUICK = {"epochs": 1, "max_samples": 64, "batch_size": 32, "callbacks": {"tensorboard": False}}


def test_enough_templates_name_a_dataset():
    assert len(WITH_DATASET) >= 5


@pytest.mark.parametrize("name", sorted(WITH_DATASET))
def test_template_trains_one_epoch(name, tmp_path):
    template = WITH_DATASET[name]
    ds = load_builtin(template["dataset"])
    result = train(template["graph"], ds, QUICK, workdir=tmp_path / name, figures=False)
    assert result.status == "succeeded"
    assert [epoch["epoch"] for epoch in result.history] == [1]
    losses = [v for k, v in result.history[0]["metrics"].items() if k == "loss" or k.endswith("_loss")]
    assert losses and all(math.isfinite(v) for v in losses)
    assert result.model_path.is_file()
    assert result.params > 0
