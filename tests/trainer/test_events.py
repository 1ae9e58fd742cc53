import itertools
import json
import time

import numpy as np
import pytest

from trainer import events
from trainer.events import BatchThrottle, event, plain, run_group


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


def test_event_refuses_a_field_its_type_has_not():
    with pytest.raises(ValueError, match="no field"):
        event("status", status="running", progress=3)


# Each case builds its event when the test runs (not at collection), so `t` is checked against now.
CONSTRUCTED = {
    "snapshot": lambda: events.snapshot_event({"id": 3, "history": ()}),
    "status": lambda: events.status_event("running"),
    "batch-mid": lambda: events.batch_event(1, 2, 10, {"loss": np.float64(0.25)}),
    "batch-last": lambda: events.batch_event(1, 10, 10, {}, epochs=3),
    "epoch-full": lambda: events.epoch_event(2, {"loss": 0.1, "val_loss": float("inf")}, float("nan"), 1.5, epochs=3),
    "epoch-bare": lambda: events.epoch_event(1, {}, 0.01, None),
    "done-cancelled": lambda: events.done_event("cancelled"),
    "done-succeeded": lambda: events.done_event("succeeded", {"accuracy": np.float32(0.75)}),
    "error": lambda: events.error_event("boom"),
}


@pytest.mark.parametrize("case", sorted(CONSTRUCTED))
def test_each_constructor_builds_its_typed_dict(case):
    before = time.time()
    ev = CONSTRUCTED[case]()
    typed = events.EVENT_TYPES[ev["type"]]
    assert typed.__required_keys__ <= ev.keys() <= typed.__annotations__.keys()
    assert isinstance(ev["t"], float) and before <= ev["t"] <= time.time()
    assert json.loads(json.dumps(ev, allow_nan=False)) == ev  # plain JSON, no NaN


def test_constructors_make_values_plain():
    assert events.epoch_event(1, {"loss": float("nan")}, float("nan"), 2.0)["lr"] is None
    assert events.done_event("cancelled")["test"] == {}
    assert events.snapshot_event({"id": 1, "history": ()})["run"] == {"id": 1, "history": []}
    ev = events.batch_event(np.int64(1), np.int64(2), np.int64(3), {})
    assert (ev["epoch"], ev["step"], ev["steps"]) == (1, 2, 3) and type(ev["step"]) is int
    assert "epochs" not in ev


def test_plain_is_the_one_json_conversion():
    """The union of the trainer's and the web app's old helpers: keys as strings, tuples as lists, numpy
    scalars and arrays as Python values, NaN and infinities as None, anything else as its str()."""
    value = {
        1: (np.int64(2), np.float32(0.5)),
        "a": np.array([[1, 2], [3, 4]]),
        "b": np.array([np.nan, 1.0]),
        "c": float("-inf"),
        "d": np.bool_(True),
        "e": True,
        "f": None,
        "g": object.__new__(type("Thing", (), {"__str__": lambda self: "thing"})),
    }
    assert plain(value) == {
        "1": [2, 0.5],
        "a": [[1, 2], [3, 4]],
        "b": [None, 1.0],
        "c": None,
        "d": True,
        "e": True,
        "f": None,
        "g": "thing",
    }
    assert type(plain(np.float64(0.5))) is float and type(plain(np.int32(3))) is int


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
