"""build: the real Keras layers of a validated graph, with weights, called on
keras.Input tensors in topological order. compile_graph's half of the work;
never memoised (builder/check.py is the cheap, memoised walk)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import keras

from .catalog import apply_layer, make_layer
from .document import Graph
from .pretrained import PRETRAINED, make_block

if TYPE_CHECKING:
    from .check import NodeInfo


@dataclass
class Build:
    """What a walk over the graph made, by node id: output tensors and
    layers (a real build), or only output specs (the checking walk)."""

    tensors: dict[str, Any] = field(default_factory=dict)  # node id -> its (first) output tensor
    layers: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # Input id -> keras.Input tensor
    specs: dict[str, tuple] = field(default_factory=dict)  # node id -> (shape, dtype) of its output
    info: dict[str, NodeInfo] = field(default_factory=dict)  # filled by the checking walk
    errors: list[dict] = field(default_factory=list)


def first_tensor(result: Any) -> Any:
    """A layer's first output: layers that return lists or tuples give their first."""
    while isinstance(result, list | tuple):
        result = result[0]
    return result


def in_model(graph: Graph) -> set[str]:
    """Nodes that lead to an Output (all of them when there is no Output yet)."""
    outputs = [nid for nid, n in graph.nodes.items() if n.is_output]
    if not outputs:
        return set(graph.nodes)
    return graph.reached_from(outputs, graph.sources)


def build(graph: Graph) -> Build:
    """Make the layer of every block that leads to an Output and call it on
    real symbolic tensors, in topological order; the layers get real
    weights. For compile_graph, on a validated graph."""
    out = Build()
    tensors = out.tensors
    kept = in_model(graph)
    for node_id in graph.order:
        if node_id not in kept:
            continue
        node = graph.nodes[node_id]
        inputs = [tensors[s] for s in graph.sources(node_id)]
        if node.is_input:
            tensor = keras.Input(shape=node.params["shape"], dtype=node.params.get("dtype", "float32"), name=node_id)
            out.inputs[node_id] = tensor
        elif node.is_output:
            tensor = inputs[0]
        else:
            if node.type == PRETRAINED:  # a loaded model; BatchNormalization in inference mode
                layer = make_block(node.params, node_id)
                tensor = layer(inputs[0], training=False)
            else:
                layer = make_layer(node.type, node.params, node_id)
                tensor = first_tensor(apply_layer(node.type, layer, inputs))
            out.layers[node_id] = layer
        tensors[node_id] = tensor
    return out
