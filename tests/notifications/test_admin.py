"""Email deliveries and preferences in the back office: staff read them, recruiters do not see them."""

from django.core import mail
from django.urls import reverse

from hotgigs.notifications.models import EmailDelivery
from hotgigs.notifications.services import notify


def _delivery(user, django_capture_on_commit_callbacks) -> EmailDelivery:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="application.new",
            event_key="application.new:5",
            recipients={user.pk: "team"},
            context={"job_title": "Engineer", "candidate_name": "Ada"},
        )
    return EmailDelivery.objects.get()


def test_staff_see_deliveries_with_status_attempts_and_errors(
    client, staff, recruiter, django_capture_on_commit_callbacks
):
    delivery = _delivery(recruiter, django_capture_on_commit_callbacks)
    client.force_login(staff)

    listing = client.get(reverse("admin:notifications_emaildelivery_changelist"), {"status": "sent"})
    detail = client.get(reverse("admin:notifications_emaildelivery_change", args=[delivery.pk]))

    assert listing.status_code == 200
    assert recruiter.email in listing.content.decode()
    assert detail.status_code == 200
    assert delivery.idempotency_key in detail.content.decode()
    assert client.get(reverse("admin:notifications_emaildelivery_add")).status_code == 403
    assert client.get(reverse("admin:notifications_notificationpreference_changelist")).status_code == 200


def test_recruiters_cannot_open_deliveries(client, recruiter, django_capture_on_commit_callbacks):
    delivery = _delivery(recruiter, django_capture_on_commit_callbacks)
    client.force_login(recruiter)

    assert client.get(reverse("admin:notifications_emaildelivery_changelist")).status_code == 403
    assert client.get(reverse("admin:notifications_emaildelivery_change", args=[delivery.pk])).status_code == 403
    assert client.get(reverse("admin:notifications_notificationpreference_changelist")).status_code == 403


def test_staff_send_a_failed_email_again_once(client, staff, recruiter, django_capture_on_commit_callbacks):
    delivery = _delivery(recruiter, django_capture_on_commit_callbacks)
    EmailDelivery.objects.filter(pk=delivery.pk).update(status="failed", last_error="421 busy", sent_at=None)
    sent = EmailDelivery.objects.create(
        idempotency_key="other",
        event=delivery.event,
        user=recruiter,
        kind=delivery.kind,
        to_email=recruiter.email,
        status="sent",
        sent_at=delivery.created_at,
    )
    mail.outbox.clear()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_emaildelivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk, sent.pk]},
            follow=True,
        )

    assert response.status_code == 200
    delivery.refresh_from_db()
    sent.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert sent.status == "sent"
    assert [m.to for m in mail.outbox] == [[recruiter.email]]
    shown = [str(m) for m in response.context["messages"]]
    assert any("queued again" in m for m in shown)
    assert any("Only a failed email can be sent again" in m for m in shown)
