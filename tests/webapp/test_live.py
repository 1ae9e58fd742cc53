"""End to end through real processes: redis-server, daphne and a Celery worker (solo pool), all
started here on a fresh SQLite file; driven only over HTTP and the websocket, as a script would."""

import io
import json
import os
import signal
import time
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.services import (
    Api,
    create_token,
    digits_mlp,
    migrate,
    redis_server,
    start_celery_worker,
    start_daphne,
    webapp_env,
)
from tests.webapp.conftest import example

pytestmark = [pytest.mark.services, pytest.mark.timeout(300)]

HEARTBEAT_TIMEOUT = 5
QUICK = {"epochs": 2, "max_samples": 512, "batch_size": 32, "validation_split": 0.1}
LONG = {
    "epochs": 300,
    "max_samples": 256,
    "batch_size": 32,
    "validation_split": 0.1,
    "callbacks": {"tensorboard": False},
}


class Stack:
    def __init__(self, workdir: Path, redis_url: str):
        self.workdir = workdir
        self.env = webapp_env(
            workdir,
            redis_url,
            RUN_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
            DATASET_CACHE_DIR=os.environ.get("DATASET_CACHE_DIR", ""),
        )
        if not self.env["DATASET_CACHE_DIR"]:
            self.env.pop("DATASET_CACHE_DIR")
        migrate(self.env)
        self.alice_token = create_token(self.env, "alice")
        self.bob_token = create_token(self.env, "bob")
        self.web = start_daphne(self.env, workdir / "daphne.log")
        self.worker = start_celery_worker(self.env, workdir / "worker.log")
        self.web.ready()
        self.worker.ready()
        self.alice = Api(self.web.url, self.alice_token)
        self.bob = Api(self.web.url, self.bob_token)

    def stop(self):
        for service in (self.worker, self.web):
            service.stop()

    def ws(self, run_id: int, token: str | None = None, **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kw.pop("headers", {}))
        return connect(
            f"{self.web.ws_url}/ws/runs/{run_id}/",
            additional_headers=headers,
            open_timeout=20,
            proxy=None,
            max_size=2**24,
            **kw,
        )

    def start_run(self, graph, dataset="fashion_mnist", training=None, api=None) -> int:
        status, body, _ = (api or self.alice).post(
            "/api/runs", {"graph": graph, "dataset": dataset, "training": training or QUICK}
        )
        assert status == 201, body
        assert body["status"] == "queued"
        return body["id"]

    def wait_status(self, run_id: int, statuses, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, run, _ = self.alice.get(f"/api/runs/{run_id}")
            assert status == 200, run
            if run["status"] in statuses:
                return run
            time.sleep(0.3)
        raise AssertionError(f"run {run_id} still {run['status']} after {timeout}s\n{self.worker.log()[-3000:]}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # Its own redis-server: no worker of another stack may take this stack's tasks.
    with redis_server() as redis_url:
        s = Stack(tmp_path_factory.mktemp("live"), redis_url)
        yield s
        s.stop()


def receive_until(ws, types: set[str], timeout: float = 120) -> list[dict]:
    """Events until (and with) the first one of `types`."""
    events = []
    deadline = time.monotonic() + timeout
    while True:
        ev = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        events.append(ev)
        if ev["type"] in types:
            return events


def close_code(stack, run_id, token=None, **kw) -> int:
    with stack.ws(run_id, token, **kw) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    return closed.value.rcvd.code


def test_script_trains_streams_and_downloads_the_model(stack):
    run_id = stack.start_run(example("mnist_mlp"))
    with stack.ws(run_id, stack.alice_token) as ws:
        events = receive_until(ws, {"done", "error"})
    assert events[0]["type"] == "snapshot" and events[0]["run"]["id"] == run_id
    assert all(isinstance(e["t"], float) for e in events)
    types = [e["type"] for e in events]
    assert types[-1] == "done", events[-1]
    assert events[-1]["status"] == "succeeded" and "loss" in events[-1]["test"]
    epochs = [e for e in events if e["type"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert "val_accuracy" in epochs[-1]["metrics"]
    # Batches of epoch 1 come before its epoch event, and epoch 2's after it.
    first_batch = types.index("batch")
    assert first_batch < types.index("epoch")
    batches = [e for e in events if e["type"] == "batch"]
    assert batches[-1]["epoch"] == 2 and batches[-1]["step"] == batches[-1]["steps"]
    assert [e["t"] for e in events[1:]] == sorted(e["t"] for e in events[1:])

    status, run, _ = stack.alice.get(f"/api/runs/{run_id}")
    assert run["status"] == "succeeded" and len(run["history"]) == 2 and run["has_model"]
    # The batch points are kept too (for a reload or another viewer): every epoch, in order, to the end.
    points = [(b["epoch"], b["step"]) for b in run["batches"]]
    assert points == sorted(points) and {e for e, _ in points} == {1, 2}
    assert run["batches"][-1]["step"] == run["batches"][-1]["steps"] and "loss" in run["batches"][-1]["metrics"]
    assert "batches" not in stack.alice.get("/api/runs")[1][0]
    assert run["test"]["accuracy"] > 0.3 and run["best"]["metric"] == "val_accuracy"
    assert run["confusion"]["labels"][0] == "T-shirt/top" and run["samples"]
    # Trained in the worker process itself (solo pool: no fork), TensorFlow loaded before the first task.
    assert run["worker"].endswith(f"pid {stack.worker.pid}")
    log = stack.worker.log()
    assert log.index("worker ready to train on") < log.index("Task webapp.runs.tasks.train_run")

    status, body, headers = stack.alice.get(f"/api/runs/{run_id}/model")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    import keras

    path = stack.workdir / "downloaded.keras"
    path.write_bytes(body)
    model = keras.saving.load_model(path)
    predicted = model.predict({"pixels": np.zeros((3, 784), "float32")}, verbose=0)
    if isinstance(predicted, dict):  # outputs keyed by the Output blocks' names
        predicted = predicted["label"]
    assert predicted.shape == (3, 10)

    status, script, _ = stack.alice.get(f"/api/runs/{run_id}/script")
    assert status == 200 and b"keras" in script
    status, csv_text, _ = stack.alice.get(f"/api/runs/{run_id}/history.csv")
    assert csv_text.decode().splitlines()[0].startswith("epoch,") and len(csv_text.decode().splitlines()) == 3
    status, tb, _ = stack.alice.get(f"/api/runs/{run_id}/tensorboard")
    assert status == 200 and zipfile.ZipFile(io.BytesIO(tb)).namelist()
    # Not bob's: 404 over HTTP and the websocket alike.
    assert stack.bob.get(f"/api/runs/{run_id}/model")[0] == 404
    assert close_code(stack, run_id, stack.bob_token) == 4404


def test_second_viewer_gets_the_epochs_so_far_then_cancel_keeps_them(stack):
    run_id = stack.start_run(example("mnist_mlp"), training=LONG)
    with stack.ws(run_id, stack.alice_token) as first:
        early = receive_until(first, {"epoch"})
        with stack.ws(run_id, stack.alice_token) as second:
            snapshot = json.loads(second.recv(timeout=20))
            assert snapshot["type"] == "snapshot"
            assert snapshot["run"]["status"] == "running" and len(snapshot["run"]["history"]) >= 1
            assert snapshot["run"]["history"][0]["epoch"] == 1
            # The thin line too: the batch points of the epochs done so far, in order, from the server.
            points = [(b["epoch"], b["step"]) for b in snapshot["run"]["batches"]]
            assert points == sorted(points) and {e for e, _ in points} >= {1}
            seen = {(e["epoch"], e["step"]) for e in early if e["type"] == "batch"}
            assert seen and seen <= set(points)
            status, cancelled, _ = stack.alice.post(f"/api/runs/{run_id}/cancel")
            assert status == 200 and cancelled["cancel_requested"]
            rest_first = receive_until(first, {"done", "error"})
            rest_second = receive_until(second, {"done", "error"})
    assert early[0]["type"] == "snapshot"
    for events in (rest_first, rest_second):
        assert events[-1]["type"] == "done" and events[-1]["status"] == "cancelled"
    # Both viewers got every epoch event published after the second joined.
    last = snapshot["run"]["history"][-1]["epoch"]
    after = lambda evs: [e["epoch"] for e in evs if e["type"] == "epoch" and e["epoch"] > last]  # noqa: E731
    assert after(rest_first) == after(rest_second)
    run = stack.wait_status(run_id, {"cancelled"}, timeout=10)
    assert 1 <= len(run["history"]) < LONG["epochs"] and run["has_model"] and run["test"]
    points = [(b["epoch"], b["step"]) for b in run["batches"]]
    assert points == sorted(points) and {e for e, _ in points} >= set(range(1, len(run["history"]) + 1))
    assert set(points) >= {(e["epoch"], e["step"]) for e in rest_first if e["type"] == "batch"}
    assert run["worker"].endswith(f"pid {stack.worker.pid}")
    assert stack.alice.post(f"/api/runs/{run_id}/cancel")[0] == 409


def test_nan_loss_fails_with_a_readable_message(stack):
    graph = {
        "version": 1,
        "name": "exploding",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [10]}},
            {"id": "hidden", "type": "Dense", "params": {"units": 64, "activation": "relu"}},
            {"id": "value", "type": "Dense", "params": {"units": 1}},
            {"id": "target", "type": "Output", "params": {"loss": "mean_squared_error"}},
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "value"},
            {"source": "value", "target": "target"},
        ],
    }
    run_id = stack.start_run(
        graph, "diabetes", {"epochs": 20, "optimizer": "sgd", "learning_rate": 10, "batch_size": 8}
    )
    run = stack.wait_status(run_id, {"failed", "succeeded"})
    assert run["status"] == "failed"
    assert "NaN" in run["error"] and "learning rate" in run["error"]
    assert "Traceback" not in run["error"] and 'File "' not in run["error"]


def test_binding_error_is_400_before_anything_is_queued(stack):
    graph = example("mnist_mlp")
    graph["nodes"][0]["params"]["shape"] = [100]
    before = stack.alice.get("/api/runs")[1]
    status, body, _ = stack.alice.post("/api/runs", {"graph": graph, "dataset": "fashion_mnist", "training": QUICK})
    assert status == 400
    assert body["errors"][0]["node"] == "pixels" and "784" in body["errors"][0]["message"]
    assert stack.alice.get("/api/runs")[1] == before


def test_websocket_refuses_others_strangers_and_cross_site_pages(stack):
    run_id = stack.start_run(example("mnist_mlp_tiny"), training={"epochs": 1, "max_samples": 64})
    assert close_code(stack, run_id, origin=stack.web.url) == 4401  # anonymous: no cookie, no token
    assert close_code(stack, run_id, "kc_not-a-token") == 4401
    assert close_code(stack, run_id, stack.bob_token) == 4404
    assert close_code(stack, 999_999, stack.alice_token) == 4404

    # A browser: session cookie from logging in, CSRF token from /api/auth/me, Origin of the site.
    browser = Api(stack.web.url)
    browser.get("/api/auth/me")
    status, body, _ = browser.post("/api/auth/signup", {"username": "carol", "password": "a-long-passphrase"})
    assert status == 200, body
    carol_run = stack.start_run(example("mnist_mlp_tiny"), training={"epochs": 1, "max_samples": 64}, api=browser)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    with stack.ws(carol_run, headers={"Cookie": cookie}, origin=stack.web.url) as ws:
        assert json.loads(ws.recv(timeout=20))["type"] == "snapshot"
    # a page on another site cannot ride on carol's cookie
    with pytest.raises(InvalidStatus), stack.ws(carol_run, headers={"Cookie": cookie}, origin="http://evil.example"):
        pass
    assert close_code(stack, run_id, headers={"Cookie": cookie}, origin=stack.web.url) == 4404
    stack.wait_status(run_id, {"succeeded"})


# --- system metrics: the worker samples its CPU and memory while it trains, streams them as `system`
# events and keeps them with the run (GET /api/runs/{id} `system`) ------------------------------------

SYSTEM_TRAINING = {"epochs": 6, "batch_size": 16, "validation_split": 0.1, "callbacks": {"tensorboard": False}}


def test_a_run_streams_and_keeps_its_system_samples(stack):
    run_id = stack.start_run(digits_mlp(), dataset="digits", training=SYSTEM_TRAINING)
    with stack.ws(run_id, stack.alice_token) as ws:
        events = receive_until(ws, {"done", "error"})
    assert events[-1]["type"] == "done" and events[-1]["status"] == "succeeded", events[-1]
    streamed = [e for e in events if e["type"] == "system"]
    assert streamed, "no system event while the run trained"

    deadline = time.monotonic() + 20
    while True:  # the last samples are written as the task ends, just after the run's status
        run = stack.alice.get(f"/api/runs/{run_id}")[1]
        if len(run["system"]) > len(streamed) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    kept = run["system"]
    assert len(kept) > len(streamed), (len(kept), len(streamed))  # every streamed one, plus the last
    by_time = {s["t"]: s for s in kept}
    for ev in streamed:  # the stored samples are the events, without their type
        assert by_time[ev["t"]] == {k: v for k, v in ev.items() if k != "type"}
    times = [s["t"] for s in kept]
    assert times == sorted(times)
    started = datetime.fromisoformat(run["started_at"]).timestamp()
    assert started - 5 <= times[0] and times[-1] <= time.time() + 5
    for s in kept:
        assert 0 <= s["cpu"] < 10_000
        assert 100 * 2**20 < s["memory"] < 64 * 2**30  # a worker with TensorFlow loaded, in bytes
    assert "gpu" not in json.dumps(kept) or all("gpu_memory" in s for s in kept)


def db_status(stack, run_id: int, wanted: str, timeout: float) -> str:
    """The run's status read straight from the SQLite file the stack uses (no API read involved)."""
    import sqlite3

    path = stack.env["DATABASE_URL"].removeprefix("sqlite:///")
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(path, timeout=10) as conn:
            (status,) = conn.execute("SELECT status FROM runs_run WHERE id = ?", (run_id,)).fetchone()
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_killed_worker_leaves_no_run_running(stack):
    """Last in this module: it kills the shared worker with SIGKILL mid-run."""
    run_id = stack.start_run(example("mnist_mlp"), training=LONG)
    with stack.ws(run_id, stack.alice_token) as ws:
        receive_until(ws, {"epoch"})
        os.kill(stack.worker.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        # No read over HTTP until the database says failed: the web process's watchdog does it.
        assert db_status(stack, run_id, "failed", timeout=HEARTBEAT_TIMEOUT + 15) == "failed"
        events = receive_until(ws, {"error"}, timeout=10)
        run = stack.wait_status(run_id, {"failed"}, timeout=5)
    assert time.monotonic() - killed_at < HEARTBEAT_TIMEOUT + 10
    assert "worker stopped" in run["error"] and len(run["history"]) >= 1
    assert events[-1]["message"] == run["error"]
