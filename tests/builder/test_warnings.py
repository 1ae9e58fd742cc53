"""Warnings: likely mistakes that Keras accepts. Few, and each one right."""

import itertools
from pathlib import Path

import pytest

from builder import validate_graph
from builder.templates import example_paths, load_example


def chain(input_shape, *blocks, dtype="float32", loss="mse"):
    nodes = [{"id": "x", "type": "Input", "params": {"shape": list(input_shape), "dtype": dtype}}]
    for i, (type_name, params) in enumerate(blocks):
        nodes.append({"id": f"b{i}", "type": type_name, "params": params})
    nodes.append({"id": "y", "type": "Output", "params": {"loss": loss}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "nodes": nodes, "edges": edges}


def warned(result, node):
    return [w["message"] for w in result["warnings"] if w["node"] == node]


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: Path(p).stem)
def test_the_examples_have_no_warnings(path):
    assert validate_graph(load_example(Path(path).stem))["warnings"] == []


def test_binary_crossentropy_after_softmax_over_many_units():
    result = validate_graph(chain([8], ("Dense", {"units": 5, "activation": "softmax"}), loss="binary_crossentropy"))
    assert result["valid"]
    (message,) = warned(result, "y")
    assert "softmax" in message and "categorical_crossentropy" in message
    ok = validate_graph(chain([8], ("Dense", {"units": 1, "activation": "sigmoid"}), loss="binary_crossentropy"))
    assert ok["warnings"] == []


def test_sparse_categorical_crossentropy_after_one_unit():
    result = validate_graph(
        chain([8], ("Dense", {"units": 1, "activation": "sigmoid"}), loss="sparse_categorical_crossentropy")
    )
    (message,) = warned(result, "y")
    assert "one score per class" in message


def test_crossentropy_after_a_linear_layer():
    result = validate_graph(chain([8], ("Dense", {"units": 3}), loss="categorical_crossentropy"))
    (message,) = warned(result, "y")
    assert "expects probabilities" in message and "softmax" in message
    ok = validate_graph(chain([8], ("Dense", {"units": 3}), ("Softmax", {}), loss="categorical_crossentropy"))
    assert ok["warnings"] == []


def test_dropout_right_before_the_output():
    result = validate_graph(chain([8], ("Dense", {"units": 3}), ("Dropout", {"rate": 0.5})))
    (message,) = warned(result, "y")
    assert "Dropout right before the Output" in message


def test_unused_input_and_dead_ends():
    doc = chain([8], ("Dense", {"units": 3}))
    doc["nodes"].append({"id": "spare", "type": "Input", "params": {"shape": [2]}})
    doc["nodes"].append({"id": "dead", "type": "Dense", "params": {"units": 7}})
    doc["edges"].append({"source": "b0", "target": "dead"})
    result = validate_graph(doc)
    assert result["valid"]
    assert "not connected to anything" in warned(result, "spare")[0]
    assert "leads to no Output" in warned(result, "dead")[0]
    # the dead end is left out of the model, and out of its totals
    assert result["nodes"]["dead"]["params"] == 3 * 7 + 7
    assert result["total_params"] == 8 * 3 + 3


def test_embedding_on_float_ids():
    result = validate_graph(chain([10], ("Embedding", {"input_dim": 100, "output_dim": 4}), ("Flatten", {})))
    (message,) = warned(result, "b0")
    assert "int32" in message
    ok = validate_graph(chain([10], ("Embedding", {"input_dim": 100, "output_dim": 4}), ("Flatten", {}), dtype="int32"))
    assert ok["warnings"] == []


def test_dense_on_an_image():
    result = validate_graph(chain([28, 28, 1], ("Dense", {"units": 10})))
    assert result["valid"]
    (message,) = warned(result, "b0")
    assert "Flatten" in message and "GlobalAveragePooling2D" in message
