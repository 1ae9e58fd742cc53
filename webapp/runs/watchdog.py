"""The stale-run watchdog of the web process.

A worker killed with SIGKILL cannot say that its run stopped. Reads already fail such runs (every
API and websocket read calls fail_stale_runs first), and so does a worker when it starts; this thread
makes the database itself right within RUN_HEARTBEAT_TIMEOUT of the last heartbeat, even when nobody
reads and no worker restarts, and tells a sweep of its trial so failed (the sweep queues its next one).
It runs in the web process, which outlives workers; several web processes may each run one: the
conditional update in fail_stale_runs fails a run once.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

_started: threading.Thread | None = None
_lock = threading.Lock()


def watchdog_interval() -> float:
    return max(0.5, min(10.0, settings.RUN_HEARTBEAT_TIMEOUT / 8))  # stale after 3/4: failed within the timeout


def _watch(interval: float, stop: threading.Event) -> None:
    from webapp.ensembles.services import watch as ensembles_watch
    from webapp.runs.reconcile import requeue_lost_runs
    from webapp.runs.services import fail_stale_runs
    from webapp.sweeps.services import advance_pending

    while not stop.wait(interval):
        try:
            fail_stale_runs()
            advance_pending()  # a sweep whose trial was failed goes on with its next trial
            requeue_lost_runs()  # queued runs whose task the broker lost are sent again, once
            ensembles_watch()  # ensembles whose worker died fail; cross-validations go on (never raises)
        except Exception:  # the database may be briefly locked or gone: try again next time
            log.exception("stale-run check failed")
        finally:
            close_old_connections()


def start_watchdog() -> threading.Thread | None:
    """Start the watchdog thread once per process (a daemon: it never holds the process up)."""
    global _started
    if not settings.RUN_WATCHDOG:
        return None
    with _lock:
        if _started is None:
            _started = threading.Thread(
                target=_watch, args=(watchdog_interval(), threading.Event()), name="stale-run-watchdog", daemon=True
            )
            _started.start()
    return _started
