"""POST /api/ensembles and /api/crossval in process: every refusal is a 400 naming the run, ownership is a 404,
and a cross-validation makes one run per fold with its fold settings (no worker: the tasks are recorded)."""

from __future__ import annotations

import copy

import pytest
from django.core.files.base import ContentFile

from tests.webapp.conftest import token_client
from webapp.ensembles.models import CrossValidation, Ensemble, Fold
from webapp.runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: tasks are sent on commit


def digits_graph(output: str = "target", loss: str = "sparse_categorical_crossentropy", units: int = 10) -> dict:
    return {
        "version": 1,
        "name": "digits_mlp",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}},
            {"id": "hidden", "type": "Dense", "params": {"units": 16, "activation": "relu"}},
            {"id": "probs", "type": "Dense", "params": {"units": units, "activation": "softmax"}},
            {"id": output, "type": "Output", "params": {"loss": loss, "metrics": ["accuracy"]}},
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "probs"},
            {"source": "probs", "target": output},
        ],
    }


@pytest.fixture
def sent(monkeypatch):
    """The ensemble ids and run ids sent to the worker (no broker involved)."""
    from webapp.ensembles import tasks
    from webapp.runs import tasks as run_tasks

    out: dict[str, list[int]] = {"ensembles": [], "runs": []}
    monkeypatch.setattr(tasks.evaluate_ensemble, "delay", lambda i: out["ensembles"].append(i))
    monkeypatch.setattr(run_tasks.train_run, "delay", lambda i: out["runs"].append(i))
    return out


def make_run(owner, graph=None, dataset="digits", status="succeeded", training=None, model=True) -> Run:
    from trainer.datasets import list_builtin
    from trainer.settings import parse_training

    info = next(i for i in list_builtin() if i["name"] == dataset)
    run = Run.objects.create(
        owner=owner,
        dataset_builtin=dataset,
        dataset_info=info,
        graph=graph or digits_graph(),
        training=parse_training(training or {}),
        status=status,
    )
    if model:
        run.model_file.save("model.keras", ContentFile(b"not read by the web process"), save=True)
    return run


def post(client, path, body):
    response = client.post(path, body, content_type="application/json")
    return response.status_code, response.json()


def test_an_ensemble_is_queued_and_listed_and_only_its_owner_sees_it(alice, bob, api, other, sent):
    runs = [make_run(alice, training={"seed": s}) for s in (1, 2, 3)]
    status, body = post(api, "/api/ensembles", {"runs": [r.id for r in runs], "name": "three"})
    assert status == 201 and body["status"] == "queued", body
    assert sent["ensembles"] == [body["id"]]
    detail = api.get(f"/api/ensembles/{body['id']}").json()
    assert detail["weights"] == pytest.approx([1 / 3] * 3) and detail["weights_from"] == "uniform"
    assert [m["run"] for m in detail["members"]] == [r.id for r in runs]
    assert [m["seed"] for m in detail["members"]] == [1, 2, 3]
    assert [e["id"] for e in api.get("/api/ensembles").json()] == [body["id"]]
    # Someone else: 404 on every path, and none listed.
    for path in (f"/api/ensembles/{body['id']}", f"/api/ensembles/{body['id']}/model"):
        assert other.get(path).status_code == 404
    assert other.delete(f"/api/ensembles/{body['id']}").status_code == 404
    assert other.get("/api/ensembles").json() == []
    # No model before it succeeded.
    assert api.get(f"/api/ensembles/{body['id']}/model").status_code == 404
    status, body2 = post(api, "/api/ensembles", {"runs": [runs[0].id, runs[1].id], "weights": "optimize"})
    assert status == 201
    optimised = api.get(f"/api/ensembles/{body2['id']}").json()
    assert optimised["weights"] is None and optimised["weights_from"] == "validation"
    status, body3 = post(api, "/api/ensembles", {"runs": [runs[0].id, runs[1].id], "weights": [3, 1]})
    assert status == 201 and api.get(f"/api/ensembles/{body3['id']}").json()["weights"] == [0.75, 0.25]


def test_delete_removes_the_file(alice, api, sent):
    runs = [make_run(alice) for _ in range(2)]
    _, body = post(api, "/api/ensembles", {"runs": [r.id for r in runs]})
    ensemble = Ensemble.objects.get(pk=body["id"])
    ensemble.model_file.save("ensemble.keras", ContentFile(b"x"), save=True)
    storage, name = ensemble.model_file.storage, ensemble.model_file.name
    assert storage.exists(name)
    assert api.delete(f"/api/ensembles/{body['id']}").status_code == 204
    assert not storage.exists(name) and not Ensemble.objects.filter(pk=body["id"]).exists()
    assert api.get(f"/api/ensembles/{body['id']}").status_code == 404


def test_every_refusal_is_a_400_naming_the_run(alice, bob, api, sent):
    a, b = make_run(alice), make_run(alice)
    cases = []
    cases.append(({"runs": [a.id]}, "at least two runs", "runs"))
    cases.append(({"runs": [a.id, a.id]}, f"run {a.id} is listed twice", "runs"))
    theirs = make_run(bob)
    cases.append(({"runs": [a.id, theirs.id]}, f"run {theirs.id} is not one of your runs", "runs"))
    cases.append(({"runs": [a.id, 999999]}, "run 999999 is not one of your runs", "runs"))
    failed = make_run(alice, status="failed", model=False)
    cases.append(({"runs": [a.id, failed.id]}, f"run {failed.id} has not succeeded (failed)", "runs"))
    running = make_run(alice, status="running", model=False)
    cases.append(({"runs": [a.id, running.id]}, f"run {running.id} has not succeeded (running)", "runs"))
    iris_graph = copy.deepcopy(digits_graph(units=3))
    iris_graph["nodes"][0]["params"]["shape"] = [4]
    iris = make_run(alice, graph=iris_graph, dataset="iris")
    cases.append(({"runs": [a.id, iris.id]}, f"run {iris.id} was trained on 'iris' but run {a.id} on 'digits'", "runs"))
    renamed = make_run(alice, graph=digits_graph(output="label"))
    cases.append(({"runs": [a.id, renamed.id]}, f"run {renamed.id} has the Outputs 'label'", "runs"))
    other_loss = make_run(alice, graph=digits_graph(loss="categorical_crossentropy"))
    cases.append(({"runs": [a.id, other_loss.id]}, f"run {other_loss.id}: Output 'target' is trained with", "runs"))
    cases.append(
        ({"runs": [a.id, b.id], "weights": [1, -1]}, f"the weight of run {b.id} must not be negative", "weights")
    )
    cases.append(({"runs": [a.id, b.id], "weights": [0, 0]}, "all zero", "weights"))
    cases.append(({"runs": [a.id, b.id], "weights": [1, 2, 3]}, "one number per run (2), got 3", "weights"))
    no_val = make_run(alice, training={"validation_split": 0})
    cases.append(
        (
            {"runs": [a.id, no_val.id], "weights": "optimize"},
            f"run {no_val.id} was trained without a validation split",
            "weights",
        )
    )
    for body, words, field in cases:
        status, answer = post(api, "/api/ensembles", body)
        assert status == 400, (body, answer)
        assert words in answer["detail"], (words, answer)
        assert answer["field"] == field, answer
    status, answer = post(api, "/api/ensembles", {"runs": [a.id, b.id], "weights": "best"})
    assert status == 400 and "weights" in answer["detail"]
    assert sent["ensembles"] == [] and Ensemble.objects.count() == 0


def test_crossval_makes_one_run_per_fold_with_its_fold_settings(alice, api, other, sent):
    body = {"graph": digits_graph(), "dataset": "digits", "training": {"epochs": 2, "seed": 4}, "folds": 3}
    status, answer = post(api, "/api/crossval", body)
    assert status == 201 and answer["status"] == "queued" and len(answer["runs"]) == 3, answer
    assert sent["runs"] == answer["runs"]
    for k, run_id in enumerate(answer["runs"]):
        run = Run.objects.get(pk=run_id)
        assert run.training["crossval"] == {"folds": 3, "fold": k, "stratified": True}
        assert run.training["seed"] == 4 and run.training["epochs"] == 2
        assert Fold.objects.get(run=run).fold == k
    detail = api.get(f"/api/crossval/{answer['id']}").json()
    assert detail["status"] == "queued" and detail["runs"] == answer["runs"] and detail["ensemble"] is None
    assert detail["training"]["crossval"]["folds"] is None
    assert [f["fold"] for f in detail["fold_runs"]] == [0, 1, 2]
    assert other.get(f"/api/crossval/{answer['id']}").status_code == 404
    assert other.get("/api/crossval").json() == []
    assert [c["id"] for c in api.get("/api/crossval").json()] == [answer["id"]]
    for folds in (1, 11):
        status, refused = post(api, "/api/crossval", {**body, "folds": folds})
        assert status == 400 and refused["field"] == "folds", refused
    status, refused = post(api, "/api/crossval", {**body, "dataset": "nope"})
    assert status in (400, 404) and CrossValidation.objects.count() == 1


def test_a_failed_fold_fails_the_crossval_and_the_last_success_queues_its_ensemble(alice, api, sent, events_redis):
    from webapp.ensembles.services import run_finished

    body = {"graph": digits_graph(), "dataset": "digits", "training": {"epochs": 2}, "folds": 2}
    _, first = post(api, "/api/crossval", body)
    _, second = post(api, "/api/crossval", body)
    # first: fold 0 fails -> failed, no ensemble
    Run.objects.filter(pk=first["runs"][0]).update(status="failed", error="boom")
    run_finished(first["runs"][0])
    detail = api.get(f"/api/crossval/{first['id']}").json()
    assert detail["status"] == "failed" and "fold 1" in detail["error"] and "boom" in detail["error"]
    # second: both succeed (with histories) -> evaluating, a uniform ensemble queued
    for k, run_id in enumerate(second["runs"]):
        history = [
            {"epoch": 1, "metrics": {"loss": 1.0 + k, "val_loss": 1.2, "val_accuracy": 0.5 + k / 10}},
            {"epoch": 2, "metrics": {"loss": 0.5 + k, "val_loss": 1.4, "val_accuracy": 0.4}},
        ]
        Run.objects.filter(pk=run_id).update(status="succeeded", history=history, model_file=f"runs/{run_id}/m.keras")
    run_finished(second["runs"][1])
    detail = api.get(f"/api/crossval/{second['id']}").json()
    assert detail["status"] == "evaluating" and detail["ensemble"]["status"] == "queued"
    assert sent["ensembles"] == [detail["ensemble"]["id"]]
    ensemble = api.get(f"/api/ensembles/{detail['ensemble']['id']}").json()
    assert ensemble["runs"] == second["runs"] and ensemble["crossval"] == second["id"]
    assert ensemble["weights"] == [0.5, 0.5]
    m = detail["metrics"]
    assert m["loss"]["last"]["values"] == [0.5, 1.5] and m["loss"]["last"]["mean"] == 1.0
    assert m["loss"]["last"]["std"] == pytest.approx(0.5)
    assert detail["best_by"] == "val_accuracy"
    assert m["loss"]["best"]["values"] == [1.0, 2.0]  # the best epoch (val_accuracy) is the first
    run_finished(second["runs"][1])  # again: still one ensemble
    assert Ensemble.objects.filter(crossval__id=second["id"]).count() == 1 and Ensemble.objects.count() == 1
    # Deleting the cross-validation deletes its runs and its ensemble.
    assert api.delete(f"/api/crossval/{second['id']}").status_code == 204
    assert not Run.objects.filter(pk__in=second["runs"]).exists() and Ensemble.objects.count() == 0


def test_private(client):
    assert client.get("/api/ensembles").status_code == 401
    assert client.get("/api/crossval/1").status_code == 401
    assert token_client  # the helper is imported for the clients above
