"""The notes and activity section of the application and candidate pages."""

import html
import re

import pytest
from django.urls import reverse

from activity.models import Note
from activity.services import note_create
from hotgigs.notifications.models import Notification
from tests.factories import ApplicationFactory, MembershipFactory, StageChangeFactory, UserFactory
from tests.workspace.pages import application_url, candidate_url, history_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(open_job, candidate):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=candidate)


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, user=UserFactory(email="sam@acme.test", full_name="Sam Lee")).user


@pytest.fixture
def signed_in(client, recruiter):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    return client


def note_url(application) -> str:  # type: ignore[no-untyped-def]
    return reverse("admin:workspace_application_note", args=[application.pk])


def test_the_application_page_shows_the_timeline_with_notes_escaped(signed_in, recruiter, application):
    StageChangeFactory(application=application, actor=recruiter, reason="Strong portfolio")
    note_create(actor=recruiter, application=application, body="<script>alert(1)</script>\nsecond line")

    page = signed_in.get(application_url(application)).content.decode()

    assert 'id="ws-activity"' in page
    assert 'id="ws-note-form"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in page
    assert "<script>alert(1)" not in page
    assert "Moved from Applied to Screening" in page
    assert "Reason: Strong portfolio" in page
    assert "Delete note" in page  # the author's own note


def test_a_note_with_a_mention_from_the_page(django_capture_on_commit_callbacks, signed_in, application, colleague):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(note_url(application), {"body": "Call back @sam@acme.test"}, follow=True)

    note = Note.objects.get()
    assert (note.application_id, note.body) == (application.pk, "Call back @sam@acme.test")
    assert messages_of(response)[-1] == "Note saved. 1 colleague will be told."
    assert '<strong class="ws-mention">@sam@acme.test</strong>' in response.content.decode()
    assert Notification.objects.filter(user=colleague, kind="note.mentioned").count() == 1
    assert history_of(application)[-1] == "Wrote a note."


@pytest.mark.parametrize(
    ("body", "problem"),
    [("", "Write something."), ("@nobody@nowhere.test", "Not a member of this organization: nobody@nowhere.test.")],
)
def test_a_refused_note_says_why_and_saves_nothing(signed_in, application, body, problem):
    response = signed_in.post(note_url(application), {"body": body}, follow=True)

    assert not Note.objects.exists()
    assert problem in messages_of(response)[-1]
    assert messages_of(response)[-1].startswith("The note was not saved")


def test_only_the_author_sees_and_uses_the_edit_and_delete(client, recruiter, colleague, application):
    note = note_create(actor=recruiter, application=application, body="Mine")
    client.force_login(colleague)

    page = client.get(application_url(application)).content.decode()
    edit = client.post(reverse("admin:workspace_note_edit", args=[note.pk]), {"body": "Theirs"}, follow=True)
    delete = client.post(reverse("admin:workspace_note_delete", args=[note.pk]), follow=True)

    assert "Mine" in page
    assert "Delete note" not in page
    assert messages_of(edit)[-1].startswith("The note was not changed")
    assert messages_of(delete)[-1].startswith("The note was not deleted")
    note.refresh_from_db()
    assert note.body == "Mine"


def test_the_author_edits_and_deletes_from_the_page(signed_in, recruiter, application):
    note = note_create(actor=recruiter, application=application, body="First")
    back = application_url(application)

    edited = signed_in.post(reverse("admin:workspace_note_edit", args=[note.pk]), {"body": "Second", "next": back})
    note.refresh_from_db()
    deleted = signed_in.post(reverse("admin:workspace_note_delete", args=[note.pk]), {"next": "https://evil.test/"})

    assert edited.status_code == 302
    assert edited["Location"] == back + "#ws-activity"
    assert note.body == "Second"
    # A "next" off the site is ignored: back to the note's own page.
    assert deleted["Location"] == back + "#ws-activity"
    assert not Note.objects.exists()


def test_another_organization_cannot_post_notes(client, other_recruiter, application):
    client.force_login(other_recruiter)

    response = client.post(note_url(application), {"body": "Hi"})

    assert response.status_code == 404
    assert not Note.objects.exists()


def test_the_candidate_page_has_the_section_and_takes_a_note(signed_in, recruiter, candidate, application):
    note_create(actor=recruiter, application=application, body="On the application")

    response = signed_in.post(
        reverse("admin:workspace_candidate_note", args=[candidate.pk]), {"body": "On the candidate"}, follow=True
    )
    page = response.content.decode()

    assert response.redirect_chain[-1][0] == candidate_url(candidate) + "#ws-activity"
    assert "On the candidate" in page
    assert "On the application" in page
    assert Note.objects.get(body="On the candidate").application_id is None
    assert history_of(candidate)[-1] == "Wrote a note."


def test_the_timeline_pages_on_with_older_activity(signed_in, recruiter, application):
    for index in range(35):
        Note.objects.create(
            organization_id=application.job.organization_id,
            candidate_id=application.candidate_id,
            application=application,
            author=recruiter,
            body=f"note number {index}",
            created_at=application.created_at,
        )

    first = signed_in.get(application_url(application)).content.decode()
    older_url = re.search(r'<a href="([^"]+)" id="ws-activity-more">', first)[1]  # type: ignore[index]
    older = signed_in.get(html.unescape(older_url)).content.decode()

    assert "note number 34" in first
    assert "note number 4<" not in first
    assert "note number 4<" in older
    assert "note number 34" not in older
    assert "Back to the latest activity" in older
