"""Who may touch what: for every endpoint that names a thing, its owner gets it, anyone else 404,
anonymous 401; no listing shows another person's things."""

import io

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tests.webapp.conftest import example
from webapp.runs.models import Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def things(api, queued, events_redis):
    """alice's project, upload, finished run (with files) and token."""
    project = api.post(
        "/api/projects", {"name": "secret", "graph": example("mnist_mlp")}, content_type="application/json"
    ).json()
    buffer = io.BytesIO()
    np.savez(buffer, x=np.random.default_rng(0).random((20, 4)).astype("float32"), y=np.arange(20) % 2)
    buffer.seek(0)
    buffer.name = "secret.npz"
    dataset = api.post("/api/datasets", {"file": buffer, "options": "{}"}).json()
    run_id = api.post(
        "/api/runs", {"graph": example("mnist_mlp"), "dataset": "fashion_mnist"}, content_type="application/json"
    ).json()["id"]
    run = Run.objects.get(pk=run_id)
    run.model_file.save("model.keras", ContentFile(b"m"), save=False)
    run.tensorboard_file.save("tb.zip", ContentFile(b"PK"), save=False)
    run.status = "succeeded"
    run.history = [{"type": "epoch", "epoch": 1, "metrics": {"loss": 1.0}, "lr": 0.001, "seconds": 1.0}]
    run.save()
    queued_id = api.post(
        "/api/runs", {"graph": example("mnist_mlp"), "dataset": "fashion_mnist"}, content_type="application/json"
    ).json()["id"]
    token = api.post("/api/tokens", {"name": "t"}, content_type="application/json").json()
    return {
        "project": project["id"],
        "dataset": dataset["id"],
        "run": run_id,
        "queued": queued_id,
        "token": token["id"],
    }


def endpoints(t):
    """(method, path, body, owner's status); the destructive ones last."""
    graph = example("mnist_mlp")
    return [
        ("get", f"/api/projects/{t['project']}", None, 200),
        ("put", f"/api/projects/{t['project']}", {"name": "renamed"}, 200),
        ("get", f"/api/projects/{t['project']}/versions", None, 200),
        ("get", f"/api/projects/{t['project']}/versions/1", None, 200),
        ("post", f"/api/projects/{t['project']}/versions/1/restore", None, 200),
        ("post", "/api/runs", {"project": t["project"], "dataset": "fashion_mnist"}, 201),
        ("post", "/api/runs", {"graph": graph, "dataset": t["dataset"]}, 400),  # alice: a binding error
        ("get", f"/api/datasets/{t['dataset']}", None, 200),
        ("get", f"/api/datasets/{t['dataset']}/preview", None, 200),
        ("get", f"/api/runs/{t['run']}", None, 200),
        ("get", f"/api/runs/{t['run']}/model", None, 200),
        ("get", f"/api/runs/{t['run']}/script", None, 200),
        ("get", f"/api/runs/{t['run']}/history.csv", None, 200),
        ("get", f"/api/runs/{t['run']}/tensorboard", None, 200),
        ("post", f"/api/runs/{t['queued']}/cancel", None, 200),
        ("delete", f"/api/runs/{t['run']}", None, 204),
        ("delete", f"/api/datasets/{t['dataset']}", None, 204),
        ("delete", f"/api/projects/{t['project']}", None, 204),
        ("delete", f"/api/tokens/{t['token']}", None, 204),
    ]


def call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


def test_owner_other_and_anonymous_on_every_endpoint(api, other, things):
    anonymous = Client()
    for method, path, body, owner_status in endpoints(things):
        r = call(anonymous, method, path, body)
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json() == {"detail": "authentication required"}
        if path == "/api/runs":  # bob cannot start a run from alice's project or upload
            r = call(other, method, path, body)
            assert r.status_code == 404, (method, path, r.content)
        else:
            r = call(other, method, path, body)
            assert r.status_code == 404, (method, path, r.status_code)
        r = call(api, method, path, body)
        assert r.status_code == owner_status, (method, path, r.content)


def test_no_listing_shows_another_persons_things(api, other, things):
    for path in ("/api/projects", "/api/runs"):
        assert other.get(path).json() == [], path
        assert api.get(path).json(), path
    alice_tokens = {t["id"] for t in api.get("/api/tokens").json()}
    bob_tokens = {t["id"] for t in other.get("/api/tokens").json()}
    assert alice_tokens and bob_tokens and not alice_tokens & bob_tokens
    assert all(d["kind"] == "builtin" for d in other.get("/api/datasets").json())
    assert any(d["kind"] == "upload" for d in api.get("/api/datasets").json())
    assert other.get(f"/api/runs?project={things['project']}").json() == []


def test_anonymous_lists_are_401():
    for path in ("/api/projects", "/api/runs", "/api/tokens", "/api/datasets"):
        assert Client().get(path).status_code == 401
