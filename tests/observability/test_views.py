import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db


def test_metrics_is_off_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic s3cret-metrics-token", "s3cret-metrics-token"])
def test_metrics_refuses_a_missing_or_wrong_token(client, settings, header):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get("/metrics", **extra)

    assert response.status_code == 401
    assert response.json() == {"code": "UNAUTHORIZED", "message": response.json()["message"], "details": None}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_metrics_with_the_token_is_prometheus_text_with_every_seed_metric(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    client.get("/health/live")

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {family.name: family for family in text_string_to_metric_families(response.content.decode())}
    assert {
        "hotgigs_execution_time_seconds",
        "hotgigs_requests",
        "hotgigs_memory_usage_bytes",
        "hotgigs_memory_growth_bytes",
        "hotgigs_cold_starts",
        "hotgigs_cold_start_seconds",
    } <= set(families)
    live = [
        s
        for s in families["hotgigs_execution_time_seconds"].samples
        if s.name.endswith("_count") and s.labels["name"] == "health-live"
    ]
    assert live
    assert live[0].labels["kind"] == "http"


def test_metrics_refuses_other_methods_in_the_envelope(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"

    response = client.post("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")

    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
