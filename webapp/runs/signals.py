"""A deleted run's files go with it, whatever deletes the row (the API, the admin, a user's or a
sweep's cascade): its whole folder runs/<id>/ (model, TensorBoard logs, exports), once the deletion
is committed."""

from django.db import transaction
from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from webapp.files import remove_folder
from webapp.projects.services import version_for
from webapp.runs.models import Run


@receiver(post_delete, sender=Run, dispatch_uid="runs.remove_files")
def remove_run_files(sender, instance: Run, using, **kwargs) -> None:
    storage = instance.model_file.storage
    folder = f"runs/{instance.pk}"
    transaction.on_commit(lambda: remove_folder(folder, storage), using=using)


@receiver(pre_save, sender=Run, dispatch_uid="runs.project_version")
def record_project_version(sender, instance: Run, raw: bool = False, **kwargs) -> None:
    """A run created from a project records the version of it that it trains, whatever creates it (a run,
    a cross-validation's fold, a sweep's trial: the sweep's own graph, before its tuned values)."""
    if raw or not instance._state.adding or instance.project_id is None or instance.project_version is not None:
        return
    graph = instance.sweep.graph if instance.sweep_id is not None else instance.graph
    instance.project_version = version_for(instance.project_id, graph)
