"""POST /api/runs/check: the checks of starting a run, with nothing queued or created."""

import pytest
from django.test import Client

from tests.webapp.conftest import SessionClient, example
from tests.webapp.test_datasets import csv_file, upload
from webapp.runs.models import Run

pytestmark = pytest.mark.django_db


def check(client, **body):
    body.setdefault("graph", example("mnist_mlp"))
    body.setdefault("dataset", "fashion_mnist")
    return client.post("/api/runs/check", body, content_type="application/json")


def test_a_good_request_answers_the_bindings_and_creates_nothing(api, queued):
    r = check(api, training={"epochs": 1})
    assert r.status_code == 200, r.content
    assert r.json() == {
        "ok": True,
        "bindings": [
            {"node": "pixels", "kind": "input", "field": "image", "how": "only"},
            {"node": "label", "kind": "output", "field": "label", "how": "name"},
        ],
    }
    assert not Run.objects.exists() and queued == []


def test_a_browser_session_may_check(alice, queued):
    r = check(SessionClient(alice))
    assert r.status_code == 200 and r.json()["ok"] is True


def test_a_binding_mismatch_is_the_same_400_as_starting_the_run(api, queued):
    graph = example("mnist_mlp")
    pixels = next(n for n in graph["nodes"] if n["id"] == "pixels")
    pixels["params"]["shape"] = [100]
    r = check(api, graph=graph)
    assert r.status_code == 400, r.content
    errors = r.json()["errors"]
    assert errors[0]["node"] == "pixels" and errors[0]["field"] == "image" and "(28, 28)" in errors[0]["message"]
    assert "does not fit" in r.json()["detail"]
    started = api.post("/api/runs", {"graph": graph, "dataset": "fashion_mnist"}, content_type="application/json")
    assert started.status_code == 400 and started.json() == r.json()
    assert not Run.objects.exists() and queued == []


def test_a_broken_graph_is_400_with_per_node_errors(api, queued):
    graph = example("mnist_mlp")
    graph["nodes"][1]["params"]["units"] = -3
    r = check(api, graph=graph)
    assert r.status_code == 400
    assert r.json()["errors"][0]["node"] == "hidden" and r.json()["detail"]
    assert not Run.objects.exists()


def test_bad_settings_name_their_field(api, queued):
    r = check(api, training={"epochs": 0})
    assert r.status_code == 400 and r.json()["field"] == "training.epochs"


def test_anonymous_is_401(queued):
    assert check(Client()).status_code == 401


def test_someone_elses_upload_is_404(api, other, queued, media_root):
    uploaded = upload(other, csv_file(), {"targets": ["species"]})
    assert uploaded.status_code == 201, uploaded.content
    r = check(api, dataset=uploaded.json()["id"])
    assert r.status_code == 404 and r.json()["field"] == "dataset"
    assert check(other, dataset=uploaded.json()["id"]).status_code == 400  # the owner's: mnist does not fit a CSV


def test_more_units_than_classes_is_a_warning_not_a_refusal(api, queued):
    graph = example("mnist_mlp")
    probs = next(n for n in graph["nodes"] if n["id"] == "probs")
    probs["params"]["units"] = 12
    r = check(api, graph=graph)
    assert r.status_code == 200, r.content
    [warning] = r.json()["warnings"]
    assert warning["node"] == "label" and warning["field"] == "label"
    assert "12 units" in warning["message"] and "never the answer" in warning["message"]
    assert "warnings" not in check(api).json()  # none: the key is absent
