"""Exports: the runnable script, the .keras file, the normalised graph."""

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

import builder
from builder.export import non_default
from builder.templates import example_paths, load_example

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "graphs" / "expected_valid.json").read_text())
NAMES = [p.stem for p in example_paths()]

HARNESS = textwrap.dedent(
    """
    import json, runpy, sys
    import numpy as np
    out = {}
    for path in sys.argv[1:]:
        namespace = runpy.run_path(path, run_name="__main__")  # runs the script's main block
        model = namespace["model"]
        x = {
            t.name: np.zeros([2] + [500 if d is None else d for d in t.shape[1:]], t.dtype)
            for t in model.inputs
        }
        predicted = model.predict(x, verbose=0)
        if isinstance(predicted, dict):
            answer = {k: list(v.shape) for k, v in predicted.items()}
        else:
            answer = list(predicted.shape)  # a plain array, like a hand-written model's
        out[path] = {
            "params": model.count_params(),
            "layers": [layer.name for layer in model.layers],
            "output_names": list(model.output_names),
            "compiled": model.compiled,
            "predicted": answer,
        }
    print("RESULT " + json.dumps(out))
    """
)


def test_exported_scripts_rebuild_every_example(tmp_path):
    scripts = {}
    for name in NAMES:
        source = builder.export_python(load_example(name))
        path = tmp_path / f"{name}.py"
        path.write_text(source)
        scripts[str(path)] = name
    harness = tmp_path / "harness.py"
    harness.write_text(HARNESS)
    done = subprocess.run(
        [sys.executable, str(harness), *scripts],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    results = json.loads(line[len("RESULT ") :])
    for path, name in scripts.items():
        model = builder.compile_graph(load_example(name)).model
        assert results[path]["params"] == model.count_params() == EXPECTED[name]["total_params"], name
        assert results[path]["layers"] == [layer.name for layer in model.layers], name
        assert results[path]["compiled"], name
        outputs = EXPECTED[name]["outputs"]  # {output id: [None, *shape]}
        predicted = results[path]["predicted"]
        if len(outputs) == 1:  # one Output: one array, as a hand-written model predicts, named by the Output
            ((output_id, shape),) = outputs.items()
            assert results[path]["output_names"] == [output_id], name
            assert isinstance(predicted, list), name
            assert len(predicted) == len(shape) and predicted[0] == 2, name
            assert all(d is None or p == d for p, d in zip(predicted[1:], shape[1:], strict=True)), name
        else:  # several: a dict by Output id
            assert isinstance(predicted, dict) and sorted(predicted) == sorted(outputs), name


@pytest.mark.parametrize("name", NAMES)
def test_scripts_are_plain_readable_python(name):
    graph = load_example(name)
    source = builder.export_python(graph)
    ast.parse(source)
    assert all(len(line) <= 79 for line in source.splitlines()), name
    assert "import keras\n" in source and "def build_model():" in source
    assert 'if __name__ == "__main__":\n    model = build_model()\n    model.summary()' in source
    assert "model.compile(" in source and "optimizer='adam'" in source
    for node in graph["nodes"]:
        assert f"name='{node['id']}'" in source or node["type"] == "Output"


def test_scripts_give_only_non_default_params():
    source = builder.export_python(load_example("inception_block"))
    assert "axis=" not in source  # axis -1 is Concatenate's default
    assert "kernel_size=(3, 3)" in source and "strides=(2, 2)" in source
    assert non_default("Dense", {"units": 3, "activation": None, "use_bias": True}) == {"units": 3}
    assert non_default("Bidirectional", {"layer": {"type": "GRU", "params": {"units": 4, "go_backwards": False}}}) == {
        "layer": {"type": "GRU", "params": {"units": 4}}
    }


def test_ids_that_are_not_identifiers_still_make_a_script():
    graph = {
        "version": 1,
        "nodes": [
            {"id": "1in", "type": "Input", "params": {"shape": [4]}},
            {"id": "class", "type": "Dense", "params": {"units": 2}},
            {"id": "my-out", "type": "Dense", "params": {"units": 2}},
            {"id": "model", "type": "Output", "params": {"loss": "mse", "loss_weight": 0.5}},
        ],
        "edges": [
            {"source": "1in", "target": "class"},
            {"source": "class", "target": "my-out"},
            {"source": "my-out", "target": "model"},
        ],
    }
    namespace: dict = {"__name__": "exported"}
    exec(compile(builder.export_python(graph), "script.py", "exec"), namespace)
    model = namespace["build_model"]()
    # the one Output is the Identity layer of its name that ends the model
    assert [layer.name for layer in model.layers] == ["1in", "class", "my-out", "model"]
    assert model.output_names == ["model"]
    assert model.count_params() == 4 * 2 + 2 + 2 * 2 + 2


def test_a_one_output_script_fits_and_predicts_plain_arrays():
    namespace: dict = {"__name__": "exported"}
    exec(compile(builder.export_python(load_example("mnist_mlp_tiny")), "script.py", "exec"), namespace)
    model = namespace["build_model"]()
    assert model.output_names == ["label"] and model.compiled
    x = {"pixels": np.random.default_rng(0).random((8, 784), dtype=np.float32)}
    y = np.eye(10, dtype=np.float32)[np.arange(8) % 10]  # one array, as for a hand-written model
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert set(model.evaluate(x, y, return_dict=True, verbose=0)) == {"loss", "accuracy"}
    predicted = model.predict(x, verbose=0)
    assert isinstance(predicted, np.ndarray) and predicted.shape == (8, 10)
    assert int(np.argmax(predicted[0])) in range(10)  # the book's np.argmax(pred) works on it


def test_export_of_an_invalid_graph_raises():
    with pytest.raises(builder.GraphInvalid):
        builder.export_python({"version": 1, "nodes": [], "edges": []})


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_export_keras_is_a_compiled_model_file(tmp_path):
    data = builder.export_keras(load_example("social_three_outputs"))
    path = tmp_path / "m.keras"
    path.write_bytes(data)
    model = keras.saving.load_model(path)
    assert model.count_params() == EXPECTED["social_three_outputs"]["total_params"]
    assert model.compiled
    assert model.loss == {"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"}


def test_normalise_graph():
    graph = load_example("inception_block")
    graph["nodes"] = list(reversed(graph["nodes"]))  # any order in, topological order out
    graph["edges"] = [{k: v for k, v in e.items() if k != "port"} for e in graph["edges"]]
    normal = builder.normalise_graph(graph)
    assert normal["version"] == 1 and normal["name"] == "inception_block" and normal["description"]
    ids = [n["id"] for n in normal["nodes"]]
    assert ids[0] == "image" and ids[-1] == "label"
    for e in normal["edges"]:
        assert ids.index(e["source"]) < ids.index(e["target"])
    ports = [e.get("port") for e in normal["edges"] if e["target"] == "mixed"]
    assert ports == [0, 1, 2, 3]
    assert all("port" not in e for e in normal["edges"] if e["target"] != "mixed")
    a1 = next(n for n in normal["nodes"] if n["id"] == "a1")
    assert a1["params"] == {
        "filters": 128,
        "kernel_size": [1, 1],
        "strides": [2, 2],
        "padding": "same",
        "activation": "relu",
    }
    assert all({"x", "y"} == set(n["position"]) for n in normal["nodes"])
    assert json.loads(json.dumps(normal)) == normal
    # idempotent, and positions given are kept
    again = builder.normalise_graph(normal)
    assert again == normal
    assert builder.validate_graph(normal)["total_params"] == EXPECTED["inception_block"]["total_params"]
