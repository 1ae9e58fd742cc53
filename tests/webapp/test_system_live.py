"""System metrics end to end: a real worker samples its CPU and memory while it trains, streams them as
`system` events and keeps them with the run (GET /api/runs/{id} `system`)."""

import json
import time
from datetime import datetime

import pytest

from tests.services import digits_mlp, redis_server
from tests.webapp.test_live import Stack, receive_until

pytestmark = [pytest.mark.services, pytest.mark.timeout(300)]

TRAINING = {"epochs": 6, "batch_size": 16, "validation_split": 0.1, "callbacks": {"tensorboard": False}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with redis_server() as redis_url:
        s = Stack(tmp_path_factory.mktemp("system-live"), redis_url)
        yield s
        s.stop()


def test_a_run_streams_and_keeps_its_system_samples(stack):
    run_id = stack.start_run(digits_mlp(), dataset="digits", training=TRAINING)
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
