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


def model_key(graph) -> object:
    """What a graph trains: its blocks and wires, without where they sit on the canvas (positions, inside
    groups too) or its name and description; a graph that is not a document is its own key."""

    def blocks(nodes):
        out = []
        for node in nodes:
            if isinstance(node, dict):
                node = {k: v for k, v in node.items() if k != "position"}
                inner = node.get("graph")
                if isinstance(inner, dict) and isinstance(inner.get("nodes"), list):
                    node["graph"] = {**inner, "nodes": blocks(inner["nodes"])}
            out.append(node)
        return out

    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return graph
    return {"nodes": blocks(graph["nodes"]), "edges": graph.get("edges")}


# How far back a run's graph is looked for among a project's versions.
VERSION_LOOKBACK = 50


def version_for(project_id: int, graph) -> int | None:
    """The number of the project's version whose graph trains the same model as `graph` (the newest such
    version, among the latest VERSION_LOOKBACK), or None: the graph holds unsaved changes, or no project."""
    project = Project.objects.filter(pk=project_id).only("graph", "version").first()
    if project is None:
        return None
    key = model_key(graph)
    if model_key(project.graph) == key:
        return project.version
    for number, stored in project.versions.values_list("number", "graph")[:VERSION_LOOKBACK]:
        if model_key(stored) == key:
            return number
    return None
