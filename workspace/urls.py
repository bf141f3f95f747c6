"""The workspace's pages, mounted under /admin/ ahead of the model admins' URLs.

Each view is wrapped in ``admin_site.admin_view`` (login, back-office permission, no cache).
"""

from django.urls import URLPattern, URLResolver

from hotgigs.admin_site import admin_site  # noqa: F401  (views are wrapped in admin_site.admin_view)


def pages() -> list[URLPattern | URLResolver]:
    return []
