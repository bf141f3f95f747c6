"""/api/v1/interviews: list, retrieve, schedule, reschedule, cancel, outcome, feedback."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import Feedback, Interview
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    FeedbackFactory,
    InterviewFactory,
    MembershipFactory,
)

URL = "/api/v1/interviews"

pytestmark = pytest.mark.django_db


def detail(interview: Interview, suffix: str = "") -> str:
    return f"{URL}/{interview.pk}{suffix}"


def iso(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat()


@pytest.fixture
def application(open_job, candidate):
    return ApplicationFactory(job=open_job, candidate=candidate, stage="screening")


@pytest.fixture
def colleague(org):
    return MembershipFactory(organization=org).user


@pytest.fixture
def interview(application, recruiter):
    return InterviewFactory(application=application, interviewers=[recruiter], scheduled_by=recruiter)


@pytest.fixture
def started(application, recruiter):
    starts = timezone.now() - timedelta(hours=1)
    return InterviewFactory(
        application=application, interviewers=[recruiter], starts_at=starts, ends_at=starts + timedelta(minutes=45)
    )


@pytest.fixture
def foreign_interview(other_open_job, other_candidate, other_recruiter):
    other_application = ApplicationFactory(job=other_open_job, candidate=other_candidate)
    return InterviewFactory(application=other_application, interviewers=[other_recruiter])


@pytest.fixture
def tomorrow():
    return (timezone.now() + timedelta(days=1)).replace(microsecond=0)


@pytest.fixture
def booking(application, recruiter, tomorrow):
    return {
        "application_id": application.pk,
        "kind": "video",
        "starts_at": iso(tomorrow),
        "ends_at": iso(tomorrow + timedelta(hours=1)),
        "interviewer_ids": [recruiter.pk],
        "meeting_url": "https://meet.example.test/xyz",
        "timezone": "Europe/Berlin",
    }


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- authentication and scopes ------------------------------------------------------------------


def test_no_token_is_unauthorized(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_list_needs_the_interviews_read_scope(login, recruiter):
    response = login(recruiter, scope="applications:read").get(URL)

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "interviews:read"}


def test_a_candidate_cannot_schedule(login, candidate, booking):
    response = login(candidate.user).post(URL, booking, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "interviews:write"}
    assert not Interview.objects.exists()


# --- list and retrieve --------------------------------------------------------------------------


def test_a_candidate_lists_their_own_without_internal_fields(login, candidate, interview, foreign_interview):
    FeedbackFactory(interview=interview)
    Interview.objects.filter(pk=interview.pk).update(cancel_reason="Internal note")

    response = login(candidate.user).get(URL)

    assert response.status_code == 200
    assert ids(response) == {interview.pk}
    row = response.json()["results"][0]
    assert "feedback" not in row
    assert row["cancel_reason"] is None
    assert row["scheduled_by_id"] is None
    assert "Internal note" not in response.content.decode()


def test_a_recruiter_lists_their_organizations_with_internal_fields(login, recruiter, interview, foreign_interview):
    response = login(recruiter).get(URL)

    assert ids(response) == {interview.pk}
    row = response.json()["results"][0]
    assert row["scheduled_by_id"] == recruiter.pk
    assert row["cancel_reason"] == ""
    assert row["interviewers"] == [{"id": recruiter.pk, "full_name": recruiter.get_full_name()}]
    assert row["job"]["id"] == interview.application.job_id
    assert row["candidate"]["id"] == interview.application.candidate_id


def test_staff_list_everything(login, staff, interview, foreign_interview):
    assert ids(login(staff).get(URL)) == {interview.pk, foreign_interview.pk}


def test_the_list_is_earliest_first(login, recruiter, application):
    later = InterviewFactory(application=application, starts_at=timezone.now() + timedelta(days=3))
    sooner = InterviewFactory(application=application, starts_at=timezone.now() + timedelta(days=2))

    rows = login(recruiter).get(URL).json()["results"]

    assert [row["id"] for row in rows] == [sooner.pk, later.pk]


def test_filters(login, recruiter, colleague, application, started):
    now = timezone.now()
    in_two_days = InterviewFactory(application=application, interviewers=[colleague], starts_at=now + timedelta(days=2))
    cancelled = InterviewFactory(application=application, status="cancelled", starts_at=now + timedelta(days=4))
    other_application = ApplicationFactory(job=application.job)
    elsewhere = InterviewFactory(application=other_application, starts_at=now + timedelta(days=5))
    client = login(recruiter)

    window = client.get(
        URL, {"starts_after": iso(now + timedelta(days=1)), "starts_before": iso(now + timedelta(days=4))}
    )
    by_status = client.get(f"{URL}?status=cancelled&status=completed")
    by_interviewer = client.get(URL, {"interviewer": colleague.pk})
    by_application = client.get(URL, {"application": other_application.pk})

    assert ids(window) == {in_two_days.pk}
    assert ids(by_status) == {cancelled.pk}
    assert ids(by_interviewer) == {in_two_days.pk}
    assert ids(by_application) == {elsewhere.pk}


@pytest.mark.parametrize(
    "query",
    [{"starts_after": "2030-01-01T09:00:00"}, {"starts_before": "soon"}, {"status": "postponed"}, {"interviewer": "x"}],
)
def test_bad_filters_are_validation_errors(login, recruiter, query):
    response = login(recruiter).get(URL, query)

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()["details"]) == set(query)


def test_list_runs_the_same_queries_whatever_the_page_size(login, recruiter, colleague, application):
    for day in range(1, 11):
        InterviewFactory(
            application=ApplicationFactory(job=application.job, candidate=CandidateFactory()),
            interviewers=[recruiter, colleague],
            starts_at=timezone.now() + timedelta(days=day),
        )
    client = login(recruiter)

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"page_size": 2}).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(URL, {"page_size": 50}).json()["results"]) == 10

    # the user, the token family check, the memberships, the page, the panels
    assert len(small) == len(large) == 4


def test_a_candidate_gets_their_own(login, candidate, interview):
    response = login(candidate.user).get(detail(interview))

    assert response.status_code == 200
    assert response.json()["id"] == interview.pk
    assert "feedback" not in response.json()


def test_another_candidates_interview_is_not_found(login, other_candidate, interview):
    response = login(other_candidate.user).get(detail(interview))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_another_organizations_interview_is_not_found(login, other_recruiter, interview):
    response = login(other_recruiter).get(detail(interview))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


# --- schedule -----------------------------------------------------------------------------------


def test_a_recruiter_schedules(login, recruiter, colleague, application, booking):
    booking["interviewer_ids"] = [recruiter.pk, colleague.pk]

    response = login(recruiter).post(URL, booking, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["timezone"] == "Europe/Berlin"
    assert {person["id"] for person in body["interviewers"]} == {recruiter.pk, colleague.pk}
    interview = Interview.objects.get(pk=body["id"])
    assert interview.application == application
    assert interview.scheduled_by == recruiter


def test_an_offset_other_than_utc_is_kept_as_the_same_instant(login, recruiter, booking, tomorrow):
    booking["starts_at"] = tomorrow.astimezone(timezone.get_fixed_timezone(120)).isoformat()

    response = login(recruiter).post(URL, booking, format="json")

    assert response.status_code == 201
    assert Interview.objects.get().starts_at == tomorrow


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "past"}, "starts_at"),
        ({"starts_at": "naive"}, "starts_at"),
        ({"ends_at": "before"}, "ends_at"),
        ({"meeting_url": ""}, "meeting_url"),
        ({"meeting_url": "not a url"}, "meeting_url"),
        ({"kind": "carrier_pigeon"}, "kind"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"meeting_url": "ftp://meet.example.test"}, "meeting_url"),
        ({"kind": "phone", "location": "x" * 256}, "location"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"interviewer_ids": []}, "interviewer_ids"),
        ({"interviewer_ids": None}, "interviewer_ids"),
        ({"interviewer_ids": ["abc"]}, "interviewer_ids"),
        ({"interviewer_ids": [True]}, "interviewer_ids"),
        ({"interviewer_ids": "outsider"}, "interviewer_ids"),
        ({"status": "completed"}, "status"),
        ({"application_id": None}, "application_id"),
    ],
)
def test_schedule_validation_errors(login, recruiter, other_recruiter, booking, tomorrow, change, field):
    values = {
        "past": iso(timezone.now() - timedelta(hours=2)),
        "naive": tomorrow.replace(tzinfo=None).isoformat(),
        "before": iso(tomorrow - timedelta(minutes=30)),
        "outsider": [other_recruiter.pk],
    }
    body = {
        **booking,
        **{key: values.get(value, value) if isinstance(value, str) else value for key, value in change.items()},
    }

    response = login(recruiter).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Interview.objects.exists()


def test_an_overlap_for_the_same_interviewer_is_a_conflict(login, recruiter, application, booking, tomorrow):
    InterviewFactory(
        application=ApplicationFactory(job=application.job),
        interviewers=[recruiter],
        starts_at=tomorrow + timedelta(minutes=30),
    )

    response = login(recruiter).post(URL, booking, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["details"] == {"interviewer_ids": [recruiter.pk]}
    assert Interview.objects.count() == 1


def test_an_ended_application_cannot_get_interviews(login, recruiter, application, booking):
    application.stage = "rejected"
    application.save(update_fields=["stage"])

    response = login(recruiter).post(URL, booking, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_another_organizations_application_is_not_found(login, other_recruiter, booking):
    booking["interviewer_ids"] = [other_recruiter.pk]

    response = login(other_recruiter).post(URL, booking, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert not Interview.objects.exists()


# --- reschedule, cancel, outcome ----------------------------------------------------------------


def test_a_recruiter_reschedules(login, recruiter, interview, tomorrow):
    new_start = tomorrow + timedelta(days=1)

    response = login(recruiter).post(
        detail(interview, "/reschedule"),
        {"starts_at": iso(new_start), "ends_at": iso(new_start + timedelta(minutes=30))},
        format="json",
    )

    assert response.status_code == 200
    interview.refresh_from_db()
    assert interview.starts_at == new_start
    assert response.json()["interviewers"][0]["id"] == recruiter.pk


def test_rescheduling_into_the_past_is_a_validation_error(login, recruiter, interview):
    before = interview.starts_at
    past = timezone.now() - timedelta(days=1)

    response = login(recruiter).post(
        detail(interview, "/reschedule"),
        {"starts_at": iso(past), "ends_at": iso(past + timedelta(hours=1))},
        format="json",
    )

    assert response.status_code == 400
    assert "starts_at" in response.json()["details"]
    interview.refresh_from_db()
    assert interview.starts_at == before


def test_rescheduling_a_cancelled_interview_is_a_conflict(login, recruiter, application, tomorrow):
    cancelled = InterviewFactory(application=application, interviewers=[recruiter], status="cancelled")

    response = login(recruiter).post(
        detail(cancelled, "/reschedule"),
        {"starts_at": iso(tomorrow), "ends_at": iso(tomorrow + timedelta(hours=1))},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_a_recruiter_cancels_and_the_candidate_does_not_see_why(login, recruiter, candidate, interview):
    response = login(recruiter).post(detail(interview, "/cancel"), {"reason": "Panel unavailable"}, format="json")
    seen_by_candidate = login(candidate.user).get(detail(interview)).json()

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Panel unavailable"
    assert seen_by_candidate["status"] == "cancelled"
    assert seen_by_candidate["cancel_reason"] is None


def test_cancelling_twice_is_a_conflict(login, recruiter, interview):
    client = login(recruiter)
    client.post(detail(interview, "/cancel"), {}, format="json")

    response = client.post(detail(interview, "/cancel"), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_cancel_rejects_unknown_fields(login, recruiter, interview):
    response = login(recruiter).post(detail(interview, "/cancel"), {"status": "cancelled"}, format="json")

    assert response.status_code == 400
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_another_organization_cannot_cancel(login, other_recruiter, interview):
    response = login(other_recruiter).post(detail(interview, "/cancel"), {}, format="json")

    assert response.status_code == 404
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_recording_the_outcome_of_a_started_interview(login, recruiter, started):
    response = login(recruiter).post(detail(started, "/outcome"), {"status": "completed"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_the_outcome_of_a_future_interview_is_a_conflict(login, recruiter, interview):
    response = login(recruiter).post(detail(interview, "/outcome"), {"status": "no_show"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_an_unknown_outcome_is_a_validation_error(login, recruiter, started):
    response = login(recruiter).post(detail(started, "/outcome"), {"status": "cancelled"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()["details"]


# --- feedback -----------------------------------------------------------------------------------


def test_the_hiring_team_reads_feedback(login, org_admin, colleague, started):
    # org_admin is not on the panel, so nothing of it is withheld (tests/api/test_scorecards.py).
    FeedbackFactory(interview=started, interviewer=colleague, rating=5, recommendation="strong_yes")

    response = login(org_admin).get(detail(started, "/feedback"))

    assert response.status_code == 200
    [row] = response.json()
    assert row["rating"] == 5
    assert row["recommendation"] == "strong_yes"
    assert row["interviewer"] == {"id": colleague.pk, "full_name": colleague.get_full_name()}


def test_a_candidates_token_cannot_read_feedback(login, candidate, started):
    FeedbackFactory(interview=started)

    response = login(candidate.user).get(detail(started, "/feedback"))

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "feedback:read"}


def test_a_recruiter_applying_elsewhere_cannot_read_feedback_on_their_own_interview(login, other_recruiter, open_job):
    # other_recruiter's token carries feedback:read, but for open_job they are the candidate.
    own_profile = CandidateFactory(user=other_recruiter)
    interview = InterviewFactory(application=ApplicationFactory(job=open_job, candidate=own_profile))
    FeedbackFactory(interview=interview)
    client = login(other_recruiter)

    listed = client.get(detail(interview))
    feedback = client.get(detail(interview, "/feedback"))

    assert listed.status_code == 200
    assert feedback.status_code == 404
    assert feedback.json()["code"] == "NOT_FOUND"


def test_an_interviewer_submits_feedback(login, recruiter, started):
    response = login(recruiter).post(
        detail(started, "/feedback"), {"rating": 4, "recommendation": "yes", "notes": "Clear thinker"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["interviewer"]["id"] == recruiter.pk
    feedback = Feedback.objects.get()
    assert (feedback.interview, feedback.interviewer, feedback.rating) == (started, recruiter, 4)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0, "recommendation": "yes"}, "rating"),
        ({"rating": 6, "recommendation": "yes"}, "rating"),
        ({"rating": "four", "recommendation": "yes"}, "rating"),
        ({"rating": True, "recommendation": "yes"}, "rating"),
        ({"rating": 4.5, "recommendation": "yes"}, "rating"),
        ({"rating": 4, "recommendation": "yes", "notes": "x" * 10_001}, "notes"),
        ({"rating": 3, "recommendation": "maybe"}, "recommendation"),
        ({"rating": 3}, "recommendation"),
        ({"rating": 3, "recommendation": "yes", "interviewer_id": 1}, "interviewer_id"),
    ],
)
def test_feedback_validation_errors(login, recruiter, started, body, field):
    response = login(recruiter).post(detail(started, "/feedback"), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Feedback.objects.exists()


def test_a_second_scorecard_is_a_conflict(login, recruiter, started):
    FeedbackFactory(interview=started, interviewer=recruiter)

    response = login(recruiter).post(detail(started, "/feedback"), {"rating": 2, "recommendation": "no"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert Feedback.objects.get().rating == 4


def test_only_interviewers_submit_feedback(login, colleague, started):
    response = login(colleague).post(
        detail(started, "/feedback"), {"rating": 3, "recommendation": "mixed"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert not Feedback.objects.exists()


def test_feedback_submit_needs_the_write_scope(login, recruiter, started):
    response = login(recruiter, scope="feedback:read").post(
        detail(started, "/feedback"), {"rating": 3, "recommendation": "mixed"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "feedback:write"}


def test_another_organizations_feedback_is_not_found(login, other_recruiter, started):
    response = login(other_recruiter).get(detail(started, "/feedback"))

    assert response.status_code == 404
