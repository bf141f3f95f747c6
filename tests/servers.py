"""Real server and worker processes for the tests that need more than one process.

The processes run on the test database pytest-django created (:func:`test_database_url`), so
the tests that use them commit their data (``django_db(transaction=True)``).
"""

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]

T = TypeVar("T")


def test_database_url() -> str:
    """The URL of the test database pytest-django created, for processes started by a test."""
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{host}/{db['NAME']}"


def test_database_owner_url() -> str:
    """The test database's URL as its owner (``DATABASE_OWNER_URL``'s role), else as the tests' role.

    What must see every row whatever the policies (a copy of the database) connects as this."""
    owner = os.environ.get("DATABASE_OWNER_URL")
    return owner.rsplit("/", 1)[0] + "/" + connection_name() if owner else test_database_url()


def process_env(redis_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a child process: this one's, on the test database and ``redis_url``.

    Prometheus' multiprocess directory is left out (each child would write into the parent's).
    """
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(
        DJANGO_SETTINGS_MODULE="hotgigs.settings",
        DATABASE_URL=test_database_url(),
        DATABASE_POOL_MIN_SIZE="1",
        REDIS_URL=redis_url,
        HOTGIGS_WARM_UP="false",
        RATE_LIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    owner = os.environ.get("DATABASE_OWNER_URL")
    if owner:
        # A child's `migrate` connects as the owner, to the same test database.
        env["DATABASE_OWNER_URL"] = test_database_owner_url()
    env.update(overrides)
    return env


def connection_name() -> str:
    from django.db import connection

    return str(connection.settings_dict["NAME"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


STARTUP_SECONDS = 60


def _wait_until_up(base: str, process: subprocess.Popen, output: Path | None = None) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            if output is not None:
                stderr = output.read_text(errors="replace")[-20_000:]
            raise AssertionError(f"server {base} exited with {process.returncode}:\n{stderr}")
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{base} did not start within {STARTUP_SECONDS} s")


def make_run_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The command ``make run`` starts its web server with: the last line ``make -n run`` prints."""
    printed = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-n", "run", f"HOST={host}", f"PORT={port}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return shlex.split(printed.strip().splitlines()[-1])


def serve_command(port: int) -> list[str]:
    """``python -m hotgigs.serve`` on loopback: how ``make run`` and the Docker image start the server."""
    return [sys.executable, "-m", "hotgigs.serve", "--host", "127.0.0.1", "--port", str(port)]


def wsgi_serve_command(port: int) -> list[str]:
    """``python -m hotgigs.serve --interface wsgi`` on loopback: the production stack's HTTP side."""
    return [*serve_command(port), "--interface", "wsgi"]


def plain_uvicorn_command(port: int) -> list[str]:
    """``uvicorn hotgigs.asgi:application`` with no option of ours: how anyone else might start it."""
    return [sys.executable, "-m", "uvicorn", "hotgigs.asgi:application", "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def server_process(
    command: Callable[[int], list[str]], env: dict[str, str], *, output: Path | None = None
) -> Iterator[str]:
    """Start one web server ``command(port)`` with ``env``; yield its base URL once /health/live
    answers; always stop it. With ``output``, its stdout and stderr both go to that file."""
    with uvicorn_servers(env, count=1, command=command, output=output) as (base,):
        yield base


@contextlib.contextmanager
def uvicorn_servers(
    env: dict[str, str],
    count: int = 2,
    *,
    command: Callable[[int], list[str]] = serve_command,
    output: Path | None = None,
) -> Iterator[list[str]]:
    """Start ``count`` web servers with ``env``, by default as ``make run`` does
    (:func:`serve_command`); yield their base URLs once each answers /health/live; always stop them.

    With ``output`` (one server only), its stdout and stderr are appended to that file.
    """
    if output is not None and count != 1:
        raise ValueError("output takes one server")
    servers = []
    # A server's output always goes to a file: a pipe nobody reads fills up (64 KiB) and then
    # blocks a server that logs a lot, e.g. every failed Redis call during a fault drill.
    scratch: list[Path] = []
    try:
        for _ in range(count):
            port = free_port()
            log = output
            if log is None:
                handle, name = tempfile.mkstemp(prefix="hotgigs-server-", suffix=".log")
                os.close(handle)
                log = Path(name)
                scratch.append(log)
            with open(log, "ab") as sink:
                process = subprocess.Popen(  # noqa: S603
                    command(port), cwd=ROOT, env=env, stdout=sink, stderr=sink
                )
            servers.append((f"http://127.0.0.1:{port}", process, log))
        for base, process, log in servers:
            _wait_until_up(base, process, log)
        yield [base for base, _, _ in servers]
    finally:
        for _, process, _ in servers:
            process.terminate()
        for _, process, _ in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in scratch:
            log.unlink(missing_ok=True)


@dataclass
class CeleryWorker:
    """A running ``celery -A hotgigs worker`` process and the queue it consumes."""

    name: str
    queue: str
    process: subprocess.Popen  # type: ignore[type-arg]
    output: deque[str] = field(default_factory=lambda: deque(maxlen=200))

    def log(self) -> str:
        """The last lines the worker printed (for assertion messages)."""
        return "".join(self.output)

    def wait_for(self, read: Callable[[], T], seconds: float = 30) -> T:
        """Poll ``read()`` until it returns something truthy and return that.

        ``seconds`` bounds the wait for another process; it is not a timing assertion. Fails
        with the worker's log when the time runs out or the worker exits first.
        """
        deadline = time.monotonic() + seconds
        while True:
            value = read()
            if value:
                return value
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited with {self.process.returncode}; its log:\n{self.log()}")
            if time.monotonic() >= deadline:
                raise AssertionError(f"the worker did not finish within {seconds} s; its log:\n{self.log()}")
            time.sleep(0.1)


def _drain(worker: CeleryWorker) -> None:
    assert worker.process.stdout is not None
    for line in iter(worker.process.stdout.readline, ""):
        worker.output.append(line)


def _wait_until_ready(worker: CeleryWorker) -> None:
    """Wait until the worker answers a control ping (it is consuming its queue by then)."""
    from hotgigs.celery import app

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise AssertionError(f"worker exited with {worker.process.returncode}:\n{worker.log()}")
        if app.control.ping(destination=[worker.name], timeout=0.5):
            return
    raise AssertionError(f"worker did not start within {STARTUP_SECONDS} s:\n{worker.log()}")


@contextlib.contextmanager
def celery_worker(env: dict[str, str], *, concurrency: int = 1) -> Iterator[CeleryWorker]:
    """Start a real Celery worker with ``env`` on a queue of its own; yield it once it is ready.

    The queue name is random, so parallel test processes sharing one Redis never take each
    other's tasks; the worker also sends its own retries there (``CELERY_TASK_DEFAULT_QUEUE``).
    The caller points its own task publishing at :attr:`CeleryWorker.queue` and its matching
    tasks at ``<queue>-matching``, which the worker consumes too.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    name = f"{queue}@localhost"
    worker_env = {
        **env,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_MATCHING_QUEUE": f"{queue}-matching",
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hotgigs",
            "worker",
            "--hostname",
            name,
            "--queues",
            f"{queue},{queue}-matching",
            "--pool",
            "solo" if concurrency == 1 else "prefork",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = CeleryWorker(name=name, queue=queue, process=process)
    threading.Thread(target=_drain, args=(worker,), daemon=True).start()
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class RedisServer:
    """A ``redis-server`` of the test's own on a free port, for fault drills.

    Never the shared Redis: other tests and sessions use that one. Nothing is persisted, so
    after :meth:`stop` and :meth:`start` the server comes back empty (as a Redis that lost its
    data would): whatever was queued in it is gone.
    """

    port: int
    process: subprocess.Popen | None = None  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [  # noqa: S607 - redis-server from PATH, as CI installs it
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"redis-server on {self.port} exited with {self.process.returncode}")
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """Kill it: connections are reset and new ones refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()

    def pause(self) -> None:
        """SIGSTOP: the kernel still accepts connections, but nothing ever answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Start a :class:`RedisServer`; always kill it afterwards (resumed first if paused)."""
    server = RedisServer(port=free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()


NGINX_TEMPLATE = ROOT / "docker" / "nginx" / "hotgigs.conf.template"
TEMPLATE_VARIABLES = ("HOTGIGS_WEB_UPSTREAM", "HOTGIGS_REALTIME_UPSTREAM", "HOTGIGS_PROXY_PORT")


def nginx_binary() -> str | None:
    """The nginx executable (Debian puts it in /usr/sbin, which a user's PATH may lack)."""
    import shutil

    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def render_proxy_template(values: dict[str, str]) -> str:
    """The repository's proxy configuration with its three variables filled in, as the
    nginx image renders it at start (only the variables given; nginx's own ``$vars`` stay)."""
    from string import Template

    if set(values) != set(TEMPLATE_VARIABLES):
        raise ValueError(f"the template takes exactly {TEMPLATE_VARIABLES}")
    rendered = Template(NGINX_TEMPLATE.read_text()).safe_substitute(values)
    if "${" in rendered:
        raise AssertionError("the proxy template uses a variable nobody sets")
    return rendered


@contextlib.contextmanager
def nginx_proxy(web: str, realtime: str) -> Iterator[str]:
    """nginx with the repository's configuration (docker/nginx/hotgigs.conf.template) in front
    of ``web`` (WSGI) and ``realtime`` (ASGI), listening on a free loopback port; yields its
    base URL once its health check answers; always stops it."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hotgigs-nginx-") as scratch:
        folder = Path(scratch)
        # Started as root, nginx's workers run as an unprivileged user: they must reach these.
        folder.chmod(0o755)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / name).mkdir(mode=0o777)
            (folder / name).chmod(0o777)
        site = folder / "hotgigs.conf"
        site.write_text(
            render_proxy_template(
                {
                    "HOTGIGS_WEB_UPSTREAM": web.removeprefix("http://"),
                    "HOTGIGS_REALTIME_UPSTREAM": realtime.removeprefix("http://"),
                    "HOTGIGS_PROXY_PORT": f"127.0.0.1:{port}",
                }
            )
        )
        main = folder / "nginx.conf"
        main.write_text(
            f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
"""
        )
        log = folder / "error.log"
        with open(folder / "output.log", "ab") as sink:
            process = subprocess.Popen(  # noqa: S603
                [binary, "-p", str(folder), "-c", str(main)], cwd=folder, stdout=sink, stderr=sink
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    output = (folder / "output.log").read_text(errors="replace")
                    errors = log.read_text(errors="replace") if log.exists() else ""
                    raise AssertionError(f"nginx exited with {process.returncode}:\n{output}\n{errors}")
                try:
                    with urllib.request.urlopen(f"{base}/health/proxy", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
