"""validate_graph: structural checks, then a symbolic build with Keras.

Keras knows every layer's shape rule: each block's layer is made and called
on symbolic tensors, in topological order, inside
`keras.StatelessScope(initialize_variables=False)` (no weights allocated);
an exception is caught on its node and rewritten by builder/messages.py.
Nodes after a broken one are skipped without further errors; everything
else still gets its shape.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import keras

from .catalog import apply_layer, make_layer
from .document import Graph, Node, error, parse_graph
from .macs import estimate_macs
from .messages import explain_build_error, explain_call_error, explain_input_error, fmt_shape

log = logging.getLogger(__name__)


class GraphInvalid(Exception):
    """The graph cannot become a model; `.result` is validate_graph's answer."""

    def __init__(self, result: dict):
        self.result = result
        errors = result.get("errors") or []
        first = errors[0] if errors else {"node": None, "message": "invalid graph"}
        where = f"'{first['node']}': " if first.get("node") else ""
        super().__init__(f"the graph has {len(errors)} error(s); first: {where}{first['message']}")


@dataclass
class NodeInfo:
    output_shape: tuple | None = None
    params: int = 0
    trainable_params: int = 0
    macs: int = 0

    def as_json(self) -> dict:
        return {
            "output_shape": shape_json(self.output_shape),
            "params": self.params,
            "trainable_params": self.trainable_params,
            "macs": self.macs,
        }


@dataclass
class Build:
    """What a walk over the graph made: tensors and layers by node id."""

    tensors: dict[str, Any] = field(default_factory=dict)  # node id -> its (first) output tensor
    layers: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # Input id -> keras.Input tensor
    info: dict[str, NodeInfo] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)


def shape_json(shape: Any) -> list | None:
    if shape is None:
        return None
    return [None if d is None else int(d) for d in shape]


def _shape(tensor: Any) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _first(result: Any) -> Any:
    while isinstance(result, list | tuple):
        result = result[0]
    return result


def _count(weights: list) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def build(graph: Graph, *, stateless: bool, with_info: bool = True) -> Build:
    """Walk the sound part of `graph` in topological order, making each
    block's layer and calling it. Inside a StatelessScope when `stateless`
    (no weights are allocated); otherwise the layers get real weights."""
    if stateless:
        with keras.StatelessScope(initialize_variables=False):
            return _walk(graph, with_info)
    return _walk(graph, with_info)


def _walk(graph: Graph, with_info: bool) -> Build:
    out = Build()
    tensors = out.tensors
    for node_id in graph.order:
        node = graph.nodes[node_id]
        info = NodeInfo()
        out.info[node_id] = info
        if not node.sound:
            continue
        sources = graph.sources(node_id)
        if any(s not in tensors for s in sources):
            continue  # after a broken block: no error of its own
        inputs = [tensors[s] for s in sources]
        if node.is_input:
            try:
                tensor = keras.Input(shape=node.params["shape"], dtype=node.params.get("dtype", "float32"), name=node_id)
            except Exception as exc:
                out.errors.append(error(node_id, explain_input_error(exc)))
                continue
            out.inputs[node_id] = tensor
        elif node.is_output:
            tensor = inputs[0]
        else:
            tensor = _call_block(node, inputs, out, with_info)
            if tensor is None:
                continue
        tensors[node_id] = tensor
        info.output_shape = _shape(tensor)
    return out


def _call_block(node: Node, inputs: list, out: Build, with_info: bool) -> Any:
    node_id, type_name = node.id, node.type
    try:
        layer = make_layer(type_name, node.params, node_id)
    except Exception as exc:
        out.errors.append(error(node_id, explain_build_error(type_name, node.params, exc)))
        return None
    try:
        tensor = _first(apply_layer(type_name, layer, inputs))
    except Exception as exc:
        shapes = [_shape(t) for t in inputs]
        try:
            message = explain_call_error(type_name, node.params, exc, shapes)
        except Exception:  # pragma: no cover - a message must never break validation
            log.exception("could not explain an error of %s", type_name)
            message = f"{type_name} cannot take inputs {', '.join(fmt_shape(s) for s in shapes)}: {exc}"
        out.errors.append(error(node_id, message))
        return None
    out.layers[node_id] = layer
    if with_info:
        info = out.info[node_id]
        info.params = _count(layer.weights)
        info.trainable_params = _count(layer.trainable_weights)
        info.macs = estimate_macs(type_name, layer, [_shape(t) for t in inputs], _shape(tensor))
    return tensor


def in_model(graph: Graph) -> set[str]:
    """Nodes that lead to an Output (all of them when there is no Output yet)."""
    outputs = [nid for nid, n in graph.nodes.items() if n.is_output]
    if not outputs:
        return set(graph.nodes)
    seen = set(outputs)
    frontier = list(outputs)
    while frontier:
        nxt = []
        for v in frontier:
            for s in graph.sources(v):
                if s not in seen:
                    seen.add(s)
                    nxt.append(s)
        frontier = nxt
    return seen


def empty_result(errors: list[dict]) -> dict:
    return {
        "valid": False,
        "errors": errors,
        "warnings": [],
        "nodes": {},
        "edges": [],
        "total_params": 0,
        "trainable_params": 0,
        "total_macs": 0,
    }


def validate_graph(doc: Any) -> dict:
    """Check a graph document (any JSON value); never raises. See DESIGN.md
    for the answer's shape."""
    try:
        return check_graph(doc)[0]
    except Exception as exc:  # a bug here must not become a 500 on every edit
        log.exception("validate_graph failed")
        return empty_result([error(None, f"the graph could not be checked (an internal error: {type(exc).__name__}: {exc})")])


def check_graph(doc: Any) -> tuple[dict, Graph, Build | None]:
    """validate_graph's answer, with the parsed graph and the symbolic build."""
    graph = parse_graph(doc)
    if graph.too_big:
        return empty_result(list(graph.errors)), graph, None
    built = build(graph, stateless=True)
    errors = graph.errors + built.errors
    kept = in_model(graph)
    nodes = {}
    total = trainable = macs = 0
    for node_id in graph.nodes:
        info = built.info.get(node_id) or NodeInfo()
        nodes[node_id] = info.as_json()
        if node_id in kept:
            total += info.params
            trainable += info.trainable_params
            macs += info.macs
    edges = [
        {"source": e.source, "target": e.target, "shape": nodes[e.source]["output_shape"]} for e in graph.edges
    ]
    result = {
        "valid": not errors,
        "errors": errors,
        "warnings": warnings(graph, built),
        "nodes": nodes,
        "edges": edges,
        "total_params": total,
        "trainable_params": trainable,
        "total_macs": macs,
    }
    return result, graph, built


# ---------------------------------------------------------------- warnings

PROBABILITY_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_focal_crossentropy"}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy"}


def _final_activation(node: Node) -> str | None:
    """The activation a block ends with ("linear" for none), when it has one."""
    if node.type == "Softmax":
        return "softmax"
    spec = node.spec.param("activation") if node.spec is not None else None
    if spec is None:
        return None
    return node.params.get("activation", spec.default) or "linear"


def warnings(graph: Graph, built: Build) -> list[dict]:
    out: list[dict] = []
    has_output = any(n.is_output for n in graph.nodes.values())
    for node in graph.nodes.values():
        if not node.sound:
            continue
        targets = graph.targets(node.id)
        if node.is_input and not targets:
            out.append(error(node.id, f"Input '{node.id}' is not connected to anything: connect it or delete it (it is left out of the model)"))
            continue
        if has_output and not targets and not node.is_output and not node.is_input:
            out.append(
                error(node.id, f"'{node.id}' leads to no Output, so it is left out of the model: connect it to an Output or delete it")
            )
        if node.is_output:
            out.extend(_output_warnings(graph, built, node))
        sources = graph.sources(node.id)
        if node.type == "Embedding" and sources and sources[0] in built.tensors:
            dtype = str(built.tensors[sources[0]].dtype)
            if "int" not in dtype:
                out.append(
                    error(
                        node.id,
                        f"Embedding looks up token ids, but '{sources[0]}' gives {dtype} values: "
                        "set the Input's dtype to int32",
                    )
                )
        if node.type == "Dense" and sources and sources[0] in built.tensors:
            shape = _shape(built.tensors[sources[0]])
            if len(shape) >= 4:
                out.append(
                    error(
                        node.id,
                        f"Dense acts on the last axis only: on {fmt_shape(shape)} it gives one vector per pixel. "
                        "Add a Flatten or GlobalAveragePooling2D before it to classify the whole image",
                    )
                )
    return out


def _output_warnings(graph: Graph, built: Build, node: Node) -> list[dict]:
    sources = graph.sources(node.id)
    if len(sources) != 1 or sources[0] not in built.tensors:
        return []
    source = graph.nodes[sources[0]]
    loss = node.params.get("loss")
    shape = _shape(built.tensors[source.id])
    last = shape[-1] if shape else None
    act = _final_activation(source)
    found = []
    if source.type == "Dropout":
        found.append(
            f"'{source.id}' is a Dropout right before the Output: it zeroes predictions at random while training; "
            "put it before the last layer instead"
        )
    if loss in BINARY_LOSSES and act == "softmax" and last is not None and last > 1:
        found.append(
            f"{loss} scores each of the {last} units of '{source.id}' on its own, but its softmax makes them compete: "
            "use sigmoid for independent labels, or categorical_crossentropy (sparse_ for class ids) for one class"
        )
    elif loss == "sparse_categorical_crossentropy" and last == 1:
        found.append(
            f"sparse_categorical_crossentropy needs one score per class, but '{source.id}' gives 1: use a Dense with "
            "as many units as classes and softmax, or binary_crossentropy with a sigmoid for two classes"
        )
    elif loss in PROBABILITY_LOSSES and act == "linear" and source.type != "Activation":
        found.append(
            f"{loss} expects probabilities, but '{source.id}' has no activation: set its activation to softmax"
        )
    elif loss in BINARY_LOSSES and act == "linear" and source.type != "Activation":
        found.append(f"{loss} expects probabilities, but '{source.id}' has no activation: set its activation to sigmoid")
    return [error(node.id, text) for text in found]
