"""Training runs: what was trained on what, how it went, and the files it left."""

from django.conf import settings
from django.db import models


def run_file_path(instance, filename: str) -> str:
    return f"runs/{instance.pk}/{filename}"


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"
        PRUNED = "pruned"  # a sweep's trial its pruner stopped early (its epochs are kept)

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.PRUNED)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    dataset_builtin = models.CharField(
        max_length=64, blank=True, default="", help_text="a built-in dataset's name (empty for an upload)"
    )
    dataset_upload = models.ForeignKey(
        "datasets.UploadedDataset", on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    dataset_info = models.JSONField(default=dict, blank=True, help_text="the dataset's info when the run started")
    graph = models.JSONField(default=dict, help_text="the graph as it was when the run was created")
    training = models.JSONField(default=dict, help_text="the training settings, defaults filled in")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    cancel_requested = models.BooleanField(default=False)
    history = models.JSONField(default=list, blank=True, help_text="the epoch events, in order")
    batches = models.JSONField(
        default=list, blank=True, help_text="the (throttled) batch events, thinned evenly past a limit"
    )
    test = models.JSONField(null=True, blank=True, help_text="metrics on the test split")
    confusion = models.JSONField(null=True, blank=True)
    samples = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    model_file = models.FileField(upload_to=run_file_path, max_length=255, blank=True)
    tensorboard_file = models.FileField(upload_to=run_file_path, max_length=255, blank=True)
    worker = models.CharField(max_length=200, blank=True, default="", help_text="host and pid that trained it")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="when its task was last sent to the broker (webapp/runs/reconcile.py)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A sweep's trial (webapp/sweeps): its Optuna trial number and the values it tried, by target.
    sweep = models.ForeignKey("sweeps.Sweep", on_delete=models.CASCADE, null=True, blank=True, related_name="runs")
    trial_number = models.IntegerField(null=True, blank=True)
    trial_params = models.JSONField(null=True, blank=True)
    trial_values = models.JSONField(null=True, blank=True, help_text="the objective values told to Optuna")
    pruned_epoch = models.IntegerField(null=True, blank=True)
    # The runs workspace (issue 15): a person's own name, tags and Markdown note for the run.
    name = models.CharField(max_length=200, blank=True, default="", help_text="empty: the graph's name")
    tags = models.JSONField(default=list, blank=True, help_text="short labels, in the order given")
    note = models.TextField(blank=True, default="", help_text="Markdown")
    project_version = models.IntegerField(
        null=True, blank=True, help_text="the project's version number the run was created from"
    )
    system = models.JSONField(
        default=list, blank=True, help_text="the worker's system samples: {t, cpu, memory, gpu?, gpu_memory?}"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"

    @property
    def dataset_ref(self):
        return self.dataset_upload_id if self.dataset_upload_id else self.dataset_builtin

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
