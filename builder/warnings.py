"""warnings: likely mistakes that Keras accepts, found on a checked graph.

The graph-wide ones (an unconnected Input, a dead end, a loss that does not
fit the last activation) are here; a block's own ones are rules in its
declaration (`warnings=`, `not_last=`, `ends_with=` in builder/catalog/).
"""

from __future__ import annotations

from .build import Build
from .catalog.registry import block_def
from .catalog.specs import Surroundings
from .document import Graph, Node, error

PROBABILITY_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_focal_crossentropy"}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy"}


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
        out.extend(_block_warnings(graph, built, node))
    return out


def _block_warnings(graph: Graph, built: Build, node: Node) -> list[dict]:
    block = block_def(node.type)
    if block is None or not block.warnings:
        return []
    sources = graph.sources(node.id)
    at = Surroundings(
        node_id=node.id,
        params=node.params,
        sources=sources,
        inputs=[built.specs.get(s) for s in sources],
    )
    return [error(node.id, text) for rule in block.warnings if (text := rule(at))]


def _output_warnings(graph: Graph, built: Build, node: Node) -> list[dict]:
    sources = graph.sources(node.id)
    if len(sources) != 1 or sources[0] not in built.specs:
        return []
    source = graph.nodes[sources[0]]
    block = block_def(source.type)
    if block is None:  # pragma: no cover - a checked source is in the catalog
        return []
    loss = node.params.get("loss")
    shape = built.specs[source.id][0]
    last = shape[-1] if shape else None
    act, deliberate = block.final_activation(source.params)
    found = []
    if block.not_last:
        found.append(f"'{source.id}' is a {source.type} right before the Output: {block.not_last}")
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
    elif loss in PROBABILITY_LOSSES and act == "linear" and not deliberate:
        found.append(
            f"{loss} expects probabilities, but '{source.id}' has no activation: set its activation to softmax"
        )
    elif loss in BINARY_LOSSES and act == "linear" and not deliberate:
        found.append(
            f"{loss} expects probabilities, but '{source.id}' has no activation: set its activation to sigmoid"
        )
    return [error(node.id, text) for text in found]
