from django.contrib import admin

from webapp.datasets.models import UploadedDataset


@admin.register(UploadedDataset)
class UploadedDatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "filename", "size", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "filename", "owner__username"]
    readonly_fields = ["info", "size", "created_at"]
