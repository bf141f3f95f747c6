"""The staff command and the back office's actions redeliver through the service."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories.accounts import PASSWORD
from tests.webhooks.helpers import make_endpoint

pytestmark = pytest.mark.django_db


def _delivery(endpoint: WebhookEndpoint, status: str, *, age: timedelta = timedelta(0)) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="job.created",
        event_data={"id": 1},
        event_timestamp=timezone.now(),
        webhook_id=f"msg_{status}_{age.total_seconds()}",
        status=status,
        attempts=4,
        created_at=timezone.now() - age,
    )


def test_redeliver_by_id(recruiter, org, receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(recruiter, org, receiver)
    failed = _delivery(endpoint, "failed")
    _delivery(endpoint, "succeeded")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("redeliver_webhooks", "--delivery", str(failed.pk))

    [request] = receiver.requests
    assert request.verified
    assert request.headers["webhook-id"] == failed.webhook_id
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.redeliveries) == ("succeeded", 1, 1)


def test_redeliver_an_endpoints_failed_deliveries_since_a_time(
    recruiter, org, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    recent_failed = _delivery(endpoint, "failed", age=timedelta(minutes=5))
    _delivery(endpoint, "failed", age=timedelta(days=2))
    _delivery(endpoint, "succeeded", age=timedelta(minutes=5))
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("redeliver_webhooks", "--endpoint", str(endpoint.pk), "--since", since, "--failed-only")

    assert [r.headers["webhook-id"] for r in receiver.requests] == [recent_failed.webhook_id]


def test_the_command_needs_a_target():
    with pytest.raises(CommandError):
        call_command("redeliver_webhooks")


def test_admin_redeliver_action_and_scoping(
    client, recruiter, org, other_recruiter, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    failed = _delivery(endpoint, "failed")
    client.login(email=recruiter.email, password=PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/webhooks/webhookdelivery/", {"action": "redeliver", "_selected_action": [failed.pk]}
        )

    assert response.status_code == 302
    assert [r.headers["webhook-id"] for r in receiver.requests] == [failed.webhook_id]
    client.logout()
    client.login(email=other_recruiter.email, password=PASSWORD)
    listing = client.get("/admin/webhooks/webhookdelivery/")
    assert listing.status_code == 200
    assert receiver.url() not in listing.content.decode()
    assert client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").status_code == 302


def test_admin_enable_action(client, recruiter, org, receiver):
    endpoint = make_endpoint(recruiter, org, receiver)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason="too many failures", consecutive_failures=20
    )
    client.login(email=recruiter.email, password=PASSWORD)

    response = client.post("/admin/webhooks/webhookendpoint/", {"action": "enable", "_selected_action": [endpoint.pk]})

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason, endpoint.consecutive_failures) == (True, "", 0)
