from django.contrib import admin

from webapp.library.models import LibraryBlock


@admin.register(LibraryBlock)
class LibraryBlockAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "owner__username"]
    readonly_fields = ["created_at"]
