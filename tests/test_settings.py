"""Settings that decide whether a server may start at all, read in fresh processes.

With ``DEBUG`` off, the secret key must be one nobody else knows: a missing key, or one of
the public keys this repository has shipped, stops every process at settings load with
``ImproperlyConfigured`` naming the variables to set.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
KEY_VARIABLES = ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY_FILE", "DJANGO_DEBUG", "DJANGO_SECURE")
# Generous bound on a start that should fail at once; a server that does start runs until killed.
START_SECONDS = 60
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment without any secret-key or debug variable, on the embedded defaults."""
    env = {key: value for key, value in os.environ.items() if key not in KEY_VARIABLES}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(DJANGO_SETTINGS_MODULE="hotgigs.settings", HOTGIGS_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, fixed commands
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=START_SECONDS, check=False
    )


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-c", code], env)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["-m", "hotgigs.serve", "--host", "127.0.0.1", "--port", "{port}"], id="make-run-launcher"),
        pytest.param(["-m", "uvicorn", "hotgigs.asgi:application", "--port", "{port}"], id="plain-uvicorn"),
        pytest.param(["manage.py", "migrate", "--no-input"], id="manage-py"),
    ],
)
def test_without_a_secret_key_and_debug_off_nothing_starts(tmp_path, command):
    port = str(free_port())

    result = run([sys.executable, *(part.format(port=port) for part in command)], clean_env(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr or "refusing to start" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "public_key",
    [
        "insecure-local-development-key-change-me-for-any-real-deployment",
        "compose-local-only-insecure-key-change-me",
        "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz",
    ],
)
def test_a_public_secret_key_with_debug_off_is_refused(tmp_path, public_key):
    result = python(PRINT_KEY, clean_env(tmp_path, DJANGO_SECRET_KEY=public_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is public" in result.stderr


def test_debug_runs_on_the_development_key(tmp_path):
    result = python(PRINT_KEY, clean_env(tmp_path, DJANGO_DEBUG="true"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "insecure-local-development-key-change-me-for-any-real-deployment"


def test_a_key_file_is_created_once_private_and_then_reused(tmp_path):
    key_file = tmp_path / "secrets" / "secret-key"
    key_file.parent.mkdir()
    env = clean_env(tmp_path, DJANGO_SECRET_KEY_FILE=str(key_file))

    first = python(PRINT_KEY, env)
    second = python(PRINT_KEY, env)

    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_key_variable_wins_over_the_key_file(tmp_path):
    key_file = tmp_path / "secret-key"
    key_file.write_text("from-the-file-" + "x" * 50)
    env = clean_env(tmp_path, DJANGO_SECRET_KEY="from-the-variable-" + "y" * 50, DJANGO_SECRET_KEY_FILE=str(key_file))

    result = python(PRINT_KEY, env)

    assert result.stdout.strip() == "from-the-variable-" + "y" * 50


def test_a_key_file_in_a_missing_folder_is_an_error_not_a_new_folder(tmp_path):
    key_file = tmp_path / "not-mounted" / "secret-key"

    result = python(PRINT_KEY, clean_env(tmp_path, DJANGO_SECRET_KEY_FILE=str(key_file)))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE" in result.stderr
    assert not key_file.parent.exists()


def test_hsts_covers_subdomains_when_secure(tmp_path):
    env = clean_env(tmp_path, DJANGO_SECRET_KEY="k" * 50, DJANGO_SECURE="true")
    code = (
        "from django.conf import settings;"
        "print(settings.SECURE_HSTS_SECONDS > 0, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )

    result = python(code, env)

    assert result.stdout.split() == ["True", "True"], result.stderr


def test_cors_origins_default_to_the_frontend_origin(tmp_path):
    env = clean_env(tmp_path, DJANGO_SECRET_KEY="k" * 50, FRONTEND_URL="https://app.example.com/hotgigs/")
    env.pop("CORS_ALLOWED_ORIGINS", None)

    result = python("from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)", env)

    assert result.stdout.strip() == "['https://app.example.com']", result.stderr


def test_cors_origins_come_from_their_own_variable(tmp_path):
    env = clean_env(
        tmp_path, DJANGO_SECRET_KEY="k" * 50, CORS_ALLOWED_ORIGINS="https://a.example,https://b.example:8443"
    )

    result = python("from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)", env)

    assert result.stdout.strip() == "['https://a.example', 'https://b.example:8443']", result.stderr
