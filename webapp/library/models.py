"""A person's saved blocks: Group nodes (builder/document.py), kept as they sent them."""

from django.conf import settings
from django.db import models


class LibraryBlock(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_blocks")
    name = models.CharField(max_length=200)
    node = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "node": self.node, "created_at": self.created_at.isoformat()}
