"""The websocket events of a run (docs/DESIGN.md), and the publisher that sends them to its Channels group.

Every event carries "t", the Unix time it was made. The publisher is used from
sync training code: it hands events to one background thread with one event
loop and one channel layer, and never raises, so a Redis outage never stops
training (events are logged and dropped until Redis answers again).
"""

import asyncio
import contextlib
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict  # Pydantic reads TypedDicts only from here on Python < 3.12

log = logging.getLogger(__name__)

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "pruned"]
Metrics = dict[str, float | None]  # by metric name; None where the value was NaN or infinite


class SnapshotEvent(TypedDict):
    """First on every connect: the run as GET /api/runs/{id} shows it."""

    type: Literal["snapshot"]
    t: float
    run: dict[str, Any]


class StatusEvent(TypedDict):
    """The run's status changed."""

    type: Literal["status"]
    t: float
    status: RunStatus


class BatchEvent(TypedDict):
    """A batch ended (at most about 10 a second, plus every epoch's last batch)."""

    type: Literal["batch"]
    t: float
    epoch: int  # 1-based
    step: int  # 1-based, step == steps on the epoch's last batch
    steps: int
    metrics: Metrics
    epochs: NotRequired[int]


class EpochEvent(TypedDict):
    """An epoch ended: its metrics (with validation ones), learning rate and duration."""

    type: Literal["epoch"]
    t: float
    epoch: int  # 1-based
    metrics: Metrics
    lr: float | None
    seconds: float | None
    epochs: NotRequired[int]
    phase: NotRequired[int]  # fine-tuning's phase: 1 (Pretrained blocks frozen) or 2 (unfrozen)


class DoneEvent(TypedDict):
    """Training ended: the final status and the test metrics ({} when there are none)."""

    type: Literal["done"]
    t: float
    status: RunStatus
    test: Metrics


class ErrorEvent(TypedDict):
    """The run failed or was deleted: why, for the person."""

    type: Literal["error"]
    t: float
    message: str


class SystemEvent(TypedDict):
    """A system sample of the training process, every few seconds (trainer/system.py): CPU percent of
    one core, resident memory in bytes, and on a GPU worker its utilisation (percent) and memory (bytes)."""

    type: Literal["system"]
    t: float
    cpu: float | None
    memory: int | None
    gpu: NotRequired[float]
    gpu_memory: NotRequired[int]


RunEvent = SnapshotEvent | StatusEvent | BatchEvent | EpochEvent | DoneEvent | ErrorEvent | SystemEvent

# TypedDict classes: Any, since mypy does not know their runtime __required_keys__ / __annotations__.
EVENT_TYPES: dict[str, Any] = {
    "snapshot": SnapshotEvent,
    "status": StatusEvent,
    "batch": BatchEvent,
    "epoch": EpochEvent,
    "done": DoneEvent,
    "error": ErrorEvent,
    "system": SystemEvent,
}


def plain(value: Any) -> Any:
    """JSON- and msgpack-ready values: dict keys as strings, tuples as lists, numpy scalars and arrays
    as Python numbers and lists, NaN and infinities as None (browsers' JSON.parse refuses NaN), and
    anything else as its str()."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    if hasattr(value, "item"):
        return plain(value.item())
    return str(value)


# --- one constructor per event type: each stamps "t" and makes the values plain -------------------


def snapshot_event(run: Mapping[str, Any]) -> SnapshotEvent:
    return {"type": "snapshot", "t": time.time(), "run": plain(dict(run))}


def status_event(status: RunStatus) -> StatusEvent:
    return {"type": "status", "t": time.time(), "status": status}


def batch_event(epoch: int, step: int, steps: int, metrics: Mapping[str, Any], epochs: int | None = None) -> BatchEvent:
    ev: BatchEvent = {
        "type": "batch",
        "t": time.time(),
        "epoch": int(epoch),
        "step": int(step),
        "steps": int(steps),
        "metrics": plain(dict(metrics)),
    }
    if epochs is not None:
        ev["epochs"] = int(epochs)
    return ev


def epoch_event(
    epoch: int,
    metrics: Mapping[str, Any],
    lr: float | None,
    seconds: float | None,
    epochs: int | None = None,
    phase: int | None = None,
) -> EpochEvent:
    ev: EpochEvent = {
        "type": "epoch",
        "t": time.time(),
        "epoch": int(epoch),
        "metrics": plain(dict(metrics)),
        "lr": plain(lr),
        "seconds": plain(seconds),
    }
    if epochs is not None:
        ev["epochs"] = int(epochs)
    if phase is not None:  # fine-tuning: 1 with the Pretrained blocks frozen, 2 once unfrozen
        ev["phase"] = int(phase)
    return ev


def done_event(status: RunStatus, test: Mapping[str, Any] | None = None) -> DoneEvent:
    return {"type": "done", "t": time.time(), "status": status, "test": plain(dict(test or {}))}


def error_event(message: str) -> ErrorEvent:
    return {"type": "error", "t": time.time(), "message": str(message)}


def system_event(
    cpu: float | None, memory: int | None, gpu: float | None = None, gpu_memory: int | None = None
) -> SystemEvent:
    ev: SystemEvent = {"type": "system", "t": time.time(), "cpu": plain(cpu), "memory": plain(memory)}
    if gpu is not None:
        ev["gpu"] = float(gpu)
    if gpu_memory is not None:
        ev["gpu_memory"] = int(gpu_memory)
    return ev


CONSTRUCTORS: dict[str, Callable[..., Any]] = {
    "snapshot": snapshot_event,
    "status": status_event,
    "batch": batch_event,
    "epoch": epoch_event,
    "done": done_event,
    "error": error_event,
    "system": system_event,
}


def event(type: str, **fields: Any) -> dict[str, Any]:
    """An event by type name, through its constructor above (for generic callers: code that knows the
    type calls the constructor itself); ValueError for an unknown type, a missing or an unknown field."""
    build = CONSTRUCTORS.get(type)
    if build is None:
        raise ValueError(f"unknown event type {type!r}: one of {', '.join(EVENT_TYPES)}")
    schema = EVENT_TYPES[type]
    missing = schema.__required_keys__ - {"type", "t"} - fields.keys()
    if missing:
        raise ValueError(f"{type} event needs {', '.join(sorted(missing))}")
    unknown = fields.keys() - schema.__annotations__.keys()
    if unknown:
        raise ValueError(f"{type} event has no field {', '.join(sorted(unknown))}")
    ev: dict[str, Any] = build(**fields)
    return ev


def run_group(run_id) -> str:
    return f"run-{run_id}"


class RedisPublisher:
    """publish(event) to a Channels group through channels_redis, from sync code, in order, never raising.

    One daemon thread owns one asyncio loop and one RedisChannelLayer (its
    connection pool is reused); __call__ only enqueues. flush() waits until
    what was enqueued has been sent (or dropped); close() flushes and stops.
    """

    def __init__(
        self, redis_url: str, group: str, *, max_queue: int = 10_000, send_timeout: float = 5.0, **layer_config
    ):
        self.redis_url = redis_url
        self.group = group
        self.send_timeout = send_timeout
        self.layer_config = layer_config
        self.sent = 0
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._last_error_log = 0.0
        self._closed = False

    def __call__(self, event: Mapping[str, Any]) -> None:
        try:
            if self._closed:
                self.dropped += 1
                return
            self._ensure_thread()
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            self._log_failure("queue full")
        except Exception as exc:  # never let publishing stop training
            self.dropped += 1
            self._log_failure(exc)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every event enqueued so far was sent or dropped; False on timeout."""
        if self._thread is None:
            return True
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        if self._thread is None or self._closed:
            self._closed = True
            return
        self.flush(timeout)
        self._closed = True
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=1)
        self._thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"publisher-{self.group}", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        # A blocking get in this daemon thread, then the send on this thread's own loop: the
        # layer keeps one connection pool per loop, so every event reuses the same connection.
        from channels_redis.core import RedisChannelLayer

        loop = asyncio.new_event_loop()
        layer = None
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                if isinstance(item, threading.Event):
                    item.set()
                    continue
                try:
                    if layer is None:
                        layer = RedisChannelLayer(hosts=[self.redis_url], **self.layer_config)
                    message = {"type": "run.event", "event": item}
                    loop.run_until_complete(asyncio.wait_for(layer.group_send(self.group, message), self.send_timeout))
                    self.sent += 1
                except Exception as exc:
                    self.dropped += 1
                    self._log_failure(exc)
        finally:
            if layer is not None:
                # close_pools, not flush: flush would delete the group's pending messages
                with contextlib.suppress(Exception):
                    loop.run_until_complete(asyncio.wait_for(layer.close_pools(), 2))
            loop.close()

    def _log_failure(self, reason) -> None:
        now = time.monotonic()
        if now - self._last_error_log > 10:  # one line per 10 s, not one per event
            self._last_error_log = now
            log.warning("run events to %s dropped (%s dropped so far): %s", self.group, self.dropped, reason)


class BatchThrottle:
    """Lets at most `per_second` batch events through, plus the last batch of every epoch."""

    def __init__(self, per_second: float = 10.0, clock=time.monotonic):
        self.interval = 1.0 / per_second
        self.clock = clock
        self._last: float | None = None

    def __call__(self, step: int, steps: int | None) -> bool:
        now = self.clock()
        if (steps is not None and step >= steps) or self._last is None or now - self._last >= self.interval:
            self._last = now
            return True
        return False

    allow = __call__
