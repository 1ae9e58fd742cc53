"""Uploaded .keras models: the file in Django's storage and what was read from it."""

import uuid

from django.conf import settings
from django.db import models


def model_path(instance, filename: str) -> str:
    return f"models/{instance.owner_id}/{uuid.uuid4().hex}.keras"


class UploadedModel(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="model_uploads")
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=255, help_text="the uploaded file's name")
    file = models.FileField(upload_to=model_path, max_length=255)
    size = models.BigIntegerField(default=0, help_text="bytes of the stored .keras")
    layers = models.IntegerField(default=0, help_text="its top-level layers, the input layers left out")
    params = models.BigIntegerField(default=0, help_text="its weights, trainable or not")
    input_shapes = models.JSONField(default=list, help_text="one shape per input, batch axis first")
    output_shapes = models.JSONField(default=list, help_text="one shape per output, batch axis first")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "filename": self.filename,
            "size": self.size,
            "created_at": self.created_at.isoformat(),
            "layers": self.layers,
            "params": self.params,
            "input_shapes": self.input_shapes,
            "output_shapes": self.output_shapes,
        }
