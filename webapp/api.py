"""The HTTP API root: one NinjaAPI, one router per concern.

Django Ninja: typed request/response schemas with Pydantic, and the OpenAPI
schema and docs generated from them, on plain Django views (sessions, CSRF, auth).
"""

import functools
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from webapp.errors import FieldError
from webapp.limits import StrictParser

log = logging.getLogger(__name__)


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
    parser=StrictParser(),  # NaN, Infinity, 1e400, too deep or too long: a 400 naming where
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
    cause = exc.__cause__  # Ninja answers any parser error with a bare "Cannot parse request body"
    if isinstance(cause, FieldError):  # the strict parser's, naming where (webapp/limits.py)
        return api.create_response(request, cause.body(), status=cause.status_code)
    if isinstance(cause, RequestDataTooBig):
        return on_body_too_large(request, cause)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(request, {"detail": f"the request body is too large: at most {limit} bytes"}, status=413)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation):
    return api.create_response(request, {"detail": "bad request"}, status=400)


@api.exception_handler(RecursionError)
def on_recursion(request: HttpRequest, exc: RecursionError):
    return api.create_response(request, {"detail": "the request is nested too deeply"}, status=400)


@api.exception_handler(Exception)
def on_exception(request: HttpRequest, exc: Exception):
    # Never a traceback or a setting in the answer (whatever DEBUG says): it goes to the log.
    log.exception("%s %s failed", request.method, request.path)
    return api.create_response(
        request, {"detail": f"internal server error ({type(exc).__name__}); it was logged"}, status=500
    )


from webapp.graphs_api import router as graphs_router  # noqa: E402

api.add_router("", graphs_router)

from webapp.accounts.api import auth_router, tokens_router  # noqa: E402
from webapp.datasets.api import router as datasets_router  # noqa: E402
from webapp.datasets.uploads import UploadTooLarge  # noqa: E402
from webapp.projects.api import router as projects_router  # noqa: E402
from webapp.runs.api import router as runs_router  # noqa: E402
from webapp.sweeps.api import router as sweeps_router  # noqa: E402
from webapp.throttle import Throttled  # noqa: E402
from webapp.training_api import router as training_router  # noqa: E402


@api.exception_handler(FieldError)
def on_field_error(request: HttpRequest, exc: FieldError):
    return api.create_response(request, exc.body(), status=exc.status_code)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled):
    response = api.create_response(request, exc.body(), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


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

from webapp.ensembles.api import crossval_router  # noqa: E402
from webapp.ensembles.api import router as ensembles_router  # noqa: E402

api.add_router("/ensembles", ensembles_router)
api.add_router("/crossval", crossval_router)

from webapp.library.api import router as library_router  # noqa: E402

api.add_router("/blocks", library_router)

from webapp.modelfiles.api import inner_router as inner_layers_router  # noqa: E402
from webapp.modelfiles.api import router as models_router  # noqa: E402

api.add_router("/models", models_router)
api.add_router("/graphs", inner_layers_router)
