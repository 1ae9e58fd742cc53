"""Who is asking: a personal token (scripts) or the session with CSRF (browsers).

Private routers use `PRIVATE_AUTH`. Anonymous requests get 401; a logged-in
browser that sends an unsafe request without the CSRF token gets 403.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from webapp.accounts.models import ApiToken

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kc_...`: a personal API token. No CSRF: browsers never send it on their own."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.objects.user_for(token.strip())
        if user is not None:
            request.user = user
        return user


class SessionCsrfAuth(APIKeyCookie):
    """Django's session cookie; unsafe methods need the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)  # CSRF is checked in authenticate, for unsafe methods only

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: 401, whatever the CSRF token
        if request.method not in SAFE_METHODS:
            require_csrf(request)
        return user


def require_csrf(request: HttpRequest) -> None:
    if check_csrf(request) is not None:
        raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header")


PRIVATE_AUTH = [BearerTokenAuth(), SessionCsrfAuth()]
