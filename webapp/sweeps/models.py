"""Sweeps: a search over a graph's block parameters and training settings; its trials are Runs."""

from django.conf import settings
from django.db import models


class Sweep(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        CANCELLED = "cancelled"
        FAILED = "failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sweeps")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="sweeps"
    )
    name = models.CharField(max_length=200, blank=True, default="")
    dataset_builtin = models.CharField(max_length=64, blank=True, default="")
    dataset_upload = models.ForeignKey(
        "datasets.UploadedDataset", on_delete=models.SET_NULL, null=True, blank=True, related_name="sweeps"
    )
    dataset_info = models.JSONField(default=dict, blank=True)
    graph = models.JSONField(default=dict, help_text="the base graph; each trial's run holds its own")
    training = models.JSONField(default=dict, help_text="the base training settings, defaults filled in")
    spec = models.JSONField(default=dict, help_text="the checked space, objectives, sampler, pruner and counts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    error = models.TextField(blank=True, default="")
    best = models.JSONField(default=list, blank=True, help_text="the best trial's number, or the Pareto front's")
    importances = models.JSONField(null=True, blank=True, help_text="Optuna's parameter importances")
    importances_trials = models.IntegerField(default=0, help_text="the complete trials `importances` is of")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"sweep {self.pk} ({self.status})"

    @property
    def study_name(self) -> str:
        return f"sweep-{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.RUNNING
