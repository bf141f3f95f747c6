"""WSGI entry point: production serves REST from WSGI workers (README.md, "Serving")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")

application = get_wsgi_application()

from hotgigs.observability.warmup import warm_up  # noqa: E402

warm_up("wsgi")
