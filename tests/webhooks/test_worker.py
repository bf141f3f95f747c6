"""The whole path on a real Celery worker: service → outbox → fan-out → signed POST, exactly once."""

import pytest

from hotgigs.webhooks.models import WebhookDelivery
from hotgigs.webhooks.services.endpoints import endpoint_send_test
from hotgigs.webhooks.tasks import deliver, fan_out
from tests.webhooks.helpers import make_endpoint, move_application
from tests.webhooks.receiver import Answer


def _succeeded(worker, delivery_id: int) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    """The delivery once the worker has sent it (fails with the worker's log otherwise)."""
    return worker.wait_for(
        lambda: WebhookDelivery.objects.filter(pk=delivery_id, status="succeeded").first(), seconds=60
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_stage_change_reaches_the_receiver_exactly_once(live_worker_factory, receiver, recruiter, org, open_job):
    worker = live_worker_factory(WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")
    endpoint = make_endpoint(recruiter, org, receiver)

    application = move_application(recruiter, open_job)

    [request] = receiver.wait_for(1, timeout=60)
    assert request.verified, request.error
    assert request.json()["type"] == "application.stage_changed"
    assert request.json()["data"]["id"] == application.pk
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    delivery = _succeeded(worker, delivery.pk)
    assert request.headers["webhook-id"] == delivery.webhook_id

    # Duplicates of both tasks, then a sentinel behind them on the worker's one queue.
    fan_out.delay(delivery.event_id)
    deliver.delay(delivery.pk, 0)
    sentinel = endpoint_send_test(actor=recruiter, endpoint=endpoint)
    requests = receiver.wait_for(2, timeout=60)

    assert [r.json()["type"] for r in requests] == ["application.stage_changed", "webhook.test"], worker.log()
    assert _succeeded(worker, sentinel.pk).status == "succeeded"
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event_id=delivery.event_id).count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_a_failed_attempt_with_the_same_webhook_id(live_worker_factory, receiver, recruiter, org):
    worker = live_worker_factory(WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")
    endpoint = make_endpoint(recruiter, org, receiver, types=("job.created",))
    receiver.answer(Answer(503))

    delivery = endpoint_send_test(actor=recruiter, endpoint=endpoint)

    first, second = receiver.wait_for(2, timeout=60)
    delivery = _succeeded(worker, delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200), worker.log()
    assert first.verified
    assert second.verified
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
