"""A deleted run's files go with it, whatever deletes the row (the API, the admin, a user's or a
sweep's cascade): its whole folder runs/<id>/ (model, TensorBoard logs, exports), once the deletion
is committed."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from webapp.files import remove_folder
from webapp.runs.models import Run


@receiver(post_delete, sender=Run, dispatch_uid="runs.remove_files")
def remove_run_files(sender, instance: Run, using, **kwargs) -> None:
    storage = instance.model_file.storage
    folder = f"runs/{instance.pk}"
    transaction.on_commit(lambda: remove_folder(folder, storage), using=using)
