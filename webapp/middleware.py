"""Middleware of the web app's own."""

from django.http import HttpRequest


class AllowedHostMiddleware:
    """Checks the Host header first: Django checks it when something asks for the host, and
    WhiteNoise serves the front end's files before anything does. A host outside ALLOWED_HOSTS is
    DisallowedHost, which Django answers with a 400 (JSON under /api/: webapp/urls.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.get_host()
        return self.get_response(request)
