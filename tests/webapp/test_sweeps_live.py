"""Sweeps end to end through real processes: redis-server, daphne (with its stale-run watchdog) and a
Celery worker, on a fresh SQLite file that Optuna's study shares with Django; driven over HTTP and
the websocket. Every trial is tiny: digits, a small Dense, 1-3 epochs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.services import (
    PYTHON,
    ROOT,
    redis_server,
    start_celery_worker,
)
from tests.webapp.test_live import Stack as LiveStack

pytestmark = [pytest.mark.services, pytest.mark.timeout(600)]

HEARTBEAT_TIMEOUT = 5
TRAINING = {"epochs": 2, "batch_size": 32, "validation_split": 0.2, "seed": 3}
SPACE = [
    {"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 48},
    {"target": "nodes.drop.rate", "kind": "float", "low": 0.0, "high": 0.5},
    {"target": "training.learning_rate", "kind": "float", "low": 0.0005, "high": 0.05, "log": True},
]
FINISHED = {"succeeded", "failed", "cancelled", "pruned"}


def digits_graph() -> dict:
    return {
        "version": 1,
        "name": "digits_mlp",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}},
            {"id": "hidden", "type": "Dense", "params": {"units": 16, "activation": "relu"}},
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


class Stack(LiveStack):
    """test_live's stack (redis, daphne, a worker, alice and bob), with the sweeps' websocket."""

    def ws(self, sweep_id: int, token: str | None, **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return connect(
            f"{self.web.ws_url}/ws/sweeps/{sweep_id}/",
            additional_headers=headers,
            **kw,
            open_timeout=20,
            proxy=None,
            max_size=2**24,
        )

    def start(self, **over) -> dict:
        body = {
            "graph": digits_graph(),
            "dataset": "digits",
            "training": TRAINING,
            "space": SPACE,
            "sampler": "random",
            "trials": 4,
            "parallel": 1,
            "seed": 11,
        }
        body.update(over)
        status, answer, _ = self.alice.post("/api/sweeps", body)
        assert status == 201, answer
        return answer

    def get(self, sweep_id: int) -> dict:
        status, sweep, _ = self.alice.get(f"/api/sweeps/{sweep_id}")
        assert status == 200, sweep
        return sweep

    def wait(self, sweep_id: int, test, timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sweep = self.get(sweep_id)
            if test(sweep):
                return sweep
            time.sleep(0.3)
        raise AssertionError(f"sweep {sweep_id}: {json.dumps(sweep)[:2000]}\n{self.worker.log()[-3000:]}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with redis_server() as redis_url:
        s = Stack(tmp_path_factory.mktemp("sweeps"), redis_url)
        yield s
        s.stop()


def test_a_random_sweep_of_four_trials_streams_and_finds_the_best(stack):
    sweep = stack.start()
    events = []
    with stack.ws(sweep["id"], stack.alice_token) as ws:
        deadline = time.monotonic() + 240
        while True:
            ev = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            events.append(ev)
            if ev["type"] == "done":
                break
    assert events[0]["type"] == "snapshot" and events[0]["sweep"]["id"] == sweep["id"]
    trial_events = [e for e in events if e["type"] == "trial"]
    # Each trial seen at least queued or running, then finished with its values.
    finished = {e["trial"]["number"]: e["trial"] for e in trial_events if e["trial"]["status"] in FINISHED}
    assert sorted(finished) == [0, 1, 2, 3], [e["trial"]["status"] for e in trial_events]
    assert any(e["trial"]["status"] == "running" for e in trial_events)
    assert events[-1]["status"] == "succeeded"

    done = stack.get(sweep["id"])
    assert done["status"] == "succeeded" and done["counts"]["succeeded"] == 4
    assert len(done["trials"]) == 4 and [t["number"] for t in done["trials"]] == [0, 1, 2, 3]
    values = []
    for trial in done["trials"]:
        p = trial["params"]
        assert 8 <= p["nodes.hidden.units"] <= 48 and isinstance(p["nodes.hidden.units"], int)
        assert 0.0 <= p["nodes.drop.rate"] <= 0.5
        assert 0.0005 <= p["training.learning_rate"] <= 0.05
        assert trial["state"] == "complete" and trial["epochs_done"] == 2
        _, run, _ = stack.alice.get(f"/api/runs/{trial['run']}")
        assert run["sweep"] == sweep["id"] and run["trial_number"] == trial["number"]
        # The run trained what the trial says, and its objective is its best epoch's val_accuracy.
        hidden = next(n for n in run["graph"]["nodes"] if n["id"] == "hidden")
        assert hidden["params"]["units"] == p["nodes.hidden.units"]
        assert run["training"]["learning_rate"] == p["training.learning_rate"]
        best_epoch = max(h["metrics"]["val_accuracy"] for h in run["history"])
        assert trial["values"] == [pytest.approx(best_epoch)]
        # A trial makes only what comparing needs.
        assert not run["has_tensorboard"] and run["samples"] == [] and run["confusion"] is None
        values.append(trial["values"][0])
    assert len({t["params"]["nodes.hidden.units"] for t in done["trials"]}) > 1
    best = done["trials"][done["best"][0]]
    assert best["values"][0] == max(values)
    assert done["importances"] and set(done["importances"]) <= {d["target"] for d in SPACE}
    _, runs, _ = stack.alice.get("/api/runs")
    assert sum(r["sweep"] == sweep["id"] for r in runs) == 4

    # Trials are comparable: the best trial's graph and settings in a fresh `manage.py train` give the
    # warm worker's result exactly.
    _, run, _ = stack.alice.get(f"/api/runs/{best['run']}")
    path = stack.workdir / "best.json"
    path.write_text(json.dumps(run["graph"]))
    proc = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "train",
            str(path),
            "--dataset",
            "digits",
            "--training",
            json.dumps(run["training"]),
            "--out",
            str(stack.workdir / "best.keras"),
            "--quiet",
        ],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    cli = json.loads(proc.stdout.strip().splitlines()[-1])

    def figures(history, test):
        return {"history": [{k: h[k] for k in ("epoch", "metrics", "lr")} for h in history], "test": test}

    assert figures(cli["history"], cli["test"]) == figures(run["history"], run["test"])


def test_a_median_pruner_prunes_the_absurd_learning_rate(stack):
    sweep = stack.start(
        space=[{"target": "training.learning_rate", "kind": "float", "low": 1e-7, "high": 0.1, "log": True}],
        training={**TRAINING, "epochs": 3},
        pruner={"name": "median", "startup_trials": 1},
        trials=2,
        enqueue=[{"training.learning_rate": 0.05}, {"training.learning_rate": 1e-7}],
    )
    done = stack.wait(sweep["id"], lambda s: s["status"] != "running")
    good, absurd = done["trials"]
    assert good["status"] == "succeeded" and good["epochs_done"] == 3 and good["state"] == "complete"
    assert absurd["params"] == {"training.learning_rate": 1e-7}
    assert absurd["status"] == "pruned" and absurd["state"] == "pruned", absurd
    assert absurd["pruned_epoch"] == 1 and absurd["epochs_done"] == 1
    _, run, _ = stack.alice.get(f"/api/runs/{absurd['run']}")
    assert run["status"] == "pruned" and run["pruned_epoch"] == 1 and len(run["history"]) == 1
    assert done["status"] == "succeeded" and done["best"] == [0]


def test_someone_elses_sweep_is_a_404_over_http_and_the_websocket(stack):
    sweep = stack.start(trials=1, training={**TRAINING, "epochs": 1})
    assert stack.bob.get(f"/api/sweeps/{sweep['id']}")[0] == 404
    assert stack.bob.post(f"/api/sweeps/{sweep['id']}/cancel")[0] == 404
    assert stack.bob.delete(f"/api/sweeps/{sweep['id']}")[0] == 404
    for token, code in ((stack.bob_token, 4404), (None, 4401)):
        with stack.ws(sweep["id"], token, origin=stack.web.url) as ws, pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == code
    stack.wait(sweep["id"], lambda s: s["status"] != "running")
    assert stack.alice.delete(f"/api/sweeps/{sweep['id']}")[0] == 204
    assert stack.alice.get(f"/api/runs/{sweep['trials'][0]['run']}")[0] == 404


def test_cancel_mid_sweep_stops_the_running_trial_and_keeps_the_finished_one(stack):
    long = {"epochs": 300, "max_samples": 256}
    sweep = stack.start(
        space=[{"target": "training.epochs", "kind": "choice", "choices": [1, 300]}],
        training={**TRAINING, "max_samples": 256},
        trials=3,
        enqueue=[{"training.epochs": 1}, {"training.epochs": long["epochs"]}],
    )
    stack.wait(sweep["id"], lambda s: len(s["trials"]) == 2 and s["trials"][1]["epochs_done"] >= 1)
    status, cancelled, _ = stack.alice.post(f"/api/sweeps/{sweep['id']}/cancel")
    assert status == 200 and cancelled["status"] == "cancelled"
    done = stack.wait(sweep["id"], lambda s: all(t["status"] in FINISHED for t in s["trials"]), timeout=60)
    assert [t["status"] for t in done["trials"]] == ["succeeded", "cancelled"]
    assert done["trials"][1]["epochs_done"] < 300 and done["best"] == [0]
    time.sleep(2)
    assert len(stack.get(sweep["id"])["trials"]) == 2  # nothing more was queued


def test_a_worker_killed_mid_trial_fails_that_trial_only(stack):
    """Last: it kills the shared worker with SIGKILL mid-trial, then starts another."""
    sweep = stack.start(
        space=[{"target": "training.epochs", "kind": "choice", "choices": [1, 300]}],
        training={**TRAINING, "max_samples": 256},
        trials=2,
        enqueue=[{"training.epochs": 300}, {"training.epochs": 1}],
    )
    stack.wait(sweep["id"], lambda s: s["trials"][0]["epochs_done"] >= 1)
    os.kill(stack.worker.pid, signal.SIGKILL)
    stack.worker.stop()
    # The web process's watchdog fails the trial and the sweep queues its next one.
    failed = stack.wait(sweep["id"], lambda s: len(s["trials"]) == 2, timeout=HEARTBEAT_TIMEOUT + 30)
    assert failed["trials"][0]["status"] == "failed" and "worker stopped" in failed["trials"][0]["error"]
    assert failed["status"] == "running"
    stack.worker = start_celery_worker(stack.env, stack.workdir / "worker2.log").ready()
    done = stack.wait(sweep["id"], lambda s: s["status"] != "running")
    assert done["status"] == "succeeded"
    assert [t["status"] for t in done["trials"]] == ["failed", "succeeded"]
    assert [t["state"] for t in done["trials"]] == ["fail", "complete"] and done["best"] == [1]
