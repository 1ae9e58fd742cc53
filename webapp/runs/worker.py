"""Worker start-up: TensorFlow is imported (and the device set up) once, in the process that runs the
tasks, before the first task; runs left `running` by a dead worker are failed, and the work folders
such workers left in the temporary directory are removed.

`worker_process_init` fires in that process: the main process under the solo pool (settings'
default, which never forks), each child under prefork (so TensorFlow is never imported before a fork).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import time
from pathlib import Path

from celery.signals import worker_process_init, worker_ready

# every process that sends train_run (this module comes in with webapp.runs.tasks) stamps the run's
# enqueued_at, which the reconciler of queued runs reads
from webapp.runs import reconcile  # noqa: F401

log = logging.getLogger(__name__)

# webapp/runs/execution.py trains in tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=RUN_WORK_DIR)
WORKDIR = re.compile(r"run-(\d+)-[A-Za-z0-9_]+")


@worker_process_init.connect
def warm_up(**kwargs) -> None:
    from trainer.device import configure_device

    device = configure_device()
    import channels_redis.core  # noqa: F401  (every run's events)
    import optuna  # noqa: F401  (a sweep's trial tells and asks in this process; frozen with the rest below)

    import builder  # noqa: F401  (Keras and the catalog, ready for the first run)
    from trainer.model import freeze_imports

    freeze_imports()  # every run's clear_session() collects garbage: not through the ~500k objects of the imports
    log.info("worker ready to train on %s", device)


@worker_ready.connect
def fail_runs_of_dead_workers(**kwargs) -> None:
    from webapp.runs.services import fail_stale_runs

    try:
        failed = fail_stale_runs()
    except Exception:
        log.exception("checking for stale runs failed")
    else:
        if failed:
            log.warning("marked %d stale run(s) failed: %s", len(failed), failed)
    try:
        swept = sweep_workdirs()
    except Exception:
        log.exception("sweeping the work folders of finished runs failed")
    else:
        if swept:
            log.warning("removed %d work folder(s) left by stopped workers: %s", len(swept), swept)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _trained_here_by_a_dead_process(worker: str) -> bool:
    """`worker` is "host pid N" (execution.worker_name()): this host, and that process is gone."""
    host, _, pid = worker.rpartition(" pid ")
    return host == socket.gethostname() and pid.isdigit() and not _alive(int(pid))


def sweep_workdirs(tmp: str | Path | None = None) -> list[str]:
    """Remove the `run-<id>-*` folders in RUN_WORK_DIR (this instance's own) of runs that are no longer
    running (finished, failed as stale, deleted), or whose run's worker was a process of this host that is
    gone. Another worker's live run on this machine keeps its folder. Answers the names removed."""
    from django.conf import settings

    from webapp.runs.models import Run

    folder = Path(tmp or settings.RUN_WORK_DIR)
    if not folder.is_dir():
        return []
    found: dict[int, list[Path]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            match = WORKDIR.fullmatch(entry.name)
            if match and entry.is_dir(follow_symlinks=False):
                found.setdefault(int(match.group(1)), []).append(Path(entry.path))
    if not found:
        return []
    running = dict(Run.objects.filter(pk__in=list(found), status=Run.Status.RUNNING).values_list("id", "worker"))
    removed = []
    for run_id, paths in sorted(found.items()):
        if run_id in running and not _trained_here_by_a_dead_process(running[run_id] or ""):
            continue
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


# --- system metrics of the training process ------------------------------------------------------

SYSTEM_SAMPLE_SECONDS = 2.0  # a sample (and a websocket event) this often
SYSTEM_SAVE_SECONDS = 6.0  # the samples written to the run at most this often while it trains
SYSTEM_LIMIT = 2000  # past this many samples every other one is dropped (a long run, covered end to end)


class SystemRecorder:
    """Samples this process's CPU and memory (and GPU) while a run trains (trainer/system.py), publishes
    each sample as a `system` event to the run's group and keeps them in run.system: written with the
    run while it is `running` on this worker (at most every SYSTEM_SAVE_SECONDS), and once more, whole,
    by stop(save=True) after it ended. A run another worker trains (a redelivered message) is never
    written to: every write names this process as the run's worker."""

    def __init__(self, run_id: int, interval: float = SYSTEM_SAMPLE_SECONDS, save_every: float = SYSTEM_SAVE_SECONDS):
        from django.conf import settings

        from trainer import events
        from trainer.system import SystemSampler

        self.run_id = run_id
        self.save_every = save_every
        self._events = events
        self._publish = events.RedisPublisher(settings.REDIS_URL, events.run_group(run_id))
        self._samples: list[dict] = []
        self._last_save = 0.0
        self._sampler = SystemSampler(self._on_sample, interval=interval, on_exit=self._close_connection)

    def start(self) -> SystemRecorder:
        self._sampler.start()
        return self

    def samples(self) -> list[dict]:
        return list(self._samples)

    def _on_sample(self, sample) -> None:
        ev = self._events.system_event(sample["cpu"], sample["memory"], sample.get("gpu"), sample.get("gpu_memory"))
        ev["t"] = sample["t"]  # the event and the stored sample agree to the digit
        self._publish(ev)
        self._samples.append({k: v for k, v in ev.items() if k != "type"})
        if len(self._samples) > SYSTEM_LIMIT:
            self._samples = self._samples[::2]
        self._maybe_save()

    def _maybe_save(self) -> None:
        now = time.monotonic()
        if now - self._last_save < self.save_every:
            return
        self._last_save = now
        self._write(running=True)

    def _write(self, running: bool) -> int:
        from webapp.runs.execution import worker_name
        from webapp.runs.models import Run

        rows = Run.objects.filter(pk=self.run_id, worker=worker_name())
        if running:
            rows = rows.filter(status=Run.Status.RUNNING)
        try:
            return rows.update(system=self.samples())
        except Exception:
            log.exception("run %s: saving its system samples failed", self.run_id)
            return 0

    def _close_connection(self) -> None:
        from django.db import connection

        connection.close()

    def stop(self, save: bool) -> list[dict]:
        """The last sample, then (with `save`: the run was trained here) every sample written to the run."""
        self._sampler.stop(final=True)
        try:
            if save:
                self._write(running=False)
        finally:
            self._publish.close()
        return self.samples()
