"""My blocks: GET/POST /api/blocks and DELETE /api/blocks/{id}, a person's saved Group nodes, checked
by the builder when saved; someone else's is a 404."""

import copy

import pytest

from tests.webapp.conftest import SessionClient, example

pytestmark = pytest.mark.django_db


def encoder() -> dict:
    """The siamese template's encoder group, as the editor sends it."""
    (node,) = [n for n in example("siamese")["nodes"] if n["id"] == "encoder"]
    return node


def post(client, body, **kwargs):
    return client.post("/api/blocks", body, content_type="application/json", **kwargs)


def test_save_list_and_delete_a_block(api):
    assert api.get("/api/blocks").json() == []
    r = post(api, {"name": "  MNIST encoder ", "node": encoder()})
    assert r.status_code == 201, r.json()
    saved = r.json()
    assert set(saved) == {"id", "name", "node", "created_at"}
    assert saved["name"] == "MNIST encoder" and saved["node"] == encoder()
    second = post(api, {"name": "block 2", "node": {**encoder(), "id": "enc2"}}).json()
    assert [b["id"] for b in api.get("/api/blocks").json()] == [second["id"], saved["id"]]  # newest first
    assert api.delete(f"/api/blocks/{saved['id']}").status_code == 204
    assert [b["id"] for b in api.get("/api/blocks").json()] == [second["id"]]
    assert api.delete(f"/api/blocks/{saved['id']}").status_code == 404


def test_a_saved_block_goes_back_into_a_graph_that_validates(api, client):
    saved = post(api, {"name": "encoder", "node": encoder()}).json()
    graph = example("siamese")
    graph["nodes"] = [n if n["id"] != "encoder" else saved["node"] for n in graph["nodes"]]
    body = client.post("/api/graphs/validate", graph, content_type="application/json").json()
    assert body["valid"] and body["nodes"]["encoder/hidden"]["params"] == 784 * 64 + 64


@pytest.mark.parametrize(
    ("node", "words"),
    [
        ({"id": "d", "type": "Dense", "params": {"units": 3}}, "must be a Group node"),
        ({"id": "g", "type": "Group", "params": {}}, "a Group needs a graph"),
        ({"id": "g", "type": "Group", "params": {"shares": "encoder"}}, "no blocks of its own"),
        ({"id": "bad id!", "type": "Group", "params": {}, "graph": {"nodes": [], "edges": []}}, "id"),
    ],
)
def test_only_a_sound_group_is_saved(api, node, words):
    r = post(api, {"name": "x", "node": node})
    assert r.status_code == 400
    assert r.json()["field"] == "node" and words in r.json()["detail"]
    assert api.get("/api/blocks").json() == []


def test_an_inner_problem_is_named_by_its_path(api):
    node = copy.deepcopy(encoder())
    node["graph"]["nodes"][2]["params"]["units"] = 0
    r = post(api, {"name": "x", "node": node})
    assert r.status_code == 400
    body = r.json()
    assert body["errors"][0]["node"] == "encoder/hidden" and body["errors"][0]["param"] == "units"
    assert "in group encoder" in body["detail"]
    # where the inner Inputs give their shapes, Keras checks the blocks too
    node = copy.deepcopy(encoder())
    node["graph"]["nodes"][0]["params"] = {"shape": [28, 28]}
    node["graph"]["nodes"][1] = {"id": "flat", "type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}}
    r = post(api, {"name": "x", "node": node})
    assert r.status_code == 400 and r.json()["errors"][0]["node"] == "encoder/flat"


def test_bad_bodies_are_400s_and_big_ones_413(api):
    assert post(api, {"name": "", "node": encoder()}).status_code == 400
    assert post(api, {"name": "   ", "node": encoder()}).json()["field"] == "name"
    assert post(api, {"name": "x"}).status_code == 400
    assert post(api, {"name": "x", "node": [1]}).status_code == 400
    assert post(api, {"name": "x", "node": encoder(), "extra": 1}).status_code == 400
    huge = {**encoder(), "padding": "x" * (2 * 1024 * 1024 + 10)}
    assert post(api, {"name": "x", "node": huge}).status_code == 413
    assert api.get("/api/blocks").json() == []


def test_someone_elses_blocks_are_not_found_and_anonymous_is_401(api, other, client):
    saved = post(api, {"name": "mine", "node": encoder()}).json()
    assert other.get("/api/blocks").json() == []
    assert other.delete(f"/api/blocks/{saved['id']}").status_code == 404
    assert client.get("/api/blocks").status_code == 401
    assert post(client, {"name": "x", "node": encoder()}).status_code == 401
    assert client.delete(f"/api/blocks/{saved['id']}").status_code == 401
    assert [b["id"] for b in api.get("/api/blocks").json()] == [saved["id"]]


def test_a_browser_needs_the_csrf_token(alice):
    browser = SessionClient(alice)
    assert post(browser, {"name": "x", "node": encoder()}, no_csrf=True).status_code == 403
    assert post(browser, {"name": "x", "node": encoder()}).status_code == 201
