"""Celery entry points: thin; the work is in webapp.runs.execution (and trainer/ below it)."""

from celery import shared_task

from webapp.runs import worker  # noqa: F401  (worker start-up signals: TensorFlow once, stale runs)


@shared_task(name="webapp.runs.tasks.train_run", acks_late=True, ignore_result=True)
def train_run(run_id: int) -> str:
    """Train one queued run. A redelivered or cancelled message finds it no longer queued and does nothing."""
    from webapp.runs.execution import execute_run

    return execute_run(run_id)
