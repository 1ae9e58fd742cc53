"""Queued runs with no task behind them are sent again, once.

A run is `queued` in the database and, separately, a message in the broker. The two can part: Redis
restarted without its data (no persistence, or an append-only file that lost its last second), a
broker flushed by hand, a send that failed after the row was committed, or a worker killed between
taking a message and starting its run (the message then waits in Redis's `unacked` hash for the
transport's visibility timeout, an hour by default). Such a run would stay `queued` for ever.

The web process's watchdog (webapp/runs/watchdog.py) calls `requeue_lost_runs()` every few seconds:
a run queued for longer than RUN_REQUEUE_AFTER seconds since its task was last sent (`enqueued_at`,
else `created_at`), whose id is in none of the broker's training queues and not in a delivery younger
than that, is claimed with a conditional update of `enqueued_at` (so of several web processes, one
sends it) and sent again. A resent task is in the queue the next time round, so it is sent once; the
start in webapp/runs/execution.py is itself conditional, so even a duplicate never trains twice.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta
from typing import Any

from celery.signals import after_task_publish
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from webapp.runs.models import Run

log = logging.getLogger(__name__)

TASK_NAME = "webapp.runs.tasks.train_run"
# kombu's Redis transport: a queue's list per priority step (its name, then name + SEP + step), and the
# messages delivered to a consumer but not yet acknowledged (a hash by delivery tag, a sorted set by time)
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)
UNACKED = "unacked"
UNACKED_INDEX = "unacked_index"


class BrokerUnreadable(Exception):
    """The broker cannot be read (down, or not Redis): nothing is resent this time."""


@after_task_publish.connect
def record_enqueued(sender: str | None = None, body: Any = None, **kwargs: Any) -> None:
    """Every process that sends train_run (the API, a sweep in a worker, the reconciler) stamps the run."""
    if sender != TASK_NAME:
        return
    run_id = _run_id_of_body(body)
    if run_id is None:
        return
    try:
        Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(enqueued_at=timezone.now())
    except Exception:  # the message is sent; a missing stamp only means created_at counts instead
        log.exception("run %s: could not record when its task was sent", run_id)


def requeue_after() -> float:
    return float(getattr(settings, "RUN_REQUEUE_AFTER", 60.0))


def _run_id_of_body(body: Any) -> int | None:
    # Celery's message protocol 2: the body is (args, kwargs, embed); train_run(run_id)
    try:
        args = body[0]
        return int(args[0]) if args else None
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def _run_id_of_message(message: Any) -> int | None:
    """The run id of one train_run message as kombu stores it in Redis (JSON, its body base64)."""
    try:
        if isinstance(message, (bytes, str)):
            message = json.loads(message)
        headers = message.get("headers") or {}
        if headers.get("task") != TASK_NAME:
            return None
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        return _run_id_of_body(json.loads(body))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def training_queues() -> list[str]:
    route = (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).get(TASK_NAME) or {}
    names: set[str] = {str(route.get("queue") or getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery"))}
    names.update(str(q.name) for q in getattr(settings, "CELERY_TASK_QUEUES", None) or ())
    return sorted(names)


def runs_known_to_broker(young_after: float) -> set[int]:
    """The run ids with a train_run message waiting in a queue, or delivered to a worker less than
    `young_after` seconds ago and not yet acknowledged (a worker about to start it, or training it)."""
    import redis

    url = getattr(settings, "CELERY_BROKER_URL", None) or settings.REDIS_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise BrokerUnreadable(f"the broker at {url.split('://')[0]}:// is not Redis")
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        known: set[int] = set()
        pipe = client.pipeline(transaction=False)
        for queue in training_queues():
            for key in (queue, *(f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS)):
                pipe.lrange(key, 0, -1)
        pipe.hgetall(UNACKED)
        pipe.zrangebyscore(UNACKED_INDEX, timezone.now().timestamp() - young_after, "+inf")
        *lists, unacked, young = pipe.execute()
        for messages in lists:
            known.update(i for i in map(_run_id_of_message, messages) if i is not None)
        young_tags = set(young)
        for tag, entry in unacked.items():
            if tag not in young_tags:
                continue  # delivered long ago and never acknowledged: its worker is gone or stuck
            try:
                run_id = _run_id_of_message(json.loads(entry)[0])  # [message, exchange, routing key]
            except (ValueError, TypeError, IndexError):
                run_id = None
            if run_id is not None:
                known.add(run_id)
        return known
    except redis.RedisError as exc:
        raise BrokerUnreadable(str(exc)) from exc
    finally:
        client.close()


def _waiting(cutoff) -> Q:
    """Queued, not cancelled, and its task last sent before `cutoff` (or never recorded as sent)."""
    return Q(status=Run.Status.QUEUED, cancel_requested=False) & (
        Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True, created_at__lt=cutoff)
    )


def requeue_lost_runs() -> list[int]:
    """Send again the task of every queued run the broker does not know; answers their ids."""
    after = requeue_after()
    if after <= 0:
        return []
    cutoff = timezone.now() - timedelta(seconds=after)
    candidates = list(Run.objects.filter(_waiting(cutoff)).values_list("id", flat=True)[:1000])
    if not candidates:
        return []  # the common case: no Redis round trip at all
    try:
        known = runs_known_to_broker(after)
    except BrokerUnreadable as exc:
        log.warning("queued runs not reconciled: the broker cannot be read (%s)", exc)
        return []
    from webapp.runs.tasks import train_run

    sent = []
    for run_id in candidates:
        if run_id in known:
            continue
        # The claim: of several web processes (or a run started meanwhile), one update wins.
        if not Run.objects.filter(_waiting(cutoff), pk=run_id).update(enqueued_at=timezone.now()):
            continue
        try:
            train_run.apply_async((run_id,), retry=False)
        except Exception as exc:  # the claim stays: tried again after RUN_REQUEUE_AFTER
            log.warning("run %s: its lost task could not be sent again (%s)", run_id, exc)
            continue
        sent.append(run_id)
        log.warning("run %s: queued with no task in the broker; its task was sent again", run_id)
    return sent
