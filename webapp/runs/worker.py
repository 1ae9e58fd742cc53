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
import tempfile
from pathlib import Path

from celery.signals import worker_process_init, worker_ready

# every process that sends train_run (this module comes in with webapp.runs.tasks) stamps the run's
# enqueued_at, which the reconciler of queued runs reads
from webapp.runs import reconcile  # noqa: F401

log = logging.getLogger(__name__)

# webapp/runs/execution.py trains in tempfile.mkdtemp(prefix=f"run-{run_id}-")
WORKDIR = re.compile(r"run-(\d+)-[A-Za-z0-9_]+")


@worker_process_init.connect
def warm_up(**kwargs) -> None:
    from trainer.device import configure_device

    device = configure_device()
    import builder  # noqa: F401  (Keras and the catalog, ready for the first run)

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
    """Remove the `run-<id>-*` folders in the temporary directory of runs that are no longer running
    (finished, failed as stale, deleted), or whose run's worker was a process of this host that is gone.
    Another worker's live run on this machine keeps its folder. Answers the names removed."""
    from webapp.runs.models import Run

    folder = Path(tmp or tempfile.gettempdir())
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
