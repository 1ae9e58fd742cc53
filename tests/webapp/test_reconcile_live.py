"""Restarts lose nothing (issue 14, findings 2 and 8), with real processes: redis-server, daphne (its
watchdog reconciles queued runs) and Celery workers (solo pool) on a fresh SQLite file.

- Redis killed with SIGKILL while runs wait for a worker: without persistence the broker comes back
  empty and the web process sends each lost task again, once; with the append-only file the messages
  come back and nothing is sent twice. Either way every run trains once and succeeds.
- A worker killed with SIGKILL mid-run: its run is failed within the promised RUN_HEARTBEAT_TIMEOUT
  (60 s), and the next worker's start removes the work folder the dead one left."""

import os
import re
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import redis

from tests.services import (
    Api,
    RedisProcess,
    create_token,
    digits_mlp,
    free_port,
    migrate,
    start_celery_worker,
    start_daphne,
    webapp_env,
)

pytestmark = [pytest.mark.services, pytest.mark.timeout(400)]

REQUEUE_AFTER = 3
PROMISED = 60  # RUN_HEARTBEAT_TIMEOUT's default: a killed worker's run is failed within it
QUICK = {
    "epochs": 1,
    "max_samples": 200,
    "batch_size": 32,
    "validation_split": 0.2,
    "callbacks": {"tensorboard": False},
}
LONG = {**QUICK, "epochs": 500}
RESENT = re.compile(r"run (\d+): queued with no task in the broker; its task was sent again")


class Stack:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.redis = RedisProcess(workdir / "redis-0", appendonly=False, port=self.port).start()
        self.tmp = workdir / "work"  # the workers' RUN_WORK_DIR: their run-<id>-* folders
        self.tmp.mkdir()
        self.env = webapp_env(
            workdir, self.redis.url, RUN_HEARTBEAT_TIMEOUT=str(PROMISED), RUN_REQUEUE_AFTER=str(REQUEUE_AFTER)
        )
        self.env.setdefault("SECRET_KEY", "test-reconcile-live-secret-key-0123456789-abcdefghijklmnop")
        self.env["DEBUG"] = "0"
        self.env["RUN_WORK_DIR"] = str(self.tmp)
        migrate(self.env)
        self.api = Api("http://unused", create_token(self.env, "alice"))
        self.web = start_daphne(self.env, workdir / "daphne.log").ready()
        self.api.base_url = self.web.url
        self.workers: list = []
        self.restarts = 0

    def restart_redis(self, appendonly: bool) -> None:
        """SIGKILL the redis-server, then a fresh one on the same port (a new folder without the append-only
        file, or the same folder with it)."""
        self.redis.kill()
        if not appendonly:
            self.restarts += 1
            self.redis = RedisProcess(self.workdir / f"redis-{self.restarts}", appendonly=False, port=self.port)
        self.redis.start()

    def use_aof(self) -> None:
        self.redis.kill()
        self.redis = RedisProcess(self.workdir / "redis-aof", appendonly=True, port=self.port).start()

    def broker(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url)

    def start_worker(self):
        worker = start_celery_worker(self.env, self.workdir / f"worker-{len(self.workers)}.log").ready()
        self.workers.append(worker)
        return worker

    def start_run(self, training=QUICK) -> int:
        status, body, _ = self.api.post("/api/runs", {"graph": digits_mlp(), "dataset": "digits", "training": training})
        assert status == 201, body
        return body["id"]

    def db(self, sql: str, *args):
        with sqlite3.connect(self.env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=10) as conn:
            return conn.execute(sql, args).fetchall()

    def statuses(self, ids: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(ids))
        return dict(self.db(f"SELECT id, status FROM runs_run WHERE id IN ({marks})", *ids))

    def wait_statuses(self, ids: list[int], wanted: str, timeout: float) -> dict[int, str]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.statuses(ids)
            if all(s == wanted for s in got.values()) or time.monotonic() > deadline:
                return got
            time.sleep(0.3)

    def resent(self) -> list[int]:
        return [int(m) for m in RESENT.findall(self.web.log())]

    def stop(self) -> None:
        for service in (*self.workers, self.web):
            service.stop()
        self.redis.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("reconcile"))
    yield s
    s.stop()


def worker_log_of(stack) -> str:
    return "\n".join(w.log()[-3000:] for w in stack.workers)


def test_runs_queued_when_redis_lost_them_are_sent_again_once_and_finish(stack):
    ids = [stack.start_run() for _ in range(3)]
    assert stack.broker().llen("training") == 3  # no worker yet: the messages wait in Redis
    stack.restart_redis(appendonly=False)
    assert stack.broker().llen("training") == 0  # SIGKILL, no persistence: the broker forgot them
    assert set(stack.statuses(ids).values()) == {"queued"}

    # the web process's watchdog sees runs queued for REQUEUE_AFTER seconds that the broker does not know
    deadline = time.monotonic() + REQUEUE_AFTER + 20
    while sorted(set(stack.resent()) & set(ids)) != ids and time.monotonic() < deadline:
        time.sleep(0.3)
    assert sorted(set(stack.resent()) & set(ids)) == ids, stack.web.log()[-3000:]
    assert stack.broker().llen("training") == 3

    worker = stack.start_worker()
    done = stack.wait_statuses(ids, "succeeded", timeout=120)
    assert set(done.values()) == {"succeeded"}, (done, worker_log_of(stack))
    time.sleep(REQUEUE_AFTER + 2)  # several more watchdog rounds: nothing is sent again
    assert sorted(r for r in stack.resent() if r in ids) == ids  # once each
    assert stack.broker().llen("training") == 0
    assert "not started" not in worker.log() and "raced" not in worker.log()  # each trained once
    worker.stop()


def test_runs_queued_survive_a_killed_redis_with_its_append_only_file(stack):
    stack.use_aof()
    ids = [stack.start_run() for _ in range(3)]
    assert stack.broker().llen("training") == 3
    stack.restart_redis(appendonly=True)
    assert stack.broker().llen("training") == 3  # the append-only file brought them back
    time.sleep(REQUEUE_AFTER + 3)  # past the threshold: the reconciler finds them in the queue
    assert not set(stack.resent()) & set(ids)
    worker = stack.start_worker()
    done = stack.wait_statuses(ids, "succeeded", timeout=120)
    assert set(done.values()) == {"succeeded"}, (done, worker_log_of(stack))
    assert not set(stack.resent()) & set(ids)
    assert "not started" not in worker.log() and "raced" not in worker.log()
    worker.stop()


def test_killed_worker_run_failed_within_60s_and_its_folder_swept_at_the_next_start(stack):
    worker = stack.start_worker()
    run_id = stack.start_run(LONG)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        (row,) = stack.db("SELECT status, history FROM runs_run WHERE id = ?", run_id)
        if row[0] == "running" and row[1] not in ("[]", None):
            break
        time.sleep(0.2)
    assert row[0] == "running", worker.log()[-3000:]
    folders = list(stack.tmp.glob(f"run-{run_id}-*"))
    assert len(folders) == 1 and folders[0].is_dir()
    (stack.tmp / "run-987654-leftover").mkdir()  # a run that does not exist (deleted)
    (finished,) = stack.db("SELECT id FROM runs_run WHERE status = 'succeeded' LIMIT 1")[0]
    (stack.tmp / f"run-{finished}-leftover").mkdir()  # a finished run's
    (stack.tmp / "not-a-run-folder").mkdir()

    os.kill(worker.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    worker.proc.wait()
    # the next worker's start sweeps the dead worker's folder (its run still `running`, its pid gone)
    # and those of runs that are not running; nothing else
    fresh = stack.start_worker()
    assert not list(stack.tmp.glob("run-*")), fresh.log()[-2000:]
    assert (stack.tmp / "not-a-run-folder").is_dir()
    assert "removed 3 work folder(s)" in fresh.log()

    # no API read: the web process's watchdog fails the run within the promised time
    deadline = killed_at + PROMISED + 15
    while stack.statuses([run_id])[run_id] != "failed" and time.monotonic() < deadline:
        time.sleep(0.2)
    elapsed = time.monotonic() - killed_at
    assert stack.statuses([run_id])[run_id] == "failed"
    assert elapsed < PROMISED, f"failed {elapsed:.1f}s after the kill"
    (error, history) = stack.db("SELECT error, history FROM runs_run WHERE id = ?", run_id)[0]
    assert "worker stopped" in error and history not in ("[]", None)  # its epochs kept
