"""WSGI entry point: production serves REST from WSGI workers (see DESIGN.md, Serving)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")

application = get_wsgi_application()
