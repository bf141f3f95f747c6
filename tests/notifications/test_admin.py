"""Email deliveries and preferences in the back office: staff read them, recruiters do not see them."""

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
