"""Settings of the test suite: the project's own, with a secret key of this run.

``hotgigs/settings.py`` refuses to load with ``DEBUG`` off and no secret key, and the suite
runs with ``DEBUG`` off as production does. Unless the environment names a key, each run
gets a random one in the environment, so the servers and workers its tests start (which
inherit it) sign and verify with the same key as the tests.
"""

import os
import secrets

if not os.environ.get("DJANGO_SECRET_KEY") and not os.environ.get("DJANGO_SECRET_KEY_FILE"):
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)

# Redis time limits of the suite: a production process gives Redis 0.5 s before it marks it
# down and fails fast for a while (hotgigs/redis_clients.py), but on a shared test machine
# Redis itself can stall longer than that, and one stall would then fail every Redis call of
# the test (and its teardown) for the fail-fast pause. The suite gives it 5 s; the drills
# that stop or pause Redis set the production limits on the servers they start
# (tests/resilience/test_redis_faults.py) or on themselves (tests/test_redis_clients.py).
SUITE_REDIS_TIMEOUT = "5"
os.environ.setdefault("REDIS_SOCKET_TIMEOUT", SUITE_REDIS_TIMEOUT)
os.environ.setdefault("REDIS_SOCKET_CONNECT_TIMEOUT", SUITE_REDIS_TIMEOUT)

from hotgigs.settings import *  # noqa: E402, F403

# Each xdist worker keeps its cache keys under a prefix of its own, so what one worker's tests
# clear or count (tests.conftest.clear_cache, rate limits) is never another worker's.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _XDIST_WORKER and CACHES["default"]["BACKEND"].startswith("django_redis"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"{CACHES['default'].get('KEY_PREFIX', '')}:{_XDIST_WORKER}"  # noqa: F405

# A test's transaction never commits, so the job events' after-commit subscribers (which tell
# the matching's job board matrix to refresh) do not run: the board aggregate is checked on
# every use instead. tests/applications/test_open_jobs.py turns it off to test the events.
MATCH_OPEN_JOBS_VERIFY_SECONDS = 0.0
