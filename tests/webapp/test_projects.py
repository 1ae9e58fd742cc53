"""Projects: create, read, update with versions, restore, delete, size cap."""

import pytest

from tests.webapp.conftest import example

pytestmark = pytest.mark.django_db


def test_project_lifecycle_with_versions(api):
    graph = example("mnist_mlp")
    r = api.post(
        "/api/projects", {"name": "mlp", "description": "first", "graph": graph}, content_type="application/json"
    )
    assert r.status_code == 201
    project = r.json()
    assert set(project) == {"id", "name", "description", "graph", "version", "created_at", "updated_at"}
    assert project["version"] == 1 and project["graph"] == graph
    pid = project["id"]

    listed = api.get("/api/projects").json()
    assert [p["id"] for p in listed] == [pid] and "graph" not in listed[0]

    # A rename does not make a version; a changed graph does; the same graph again does not.
    assert api.put(f"/api/projects/{pid}", {"name": "renamed"}, content_type="application/json").json()["version"] == 1
    changed = dict(graph, nodes=[dict(n) for n in graph["nodes"]])
    changed["nodes"][1]["params"] = {"units": 64, "activation": "relu"}
    r = api.put(f"/api/projects/{pid}", {"graph": changed}, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == "renamed"
    assert api.put(f"/api/projects/{pid}", {"graph": changed}, content_type="application/json").json()["version"] == 2

    versions = api.get(f"/api/projects/{pid}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert api.get(f"/api/projects/{pid}/versions/1").json()["graph"] == graph

    r = api.post(f"/api/projects/{pid}/versions/1/restore")
    assert r.status_code == 200
    assert r.json()["graph"] == graph and r.json()["version"] == 3
    assert api.post(f"/api/projects/{pid}/versions/9/restore").status_code == 404

    # An edit based on an old version is refused.
    assert (
        api.put(f"/api/projects/{pid}", {"graph": changed, "version": 2}, content_type="application/json").status_code
        == 409
    )

    assert api.delete(f"/api/projects/{pid}").status_code == 204
    assert api.get(f"/api/projects/{pid}").status_code == 404


def test_project_validation_and_size_cap(api):
    assert api.post("/api/projects", {"name": ""}, content_type="application/json").status_code == 400
    assert api.post("/api/projects", {"name": "x", "graph": [1]}, content_type="application/json").status_code == 400
    huge = {"nodes": [], "padding": "x" * (2 * 1024 * 1024 + 10)}
    r = api.post("/api/projects", {"name": "huge", "graph": huge}, content_type="application/json")
    assert r.status_code == 413
    assert api.get("/api/projects").json() == []
