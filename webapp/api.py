"""The HTTP API root: one NinjaAPI, one router per concern.

Django Ninja: typed request/response schemas with Pydantic, and the OpenAPI
schema and docs generated from them, on plain Django views (sessions, CSRF, auth).
"""

import functools

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


class CanvasAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI schema also names the websocket's events (components
    SnapshotEvent ... ErrorEvent and their union RunEvent: no HTTP operation answers them, but the
    front end's types come from this one schema), and whose every answer is JSON: a path under /api/
    that no operation has (/api/runs/abc) is a 404 {"detail"}, a method a path does not take a 405
    {"detail"}, not Django's HTML pages."""

    def get_openapi_schema(self, *args, **kwargs):
        from webapp.schemas import ERROR_DESCRIPTIONS, event_schemas

        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"].setdefault("schemas", {}).update(event_schemas())
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, answer in operation.get("responses", {}).items():
                    if int(code) in ERROR_DESCRIPTIONS:
                        answer["description"] = ERROR_DESCRIPTIONS[int(code)]
        return schema

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        patterns = [_json_not_allowed(p) if isinstance(p, URLPattern) else p for p in patterns]
        return [*patterns, re_path(r"^[\s\S]*$", no_such_path)], app_name, namespace


def _json_not_allowed(pattern: URLPattern) -> URLPattern:
    view = pattern.callback

    @functools.wraps(view)  # keeps csrf_exempt and the rest of Ninja's marks
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            body = JsonResponse({"detail": f"{request.method} is not allowed here; allowed: {allowed}"}, status=405)
            body["Allow"] = allowed
            return body
        return response

    return URLPattern(pattern.pattern, wrapped, pattern.default_args, pattern.name)


@csrf_exempt
def no_such_path(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"detail": f"no API operation at {request.path}: see /api/docs"}, status=404)


api = CanvasAPI(
    title="Keras Canvas API",
    version="1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    messages = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "payload"))
        messages.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return api.create_response(
        request, {"detail": "; ".join(messages) or "invalid request", "errors": exc.errors}, status=400
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "authentication required"}, status=401)


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError):
    # An id or filter beyond the database's integer range (e.g. /api/runs/99999999999999999999).
    return api.create_response(request, {"detail": "a number in the request is out of range"}, status=400)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from webapp.graphs_api import router as graphs_router  # noqa: E402

api.add_router("", graphs_router)

from webapp.accounts.api import auth_router, tokens_router  # noqa: E402
from webapp.datasets.api import router as datasets_router  # noqa: E402
from webapp.datasets.uploads import UploadTooLarge  # noqa: E402
from webapp.errors import FieldError  # noqa: E402
from webapp.projects.api import router as projects_router  # noqa: E402
from webapp.runs.api import router as runs_router  # noqa: E402
from webapp.sweeps.api import router as sweeps_router  # noqa: E402
from webapp.training_api import router as training_router  # noqa: E402


@api.exception_handler(FieldError)
def on_field_error(request: HttpRequest, exc: FieldError):
    return api.create_response(request, exc.body(), status=exc.status_code)


@api.exception_handler(UploadTooLarge)
def on_upload_too_large(request: HttpRequest, exc: UploadTooLarge):
    return api.create_response(request, {"detail": str(exc), "field": "file"}, status=413)


api.add_router("/auth", auth_router)
api.add_router("/tokens", tokens_router)
api.add_router("/projects", projects_router)
api.add_router("/datasets", datasets_router)
api.add_router("/runs", runs_router)
api.add_router("/training", training_router)
api.add_router("/sweeps", sweeps_router)
