"""ASGI entry point: HTTP through Django, WebSockets through Channels.

``get_asgi_application()`` runs before any consumer import so the app registry is
ready when consumers import models (Channels docs). ``warm_up`` then loads the URLConf,
opens the database pool and touches the cache before the first request arrives.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from hotgigs.observability.warmup import warm_up  # noqa: E402
from hotgigs.realtime.origin import OriginValidator  # noqa: E402
from hotgigs.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # No Origin (non-browser clients), CORS_ALLOWED_ORIGINS or this site's own hosts; any
        # other origin is closed with 4403 (hotgigs/realtime/origin.py).
        "websocket": OriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

warm_up("asgi")
