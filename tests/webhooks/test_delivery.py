"""Fan-out and delivery against a real loopback receiver that verifies every signature."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotgigs.events.dispatch import events_dispatch_sweep
from hotgigs.notifications.services import notification_create
from hotgigs.realtime.events import publish_on_commit
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.services.delivery import delivery_attempt, delivery_redeliver, endpoint_breaker
from hotgigs.webhooks.services.endpoints import endpoint_enable, endpoint_rotate_secret, endpoint_send_test
from hotgigs.webhooks.services.fan_out import event_fan_out, webhooks_sweep
from hotgigs.webhooks.tasks import deliver
from tests.webhooks.helpers import make_endpoint, move_application
from tests.webhooks.receiver import Answer

pytestmark = pytest.mark.django_db


def test_a_stage_change_reaches_the_receiver_signed_and_logged(
    recruiter, org, open_job, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)

    with django_capture_on_commit_callbacks(execute=True):
        application = move_application(recruiter, open_job)

    [request] = receiver.requests
    assert request.verified, request.error
    body = request.json()
    assert body["type"] == "application.stage_changed"
    assert body["data"]["id"] == application.pk
    assert body["data"]["stage"] == "screening"
    assert set(body) == {"type", "timestamp", "data"}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("HotGigs-Webhooks/")
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert delivery.latency_ms is not None
    assert '"ok": true' in delivery.response_excerpt


def test_fan_out_goes_only_to_subscribed_endpoints_of_the_events_organization(
    recruiter, org, open_job, other_recruiter, other_org, receiver, django_capture_on_commit_callbacks
):
    subscribed = make_endpoint(recruiter, org, receiver, path="/subscribed")
    make_endpoint(recruiter, org, receiver, types=("job.created",), path="/jobs-only")
    make_endpoint(other_recruiter, other_org, receiver, path="/other-org")
    receiver.secret = subscribed.secret

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)
        notification_create(user_id=recruiter.pk, kind="application.stage_changed", payload={})

    assert [r.path for r in receiver.requests] == ["/subscribed"]
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [subscribed.pk]


def test_user_private_events_never_fan_out(recruiter, org, receiver, django_capture_on_commit_callbacks):
    make_endpoint(recruiter, org, receiver, types=("application.stage_changed",))

    with django_capture_on_commit_callbacks(execute=True):
        event = publish_on_commit(
            channel="notifications", type="application.stage_changed", data={}, groups=[f"user.{recruiter.pk}"]
        )

    assert event_fan_out(event_id=event.pk) == []
    assert receiver.requests == []


def test_an_organization_without_endpoints_gets_no_delivery(
    org, other_org, recruiter, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(recruiter, org, receiver, types=("application.stage_changed",))

    with django_capture_on_commit_callbacks(execute=True):
        without = publish_on_commit(
            channel="application_status", type="application.stage_changed", data={}, groups=[f"org.{other_org.pk}"]
        )
        with_endpoint = publish_on_commit(
            channel="application_status", type="application.stage_changed", data={}, groups=[f"org.{org.pk}"]
        )

    assert list(WebhookDelivery.objects.values_list("event_id", flat=True)) == [with_endpoint.pk]
    assert without.pk != with_endpoint.pk


def test_fanning_out_the_same_event_twice_sends_it_once(
    recruiter, org, open_job, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(recruiter, org, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)
    event_id = WebhookDelivery.objects.get().event_id

    with django_capture_on_commit_callbacks(execute=True):
        again = event_fan_out(event_id=event_id)

    assert again == []
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "failures", [[Answer(500), Answer(503)], [Answer(429, headers={"Retry-After": "1"})], [Answer(408)]]
)
def test_transient_failures_are_retried_with_the_same_webhook_id(
    recruiter, org, open_job, receiver, failures, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    receiver.answer(*failures)

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    assert len(receiver.requests) == len(failures) + 1
    assert all(r.verified for r in receiver.requests)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", len(failures) + 1, 200)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_timeout_is_retried(recruiter, org, open_job, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_TIMEOUT = 0.3
    endpoint = make_endpoint(recruiter, org, receiver)
    receiver.answer(Answer(200, delay=1.0))

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len(receiver.requests) == 2


def test_retries_stop_after_three_and_the_delivery_fails(
    recruiter, org, open_job, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    receiver.answer(*[Answer(500)] * 5)

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    assert len(receiver.requests) == 4
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 4, 500)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1


@pytest.mark.parametrize("status", [410, 400, 404])
def test_other_client_errors_fail_without_retry(
    recruiter, org, open_job, receiver, status, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    receiver.answer(Answer(status))

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, status)


def test_an_endpoint_is_disabled_after_repeated_failures_and_can_be_enabled(
    recruiter, org, open_job, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 2
    endpoint = make_endpoint(recruiter, org, receiver)
    receiver.answer(Answer(410), Answer(410))

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)
        move_application(recruiter, open_job)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 2)
    assert "2 failed deliveries" in endpoint.disabled_reason

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)
    assert len(receiver.requests) == 2  # a disabled endpoint gets no new deliveries

    endpoint_enable(actor=recruiter, endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")
    assert len(receiver.requests) == 3
    assert receiver.requests[-1].verified


def test_the_breaker_opens_per_endpoint_and_defers_without_losing(
    recruiter, org, open_job, receiver, settings, django_capture_on_commit_callbacks
):
    settings.CIRCUIT_BREAKER_MIN_CALLS = 2
    failing = make_endpoint(recruiter, org, receiver, path="/failing")
    healthy = make_endpoint(recruiter, org, receiver, path="/healthy")
    WebhookEndpoint.objects.filter(pk=healthy.pk).update(secret=failing.secret)
    receiver.secret = failing.secret
    receiver.answer(Answer(500), Answer(500), path="/failing")

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    paths = [r.path for r in receiver.requests]
    assert paths.count("/failing") == 2
    assert paths.count("/healthy") == 1
    assert endpoint_breaker(failing.pk).state().state == "open"
    assert endpoint_breaker(healthy.pk).state().state == "closed"
    deferred = WebhookDelivery.objects.get(endpoint=failing)
    assert deferred.status == "pending"
    assert deferred.next_attempt_at > timezone.now()

    # Once the circuit lets calls through again, the sweep sends the deferred delivery.
    endpoint_breaker(failing.pk).reset()
    settings.WEBHOOKS_REQUEUE_GRACE = timezone.timedelta(0)
    WebhookDelivery.objects.filter(pk=deferred.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_sweep()["requeued"] == 1
    deferred.refresh_from_db()
    assert deferred.status == "succeeded"
    assert [r.path for r in receiver.requests].count("/failing") == 3


def test_redelivery_keeps_the_webhook_id(recruiter, org, open_job, receiver, django_capture_on_commit_callbacks):
    make_endpoint(recruiter, org, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)
    delivery = WebhookDelivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        delivery_redeliver(actor=recruiter, delivery=delivery)

    first, second = receiver.requests
    assert second.verified
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
    assert first.body == second.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.redeliveries) == ("succeeded", 1)


def test_a_duplicated_task_sends_once(recruiter, org, receiver):
    endpoint = make_endpoint(recruiter, org, receiver, types=("job.created",))
    # Its on-commit queuing never runs here (the test's transaction does not commit).
    delivery = endpoint_send_test(actor=recruiter, endpoint=endpoint)

    deliver.apply(args=(delivery.pk, 0))
    deliver.apply(args=(delivery.pk, 0))

    assert len(receiver.requests) == 1
    assert receiver.requests[0].json()["type"] == "webhook.test"


def _failed_once(recruiter, org, receiver, *, retry_in: float) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    """A test delivery whose first attempt failed with a 500: pending, attempts 1, its retry
    due ``retry_in`` seconds from now (negative: already due)."""
    endpoint = make_endpoint(recruiter, org, receiver, types=("job.created",))
    delivery = endpoint_send_test(actor=recruiter, endpoint=endpoint)
    receiver.answer(Answer(500))
    first = delivery_attempt(delivery_id=delivery.pk, expected_attempts=0)
    assert (first.outcome, first.attempts) == ("retry", 1)
    _due_in(delivery, retry_in)
    return delivery


def _due_in(delivery: WebhookDelivery, seconds: float) -> None:
    due = timezone.now() + timedelta(seconds=seconds)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=due)


def test_a_stale_copy_of_an_attempt_already_made_sends_nothing(recruiter, org, receiver):
    # Due, so nothing but the attempt count tells the stale copy from the retry.
    delivery = _failed_once(recruiter, org, receiver, retry_in=-1)

    # The first attempt's task delivered a second time (at-least-once), after its retry was queued.
    outcome = deliver.apply(args=(delivery.pk, 0)).get()

    assert outcome == "skipped"
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)


def test_the_retry_task_sends_although_its_retry_time_is_a_little_ahead(recruiter, org, receiver):
    delivery = _failed_once(recruiter, org, receiver, retry_in=30)

    # The task of attempt 2 carries attempts=1; a worker may run it before next_attempt_at.
    outcome = deliver.apply(args=(delivery.pk, 1)).get()

    assert outcome == "succeeded"
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)


def test_a_duplicate_of_a_retry_that_was_already_made_sends_nothing(recruiter, org, receiver):
    delivery = _failed_once(recruiter, org, receiver, retry_in=-1)
    receiver.answer(Answer(503))
    second = delivery_attempt(delivery_id=delivery.pk, expected_attempts=1)
    assert (second.outcome, second.attempts) == ("retry", 2)
    _due_in(delivery, -1)

    duplicate = delivery_attempt(delivery_id=delivery.pk, expected_attempts=1)

    assert duplicate.outcome == "skipped"
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 2, 503)


def test_a_task_from_the_future_sends_nothing(recruiter, org, receiver):
    delivery = _failed_once(recruiter, org, receiver, retry_in=-1)

    # expected_attempts ahead of the row (e.g. queued for a redelivery that was then reset).
    outcome = deliver.apply(args=(delivery.pk, 2)).get()

    assert outcome == "skipped"
    assert len(receiver.requests) == 1


def test_the_sweep_fans_out_an_event_whose_task_never_ran(
    recruiter, org, open_job, receiver, settings, django_capture_on_commit_callbacks
):
    make_endpoint(recruiter, org, receiver)
    # Committed without its on-commit callbacks: as if the broker had lost the fan-out task.
    move_application(recruiter, open_job)
    assert WebhookDelivery.objects.count() == 0
    settings.EVENTS_DISPATCH_SWEEP_LAG = timezone.timedelta(0)

    # The outbox's sweep dispatches the event to its subscribers, the webhooks' among them.
    with django_capture_on_commit_callbacks(execute=True):
        first = events_dispatch_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        second = events_dispatch_sweep()

    assert first == 1
    assert second == 0
    assert WebhookDelivery.objects.count() == 1
    [request] = receiver.requests
    assert request.verified
    assert request.json()["type"] == "application.stage_changed"


def test_the_sweep_leaves_events_younger_than_the_lag(
    recruiter, org, open_job, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(recruiter, org, receiver)
    move_application(recruiter, open_job)

    with django_capture_on_commit_callbacks(execute=True):
        result = events_dispatch_sweep()

    assert result == 0
    assert receiver.requests == []


def test_a_target_that_turns_private_is_refused_when_sending(
    recruiter, org, open_job, receiver, settings, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    # Registered while allowed; by delivery time the address is refused (as after DNS rebinding).
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error.startswith("Target refused")


def test_a_hostname_resolving_to_loopback_is_refused_when_sending(
    recruiter, org, open_job, receiver, settings, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url().replace("127.0.0.1", "localhost"))
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    assert receiver.requests == []
    assert WebhookDelivery.objects.get(endpoint=endpoint).error.startswith("Target refused")


def test_redirects_are_not_followed(recruiter, org, open_job, receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(recruiter, org, receiver)
    receiver.answer(Answer(302, headers={"Location": receiver.url("/elsewhere")}))

    with django_capture_on_commit_callbacks(execute=True):
        move_application(recruiter, open_job)

    assert [r.path for r in receiver.requests] == ["/hook"]
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.response_code) == ("failed", 302)


def test_after_a_rotation_both_secrets_verify_during_the_grace_period(
    recruiter, org, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver)
    old_secret = endpoint.secret
    endpoint = endpoint_rotate_secret(actor=recruiter, endpoint=endpoint)

    with django_capture_on_commit_callbacks(execute=True):
        endpoint_send_test(actor=recruiter, endpoint=endpoint)

    [request] = receiver.requests
    assert request.verified  # the receiver still holds the old secret
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    receiver.secret = endpoint.secret
    assert receiver.verify(request.body, request.headers) == (True, "")
    assert endpoint.secret != old_secret


def test_after_the_grace_period_only_the_new_secret_signs(
    recruiter, org, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_SECRET_ROTATION_GRACE = timezone.timedelta(0)
    endpoint = make_endpoint(recruiter, org, receiver)
    endpoint = endpoint_rotate_secret(actor=recruiter, endpoint=endpoint)

    with django_capture_on_commit_callbacks(execute=True):
        endpoint_send_test(actor=recruiter, endpoint=endpoint)

    [request] = receiver.requests
    assert not request.verified
    receiver.secret = endpoint.secret
    assert receiver.verify(request.body, request.headers) == (True, "")


@pytest.mark.parametrize(("retry_after", "expected"), [("5", 5), ("3600", 30)])
def test_retry_after_is_respected_within_the_cap(recruiter, org, receiver, settings, retry_after, expected):
    settings.RETRY_MAX_DELAY = 30.0
    endpoint = make_endpoint(recruiter, org, receiver, types=("job.created",))
    delivery = endpoint_send_test(actor=recruiter, endpoint=endpoint)
    receiver.answer(Answer(429, headers={"Retry-After": retry_after}))

    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert (attempt.outcome, attempt.retry_in) == ("retry", expected)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 429)
    assert delivery.next_attempt_at > timezone.now()
    # Not due yet: a task without the attempt count (the sweep's due check) leaves it alone.
    assert delivery_attempt(delivery_id=delivery.pk).outcome == "skipped"
    assert len(receiver.requests) == 1


def test_enabling_an_endpoint_sends_its_pending_deliveries(
    recruiter, org, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(recruiter, org, receiver, types=("job.created",))
    delivery = endpoint_send_test(actor=recruiter, endpoint=endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason="too many failures")
    assert delivery_attempt(delivery_id=delivery.pk).outcome == "skipped"

    with django_capture_on_commit_callbacks(execute=True):
        endpoint_enable(actor=recruiter, endpoint=endpoint)

    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(receiver.requests) == 1


def test_a_long_response_is_logged_as_an_excerpt(recruiter, org, receiver):
    endpoint = make_endpoint(recruiter, org, receiver, types=("job.created",))
    delivery = endpoint_send_test(actor=recruiter, endpoint=endpoint)
    receiver.big_body = "x" * 50_000

    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(delivery.response_excerpt) == 1024
