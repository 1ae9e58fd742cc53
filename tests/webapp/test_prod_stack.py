"""The production stack (scripts/prodstack.py, what `scripts/prod.sh` starts), started by the test under
a temporary folder: nginx in front of two daphne processes, PostgreSQL, Redis with its append-only file,
two Celery workers. Driven only through nginx, over HTTP and the websocket (issue 14)."""

import json
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from scripts.prodstack import ProdStack
from tests.services import Api, digits_mlp, free_port

pytestmark = [pytest.mark.services, pytest.mark.timeout(600)]

MAX_UPLOAD = 1024 * 1024  # small, so that "twice the limit" is quick to claim
EPOCHS = 14
TRAINING = {
    "epochs": EPOCHS,
    "max_samples": 1400,
    "batch_size": 8,
    "validation_split": 0.2,
    "callbacks": {"tensorboard": False},
}


@pytest.fixture(scope="module")
def stack():
    root = Path(tempfile.mkdtemp(prefix="test-prod-"))
    s = ProdStack(
        root,
        port=free_port(),
        nginx_workers="1",  # one round-robin: two sockets opened in a row land on the two daphne processes
        env={"MAX_UPLOAD_BYTES": str(MAX_UPLOAD), "LOG_LEVEL": "INFO"},
        quiet=True,
    )
    s.start()
    s.token = s.manage("create_token", "alice", "--name", "prod", "--create-user").splitlines()[-1]
    yield s
    s.stop()


def ws_connect(stack, run_id: int):
    return connect(
        f"{stack.ws_url}/ws/runs/{run_id}/",
        additional_headers={"Authorization": f"Bearer {stack.token}"},
        open_timeout=20,
        proxy=None,
        max_size=2**24,
    )


class Viewer:
    """A websocket viewer of one run through nginx that reconnects when its daphne goes away, and keeps
    every epoch it was told of (live events and the snapshots of each reconnection)."""

    def __init__(self, stack, run_id: int):
        self.stack, self.run_id = stack, run_id
        self.epochs: set[int] = set()
        self.closed = 0
        self.done: dict | None = None
        self.ws = ws_connect(stack, run_id)

    def take(self, ev: dict) -> None:
        if ev["type"] == "snapshot":
            self.epochs.update(h["epoch"] for h in ev["run"]["history"])
            if ev["run"]["status"] in ("succeeded", "failed", "cancelled"):
                self.done = {"type": "done", "status": ev["run"]["status"]}
        elif ev["type"] == "epoch":
            self.epochs.add(ev["epoch"])
        elif ev["type"] in ("done", "error"):
            self.done = ev

    def until(self, predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            try:
                self.take(json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))))
            except TimeoutError:
                break
            except ConnectionClosed:
                self.closed += 1
                self.ws = ws_connect(self.stack, self.run_id)  # nginx sends it to a daphne that is up

    def close(self) -> None:
        self.ws.close()


def worker_training(stack, run: dict) -> int:
    pid = int(run["worker"].rpartition(" pid ")[2])
    (index,) = [i for i, w in enumerate(stack.workers) if w.pid == pid]
    return index


def test_a_run_through_nginx_survives_a_daphne_and_a_worker_restart(stack):
    api = Api(stack.url, stack.token)
    assert stack.env["DATABASE_URL"].startswith("postgres://") and stack.env["DEBUG"] == "0"
    status, page, headers = api.get("/static/admin/css/base.css")  # collectstatic's folder, by nginx
    assert status == 200 and headers["Content-Type"] == "text/css" and b"body" in page
    status, me, _ = api.get("/api/auth/me")
    assert status == 200 and me["username"] == "alice"

    status, body, _ = api.post("/api/runs", {"graph": digits_mlp(32), "dataset": "digits", "training": TRAINING})
    assert status == 201, body
    run_id = body["id"]
    viewers = [Viewer(stack, run_id), Viewer(stack, run_id)]  # one on each daphne
    viewers[0].until(lambda: len(viewers[0].epochs) >= 1, timeout=120)
    assert viewers[0].epochs, "no epoch after 120 s"
    status, run, _ = api.get(f"/api/runs/{run_id}")
    assert run["status"] == "running" and len(run["history"]) < EPOCHS - 2, run["history"]

    # mid-run: daphne 0 stopped and started again; the worker that trains the run gets SIGTERM (a warm
    # shutdown: it finishes the run, then exits) and is started again
    trainer_index = worker_training(stack, run)
    stack.web[0].stop()
    stack.start_web(0, wait=False)
    worker = stack.workers[trainer_index]
    worker.proc.terminate()
    stopped = threading.Thread(target=worker.proc.wait, daemon=True)
    stopped.start()

    for viewer in viewers:
        viewer.until(lambda v=viewer: v.done is not None, timeout=180)
    stopped.join(60)
    assert not stopped.is_alive(), "the worker did not exit after its run"
    stack.start_worker(trainer_index)
    stack.wait_web(0)

    status, run, _ = api.get(f"/api/runs/{run_id}")
    assert status == 200 and run["status"] == "succeeded", (run["status"], run["error"])
    assert [h["epoch"] for h in run["history"]] == list(range(1, EPOCHS + 1))  # its history complete
    assert run["has_model"] and run["test"]
    for viewer in viewers:
        assert viewer.done is not None and viewer.done.get("status") == "succeeded", viewer.done
        assert viewer.epochs == set(range(1, EPOCHS + 1))  # every epoch seen, across reconnections
        viewer.close()
    assert sum(v.closed for v in viewers) >= 1  # the restart did cut a viewer's socket: it came back

    # both daphne processes answer again, and the restarted worker trains
    for _ in range(6):
        assert api.get(f"/api/runs/{run_id}")[0] == 200
    quick = {**TRAINING, "epochs": 1, "max_samples": 300}
    done = []
    for _ in range(2):
        status, body, _ = api.post("/api/runs", {"graph": digits_mlp(), "dataset": "digits", "training": quick})
        assert status == 201, body
        done.append(body["id"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        statuses = [api.get(f"/api/runs/{i}")[1]["status"] for i in done]
        if all(s == "succeeded" for s in statuses):
            break
        time.sleep(0.5)
    assert statuses == ["succeeded", "succeeded"]


def raw_request(stack, head: str, body: bytes, timeout: float = 5) -> tuple[bytes, float]:
    """Send `head` and `body` to nginx; answers what came back and when (seconds after the head)."""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=timeout) as conn:
        conn.sendall(head.encode())
        sent = time.monotonic()
        if body:
            conn.sendall(body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        return data, time.monotonic() - sent


def test_an_upload_over_the_limit_is_refused_by_nginx_before_its_body(stack):
    claimed = 2 * stack.max_body
    head = (
        "POST /api/datasets HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{stack.port}\r\n"
        f"Authorization: Bearer {stack.token}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {claimed}\r\n\r\n"
    )
    part = b"--xyz\r\n" + os.urandom(16 * 1024)  # a sliver of what was claimed; the rest is never sent
    answer, after = raw_request(stack, head, part)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert after < 2, after  # answered at once: nginx did not wait for 2x the limit
    assert b"application/json" in answer
    error_log = (stack.log_dir / "nginx-error.log").read_text()
    assert f"client intended to send too large body: {claimed} bytes" in error_log

    # under the limit, the request reaches Django (which answers for itself: a bad file is a 400 JSON)
    small = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\na,b\r\n--xyz--\r\n'
    head_small = head.replace(f"Content-Length: {claimed}", f"Content-Length: {len(small)}")
    answer, _ = raw_request(stack, head_small + "", small, timeout=30)
    status = int(answer.split(b" ", 2)[1])
    assert status != 413 and 200 <= status < 500, answer[:300]
