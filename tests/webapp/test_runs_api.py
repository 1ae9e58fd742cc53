"""The runs API in process: every check before anything is queued, cancel, delete, stale runs, downloads."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.webapp.conftest import example
from webapp.runs.execution import execute_run
from webapp.runs.models import Run
from webapp.runs.services import STALE_MESSAGE

pytestmark = pytest.mark.django_db

QUICK = {"epochs": 1, "max_samples": 64}


def post_run(client, **body):
    body.setdefault("graph", example("mnist_mlp"))
    body.setdefault("dataset", "fashion_mnist")
    return client.post("/api/runs", body, content_type="application/json")


def test_a_good_run_is_queued_after_commit(api, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = post_run(api, training=QUICK)
    assert r.status_code == 201, r.content
    assert r.json() == {"id": r.json()["id"], "status": "queued"}
    assert queued == [r.json()["id"]]
    run = api.get(f"/api/runs/{r.json()['id']}").json()
    assert run["status"] == "queued" and run["dataset"]["ref"] == "fashion_mnist"
    assert run["training"]["epochs"] == 1 and run["training"]["optimizer"] == "adam"  # defaults filled in
    assert run["graph"]["name"] == "mnist_mlp" and run["history"] == [] and run["duration"] is None


def test_invalid_graph_is_400_with_per_node_errors(api, queued):
    graph = example("mnist_mlp")
    graph["nodes"][1]["params"]["units"] = -3
    r = post_run(api, graph=graph)
    assert r.status_code == 400
    assert r.json()["errors"][0]["node"] == "hidden" and r.json()["detail"]
    assert not Run.objects.exists() and queued == []


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"dataset": "nope"}, 400, "dataset"),
        ({"dataset": 12345}, 404, "dataset"),
        ({"training": {"epochs": 0}}, 400, "training.epochs"),
        ({"training": {"optimiser": "adam"}}, 400, "training.optimiser"),
    ],
)
def test_bad_dataset_or_settings_are_refused_before_queueing(api, queued, body, status, field):
    r = post_run(api, **body)
    assert r.status_code == status, r.content
    assert r.json()["field"] == field and r.json()["detail"]
    assert not Run.objects.exists() and queued == []


def test_binding_error_names_the_node(api, queued):
    graph = example("mnist_mlp")
    graph["nodes"][2]["params"]["units"] = 7  # 7 classes for fashion's 10
    r = post_run(api, graph=graph)
    assert r.status_code == 400
    assert r.json()["errors"][0]["node"] == "label" and "10 classes" in r.json()["errors"][0]["message"]
    assert not Run.objects.exists()


def test_too_many_parameters_is_refused(api, queued, settings):
    settings.MAX_TRAIN_PARAMS = 1000
    r = post_run(api)
    assert r.status_code == 400 and r.json()["field"] == "graph" and "parameters" in r.json()["detail"]


def test_run_from_a_project_and_filtering(api, queued):
    project = api.post(
        "/api/projects", {"name": "p", "graph": example("mnist_mlp")}, content_type="application/json"
    ).json()
    r = api.post("/api/runs", {"project": project["id"], "dataset": "fashion_mnist"}, content_type="application/json")
    assert r.status_code == 201
    post_run(api)
    assert [x["id"] for x in api.get(f"/api/runs?project={project['id']}").json()] == [r.json()["id"]]
    assert len(api.get("/api/runs").json()) == 2
    assert "graph" not in api.get("/api/runs").json()[0]


@pytest.mark.django_db(transaction=True)  # execute_run closes the connection, as a worker does: no test transaction
def test_cancel_queued_is_immediate_and_it_never_starts(api, queued, events_redis):
    run_id = post_run(api).json()["id"]
    r = api.post(f"/api/runs/{run_id}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert execute_run(run_id).startswith("skipped")  # the message arrives later: nothing starts
    assert Run.objects.get(pk=run_id).started_at is None
    assert api.post(f"/api/runs/{run_id}/cancel").status_code == 409


def test_cancel_running_sets_the_flag(api, queued):
    run_id = post_run(api).json()["id"]
    Run.objects.filter(pk=run_id).update(status="running", started_at=timezone.now(), heartbeat_at=timezone.now())
    r = api.post(f"/api/runs/{run_id}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "running" and r.json()["cancel_requested"]


def test_stale_running_run_is_failed_when_read(api, queued, settings, events_redis):
    settings.RUN_HEARTBEAT_TIMEOUT = 5
    run_id = post_run(api).json()["id"]
    old = timezone.now() - timedelta(seconds=30)
    Run.objects.filter(pk=run_id).update(status="running", started_at=old, heartbeat_at=old)
    fresh_id = post_run(api).json()["id"]
    Run.objects.filter(pk=fresh_id).update(status="running", started_at=old, heartbeat_at=timezone.now())
    listed = {r["id"]: r for r in api.get("/api/runs").json()}
    assert listed[run_id]["status"] == "failed" and listed[run_id]["error"] == STALE_MESSAGE
    assert listed[fresh_id]["status"] == "running"


def test_downloads_history_csv_and_delete_removes_files(api, queued, media_root, events_redis):
    run_id = post_run(api).json()["id"]
    assert api.get(f"/api/runs/{run_id}/model").status_code == 404
    assert api.get(f"/api/runs/{run_id}/tensorboard").status_code == 404
    run = Run.objects.get(pk=run_id)
    run.model_file.save("model.keras", ContentFile(b"keras bytes"), save=False)
    run.tensorboard_file.save("tensorboard.zip", ContentFile(b"PK"), save=False)
    run.status = "succeeded"
    run.history = [
        {"type": "epoch", "epoch": 1, "metrics": {"loss": 1.5, "val_accuracy": 0.5}, "lr": 0.001, "seconds": 0.25},
        {"type": "epoch", "epoch": 2, "metrics": {"loss": 1.0, "val_accuracy": 0.75}, "lr": 0.001, "seconds": 0.5},
    ]
    run.save()
    model = api.get(f"/api/runs/{run_id}/model")
    assert model.status_code == 200 and b"".join(model.streaming_content) == b"keras bytes"
    assert "attachment" in model["Content-Disposition"] and ".keras" in model["Content-Disposition"]
    csv_lines = api.get(f"/api/runs/{run_id}/history.csv").content.decode().splitlines()
    assert csv_lines == ["epoch,loss,val_accuracy,lr,seconds", "1,1.5,0.5,0.001,0.25", "2,1,0.75,0.001,0.5"]
    script = api.get(f"/api/runs/{run_id}/script")
    assert script.status_code == 200 and "keras" in script.content.decode()
    best = api.get(f"/api/runs/{run_id}").json()["best"]
    assert best == {"metric": "val_accuracy", "value": 0.75, "epoch": 2}
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 2
    assert api.delete(f"/api/runs/{run_id}").status_code == 204
    assert [p for p in media_root.rglob("*") if p.is_file()] == []
    assert api.get(f"/api/runs/{run_id}").status_code == 404


@pytest.mark.django_db
def test_ids_beyond_the_database_range_are_a_400_not_a_500(api):
    huge = 10**20
    for path in (f"/api/runs/{huge}", f"/api/runs?project={huge}", f"/api/projects/{huge}"):
        resp = api.get(path)
        assert resp.status_code in (400, 404), (path, resp.status_code)
        assert resp.json()["detail"]


def test_a_run_stored_before_a_setting_was_declared_still_reads_back(api, queued):
    """Settings grow (fine_tune, crossval...): a run stored without them is read as it was stored."""
    r = post_run(api, training=QUICK)
    assert r.status_code == 201, r.content
    run = Run.objects.get(pk=r.json()["id"])
    old = {k: v for k, v in run.training.items() if k not in ("fine_tune", "crossval")}
    old["callbacks"] = {k: v for k, v in old["callbacks"].items() if k != "tensorboard"}
    Run.objects.filter(pk=run.pk).update(training=old)
    for path in (f"/api/runs/{run.pk}", "/api/runs"):
        answer = api.get(path)
        assert answer.status_code == 200, answer.content
    detail = api.get(f"/api/runs/{run.pk}").json()
    assert "fine_tune" not in detail["training"] and "tensorboard" not in detail["training"]["callbacks"]
    assert detail["training"]["epochs"] == 1
