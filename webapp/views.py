from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def spa_index(request):
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponse(
            "The front end is not built yet: run `make setup` (npm run build in frontend/).",
            content_type="text/plain",
            status=503,
        )
    return FileResponse(index.open("rb"), content_type="text/html")
