"""The graph document: parse any JSON value into a `Graph` and collect every
structural error (types, ids, params, edges, cycles, connectivity, input
counts, markers). Nothing here builds Keras layers.

Errors are dicts `{"node": id | None, "param"?: name, "message": str}`, all of
them, not only the first; the symbolic build (builder/validate.py) then runs
over what is sound.

Groups: a `Group` node holds an inner graph (`graph`: nodes and edges, the same
rules, ids unique inside it), parsed into `Node.group`; its inner Input
markers are its input ports and its inner Output markers its output ports, in
inner document order. `params.shares` names another Group of the same graph
whose very model it calls (shared weights). An inner error names the node by
its path ("encoder/lstm_1", nested "a/b/c") and says "in group encoder".
"""

from __future__ import annotations

import difflib
import heapq
import re
from dataclasses import dataclass, field
from typing import Any

from .catalog import BlockSpec, ParamProblem, all_specs, check_params, get_spec, show
from .catalog.markers import GROUP, INPUT, OUTPUT

VERSION = 1
VERSIONS = (1, 2)  # 2 only says the document may hold groups; both load alike
MAX_DEPTH = 8  # groups inside groups, at most this deep
MAX_NODES = 1000
MAX_EDGES = 5000
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_PORT = 63  # one handle per port; no block takes more inputs than this


def error(node: str | None, message: str, param: str | None = None) -> dict:
    out: dict = {"node": node, "message": message}
    if param is not None:
        out["param"] = param
    return out


_IN_GROUP = re.compile(r"in group (\S+): ")


def in_group(found: dict, group: str) -> dict:
    """An error (or warning) found inside group `group`, as the graph around it tells it: the node by its
    path ("group/node"; the group itself for a graph-wide one) and the message saying which group."""
    node = found.get("node")
    message = found.get("message", "")
    inner = _IN_GROUP.match(message)
    if inner is not None:
        message = f"in group {group}/{inner.group(1)}: {message[inner.end() :]}"
    else:
        message = f"in group {group}: {message}"
    return {**found, "node": f"{group}/{node}" if node else group, "message": message}


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
    def is_group(self) -> bool:
        return self.type == GROUP

    @property
    def is_layer(self) -> bool:
        return self.spec is not None and self.spec.cls is not None

    # A Group: its own inner graph, or (params.shares) the id of the Group whose model it calls.
    group: Graph | None = None
    shares: str | None = None


@dataclass
class Edge:
    source: str
    target: str
    port: int | None  # as written
    index: int  # position in the document's edge list
    slot: int = 0  # resolved port: the input's place among the target's inputs
    source_port: int = 0  # which output of the source (a Group's output ports; 0 for any other block)


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
    version: int = VERSION
    # Inside a group: the group's id, and its ports (inner Input ids, inner Output ids, document order).
    group_id: str | None = None
    in_ports: list[str] = field(default_factory=list)
    out_ports: list[str] = field(default_factory=list)

    def owner(self, node: Node) -> Node | None:
        """The Group whose inner graph `node` (a Group) runs: itself, or the one it shares."""
        if node.group is not None:
            return node
        if node.shares is not None:
            found = self.nodes.get(node.shares)
            if found is not None and found.group is not None:
                return found
        return None

    def ports(self, node: Node) -> tuple[list[str], list[str]] | None:
        """A Group's (input ports, output ports), None when it has no usable inner graph."""
        owner = self.owner(node)
        if owner is None or owner.group is None:
            return None
        return owner.group.in_ports, owner.group.out_ports

    def groups(self) -> list[tuple[str, Node]]:
        """Every Group with an inner graph, nested ones too, by path ("a", "a/b"), outer before inner."""
        out: list[tuple[str, Node]] = []
        stack = [("", self)]
        while stack:
            prefix, graph = stack.pop(0)
            for node in graph.nodes.values():
                if node.group is not None:
                    out.append((prefix + node.id, node))
                    stack.append((f"{prefix}{node.id}/", node.group))
        return out

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


def _size(doc: Any) -> tuple[int, int]:
    """Blocks and edges of a document, those inside its groups too (an iterative walk, bounded by the
    nesting limit)."""
    nodes = edges = 0
    stack = [(doc, 0)]
    while stack:
        item, depth = stack.pop()
        raw_nodes, raw_edges = item.get("nodes"), item.get("edges")
        if isinstance(raw_nodes, list):
            nodes += len(raw_nodes)
            if depth < MAX_DEPTH:
                stack.extend(
                    (n["graph"], depth + 1)
                    for n in raw_nodes
                    if isinstance(n, dict) and isinstance(n.get("graph"), dict)
                )
        if isinstance(raw_edges, list):
            edges += len(raw_edges)
        if nodes > MAX_NODES or edges > MAX_EDGES:
            break
    return nodes, edges


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
    if not (_is_int(version) and version in VERSIONS):
        errors.append(error(None, f"version must be 1 or 2; got {show(version)}"))
    else:
        graph.version = version
    if isinstance(doc.get("name"), str):
        graph.name = doc["name"]
    if isinstance(doc.get("description"), str):
        graph.description = doc["description"]
    raw_nodes, raw_edges = doc.get("nodes"), doc.get("edges", [])
    if isinstance(raw_nodes, list) and isinstance(raw_edges, list):
        count, links = _size(doc)
    else:
        count, links = 0, 0
    if count > MAX_NODES or links > MAX_EDGES:
        errors.append(
            error(
                None,
                f"the graph is too large: {count} blocks and {links} edges (those inside groups too); "
                f"at most {MAX_NODES} blocks and {MAX_EDGES} edges",
            )
        )
        graph.too_big = True
        return graph
    _fill(graph, raw_nodes, raw_edges, depth=0)
    return graph


def _fill(graph: Graph, raw_nodes: Any, raw_edges: Any, depth: int) -> None:
    """The checks of one graph, the document's or a group's."""
    errors = graph.errors
    inner = graph.group_id is not None
    if not isinstance(raw_nodes, list):
        what = "a group's graph needs nodes, a list of blocks" if inner else "nodes must be a list of blocks"
        errors.append(error(None, f"{what}; got {show(raw_nodes)}"))
        raw_nodes = []
    if not isinstance(raw_edges, list):
        errors.append(error(None, f"edges must be a list of {{source, target}} objects; got {show(raw_edges)}"))
        raw_edges = []
    _parse_nodes(graph, raw_nodes, depth)
    _resolve_shares(graph)
    _parse_edges(graph, raw_edges)
    _check_inputs(graph)
    _order(graph)
    _check_reachable(graph)
    _check_counts(graph)
    graph.in_ports = [nid for nid, n in graph.nodes.items() if n.is_input]
    graph.out_ports = [nid for nid, n in graph.nodes.items() if n.is_output]
    if inner:
        if not graph.in_ports:
            errors.append(error(None, "the group has no Input block: add one inside for each input the group takes"))
        if not graph.out_ports:
            errors.append(error(None, "the group has no Output block: add one inside for each output the group gives"))
        return
    if not graph.in_ports:
        errors.append(error(None, "the model has no Input block: add one and connect it to the first layer"))
    if not graph.out_ports:
        errors.append(error(None, "the model has no Output block: add one after the last layer and set its loss"))


def _parse_nodes(graph: Graph, raw_nodes: list, depth: int = 0) -> None:
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
        if node.is_group:
            _parse_group(graph, node, raw, depth)
            continue
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
        if graph.group_id is not None and (node.is_input or node.is_output):
            cleaned, problems = _port_params(node, raw_params)
        else:
            cleaned, problems = check_params(spec.type, raw_params)
        node.params = cleaned
        if problems:
            node.sound = False
            for p in problems:
                errors.append(error(node_id, p.message, p.param))


def _port_params(node: Node, raw_params: Any) -> tuple[dict, list]:
    """A group's inner Input and Output markers are its ports: an Input's shape may be left out (the
    group takes the shape of the wire into it), an Output has no loss or metrics."""
    if node.is_output:
        if isinstance(raw_params, dict) and raw_params:
            key = sorted(raw_params)[0]
            message = (
                f"an Output inside a group is one of the group's output ports: it takes no {key}; "
                "set the loss on the model's own Output"
            )
            return {}, [ParamProblem(key, message)]
        if not isinstance(raw_params, dict):
            return {}, [ParamProblem(None, f"params must be an object; got {show(raw_params)}")]
        return {}, []
    if isinstance(raw_params, dict) and raw_params.get("shape") is None:
        rest = {k: v for k, v in raw_params.items() if k != "shape"}
        cleaned, problems = check_params(INPUT, {**rest, "shape": [1]})
        cleaned.pop("shape", None)
        return cleaned, problems
    return check_params(INPUT, raw_params)


def _parse_group(graph: Graph, node: Node, raw: dict, depth: int) -> None:
    errors = graph.errors
    node_id = node.id
    params = raw.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        errors.append(error(node_id, f"a Group's params must be an object; got {show(params)}"))
        node.sound = False
        return
    for key in params:
        if key != "shares":
            errors.append(
                error(node_id, f"a Group has no parameter '{str(key)[:80]}'; its only one is shares", str(key)[:80])
            )
            node.sound = False
    shares = params.get("shares")
    raw_graph = raw.get("graph")
    if shares is not None:
        if not isinstance(shares, str) or not ID_PATTERN.fullmatch(shares):
            errors.append(error(node_id, f"shares must be the id of another Group; got {show(shares)}", "shares"))
            node.sound = False
            return
        node.shares = shares
        node.params = {"shares": shares}
        if raw_graph is not None:
            errors.append(
                error(
                    node_id,
                    f"'{node_id}' shares the weights of '{shares}', so it has no graph of its own: remove its graph",
                )
            )
            node.sound = False
        return
    if not isinstance(raw_graph, dict):
        errors.append(
            error(
                node_id,
                f"a Group needs a graph, an object {{nodes, edges}} holding its blocks; got {show(raw_graph)}",
            )
        )
        node.sound = False
        return
    if depth + 1 > MAX_DEPTH:
        errors.append(error(node_id, f"groups are nested too deeply: at most {MAX_DEPTH} groups inside each other"))
        node.sound = False
        return
    inner = Graph(group_id=node_id)
    _fill(inner, raw_graph.get("nodes"), raw_graph.get("edges", []), depth + 1)
    node.group = inner
    errors.extend(in_group(e, node_id) for e in inner.errors)
    if not inner.in_ports or not inner.out_ports:
        node.sound = False  # no ports: nothing to wire; the inner error says why


def parse_group(raw: Any) -> tuple[Node | None, list[dict]]:
    """A Group node on its own (a saved block): the node and its structural errors, inner ones by path."""
    where = Graph()
    if not isinstance(raw, dict):
        return None, [error(None, f"a block must be a Group node, an object {{id, type, graph}}; got {show(raw)}")]
    if raw.get("type") != GROUP:
        return None, [error(None, f"a saved block must be a Group node; got type {show(raw.get('type'))}")]
    raw_graph = raw.get("graph")
    if isinstance(raw_graph, dict) and isinstance(raw_graph.get("nodes"), list):
        count, links = _size(raw_graph)
        if count > MAX_NODES or links > MAX_EDGES:
            message = f"the group is too large: {count} blocks and {links} edges; at most {MAX_NODES} and {MAX_EDGES}"
            return None, [error(None, message)]
    _parse_nodes(where, [raw])
    node_id = raw.get("id")
    node = where.nodes.get(node_id) if isinstance(node_id, str) else None
    if node is not None and node.shares is not None:
        where.errors.append(
            error(node.id, "a Group that shares another's weights has no blocks of its own to keep: save that one")
        )
    return node, where.errors


def _resolve_shares(graph: Graph) -> None:
    for node in graph.nodes.values():
        if node.shares is None:
            continue
        target = graph.nodes.get(node.shares)
        message = None
        if node.shares == node.id:
            message = f"'{node.id}' cannot share its own weights: name another Group"
        elif target is None:
            message = f"'{node.id}' shares the weights of '{node.shares}', which is no block here: name a Group"
        elif not target.is_group:
            kind = target.type[:80] or "block"
            article = "an" if kind[0].lower() in "aeiou" else "a"
            message = f"'{node.id}' shares the weights of '{node.shares}', which is {article} {kind}, not a Group"
        elif target.shares is not None:
            message = (
                f"'{node.id}' shares the weights of '{node.shares}', which itself shares those of "
                f"'{target.shares}': name '{target.shares}'"
            )
        if message is not None:
            graph.errors.append(error(node.id, message, "shares"))
            node.sound = False
        elif target is not None and not target.sound and target.group is None:
            node.sound = False  # the group it shares is broken: its error says why


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
        source_port = raw.get("source_port")
        if source_port is not None and not _source_port_ok(graph, source, source_port):
            errors.append(error(target, f"{where} from '{source}': {_source_port_problem(graph, source, source_port)}"))
            graph.nodes[target].sound = False
            source_port = None
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
        key = (source, target, port, source_port or 0)
        if key in seen:
            errors.append(error(target, f"'{source}' is connected to '{target}' twice: remove one of the edges"))
            continue
        seen.add(key)
        edge = Edge(source, target, port, index, source_port=source_port or 0)
        graph.edges.append(edge)
        graph.inputs_of.setdefault(target, []).append(edge)
        graph.outputs_of.setdefault(source, []).append(edge)
    for edges in graph.inputs_of.values():
        _resolve_slots(edges)


def _source_port_ok(graph: Graph, source: str, value: Any) -> bool:
    if not (_is_int(value) and 0 <= value <= MAX_PORT):
        return False
    node = graph.nodes[source]
    if not node.is_group:
        return value == 0
    ports = graph.ports(node)
    return ports is None or value < len(ports[1])  # no ports: the group's own error says why


def _source_port_problem(graph: Graph, source: str, value: Any) -> str:
    node = graph.nodes[source]
    if not (_is_int(value) and 0 <= value <= MAX_PORT):
        return f"source_port must be an integer from 0 to {MAX_PORT}; got {show(value)}"
    if not node.is_group:
        return f"source_port {value}: a {node.type[:80]} has one output, port 0"
    ports = graph.ports(node)
    outs = ports[1] if ports is not None else []
    names = ", ".join(f"{i} ({o})" for i, o in enumerate(outs))
    return f"source_port {value}: group '{source}' has {len(outs)} output port(s): {names}"


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
        if node.is_group:
            _check_group_count(graph, node)
            continue
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


def _check_group_count(graph: Graph, node: Node) -> None:
    """A Group takes one input per inner Input, each port once."""
    ports = graph.ports(node)
    if ports is None or not node.sound:
        return
    in_ports = ports[0]
    edges = graph.inputs_of.get(node.id, [])
    n, want = len(edges), len(in_ports)
    if n == 0 and node.id in graph.unreachable:
        return  # already told to connect it
    names = ", ".join(f"'{p}'" for p in in_ports)
    if n != want:
        got = f"got {n}" + (f" (from {', '.join(repr(e.source) for e in edges)})" if n else "")
        node.sound = False
        graph.errors.append(
            error(node.id, f"group '{node.id}' takes exactly {_plural(want)} (its Input blocks {names}); {got}")
        )
        return
    for e in edges:
        if e.slot >= want:
            node.sound = False
            graph.errors.append(
                error(
                    node.id,
                    f"the edge from '{e.source}' uses port {e.slot}, but group '{node.id}' has ports 0 to {want - 1} "
                    f"(its Input blocks {names})",
                )
            )
