"""A run created from a project records the project's version it trains (Run.project_version): a plain run,
a cross-validation's folds and a sweep's trials; a bare graph, or a project's graph with unsaved changes, has
none."""

import copy

import pytest

from tests.webapp.conftest import example, token_client
from webapp.runs.models import Run

QUICK = {"epochs": 1, "max_samples": 64}


def digits_graph() -> dict:
    return {
        "version": 1,
        "name": "digits_mlp",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}, "position": {"x": 0, "y": 0}},
            {"id": "hidden", "type": "Dense", "params": {"units": 32, "activation": "relu"}},
            {"id": "probs", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {
                "id": "target",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "probs"},
            {"source": "probs", "target": "target"},
        ],
    }


def post(client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")


def make_project(client, graph: dict) -> int:
    r = post(client, "/api/projects", {"name": "mlp", "graph": graph})
    assert r.status_code == 201, r.content
    return r.json()["id"]


def save(client, project_id: int, graph: dict) -> int:
    r = client.put(f"/api/projects/{project_id}", {"graph": graph}, content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["version"]


def wider(graph: dict, units: int) -> dict:
    changed = copy.deepcopy(graph)
    changed["nodes"][1]["params"]["units"] = units
    return changed


@pytest.mark.django_db
def test_a_run_from_a_project_records_its_version_and_a_bare_graph_none(api, queued):
    graph = example("mnist_mlp")
    pid = make_project(api, graph)
    assert save(api, pid, wider(graph, 64)) == 2

    r = post(api, "/api/runs", {"project": pid, "dataset": "fashion_mnist", "training": QUICK})
    assert r.status_code == 201, r.content
    run = api.get(f"/api/runs/{r.json()['id']}").json()
    assert run["project"] == pid and run["project_version"] == 2
    assert api.get("/api/runs").json()[0]["project_version"] == 2  # the list carries it too

    r = post(api, "/api/runs", {"graph": graph, "dataset": "fashion_mnist", "training": QUICK})
    assert r.status_code == 201, r.content
    run = api.get(f"/api/runs/{r.json()['id']}").json()
    assert run["project"] is None and run["project_version"] is None


@pytest.mark.django_db
def test_the_graph_sent_with_a_project_names_the_version_it_matches(api, queued):
    graph = example("mnist_mlp")
    pid = make_project(api, graph)
    save(api, pid, wider(graph, 64))
    save(api, pid, wider(graph, 128))

    # Version 1's blocks, moved about on the canvas and renamed: still version 1.
    moved = copy.deepcopy(graph)
    moved["name"] = "another name"
    for i, node in enumerate(moved["nodes"]):
        node["position"] = {"x": 10 * i, "y": 99}
    r = post(api, "/api/runs", {"project": pid, "graph": moved, "dataset": "fashion_mnist", "training": QUICK})
    assert r.status_code == 201, r.content
    assert Run.objects.get(pk=r.json()["id"]).project_version == 1

    # The current graph: the current version.
    r = post(
        api, "/api/runs", {"project": pid, "graph": wider(graph, 128), "dataset": "fashion_mnist", "training": QUICK}
    )
    assert Run.objects.get(pk=r.json()["id"]).project_version == 3

    # Unsaved changes: no version trained it; the run still belongs to the project.
    r = post(
        api, "/api/runs", {"project": pid, "graph": wider(graph, 32), "dataset": "fashion_mnist", "training": QUICK}
    )
    run = Run.objects.get(pk=r.json()["id"])
    assert run.project_id == pid and run.project_version is None


@pytest.mark.django_db
def test_crossval_folds_record_the_projects_version(api, queued):
    graph = digits_graph()
    pid = make_project(api, graph)
    assert save(api, pid, wider(graph, 16)) == 2
    r = post(api, "/api/crossval", {"project": pid, "dataset": "digits", "training": {"epochs": 1}, "folds": 2})
    assert r.status_code == 201, r.content
    runs = Run.objects.filter(pk__in=r.json()["runs"])
    assert [run.project_version for run in runs] == [2, 2]


@pytest.mark.django_db(transaction=True)
def test_sweep_trials_record_the_version_the_sweep_started_from(alice, settings, tmp_path, events_redis, queued):
    settings.SWEEP_OPTUNA_STORAGE = f"sqlite:///{tmp_path / 'optuna.sqlite3'}"
    client = token_client(alice)
    graph = digits_graph()
    pid = make_project(client, graph)
    save(client, pid, wider(graph, 16))
    body = {
        "project": pid,
        "graph": graph,  # version 1's graph: each trial changes its units, still version 1's
        "dataset": "digits",
        "training": {"epochs": 1, "validation_split": 0.2},
        "space": [{"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 64}],
        "sampler": "random",
        "trials": 2,
        "parallel": 2,
        "seed": 1,
    }
    r = post(client, "/api/sweeps", body)
    assert r.status_code == 201, r.content
    trials = Run.objects.filter(sweep_id=r.json()["id"])
    assert trials.count() == 2
    assert {t.graph["nodes"][1]["params"]["units"] for t in trials} != {32}  # tuned values, not the base graph's
    assert [t.project_version for t in trials] == [1, 1]
