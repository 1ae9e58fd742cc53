from django.contrib import admin

from webapp.projects.models import Project, ProjectVersion


class ProjectVersionInline(admin.TabularInline):
    model = ProjectVersion
    fields = ["number", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "version", "created_at", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["name", "description", "owner__username"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProjectVersionInline]
