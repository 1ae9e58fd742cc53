"""What the worker does with one run: load it, train it with trainer.runner, save what it made.

Every write is conditional on the run still being `running`, so a run that was
deleted, or failed as stale while this worker was slow, is never overwritten.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection
from django.utils import timezone

from trainer.events import plain as jsonable
from webapp import pretrained
from webapp.runs.models import Run

log = logging.getLogger(__name__)

STOP_CHECK_SECONDS = 0.5
BATCH_SAVE_SECONDS = 2.0


class BatchLog:
    """The batch events of a run (already throttled to ~10/s by the trainer), kept for the snapshot so
    a reload or another viewer gets the whole thin line. Past `limit` points every other one is
    dropped, so a long run stays covered end to end in bounded space."""

    def __init__(self, limit: int = 5000):
        self.limit = limit
        self._points: list[dict] = []
        self._lock = threading.Lock()

    def add(self, ev: dict) -> None:
        point = {k: ev[k] for k in ("epoch", "step", "steps", "metrics") if k in ev}
        with self._lock:
            self._points.append(jsonable(point))
            if len(self._points) > self.limit:
                self._points = self._points[::2]

    def points(self) -> list[dict]:
        with self._lock:
            return list(self._points)


class Heartbeat:
    """Writes run.heartbeat_at every `interval` seconds from a background thread, also while no batch
    runs (loading the data, compiling, evaluating), and answers should_stop() from the database at most
    every STOP_CHECK_SECONDS, saving the batch points so far with it at most every BATCH_SAVE_SECONDS
    (so a reload mid-epoch gets them). Dies with the process: a killed worker stops beating."""

    def __init__(self, run_id: int, interval: float, batches: BatchLog | None = None):
        self.run_id = run_id
        self.interval = interval
        self.batches = batches
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{run_id}", daemon=True)
        self._last_check = 0.0
        self._last_answer = False
        self._last_batches_save = time.monotonic()

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    Run.objects.filter(pk=self.run_id, status=Run.Status.RUNNING).update(heartbeat_at=timezone.now())
                except Exception:
                    log.exception("run %s: heartbeat failed", self.run_id)
        finally:
            connection.close()

    def should_stop(self) -> bool:
        """True once the run was cancelled, deleted, or is no longer running (failed as stale)."""
        now = time.monotonic()
        if self._last_answer or now - self._last_check < STOP_CHECK_SECONDS:
            return self._last_answer
        self._last_check = now
        row = Run.objects.filter(pk=self.run_id).values_list("status", "cancel_requested").first()
        self._last_answer = row is None or row[1] or row[0] != Run.Status.RUNNING
        if not self._last_answer:
            fields = {"heartbeat_at": timezone.now()}
            if self.batches is not None and now - self._last_batches_save >= BATCH_SAVE_SECONDS:
                self._last_batches_save = now
                fields["batches"] = self.batches.points()
            Run.objects.filter(pk=self.run_id, status=Run.Status.RUNNING).update(**fields)
        return self._last_answer


def heartbeat_interval() -> float:
    return max(0.2, min(10.0, settings.RUN_HEARTBEAT_TIMEOUT / 4))


def worker_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def expected(exc: BaseException) -> bool:
    """A failure the person can fix (graph, data, settings, NaN loss...), as opposed to a bug."""
    from builder import GraphInvalid
    from trainer.binding import BindingError
    from trainer.datasets import DatasetError
    from trainer.runner import TrainingError

    return isinstance(exc, (GraphInvalid, TrainingError, BindingError, DatasetError))


def readable(exc: BaseException) -> str:
    """The message to show for a failed run: ours are written for people; anything else is named briefly
    (the traceback goes to the worker's log, never to the person)."""
    from builder import GraphInvalid
    from trainer.binding import BindingError
    from trainer.datasets import DatasetError
    from trainer.runner import TrainingError

    if isinstance(exc, GraphInvalid):
        errors = (getattr(exc, "result", None) or {}).get("errors") or []
        if errors:
            first = errors[0]
            where = f" (block '{first['node']}')" if first.get("node") else ""
            return f"the graph is invalid: {first['message']}{where}"
        return f"the graph is invalid: {exc}"
    if isinstance(exc, (TrainingError, BindingError, DatasetError)):
        return str(exc) or type(exc).__name__
    text = " ".join(str(exc).split())[:300]
    return (
        f"training stopped on an unexpected error ({type(exc).__name__}{': ' + text if text else ''}); "
        "the worker's log has the details"
    )


def execute_run(run_id: int) -> str:
    """Train one queued run; answers the status it ended with (or why it was skipped)."""
    from trainer import events

    close_old_connections()
    run = Run.objects.select_related("dataset_upload").filter(pk=run_id).first()
    if run is None:
        log.info("run %s: gone, skipped", run_id)
        return "missing"
    if run.status != Run.Status.QUEUED or run.cancel_requested:
        log.info("run %s: %s, not started", run_id, run.status)
        return f"skipped ({run.status})"
    now = timezone.now()
    started = Run.objects.filter(pk=run_id, status=Run.Status.QUEUED, cancel_requested=False).update(
        status=Run.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
    )
    if not started:
        return "skipped (raced)"
    if run.sweep_id is not None:
        _for_sweep("trial_changed", run_id)
    publish = events.RedisPublisher(settings.REDIS_URL, events.run_group(run_id))
    publish(events.status_event("running"))
    batches = BatchLog()
    heartbeat = Heartbeat(run_id, heartbeat_interval(), batches).start()
    settings.RUN_WORK_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=settings.RUN_WORK_DIR))
    history: list[dict] = []

    def publish_and_keep(ev: dict) -> None:
        if ev.get("type") == "batch":
            batches.add(ev)
        publish(ev)

    def on_epoch(ev: dict) -> None:
        history.append(jsonable(ev))
        Run.objects.filter(pk=run_id, status=Run.Status.RUNNING).update(
            history=history, batches=batches.points(), heartbeat_at=timezone.now()
        )

    try:
        from trainer import runner
        from webapp.datasets.services import load

        if not run.dataset_builtin and run.dataset_upload is None:
            from trainer.datasets import DatasetError

            raise DatasetError("the run's uploaded dataset was deleted: upload it again and start a new run")
        ds = load(run.dataset_builtin, run.dataset_upload)
        prune = _prune_hook(run) if run.sweep_id is not None else None
        with pretrained.for_user(run.owner):  # Pretrained blocks resolve to the run owner's runs
            result = runner.train(
                run.graph,
                ds,
                run.training,
                workdir=workdir,
                publish=publish_and_keep,
                should_stop=heartbeat.should_stop,
                on_epoch=on_epoch,
                max_params=settings.MAX_TRAIN_PARAMS,
                prune=prune,
                figures=run.sweep_id is None,  # a sweep's trial makes only what comparing trials needs
            )
        heartbeat.stop()
        Run.objects.filter(pk=run_id, status=Run.Status.RUNNING).update(batches=batches.points())
        status = save_result(run_id, result, history)
        if status is not None:
            publish(events.status_event(status))
            publish(events.done_event(status, result.test))
        return status or "gone"
    except Exception as exc:
        heartbeat.stop()
        message = readable(exc)
        if expected(exc):
            log.warning("run %s failed: %s", run_id, message)
        else:
            log.exception("run %s failed: %s", run_id, message)
        failed = Run.objects.filter(pk=run_id, status=Run.Status.RUNNING).update(
            status=Run.Status.FAILED, error=message, batches=batches.points(), finished_at=timezone.now()
        )
        if failed:
            publish(events.status_event("failed"))
            publish(events.error_event(message))
        return "failed"
    finally:
        heartbeat.stop()
        publish.close()
        shutil.rmtree(workdir, ignore_errors=True)
        if run.sweep_id is not None:
            _for_sweep("trial_finished", run_id)  # tell Optuna, queue the next trial
        from webapp.ensembles.services import run_finished

        run_finished(run_id)  # a cross-validation's fold: its test ensemble once every fold succeeded (never raises)
        close_old_connections()


def _for_sweep(name: str, run_id: int) -> None:
    """webapp.sweeps.services' `name`(run_id); a failure is logged, never the run's."""
    from webapp.sweeps import services as sweeps

    try:
        getattr(sweeps, name)(run_id)
    except Exception:
        log.exception("run %s: the sweep's %s failed", run_id, name)


def _prune_hook(run: Run):
    """The sweep's pruner for this trial (None: the sweep does not prune, or its study cannot be read)."""
    from webapp.sweeps.services import prune_hook

    try:
        return prune_hook(run)
    except Exception:
        log.exception("run %s: the sweep's pruner cannot be read; training without it", run.pk)
        return None


def save_result(run_id: int, result, history: list[dict]) -> str | None:
    """Store the model and TensorBoard logs, then the figures and the final status; None if the run
    is no longer ours to finish (deleted, or failed as stale meanwhile), its files removed again."""
    saved: list[str] = []
    fields = {}
    try:
        if result.model_path and Path(result.model_path).exists():
            with open(result.model_path, "rb") as f:
                fields["model_file"] = default_storage.save(f"runs/{run_id}/model.keras", File(f))
            saved.append(fields["model_file"])
        if result.tensorboard_dir and Path(result.tensorboard_dir).is_dir():
            with tempfile.TemporaryFile(suffix=".zip") as tmp:
                zip_folder(Path(result.tensorboard_dir), tmp)
                tmp.seek(0)
                fields["tensorboard_file"] = default_storage.save(f"runs/{run_id}/tensorboard.zip", File(tmp))
            saved.append(fields["tensorboard_file"])
        status = result.status if result.status in ("cancelled", "pruned") else "succeeded"
        if status == "pruned":
            fields["pruned_epoch"] = result.pruned_epoch
        done = Run.objects.filter(pk=run_id, status=Run.Status.RUNNING).update(
            status=status,
            history=history or jsonable([{"type": "epoch", **h} for h in result.history]),
            test=jsonable(result.test),
            confusion=jsonable(result.confusion),
            samples=jsonable(result.samples or []),
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            **fields,
        )
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    if not done:
        for name in saved:
            default_storage.delete(name)
        log.info("run %s: no longer running when it finished; results discarded", run_id)
        return None
    return status


def zip_folder(folder: Path, fileobj) -> None:
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
