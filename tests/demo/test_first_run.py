"""What ``make run`` prints the first time: progress, no task logs, the right addresses, the
logins last (the seeding itself is tested in test_seed_demo.py; here it is stood in for)."""

import logging
import os
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from celery import current_app
from django.core.management import call_command

from demo.seed import DemoLogin, SeedReport
from hotgigs.queueing import send_task_by_name
from tests.servers import ROOT, process_env, serve_command, server_process

LOGINS = [
    DemoLogin("platform staff (superuser)", "staff@demo.hotgigs.test", "http://127.0.0.1:8765/admin/"),
    DemoLogin("candidate", "grace.kim.3@demo.hotgigs.test", "http://127.0.0.1:8765/api/v1/"),
]


@pytest.fixture
def seeding(monkeypatch):  # type: ignore[no-untyped-def]
    """Seeding stood in for by a step that runs a real task in-process, as a first run does."""
    calls: list[dict[str, Any]] = []

    def seed_demo(**kwargs: Any) -> SeedReport:
        calls.append(kwargs)
        kwargs["log"]("jobs: 1 created, 0 existed")
        assert send_task_by_name("api.purge_idempotency_keys", [])
        logging.getLogger("demo.seed").warning("a warning still shows")
        return SeedReport(before={"jobs": 0}, after={"jobs": 1}, logins=LOGINS, seconds=1.5)

    monkeypatch.setattr("demo.management.commands.seed_demo.seed_demo", seed_demo)
    # Celery's first look for the tasks modules sets Django up again, which reapplies LOGGING
    # and so takes pytest's log capture off the root logger: let it happen before the test.
    current_app.loader.import_default_modules()
    return calls


@pytest.mark.django_db
def test_seeding_keeps_the_tasks_log_lines_out_of_the_console(seeding, caplog, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    caplog.set_level(logging.INFO)

    call_command("seed_demo", stdout=StringIO())

    assert [record.getMessage() for record in caplog.records] == ["a warning still shows"]


@pytest.mark.django_db
def test_verbosity_2_shows_the_tasks_log_lines(seeding, caplog, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    caplog.set_level(logging.INFO)

    call_command("seed_demo", verbosity=2, stdout=StringIO())

    assert any(record.name == "celery.app.trace" for record in caplog.records)


@pytest.mark.django_db
def test_progress_then_summary_then_the_addresses_and_logins_last(seeding):
    out = StringIO()

    call_command("seed_demo", "--base-url", "http://127.0.0.1:8765/", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Loading the demo data (data set 2026)")
    assert "jobs: 1 created, 0 existed" in lines[1]
    assert "s]" in lines[1]  # seconds elapsed
    assert any(line.startswith("Demo data ready in 1.5 s: 1 rows created") for line in lines)
    assert seeding[0]["base_url"] == "http://127.0.0.1:8765"
    block = lines[lines.index("HotGigs at http://127.0.0.1:8765/") :]
    assert block[1:3] == [
        "  back office  http://127.0.0.1:8765/admin/",
        "  REST API     http://127.0.0.1:8765/api/v1/  (docs: http://127.0.0.1:8765/api/v1/docs/)",
    ]
    assert block[4].startswith("Demo logins (password for all: ")
    assert [line.split()[-2] for line in block[5:7]] == [login.email for login in LOGINS]
    assert block[7:] == ["Every other demo user (all recruiters and candidates with a login) has the same password."]


@pytest.mark.django_db
def test_the_logins_can_go_to_a_file_for_the_server_to_print(seeding, tmp_path):
    out, logins = StringIO(), tmp_path / "logins.txt"

    call_command("seed_demo", "--logins-file", str(logins), stdout=out)

    assert "Demo logins" not in out.getvalue()
    assert out.getvalue().rstrip().splitlines()[-1].startswith("Demo data ready in")
    assert logins.read_text().startswith("HotGigs at http://127.0.0.1:8000/\n")
    assert "grace.kim.3@demo.hotgigs.test" in logins.read_text()


def test_an_in_process_task_without_a_broker_logs_no_kombu_warning(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="hotgigs.settings", HOTGIGS_VAR_DIR=str(tmp_path / "var"), LOG_FORMAT="plain")
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from hotgigs.queueing import send_task_by_name\n"
        "assert settings.CELERY_TASK_ALWAYS_EAGER\n"
        "print(send_task_by_name('realtime.prune_outbox', []))\n"
    )
    subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )

    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert "No hostname was supplied" not in result.stderr
    assert "kombu" not in result.stderr


def test_the_server_prints_the_logins_once_it_listens(redis_url, tmp_path):
    logins = tmp_path / "logins.txt"
    logins.write_text("HotGigs at http://127.0.0.1:8765/\nDemo logins (password for all: x)\n")
    output = tmp_path / "server.log"

    def command(port: int) -> list[str]:
        return [*serve_command(port), "--print-when-ready", str(logins)]

    with server_process(command, process_env(redis_url), output=output):
        printed = output.read_text()

    assert "Uvicorn running on" in printed
    assert printed.index("Uvicorn running on") < printed.index("HotGigs at http://127.0.0.1:8765/")
