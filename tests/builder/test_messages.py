"""Keras's errors become messages on the node: what was expected, what came, how to fix it."""

import itertools
import json
from pathlib import Path

import pytest

from builder import validate_graph
from builder.messages import clean_keras_message

INVALID_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "graphs" / "invalid"


def chain(input_shape, *blocks, dtype="float32", loss="mse"):
    """Input -> blocks... -> Output; each block is (type, params)."""
    nodes = [{"id": "x", "type": "Input", "params": {"shape": list(input_shape), "dtype": dtype}}]
    for i, (type_name, params) in enumerate(blocks):
        nodes.append({"id": f"b{i}", "type": type_name, "params": params})
    nodes.append({"id": "y", "type": "Output", "params": {"loss": loss}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "nodes": nodes, "edges": edges}


def merge(shapes, type_name, params=None):
    nodes = [{"id": f"in{i}", "type": "Input", "params": {"shape": list(s)}} for i, s in enumerate(shapes)]
    nodes += [
        {"id": "m", "type": type_name, "params": params or {}},
        {"id": "y", "type": "Output", "params": {"loss": "mse"}},
    ]
    edges = [{"source": f"in{i}", "target": "m", "port": i} for i in range(len(shapes))]
    edges.append({"source": "m", "target": "y"})
    return {"version": 1, "nodes": nodes, "edges": edges}


def only_error(result, node):
    found = [e["message"] for e in result["errors"] if e["node"] == node]
    assert len(found) == 1, result["errors"]
    return found[0]


def test_lstm_on_an_image_says_what_it_needs_and_how_to_fix_it():
    result = validate_graph(json.loads((INVALID_DIR / "lstm_on_image.json").read_text()))
    message = only_error(result, "rnn")
    assert message.startswith("LSTM needs (batch, timesteps, features); it got (None, 28, 28, 1)")
    assert "Reshape to (28, 28)" in message and "TimeDistributed(Flatten)" in message
    # downstream blocks are skipped without errors of their own
    assert [e["node"] for e in result["errors"]] == ["rnn"]
    assert result["nodes"]["probs"]["output_shape"] is None
    assert result["nodes"]["image"]["output_shape"] == [None, 28, 28, 1]


@pytest.mark.parametrize("rnn", ["GRU", "SimpleRNN"])
def test_other_recurrent_layers_on_images(rnn):
    message = only_error(validate_graph(chain([28, 28, 1], (rnn, {"units": 4}))), "b0")
    assert message.startswith(f"{rnn} needs (batch, timesteps, features); it got (None, 28, 28, 1)")


def test_recurrent_layer_on_a_vector_suggests_a_reshape():
    message = only_error(validate_graph(chain([20], ("LSTM", {"units": 4}))), "b0")
    assert "it got (None, 20)" in message and "Reshape to (20, 1)" in message


def test_bidirectional_names_its_inner_layer():
    message = only_error(
        validate_graph(chain([20], ("Bidirectional", {"layer": {"type": "GRU", "params": {"units": 3}}}))), "b0"
    )
    assert message.startswith("Bidirectional(GRU) needs (batch, timesteps, features)")


def test_conv1d_on_an_image():
    message = only_error(validate_graph(chain([28, 28, 1], ("Conv1D", {"filters": 4, "kernel_size": 3}))), "b0")
    assert message.startswith("Conv1D needs (batch, steps, channels); it got (None, 28, 28, 1)")
    assert "Reshape to (28, 28)" in message


def test_conv2d_on_flat_and_grey_inputs():
    message = only_error(validate_graph(chain([784], ("Conv2D", {"filters": 4, "kernel_size": 3}))), "b0")
    assert message.startswith("Conv2D needs (batch, height, width, channels); it got (None, 784)")
    assert "Reshape to (28, 28, 1)" in message
    message = only_error(validate_graph(chain([28, 28], ("Conv2D", {"filters": 4, "kernel_size": 3}))), "b0")
    assert "it got (None, 28, 28)" in message and "Reshape to (28, 28, 1)" in message


def test_concatenate_mismatch_names_the_shapes_and_the_axis():
    result = validate_graph(json.loads((INVALID_DIR / "concat_mismatch.json").read_text()))
    message = only_error(result, "joined")
    assert "(None, 10)" in message and "(None, 12, 3)" in message
    assert "axis -1" in message and "change axis" in message
    message = only_error(validate_graph(merge([(4, 3), (5, 2)], "Concatenate", {"axis": 1})), "m")
    assert "axis 1" in message and "(None, 4, 3) and (None, 5, 2)" in message


@pytest.mark.parametrize("type_name", ["Add", "Multiply", "Average", "Subtract"])
def test_elementwise_merges_need_the_same_shape(type_name):
    message = only_error(validate_graph(merge([(10,), (12,)], type_name)), "m")
    assert message.startswith(f"{type_name} combines its inputs element by element")
    assert "(None, 10) and (None, 12)" in message


def test_unknown_last_axis_for_weights():
    message = only_error(validate_graph(chain([None], ("Dense", {"units": 3}))), "b0")
    assert "Dense needs to know the size of its input's last axis" in message and "(None, None)" in message


def test_window_larger_than_the_input():
    message = only_error(validate_graph(chain([3, 3, 1], ("Conv2D", {"filters": 2, "kernel_size": 5}))), "b0")
    assert "does not fit in its input (None, 3, 3, 1)" in message and "same" in message
    message = only_error(validate_graph(chain([3, 3, 1], ("MaxPooling2D", {"pool_size": 4}))), "b0")
    assert "MaxPooling2D's window does not fit" in message


def test_reshape_that_changes_the_size():
    message = only_error(validate_graph(chain([28], ("Reshape", {"target_shape": [5, 5]}))), "b0")
    assert "Reshape to (5, 5)" in message and "28 values per sample" in message


def test_repeat_vector_on_a_sequence():
    message = only_error(validate_graph(chain([5, 4], ("RepeatVector", {"n": 3}))), "b0")
    assert message.startswith("RepeatVector needs (batch, features); it got (None, 5, 4)") and "Flatten" in message


def test_generic_messages_quote_keras_cleaned_up():
    message = only_error(validate_graph(chain([5, 6], ("GroupNormalization", {"groups": 4}))), "b0")
    assert message.startswith("GroupNormalization cannot take an input of shape (None, 5, 6):")
    assert "groups" in message.lower() and "\x1b" not in message


def test_clean_keras_message_drops_boilerplate():
    raw = ValueError(
        "Exception encountered when calling Reshape.call().\n\n\x1b[1mThe total size must be unchanged.\x1b[0m\n\n"
        "Arguments received by Reshape.call():\n  • args=('<KerasTensor>',)"
    )
    assert clean_keras_message(raw) == "The total size must be unchanged."
    assert clean_keras_message(ValueError("x" * 1000)).endswith("...")


def test_broken_branch_does_not_hide_the_rest():
    doc = {
        "version": 1,
        "nodes": [
            {"id": "img", "type": "Input", "params": {"shape": [8, 8, 1]}},
            {"id": "bad", "type": "LSTM", "params": {"units": 3}},
            {"id": "bad_next", "type": "Dense", "params": {"units": 2}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "good", "type": "Dense", "params": {"units": 5}},
            {"id": "y", "type": "Output", "params": {"loss": "mse"}},
            {"id": "y2", "type": "Output", "params": {"loss": "mse"}},
        ],
        "edges": [
            {"source": "img", "target": "bad"},
            {"source": "bad", "target": "bad_next"},
            {"source": "bad_next", "target": "y2"},
            {"source": "img", "target": "flat"},
            {"source": "flat", "target": "good"},
            {"source": "good", "target": "y"},
        ],
    }
    result = validate_graph(doc)
    assert [e["node"] for e in result["errors"]] == ["bad"]
    assert result["nodes"]["good"]["output_shape"] == [None, 5]
    assert result["nodes"]["y"]["output_shape"] == [None, 5]
    assert result["nodes"]["bad_next"]["output_shape"] is None
    assert result["nodes"]["good"]["params"] == 64 * 5 + 5
