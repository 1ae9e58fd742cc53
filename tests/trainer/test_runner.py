import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

from trainer.binding import BindingError
from trainer.datasets import Dataset, load_builtin
from trainer.runner import TrainingError, train

EXAMPLES = Path(__file__).resolve().parents[2] / "builder" / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def chain(input_shape, layers, loss, metrics=("accuracy",), input_id="features", output_id="target"):
    """A graph document: Input -> layers... -> Output."""
    nodes = [{"id": input_id, "type": "Input", "params": {"shape": list(input_shape)}}]
    for i, (kind, params) in enumerate(layers):
        nodes.append({"id": f"layer{i}", "type": kind, "params": params})
    nodes.append({"id": output_id, "type": "Output", "params": {"loss": loss, "metrics": list(metrics)}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": "chain", "nodes": nodes, "edges": edges}


QUICK = {"epochs": 1, "callbacks": {"tensorboard": False}}


@pytest.fixture(scope="module")
def fashion():
    return load_builtin("fashion_mnist")


def test_mnist_mlp_on_fashion_mnist(fashion, tmp_path):
    import keras

    events, epochs = [], []
    result = train(
        example("mnist_mlp"),
        fashion,
        {"epochs": 1, "max_samples": 300, "batch_size": 32},
        workdir=tmp_path,
        publish=events.append,
        on_epoch=epochs.append,
    )
    assert result.status == "succeeded"
    assert len(result.history) == 1
    entry = result.history[0]
    assert entry["epoch"] == 1 and entry["lr"] == pytest.approx(0.001)
    assert set(entry["metrics"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert set(result.test) == {"loss", "accuracy"} and 0 <= result.test["accuracy"] <= 1
    assert result.test["accuracy"] > 0.3  # 300 samples, one epoch: well above chance

    types = [e["type"] for e in events]
    # status changes are published by whoever changes the run's status (the webapp task), not the fit loop
    assert "status" not in types and types[0] == "batch"
    assert types[-1] == "epoch" and "batch" in types
    batches = [e for e in events if e["type"] == "batch"]
    steps = math.ceil(270 / 32)  # 300 samples less the 10% validation split
    assert batches[-1]["step"] == batches[-1]["steps"] == steps  # the epoch's last batch always goes through
    assert all(set(e) >= {"t", "epoch", "step", "steps", "metrics"} for e in batches)
    assert epochs == [e for e in events if e["type"] == "epoch"]
    assert set(epochs[0]) >= {"t", "epoch", "metrics", "lr", "seconds"}

    model = keras.saving.load_model(result.model_path)
    prediction = model.predict({"pixels": np.zeros((2, 784), np.float32)}, verbose=0)
    # one Output: one array, as a hand-written model predicts, named by the Output block
    assert isinstance(prediction, np.ndarray) and prediction.shape == (2, 10)
    assert tuple(model.output.shape) == (None, 10) and model.output_names == ["label"]

    assert result.confusion["labels"][0] == "T-shirt/top"
    matrix = np.array(result.confusion["matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 10000
    assert len(result.samples) == 24
    wrong = [s["correct"] for s in result.samples]
    assert wrong == sorted(wrong)  # wrong ones first
    assert result.samples[0]["image"].startswith("data:image/png;base64,")
    assert result.tensorboard_dir == tmp_path / "tensorboard" and any(result.tensorboard_dir.rglob("*tfevents*"))


def test_cancel_mid_epoch_keeps_the_epochs_done(tmp_path):
    ds = load_builtin("digits")
    calls = {"n": 0}
    steps = math.ceil(int(1438 * 0.9) / 64)

    def should_stop():
        calls["n"] += 1
        return calls["n"] > steps + 3  # during the 2nd epoch

    graph = chain(
        [64],
        [("Dense", {"units": 16, "activation": "relu"}), ("Dense", {"units": 10, "activation": "softmax"})],
        "sparse_categorical_crossentropy",
    )
    events = []
    result = train(
        graph,
        ds,
        {"epochs": 5, "batch_size": 64, "callbacks": {"tensorboard": False}},
        workdir=tmp_path,
        publish=events.append,
        should_stop=should_stop,
    )
    assert result.status == "cancelled"
    assert [h["epoch"] for h in result.history] == [1]
    assert [e["epoch"] for e in events if e["type"] == "epoch"] == [1]
    assert calls["n"] == steps + 4  # stopped at the next batch
    assert result.model_path.exists() and "accuracy" in result.test


def test_nan_loss_is_a_training_error(tmp_path):
    ds = load_builtin("diabetes")  # a raw regression target around 150: SGD at lr 10 diverges at once
    graph = chain([10], [("Dense", {"units": 1})], "mse", metrics=["mae"])
    with pytest.raises(TrainingError, match=r"loss became NaN at epoch 1 step \d+: lower the learning rate"):
        train(graph, ds, {"optimizer": "sgd", "learning_rate": 10.0, "batch_size": 8, **QUICK}, workdir=tmp_path)


def test_inf_in_the_data_is_a_training_error(tmp_path):
    base = load_builtin("iris")
    x = base.x_train["features"].copy()
    x[5, 0] = np.inf
    ds = Dataset("bad", base.info, {"features": x}, base.y_train, base.x_test, base.y_test)
    graph = chain([4], [("Dense", {"units": 3, "activation": "softmax"})], "sparse_categorical_crossentropy")
    with pytest.raises(TrainingError, match="NaN"):
        train(graph, ds, {"batch_size": 200, "validation_split": 0, **QUICK}, workdir=tmp_path)


def test_binding_is_checked_before_training(fashion, tmp_path):
    graph = example("mnist_mlp")
    graph["nodes"][0]["params"]["shape"] = [32, 32, 3]
    with pytest.raises(BindingError) as e:
        train(graph, fashion, QUICK, workdir=tmp_path)
    assert e.value.errors[0]["node"] == "pixels"
    assert "(32, 32, 3)" in str(e.value)


def test_parameter_guard(fashion, tmp_path):
    with pytest.raises(TrainingError, match="407,050 parameters, more than this server's limit of 1,000"):
        train(example("mnist_mlp"), fashion, QUICK, workdir=tmp_path, max_params=1000)


def test_callbacks_checkpoint_early_stopping_schedule_and_regression(tmp_path):
    ds = load_builtin("diabetes")
    graph = chain(
        [10], [("Dense", {"units": 8, "activation": "relu"}), ("Dense", {"units": 1})], "mse", metrics=["mae"]
    )
    settings = {
        "epochs": 4,
        "learning_rate": 0.05,
        "callbacks": {
            "checkpoint_best": {"enabled": True},
            "early_stopping": {"enabled": True, "patience": 1},
            "lr_schedule": {"enabled": True, "kind": "step", "step_size": 2, "gamma": 0.5},
            "reduce_lr": True,
            "tensorboard": False,
        },
    }
    result = train(graph, ds, settings, workdir=tmp_path)
    assert result.status == "succeeded"
    assert (tmp_path / "best.weights.h5").exists()
    lrs = [h["lr"] for h in result.history]
    assert lrs[:2] == [pytest.approx(0.05), pytest.approx(0.05)]
    if len(lrs) > 2:
        assert lrs[2] == pytest.approx(0.025)
    assert result.confusion is None
    assert set(result.test) == {"loss", "mae"}
    assert len(result.samples) == 24 and isinstance(result.samples[0]["true"], float)


def test_mixed_precision_keeps_float32_outputs(tmp_path):
    from trainer import device

    try:
        assert device.configure_device(mixed_precision=True)["mixed_precision"] is True
        graph = chain(
            [4],
            [("Dense", {"units": 8, "activation": "relu"}), ("Dense", {"units": 3, "activation": "softmax"})],
            "sparse_categorical_crossentropy",
        )
        result = train(graph, load_builtin("iris"), QUICK, workdir=tmp_path)
        assert result.device["mixed_precision"] is True
        import keras

        model = keras.saving.load_model(result.model_path)
        outputs = model.output if isinstance(model.output, dict) else {"target": model.output}
        assert [str(t.dtype) for t in outputs.values()] == ["float32"]
        assert not isinstance(model.output, dict) and model.output_names == ["target"]  # one Output, its name
        assert math.isfinite(result.test["loss"])
    finally:
        device._reset_for_tests()


def test_multi_output_with_one_hot_and_binary_targets(tmp_path):
    import io

    from trainer.datasets import parse_upload

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8)).astype(np.float32)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x=x,
        y_age=x[:, 0] * 3 + 40,
        y_income=(x[:, 1] > 0).astype(int) + (x[:, 2] > 0),
        y_gender=(x[:, 3] > 0).astype(np.int64),
    )
    buffer.seek(0)
    ds = parse_upload(buffer, "people.npz", {"targets": ["y_age", "y_income", "y_gender"]})
    assert ds.info["task"] == "multi"
    nodes = [
        {"id": "x", "type": "Input", "params": {"shape": [8]}},
        {"id": "trunk", "type": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"id": "age_value", "type": "Dense", "params": {"units": 1}},
        {"id": "income_probs", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
        {"id": "gender_prob", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"}},
        {"id": "y_age", "type": "Output", "params": {"loss": "mse", "metrics": ["mae"]}},
        {"id": "y_income", "type": "Output", "params": {"loss": "categorical_crossentropy", "metrics": ["accuracy"]}},
        {
            "id": "y_gender",
            "type": "Output",
            "params": {"loss": "binary_crossentropy", "loss_weight": 2.0, "metrics": ["accuracy"]},
        },
    ]
    edges = [
        ("x", "trunk"),
        ("trunk", "age_value"),
        ("trunk", "income_probs"),
        ("trunk", "gender_prob"),
        ("age_value", "y_age"),
        ("income_probs", "y_income"),
        ("gender_prob", "y_gender"),
    ]
    graph = {
        "version": 1,
        "name": "three_heads",
        "nodes": nodes,
        "edges": [{"source": s, "target": t} for s, t in edges],
    }
    result = train(graph, ds, {**QUICK, "epochs": 2, "batch_size": 16}, workdir=tmp_path)
    assert result.status == "succeeded"
    assert {"loss", "y_age_loss", "y_age_mae", "y_income_accuracy", "y_gender_accuracy"} <= set(result.test)
    assert "val_y_income_accuracy" in result.history[-1]["metrics"]
    assert result.confusion["output"] == "y_income" and len(result.confusion["matrix"]) == 3
    assert result.samples[0]["image"] is None


def test_png_data_url_scales_each_kind_of_image():
    import base64
    import io

    from PIL import Image

    from trainer.figures import png_data_url

    def pixels(array):
        url = png_data_url(array)
        assert url.startswith("data:image/png;base64,")
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))

    unit = np.array([[0.0, 0.5], [1.0, 0.25]], np.float32)  # the datasets' floats in [0, 1]
    assert pixels(unit).tolist() == [[0, 128], [255, 64]]
    assert pixels(unit[..., None]).shape == (2, 2)  # (h, w, 1) drawn as grey
    eight_bit = np.array([[0, 10], [200, 255]], np.uint8)
    assert pixels(eight_bit).tolist() == eight_bit.tolist()
    assert pixels(eight_bit.astype(np.float32)).tolist() == eight_bit.tolist()  # whole numbers in [0, 255]
    standardised = np.array([[-2.0, 0.0], [2.0, 1.0]])
    assert pixels(standardised).tolist() == [[0, 128], [255, 191]]  # stretched over its own range
    sixteen_bit = np.array([[0, 1000], [4000, 65535]], np.uint16)
    assert pixels(sixteen_bit).tolist() == [[0, 4], [16, 255]]
    with_nan = np.array([[np.nan, 0.5], [1.0, 0.0]])
    assert pixels(with_nan).tolist() == [[0, 128], [255, 0]]
    rgb = np.zeros((3, 3, 3), np.float32)
    rgb[..., 0] = 1.0
    assert pixels(rgb)[0, 0].tolist() == [255, 0, 0]
    assert pixels(np.full((2, 2), 7.5)).tolist() == [[0, 0], [0, 0]]  # constant, out of [0, 1]: black
