"""Exports: the runnable script, the .keras file, the normalised graph."""

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
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
    out = {}
    for path in sys.argv[1:]:
        namespace = runpy.run_path(path, run_name="__main__")  # runs the script's main block
        model = namespace["model"]
        out[path] = {"params": model.count_params(), "layers": [layer.name for layer in model.layers]}
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
    assert [layer.name for layer in model.layers] == ["1in", "class", "my-out"]
    assert model.count_params() == 4 * 2 + 2 + 2 * 2 + 2


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
