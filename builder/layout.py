"""An automatic layered layout for the canvas, top to bottom.

Each node goes on the layer of its longest path from a source; within a
layer, nodes are ordered by the mean place of their neighbours in the layer
above (then below), a few sweeps of the barycentric heuristic, which
removes most crossings in the graphs people draw. Layers are centred on
x = 0.
"""

from __future__ import annotations

from collections.abc import Iterable

X_GAP = 220
Y_GAP = 120
SWEEPS = 4


def layout(node_ids: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, dict]:
    """{id: {"x", "y"}} for every node; edges are (source, target) pairs.
    Edges that close a cycle, or name unknown nodes, are ignored."""
    ids = list(dict.fromkeys(node_ids))
    known = set(ids)
    succ: dict[str, list[str]] = {n: [] for n in ids}
    pred: dict[str, list[str]] = {n: [] for n in ids}
    for s, t in edges:
        if s in known and t in known and s != t:
            succ[s].append(t)
            pred[t].append(s)

    # Longest-path layering over a topological order (Kahn's); nodes left on
    # cycles go below everything else.
    indegree = {n: len(pred[n]) for n in ids}
    ready = [n for n in ids if indegree[n] == 0]
    order: list[str] = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for t in succ[n]:
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    rank: dict[str, int] = {}
    for n in order:
        rank[n] = max((rank[p] + 1 for p in pred[n] if p in rank), default=0)
    bottom = max(rank.values(), default=-1) + 1
    for n in ids:
        if n not in rank:
            rank[n] = bottom

    layers: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for n in ids:
        layers[rank[n]].append(n)

    place = {n: i for layer in layers for i, n in enumerate(layer)}

    def reorder(layer: list[str], neighbours: dict[str, list[str]]) -> None:
        def key(n: str) -> tuple[float, int]:
            near = [place[m] for m in neighbours[n] if m in place]
            return (sum(near) / len(near) if near else place[n], place[n])

        layer.sort(key=key)
        for i, n in enumerate(layer):
            place[n] = i

    for _ in range(SWEEPS):
        for layer in layers[1:]:
            reorder(layer, pred)
        for layer in reversed(layers[:-1]):
            reorder(layer, succ)

    positions: dict[str, dict] = {}
    for depth, layer in enumerate(layers):
        offset = (len(layer) - 1) * X_GAP / 2
        for i, n in enumerate(layer):
            positions[n] = {"x": round(i * X_GAP - offset), "y": depth * Y_GAP}
    return positions
