"""Worker start-up: TensorFlow is imported (and the device set up) once, in the process that runs the
tasks, before the first task; runs left `running` by a dead worker are failed.

`worker_process_init` fires in that process: the main process under the solo pool (settings'
default, which never forks), each child under prefork (so TensorFlow is never imported before a fork).
"""

import logging

from celery.signals import worker_process_init, worker_ready

log = logging.getLogger(__name__)


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
        return
    if failed:
        log.warning("marked %d stale run(s) failed: %s", len(failed), failed)
