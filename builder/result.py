"""validate_graph's answer: parse, run the checking walk, then gather the
errors, warnings, shapes and totals into one JSON object (see DESIGN.md).
The blocks inside a Group are reported under their path ("encoder/dense");
the group itself carries their sums, and its outputs' shapes."""

from __future__ import annotations

import logging
from typing import Any

from .build import Build, in_model
from .check import NodeInfo, infer, infer_group
from .document import Graph, error, parse_graph, parse_group
from .warnings import warnings

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


def shape_json(shape: Any) -> list | None:
    if shape is None:
        return None
    return [None if d is None else int(d) for d in shape]


def node_json(info: NodeInfo) -> dict:
    out = {
        "output_shape": shape_json(info.output_shape),
        "params": info.params,
        "trainable_params": info.trainable_params,
        "macs": info.macs,
    }
    if info.output_shapes is not None:
        out["output_shapes"] = [shape_json(s) for s in info.output_shapes]
    return out


def _edge_shape(nodes: dict[str, dict], source: str, port: int) -> Any:
    found = nodes.get(source) or {}
    shapes = found.get("output_shapes")
    if shapes is not None:
        return shapes[port] if port < len(shapes) else None
    return found.get("output_shape")


def _report(graph: Graph, built: Build, prefix: str, nodes: dict[str, dict], edges: list[dict]) -> None:
    """Every node and edge of `graph` and of its groups, keyed by path."""
    for node_id, node in graph.nodes.items():
        path = prefix + node_id
        nodes[path] = node_json(built.info.get(path) or NodeInfo())
        if node.group is not None:
            _report(node.group, built, f"{path}/", nodes, edges)
    for e in graph.edges:
        source = prefix + e.source
        edges.append(
            {"source": source, "target": prefix + e.target, "shape": _edge_shape(nodes, source, e.source_port)}
        )


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
    """Check a graph document (any JSON value); never raises."""
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
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    _report(graph, built, "", nodes, edges)
    total = trainable = macs = 0
    for node_id in graph.nodes:
        if node_id in kept:
            info = built.info.get(node_id) or NodeInfo()
            total += info.params
            trainable += info.trainable_params
            macs += info.macs
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


def check_group(raw: Any) -> list[dict]:
    """The problems of a Group node kept on its own (a saved block): its structure, and where every inner
    Input says its shape, what Keras says of its blocks; [] when it is sound. Never raises."""
    try:
        node, errors = parse_group(raw)
        if errors or node is None or node.group is None:
            return errors or [error(None, "the block is not a Group with a graph")]
        inner = node.group
        wire = []
        for port in inner.in_ports:
            params = inner.nodes[port].params
            shape = params.get("shape")
            if shape is None:
                return []  # the wires it is dropped onto give the shapes: checked there
            wire.append(((None, *shape), params.get("dtype", "float32")))
        return infer_group(node, wire).errors
    except Exception as exc:  # a bug here must not become a 500
        log.exception("check_group failed")
        return [error(None, f"the block could not be checked (an internal error: {type(exc).__name__})")]
