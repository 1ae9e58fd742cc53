"""A deleted upload's file goes with it, whatever deletes the row (the API, the admin, a user's cascade),
once the deletion is committed; the owner's folder too when it is left empty."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from webapp.files import remove_file
from webapp.modelfiles.models import UploadedModel


@receiver(post_delete, sender=UploadedModel, dispatch_uid="modelfiles.remove_file")
def remove_upload_file(sender, instance: UploadedModel, using, **kwargs) -> None:
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: remove_file(name, storage), using=using)
