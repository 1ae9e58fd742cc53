from django.apps import AppConfig


class ModelFilesConfig(AppConfig):
    name = "webapp.modelfiles"
    label = "modelfiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from webapp.modelfiles import signals  # noqa: F401 - connects the receivers
