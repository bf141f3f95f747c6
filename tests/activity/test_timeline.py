"""The activity timeline: every source, newest first, cursor pages, access, constant queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.models import Note
from activity.selectors import application_activity, candidate_activity
from activity.services import note_create
from applications.models import Match
from applications.services import application_move, application_submit
from hotgigs.errors import Forbidden
from interviews.services import interview_reschedule, interview_schedule
from tests.factories import (
    ApplicationFactory,
    FeedbackFactory,
    InterviewFactory,
    JobFactory,
    ResumeFactory,
    StageChangeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def resume_storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "resumes"
    settings.RESUME_STORAGE_ROOT = str(folder)
    settings.STORAGES = {
        **settings.STORAGES,
        "resumes": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }


def url(kind: str, pk: int) -> str:
    return f"/api/v1/{kind}/{pk}/activity"


def test_every_kind_of_activity_from_the_services_in_order(
    django_capture_on_commit_callbacks, recruiter, colleague, open_job, candidate
):
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(actor=candidate.user, job=open_job, candidate=candidate)
    with django_capture_on_commit_callbacks(execute=True):
        application_move(actor=recruiter, application=application, to_stage="screening", reason="Looks good")
    interview = interview_schedule(
        actor=recruiter,
        application=application,
        kind="video",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        interviewer_ids=[colleague.pk],
        meeting_url="https://meet.example.test/x",
    )
    interview_reschedule(
        actor=recruiter, interview=interview, starts_at=starts + timedelta(hours=2), ends_at=starts + timedelta(hours=3)
    )
    FeedbackFactory(interview=interview, interviewer=colleague, recommendation="strong_yes")
    note_create(actor=recruiter, application=application, body="Great culture add\nMore below")
    ResumeFactory(candidate=candidate, original_filename="cv.pdf")
    # Submitting scored the pair (tasks run in-process); a later rescore is the newest entry.
    Match.objects.filter(job=open_job, candidate=candidate).update(score=Decimal("83.40"), computed_at=timezone.now())

    entries, following = application_activity(actor=recruiter, application=application, size=50)

    kinds = [entry.kind for entry in entries]
    assert kinds[:6] == [
        "match_computed",
        "resume_uploaded",
        "note",
        "feedback_submitted",
        "interview_rescheduled",
        "interview_scheduled",
    ]
    assert set(kinds[6:]) == {"stage_changed", "application_submitted", "email_sent"}
    assert kinds[-1] == "application_submitted"
    assert following is None
    by_kind = {entry.kind: entry for entry in entries}
    assert by_kind["stage_changed"].summary == f"Moved from Applied to Screening ({open_job.title})"
    assert by_kind["stage_changed"].detail == "Looks good"
    assert by_kind["stage_changed"].actor_id == recruiter.pk
    assert by_kind["note"].summary == "Great culture add"
    assert by_kind["note"].detail == "Great culture add\nMore below"
    assert by_kind["feedback_submitted"].actor_id == colleague.pk
    assert by_kind["application_submitted"].actor_id == candidate.user_id
    assert by_kind["match_computed"].summary == f"Match score 83 for {open_job.title}"
    assert by_kind["resume_uploaded"].summary == "Resume uploaded: cv.pdf"
    # Both emails of the submission went out: the candidate's receipt and the team's notice.
    emails = [entry for entry in entries if entry.kind == "email_sent"]
    assert len(emails) >= 2
    assert any(candidate.email in entry.summary for entry in emails)
    assert [entry.at for entry in entries] == sorted((entry.at for entry in entries), reverse=True)


def _history(application, recruiter, count: int) -> None:  # type: ignore[no-untyped-def]
    base = timezone.now() - timedelta(days=10)
    for index in range(count):
        note = Note.objects.create(
            organization_id=application.job.organization_id,
            candidate_id=application.candidate_id,
            application=application,
            author=recruiter,
            body=f"note {index}",
            created_at=base + timedelta(minutes=2 * index),
        )
        StageChangeFactory(application=application, actor=recruiter, changed_at=base + timedelta(minutes=2 * index + 1))
        FeedbackFactory(
            interview=InterviewFactory(application=application, scheduled_by=recruiter),
            interviewer=recruiter,
            submitted_at=note.created_at,  # the same instant as the note: the source order breaks the tie
        )


def test_pages_follow_each_other_without_gaps_or_repeats(login, recruiter, application):
    _history(application, recruiter, 6)
    client = login(recruiter)
    expected = [entry.key for entry in application_activity(actor=recruiter, application=application, size=100)[0]]

    seen, page_url, pages = [], url("applications", application.pk) + "?page_size=4", 0
    while page_url:
        body = client.get(page_url).json()
        seen += [row["id"] for row in body["results"]]
        page_url, pages = body["next"], pages + 1

    assert seen == expected
    assert len(seen) == len(set(seen)) == 6 * 4 + 1  # notes, moves, interviews, feedback; the submission
    assert pages == 7
    # At one instant the note comes before the feedback (the later source first).
    assert seen.index(f"note:{Note.objects.get(body='note 5').pk}") < seen.index(
        f"feedback_submitted:{application.interviews.order_by('-pk').first().feedback.get().pk}"
    )


def test_the_entries_carry_actor_kind_time_and_summary(login, recruiter, application):
    note_create(actor=recruiter, application=application, body="Hello <b>there</b>")

    row = login(recruiter).get(url("applications", application.pk)).json()["results"][0]

    assert row["kind"] == "note"
    assert row["actor"] == {"id": recruiter.pk, "name": recruiter.full_name or recruiter.email}
    assert row["summary"] == "Hello <b>there</b>"  # as written; whoever shows it escapes it
    assert row["at"]
    assert row["application_id"] == application.pk


def test_queries_do_not_grow_with_the_entries_of_a_page(login, recruiter, application):
    client = login(recruiter)
    _history(application, recruiter, 2)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url("applications", application.pk), {"page_size": 50})
    _history(application, recruiter, 10)
    with CaptureQueriesContext(connection) as many:
        large = client.get(url("applications", application.pk), {"page_size": 50})

    assert len(small.json()["results"]) == 9
    assert len(large.json()["results"]) == 49
    assert len(many) == len(few)


def test_the_candidate_timeline_queries_stay_flat_too(login, recruiter, application, open_job):
    client = login(recruiter)
    _history(application, recruiter, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url("candidates", application.candidate_id))
    second = ApplicationFactory(job=JobFactory(organization=open_job.organization), candidate=application.candidate)
    _history(second, recruiter, 5)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url("candidates", application.candidate_id), {"page_size": 50}).json()

    assert {row["application_id"] for row in body["results"]} == {application.pk, second.pk}
    assert len(many) == len(few)


def test_the_candidate_timeline_keeps_to_the_viewers_organization(
    recruiter, other_recruiter, candidate, open_job, other_open_job
):
    mine = ApplicationFactory(job=open_job, candidate=candidate)
    theirs = ApplicationFactory(job=other_open_job, candidate=candidate)
    note_create(actor=recruiter, candidate=candidate, body="ours")
    note_create(actor=other_recruiter, application=theirs, body="theirs")

    entries, _ = candidate_activity(actor=recruiter, candidate=candidate, size=50)

    assert {entry.application_id for entry in entries} == {mine.pk, None}
    assert [entry.detail for entry in entries if entry.kind == "note"] == ["ours"]


def test_the_candidate_and_other_organizations_do_not_get_the_timeline(login, candidate, other_recruiter, application):
    with pytest.raises(Forbidden):
        application_activity(actor=candidate.user, application=application)
    own = login(candidate.user)
    assert own.get(url("applications", application.pk)).status_code == 403
    assert own.get(url("candidates", candidate.pk)).status_code == 403
    other = login(other_recruiter)
    assert other.get(url("applications", application.pk)).status_code == 404
    assert other.get(url("candidates", candidate.pk)).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [("cursor=made-up", "cursor"), ("page_size=0", "page_size"), ("page_size=x", "page_size"), ("kind=note", "kind")],
)
def test_bad_paging_gets_the_envelope(login, recruiter, application, query, field):
    response = login(recruiter).get(url("applications", application.pk) + "?" + query)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
