"""The graph document: parse any JSON value into a `Graph` and collect every
structural error (types, ids, params, edges, cycles, connectivity, input
counts, markers). Nothing here builds Keras layers.

Errors are dicts `{"node": id | None, "param"?: name, "message": str}`, all of
them, not only the first; the symbolic build (builder/validate.py) then runs
over what is sound.
"""

from __future__ import annotations

import difflib
import heapq
import re
from dataclasses import dataclass, field
from typing import Any

from .catalog import BlockSpec, all_specs, check_params, get_spec, show
from .catalog.markers import INPUT, OUTPUT

VERSION = 1
MAX_NODES = 1000
MAX_EDGES = 5000
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_PORT = 63  # one handle per port; no block takes more inputs than this


def error(node: str | None, message: str, param: str | None = None) -> dict:
    out: dict = {"node": node, "message": message}
    if param is not None:
        out["param"] = param
    return out


@dataclass
class Node:
    id: str
    type: str
    index: int  # position in the document's node list
    spec: BlockSpec | None
    params: dict  # cleaned by check_params (tuples for int tuples)
    raw_params: Any
    position: dict | None
    # False when the node's own definition is broken (type, params, inputs,
    # connectivity, cycle): it is not built, and neither is what follows it.
    sound: bool = True

    @property
    def is_input(self) -> bool:
        return self.type == INPUT

    @property
    def is_output(self) -> bool:
        return self.type == OUTPUT

    @property
    def is_layer(self) -> bool:
        return self.spec is not None and self.spec.cls is not None


@dataclass
class Edge:
    source: str
    target: str
    port: int | None  # as written
    index: int  # position in the document's edge list
    slot: int = 0  # resolved port: the input's place among the target's inputs


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)  # document order
    edges: list[Edge] = field(default_factory=list)  # the usable edges, document order
    inputs_of: dict[str, list[Edge]] = field(default_factory=dict)  # by slot
    outputs_of: dict[str, list[Edge]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # topological; nodes in or after a cycle left out
    errors: list[dict] = field(default_factory=list)
    name: str | None = None
    description: str | None = None
    too_big: bool = False  # over the size limits: nothing else was checked
    unreachable: set[str] = field(default_factory=set)  # not fed from any Input

    def sources(self, node_id: str) -> list[str]:
        return [e.source for e in self.inputs_of.get(node_id, [])]

    def targets(self, node_id: str) -> list[str]:
        return [e.target for e in self.outputs_of.get(node_id, [])]

    def reached_from(self, starts, step) -> set[str]:
        """Every node reached from `starts` (included) by following `step`: self.targets forward,
        self.sources backward."""
        seen = set(starts)
        frontier = list(seen)
        while frontier:
            nxt = []
            for v in frontier:
                for w in step(v):
                    if w not in seen:
                        seen.add(w)
                        nxt.append(w)
            frontier = nxt
        return seen


_TYPE_NAMES: list[str] | None = None


def _type_names() -> list[str]:
    global _TYPE_NAMES
    if _TYPE_NAMES is None:
        _TYPE_NAMES = [s.type for s in all_specs()]
    return _TYPE_NAMES


def suggest_type(name: str) -> str | None:
    """The catalog type closest to `name`, ignoring case ("dense" -> "Dense")."""
    names = _type_names()
    lowered = {n.lower(): n for n in names}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _position(value: Any) -> dict | None:
    if not isinstance(value, dict):
        return None
    x, y = value.get("x"), value.get("y")
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) < 1e9 for v in (x, y))
    return {"x": x, "y": y} if ok else None


def parse_graph(doc: Any) -> Graph:
    """Parse and check a graph document; never raises."""
    graph = Graph()
    errors = graph.errors
    if not isinstance(doc, dict):
        errors.append(
            error(None, f"a graph document must be a JSON object with version, nodes and edges; got {show(doc)}")
        )
        return graph
    version = doc.get("version")
    if not (_is_int(version) and version == VERSION):
        errors.append(error(None, f"version must be {VERSION}; got {show(version)}"))
    if isinstance(doc.get("name"), str):
        graph.name = doc["name"]
    if isinstance(doc.get("description"), str):
        graph.description = doc["description"]
    raw_nodes, raw_edges = doc.get("nodes"), doc.get("edges", [])
    if not isinstance(raw_nodes, list):
        errors.append(error(None, f"nodes must be a list of blocks; got {show(raw_nodes)}"))
        raw_nodes = []
    if not isinstance(raw_edges, list):
        errors.append(error(None, f"edges must be a list of {{source, target}} objects; got {show(raw_edges)}"))
        raw_edges = []
    if len(raw_nodes) > MAX_NODES or len(raw_edges) > MAX_EDGES:
        errors.append(
            error(
                None,
                f"the graph is too large: {len(raw_nodes)} blocks and {len(raw_edges)} edges; "
                f"at most {MAX_NODES} blocks and {MAX_EDGES} edges",
            )
        )
        graph.too_big = True
        return graph

    _parse_nodes(graph, raw_nodes)
    _parse_edges(graph, raw_edges)
    _check_inputs(graph)
    _order(graph)
    _check_reachable(graph)
    _check_counts(graph)
    if not any(n.is_input for n in graph.nodes.values()):
        errors.append(error(None, "the model has no Input block: add one and connect it to the first layer"))
    if not any(n.is_output for n in graph.nodes.values()):
        errors.append(error(None, "the model has no Output block: add one after the last layer and set its loss"))
    return graph


def _parse_nodes(graph: Graph, raw_nodes: list) -> None:
    errors = graph.errors
    for index, raw in enumerate(raw_nodes):
        where = f"block {index + 1}"
        if not isinstance(raw, dict):
            errors.append(error(None, f"{where} must be an object with id, type and params; got {show(raw)}"))
            continue
        node_id = raw.get("id")
        if not isinstance(node_id, str) or not ID_PATTERN.fullmatch(node_id):
            shown = node_id if isinstance(node_id, str) and 0 < len(node_id) <= 200 else None
            errors.append(
                error(
                    shown,
                    f"{where}: id {show(node_id)} must be 1 to 64 letters, digits, '_' or '-'",
                )
            )
            continue
        if node_id in graph.nodes:
            errors.append(
                error(
                    node_id,
                    f"id '{node_id}' is used by blocks {graph.nodes[node_id].index + 1} and {index + 1}: ids must be unique",
                )
            )
            graph.nodes[node_id].sound = False
            continue
        type_name = raw.get("type")
        spec = get_spec(type_name) if isinstance(type_name, str) else None
        node = Node(
            id=node_id,
            type=type_name if isinstance(type_name, str) else "",
            index=index,
            spec=spec,
            params={},
            raw_params=raw.get("params", {}),
            position=_position(raw.get("position")),
        )
        graph.nodes[node_id] = node
        if spec is None:
            node.sound = False
            if not isinstance(type_name, str):
                errors.append(error(node_id, f"type must be a block name from the catalog; got {show(type_name)}"))
            else:
                close = suggest_type(type_name)
                hint = f": did you mean '{close}'?" if close else ": pick a block from the catalog"
                errors.append(error(node_id, f"unknown block type '{type_name[:80]}'{hint}"))
            continue
        raw_params = node.raw_params if "params" in raw and raw["params"] is not None else {}
        cleaned, problems = check_params(spec.type, raw_params)
        node.params = cleaned
        if problems:
            node.sound = False
            for p in problems:
                errors.append(error(node_id, p.message, p.param))


def _parse_edges(graph: Graph, raw_edges: list) -> None:
    errors = graph.errors
    seen: set[tuple] = set()
    for index, raw in enumerate(raw_edges):
        where = f"edge {index + 1}"
        if not isinstance(raw, dict):
            errors.append(error(None, f"{where} must be an object {{source, target}}; got {show(raw)}"))
            continue
        source, target, port = raw.get("source"), raw.get("target"), raw.get("port")
        known_target = target if isinstance(target, str) and target in graph.nodes else None
        known_source = source if isinstance(source, str) and source in graph.nodes else None
        if known_source is None or known_target is None:
            missing = [
                f"{end} {show(value)}"
                for end, value, known in (("source", source, known_source), ("target", target, known_target))
                if known is None
            ]
            errors.append(
                error(
                    known_target or known_source,
                    f"{where} connects {' and '.join(missing)}, which is no block: remove the edge",
                )
            )
            continue
        source, target = known_source, known_target
        if port is not None and not (_is_int(port) and 0 <= port <= MAX_PORT):
            errors.append(
                error(
                    target, f"{where} from '{source}': port must be an integer from 0 to {MAX_PORT}; got {show(port)}"
                )
            )
            graph.nodes[target].sound = False
            port = None  # still an edge: it counts for cycles and connectivity
        if source == target:
            errors.append(error(target, f"'{target}' is connected to itself: remove the edge"))
            graph.nodes[target].sound = False
            continue
        key = (source, target, port)
        if key in seen:
            errors.append(error(target, f"'{source}' is connected to '{target}' twice: remove one of the edges"))
            continue
        seen.add(key)
        edge = Edge(source, target, port, index)
        graph.edges.append(edge)
        graph.inputs_of.setdefault(target, []).append(edge)
        graph.outputs_of.setdefault(source, []).append(edge)
    for edges in graph.inputs_of.values():
        _resolve_slots(edges)


def _resolve_slots(edges: list[Edge]) -> None:
    """Order a target's inputs by port, then edge order, as the editor does:
    an explicit port is kept (first claim wins), the others take the lowest
    free port."""
    taken: set[int] = set()
    loose: list[Edge] = []
    for e in edges:
        if e.port is not None and e.port not in taken:
            e.slot = e.port
            taken.add(e.port)
        else:
            loose.append(e)
    free = 0
    for e in loose:
        while free in taken:
            free += 1
        e.slot = free
        taken.add(free)
    edges.sort(key=lambda e: (e.slot, e.index))


def _check_inputs(graph: Graph) -> None:
    """Markers: Input takes nothing in; Output gives nothing out."""
    for node in graph.nodes.values():
        if node.is_input and graph.inputs_of.get(node.id):
            srcs = ", ".join(f"'{s}'" for s in graph.sources(node.id))
            graph.errors.append(error(node.id, f"an Input takes no inputs: remove the edge from {srcs}"))
            node.sound = False
        if node.is_output and graph.outputs_of.get(node.id):
            dsts = ", ".join(f"'{t}'" for t in graph.targets(node.id))
            graph.errors.append(
                error(
                    node.id,
                    f"an Output is the end of the model and cannot feed other blocks: remove the edge to {dsts}",
                )
            )
            node.sound = False


def _order(graph: Graph) -> None:
    """Kahn's topological order (document order among ready nodes); nodes on
    a cycle get an error naming it."""
    indegree = {nid: len(graph.inputs_of.get(nid, [])) for nid in graph.nodes}
    ready = [nid for nid, d in indegree.items() if d == 0]
    order: list[str] = []
    position = {nid: n.index for nid, n in graph.nodes.items()}
    heap = [(position[nid], nid) for nid in ready]
    heapq.heapify(heap)
    while heap:
        _, nid = heapq.heappop(heap)
        order.append(nid)
        for e in graph.outputs_of.get(nid, []):
            indegree[e.target] -= 1
            if indegree[e.target] == 0:
                heapq.heappush(heap, (position[e.target], e.target))
    graph.order = order
    if len(order) == len(graph.nodes):
        return
    left = {nid for nid in graph.nodes if indegree[nid] > 0}
    for component in _strongly_connected(graph, left):
        if len(component) < 2:
            continue  # after a cycle, not on one
        cycle = _find_cycle(graph, component)
        text = " -> ".join([*cycle, cycle[0]])
        for nid in sorted(component, key=position.__getitem__):
            graph.errors.append(
                error(
                    nid, f"'{nid}' is on a cycle: {text}; a model is a graph without loops: remove one of these edges"
                )
            )
            graph.nodes[nid].sound = False


def _strongly_connected(graph: Graph, among: set[str]) -> list[list[str]]:
    """Tarjan's algorithm, iterative, over the nodes in `among`."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(among, key=lambda n: graph.nodes[n].index):
        if root in index:
            continue
        work = [(root, iter([e.target for e in graph.outputs_of.get(root, []) if e.target in among]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter([e.target for e in graph.outputs_of.get(w, []) if e.target in among])))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                out.append(component)
    return out


def _find_cycle(graph: Graph, component: list[str]) -> list[str]:
    """One simple cycle inside a strongly connected component, starting at
    its first node in document order (breadth-first: a shortest one)."""
    members = set(component)
    start = min(component, key=lambda n: graph.nodes[n].index)
    parent: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in graph.targets(v):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])  # type: ignore[arg-type]
                    return list(reversed(path))
                if w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(component)  # pragma: no cover - a component always has a cycle


def _check_reachable(graph: Graph) -> None:
    reached = graph.reached_from((nid for nid, n in graph.nodes.items() if n.is_input), graph.targets)
    for node in graph.nodes.values():
        if node.id not in reached:
            node.sound = False
            graph.unreachable.add(node.id)
            graph.errors.append(error(node.id, f"'{node.id}' is not connected to any Input: connect it or delete it"))


def _plural(n: int) -> str:
    return f"{n} input" + ("" if n == 1 else "s")


def _check_counts(graph: Graph) -> None:
    for node in graph.nodes.values():
        spec = node.spec
        if spec is None or node.is_input:
            continue
        sources = graph.sources(node.id)
        n = len(sources)
        if n == 0 and node.id in graph.unreachable:
            continue  # already told to connect it
        lo, hi = spec.min_inputs, spec.max_inputs
        got = f"got {n}" + (f" (from {', '.join(repr(s) for s in sources)})" if n else "")
        message = None
        if node.is_output and n != 1:
            message = f"an Output takes exactly one input, the tensor it names; {got}"
        elif hi is not None and lo == hi and n != lo:
            message = f"{spec.type} takes exactly {_plural(lo)}; {got}"
        elif n < lo:
            message = f"{spec.type} needs at least {_plural(lo)}; {got}"
        elif hi is not None and n > hi:
            message = f"{spec.type} takes at most {_plural(hi)}; {got}"
        if message:
            node.sound = False
            graph.errors.append(error(node.id, message))
            continue
        if hi is not None and hi > 1:
            for e in graph.inputs_of.get(node.id, []):
                if e.port is not None and e.port >= hi:
                    node.sound = False
                    graph.errors.append(
                        error(
                            node.id,
                            f"the edge from '{e.source}' uses port {e.port}, but {spec.type} has ports 0 to {hi - 1}",
                        )
                    )
