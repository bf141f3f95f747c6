import os

import pytest

from hotgigs.observability import metrics
from tests.observability.conftest import sample

pytestmark = pytest.mark.django_db


def test_a_request_is_measured_under_its_route_name(client):
    before_count = sample("hotgigs_execution_time_seconds_count", kind="http", name="health-live", method="GET")
    before_ok = sample("hotgigs_requests_total", kind="http", name="health-live", outcome="ok")
    before_memory = sample("hotgigs_memory_usage_bytes_count", kind="http", name="health-live")

    response = client.get("/health/live")

    assert response.status_code == 200
    assert sample("hotgigs_execution_time_seconds_count", kind="http", name="health-live", method="GET") == (
        before_count + 1
    )
    assert sample("hotgigs_requests_total", kind="http", name="health-live", outcome="ok") == before_ok + 1
    assert sample("hotgigs_memory_usage_bytes_count", kind="http", name="health-live") == before_memory + 1


def test_endpoints_with_ids_share_one_label_and_never_carry_the_path(client):
    before = sample("hotgigs_requests_total", kind="http", name="v1:job-detail", outcome="client_error")

    client.get("/api/v1/jobs/987654/")
    client.get("/api/v1/jobs/987655/")

    assert sample("hotgigs_requests_total", kind="http", name="v1:job-detail", outcome="client_error") == before + 2
    names = {s.labels.get("name") for fam in metrics.REQUESTS.collect() for s in fam.samples}
    assert not any("98765" in str(name) for name in names)


def test_unresolved_paths_are_one_series(client):
    before = sample("hotgigs_requests_total", kind="http", name="unmatched", outcome="client_error")

    client.get("/no-such-page-1")
    client.get("/no-such-page-2")

    assert sample("hotgigs_requests_total", kind="http", name="unmatched", outcome="client_error") == before + 2


def test_unknown_methods_are_one_series(client):
    before = sample("hotgigs_execution_time_seconds_count", kind="http", name="health-live", method="other")

    client.generic("BREW", "/health/live")

    assert sample("hotgigs_execution_time_seconds_count", kind="http", name="health-live", method="other") == (
        before + 1
    )


def test_a_server_error_counts_as_error_and_a_client_error_does_not(client, settings):
    settings.ROOT_URLCONF = "tests.observability.urls"
    errors_before = sample("hotgigs_requests_total", kind="http", name="test-boom", outcome="error")
    live_errors_before = sample("hotgigs_requests_total", kind="http", name="health-live", outcome="error")

    failed = client.get("/test-boom/1")
    refused = client.post("/health/live")

    assert failed.status_code == 500
    assert refused.status_code == 405
    assert sample("hotgigs_requests_total", kind="http", name="test-boom", outcome="error") == errors_before + 1
    assert sample("hotgigs_requests_total", kind="http", name="health-live", outcome="error") == live_errors_before


def test_the_first_request_of_a_process_is_its_cold_start(client, fresh_process):
    starts_before = sample("hotgigs_cold_starts_total", process_type="web")
    seconds_before = sample("hotgigs_cold_start_seconds_count", process_type="web")

    client.get("/health/live")
    client.get("/health/live")

    assert sample("hotgigs_cold_starts_total", process_type="web") == starts_before + 1
    assert sample("hotgigs_cold_start_seconds_count", process_type="web") == seconds_before + 1
    assert sample("hotgigs_cold_start_seconds_sum", process_type="web") > 0


def test_the_cold_start_carries_the_process_type_of_the_warm_up(client, fresh_process, settings):
    settings.HOTGIGS_WARM_UP = False
    from hotgigs.observability.warmup import warm_up

    before = sample("hotgigs_cold_starts_total", process_type="wsgi")

    warm_up("wsgi")
    client.get("/health/live")

    assert sample("hotgigs_cold_starts_total", process_type="wsgi") == before + 1


def test_process_age_is_positive():
    assert metrics.process_age_seconds() > 0


def test_rss_is_measured():
    assert metrics.rss_bytes() > 1024 * 1024


def test_the_cold_start_time_leaves_out_idle_time_before_the_first_call(client, fresh_process, monkeypatch):
    monkeypatch.setattr(metrics, "_ready", (os.getpid(), 1.5))
    before = sample("hotgigs_cold_start_seconds_sum", process_type="web")

    client.get("/health/live")

    observed = sample("hotgigs_cold_start_seconds_sum", process_type="web") - before
    assert 1.5 < observed < 1.5 + 10


@pytest.mark.django_db(transaction=True)
def test_warm_up_inside_a_running_event_loop_still_opens_the_database(caplog):
    """uvicorn imports the app inside its loop, where Django refuses synchronous queries."""
    import asyncio

    from hotgigs.observability.warmup import warm_up

    async def imported_by_an_asgi_server() -> float:
        return warm_up("web")

    asyncio.run(imported_by_an_asgi_server())

    assert not [r for r in caplog.records if "warm-up step" in r.getMessage()]
    assert any("warm-up done" in r.getMessage() for r in caplog.records)
