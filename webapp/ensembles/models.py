"""Ensembles (several succeeded runs averaged into one model) and cross-validations (one run per fold, their
test ensemble)."""

from django.conf import settings
from django.db import models


def ensemble_file_path(instance, filename: str) -> str:
    return f"ensembles/{instance.pk}/{filename}"


class Ensemble(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ensembles")
    name = models.CharField(max_length=200, blank=True, default="")
    runs = models.JSONField(default=list, help_text="the member run ids, in order")
    members = models.JSONField(default=list, help_text="[{run, name, seed}] as they were when it was made")
    dataset_builtin = models.CharField(max_length=64, blank=True, default="")
    dataset_upload = models.ForeignKey(
        "datasets.UploadedDataset", on_delete=models.SET_NULL, null=True, blank=True, related_name="ensembles"
    )
    dataset_info = models.JSONField(default=dict, blank=True)
    weights_mode = models.CharField(max_length=16, default="uniform", help_text="uniform, optimize or given")
    weights = models.JSONField(null=True, blank=True, help_text="normalised, one per member; null until fitted")
    weights_from = models.CharField(max_length=16, default="uniform", help_text="uniform, given or validation")
    validation = models.JSONField(null=True, blank=True, help_text="what fitted weights were fitted on")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    outputs = models.JSONField(default=list, blank=True)
    test = models.JSONField(null=True, blank=True)
    member_tests = models.JSONField(default=list, blank=True, help_text="[{run, test}]")
    gain = models.JSONField(null=True, blank=True)
    confusion = models.JSONField(null=True, blank=True)
    disagreements = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    model_file = models.FileField(upload_to=ensemble_file_path, max_length=255, blank=True)
    worker = models.CharField(max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ensemble {self.pk} ({self.status})"


class CrossValidation(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crossvals")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="crossvals"
    )
    name = models.CharField(max_length=200, blank=True, default="")
    graph = models.JSONField(default=dict)
    training = models.JSONField(default=dict, help_text="the settings shared by the folds (without crossval)")
    dataset_builtin = models.CharField(max_length=64, blank=True, default="")
    dataset_upload = models.ForeignKey(
        "datasets.UploadedDataset", on_delete=models.SET_NULL, null=True, blank=True, related_name="crossvals"
    )
    dataset_info = models.JSONField(default=dict, blank=True)
    folds = models.IntegerField()
    stratified = models.BooleanField(default=True)
    error = models.TextField(blank=True, default="", help_text="why it failed (a fold failed, or was deleted)")
    ensemble = models.OneToOneField(Ensemble, on_delete=models.SET_NULL, null=True, blank=True, related_name="crossval")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"cross-validation {self.pk} ({self.folds} folds)"


class Fold(models.Model):
    crossval = models.ForeignKey(CrossValidation, on_delete=models.CASCADE, related_name="fold_runs")
    run = models.OneToOneField("runs.Run", on_delete=models.CASCADE, related_name="crossval_fold")
    fold = models.IntegerField()

    class Meta:
        ordering = ["fold"]
        constraints = [models.UniqueConstraint(fields=["crossval", "fold"], name="one_run_per_fold")]
