"""HotGigs project package: wiring (settings, urls, asgi, celery) and the shared kernel."""

from hotgigs.celery import app as celery_app

__all__ = ("celery_app",)
