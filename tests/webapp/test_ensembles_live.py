"""Ensembles and cross-validation end to end through real processes: redis-server, daphne (with its watchdog)
and a Celery worker on a fresh SQLite file, driven over HTTP. Every run is tiny: digits, a small Dense, 3
epochs. The downloaded ensemble, loaded in a fresh process, predicts the test split with exactly the accuracy
the API reported; a 3-fold cross-validation's mean and std are those of its runs' histories."""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.services import (
    PYTHON,
    ROOT,
    Api,
    create_token,
    migrate,
    redis_server,
    start_celery_worker,
    start_daphne,
    webapp_env,
)

pytestmark = [pytest.mark.services, pytest.mark.timeout(900)]

TRAINING = {"epochs": 3, "batch_size": 32, "validation_split": 0.2, "callbacks": {"tensorboard": False}}


def digits_graph(output: str = "target") -> dict:
    return {
        "version": 1,
        "name": "digits_mlp",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}},
            {"id": "hidden", "type": "Dense", "params": {"units": 12, "activation": "relu"}},
            {"id": "probs", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {
                "id": output,
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "probs"},
            {"source": "probs", "target": output},
        ],
    }


class Stack:
    def __init__(self, workdir: Path, redis_url: str):
        self.workdir = workdir
        self.env = webapp_env(workdir, redis_url, RUN_HEARTBEAT_TIMEOUT="30")
        if os.environ.get("DATASET_CACHE_DIR"):
            self.env["DATASET_CACHE_DIR"] = os.environ["DATASET_CACHE_DIR"]
        migrate(self.env)
        self.alice = Api("", create_token(self.env, "alice"))
        self.bob_token = create_token(self.env, "bob")
        self.web = start_daphne(self.env, workdir / "daphne.log")
        self.worker = start_celery_worker(self.env, workdir / "worker.log")
        self.web.ready()
        self.worker.ready()
        self.alice = Api(self.web.url, self.alice.token)
        self.bob = Api(self.web.url, self.bob_token)

    def stop(self):
        for service in (self.worker, self.web):
            service.stop()

    def wait(self, path: str, done, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            status, body, _ = self.alice.get(path)
            assert status == 200, body
            if done(body):
                return body
            time.sleep(0.5)
        raise AssertionError(f"{path}: {json.dumps(body)[:3000]}\n{self.worker.log()[-4000:]}")

    def run(self, seed: int, **training) -> int:
        status, body, _ = self.alice.post(
            "/api/runs",
            {"graph": digits_graph(), "dataset": "digits", "training": {**TRAINING, "seed": seed, **training}},
        )
        assert status == 201, body
        return body["id"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with redis_server() as redis_url:
        s = Stack(tmp_path_factory.mktemp("ensembles"), redis_url)
        yield s
        s.stop()


@pytest.fixture(scope="module")
def three_runs(stack) -> list[int]:
    ids = [stack.run(seed) for seed in (1, 2, 3)]
    for run_id in ids:
        run = stack.wait(f"/api/runs/{run_id}", lambda r: r["status"] in ("succeeded", "failed", "cancelled"))
        assert run["status"] == "succeeded", run
    return ids


FINISHED = ("succeeded", "failed")


def accuracy_in_a_fresh_process(path: Path) -> float:
    script = f"""
import json
import numpy as np, keras
from trainer.datasets import load_builtin
model = keras.saving.load_model({str(path)!r})
ds = load_builtin("digits")
pred = model.predict(ds.x_test["features"].astype("float32"), verbose=0)
print(json.dumps(float(np.mean(pred.argmax(-1) == ds.y_test["target"].reshape(-1)))))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_uniform_and_optimised_ensembles_of_three_runs(stack, three_runs, tmp_path):
    made = {}
    for weights in ("uniform", "optimize"):
        status, body, _ = stack.alice.post("/api/ensembles", {"runs": three_runs, "weights": weights, "name": weights})
        assert status == 201 and body["status"] == "queued", body
        made[weights] = body["id"]
    for weights, ensemble_id in made.items():
        detail = stack.wait(f"/api/ensembles/{ensemble_id}", lambda e: e["status"] in FINISHED)
        assert detail["status"] == "succeeded", detail
        assert [m["run"] for m in detail["members"]] == three_runs
        assert math.isclose(sum(detail["weights"]), 1.0, abs_tol=1e-9) and min(detail["weights"]) >= 0
        best = max(m["test"]["accuracy"] for m in detail["members"])
        assert detail["gain"]["best_member"] == best and detail["gain"]["metric"] == "accuracy"
        assert math.isclose(detail["gain"]["value"], detail["test"]["accuracy"] - best, abs_tol=1e-12)
        test_size = next(i for i in stack.alice.get("/api/datasets")[1] if i["name"] == "digits")["test_size"]
        assert sum(map(sum, detail["confusion"]["matrix"])) == test_size
        assert set(detail["disagreements"]["counts"]) == {"ensemble_right", "ensemble_wrong"}
        # The members' own accuracies are their runs' (same test split, same model).
        for member in detail["members"]:
            _, run, _ = stack.alice.get(f"/api/runs/{member['run']}")
            assert math.isclose(member["test"]["accuracy"], run["test"]["accuracy"], abs_tol=1e-6)
        # The downloaded .keras, in a fresh process: exactly the accuracy the API reported.
        status, data, headers = stack.alice.get(f"/api/ensembles/{ensemble_id}/model")
        assert status == 200 and headers["Content-Type"] == "application/octet-stream"
        path = tmp_path / f"{weights}.keras"
        path.write_bytes(data)
        assert accuracy_in_a_fresh_process(path) == detail["test"]["accuracy"]
        if weights == "uniform":
            assert detail["weights_from"] == "uniform" and detail["validation"] is None
            assert detail["weights"] == [1 / 3] * 3
        else:
            assert detail["weights_from"] == "validation" and detail["validation"]["samples"] > 0
    listed = [e["id"] for e in stack.alice.get("/api/ensembles")[1]]
    assert set(made.values()) <= set(listed)
    # Someone else: 404 everywhere.
    ensemble_id = made["uniform"]
    for path in (f"/api/ensembles/{ensemble_id}", f"/api/ensembles/{ensemble_id}/model"):
        assert stack.bob.get(path)[0] == 404
    assert stack.bob.delete(f"/api/ensembles/{ensemble_id}")[0] == 404
    assert stack.bob.get("/api/ensembles")[1] == []
    # Deleting: gone, and its file too.
    files = list((stack.workdir / "media" / "ensembles" / str(ensemble_id)).glob("*.keras"))
    assert files
    assert stack.alice.delete(f"/api/ensembles/{ensemble_id}")[0] == 204
    assert stack.alice.get(f"/api/ensembles/{ensemble_id}")[0] == 404
    assert not any(f.exists() for f in files)


def test_refusals_over_http_name_the_run(stack, three_runs):
    a, b, _ = three_runs
    status, theirs, _ = stack.bob.post(
        "/api/runs", {"graph": digits_graph(), "dataset": "digits", "training": {**TRAINING, "epochs": 1}}
    )
    assert status == 201
    other_output = stack.run(5, epochs=1)
    # a run with another Output name: trained, then refused
    status, renamed, _ = stack.alice.post(
        "/api/runs", {"graph": digits_graph("label"), "dataset": "digits", "training": {**TRAINING, "epochs": 1}}
    )
    assert status == 201
    iris = {
        "version": 1,
        "name": "iris",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [4]}},
            {"id": "probs", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
            {"id": "target", "type": "Output", "params": {"loss": "sparse_categorical_crossentropy"}},
        ],
        "edges": [{"source": "features", "target": "probs"}, {"source": "probs", "target": "target"}],
    }
    status, iris_run, _ = stack.alice.post("/api/runs", {"graph": iris, "dataset": "iris", "training": {"epochs": 1}})
    assert status == 201
    # still queued behind nothing, or running: not succeeded yet
    status, refused, _ = stack.alice.post("/api/ensembles", {"runs": [a, renamed["id"]]})
    assert status == 400 and f"run {renamed['id']}" in refused["detail"], refused
    for run_id in (other_output, renamed["id"], iris_run["id"]):
        stack.wait(f"/api/runs/{run_id}", lambda r: r["status"] in ("succeeded", "failed"))
    cases = [
        ({"runs": [a]}, "at least two runs"),
        ({"runs": [a, theirs["id"]]}, f"run {theirs['id']} is not one of your runs"),
        ({"runs": [a, renamed["id"]]}, f"run {renamed['id']} has the Outputs 'label'"),
        ({"runs": [a, iris_run["id"]]}, f"run {iris_run['id']} was trained on 'iris'"),
        ({"runs": [a, b], "weights": [1, -2]}, f"the weight of run {b} must not be negative"),
        ({"runs": [a, b], "weights": [0, 0]}, "all zero"),
        ({"runs": [a, b], "weights": [1]}, "one number per run"),
    ]
    for body, words in cases:
        status, answer, _ = stack.alice.post("/api/ensembles", body)
        assert status == 400 and words in answer["detail"], (body, answer)


def test_three_fold_crossval_runs_its_folds_and_their_test_ensemble(stack, tmp_path):
    body = {"graph": digits_graph(), "dataset": "digits", "training": {**TRAINING, "seed": 7}, "folds": 3}
    status, created, _ = stack.alice.post("/api/crossval", body)
    assert status == 201 and len(created["runs"]) == 3, created
    assert stack.bob.get(f"/api/crossval/{created['id']}")[0] == 404
    detail = stack.wait(f"/api/crossval/{created['id']}", lambda c: c["status"] in ("succeeded", "failed"), timeout=400)
    assert detail["status"] == "succeeded", detail
    runs = [stack.alice.get(f"/api/runs/{run_id}")[1] for run_id in created["runs"]]
    assert [r["training"]["crossval"]["fold"] for r in runs] == [0, 1, 2]
    # Each fold validated on its own third of the training split (digits: 1437 training samples).
    # mean and std of the last and the best epoch, from the runs' own histories
    for key in ("loss", "val_loss", "val_accuracy"):
        last = [r["history"][-1]["metrics"][key] for r in runs]
        best = [next(e for e in r["history"] if e["epoch"] == r["best"]["epoch"])["metrics"][key] for r in runs]
        for which, values in (("last", last), ("best", best)):
            entry = detail["metrics"][key][which]
            mean = sum(values) / 3
            assert entry["values"] == values
            assert math.isclose(entry["mean"], mean, rel_tol=1e-12)
            assert math.isclose(entry["std"], math.sqrt(sum((v - mean) ** 2 for v in values) / 3), rel_tol=1e-9)
    # Its test ensemble: uniform over the three fold models, downloadable, the accuracy it reports.
    ensemble = stack.alice.get(f"/api/ensembles/{detail['ensemble']['id']}")[1]
    assert ensemble["status"] == "succeeded" and ensemble["runs"] == created["runs"]
    assert ensemble["crossval"] == created["id"] and ensemble["weights"] == [1 / 3] * 3
    assert detail["ensemble"]["test"] == ensemble["test"]
    status, data, _ = stack.alice.get(f"/api/ensembles/{ensemble['id']}/model")
    assert status == 200
    path = tmp_path / "crossval.keras"
    path.write_bytes(data)
    assert accuracy_in_a_fresh_process(path) == ensemble["test"]["accuracy"]
