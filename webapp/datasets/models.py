"""Uploaded datasets: the parsed arrays as one .npz in Django's storage, with their info."""

import uuid

from django.conf import settings
from django.db import models


def dataset_path(instance, filename: str) -> str:
    return f"datasets/{instance.owner_id}/{uuid.uuid4().hex}.npz"


class UploadedDataset(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=255, help_text="the uploaded file's name")
    info = models.JSONField(default=dict)
    file = models.FileField(upload_to=dataset_path, max_length=255)
    size = models.BigIntegerField(default=0, help_text="bytes of the stored .npz")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def as_json(self) -> dict:
        return {
            **self.info,
            "id": self.id,
            "ref": self.id,
            "kind": "upload",
            "title": self.name,
            "filename": self.filename,
            "size": self.size,
            "created_at": self.created_at.isoformat(),
        }
