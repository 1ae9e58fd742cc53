from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views import defaults

from webapp.api import api
from webapp.views import spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Client-side routes of the single-page app (/runs/7, /login ...) get index.html.
    re_path(r"^(?!api/|admin/|static/|assets/|ws/).*$", spa_index),
]


# Django's own error pages (an exception raised outside the API's views: a bad Host header, a body
# past DATA_UPLOAD_MAX_MEMORY_SIZE read by a middleware, a crash): JSON {"detail"} under /api/,
# never a traceback or a setting; Django's plain pages elsewhere.


def _under_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception=None):
    if not _under_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "the request body is too large"}, status=413)
    return JsonResponse({"detail": "bad request"}, status=400)


def permission_denied(request: HttpRequest, exception=None):
    if not _under_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse({"detail": "permission denied"}, status=403)


def page_not_found(request: HttpRequest, exception=None):
    if not _under_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": f"no API operation at {request.path}: see /api/docs"}, status=404)


def server_error(request: HttpRequest):
    if not _under_api(request):
        return defaults.server_error(request)
    return JsonResponse({"detail": "internal server error; it was logged"}, status=500)


handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
