"""The application page: people and jobs, the actions with reasons, interviews, History."""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Match, StageChange
from interviews.models import Interview
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    MembershipFactory,
    ResumeFactory,
    UserFactory,
)
from tests.factories.applications import rejection_reason_id
from tests.workspace.pages import application_url, history_of, local, messages_of

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def application(open_job):  # type: ignore[no-untyped-def]
    candidate = CandidateFactory.create(full_name="Layla Yilmaz")
    open_job.title = "Security Administrator"
    open_job.save(update_fields=["title"])
    return ApplicationFactory.create(job=open_job, candidate=candidate, stage="screening")


@pytest.fixture
def signed_in(client, recruiter):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    return client


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, user=UserFactory(full_name="Sam Lee")).user


def schedule_data(people, **overrides):  # type: ignore[no-untyped-def]
    starts = (timezone.now() + timedelta(days=3)).astimezone(BERLIN).replace(hour=10, minute=0)
    data = {
        "kind": "video",
        "starts_at": local(starts),
        "timezone": "Europe/Berlin",
        "duration": "60",
        "interviewers": [u.pk for u in people],
        "location": "",
        "meeting_url": "https://meet.example.test/room",
    }
    data.update(overrides)
    return data


# --- access -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, application):
    response = client.get(application_url(application))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_another_organizations_application_is_not_found(client, other_recruiter, application):
    client.force_login(other_recruiter)

    page = client.get(application_url(application))
    move = client.post(
        application_url(application, "application_move"), {"to_stage": "interview", "reason": "x", "confirm": "on"}
    )

    assert (page.status_code, move.status_code) == (404, 404)
    assert "Layla Yilmaz" not in page.content.decode()
    application.refresh_from_db()
    assert application.stage == "screening"
    assert history_of(application) == []


# --- what the page shows ------------------------------------------------------------------------


def test_title_match_receipt_resume_and_history(signed_in, application):
    Match.objects.create(
        job=application.job,
        candidate=application.candidate,
        score=Decimal("81.50"),
        breakdown={
            "required_skills": {"matched": ["Linux", "Firewalls"], "missing": ["SIEM"]},
            "preferred_skills": {"matched": ["Python"]},
            "components": {"required_skills": 0.66},
            "weights": {"required_skills": 0.5},
            "scoring_version": 2,
        },
        provider="local",
        model_version="v2",
        rationale="Strong on networks, no SIEM yet.",
        input_hash="x" * 64,
        computed_at=timezone.now(),
    )
    resume = ResumeFactory.create(candidate=application.candidate, extracted_text="Ten years of firewall work.")

    response = signed_in.get(application_url(application))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["title"] == "Layla Yilmaz — Security Administrator · Screening"
    assert "<h1>Layla Yilmaz — Security Administrator · Screening</h1>" in html
    receipt = response.context["receipt"]
    assert (receipt["required_matched"], receipt["required_missing"]) == (["Linux", "Firewalls"], ["SIEM"])
    assert "Linux, Firewalls" in html
    assert "SIEM" in html
    assert "Strong on networks, no SIEM yet." in html
    assert "Ten years of firewall work." in html
    download = reverse("admin:workspace_resume_download", args=[application.candidate_id, resume.pk])
    assert download in html
    # The legal moves of Screening, in words.
    assert response.context["forward_moves"] == [("interview", "Interview")]


def test_the_resume_download_redirects_to_a_signed_link(signed_in, application):
    resume = ResumeFactory.create(candidate=application.candidate)

    response = signed_in.get(reverse("admin:workspace_resume_download", args=[application.candidate_id, resume.pk]))

    assert response.status_code == 302
    assert reverse("v1:resume-file") + "?token=" in response.url
    file = signed_in.get(response.url)
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == b"Python developer with 5 years of Django."


def test_the_resume_of_a_candidate_one_may_not_see_is_not_found(signed_in, other_open_job):
    theirs = ApplicationFactory.create(job=other_open_job)
    resume = ResumeFactory.create(candidate=theirs.candidate)

    response = signed_in.get(reverse("admin:workspace_resume_download", args=[theirs.candidate_id, resume.pk]))

    assert response.status_code == 404


# --- moves ------------------------------------------------------------------------------------------


def test_a_move_asks_for_confirmation_then_moves_with_the_reason(signed_in, recruiter, application):
    data = {"to_stage": "interview", "reason": "Strong portfolio"}

    asked = signed_in.post(application_url(application, "application_move"), data)
    application.refresh_from_db()
    stage_after_asking = application.stage
    done = signed_in.post(application_url(application, "application_move"), {**data, "confirm": "on"})

    assert asked.status_code == 200
    assert "Move to Interview" in asked.content.decode()
    assert stage_after_asking == "screening"
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.stage == "interview"
    change = StageChange.objects.filter(application=application).latest("changed_at", "id")
    assert (change.from_stage, change.to_stage, change.reason, change.actor) == (
        "screening",
        "interview",
        "Strong portfolio",
        recruiter,
    )
    assert history_of(application) == ["Moved from Screening to Interview. Reason: Strong portfolio"]
    assert messages_of(done) == ["Layla Yilmaz: moved from Screening to Interview."]


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        ("rejected", "Rejected. Reason: Not enough experience"),
        ("withdrawn", "Withdrawn on the candidate's behalf. Reason: Not enough experience"),
    ],
)
def test_reject_and_withdraw_on_behalf(signed_in, application, stage, words):
    response = signed_in.post(
        application_url(application, "application_move"),
        {
            "to_stage": stage,
            "reason": "Not enough experience",
            "confirm": "on",
            **(
                {"rejection_reason": rejection_reason_id(application.job.organization_id)}
                if stage == "rejected"
                else {}
            ),
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == stage
    assert history_of(application) == [words]


def test_an_illegal_move_is_refused_with_the_legal_moves_named(signed_in, application):
    response = signed_in.post(
        application_url(application, "application_move"), {"to_stage": "hired", "reason": "Eager", "confirm": "on"}
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "Layla Yilmaz's application cannot move from Screening to Hired. "
        "From Screening it can move to Interview, Rejected or Withdrawn."
    ]
    application.refresh_from_db()
    assert application.stage == "screening"
    assert history_of(application) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"to_stage": "interview", "reason": "", "confirm": "on"}, "Give a reason for the move."),
        ({"to_stage": "interview", "reason": "x" * 2001, "confirm": "on"}, "at most 2000 characters"),
        ({"to_stage": "promoted", "reason": "Why not", "confirm": "on"}, "Select a valid choice."),
    ],
)
def test_a_bad_move_shows_a_message_and_changes_nothing(signed_in, application, data, problem):
    response = signed_in.post(application_url(application, "application_move"), data)

    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("Nothing was changed.")
    assert problem in message
    application.refresh_from_db()
    assert application.stage == "screening"
    assert StageChange.objects.filter(application=application).count() == 1
    assert history_of(application) == []


# --- interviews ---------------------------------------------------------------------------------


def test_schedule_an_interview(signed_in, application, colleague):
    response = signed_in.post(application_url(application, "interview_schedule"), schedule_data([colleague]))

    assert response.status_code == 302
    interview = Interview.objects.get(application=application)
    assert list(interview.interviewers.all()) == [colleague]
    assert interview.timezone == "Europe/Berlin"
    assert interview.starts_at.astimezone(BERLIN).hour == 10
    assert interview.ends_at - interview.starts_at == timedelta(hours=1)
    [entry] = history_of(application)
    assert entry.startswith("Scheduled a video interview ")
    assert entry.endswith("(Europe/Berlin) with Sam Lee.")


def test_a_conflict_names_the_busy_interviewer_and_books_nothing(signed_in, application, colleague, open_job):
    data = schedule_data([colleague])
    starts = timezone.make_aware(timezone.datetime.strptime(data["starts_at"], "%Y-%m-%dT%H:%M"), BERLIN)
    other = ApplicationFactory.create(job=open_job, candidate=CandidateFactory.create(full_name="Omar Haddad"))
    InterviewFactory.create(
        application=other,
        starts_at=starts + timedelta(minutes=30),
        ends_at=starts + timedelta(minutes=90),
        interviewers=[colleague],
    )

    response = signed_in.post(application_url(application, "interview_schedule"), data)

    assert response.status_code == 409
    [message] = messages_of(response)
    assert message.startswith("Not booked: Sam Lee (")
    assert "Omar Haddad for Security Administrator" in message
    assert "already has an interview at that time" in message
    assert not Interview.objects.filter(application=application).exists()
    assert history_of(application) == []
    # The form keeps what was entered.
    assert response.context["schedule_form"].data["starts_at"] == data["starts_at"]


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"starts_at": "2020-01-01T10:00"}, "starts_at", "Must be in the future."),
        ({"meeting_url": ""}, "meeting_url", "A video interview needs a meeting link."),
        ({"kind": "onsite", "meeting_url": ""}, "location", "An on-site interview needs a location."),
        ({"meeting_url": "not a link"}, "meeting_url", "Enter a valid http(s) URL."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Must be an IANA time zone such as Europe/Berlin."),
        ({"starts_at": "tomorrow"}, "starts_at", "Enter a date and time."),
        ({"interviewers": []}, "interviewers", "Pick at least one interviewer."),
    ],
)
def test_a_bad_booking_shows_the_problem_and_books_nothing(
    signed_in, application, colleague, overrides, field, problem
):
    response = signed_in.post(
        application_url(application, "interview_schedule"), schedule_data([colleague], **overrides)
    )

    assert response.status_code == 400
    assert any(problem in error for error in response.context["schedule_form"].errors[field])
    assert messages_of(response)[0].startswith("The interview was not booked")
    assert not Interview.objects.exists()
    assert history_of(application) == []


def test_an_interviewer_from_another_organization_cannot_be_booked(signed_in, application, other_recruiter):
    response = signed_in.post(application_url(application, "interview_schedule"), schedule_data([other_recruiter]))

    assert response.status_code == 400
    assert "interviewers" in response.context["schedule_form"].errors
    assert not Interview.objects.exists()


def test_reschedule_and_cancel_with_a_reason(signed_in, application, colleague):
    interview = InterviewFactory.create(application=application, interviewers=[colleague], timezone="Europe/Berlin")
    new_start = (
        (timezone.now() + timedelta(days=5)).astimezone(BERLIN).replace(hour=15, minute=30, second=0, microsecond=0)
    )
    prefix = f"i{interview.pk}"

    moved = signed_in.post(
        reverse("admin:workspace_interview_reschedule", args=[application.pk, interview.pk]),
        {f"{prefix}-starts_at": local(new_start), f"{prefix}-duration": "45"},
    )
    interview.refresh_from_db()
    start_after_move = interview.starts_at
    no_reason = signed_in.post(
        reverse("admin:workspace_interview_cancel", args=[application.pk, interview.pk]), {"reason": ""}
    )
    interview.refresh_from_db()
    status_after_no_reason = interview.status
    cancelled = signed_in.post(
        reverse("admin:workspace_interview_cancel", args=[application.pk, interview.pk]), {"reason": "Candidate is ill"}
    )

    assert moved.status_code == 302
    assert start_after_move == new_start
    assert messages_of(no_reason)[-1] == "The interview was not cancelled. Give a reason for cancelling."
    assert status_after_no_reason == "scheduled"
    assert cancelled.status_code == 302
    interview.refresh_from_db()
    assert (interview.status, interview.cancel_reason) == ("cancelled", "Candidate is ill")
    first, second = history_of(application)
    assert first.startswith("Rescheduled an interview from ")
    assert second.startswith("Cancelled the interview of ")
    assert second.endswith("Reason: Candidate is ill")


@pytest.mark.parametrize("case", ["past", "garbled", "clash"])
def test_a_bad_reschedule_shows_a_message_and_moves_nothing(signed_in, application, colleague, open_job, case):
    interview = InterviewFactory.create(application=application, interviewers=[colleague])
    other = InterviewFactory.create(
        application=ApplicationFactory.create(job=open_job, candidate=CandidateFactory.create(full_name="Omar Haddad")),
        starts_at=interview.starts_at + timedelta(days=1),
        ends_at=interview.starts_at + timedelta(days=1, hours=1),
        interviewers=[colleague],
    )
    starts_at = {
        "past": "2020-01-01T10:00",
        "garbled": "soon",
        "clash": local(other.starts_at.astimezone(zoneinfo.ZoneInfo("UTC"))),
    }[case]
    before = (interview.starts_at, interview.ends_at)
    prefix = f"i{interview.pk}"

    response = signed_in.post(
        reverse("admin:workspace_interview_reschedule", args=[application.pk, interview.pk]),
        {f"{prefix}-starts_at": starts_at, f"{prefix}-duration": "60"},
    )

    assert response.status_code == 302
    [message] = messages_of(response)
    expected = {
        "past": "The interview was not moved: The interview is not valid. Start: Must be in the future.",
        "garbled": "The interview was not moved. Enter a date and time.",
        "clash": "Not booked: Sam Lee (",
    }[case]
    assert message.startswith(expected)
    if case == "clash":
        assert "Omar Haddad" in message
    interview.refresh_from_db()
    assert (interview.starts_at, interview.ends_at) == before
    assert history_of(application) == []


def test_another_applications_interview_cannot_be_cancelled_through_this_page(signed_in, application, open_job):
    other = InterviewFactory.create(application=ApplicationFactory.create(job=open_job))

    response = signed_in.post(
        reverse("admin:workspace_interview_cancel", args=[application.pk, other.pk]), {"reason": "Oops"}
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "scheduled"


def test_the_page_makes_a_bounded_number_of_queries(signed_in, application, colleague, django_assert_max_num_queries):
    for _ in range(5):
        InterviewFactory.create(application=application, interviewers=[colleague])

    with django_assert_max_num_queries(60):
        response = signed_in.get(application_url(application))

    assert response.status_code == 200
    assert len(response.context["interviews"]) == 5
    assert Application.objects.count() == 1


# --- undo


def test_the_last_move_is_undone_from_the_page(signed_in, application, recruiter):
    from applications.services import application_move

    application_move(actor=recruiter, application=application, to_stage="interview")
    page = signed_in.get(application_url(application)).content.decode()
    assert "ws-undo-form" in page

    refused = signed_in.post(application_url(application, "application_undo"), {"reason": ""})
    application.refresh_from_db()
    assert (refused.status_code, application.stage) == (302, "interview")

    done = signed_in.post(application_url(application, "application_undo"), {"reason": "Wrong card"})

    assert done.status_code == 302
    application.refresh_from_db()
    assert application.stage == "screening"
    assert StageChange.objects.filter(application=application).latest("id").kind == "undo"
    assert history_of(application) == ["Undid the move to Interview: back to Screening. Reason: Wrong card"]
    assert messages_of(signed_in.get(done["Location"]))[-1] == (
        "Layla Yilmaz: undid the move to Interview: back to Screening."
    )


# --- rejection emails


def test_rejecting_from_the_page_schedules_the_email_and_undo_cancels_it(signed_in, application):
    from applications.models import RejectionEmail, RejectionEmailTemplate

    template = RejectionEmailTemplate.objects.get(organization_id=application.job.organization_id)
    data = {
        "to_stage": "rejected",
        "reason": "Not enough experience",
        "rejection_reason": rejection_reason_id(application.job.organization_id),
        "email_template": template.pk,
        "email_delay_minutes": 45,
    }
    page = signed_in.get(application_url(application)).content.decode()
    assert 'id="ws-reject-email"' in page

    confirm = signed_in.post(application_url(application, "application_move"), data).content.decode()
    assert "Email to the candidate: <strong>Standard rejection</strong>, in 45 minutes" in confirm
    assert not RejectionEmail.objects.exists()
    signed_in.post(application_url(application, "application_move"), {**data, "confirm": "on"})

    email = RejectionEmail.objects.get(application=application)
    assert email.status == "scheduled"
    page = signed_in.get(application_url(application)).content.decode()
    assert 'id="ws-rejection-emails"' in page
    assert email.subject in page

    undone = signed_in.post(application_url(application, "application_undo"), {"reason": "Wrong candidate"})

    email.refresh_from_db()
    assert email.status == "cancelled"
    assert messages_of(signed_in.get(undone["Location"]))[-1] == "The rejection email was cancelled before it went out."


def test_undoing_after_the_email_went_says_it_cannot_be_unsent(signed_in, application, recruiter):
    from applications.models import RejectionEmail, RejectionEmailTemplate
    from applications.services import application_move

    application_move(
        actor=recruiter,
        application=application,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(application.job.organization_id),
        email_template_id=RejectionEmailTemplate.objects.get(organization_id=application.job.organization_id).pk,
    )
    RejectionEmail.objects.update(status="sent", settled_at=timezone.now())

    undone = signed_in.post(application_url(application, "application_undo"), {"reason": "Wrong candidate"})

    said = messages_of(signed_in.get(undone["Location"]))
    assert said[-1] == (
        f"The rejection email to {application.candidate.email} was already sent; "
        "undoing the rejection cannot unsend it."
    )
    assert RejectionEmail.objects.get().status == "sent"
