"""warnings: likely mistakes that Keras accepts, found on a checked graph.

The graph-wide ones (an unconnected Input, a dead end, a loss that does not
fit the last activation) are here; a block's own ones are rules in its
declaration (`warnings=`, `not_last=`, `ends_with=` in builder/catalog/).

Inside a Group the same checks run on its inner graph (the build keys its
blocks by path, "encoder/dense"); a warning there names the block by its path
and says "in group encoder", as an error there does. An inner Output is a
port, not the model's output: no loss to check, and a Dropout may end a group.
"""

from __future__ import annotations

from .build import Build
from .catalog.registry import block_def
from .catalog.specs import Surroundings
from .check import source_spec
from .document import Graph, Node, error, in_group

PROBABILITY_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_focal_crossentropy"}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy"}


def warnings(graph: Graph, built: Build) -> list[dict]:
    """The warnings of the graph and of every group in it (those by path)."""
    return _graph_warnings(graph, built, "")


def _graph_warnings(graph: Graph, built: Build, prefix: str) -> list[dict]:
    """One graph's warnings, its blocks named by their ids in it; `prefix` ("a/b/") keys the build."""
    out: list[dict] = []
    inner = bool(prefix)
    has_output = any(n.is_output for n in graph.nodes.values())
    for node in graph.nodes.values():
        if not node.sound:
            continue
        if node.group is not None:
            found = _graph_warnings(node.group, built, f"{prefix}{node.id}/")
            out.extend(in_group(w, node.id) for w in found)
        targets = graph.targets(node.id)
        if node.is_input and not targets:
            # a group's port stays (the group takes every port), but nothing inside uses its wire
            unused = "the group's input on this port is not used" if inner else "it is left out of the model"
            out.append(
                error(node.id, f"Input '{node.id}' is not connected to anything: connect it or delete it ({unused})")
            )
            continue
        if has_output and not targets and not node.is_output and not node.is_input:
            out.append(
                error(
                    node.id,
                    f"'{node.id}' leads to no Output, so it is left out of the model: connect it to an Output or delete it",
                )
            )
        if node.is_output and not inner:
            out.extend(_output_warnings(graph, built, node))
        out.extend(_block_warnings(graph, built, node, prefix))
    return out


def _block_warnings(graph: Graph, built: Build, node: Node, prefix: str = "") -> list[dict]:
    block = block_def(node.type)
    if block is None or not block.warnings:
        return []
    into = graph.inputs_of.get(node.id, [])
    at = Surroundings(
        node_id=node.id,
        params=node.params,
        sources=[e.source for e in into],
        inputs=[source_spec(built, prefix, e) for e in into],
    )
    return [error(node.id, text) for rule in block.warnings if (text := rule(at))]


def last_block(graph: Graph, source: str, port: int = 0) -> tuple[Node, str] | None:
    """The block that really ends the wire from `source` (its output `port`), with its path: a Group's is
    the block feeding the inner Output of that port, followed into nested groups ("encoder/probs"); a
    shared group's is its owner's. None where the wire does not lead to one block."""
    prefix = ""
    for _ in range(64):  # deeper than any group nesting the document allows
        node = graph.nodes.get(source)
        if node is None:
            return None
        if not node.is_group:
            return node, prefix + node.id
        owner = graph.owner(node)
        if owner is None or owner.group is None or not 0 <= port < len(owner.group.out_ports):
            return None
        into = owner.group.inputs_of.get(owner.group.out_ports[port], [])
        if len(into) != 1:
            return None
        prefix, graph = f"{prefix}{owner.id}/", owner.group
        source, port = into[0].source, into[0].source_port
    return None


def _output_warnings(graph: Graph, built: Build, node: Node) -> list[dict]:
    into = graph.inputs_of.get(node.id, [])
    if len(into) != 1:
        return []
    found_last = last_block(graph, into[0].source, into[0].source_port)
    if found_last is None or found_last[1] not in built.specs:
        return []
    source, path = found_last
    block = block_def(source.type)
    if block is None:  # pragma: no cover - every block that can end a wire is in the catalog
        return []
    loss = node.params.get("loss")
    shape = built.specs[path][0]
    last = shape[-1] if shape else None
    act, deliberate = block.final_activation(source.params)
    found = []
    if block.not_last:
        found.append(f"'{path}' is a {source.type} right before the Output: {block.not_last}")
    if loss in BINARY_LOSSES and act == "softmax" and last is not None and last > 1:
        found.append(
            f"{loss} scores each of the {last} units of '{path}' on its own, but its softmax makes them compete: "
            "use sigmoid for independent labels, or categorical_crossentropy (sparse_ for class ids) for one class"
        )
    elif loss == "sparse_categorical_crossentropy" and last == 1:
        found.append(
            f"sparse_categorical_crossentropy needs one score per class, but '{path}' gives 1: use a Dense with "
            "as many units as classes and softmax, or binary_crossentropy with a sigmoid for two classes"
        )
    elif loss in PROBABILITY_LOSSES and act == "linear" and not deliberate:
        found.append(f"{loss} expects probabilities, but '{path}' has no activation: set its activation to softmax")
    elif loss in BINARY_LOSSES and act == "linear" and not deliberate:
        found.append(f"{loss} expects probabilities, but '{path}' has no activation: set its activation to sigmoid")
    return [error(node.id, text) for text in found]
