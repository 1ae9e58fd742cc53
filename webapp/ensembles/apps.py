from django.apps import AppConfig


class EnsemblesConfig(AppConfig):
    name = "webapp.ensembles"
    label = "ensembles"
