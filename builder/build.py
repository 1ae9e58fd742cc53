"""build: the real Keras layers of a validated graph, with weights, called on
keras.Input tensors in topological order. compile_graph's half of the work;
never memoised (builder/check.py is the cheap, memoised walk).

A Group becomes a nested functional keras.Model named after it, built once
on the tensors of its first call: its inner Inputs are its inputs (the shapes
of the wires into it) and each inner Output ends in a keras.layers.Identity of
that Output's id (no weights), so the ports keep their names. A Group that
shares another's weights calls that very model, through an Identity named
after itself: the sharing group is a (weightless) layer of the model too, and
an imported model gives it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import keras

from .catalog import apply_layer, make_layer
from .document import Edge, Graph, Node
from .pretrained import apply_block, is_model_block

if TYPE_CHECKING:
    from .check import GroupOutcome, NodeInfo


@dataclass
class Build:
    """What a walk over the graph made, by node id (by path inside a group:
    "encoder/dense"): output tensors and layers (a real build), or only
    output specs (the checking walk)."""

    tensors: dict[str, Any] = field(default_factory=dict)  # node id -> its (first) output tensor
    layers: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # Input id -> keras.Input tensor
    specs: dict[str, tuple] = field(default_factory=dict)  # node id -> (shape, dtype) of its output
    info: dict[str, NodeInfo] = field(default_factory=dict)  # filled by the checking walk
    errors: list[dict] = field(default_factory=list)
    ports: dict[str, list] = field(default_factory=dict)  # a Group's path -> its outputs' specs (or tensors), by port
    groups: dict[str, GroupOutcome] = field(default_factory=dict)  # the checking walk: a group's model, once
    models: dict[str, Any] = field(default_factory=dict)  # the real build: a group's keras.Model, by path


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
    _build(graph, "", None, out, out.tensors)
    return out


def edge_value(values: dict[str, Any], ports: dict[str, list], prefix: str, edge: Edge) -> Any:
    """What an edge carries: its source's (first) output, or the output port of a Group it names."""
    found = ports.get(prefix + edge.source)
    if found is not None:
        return found[edge.source_port]
    return values[edge.source]


def _build(graph: Graph, prefix: str, wire: list | None, out: Build, tensors: dict[str, Any]) -> None:
    kept = in_model(graph)
    if wire is not None:
        kept |= set(graph.in_ports)  # a group takes every port, used or not
    for node_id in graph.order:
        if node_id not in kept:
            continue
        node = graph.nodes[node_id]
        inputs = [edge_value(tensors, out.ports, prefix, e) for e in graph.inputs_of.get(node_id, [])]
        if node.is_input:
            if wire is None:
                shape, dtype = node.params["shape"], node.params.get("dtype", "float32")
            else:
                outer = wire[graph.in_ports.index(node_id)]
                shape, dtype = tuple(outer.shape[1:]), outer.dtype
            tensor = keras.Input(shape=shape, dtype=dtype, name=node_id)
            if wire is None:
                out.inputs[node_id] = tensor
        elif node.is_output:
            tensor = inputs[0]
        elif node.is_group:
            model = group_model(graph, node, prefix, inputs, out)
            result = model(inputs[0] if len(inputs) == 1 else inputs)
            if node.shares is not None:  # the call that shares the weights, named after its group
                result = keras.layers.Identity(name=node_id)(result)
            outputs = list(result) if isinstance(result, list | tuple) else [result]
            out.ports[prefix + node_id] = outputs
            tensor = outputs[0]
            if wire is None:
                out.layers[node_id] = model
        else:
            if is_model_block(node.type):  # a loaded model or a Keras Application (builder/pretrained.py)
                layer, tensor = apply_block(node.type, node.params, node_id, inputs[0])
            else:
                layer = make_layer(node.type, node.params, node_id)
                tensor = first_tensor(apply_layer(node.type, layer, inputs))
            if wire is None:
                out.layers[node_id] = layer
        tensors[node_id] = tensor


def group_model(graph: Graph, node: Node, prefix: str, inputs: list, out: Build) -> Any:
    """The nested keras.Model of a Group (or of the Group it shares), built on its first call."""
    owner = graph.owner(node)
    if owner is None or owner.group is None:  # pragma: no cover - a valid graph's Groups have a model
        raise ValueError(f"group '{node.id}' has no graph")
    where = prefix + owner.id
    model = out.models.get(where)
    if model is not None:
        return model
    inner = owner.group
    tensors: dict[str, Any] = {}
    _build(inner, where + "/", inputs, out, tensors)
    model_inputs = [tensors[i] for i in inner.in_ports]
    outputs = [keras.layers.Identity(name=o)(tensors[o]) for o in inner.out_ports]
    model = keras.Model(
        inputs=model_inputs[0] if len(model_inputs) == 1 else model_inputs,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
        name=owner.id,
    )
    out.models[where] = model
    return model
