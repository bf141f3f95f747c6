"""Start the web server: ``python -m hotgigs.serve [--interface asgi|wsgi] [--host H] [--port P]``.

Two interfaces, one launcher, the same code behind both:

* ``asgi`` (the default): uvicorn on ``hotgigs.asgi``, HTTP and WebSockets from one process
  group. ``make run`` serves everything this way (the embedded default, one process), and in
  the production stack the ``realtime`` service serves ``/ws/`` this way.
* ``wsgi``: gunicorn on ``hotgigs.wsgi``, HTTP only. DRF views are synchronous: under ASGI
  each request and each sync middleware pays a hop to a worker thread, so the same views
  serve about 3x the requests per second from WSGI workers (README, "Serving"). In the
  production stack the ``web`` service serves everything but ``/ws/`` this way, behind the
  reverse proxy of ``docker/nginx/hotgigs.conf.template``.

``make run``, ``docker/Dockerfile`` and ``docker/compose.yaml`` all start the server through
this module, so the options that matter for security live in one place instead of command
lines that drift apart:

* **No forwarded headers in the server.** Left to itself, uvicorn believes ``X-Forwarded-For``
  and ``X-Forwarded-Proto`` from 127.0.0.1 (``--forwarded-allow-ips``, ``FORWARDED_ALLOW_IPS``)
  and rewrites the client address before Django runs, so anything on loopback could choose
  its own rate-limit counter; gunicorn likewise believes ``X-Forwarded-Proto`` from
  127.0.0.1. Here neither server trusts any peer: it keeps the peer address, and one rule
  decides who the client is: :func:`hotgigs.api.ratelimit.client_ip`, which reads
  ``RATE_LIMIT_TRUSTED_PROXY_HEADER`` only from ``RATE_LIMIT_TRUSTED_PROXIES`` (empty: from
  nobody). Behind a TLS proxy, ``DJANGO_SECURE`` takes the scheme from ``X-Forwarded-Proto``.
* **The same log redaction.** Both servers' loggers (``uvicorn.*``, ``gunicorn.*``) write
  through the project's console handler, whose formatters redact query-string values
  (``/ws/?token=[redacted]``). gunicorn writes no access line of its own: the application's
  access log (``hotgigs.access``) already has one per request, with its request id.
* **Settings load before the port opens.** A misconfiguration (no ``DJANGO_SECRET_KEY`` with
  ``DEBUG`` off, an unreadable rate) ends the start with its message and exit status 1,
  instead of every worker process failing on import and being restarted in a loop.

* **A deadline for the request head.** uvicorn waits forever for the first bytes of a
  connection and for the rest of a request head: bare TCP connections and half-sent upgrade
  requests stayed open indefinitely. :class:`HeadTimeoutHttpToolsProtocol` closes a
  connection whose request head is not complete ``HTTP_HEADER_TIMEOUT_SECONDS`` after it
  opened (or after its next request began); idle keep-alive connections keep uvicorn's own
  timeout.
* **A bound on a WebSocket message.** ``WS_MAX_MESSAGE_BYTES`` (32 KiB) instead of uvicorn's
  16 MiB: a client's larger message closes its socket with 1009 before it is buffered whole.
* **A deadline for a WebSocket's close.** Once the application closes a socket (4008 for a
  client too slow to read, 4401, …), uvicorn's WebSocket implementation sends the close frame
  and waits for the client's answer, each step up to its close timeout, and closing the
  transport first flushes what the client has not read: a client that stopped reading kept
  its connection, and the kernel buffers full of events, for about 40 s.
  :class:`BoundedCloseWebSocketProtocol` gives every step ``REALTIME_CLOSE_TIMEOUT_SECONDS``
  and resets the connection (its unsent bytes dropped, RST) when it is still open that long
  after the application closed it.

Sizes come from settings (``.env.example``): ``WEB_CONCURRENCY`` worker processes (1 when
unset) for either interface; for ``wsgi`` also ``WSGI_THREADS`` (1: gunicorn's sync worker;
more: the gthread worker with that many threads per process), ``WSGI_TIMEOUT`` (a request
running longer gets its worker restarted), ``WSGI_KEEPALIVE`` and ``WSGI_MAX_REQUESTS``.
``--workers`` and ``--threads`` override them.
"""

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import struct
import sys
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_impl import WebSocketProtocol

ASGI_APPLICATION = "hotgigs.asgi:application"
# The largest WebSocket message a client may send: what the consumer accepts at most
# (hotgigs.realtime.consumers.MAX_MESSAGE_CHARS, 8,192 characters) in UTF-8's 4 bytes each.
# uvicorn's default, 16 MiB, was read and held whole before the consumer refused it, per socket
# and per message; a larger one now closes the socket with 1009 (message too big).
WS_MAX_MESSAGE_BYTES = 4 * 8192
WSGI_APPLICATION = "hotgigs.wsgi:application"


def _check_settings() -> Any:
    """Load the settings (they refuse a missing or public secret key); exit 1 with the reason."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the attribute access loads the settings module
    except ImproperlyConfigured as exc:
        sys.exit(f"hotgigs.serve: refusing to start: {exc}")
    return settings


def _configure_logging(settings: Any) -> None:
    """Apply the project's LOGGING in this (master) process, as each worker's Django setup does."""
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


class HeadTimeoutHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's HTTP protocol with a deadline for each request head (see the module docstring)."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:
            self._start_head_timer()

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _start_head_timer(self) -> None:
        from django.conf import settings

        self._head_timer = self.loop.call_later(settings.HTTP_HEADER_TIMEOUT_SECONDS, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.abort()


class BoundedCloseWebSocketProtocol(WebSocketProtocol):  # type: ignore[misc]
    """uvicorn's WebSocket protocol with a bounded close (see the module docstring)."""

    _abort_timer: asyncio.TimerHandle | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.close_timeout = settings.REALTIME_CLOSE_TIMEOUT_SECONDS

    async def asgi_send(self, message: Any) -> None:
        if (
            message.get("type") == "websocket.close"
            and self._abort_timer is None
            and self.handshake_completed_event.is_set()
        ):
            self._abort_timer = self.loop.call_later(self.close_timeout, self._close_timed_out)
        await super().asgi_send(message)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._abort_timer is not None:
            self._abort_timer.cancel()
        super().connection_lost(exc)

    def _close_timed_out(self) -> None:
        # Still connected: the client has not read up to the close frame, or not answered it.
        # A plain close would queue the FIN behind the unread bytes, so the client would not
        # learn the connection ended and the kernel would keep its buffers: reset it instead
        # (SO_LINGER with a zero timeout makes the close send RST and drop what is unsent).
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            # uvloop's socket of a transport that has just closed has no descriptor left
            # (ValueError), while connection_lost, which cancels this timer, is still to come.
            with contextlib.suppress(OSError, ValueError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


def _serve_asgi(args: argparse.Namespace, settings: Any) -> None:
    import uvicorn

    workers = args.workers or settings.WEB_CONCURRENCY
    options: dict[str, Any] = {"host": args.host, "port": args.port, "proxy_headers": False}
    options["http"] = HeadTimeoutHttpToolsProtocol
    options["ws"] = BoundedCloseWebSocketProtocol
    options["ws_max_size"] = WS_MAX_MESSAGE_BYTES
    application = args.app
    if args.print_when_ready is None or workers > 1 or not args.print_when_ready.is_file():
        uvicorn.run(application, workers=workers, **options)
        return
    message = args.print_when_ready.read_text()

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:  # listening: what follows is for the person at the console
                sys.stdout.write(f"\n{message}")
                sys.stdout.flush()

    # What uvicorn.run does for one process without reload.
    server = Server(uvicorn.Config(application, **options))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE


def wsgi_options(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """gunicorn's settings for ``args`` and the project's settings."""
    threads = args.threads or settings.WSGI_THREADS
    return {
        "bind": [f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"],
        "workers": args.workers or settings.WEB_CONCURRENCY,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "timeout": settings.WSGI_TIMEOUT,
        "graceful_timeout": settings.WSGI_TIMEOUT,
        "keepalive": settings.WSGI_KEEPALIVE,
        "max_requests": settings.WSGI_MAX_REQUESTS,
        "max_requests_jitter": settings.WSGI_MAX_REQUESTS // 10,
        # No peer may set the scheme or the client address: see the module docstring.
        "forwarded_allow_ips": "",
        "accesslog": None,
        "logger_class": "hotgigs.serve.GunicornLogger",
        "loglevel": logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
        "proc_name": "hotgigs-wsgi",
        # The runtime control socket is one path per user ($HOME/.gunicorn): two servers on one
        # machine would fight over it, and nothing here uses it.
        "control_socket_disable": True,
        # Workers import the application themselves: a database pool opened before fork
        # would be shared by every worker.
        "preload_app": False,
    }


def _serve_wsgi(args: argparse.Namespace, settings: Any) -> None:
    from gunicorn.app.base import BaseApplication

    options = wsgi_options(args, settings)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from gunicorn.util import import_app

            return import_app(WSGI_APPLICATION)

    Server(prog="python -m hotgigs.serve --interface wsgi").run()


class GunicornLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger without handlers of its own: its records go to the ``gunicorn``
    logger, which settings.LOGGING sends through the project's (redacting) handler."""

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        self.loglevel = self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO)
        self.error_log.setLevel(self.loglevel)
        for log in (self.error_log, self.access_log):
            log.propagate = True
            for handler in list(log.handlers):
                log.removeHandler(handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hotgigs.serve", description="Serve HotGigs.")
    parser.add_argument(
        "--interface",
        choices=("asgi", "wsgi"),
        default="asgi",
        help="asgi: uvicorn, HTTP and WebSockets (default); wsgi: gunicorn, HTTP only",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--app",
        default=ASGI_APPLICATION,
        help="asgi: the application to serve (default: %(default)s; the benchmarks wrap it)",
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (default: WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=0, help="wsgi: threads per worker (default: WSGI_THREADS)")
    parser.add_argument(
        "--print-when-ready",
        type=Path,
        metavar="FILE",
        help="asgi, one process: print this file, if it exists, once the server listens (make run: the demo logins)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")
    settings = _check_settings()
    if args.interface == "wsgi":
        # uvicorn configures its own loggers, and Django's LOGGING then takes them over in
        # each worker; gunicorn's master logs before any worker exists.
        _configure_logging(settings)
        _serve_wsgi(args, settings)
    else:
        _serve_asgi(args, settings)


if __name__ == "__main__":
    main()
