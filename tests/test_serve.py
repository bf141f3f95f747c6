"""The web server as ``make run``, the Dockerfile and compose start it (hotgigs/serve.py).

One rule decides a client's address: ``hotgigs.api.ratelimit.client_ip``, which believes
``RATE_LIMIT_TRUSTED_PROXY_HEADER`` only from ``RATE_LIMIT_TRUSTED_PROXIES``. The server in
front of Django must not rewrite the address first (uvicorn, left to itself, believes
``X-Forwarded-For`` from 127.0.0.1), or anything on loopback picks its own rate-limit counter.
"""

import re
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from tests.servers import make_run_command, process_env, server_process

pytestmark = pytest.mark.ratelimit

ROOT = Path(__file__).resolve().parents[1]
# Unauthenticated: 401 from DRF, no database query; counts against the burst like any path.
PATH = "/api/v1/auth/me"
BURST = 5
REQUESTS = 3 * BURST  # more than twice the limit: a window edge inside the run still leaves refusals


def status_from(base: str, forwarded_for: str) -> int:
    request = urllib.request.Request(f"{base}{PATH}", headers={"X-Forwarded-For": forwarded_for})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def limited_env(redis_url: str, **extra: str) -> dict[str, str]:
    return process_env(
        redis_url,
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_BURST=f"{BURST}/m",
        RATE_LIMIT_KEY_PREFIX=f"rl:test:{uuid.uuid4().hex}:",
        **extra,
    )


def test_make_run_ignores_x_forwarded_for_from_loopback_when_no_proxy_is_trusted(redis_url):
    env = limited_env(redis_url, RATE_LIMIT_TRUSTED_PROXY_HEADER="", RATE_LIMIT_TRUSTED_PROXIES="")

    with server_process(make_run_command, env) as base:
        statuses = [status_from(base, f"203.0.113.{n}") for n in range(REQUESTS)]

    assert statuses.count(429) >= REQUESTS - 2 * BURST, statuses
    assert set(statuses) == {401, 429}


def test_make_run_honours_the_header_of_a_trusted_proxy(redis_url):
    env = limited_env(
        redis_url,
        RATE_LIMIT_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR",
        RATE_LIMIT_TRUSTED_PROXIES="127.0.0.1",
    )

    with server_process(make_run_command, env) as base:
        distinct = [status_from(base, f"198.51.100.{n}") for n in range(REQUESTS)]
        one_client = [status_from(base, "192.0.2.7") for _ in range(REQUESTS)]
        # A client that writes its own header in front of the proxy's still counts as itself.
        spoofing = [status_from(base, f"203.0.113.{n}, 192.0.2.99") for n in range(REQUESTS)]

    assert distinct == [401] * REQUESTS
    assert one_client.count(429) >= REQUESTS - 2 * BURST, one_client
    assert spoofing.count(429) >= REQUESTS - 2 * BURST, spoofing


def test_make_run_the_dockerfile_and_compose_start_the_same_launcher():
    make_run = make_run_command(8000)
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]

    assert make_run[1:3] == ["-m", "hotgigs.serve"]
    assert "--interface" not in make_run, "make run serves everything from one ASGI process"
    cmd = re.search(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert '"-m", "hotgigs.serve"' in cmd.group(1)
    assert "command" not in services["realtime"], "compose's realtime (ASGI) runs the image's CMD"
    assert services["web"]["command"][:5] == ["python", "-m", "hotgigs.serve", "--interface", "wsgi"]


def test_compose_puts_the_proxy_in_front_and_trusts_only_its_address():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    proxy = services["proxy"]

    proxy_address = proxy["networks"]["default"]["ipv4_address"]
    assert "ports" not in services["web"]
    assert "ports" not in services["realtime"]
    assert proxy["ports"] == ["127.0.0.1:8000:8080"]
    assert "./nginx/hotgigs.conf.template:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]
    assert proxy["environment"]["HOTGIGS_WEB_UPSTREAM"] == "web:8000"
    assert proxy["environment"]["HOTGIGS_REALTIME_UPSTREAM"] == "realtime:8000"
    assert "/health/proxy" in " ".join(proxy["healthcheck"]["test"])
    for name in ("web", "realtime"):
        environment = services[name]["environment"]
        assert environment["RATE_LIMIT_TRUSTED_PROXY_HEADER"] == "HTTP_X_FORWARDED_FOR"
        assert environment["RATE_LIMIT_TRUSTED_PROXIES"] == proxy_address
        assert "healthcheck" in services[name]


@pytest.mark.parametrize(("threads", "worker_class"), [(1, "sync"), (4, "gthread")])
def test_the_wsgi_launcher_takes_its_sizes_from_settings_and_trusts_no_forwarded_header(
    settings, threads, worker_class
):
    import argparse

    from hotgigs.serve import wsgi_options

    settings.WEB_CONCURRENCY = 3
    settings.WSGI_THREADS = threads
    settings.WSGI_TIMEOUT = 17
    args = argparse.Namespace(host="127.0.0.1", port=8001, workers=0, threads=0)

    options = wsgi_options(args, settings)

    assert options["bind"] == ["127.0.0.1:8001"]
    assert options["workers"] == 3
    assert (options["worker_class"], options["threads"]) == (worker_class, threads)
    assert options["timeout"] == 17
    assert options["forwarded_allow_ips"] == ""
    assert options["accesslog"] is None
    assert options["preload_app"] is False
