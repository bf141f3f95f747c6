import time

import pytest
from django.db.utils import ConnectionHandler

from hotgigs.celery import app as celery_app
from hotgigs.observability import health

pytestmark = pytest.mark.django_db(transaction=True)

COMPONENTS = {"database", "cache", "channel_layer", "broker"}
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def unreachable_cache() -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def test_ready_reports_every_component_with_its_latency(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == COMPONENTS
    assert all(check["ok"] and check["latency_ms"] >= 0 for check in body["checks"].values())
    assert body["failing"] == []
    assert response["Cache-Control"] == "no-store"


def test_ready_on_redis_checks_the_real_services(client, redis_url):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert "mode" not in response.json()["checks"]["broker"]


def test_ready_answers_503_naming_an_unreachable_cache(client, settings):
    settings.CACHES = unreachable_cache()

    response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert int(response["Retry-After"]) >= 1
    assert body["details"]["failing"] == ["cache"]
    assert body["details"]["checks"]["cache"]["ok"] is False
    assert body["details"]["checks"]["cache"]["error"]
    assert body["details"]["checks"]["database"]["ok"] is True


def test_ready_answers_503_naming_an_unreachable_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    monkeypatch.setattr(celery_app.conf, "broker_write_url", UNREACHABLE_REDIS)

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["details"]["failing"] == ["broker"]


def test_ready_answers_503_naming_an_unreachable_channel_layer(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [UNREACHABLE_REDIS]}}
    }

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["details"]["failing"] == ["channel_layer"]


def test_ready_answers_503_naming_an_unreachable_database(client, monkeypatch):
    unreachable = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "hotgigs",
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": "1",
                "OPTIONS": {"connect_timeout": 1},
            }
        }
    )

    def check_unreachable_database() -> None:
        connection = unreachable["default"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    monkeypatch.setitem(health.CHECKS, "database", check_unreachable_database)

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["details"]["failing"] == ["database"]
    assert response.json()["details"]["checks"]["database"]["error"] == "OperationalError"


def test_a_hanging_component_fails_as_a_timeout_and_the_check_returns(monkeypatch, settings):
    settings.HEALTH_CHECK_TIMEOUT = 0.2
    monkeypatch.setitem(health.CHECKS, "cache", lambda: time.sleep(5))

    result = health.readiness()

    assert result.failing == ["cache"]
    assert result.checks["cache"].error == "timeout"
    assert result.checks["database"].ok


def test_ready_refuses_other_methods_in_the_envelope(client):
    response = client.post("/health/ready")

    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
