import logging

import pytest
from django.core.cache import cache

from hotgigs.celery import app as celery_app
from hotgigs.observability import health
from hotgigs.observability.tasks import record_readiness
from tests.observability.conftest import sample

pytestmark = pytest.mark.django_db(transaction=True)


def test_beat_runs_the_readiness_check_every_30_seconds():
    entry = celery_app.conf.beat_schedule["observability.record_readiness"]

    assert entry["task"] == "observability.record_readiness"
    assert entry["schedule"] == 30.0
    assert "observability.record_readiness" in celery_app.tasks


def test_the_task_keeps_the_result_in_the_cache_and_the_gauges():
    cache.delete(health.LAST_RESULT_KEY)

    result = record_readiness()

    assert result["status"] == "ok"
    stored = cache.get(health.LAST_RESULT_KEY)
    assert stored["checks"].keys() == {"database", "cache", "channel_layer", "broker"}
    assert sample("hotgigs_component_up", component="database") == 1.0
    assert sample("hotgigs_component_latency_seconds", component="database") >= 0


def test_the_task_warns_about_a_failing_component(monkeypatch, caplog):
    def broken() -> None:
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "broker", broken)

    with caplog.at_level(logging.WARNING, logger="hotgigs.observability.health"):
        result = record_readiness()

    assert result["failing"] == ["broker"]
    assert cache.get(health.LAST_RESULT_KEY)["failing"] == ["broker"]
    assert sample("hotgigs_component_up", component="broker") == 0.0
    warning = next(r for r in caplog.records if r.name == "hotgigs.observability.health")
    assert warning.component == "broker"
    assert warning.error == "ConnectionError"


def test_the_task_survives_an_unreachable_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }

    result = record_readiness()

    assert result["failing"] == ["cache"]
    assert sample("hotgigs_component_up", component="cache") == 0.0


def test_tasks_are_measured_per_task_name():
    before = sample("hotgigs_requests_total", kind="task", name="observability.record_readiness", outcome="ok")

    record_readiness.apply()

    assert (
        sample("hotgigs_requests_total", kind="task", name="observability.record_readiness", outcome="ok") == before + 1
    )
    assert sample(
        "hotgigs_execution_time_seconds_count", kind="task", name="observability.record_readiness", method="task"
    )


@celery_app.task(name="tests.observability.failing_task")
def failing_task() -> None:
    raise ValueError("always fails")


def test_a_failing_task_counts_as_an_error():
    before = sample("hotgigs_requests_total", kind="task", name="tests.observability.failing_task", outcome="error")

    with pytest.raises(ValueError, match="always fails"):
        failing_task.apply(throw=True)

    assert (
        sample("hotgigs_requests_total", kind="task", name="tests.observability.failing_task", outcome="error")
        == before + 1
    )
