"""Trained models behave like hand-written ones: one Output predicts a plain array, several a dict.

The .keras file a run saves is loaded the way a person would, in a fresh Python process with no custom
objects, and asked for predictions; its outputs keep the Output blocks' names.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from trainer.datasets import Dataset, load_builtin
from trainer.datasets.base import class_target, input_field, make_info, regression_target
from trainer.runner import train

EXAMPLES = Path(__file__).resolve().parents[2] / "builder" / "examples"
QUICK = {"epochs": 1, "batch_size": 16, "callbacks": {"tensorboard": False}}
N_TEST = 40


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def small_fashion() -> Dataset:
    """Fashion-MNIST with 200 training and N_TEST test images."""
    full = load_builtin("fashion_mnist")
    info = {**full.info, "train_size": 200, "test_size": N_TEST}

    def head(arrays, n):
        return {k: v[:n] for k, v in arrays.items()}

    return Dataset(
        full.name,
        info,
        head(full.x_train, 200),
        head(full.y_train, 200),
        head(full.x_test, N_TEST),
        head(full.y_test, N_TEST),
    )


def social() -> Dataset:
    """Token sequences with three targets, the fields of builder/examples/social_three_outputs.json."""
    rng = np.random.default_rng(0)

    def part(n):
        x = {"posts": rng.integers(1, 50000, size=(n, 300)).astype(np.int32)}
        y = {
            "age": rng.normal(40, 10, size=n).astype(np.float32),
            "income": rng.integers(0, 10, size=n).astype(np.int32),
            "gender": rng.integers(0, 2, size=n).astype(np.int32),
        }
        return x, y

    (x_train, y_train), (x_test, y_test) = part(32), part(N_TEST)
    info = make_info(
        "social",
        "Social posts",
        "upload",
        "random posts and people",
        [input_field("posts", x_train["posts"], modality="sequence")],
        [
            regression_target("age", y_train["age"]),
            class_target("income", y_train["income"], [f"band {i}" for i in range(10)]),
            class_target("gender", y_train["gender"], ["f", "m"]),
        ],
        32,
        N_TEST,
    )
    return Dataset("social", info, x_train, y_train, x_test, y_test)


LOAD = textwrap.dedent(
    """
    import json, sys
    import keras
    import numpy as np

    out = {}
    for path in sys.argv[1:]:
        model = keras.saving.load_model(path)  # no custom objects
        x = {t.name: np.ones([3] + [300 if d is None else d for d in t.shape[1:]], t.dtype) for t in model.inputs}
        predicted = model.predict(x, verbose=0)
        entry = {"output_names": list(model.output_names), "compiled": model.compiled}
        if isinstance(predicted, dict):
            entry["dict"] = {k: list(v.shape) for k, v in predicted.items()}
        else:
            entry["array"] = list(predicted.shape)
            entry["rows_sum_to_one"] = bool(np.allclose(predicted.sum(axis=1), 1.0, atol=1e-4))
            entry["argmax"] = np.argmax(predicted, axis=1).tolist()  # the book's np.argmax(preds)
            y = np.eye(predicted.shape[1], dtype="float32")[[0, 1, 2]]  # targets as one array
            entry["evaluated"] = sorted(model.evaluate(x, y, return_dict=True, verbose=0))
        out[path] = entry
    print("RESULT " + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A one-Output run (mnist_mlp_tiny on Fashion-MNIST) and a three-Output run (social_three_outputs),
    their saved models loaded in one fresh process."""
    root = tmp_path_factory.mktemp("outputs")
    one = train(example("mnist_mlp_tiny"), small_fashion(), QUICK, workdir=root / "one")
    three = train(example("social_three_outputs"), social(), {**QUICK, "batch_size": 8}, workdir=root / "three")
    script = root / "load.py"
    script.write_text(LOAD)
    done = subprocess.run(
        [sys.executable, str(script), str(one.model_path), str(three.model_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    loaded = json.loads(line[len("RESULT ") :])
    return {"one": (one, loaded[str(one.model_path)]), "three": (three, loaded[str(three.model_path)])}


def test_a_one_output_model_predicts_a_plain_array_named_by_its_output(runs):
    _, loaded = runs["one"]
    assert "dict" not in loaded and loaded["array"] == [3, 10]  # (samples, classes)
    assert loaded["output_names"] == ["label"]  # the Output block's id
    assert loaded["rows_sum_to_one"] and len(loaded["argmax"]) == 3
    assert loaded["compiled"] and loaded["evaluated"] == ["accuracy", "loss"]


def test_a_one_output_run_keeps_its_metric_names_and_figures(runs):
    result, _ = runs["one"]
    assert result.status == "succeeded"
    assert set(result.history[0]["metrics"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert set(result.test) == {"loss", "accuracy"}
    assert result.confusion is not None and result.confusion["output"] == "label"
    assert np.array(result.confusion["matrix"]).sum() == N_TEST
    assert result.samples and result.samples[0]["pred"] in result.confusion["labels"]


def test_a_three_output_model_predicts_a_dict_by_output_id(runs):
    result, loaded = runs["three"]
    assert result.status == "succeeded"
    assert loaded["dict"] == {"age": [3, 1], "gender": [3, 1], "income": [3, 10]}
    assert len(loaded["output_names"]) == 3 and loaded["compiled"]
    assert {"loss", "age_loss", "income_loss", "gender_loss", "income_accuracy"} <= set(result.test)
    assert {"val_loss", "val_age_mae"} <= set(result.history[0]["metrics"])
    assert result.confusion is not None and result.confusion["output"] == "income"


def test_float32_outputs_keeps_the_names_and_shape_of_both_kinds():
    import keras

    import builder
    from trainer.model import float32_outputs

    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        one = builder.compile_graph(example("mnist_mlp_tiny")).model
        three = builder.compile_graph(example("social_three_outputs")).model
        assert str(one.output.dtype) == "float16"
        cast_one, cast_three = float32_outputs(one), float32_outputs(three)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert not isinstance(cast_one.output, dict) and str(cast_one.output.dtype) == "float32"
    assert cast_one.output_names == ["label"] and [layer.name for layer in cast_one.layers] == [
        layer.name for layer in one.layers
    ]
    assert cast_one.count_params() == one.count_params()
    predicted = cast_one.predict({"pixels": np.zeros((2, 784), np.float32)}, verbose=0)
    assert isinstance(predicted, np.ndarray) and predicted.dtype == np.float32 and predicted.shape == (2, 10)
    assert isinstance(cast_three.output, dict) and sorted(cast_three.output) == ["age", "gender", "income"]
    assert all(str(t.dtype) == "float32" for t in cast_three.output.values())
    assert cast_three.output_names == three.output_names == ["age", "gender", "income"]
