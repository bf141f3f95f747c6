"""send_email against a real SMTP server on loopback: once per delivery, whatever the retries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hotgigs import queueing
from hotgigs.notifications import services
from hotgigs.notifications.models import EmailDelivery, NotificationPreference
from hotgigs.notifications.services import email_delivery_requeue_stale, email_delivery_send, notify
from hotgigs.notifications.tasks import send_email, send_emails
from hotgigs.resilience import TransientError
from tests.factories import MembershipFactory
from tests.servers import free_port


@pytest.fixture(autouse=True)
def _eager_retries(settings):  # type: ignore[no-untyped-def]
    # Eager tasks retry in-process only when errors do not propagate; ``.get()`` re-raises the last.
    settings.CELERY_TASK_EAGER_PROPAGATES = False


@pytest.fixture
def delivery(recruiter, django_capture_on_commit_callbacks) -> EmailDelivery:
    """One queued email whose task has not run yet (the on-commit hook is held back)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            kind="application.new",
            event_key="application.new:41",
            recipients={recruiter.pk: "team"},
            context={"job_title": "Engineer", "candidate_name": "Ada", "path": "/applications/41"},
        )
    assert len(callbacks) == 2  # the in-app push and the email task
    return EmailDelivery.objects.get()


def _row(delivery: EmailDelivery) -> EmailDelivery:
    delivery.refresh_from_db()
    return delivery


def test_the_task_run_twice_sends_one_email(delivery, smtp, recruiter):
    send_email.delay(delivery.pk).get()
    send_email.delay(delivery.pk).get()

    row = _row(delivery)
    assert smtp.to() == [recruiter.email]
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    assert smtp.messages[0]["Message-ID"] == row.message_id


def test_sending_reads_the_row_once_claims_it_and_marks_it_sent(delivery, smtp, django_assert_num_queries):
    # The row and the recipient's opt-out in one read, the claim, the mark: three statements
    # per email (there were five), on a path that runs for every email the platform sends.
    with django_assert_num_queries(3):
        assert email_delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(smtp.messages) == 1


def test_an_opt_out_made_after_queueing_skips_the_email_in_the_same_read(delivery, smtp, recruiter):
    NotificationPreference.objects.create(user=recruiter, kind="application.new", email=False)

    assert email_delivery_send(delivery_id=delivery.pk) == "skipped"
    assert (_row(delivery).status, smtp.messages) == ("skipped", [])


def test_the_message_has_text_html_and_the_headers(delivery, smtp, recruiter):
    send_email.delay(delivery.pk).get()

    [message] = smtp.messages
    assert message["To"] == recruiter.email
    assert message["Subject"] == "New application for Engineer: Ada"
    assert message["X-HotGigs-Kind"] == "application.new"
    assert "Ada applied for Engineer." in message.get_body(preferencelist=("plain",)).get_content()
    assert "<strong>Ada</strong>" in message.get_body(preferencelist=("html",)).get_content()


def test_a_refusal_then_acceptance_is_retried_into_one_email(delivery, smtp, recruiter):
    smtp.replies = ["421 4.3.2 Service busy, try again later"]

    send_email.delay(delivery.pk).get()

    row = _row(delivery)
    assert smtp.data_commands == 2
    assert smtp.to() == [recruiter.email]
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_server_that_times_out_first_is_retried_into_one_email(delivery, smtp, settings, recruiter):
    settings.EMAIL_TIMEOUT = 0.5
    smtp.stalls = [1.5]

    send_email.delay(delivery.pk).get()

    row = _row(delivery)
    assert smtp.to() == [recruiter.email]
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_server_that_is_down_then_up_gets_one_email(delivery, smtp, settings, smtp_server, recruiter):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with pytest.raises(TransientError):
        send_email.apply(args=[delivery.pk], retries=3, throw=True)
    assert (_row(delivery).status, _row(delivery).attempts) == ("failed", 1)

    settings.EMAIL_PORT = smtp_server[0].port
    EmailDelivery.objects.filter(pk=delivery.pk).update(status="pending")
    send_email.delay(delivery.pk).get()

    assert smtp.to() == [recruiter.email]
    assert _row(delivery).status == "sent"


def test_spent_retries_mark_the_delivery_failed(delivery, smtp):
    smtp.replies = ["421 busy"] * 4

    with pytest.raises(TransientError):
        send_email.delay(delivery.pk).get()

    row = _row(delivery)
    assert smtp.data_commands == 4  # the first try and the 3 retries the contract allows
    assert smtp.messages == []
    assert (row.status, row.attempts) == ("failed", 4)
    assert "421" in row.last_error


def test_a_permanent_refusal_is_not_retried(delivery, smtp):
    smtp.replies = ["550 5.1.1 No such user"]

    send_email.delay(delivery.pk).get()

    row = _row(delivery)
    assert smtp.data_commands == 1
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error


def test_an_email_being_sent_by_another_worker_is_left_to_it(delivery, smtp):
    EmailDelivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=timezone.now())

    send_email.delay(delivery.pk).get()

    assert smtp.data_commands == 0
    assert _row(delivery).status == "sending"


def test_a_worker_that_died_mid_send_is_taken_over_after_the_lease(delivery, smtp, settings, recruiter):
    # The documented crash window: the claim is there, "sent" is not. After the lease the
    # sweeper sends it (again, if the dead worker got it out), with the same Message-ID.
    settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS = 60
    claimed = timezone.now() - timedelta(seconds=61)
    EmailDelivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=claimed, attempts=1)

    queued = email_delivery_requeue_stale()

    row = _row(delivery)
    assert queued == 1
    assert smtp.to() == [recruiter.email]
    assert (row.status, row.attempts) == ("sent", 2)
    assert smtp.messages[0]["Message-ID"] == row.message_id


def test_the_sweeper_sends_emails_whose_task_was_lost_and_nothing_else(delivery, smtp, settings, recruiter):
    assert email_delivery_requeue_stale() == 0  # too young: its task may still be on its way
    EmailDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert email_delivery_requeue_stale() == 1
    assert email_delivery_requeue_stale() == 0
    assert smtp.to() == [recruiter.email]


def test_opting_out_after_the_event_skips_the_email(delivery, smtp, recruiter):
    NotificationPreference.objects.create(user=recruiter, kind="application.new", email=False)

    send_email.delay(delivery.pk).get()

    assert smtp.data_commands == 0
    assert _row(delivery).status == "skipped"


def test_an_open_circuit_sends_nothing_and_gives_up_after_the_retries(delivery, smtp, settings, smtp_server):
    settings.CIRCUIT_BREAKER_MIN_CALLS = 2
    settings.EMAIL_PORT = free_port()
    for _ in range(2):
        EmailDelivery.objects.filter(pk=delivery.pk).update(status="pending")
        with pytest.raises(TransientError):
            send_email.apply(args=[delivery.pk], retries=3, throw=True)
    settings.EMAIL_PORT = smtp_server[0].port
    EmailDelivery.objects.filter(pk=delivery.pk).update(status="pending")

    # CircuitOpenError reaches the caller wrapped (Celery cannot pickle its keyword-only fields).
    with pytest.raises(Exception, match=r"Circuit 'email\.smtp' is open"):
        send_email.delay(delivery.pk).get()

    row = _row(delivery)
    assert smtp.data_commands == 0
    assert row.status == "failed"
    assert "email.smtp" in row.last_error


def test_the_console_backend_is_the_default(delivery, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    send_email.delay(delivery.pk).get()

    assert "Subject: New application for Engineer: Ada" in capsys.readouterr().out
    assert _row(delivery).status == "sent"
    assert mail.outbox == []


@pytest.fixture
def team(org, recruiter):  # type: ignore[no-untyped-def]
    """Three members of one organization: the recruiter and two more."""
    return [recruiter, MembershipFactory(organization=org).user, MembershipFactory(organization=org).user]


def _notify_team(team) -> list:  # type: ignore[no-untyped-def]
    notify(
        kind="application.new",
        event_key="application.new:42",
        recipients={user.pk: "team" for user in team},
        context={"job_title": "Engineer", "candidate_name": "Ada", "path": "/applications/42"},
    )
    return sorted(user.email for user in team)


def test_the_emails_of_one_transaction_go_in_one_task(team, smtp, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    real = queueing.send_task_by_name

    def watch(name, args, **options):  # type: ignore[no-untyped-def]
        queued.append(name)
        return real(name, args, **options)

    monkeypatch.setattr(queueing, "send_task_by_name", watch)

    with django_capture_on_commit_callbacks(execute=True):
        expected = _notify_team(team)

    assert [name for name in queued if name.startswith("notifications.")] == [services.SEND_EMAILS]
    assert sorted(smtp.to()) == expected
    assert set(EmailDelivery.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_refusal_in_a_batch_hands_the_rest_to_their_own_retrying_tasks_and_each_goes_once(
    team, smtp, django_capture_on_commit_callbacks
):
    smtp.replies = ["421 4.3.2 Service busy, try again later"]

    with django_capture_on_commit_callbacks(execute=True):
        expected = _notify_team(team)

    assert sorted(smtp.to()) == expected
    rows = list(EmailDelivery.objects.order_by("pk").values_list("status", "attempts"))
    # The first was refused once in the batch, then sent by its own task; the others went first time.
    assert rows == [("sent", 2), ("sent", 1), ("sent", 1)]


def test_a_batch_skips_what_was_already_sent(team, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _notify_team(team)
    ids = list(EmailDelivery.objects.order_by("pk").values_list("pk", flat=True))
    send_email.delay(ids[0]).get()

    assert send_emails.delay(ids).get() == {"already_sent": 1, "sent": 2}
    assert len(smtp.messages) == 3
