"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up (consumers touch the ORM).
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

# Load Keras once at start-up, not on a person's first click (the builder endpoints need it).
import builder  # noqa: E402
from webapp.accounts.middleware import TokenAuthMiddleware  # noqa: E402
from webapp.routing import websocket_urlpatterns  # noqa: E402

builder.catalog_json()  # builds every catalog entry (Keras layer classes, signatures) now

from webapp.runs.watchdog import start_watchdog  # noqa: E402

start_watchdog()  # runs left `running` by a killed worker are failed even when nobody reads them

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Scripts: `Authorization: Bearer` on the handshake. Browsers: the session cookie, Origin checked.
        "websocket": TokenAuthMiddleware(
            token_app=URLRouter(websocket_urlpatterns),
            session_app=AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        ),
    }
)
