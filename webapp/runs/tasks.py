"""Celery entry points: thin; the work is in webapp.runs.execution (and trainer/ below it)."""

from celery import shared_task

from webapp.runs import worker  # (worker start-up signals: TensorFlow once, stale runs; system samples)

# what execute_run answers for a run it trained to the end (else: skipped, missing, gone)
TRAINED = {"succeeded", "failed", "cancelled", "pruned"}


@shared_task(name="webapp.runs.tasks.train_run", acks_late=True, ignore_result=True)
def train_run(run_id: int) -> str:
    """Train one queued run. A redelivered or cancelled message finds it no longer queued and does nothing.
    The process's CPU and memory (and GPU) are sampled meanwhile and kept with the run (`system`)."""
    from webapp.runs.execution import execute_run

    recorder = worker.SystemRecorder(run_id).start()
    status = "failed"
    try:
        status = execute_run(run_id)
        return status
    finally:
        recorder.stop(save=status in TRAINED)
