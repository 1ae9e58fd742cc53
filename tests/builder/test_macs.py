"""Rough multiply-add counts per block, from Keras's shapes."""

import itertools

from builder import validate_graph


def chain(input_shape, *blocks):
    nodes = [{"id": "x", "type": "Input", "params": {"shape": list(input_shape)}}]
    for i, (type_name, params) in enumerate(blocks):
        nodes.append({"id": f"b{i}", "type": type_name, "params": params})
    nodes.append({"id": "y", "type": "Output", "params": {"loss": "mse"}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "nodes": nodes, "edges": edges}


def macs(result, node="b0"):
    return result["nodes"][node]["macs"]


def test_dense_counts_one_matrix_per_position():
    assert macs(validate_graph(chain([784], ("Dense", {"units": 512})))) == 784 * 512
    assert macs(validate_graph(chain([7, 16], ("Dense", {"units": 4})))) == 7 * 16 * 4


def test_conv_counts_the_kernel_per_output_pixel():
    result = validate_graph(chain([28, 28, 1], ("Conv2D", {"filters": 32, "kernel_size": 3})))
    assert macs(result) == 3 * 3 * 1 * 32 * 26 * 26


def test_recurrent_counts_each_step():
    result = validate_graph(chain([28, 28], ("LSTM", {"units": 128})))
    assert macs(result) == (28 * 512 + 128 * 512) * 28


def test_attention_and_blocks_without_matrices():
    doc = {
        "version": 1,
        "nodes": [
            {"id": "q", "type": "Input", "params": {"shape": [5, 8]}},
            {"id": "mha", "type": "MultiHeadAttention", "params": {"num_heads": 2, "key_dim": 4}},
            {"id": "pool", "type": "GlobalAveragePooling1D", "params": {}},
            {"id": "y", "type": "Output", "params": {"loss": "mse"}},
        ],
        "edges": [
            {"source": "q", "target": "mha", "port": 0},
            {"source": "q", "target": "mha", "port": 1},
            {"source": "mha", "target": "pool"},
            {"source": "pool", "target": "y"},
        ],
    }
    result = validate_graph(doc)
    assert result["valid"], result["errors"]
    assert result["nodes"]["mha"]["output_shape"] == [None, 5, 8]
    assert result["nodes"]["mha"]["macs"] > 4 * 8 * 8 * 5
    assert result["nodes"]["pool"]["macs"] == 0
    assert result["total_macs"] == result["nodes"]["mha"]["macs"]
