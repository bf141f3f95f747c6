"""WebSocket URL patterns mounted by ``hotgigs/asgi.py``."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
