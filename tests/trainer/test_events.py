import itertools
import time

import numpy as np
import pytest

from trainer.events import BatchThrottle, event, run_group


def test_event_has_type_and_time():
    before = time.time()
    ev = event("epoch", epoch=1, metrics={"loss": np.float32(0.5), "val_loss": float("nan")}, lr=0.001, seconds=1.5)
    assert ev["type"] == "epoch" and before <= ev["t"] <= time.time()
    assert ev["metrics"] == {"loss": 0.5, "val_loss": None}  # JSON- and msgpack-ready
    assert type(ev["metrics"]["loss"]) is float


def test_event_checks_type_and_fields():
    with pytest.raises(ValueError, match="unknown event type"):
        event("progress")
    with pytest.raises(ValueError, match="needs"):
        event("batch", epoch=1)
    assert event("done", status="succeeded", test={"loss": 1.0})["status"] == "succeeded"
    assert event("error", message="boom")["message"] == "boom"
    assert event("snapshot", run={"id": 3})["run"] == {"id": 3}


def test_run_group():
    assert run_group(12) == "run-12"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_throttle_lets_about_ten_a_second_through_plus_each_epoch_end():
    clock = FakeClock()
    throttle = BatchThrottle(per_second=10, clock=clock)
    sent = []
    steps = 500
    for epoch in range(4):  # 2000 batches at 1 ms each: 2 seconds
        for step in range(1, steps + 1):
            clock.now += 0.001
            if throttle(step, steps):
                sent.append((epoch, step, clock.now))
    assert len(sent) <= 2 * 10 + 1 + 4
    assert [s for s in sent if s[1] == steps] and len([s for s in sent if s[1] == steps]) == 4
    # outside the epoch ends, never two events closer than 0.1 s
    times = [t for _, step, t in sent if step != steps]
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(times))


def test_throttle_lets_slow_batches_all_through():
    clock = FakeClock()
    throttle = BatchThrottle(clock=clock)
    allowed = 0
    for step in range(1, 21):
        clock.now += 0.5
        allowed += throttle(step, 20)
    assert allowed == 20
