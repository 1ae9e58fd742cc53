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
from typing import Any, Literal, NotRequired, TypedDict

log = logging.getLogger(__name__)

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class SnapshotEvent(TypedDict):
    type: Literal["snapshot"]
    t: float
    run: dict


class StatusEvent(TypedDict):
    type: Literal["status"]
    t: float
    status: RunStatus


class BatchEvent(TypedDict):
    type: Literal["batch"]
    t: float
    epoch: int  # 1-based
    step: int  # 1-based, step == steps on the epoch's last batch
    steps: int
    metrics: dict[str, float]
    epochs: NotRequired[int]


class EpochEvent(TypedDict):
    type: Literal["epoch"]
    t: float
    epoch: int  # 1-based
    metrics: dict[str, float]
    lr: float
    seconds: float
    epochs: NotRequired[int]


class DoneEvent(TypedDict):
    type: Literal["done"]
    t: float
    status: RunStatus
    test: dict[str, float]


class ErrorEvent(TypedDict):
    type: Literal["error"]
    t: float
    message: str


EVENT_TYPES: dict[str, type] = {
    "snapshot": SnapshotEvent,
    "status": StatusEvent,
    "batch": BatchEvent,
    "epoch": EpochEvent,
    "done": DoneEvent,
    "error": ErrorEvent,
}


def _plain(value: Any) -> Any:
    """JSON- and msgpack-ready: numpy scalars to Python numbers, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if hasattr(value, "item"):  # numpy scalar or 0-d array
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def event(type: str, **fields) -> dict:
    """An event of the given type with its "t"; ValueError for an unknown type or a missing field."""
    schema = EVENT_TYPES.get(type)
    if schema is None:
        raise ValueError(f"unknown event type {type!r}: one of {', '.join(EVENT_TYPES)}")
    missing = schema.__required_keys__ - {"type", "t"} - fields.keys()
    if missing:
        raise ValueError(f"{type} event needs {', '.join(sorted(missing))}")
    return {"type": type, "t": time.time(), **_plain(fields)}


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

    def __call__(self, event: dict) -> None:
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
