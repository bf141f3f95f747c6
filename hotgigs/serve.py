"""Start the web server: ``python -m hotgigs.serve [--host H] [--port P] [--workers N]``.

``make run``, ``docker/Dockerfile`` (and so ``docker/compose.yaml``) all start uvicorn through
this module, so the options that matter for security live in one place instead of three
command lines that drift apart:

* **No forwarded headers in the server.** Left to itself, uvicorn believes ``X-Forwarded-For``
  and ``X-Forwarded-Proto`` from 127.0.0.1 (``--forwarded-allow-ips``, ``FORWARDED_ALLOW_IPS``)
  and rewrites the client address before Django runs, so anything on loopback could choose
  its own rate-limit counter. Here uvicorn keeps the peer address, and one rule decides who
  the client is: :func:`hotgigs.api.ratelimit.client_ip`, which reads
  ``RATE_LIMIT_TRUSTED_PROXY_HEADER`` only from ``RATE_LIMIT_TRUSTED_PROXIES`` (empty: from
  nobody). Behind a TLS proxy, ``DJANGO_SECURE`` takes the scheme from ``X-Forwarded-Proto``.
* **Settings load before the port opens.** A misconfiguration (no ``DJANGO_SECRET_KEY`` with
  ``DEBUG`` off, an unreadable rate) ends the start with its message and exit status 1,
  instead of every worker process failing on import and being restarted in a loop.

``--workers`` defaults to ``WEB_CONCURRENCY`` (1 when unset), as with uvicorn itself.
"""

import argparse
import os
import sys

import uvicorn

APPLICATION = "hotgigs.asgi:application"


def _check_settings() -> None:
    """Load the settings (they refuse a missing or public secret key); exit 1 with the reason."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the attribute access loads the settings module
    except ImproperlyConfigured as exc:
        sys.exit(f"hotgigs.serve: refusing to start: {exc}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hotgigs.serve", description="Serve HotGigs (ASGI, uvicorn).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 1))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")
    _check_settings()
    uvicorn.run(
        APPLICATION,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
