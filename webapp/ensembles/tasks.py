"""Celery entry point of an ensemble's evaluation: on the training queue (it loads several models), thin;
the work is in webapp.ensembles.services (and trainer.ensemble below it)."""

from celery import shared_task

from webapp.runs import worker  # noqa: F401  (worker start-up signals: TensorFlow once, stale runs)


@shared_task(name="webapp.ensembles.tasks.evaluate_ensemble", queue="training", acks_late=True, ignore_result=True)
def evaluate_ensemble(ensemble_id: int) -> str:
    """Evaluate one queued ensemble. A redelivered message finds it no longer queued and does nothing."""
    from webapp.ensembles.services import execute_ensemble

    return execute_ensemble(ensemble_id)
