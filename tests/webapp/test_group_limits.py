"""Projects keep graphs the editor can open: the block and edge limits count what is inside groups."""

import itertools

import pytest

from builder.document import MAX_EDGES, MAX_NODES
from tests.webapp.conftest import example

pytestmark = pytest.mark.django_db


# nested(n)'s blocks besides its n Dense: the inner markers (2), and three levels of Input, Group, Output
AROUND = 2 + 3 * 3


def nested(blocks: int, depth: int = 3) -> dict:
    """A graph whose top level holds one Group, its blocks `depth` groups down: a chain of `blocks` Dense."""
    inner_nodes = [{"id": "x", "type": "Input", "params": {}}]
    inner_nodes += [{"id": f"d{i}", "type": "Dense", "params": {"units": 2}} for i in range(blocks)]
    inner_nodes.append({"id": "y", "type": "Output", "params": {}})
    ids = [n["id"] for n in inner_nodes]
    level = {"nodes": inner_nodes, "edges": [{"source": a, "target": b} for a, b in itertools.pairwise(ids)]}
    for k in range(depth):
        level = {
            "nodes": [
                {"id": "x", "type": "Input", "params": {}},
                {"id": f"g{k}", "type": "Group", "params": {}, "graph": level},
                {"id": "y", "type": "Output", "params": {}},
            ],
            "edges": [{"source": "x", "target": f"g{k}"}, {"source": f"g{k}", "target": "y"}],
        }
    top = level["nodes"][1]
    return {
        "version": 2,
        "name": "deep",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [4]}},
            top,
            {"id": "label", "type": "Output", "params": {"loss": "mse"}},
        ],
        "edges": [{"source": "features", "target": top["id"]}, {"source": top["id"], "target": "label"}],
    }


def test_a_project_whose_groups_hold_too_many_blocks_is_refused(api):
    graph = nested(MAX_NODES)  # 3 blocks at the top, over MAX_NODES three groups down
    assert len(graph["nodes"]) == 3
    r = api.post("/api/projects", {"name": "deep", "graph": graph}, content_type="application/json")
    assert r.status_code == 413
    detail = r.json()["detail"]
    assert "graph: too large for the editor" in detail and "(those inside groups too)" in detail
    assert f"{MAX_NODES + AROUND:,} blocks" in detail and f"at most {MAX_NODES:,} blocks" in detail
    assert api.get("/api/projects").json() == []

    # an update is refused alike, and the stored graph stays
    small = nested(10)
    r = api.post("/api/projects", {"name": "deep", "graph": small}, content_type="application/json")
    assert r.status_code == 201, r.json()
    pid = r.json()["id"]
    r = api.put(f"/api/projects/{pid}", {"graph": graph}, content_type="application/json")
    assert r.status_code == 413 and "(those inside groups too)" in r.json()["detail"]
    assert api.get(f"/api/projects/{pid}").json()["graph"] == small


def test_edges_inside_groups_count_too(api):
    graph = example("mnist_mlp")
    wires = [{"source": "a", "target": "b"}] * (MAX_EDGES + 1)  # counted before anything is checked
    group = {"id": "g", "type": "Group", "params": {}, "graph": {"nodes": [], "edges": wires}}
    graph = dict(graph, version=2, nodes=[*graph["nodes"], group])
    r = api.post("/api/projects", {"name": "wired", "graph": graph}, content_type="application/json")
    assert r.status_code == 413
    assert f"{MAX_EDGES + 1 + len(example('mnist_mlp')['edges']):,} edges" in r.json()["detail"]


def test_a_graph_at_the_limit_with_groups_is_kept(api):
    graph = nested(MAX_NODES - AROUND)  # exactly MAX_NODES blocks in all
    r = api.post("/api/projects", {"name": "full", "graph": graph}, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert api.get(f"/api/projects/{r.json()['id']}").json()["graph"] == graph
