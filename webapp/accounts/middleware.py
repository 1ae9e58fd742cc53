"""Websocket authentication for scripts: `Authorization: Bearer kc_...` on the handshake.

A handshake with a Bearer header goes to `token_app` with the token's user in
scope["user"] (AnonymousUser when the token is wrong): no cookies and no
Origin check are involved, since a browser page cannot set that header. Any
other handshake goes to `session_app`, the usual AllowedHostsOriginValidator
+ AuthMiddlewareStack (session cookie), so cross-site pages cannot ride on a
person's cookie.
"""

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from webapp.accounts.models import ApiToken


def bearer_token(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return None


@database_sync_to_async
def user_for_token(raw: str):
    return ApiToken.objects.user_for(raw) or AnonymousUser()


class TokenAuthMiddleware:
    def __init__(self, token_app, session_app):
        self.token_app = token_app
        self.session_app = session_app

    async def __call__(self, scope, receive, send):
        token = bearer_token(scope)
        if token is None:
            return await self.session_app(scope, receive, send)
        scope = dict(scope, user=await user_for_token(token))
        return await self.token_app(scope, receive, send)
