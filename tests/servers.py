"""Real uvicorn server processes for the tests that need more than one process."""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


STARTUP_SECONDS = 60


def _wait_until_up(base: str, process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"server {base} exited with {process.returncode}:\n{stderr}")
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{base} did not start within {STARTUP_SECONDS} s")


@contextlib.contextmanager
def uvicorn_servers(env: dict[str, str], count: int = 2) -> Iterator[list[str]]:
    """Start ``count`` ``uvicorn hotgigs.asgi:application`` processes with ``env``; yield their
    base URLs once each answers /health/live; always stop them."""
    servers = []
    try:
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "hotgigs.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            servers.append((f"http://127.0.0.1:{port}", process))
        for base, process in servers:
            _wait_until_up(base, process)
        yield [base for base, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
