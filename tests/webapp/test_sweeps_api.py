"""The sweeps API in-process: every bad space refused before anything is queued (400 naming the
dimension), ownership, the first trials queued at most `parallel` at a time, ask/tell as trials finish
(the worker's part played by writing the run's result), cancel and delete. No Celery message is sent
(recorded by `queued`); Optuna's study lives in a SQLite file of the test's own."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.webapp.conftest import token_client

# Real commits: a trial is queued once its run is committed (transaction.on_commit), as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def digits_graph() -> dict:
    return {
        "version": 1,
        "name": "digits_mlp",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}},
            {"id": "hidden", "type": "Dense", "params": {"units": 32, "activation": "relu"}},
            {"id": "drop", "type": "Dropout", "params": {"rate": 0.1}},
            {"id": "probs", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {
                "id": "target",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "drop"},
            {"source": "drop", "target": "probs"},
            {"source": "probs", "target": "target"},
        ],
    }


SPACE = [
    {"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 64},
    {"target": "nodes.drop.rate", "kind": "float", "low": 0.0, "high": 0.5},
    {"target": "training.learning_rate", "kind": "float", "low": 0.0001, "high": 0.1, "log": True},
]


@pytest.fixture(autouse=True)
def optuna_file(settings, tmp_path, events_redis):
    settings.SWEEP_OPTUNA_STORAGE = f"sqlite:///{tmp_path / 'optuna.sqlite3'}"
    return settings.SWEEP_OPTUNA_STORAGE


@pytest.fixture
def client(alice):
    return token_client(alice)


def body(**over) -> dict:
    data = {
        "graph": digits_graph(),
        "dataset": "digits",
        "training": {"epochs": 2, "validation_split": 0.2},
        "space": SPACE,
        "sampler": "random",
        "trials": 3,
        "parallel": 2,
        "seed": 1,
    }
    data.update(over)
    return data


def post(client, data):
    return client.post("/api/sweeps", data, content_type="application/json")


def finish(run_id: int, accuracy: float, status: str = "succeeded", epochs: int = 2) -> None:
    """What the worker writes when a trial's run ends; then what execute_run calls."""
    from webapp.runs.models import Run
    from webapp.sweeps.services import trial_finished

    now = timezone.now()
    history = [
        {"epoch": e + 1, "metrics": {"loss": 1.0, "val_accuracy": accuracy - 0.1 * (epochs - 1 - e)}}
        for e in range(epochs)
    ]
    Run.objects.filter(pk=run_id).update(status=status, history=history, started_at=now, finished_at=now)
    trial_finished(run_id)


BAD = [
    ({"target": "nodes.nope.units", "kind": "int", "low": 1, "high": 2}, "space[0].target", "no block 'nope'"),
    ({"target": "nodes.hidden.width", "kind": "int", "low": 1, "high": 2}, "space[0].target", "no parameter 'width'"),
    ({"target": "training.nope", "kind": "int", "low": 1, "high": 2}, "space[0].target", "not a training setting"),
    ({"target": "training.seed", "kind": "int", "low": 1, "high": 2}, "space[0].target", "cannot be searched"),
    ({"target": "nodes.features.shape", "kind": "int", "low": 1, "high": 2}, "space[0].target", "not a number"),
    ({"target": "nodes.hidden.units", "kind": "float", "low": 1, "high": 2}, "space[0].kind", "does not match"),
    ({"target": "nodes.hidden.activation", "kind": "int", "low": 1, "high": 2}, "space[0].kind", "does not match"),
    ({"target": "nodes.hidden.units", "kind": "int", "low": 0, "high": 2}, "space[0].low", "outside"),
    ({"target": "nodes.drop.rate", "kind": "float", "low": 0.1, "high": 1.5}, "space[0].high", "outside"),
    ({"target": "training.learning_rate", "kind": "float", "low": 0.01, "high": 11}, "space[0].high", "outside"),
    ({"target": "nodes.hidden.units", "kind": "int", "low": 9, "high": 3}, "space[0].high", "below low"),
    ({"target": "nodes.hidden.units", "kind": "int", "low": "a", "high": 3}, "space[0].low", "must be a number"),
    ({"target": "nodes.hidden.activation", "kind": "choice", "choices": []}, "space[0].choices", "empty"),
    (
        {"target": "nodes.hidden.activation", "kind": "choice", "choices": ["relu", "nope"]},
        "space[0].choices[1]",
        "not a choice",
    ),
    (
        {"target": "training.optimizer", "kind": "choice", "choices": ["adam", "lion"]},
        "space[0].choices[1]",
        "not a choice",
    ),
    ({"target": "nodes.drop.rate", "kind": "float", "low": 0.0, "high": 0.5, "log": True}, "space[0].low", "log scale"),
    (
        {"target": "nodes.hidden.units", "kind": "int", "low": 1, "high": 2, "colour": 1},
        "space[0].colour",
        "not a field",
    ),
]


@pytest.mark.parametrize("dim, field, words", BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_a_bad_dimension_is_refused_naming_it(client, queued, dim, field, words):
    response = post(client, body(space=[dim]))
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["field"] == field and words in answer["detail"], answer
    assert queued == []
    from webapp.sweeps.models import Sweep

    assert not Sweep.objects.exists()


def test_the_dimension_at_fault_is_named_by_its_index(client, queued):
    space = [*SPACE, {"target": "nodes.hidden.units", "kind": "int", "low": 1, "high": 2}]
    answer = post(client, body(space=space)).json()
    assert answer["field"] == "space[3].target" and "twice" in answer["detail"]


@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"sampler": "grid"}, "space[1].step", "needs a step"),
        (
            {
                "sampler": "grid",
                "space": [
                    {"target": "nodes.hidden.units", "kind": "int", "low": 1, "high": 1000},
                    {"target": "nodes.drop.rate", "kind": "float", "low": 0, "high": 0.5, "step": 0.1},
                ],
            },
            "space",
            "the grid has 6000 points",
        ),
        ({"objectives": [{"metric": "val_auc"}]}, "objectives[0].metric", "cannot report 'val_auc'"),
        (
            {"training": {"validation_split": 0}, "objectives": [{"metric": "val_accuracy"}]},
            "objectives[0].metric",
            "needs validation data",
        ),
        ({"objectives": [{"metric": "loss", "direction": "up"}]}, "objectives[0].direction", "maximize or minimize"),
        ({"objectives": [{"metric": "loss", "at": "first"}]}, "objectives[0].at", "best or last"),
        ({"objectives": []}, "objectives", "one or two"),
        ({"sampler": "annealing"}, "sampler", "must be one of"),
        ({"pruner": "asha"}, "pruner", "must be one of"),
        (
            {"pruner": "median", "objectives": [{"metric": "params", "direction": "minimize"}]},
            "pruner",
            "known only at the end",
        ),
        (
            {"pruner": "median", "objectives": [{"metric": "val_accuracy"}, {"metric": "params"}]},
            "pruner",
            "one objective",
        ),
        ({"trials": 0}, "trials", "from 1 to 500"),
        ({"trials": 501}, "trials", "from 1 to 500"),
        ({"parallel": 0}, "parallel", "from 1 to"),
        ({"parallel": 1000}, "parallel", "from 1 to"),
        ({"space": []}, "space", "non-empty"),
        ({"enqueue": [{"nodes.hidden.units": 5000}]}, "enqueue[0]", "outside"),
        ({"training": {"learning_rate": -1}}, "training.learning_rate", "learning_rate"),
    ],
)
def test_a_bad_sweep_is_refused_naming_the_field(client, queued, over, field, words):
    answer = post(client, body(**over)).json()
    assert answer.get("field") == field and words in answer["detail"], answer
    assert queued == []


def test_an_invalid_graph_is_refused_with_its_block_errors(client, queued):
    graph = digits_graph()
    graph["edges"] = graph["edges"][:-1]
    response = post(client, body(graph=graph))
    assert response.status_code == 400 and response.json()["errors"], response.json()
    assert queued == []


def test_a_sweep_queues_parallel_trials_then_one_per_finished_trial(client, queued):
    from webapp.runs.models import Run

    response = post(client, body())
    assert response.status_code == 201, response.content
    sweep = response.json()
    assert sweep["status"] == "running" and sweep["study"] == f"sweep-{sweep['id']}"
    assert sweep["spec"]["trials"] == 3 and sweep["spec"]["objectives"][0]["metric"] == "val_accuracy"
    assert [t["number"] for t in sweep["trials"]] == [0, 1] and len(queued) == 2
    assert sweep["counts"] == {
        "total": 3,
        "queued": 2,
        "running": 0,
        "succeeded": 0,
        "pruned": 0,
        "failed": 0,
        "cancelled": 0,
    }
    first, second = (Run.objects.get(pk=t["run"]) for t in sweep["trials"])
    # Trials are runs: the suggestion written into their graph and settings, no TensorBoard logs.
    for run in (first, second):
        params = run.trial_params
        hidden = next(n for n in run.graph["nodes"] if n["id"] == "hidden")
        drop = next(n for n in run.graph["nodes"] if n["id"] == "drop")
        assert hidden["params"]["units"] == params["nodes.hidden.units"] and 8 <= params["nodes.hidden.units"] <= 64
        assert drop["params"]["rate"] == params["nodes.drop.rate"] and 0 <= params["nodes.drop.rate"] <= 0.5
        assert run.training["learning_rate"] == params["training.learning_rate"]
        assert run.training["callbacks"]["tensorboard"] is False and run.training["epochs"] == 2
    listed = client.get("/api/runs").json()
    assert {r["sweep"] for r in listed} == {sweep["id"]} and {r["trial_number"] for r in listed} == {0, 1}

    finish(first.id, 0.9)
    assert len(queued) == 3  # one finished: one more queued, and no more than `trials`
    finish(second.id, 0.7)
    assert len(queued) == 3
    detail = client.get(f"/api/sweeps/{sweep['id']}").json()
    assert detail["status"] == "running" and detail["best"] == [0]
    assert [t["values"] for t in detail["trials"][:2]] == [[pytest.approx(0.9)], [pytest.approx(0.7)]]
    assert detail["importances"] is not None and set(detail["importances"]) <= {d["target"] for d in SPACE}
    finish(detail["trials"][2]["run"], 0.95)
    detail = client.get(f"/api/sweeps/{sweep['id']}").json()
    assert detail["status"] == "succeeded" and detail["best"] == [2] and detail["finished_at"]
    assert [t["state"] for t in detail["trials"]] == ["complete"] * 3
    assert len(queued) == 3
    # Optuna agrees.
    import optuna

    from webapp.sweeps.services import storage

    study = optuna.load_study(study_name=detail["study"], storage=storage())
    assert study.best_trial.number == 2 and study.best_value == pytest.approx(0.95)
    assert [s["status"] for s in client.get("/api/sweeps").json()] == ["succeeded"]


def test_failed_and_pruned_trials_are_told_and_the_sweep_goes_on(client, queued):
    from webapp.runs.models import Run

    sweep = post(client, body(parallel=1, trials=2)).json()
    run_id = sweep["trials"][0]["run"]
    Run.objects.filter(pk=run_id).update(error="the worker stopped")
    finish(run_id, 0.5, status="failed")
    detail = client.get(f"/api/sweeps/{sweep['id']}").json()
    assert [t["state"] for t in detail["trials"]] == ["fail", "waiting"] and len(queued) == 2
    assert detail["best"] == [] and detail["counts"]["failed"] == 1


def test_a_suggestion_that_breaks_the_graph_fails_that_trial_naming_the_block(client, queued):
    graph = digits_graph()
    # A Reshape after the hidden layer needs exactly 32 units: any other suggestion breaks it.
    graph["nodes"].insert(2, {"id": "fold", "type": "Reshape", "params": {"target_shape": [4, 8]}})
    graph["nodes"].insert(3, {"id": "flat", "type": "Flatten", "params": {}})
    graph["edges"] = [
        {"source": "features", "target": "hidden"},
        {"source": "hidden", "target": "fold"},
        {"source": "fold", "target": "flat"},
        {"source": "flat", "target": "drop"},
        {"source": "drop", "target": "probs"},
        {"source": "probs", "target": "target"},
    ]
    space = [{"target": "nodes.hidden.units", "kind": "choice", "choices": [32, 48]}]
    sweep = post(
        client,
        body(
            graph=graph,
            space=space,
            trials=4,
            parallel=1,
            enqueue=[{"nodes.hidden.units": 48}, {"nodes.hidden.units": 32}],
        ),
    ).json()
    first = sweep["trials"][0]
    assert first["params"] == {"nodes.hidden.units": 48} and first["status"] == "failed", first
    assert "fold" in first["error"] and first["state"] == "fail"
    assert sweep["status"] == "running" and sweep["trials"][1]["status"] == "queued"


def test_someone_elses_sweep_is_a_404(client, queued, bob):
    sweep = post(client, body()).json()
    other = token_client(bob)
    assert other.get(f"/api/sweeps/{sweep['id']}").status_code == 404
    assert other.post(f"/api/sweeps/{sweep['id']}/cancel").status_code == 404
    assert other.delete(f"/api/sweeps/{sweep['id']}").status_code == 404
    assert other.get("/api/sweeps").json() == []


def test_cancel_keeps_finished_trials_and_delete_removes_runs_and_study(client, queued):
    import optuna

    from webapp.runs.models import Run
    from webapp.sweeps.services import storage

    sweep = post(client, body(trials=4, parallel=2)).json()
    finish(sweep["trials"][0]["run"], 0.8)
    cancelled = client.post(f"/api/sweeps/{sweep['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    statuses = [t["status"] for t in cancelled["trials"]]
    assert statuses == ["succeeded", "cancelled", "cancelled"], statuses
    assert cancelled["best"] == [0]
    assert client.post(f"/api/sweeps/{sweep['id']}/cancel").status_code == 409
    assert client.delete(f"/api/sweeps/{sweep['id']}").status_code == 204
    assert not Run.objects.filter(sweep_id=sweep["id"]).exists() and not Run.objects.exists()
    assert client.get(f"/api/sweeps/{sweep['id']}").status_code == 404
    with pytest.raises(KeyError):
        optuna.load_study(study_name=sweep["study"], storage=storage())
