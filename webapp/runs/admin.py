from django.contrib import admin

from webapp.runs.models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "status",
        "project",
        "dataset_builtin",
        "dataset_upload",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["owner__username", "dataset_builtin", "error"]
    readonly_fields = ["created_at", "started_at", "finished_at", "heartbeat_at", "worker"]
    raw_id_fields = ["owner", "project", "dataset_upload"]
