"""validate_graph: structural checks, then a symbolic build with Keras.

Keras knows every layer's shape rule: each block's layer is made and called
on symbolic inputs, in topological order, inside
`keras.StatelessScope(initialize_variables=False)` (no weights allocated);
an exception is caught on its node and rewritten by builder/messages.py.
Nodes after a broken one are skipped without further errors; everything
else still gets its shape.

A block's outcome (output spec, parameter counts, MACs) depends only on its
type, its params and its inputs' specs, so outcomes are memoised: checking a
graph again after an edit re-makes only the blocks whose inputs changed.
compile_graph does a real build with weights (build() below), never memoised.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import keras
from keras.src.backend.common import global_state

from .catalog import apply_layer, make_layer
from .catalog.registry import to_json
from .document import Graph, Node, error, parse_graph
from .macs import estimate_macs
from .messages import explain_build_error, explain_call_error, explain_input_error, fmt_shape

log = logging.getLogger(__name__)


def errors_summary(errors: list[dict]) -> str:
    """One line for a graph's errors: "the graph has N error(s); first:
    <message> (block '<id>')". The one wording of it, for the API's 400s and
    for GraphInvalid."""
    first = errors[0] if errors else {"node": None, "message": "invalid graph"}
    where = f" (block '{first['node']}')" if first.get("node") else ""
    return f"the graph has {len(errors)} error(s); first: {first.get('message', 'invalid graph')}{where}"


class GraphInvalid(Exception):
    """The graph cannot become a model; `.result` is validate_graph's answer."""

    def __init__(self, result: dict):
        self.result = result
        super().__init__(errors_summary(result.get("errors") or []))


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
    """What a walk over the graph made, by node id: output tensors and
    layers (a real build), or only output specs (the checking walk)."""

    tensors: dict[str, Any] = field(default_factory=dict)  # node id -> its (first) output tensor
    layers: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # Input id -> keras.Input tensor
    specs: dict[str, tuple] = field(default_factory=dict)  # node id -> (shape, dtype) of its output
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


# ---------------------------------------------------------------- real build


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
            layer = make_layer(node.type, node.params, node_id)
            tensor = _first(apply_layer(node.type, layer, inputs))
            out.layers[node_id] = layer
        tensors[node_id] = tensor
    return out


# ---------------------------------------------------------------- checking walk


@dataclass(frozen=True)
class Outcome:
    """A block's layer called on inputs of given specs: its output spec and
    counts. A pure function of (type, params, input specs) under this Keras."""

    shape: tuple
    dtype: str
    params: int
    trainable_params: int
    macs: int


class _Outcomes:
    """A bounded memo of Outcomes. Keyed by everything a layer's output
    depends on, so an entry never goes stale; it spares re-making and
    re-calling the unchanged blocks when a graph is checked after each edit."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Outcome | None:
        with self.lock:
            found = self.data.get(key)
            if found is not None:
                self.data.move_to_end(key)
            return found

    def put(self, key: tuple, outcome: Outcome) -> None:
        with self.lock:
            self.data[key] = outcome
            if len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


OUTCOMES = _Outcomes()


def _params_key(params: dict) -> str:
    return json.dumps(to_json(params), sort_keys=True, allow_nan=True)


def infer(graph: Graph) -> Build:
    """Output spec, parameter counts and MACs of every block that can be
    reached through sound blocks; an error on each block Keras refuses.
    Each layer is made and called on symbolic inputs of its inputs' specs,
    inside a StatelessScope (no weights allocated)."""
    out = Build()
    specs = out.specs
    with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
        for node_id in graph.order:
            node = graph.nodes[node_id]
            info = NodeInfo()
            out.info[node_id] = info
            if not node.sound:
                continue
            sources = graph.sources(node_id)
            if any(s not in specs for s in sources):
                continue  # after a broken block: no error of its own
            inputs = [specs[s] for s in sources]
            if node.is_input:
                spec = ((None, *node.params["shape"]), node.params.get("dtype", "float32"))
            elif node.is_output:
                spec = inputs[0]
            else:
                outcome = _outcome(node, tuple(inputs), out)
                if outcome is None:
                    continue
                spec = (outcome.shape, outcome.dtype)
                info.params = outcome.params
                info.trainable_params = outcome.trainable_params
                info.macs = outcome.macs
            specs[node_id] = spec
            info.output_shape = spec[0]
    return out


@contextlib.contextmanager
def _forget_deferred_variables():
    """In a StatelessScope(initialize_variables=False) Keras registers every
    variable it makes in a (thread-local) list, to initialise them later; ours
    are never initialised, so they are dropped from that list afterwards, or
    every check would keep all its layers alive."""
    pending = global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
    mark = len(pending)
    try:
        yield
    finally:
        if global_state.get_global_attribute("uninitialized_variables") is pending:
            del pending[mark:]


def _outcome(node: Node, inputs: tuple, out: Build) -> Outcome | None:
    key = (node.type, _params_key(node.params), inputs)
    found = OUTCOMES.get(key)
    if found is not None:
        return found
    node_id, type_name = node.id, node.type
    try:
        # Bare symbolic tensors: a keras.Input would make an InputLayer each.
        tensors = [keras.KerasTensor(shape, dtype=dtype) for shape, dtype in inputs]
    except Exception as exc:  # pragma: no cover - specs come from Keras tensors
        out.errors.append(error(node_id, explain_input_error(exc)))
        return None
    try:
        layer = make_layer(type_name, node.params, node_id)
    except Exception as exc:
        out.errors.append(error(node_id, explain_build_error(type_name, node.params, exc)))
        return None
    try:
        tensor = _first(apply_layer(type_name, layer, tensors))
    except Exception as exc:
        shapes = [shape for shape, _ in inputs]
        try:
            message = explain_call_error(type_name, node.params, exc, shapes)
        except Exception:  # pragma: no cover - a message must never break validation
            log.exception("could not explain an error of %s", type_name)
            message = f"{type_name} cannot take inputs {', '.join(fmt_shape(s) for s in shapes)}: {exc}"
        out.errors.append(error(node_id, message))
        return None
    shape = _shape(tensor)
    outcome = Outcome(
        shape=shape,
        dtype=str(tensor.dtype),
        params=_count(layer.weights),
        trainable_params=_count(layer.trainable_weights),
        macs=estimate_macs(type_name, layer, [s for s, _ in inputs], shape),
    )
    OUTCOMES.put(key, outcome)
    return outcome


def in_model(graph: Graph) -> set[str]:
    """Nodes that lead to an Output (all of them when there is no Output yet)."""
    outputs = [nid for nid, n in graph.nodes.items() if n.is_output]
    if not outputs:
        return set(graph.nodes)
    return graph.reached_from(outputs, graph.sources)


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
        return empty_result(
            [error(None, f"the graph could not be checked (an internal error: {type(exc).__name__}: {exc})")]
        )


def check_graph(doc: Any) -> tuple[dict, Graph, Build | None]:
    """validate_graph's answer, with the parsed graph and the symbolic build."""
    graph = parse_graph(doc)
    if graph.too_big:
        return empty_result(list(graph.errors)), graph, None
    built = infer(graph)
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
    edges = [{"source": e.source, "target": e.target, "shape": nodes[e.source]["output_shape"]} for e in graph.edges]
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
            out.append(
                error(
                    node.id,
                    f"Input '{node.id}' is not connected to anything: connect it or delete it (it is left out of the model)",
                )
            )
            continue
        if has_output and not targets and not node.is_output and not node.is_input:
            out.append(
                error(
                    node.id,
                    f"'{node.id}' leads to no Output, so it is left out of the model: connect it to an Output or delete it",
                )
            )
        if node.is_output:
            out.extend(_output_warnings(graph, built, node))
        sources = graph.sources(node.id)
        if node.type == "Embedding" and sources and sources[0] in built.specs:
            dtype = built.specs[sources[0]][1]
            if "int" not in dtype:
                out.append(
                    error(
                        node.id,
                        f"Embedding looks up token ids, but '{sources[0]}' gives {dtype} values: "
                        "set the Input's dtype to int32",
                    )
                )
        if node.type == "Dense" and sources and sources[0] in built.specs:
            shape = built.specs[sources[0]][0]
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
    if len(sources) != 1 or sources[0] not in built.specs:
        return []
    source = graph.nodes[sources[0]]
    loss = node.params.get("loss")
    shape = built.specs[source.id][0]
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
        found.append(
            f"{loss} expects probabilities, but '{source.id}' has no activation: set its activation to sigmoid"
        )
    return [error(node.id, text) for text in found]
