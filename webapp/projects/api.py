"""Projects: a person's saved graphs and their versions. Someone else's project is a 404."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from webapp.accounts.auth import PRIVATE_AUTH
from webapp.errors import FieldError
from webapp.graphs_api import MAX_GRAPH_BYTES
from webapp.limits import check_stored_graph
from webapp.projects import services
from webapp.projects.models import Project, ProjectVersion
from webapp.schemas import Project as ProjectOut
from webapp.schemas import ProjectSummary, Version, VersionSummary, answers

router = Router(tags=["projects"], auth=PRIVATE_AUTH)


class ProjectIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    graph: dict = Field(default_factory=dict)


class ProjectUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    graph: dict | None = None
    version: int | None = Field(None, description="the version this edit is based on; 409 if it is not the latest")


def check_size(request: HttpRequest) -> None:
    if len(request.body) > MAX_GRAPH_BYTES:
        raise HttpError(413, f"project too large: {len(request.body)} bytes, at most {MAX_GRAPH_BYTES}")


def clean_name(name: str) -> str:
    """The name without surrounding spaces; a blank name is refused rather than stored as ""."""
    cleaned = name.strip()
    if not cleaned:
        raise FieldError("name: a project needs a name (not only spaces)", "name")
    return cleaned


def owned(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, owner=request.auth)


@router.get(
    "",
    response=answers({200: list[ProjectSummary]}, 401),
    exclude_unset=True,
    summary="Your projects (without their graphs)",
)
def list_projects(request: HttpRequest):
    return [p.as_json(graph=False) for p in Project.objects.filter(owner=request.auth)]


@router.post(
    "", response=answers({201: ProjectOut}, 400, 401, 403, 413), exclude_unset=True, summary="Save a new project"
)
def create_project(request: HttpRequest, payload: ProjectIn):
    check_size(request)
    name = clean_name(payload.name)
    check_stored_graph(payload.graph)  # one the editor can open: the validator's block limit
    project = services.create_project(request.auth, name, payload.description, payload.graph)
    return Status(201, project.as_json())


@router.get(
    "/{int:project_id}",
    response=answers({200: ProjectOut}, 400, 401, 404),
    exclude_unset=True,
    summary="A project with its graph",
)
def get_project(request: HttpRequest, project_id: int):
    return owned(request, project_id).as_json()


@router.put(
    "/{int:project_id}",
    response=answers({200: ProjectOut}, 400, 401, 403, 404, 409, 413),
    exclude_unset=True,
    summary="Change a project; a changed graph is stored as a new version",
)
def update_project(request: HttpRequest, project_id: int, payload: ProjectUpdate):
    check_size(request)
    name = clean_name(payload.name) if payload.name is not None else None
    if payload.graph is not None:
        check_stored_graph(payload.graph)
    project = owned(request, project_id)
    if payload.version is not None and payload.version != project.version:
        raise HttpError(
            409,
            f"the project was changed elsewhere: it is at version {project.version}, "
            f"this edit is based on version {payload.version}; reload it",
        )
    project = services.update_project(
        project,
        name=name,
        description=payload.description,
        graph=payload.graph,
    )
    return project.as_json()


@router.delete(
    "/{int:project_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete a project and its versions",
)
def delete_project(request: HttpRequest, project_id: int):
    owned(request, project_id).delete()
    return Status(204, None)


@router.get(
    "/{int:project_id}/versions",
    response=answers({200: list[VersionSummary]}, 400, 401, 404),
    exclude_unset=True,
    summary="The saved versions of a project, newest first",
)
def list_versions(request: HttpRequest, project_id: int):
    return [v.as_json() for v in owned(request, project_id).versions.all()]


@router.get(
    "/{int:project_id}/versions/{int:number}",
    response=answers({200: Version}, 400, 401, 404),
    exclude_unset=True,
    summary="One version with its graph",
)
def get_version(request: HttpRequest, project_id: int, number: int):
    return get_object_or_404(ProjectVersion, project=owned(request, project_id), number=number).as_json(graph=True)


@router.post(
    "/{int:project_id}/versions/{int:number}/restore",
    response=answers({200: ProjectOut}, 400, 401, 403, 404),
    exclude_unset=True,
    summary="Make an old version's graph the current one (stored as a new version)",
)
def restore_version(request: HttpRequest, project_id: int, number: int):
    project = owned(request, project_id)
    if not project.versions.filter(number=number).exists():
        raise HttpError(404, f"project {project_id} has no version {number}")
    return services.restore_version(project, number).as_json()
