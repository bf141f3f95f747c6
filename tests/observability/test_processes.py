"""Real processes: multiprocess metrics across two servers, and lazy heavy imports."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.servers import uvicorn_servers

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "multiprocess-test-token"


def embedded_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The embedded defaults (SQLite in tmp_path, no Redis), whatever the suite runs on."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"}}
    env.update(DJANGO_SETTINGS_MODULE="hotgigs.settings", HOTGIGS_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def run_embedded(tmp_path: Path, script: str) -> str:
    """Run ``script`` in a Python process on the embedded defaults; its output, stripped."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=embedded_env(tmp_path), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().strip()


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def two_servers(tmp_path):
    multiproc_dir = tmp_path / "prometheus"
    multiproc_dir.mkdir()
    env = embedded_env(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir), METRICS_TOKEN=TOKEN)
    with uvicorn_servers(env) as bases:
        yield bases, multiproc_dir


def test_metrics_aggregate_every_worker_process(two_servers):
    (first, second), multiproc_dir = two_servers
    for _ in range(3):
        get(f"{first}/health/live")
    for _ in range(2):
        get(f"{second}/health/live")

    status, body = get(f"{second}/metrics", TOKEN)

    assert status == 200
    samples = [s for family in text_string_to_metric_families(body.decode()) for s in family.samples]

    def value(metric: str, /, **labels: str) -> float:
        return sum(s.value for s in samples if s.name == metric and labels.items() <= s.labels.items())

    # Starting made one request per server (uvicorn_servers waits on it), then 3 + 2 more.
    assert value("hotgigs_requests_total", kind="http", name="health-live", outcome="ok") == 7
    assert value("hotgigs_cold_starts_total", process_type="asgi") == 2
    assert value("hotgigs_cold_start_seconds_count", process_type="asgi") == 2
    assert value("hotgigs_warm_up_seconds_count", process_type="asgi") == 2
    assert len(list(multiproc_dir.glob("counter_*.db"))) == 2


def test_metrics_of_a_server_require_the_token(two_servers):
    (first, _), _ = two_servers

    status, body = get(f"{first}/metrics")

    assert status == 401
    assert json.loads(body)["code"] == "UNAUTHORIZED"


def test_loading_the_servers_and_workers_imports_no_heavy_library(tmp_path):
    script = (
        "import sys, hotgigs.asgi, hotgigs.wsgi, hotgigs.urls\n"
        "from hotgigs.celery import app\n"
        "app.loader.import_default_modules()\n"
        "heavy = ('openai', 'numpy', 'pypdf', 'docx', 'pdfminer', 'fitz', 'sklearn', 'torch')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )

    assert run_embedded(tmp_path, script) == ""


def test_warm_up_registers_every_task_the_first_queued_one_would_have(tmp_path):
    script = (
        "import hotgigs.wsgi\n"  # builds the application and warms it up
        "from hotgigs.celery import app\n"
        "warm = set(app.tasks)\n"
        "app.loader.import_default_modules()\n"
        "print(len(warm), sorted(set(app.tasks) - warm))\n"
    )

    registered, missing = run_embedded(tmp_path, script).split(" ", 1)
    assert missing == "[]"
    assert int(registered) > 20
