"""WebSocket URL patterns mounted by ``hotgigs/asgi.py``: one endpoint, ``/ws/``."""

from django.urls import URLPattern, path

from hotgigs.realtime.consumers import EventsConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/", EventsConsumer.as_asgi(), name="ws-events"),
]
