"""Runs: checking a request before anything is queued, the run's JSON, cancelling, deleting,
and failing runs whose worker went away. Views and the consumer stay thin around these."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from ninja.errors import HttpError

from trainer.events import done_event, error_event, status_event
from webapp.runs.models import Run

log = logging.getLogger(__name__)

STALE_MESSAGE = "the worker stopped (killed or crashed) during training; start the run again"


# --- events ---------------------------------------------------------------------------------------


def publish(run_id: int, *events_: Mapping[str, Any]) -> None:
    """Send events (built by trainer.events' constructors) to the run's websocket group from the web
    process; never raises. Waits (briefly) until they are sent, then lets the publisher's thread go."""
    from trainer import events

    publisher = events.RedisPublisher(settings.REDIS_URL, events.run_group(run_id), send_timeout=2.0)
    try:
        for ev in events_:
            publisher(ev)
    finally:
        publisher.close(timeout=3.0)


def best_metric(history: list[dict]) -> dict | None:
    """The best epoch by validation accuracy if there is one, else by validation loss, else by loss."""
    if not history:
        return None
    keys = set()
    for epoch in history:
        keys.update((epoch.get("metrics") or {}).keys())
    acc = sorted(k for k in keys if k.startswith("val_") and "acc" in k)
    if acc:
        key, better = acc[0], max
    elif "val_loss" in keys:
        key, better = "val_loss", min
    elif "loss" in keys:
        key, better = "loss", min
    else:
        return None
    scored = [
        (e["metrics"][key], e.get("epoch"))
        for e in history
        if isinstance((e.get("metrics") or {}).get(key), (int, float))
    ]
    if not scored:
        return None
    value, epoch = better(scored, key=lambda p: p[0])
    return {"metric": key, "value": value, "epoch": epoch}


def dataset_json(run: Run) -> dict:
    info = run.dataset_info or {}
    if run.dataset_builtin:
        return {
            "ref": run.dataset_builtin,
            "kind": "builtin",
            "name": run.dataset_builtin,
            "title": info.get("title", run.dataset_builtin),
        }
    return {
        "ref": run.dataset_upload_id,
        "kind": "upload",
        "name": info.get("name", ""),
        "title": info.get("title", ""),
        "deleted": run.dataset_upload_id is None,
    }


def duration(run: Run) -> float | None:
    if run.started_at is None:
        return None
    end = run.finished_at or timezone.now()
    return round((end - run.started_at).total_seconds(), 3)


def iso(value) -> str | None:
    return value.isoformat() if value else None


def run_json(run: Run, full: bool = True) -> dict:
    """The run as GET /api/runs/{id} shows it (and as the websocket's snapshot carries it)."""
    graph = run.graph if isinstance(run.graph, dict) else {}
    data = {
        "id": run.id,
        "status": run.status,
        "project": run.project_id,
        "name": run.name or graph.get("name") or "",
        "graph_name": graph.get("name") or "",
        "dataset": dataset_json(run),
        "training": run.training,
        "epochs_done": len(run.history or []),
        "best": best_metric(run.history or []),
        "test": run.test,
        "error": run.error,
        "cancel_requested": run.cancel_requested,
        "has_model": bool(run.model_file),
        "has_tensorboard": bool(run.tensorboard_file),
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "heartbeat_at": iso(run.heartbeat_at),
        "duration": duration(run),
        "sweep": run.sweep_id,
        "trial_number": run.trial_number,
        "pruned_epoch": run.pruned_epoch,
        "tags": list(run.tags or []),
        "note": run.note,
        "project_version": run.project_version,
    }
    if full:
        data.update(
            {
                "graph": run.graph,
                "history": run.history or [],
                "batches": run.batches or [],
                "confusion": run.confusion,
                "samples": run.samples or [],
                "worker": run.worker,
                "system": run.system or [],
            }
        )
    return data


# --- stale runs ------------------------------------------------------------------------------------


def stale_after() -> float:
    """Seconds without a heartbeat after which a running run is failed. RUN_HEARTBEAT_TIMEOUT is the
    promise (a killed worker's run is failed within it); the run is declared stale after three quarters
    of it, so that the watchdog's interval (an eighth) and its own work fit inside. A live worker beats
    every quarter (at most 10 s): three beats, at least, are missed before a run is called stale."""
    return settings.RUN_HEARTBEAT_TIMEOUT * 0.75


def stale_filter() -> Q:
    cutoff = timezone.now() - timedelta(seconds=stale_after())
    return Q(status=Run.Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def fail_stale_runs(queryset=None) -> list[int]:
    """Mark failed the running runs whose worker sent no heartbeat for stale_after() seconds
    (a worker killed with SIGKILL, a machine gone). Reads first, so the common case writes nothing."""
    queryset = Run.objects.all() if queryset is None else queryset
    ids = list(queryset.filter(stale_filter()).values_list("id", flat=True))
    failed = []
    for run_id in ids:
        now = timezone.now()
        if Run.objects.filter(stale_filter(), pk=run_id).update(
            status=Run.Status.FAILED, error=STALE_MESSAGE, finished_at=now
        ):
            failed.append(run_id)
            log.warning("run %s: no heartbeat for %.0fs, marked failed", run_id, stale_after())
            publish(run_id, status_event("failed"), error_event(STALE_MESSAGE))
    return failed


# --- cancel and delete -----------------------------------------------------------------------------


def cancel_run(run: Run) -> Run:
    """Queued: cancelled at once (it never starts). Running: the worker stops at its next batch and
    keeps its epochs and best model. Finished: 409."""
    if run.status == Run.Status.QUEUED:
        now = timezone.now()
        if Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
            status=Run.Status.CANCELLED, cancel_requested=True, finished_at=now
        ):
            publish(run.pk, status_event("cancelled"), done_event("cancelled", {}))
        run.refresh_from_db()
        if run.status != Run.Status.RUNNING:
            return run
    if run.status == Run.Status.RUNNING:
        Run.objects.filter(pk=run.pk).update(cancel_requested=True)
        run.refresh_from_db()
        return run
    raise HttpError(409, f"run {run.pk} has already finished ({run.status})")


def delete_run(run: Run) -> None:
    """Delete the run and its files; a running one is told to stop first (its worker finds the row gone)."""
    if run.status == Run.Status.RUNNING:
        Run.objects.filter(pk=run.pk).update(cancel_requested=True)
    files = [(f.storage, f.name) for f in (run.model_file, run.tensorboard_file) if f]
    run_id = run.pk
    run.delete()  # the row first: a file without a row is harmless, a row without its file is not
    for storage, name in files:
        storage.delete(name)
    publish(run_id, error_event("the run was deleted"))
