"""Project writes: a changed graph always becomes a new numbered version."""

from django.db import transaction

from webapp.projects.models import Project, ProjectVersion


def create_project(owner, name: str, description: str, graph: dict) -> Project:
    with transaction.atomic():
        project = Project.objects.create(owner=owner, name=name, description=description, graph=graph, version=1)
        ProjectVersion.objects.create(project=project, number=1, graph=graph, note="created")
    return project


def update_project(project: Project, *, name=None, description=None, graph=None, note: str = "") -> Project:
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if name is not None:
            project.name = name
        if description is not None:
            project.description = description
        if graph is not None and graph != project.graph:
            project.graph = graph
            project.version += 1
            ProjectVersion.objects.create(project=project, number=project.version, graph=graph, note=note)
        project.save()
    return project


def restore_version(project: Project, number: int) -> Project:
    version = project.versions.get(number=number)
    return update_project(project, graph=version.graph, note=f"restored from version {number}")
