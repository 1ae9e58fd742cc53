"""Every example graph validates and compiles to the figures hand-written Keras gives."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

import builder
from builder.templates import example_paths

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "graphs" / "expected_valid.json").read_text())
EXAMPLES = example_paths()


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_example_has_expected_figures():
    assert sorted(p.stem for p in EXAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_and_compiles_with_the_expected_figures(path):
    graph = load(path)
    expected = EXPECTED[path.stem]
    result = builder.validate_graph(graph)
    assert result["valid"] is True, result["errors"]
    assert result["errors"] == []
    assert result["total_params"] == expected["total_params"]
    assert result["trainable_params"] <= result["total_params"]
    assert json.loads(json.dumps(result)) == result  # JSON-ready

    compiled = builder.compile_graph(graph)
    model = compiled.model
    assert model.count_params() == expected["total_params"]
    assert {o["name"]: [None, *o["shape"]] for o in compiled.outputs} == expected["outputs"]
    for output_id, shape in expected["outputs"].items():
        assert result["nodes"][output_id]["output_shape"] == shape
        (source,) = [e["source"] for e in graph["edges"] if e["target"] == output_id]
        assert result["nodes"][source]["output_shape"] == shape
    # Layer names are node ids; outputs are named by the Output ids. A single Output is the
    # Identity layer of its name that ends the model (its one output tensor); several are a dict.
    layer_ids = {n["id"] for n in graph["nodes"] if n["type"] != "Output"}
    output_ids = [n["id"] for n in graph["nodes"] if n["type"] == "Output"]
    if len(output_ids) == 1:
        assert isinstance(model.layers[-1], keras.layers.Identity) and model.layers[-1].name == output_ids[0]
        assert not isinstance(model.output, dict) and model.layers[-1].count_params() == 0
        layer_ids |= set(output_ids)
    else:
        assert isinstance(model.output, dict) and sorted(model.output) == sorted(output_ids)
    assert {layer.name for layer in model.layers} == layer_ids
    assert sorted(model.output_names) == sorted(expected["outputs"])
    assert [i["name"] for i in compiled.inputs] == [n["id"] for n in graph["nodes"] if n["type"] == "Input"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_node_has_a_shape_and_parameter_counts(path):
    graph = load(path)
    result = builder.validate_graph(graph)
    compiled = builder.compile_graph(graph)
    # A group's own blocks are reported under their path ("group/block"), the group carrying their sums.
    nodes = {k: v for k, v in result["nodes"].items() if "/" not in k}
    assert set(nodes) == {n["id"] for n in graph["nodes"]}
    for layer in compiled.model.layers:
        info = nodes[layer.name]
        assert info["output_shape"] == list(layer.output.shape)
        assert info["params"] == layer.count_params()
    assert sum(n["params"] for n in nodes.values()) == result["total_params"]
    assert result["total_macs"] > 0
    edges = [e for e in result["edges"] if "/" not in e["source"]]
    assert [(e["source"], e["target"]) for e in edges] == [(e["source"], e["target"]) for e in graph["edges"]]


def test_predict_and_fit_use_the_output_ids():
    graph = load(ROOT / "builder" / "examples" / "social_three_outputs.json")
    compiled = builder.compile_graph(graph)
    model = compiled.model
    assert sorted(model.output_names) == ["age", "gender", "income"]
    model.compile(optimizer="adam", **compiled.compile_kwargs())
    x = np.random.randint(0, 50000, size=(4, 500)).astype("int32")
    predicted = model.predict({"posts": x}, verbose=0)
    assert sorted(predicted) == ["age", "gender", "income"]
    assert predicted["income"].shape == (4, 10)
    y = {"age": np.zeros((4, 1)), "income": np.eye(10)[[1, 2, 3, 4]], "gender": np.ones((4, 1))}
    history = model.fit({"posts": x}, y, epochs=1, verbose=0)
    assert {"age_loss", "income_loss", "gender_loss"} <= set(history.history)


def test_compile_kwargs_are_keyed_by_output_name():
    graph = load(ROOT / "builder" / "examples" / "social_three_outputs.json")
    compiled = builder.compile_graph(graph)
    kwargs = compiled.compile_kwargs()
    assert kwargs["loss"] == {"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"}
    assert kwargs["loss_weights"] == {"age": 1.0, "income": 1.0, "gender": 10.0}
    assert kwargs["metrics"] == {"age": ["mae"], "income": ["accuracy"], "gender": ["accuracy"]}
    assert compiled.inputs == [{"name": "posts", "shape": [None], "dtype": "int32"}]
    assert compiled.outputs[0] == {"name": "age", "shape": [1], "loss": "mse", "loss_weight": 1.0, "metrics": ["mae"]}


def test_compile_refuses_an_invalid_graph_with_the_validate_answer():
    graph = json.loads((ROOT / "tests" / "fixtures" / "graphs" / "invalid" / "cycle.json").read_text())
    with pytest.raises(builder.GraphInvalid) as info:
        builder.compile_graph(graph)
    assert info.value.result["valid"] is False
    assert {"dense_a", "dense_b"} <= {e["node"] for e in info.value.result["errors"]}


def test_examples_are_listed_as_templates_with_positions():
    examples = builder.list_examples()
    assert [e["name"] for e in examples] == sorted(p.stem for p in EXAMPLES)
    for e in examples:
        assert e["description"]
        assert all({"x", "y"} <= set(n["position"]) for n in e["graph"]["nodes"])
        assert builder.validate_graph(e["graph"])["valid"]


def test_catalog_is_reexported():
    assert builder.catalog_json()["layers"]
