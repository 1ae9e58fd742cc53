"""A person's saved graphs, with every saved graph kept as a numbered version."""

from django.conf import settings
from django.db import models


class Project(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    graph = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.name

    def as_json(self, graph: bool = True) -> dict:
        data = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }
        if graph:
            data["graph"] = self.graph
        else:
            nodes = self.graph.get("nodes") if isinstance(self.graph, dict) else None
            data["nodes"] = len(nodes) if isinstance(nodes, list) else 0
        return data


class ProjectVersion(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_project_version")]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"

    def as_json(self, graph: bool = False) -> dict:
        data = {"number": self.number, "note": self.note, "created_at": self.created_at.isoformat()}
        nodes = self.graph.get("nodes") if isinstance(self.graph, dict) else None
        data["nodes"] = len(nodes) if isinstance(nodes, list) else 0
        if graph:
            data["graph"] = self.graph
        return data
