"""API versions: the registry and the response headers that announce deprecation.

Each version is mounted in ``hotgigs/urls.py`` under ``/api/<version>/`` with its version
as the URL namespace (``include(..., namespace="v1")``); the seed's unversioned paths are
mounted with the namespace ``"current"`` and served by :data:`CURRENT_API_VERSION`.

:class:`ApiVersionMiddleware` looks at the namespace the request resolved to and adds:

* ``API-Version: <version>`` to every response of a versioned route;
* for a deprecated version, ``Deprecation: @<unix seconds>`` (RFC 9745, the deprecation
  date at 00:00:00 UTC; a future date announces a coming deprecation), ``Sunset:
  <HTTP-date>`` (RFC 8594, the day the version stops answering, 00:00:00 UTC) and
  ``Link: <migration guide>; rel="deprecation"; type="text/html"`` (RFC 9745 §3).

Requests that match no route (an unknown version such as ``/api/v9/jobs``) already get
the JSON ``NOT_FOUND`` envelope and carry none of these headers.

The registry is :data:`DEFAULT_API_VERSIONS` unless settings define ``API_VERSIONS`` (a
list of :class:`ApiVersion`), which is how tests register a deprecated version.
"""

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date

VERSION_HEADER = "API-Version"
CURRENT_NAMESPACE = "current"


@dataclass(frozen=True)
class ApiVersion:
    """One published version of the API and, once deprecated, its retirement plan."""

    version: str
    deprecated: bool = False
    # The day the version is (or will be) deprecated; required when ``deprecated``.
    deprecation_date: date | None = None
    # The day after which the version stops answering.
    sunset: date | None = None
    # Absolute URL of the guide to the next version.
    migration_guide: str | None = None

    def __post_init__(self) -> None:
        if self.deprecated and self.deprecation_date is None:
            raise ValueError(f"Deprecated API version {self.version} needs a deprecation_date (RFC 9745).")
        if self.sunset and self.deprecation_date and self.sunset < self.deprecation_date:
            raise ValueError(f"API version {self.version} cannot sunset before it is deprecated.")

    def headers(self) -> dict[str, str]:
        """The headers every response of this version carries."""
        headers = {VERSION_HEADER: self.version}
        if not self.deprecated:
            return headers
        assert self.deprecation_date is not None  # noqa: S101 - enforced in __post_init__
        headers["Deprecation"] = f"@{_midnight_utc(self.deprecation_date)}"
        if self.sunset:
            headers["Sunset"] = http_date(_midnight_utc(self.sunset))
        if self.migration_guide:
            headers["Link"] = f'<{self.migration_guide}>; rel="deprecation"; type="text/html"'
        return headers


CURRENT_API_VERSION = "v1"
DEFAULT_API_VERSIONS: tuple[ApiVersion, ...] = (ApiVersion("v1"),)


def _midnight_utc(day: date) -> int:
    return calendar.timegm(day.timetuple())


def api_versions() -> dict[str, ApiVersion]:
    """The registry: version name → :class:`ApiVersion` (settings ``API_VERSIONS`` wins)."""
    versions: Iterable[ApiVersion] = getattr(settings, "API_VERSIONS", DEFAULT_API_VERSIONS)
    return {entry.version: entry for entry in versions}


def current_api_version() -> ApiVersion:
    """The version the unversioned seed paths (``/api/jobs``) are served by."""
    return api_versions()[getattr(settings, "API_CURRENT_VERSION", CURRENT_API_VERSION)]


def version_for(request: HttpRequest) -> ApiVersion | None:
    """The API version that served ``request``, or ``None`` outside the versioned API."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.namespaces:
        return None
    namespace = match.namespaces[0]
    if namespace == CURRENT_NAMESPACE:
        return current_api_version()
    return api_versions().get(namespace)


class ApiVersionMiddleware:
    """Add ``API-Version`` and, for deprecated versions, ``Deprecation``/``Sunset``/``Link``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        version = version_for(request)
        if version is not None:
            for header, value in version.headers().items():
                response.headers.setdefault(header, value)
        return response
