"""infer: the checking walk. Every block's layer is made and called on
symbolic inputs of its inputs' specs, in topological order, inside
`keras.StatelessScope(initialize_variables=False)` (no weights allocated);
an exception is caught on its node and rewritten by builder/messages.py.
Nodes after a broken one are skipped without further errors.

A block's outcome (output spec, parameter counts, MACs) depends only on its
type, its params and its inputs' specs, so outcomes are memoised: checking a
graph again after an edit re-makes only the blocks whose inputs changed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import keras
from keras.src.backend.common import global_state

from .build import Build, first_tensor, in_model
from .catalog import apply_layer, make_layer
from .catalog.registry import block_def, to_json
from .document import Edge, Graph, Node, error, in_group
from .macs import estimate_macs
from .messages import explain_build_error, explain_call_error, explain_input_error, fmt_shape
from .pretrained import PretrainedError, block_key, check_block, is_model_block

log = logging.getLogger(__name__)


@dataclass
class NodeInfo:
    output_shape: tuple | None = None
    params: int = 0
    trainable_params: int = 0
    macs: int = 0
    output_shapes: list[tuple] | None = None  # a Group with several output ports: all of them


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
        self.data: OrderedDict[tuple, Outcome] = OrderedDict()
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


def _shape(tensor: keras.KerasTensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _count(weights: list) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def infer(graph: Graph) -> Build:
    """Output spec, parameter counts and MACs of every block that can be
    reached through sound blocks; an error on each block Keras refuses.
    Inside a Group the blocks are keyed by their path ("encoder/dense")."""
    out = Build()
    with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
        _walk(graph, "", None, out)
    return out


def infer_group(node: Node, wire: list[tuple]) -> Build:
    """The checking walk of a Group's inner graph on its own, called on `wire` (a spec per input port)."""
    out = Build()
    if node.group is None:  # pragma: no cover - the caller passes a Group with a graph
        return out
    with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
        _walk(node.group, node.id + "/", wire, out)
    return out


def source_spec(out: Build, prefix: str, edge: Edge) -> tuple | None:
    """The spec an edge carries: its source's output, or the output port it names of a Group."""
    path = prefix + edge.source
    ports = out.ports.get(path)
    if ports is not None:
        return ports[edge.source_port] if edge.source_port < len(ports) else None
    return out.specs.get(path)


def _walk(graph: Graph, prefix: str, wire: list[tuple] | None, out: Build) -> None:
    """One graph's blocks in topological order; `wire` holds the specs a group is called on, by port."""
    specs = out.specs
    for node_id in graph.order:
        node = graph.nodes[node_id]
        path = prefix + node_id
        info = NodeInfo()
        out.info[path] = info
        if not node.sound:
            continue
        found = [source_spec(out, prefix, e) for e in graph.inputs_of.get(node_id, [])]
        inputs = [spec for spec in found if spec is not None]
        if len(inputs) < len(found):
            continue  # after a broken block: no error of its own
        spec: tuple
        if node.is_input:
            given = node.params.get("shape")
            if wire is None:
                spec = ((None, *node.params["shape"]), node.params.get("dtype", "float32"))
            else:
                spec = wire[graph.in_ports.index(node_id)]
                if given is not None and tuple(spec[0][1:]) != tuple(given):
                    out.errors.append(
                        _error_at(
                            prefix,
                            node_id,
                            f"Input '{node_id}' says shape {fmt_shape((None, *given))}, but the group is called "
                            f"on {fmt_shape(spec[0])} there: fix its shape or leave it out",
                        )
                    )
                    continue
        elif node.is_output:
            spec = inputs[0]
        elif node.is_group:
            outputs = _group_outcome(graph, node, prefix, inputs, out, info)
            if outputs is None:
                continue
            out.ports[path] = outputs
            spec = outputs[0]
            if len(outputs) > 1:
                info.output_shapes = [s for s, _ in outputs]
        else:
            mark = len(out.errors)
            outcome = _outcome(node, tuple(inputs), out)
            out.errors[mark:] = [_at(prefix, e) for e in out.errors[mark:]]
            if outcome is None:
                continue
            spec = (outcome.shape, outcome.dtype)
            info.params = outcome.params
            info.trainable_params = outcome.trainable_params
            info.macs = outcome.macs
        specs[path] = spec
        info.output_shape = spec[0]


def _at(prefix: str, found: dict) -> dict:
    """An error found on a block inside the group `prefix` ("a/b/"), told by its path."""
    return in_group(found, prefix[:-1]) if prefix else found


def _error_at(prefix: str, node_id: str, message: str) -> dict:
    return _at(prefix, error(node_id, message))


@dataclass(frozen=True)
class GroupOutcome:
    """A group's inner graph checked once per model, for the specs it was called on."""

    inputs: tuple
    outputs: list[tuple] | None  # by output port; None when the inner graph is broken
    params: int
    trainable_params: int
    macs: int


def _group_outcome(
    graph: Graph, node: Node, prefix: str, inputs: list[tuple], out: Build, info: NodeInfo
) -> list[tuple] | None:
    owner = graph.owner(node)
    if owner is None or owner.group is None:  # pragma: no cover - a sound Group has a graph or shares one
        return None
    where = prefix + owner.id
    found = out.groups.get(where)
    if found is None:
        inner = owner.group
        _walk(inner, where + "/", list(inputs), out)
        kept = in_model(inner)
        infos = [out.info.get(f"{where}/{nid}") or NodeInfo() for nid in inner.nodes if nid in kept]
        outputs = [out.specs.get(f"{where}/{oid}") for oid in inner.out_ports]
        found = GroupOutcome(
            inputs=tuple(inputs),
            outputs=None if any(o is None for o in outputs) else [o for o in outputs if o is not None],
            params=sum(i.params for i in infos),
            trainable_params=sum(i.trainable_params for i in infos),
            macs=sum(i.macs for i in infos),
        )
        out.groups[where] = found
    elif found.inputs != tuple(inputs):
        other = owner.id if node is not owner else "the group that shares it"
        out.errors.append(
            _error_at(
                prefix,
                node.id,
                f"'{node.id}' calls the same model as {other!s}, which is called on "
                f"{', '.join(fmt_shape(s) for s, _ in found.inputs)}; here it gets "
                f"{', '.join(fmt_shape(s) for s, _ in inputs)}: shared weights need inputs of the same shapes",
            )
        )
        return None
    if node is owner:  # the weights are the owner's; a group that shares them adds none
        info.params = found.params
        info.trainable_params = found.trainable_params
    info.macs = found.macs  # but it computes as much again
    return found.outputs


@contextlib.contextmanager
def _forget_deferred_variables() -> Iterator[None]:
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
    if is_model_block(node.type):  # Pretrained and the Keras Applications (builder/pretrained.py)
        return _pretrained_outcome(node, inputs, out)
    key = (node.type, _params_key(node.params), inputs)
    found = OUTCOMES.get(key)
    if found is not None:
        return found
    node_id, type_name = node.id, node.type
    block = block_def(type_name)
    if block is None:  # pragma: no cover - a sound node's type is in the catalog
        raise AssertionError(f"{type_name} is not a block")
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
        tensor = first_tensor(apply_layer(type_name, layer, tensors))
    except Exception as exc:
        shapes = [shape for shape, _ in inputs]
        try:
            message = explain_call_error(block, node.params, exc, shapes)
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
        macs=estimate_macs(block.macs, layer, [s for s, _ in inputs], shape),
    )
    OUTCOMES.put(key, outcome)
    return outcome


def _pretrained_outcome(node: Node, inputs: tuple, out: Build) -> Outcome | None:
    """A Pretrained block (builder/pretrained.py): the resolver runs on every check (it is the ownership
    check); the memo is keyed by the resolved file's version too."""
    try:
        key = (node.type, _params_key(node.params), inputs, block_key(node.params, node.type))
        found = OUTCOMES.get(key)
        if found is not None:
            return found
        shape, dtype, params, trainable = check_block(node.params, node.id, inputs[0], node.type)
    except PretrainedError as exc:
        out.errors.append(error(node.id, f"{node.type}: {exc}"))
        return None
    outcome = Outcome(shape=shape, dtype=dtype, params=params, trainable_params=trainable, macs=0)
    OUTCOMES.put(key, outcome)
    return outcome
