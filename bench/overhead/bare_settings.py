"""HotGigs settings without the operational stack: no rate limiting, no metrics or access
logs, no response cache. The overhead benchmark serves the same jobs list with these and
with the real settings, side by side."""

from hotgigs.settings import *  # noqa: F403
from hotgigs.settings import MIDDLEWARE

MIDDLEWARE = [
    m
    for m in MIDDLEWARE
    if m
    not in ("hotgigs.observability.middleware.ObservabilityMiddleware", "hotgigs.api.ratelimit.RateLimitMiddleware")
]
RATE_LIMIT_ENABLED = False
API_CACHE_ENABLED = False
