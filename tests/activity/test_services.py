"""Notes through their services: who may write and change them, mentions, and their events."""

import pytest
from django.core import mail

from activity.models import Note
from activity.services import mentioned_emails, note_create, note_delete, note_update
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.models import EmailDelivery, Notification
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_mentions_are_at_email_addresses_once_each_in_order():
    body = "Ask @Ana@Acme.test and @bo@x.test. Not mail@ana.test nor x@y; again @ana@acme.test, (@c@d.io)"

    assert mentioned_emails(body) == ["ana@acme.test", "bo@x.test", "c@d.io"]


def test_a_recruiter_writes_a_note_on_an_application(recruiter, application):
    note = note_create(actor=recruiter, application=application, body="  Strong on <b>Go</b>.  ")

    assert note.body == "Strong on <b>Go</b>."  # stored as written (escaped where shown), trimmed
    assert (note.organization_id, note.candidate_id, note.application_id) == (
        application.job.organization_id,
        application.candidate_id,
        application.pk,
    )
    event = OutboxEvent.objects.get(type="note.created")
    assert event.data == {
        "id": note.pk,
        "organization_id": note.organization_id,
        "candidate_id": note.candidate_id,
        "application_id": application.pk,
        "author_id": recruiter.pk,
    }
    # The organization's channel only: never the application's group, which its candidate follows.
    assert event.groups == [f"application_status.org.{note.organization_id}"]


def test_a_candidate_note_is_for_the_members_one_organization(recruiter, candidate, org):
    note = note_create(actor=recruiter, candidate=candidate, body="Met at the meetup.")

    assert (note.organization_id, note.application_id) == (org.pk, None)


def test_a_member_of_several_organizations_names_one(recruiter, candidate, org):
    second = OrganizationFactory()
    MembershipFactory(user=recruiter, organization=second)
    recruiter.__dict__.pop("_hotgigs_roles_by_org", None)

    with pytest.raises(ValidationFailed) as missing:
        note_create(actor=recruiter, candidate=candidate, body="Hello")
    note = note_create(actor=recruiter, candidate=candidate, body="Hello", organization_id=second.pk)

    assert missing.value.details == {"organization_id": ["Name the organization this note is for."]}
    assert note.organization_id == second.pk


def test_a_foreign_organization_is_refused(recruiter, candidate, other_org):
    with pytest.raises(ValidationFailed) as refused:
        note_create(actor=recruiter, candidate=candidate, body="Hello", organization_id=other_org.pk)

    assert "organization_id" in refused.value.details
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"), [("   ", "Write something."), ("x" * 10_001, "Keep a note to 10000 characters.")]
)
def test_a_blank_or_overlong_body_is_refused_and_writes_nothing(recruiter, application, body, message):
    with pytest.raises(ValidationFailed) as refused:
        note_create(actor=recruiter, application=application, body=body)

    assert refused.value.details == {"body": [message]}
    assert not Note.objects.exists()
    assert not OutboxEvent.objects.filter(type="note.created").exists()


def test_the_candidate_and_other_organizations_may_not_write(application, candidate, other_recruiter):
    for actor in (candidate.user, other_recruiter):
        with pytest.raises(Forbidden):
            note_create(actor=actor, application=application, body="Hi")
    with pytest.raises(Forbidden):
        note_create(actor=candidate.user, candidate=candidate, body="About me")

    assert not Note.objects.exists()


def test_mentioning_a_non_member_refuses_the_whole_note(recruiter, application, colleague, outsider):
    with pytest.raises(ValidationFailed) as refused:
        note_create(actor=recruiter, application=application, body="@ana@acme.test @bo@other.test @nobody@nowhere.test")

    assert refused.value.details == {"body": ["Not a member of this organization: bo@other.test, nobody@nowhere.test."]}
    assert not Note.objects.exists()


def test_a_mention_tells_the_member_in_app_and_by_email_once(
    django_capture_on_commit_callbacks, recruiter, application, colleague
):
    with django_capture_on_commit_callbacks(execute=True):
        note = note_create(
            actor=recruiter, application=application, body=f"@ana@acme.test have a look. @{recruiter.email}"
        )

    assert set(note.mentions.values_list("pk", flat=True)) == {colleague.pk, recruiter.pk}
    # Only the colleague: mentioning oneself tells nobody.
    notification = Notification.objects.get(kind="note.mentioned")
    assert notification.user_id == colleague.pk
    assert notification.payload["note_id"] == note.pk
    assert notification.payload["application_id"] == application.pk
    assert notification.payload["candidate_name"] == application.candidate.full_name
    assert notification.payload["path"] == f"/applications/{application.pk}"
    delivery = EmailDelivery.objects.get(kind="note.mentioned")
    assert (delivery.user_id, delivery.status) == (colleague.pk, "sent")
    assert [message.to for message in mail.outbox] == [["ana@acme.test"]]
    assert "mentioned you" in mail.outbox[0].subject
    assert "have a look" in mail.outbox[0].body

    # Editing tells only those mentioned for the first time: here, nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        note_update(actor=recruiter, note=note, body="@ana@acme.test have another look.")

    assert Notification.objects.filter(kind="note.mentioned").count() == 1
    assert len(mail.outbox) == 1


def test_an_edit_that_adds_a_mention_tells_the_new_member(
    django_capture_on_commit_callbacks, recruiter, application, colleague, org
):
    note = note_create(actor=recruiter, application=application, body="First draft")
    with django_capture_on_commit_callbacks(execute=True):
        edited = note_update(actor=recruiter, note=note, body="Second draft, @ana@acme.test")

    assert edited.edited_at is not None
    assert Notification.objects.filter(kind="note.mentioned", user=colleague).count() == 1
    assert OutboxEvent.objects.get(type="note.updated").context["mentioned_ids"] == [colleague.pk]


def test_only_the_author_changes_or_deletes_a_note(recruiter, colleague, staff, application):
    note = note_create(actor=recruiter, application=application, body="Mine")

    for actor in (colleague, staff):
        with pytest.raises(Forbidden):
            note_update(actor=actor, note=note, body="Theirs")
        with pytest.raises(Forbidden):
            note_delete(actor=actor, note=note)

    note.refresh_from_db()
    assert note.body == "Mine"
    note_delete(actor=recruiter, note=note)
    assert not Note.objects.exists()
    assert OutboxEvent.objects.get(type="note.deleted").data["id"] == note.pk


def test_only_members_who_may_read_the_note_can_be_mentioned():
    from tests.seats import build_seats

    seats = build_seats()
    to = {name: getattr(seats, name).email for name in ("manager", "interviewer", "panelist")}

    # The hiring manager reads the notes of their job's applications, not the others'.
    on_their_job = note_create(actor=seats.recruiter, application=seats.app_a, body=f"@{to['manager']} have a look")
    refused = {}
    for label, application, body in [
        ("manager elsewhere", seats.app_b, f"@{to['manager']}"),
        ("team interviewer", seats.app_a, f"@{to['interviewer']}"),
        ("panel interviewer", seats.app_b, f"@{to['panelist']}"),
    ]:
        with pytest.raises(ValidationFailed) as error:
            note_create(actor=seats.recruiter, application=application, body=body)
        refused[label] = error.value.details
    with pytest.raises(ValidationFailed) as on_candidate:
        note_create(actor=seats.recruiter, candidate=seats.app_a.candidate, body=f"@{to['manager']}")

    assert list(on_their_job.mentions.values_list("pk", flat=True)) == [seats.manager.pk]
    assert refused == {
        "manager elsewhere": {"body": [f"May not read notes here: {to['manager']}."]},
        "team interviewer": {"body": [f"May not read notes here: {to['interviewer']}."]},
        "panel interviewer": {"body": [f"May not read notes here: {to['panelist']}."]},
    }
    assert on_candidate.value.details == {"body": [f"May not read notes here: {to['manager']}."]}
    assert list(Note.objects.values_list("pk", flat=True)) == [on_their_job.pk]


def test_an_edit_cannot_add_a_mention_of_someone_who_may_not_read_it():
    from tests.seats import build_seats

    seats = build_seats()
    note = note_create(actor=seats.recruiter, application=seats.app_a, body="First take")

    with pytest.raises(ValidationFailed):
        note_update(actor=seats.recruiter, note=note, body=f"@{seats.interviewer.email} see this")

    note.refresh_from_db()
    assert (note.body, note.mentions.count()) == ("First take", 0)
