from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hotgigs.errors import Forbidden
from hotgigs.notifications.models import Notification
from interviews.errors import (
    FeedbackAlreadySubmitted,
    IllegalInterviewTransition,
    InterviewerBusy,
    InterviewNotSchedulable,
    InvalidInterview,
)
from interviews.models import Feedback, Interview
from interviews.services import (
    feedback_submit,
    interview_cancel,
    interview_record_outcome,
    interview_reschedule,
    interview_schedule,
)
from tests.factories import ApplicationFactory, InterviewFactory, MembershipFactory


def _tomorrow(hour: int = 10) -> datetime:
    return (timezone.now() + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def application(open_job, candidate):
    return ApplicationFactory(job=open_job, candidate=candidate, stage="screening")


@pytest.fixture
def booking(application, recruiter):
    """Keyword arguments of a valid one-hour video interview tomorrow at 10:00."""
    return {
        "actor": recruiter,
        "application": application,
        "kind": "video",
        "starts_at": _tomorrow(10),
        "ends_at": _tomorrow(11),
        "interviewer_ids": [recruiter.pk],
        "meeting_url": "https://meet.example.test/xyz",
        "tz_name": "Europe/Berlin",
    }


def _started(interview: Interview) -> Interview:
    """Move an interview into the past, where the services refuse to put it."""
    start = timezone.now() - timedelta(hours=2)
    Interview.objects.filter(pk=interview.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    interview.refresh_from_db()
    return interview


def test_interview_schedule_books_the_panel_and_notifies_the_candidate(
    booking, org, recruiter, candidate, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(organization=org).user

    with django_capture_on_commit_callbacks(execute=True):
        interview = interview_schedule(**{**booking, "interviewer_ids": [recruiter.pk, colleague.pk, recruiter.pk]})

    interview.refresh_from_db()
    assert interview.status == "scheduled"
    assert interview.timezone == "Europe/Berlin"
    assert interview.scheduled_by == recruiter
    assert set(interview.interviewers.all()) == {recruiter, colleague}
    notification = Notification.objects.get(user=candidate.user)
    assert notification.kind == "interview.scheduled"
    assert notification.payload["interview_id"] == interview.pk
    assert set(Notification.objects.exclude(user=candidate.user).values_list("user", flat=True)) == {
        recruiter.pk,
        colleague.pk,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"starts_at": timezone.now() - timedelta(hours=2), "ends_at": timezone.now() - timedelta(hours=1)},
            "starts_at",
        ),
        ({"ends_at": _tomorrow(9)}, "ends_at"),
        ({"ends_at": _tomorrow(10)}, "ends_at"),
        ({"ends_at": _tomorrow(10) + timedelta(minutes=4)}, "ends_at"),
        ({"ends_at": _tomorrow(10) + timedelta(hours=8, minutes=1)}, "ends_at"),
        ({"meeting_url": ""}, "meeting_url"),
        ({"meeting_url": "ftp://meet.example.test"}, "meeting_url"),
        ({"tz_name": "Mars/Olympus_Mons"}, "timezone"),
        ({"tz_name": "../etc/passwd"}, "timezone"),
        ({"kind": "onsite", "location": "  "}, "location"),
        ({"interviewer_ids": []}, "interviewer_ids"),
        ({"interviewer_ids": list(range(1, 12))}, "interviewer_ids"),
    ],
)
def test_interview_schedule_refuses_what_breaks_its_rules_and_changes_nothing(booking, change, field):
    # The rules: future, ordered, 5 minutes to 8 hours, a link or place for the kind, a valid
    # link and zone, 1 to 10 interviewers. Shapes are the API input's (tests/api/test_interviews.py).
    with pytest.raises(InvalidInterview) as exc_info:
        interview_schedule(**{**booking, **change})

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert set(exc_info.value.details) == {field}
    assert not Interview.objects.exists()
    assert not Notification.objects.exists()


def test_an_onsite_interview_needs_no_link(booking):
    interview = interview_schedule(**{**booking, "kind": "onsite", "meeting_url": "", "location": " HQ, room 4 "})

    assert interview.location == "HQ, room 4"


def test_an_interviewer_from_another_organization_is_invalid(booking, other_recruiter):
    with pytest.raises(InvalidInterview) as exc_info:
        interview_schedule(**{**booking, "interviewer_ids": [other_recruiter.pk]})

    assert set(exc_info.value.details) == {"interviewer_ids"}
    assert not Interview.objects.exists()


def test_the_candidate_cannot_be_an_interviewer(booking, candidate):
    with pytest.raises(InvalidInterview):
        interview_schedule(**{**booking, "interviewer_ids": [candidate.user.pk]})

    assert not Interview.objects.exists()


def test_an_outsider_may_not_schedule(booking, other_recruiter):
    with pytest.raises(Forbidden):
        interview_schedule(**{**booking, "actor": other_recruiter})

    assert not Interview.objects.exists()


def test_an_overlapping_interview_for_the_same_interviewer_is_refused(booking, open_job, recruiter):
    interview_schedule(**booking)
    other = ApplicationFactory(job=open_job)

    with pytest.raises(InterviewerBusy) as exc_info:
        interview_schedule(
            **{
                **booking,
                "application": other,
                "starts_at": _tomorrow(10) + timedelta(minutes=30),
                "ends_at": _tomorrow(12),
            }
        )

    assert exc_info.value.code == "CONFLICT"
    assert exc_info.value.details["interviewer_ids"] == [recruiter.pk]
    assert Interview.objects.count() == 1


def test_adjacent_interviews_do_not_overlap(booking, open_job):
    interview_schedule(**booking)
    other = ApplicationFactory(job=open_job)

    interview_schedule(**{**booking, "application": other, "starts_at": _tomorrow(11), "ends_at": _tomorrow(12)})

    assert Interview.objects.count() == 2


def test_a_cancelled_interview_does_not_block_the_slot(booking, recruiter):
    first = interview_schedule(**booking)
    interview_cancel(actor=recruiter, interview=first)

    interview_schedule(**booking)

    assert Interview.objects.filter(status="scheduled").count() == 1


def test_another_interviewer_is_free_at_the_same_time(booking, org):
    interview_schedule(**booking)
    colleague = MembershipFactory(organization=org).user

    interview_schedule(**{**booking, "interviewer_ids": [colleague.pk]})

    assert Interview.objects.count() == 2


@pytest.mark.parametrize("stage", ["hired", "rejected", "withdrawn"])
def test_an_ended_application_is_not_schedulable(booking, application, stage):
    application.stage = stage
    application.save()

    with pytest.raises(InterviewNotSchedulable) as exc_info:
        interview_schedule(**booking)

    assert exc_info.value.code == "CONFLICT"
    assert not Interview.objects.exists()


def test_reschedule_moves_the_interview_ignoring_its_own_slot(booking, recruiter):
    interview = interview_schedule(**booking)

    interview_reschedule(
        actor=recruiter, interview=interview, starts_at=_tomorrow(10) + timedelta(minutes=30), ends_at=_tomorrow(12)
    )

    interview.refresh_from_db()
    assert (interview.starts_at, interview.ends_at) == (_tomorrow(10) + timedelta(minutes=30), _tomorrow(12))


def test_reschedule_into_another_interview_is_refused(booking, open_job, recruiter):
    interview_schedule(**booking)
    later = interview_schedule(
        **{
            **booking,
            "application": ApplicationFactory(job=open_job),
            "starts_at": _tomorrow(14),
            "ends_at": _tomorrow(15),
        }
    )

    with pytest.raises(InterviewerBusy):
        interview_reschedule(actor=recruiter, interview=later, starts_at=_tomorrow(10), ends_at=_tomorrow(11))

    later.refresh_from_db()
    assert later.starts_at == _tomorrow(14)


def test_reschedule_into_the_past_is_invalid(booking, recruiter):
    interview = interview_schedule(**booking)
    start = timezone.now() - timedelta(hours=3)

    with pytest.raises(InvalidInterview):
        interview_reschedule(actor=recruiter, interview=interview, starts_at=start, ends_at=start + timedelta(hours=1))

    interview.refresh_from_db()
    assert interview.starts_at == _tomorrow(10)


def test_reschedule_for_an_ended_application_is_refused(booking, application, recruiter):
    interview = interview_schedule(**booking)
    application.stage = "rejected"
    application.save()

    with pytest.raises(InterviewNotSchedulable):
        interview_reschedule(actor=recruiter, interview=interview, starts_at=_tomorrow(14), ends_at=_tomorrow(15))

    interview.refresh_from_db()
    assert interview.starts_at == _tomorrow(10)


def test_reschedule_by_an_outsider_is_forbidden(booking, other_recruiter):
    interview = interview_schedule(**booking)

    with pytest.raises(Forbidden):
        interview_reschedule(actor=other_recruiter, interview=interview, starts_at=_tomorrow(14), ends_at=_tomorrow(15))

    interview.refresh_from_db()
    assert interview.starts_at == _tomorrow(10)


def test_cancel_then_cancel_again_is_illegal(booking, recruiter):
    interview = interview_schedule(**booking)
    interview_cancel(actor=recruiter, interview=interview, reason="  Candidate ill ")

    with pytest.raises(IllegalInterviewTransition) as exc_info:
        interview_cancel(actor=recruiter, interview=interview, reason="again")

    interview.refresh_from_db()
    assert exc_info.value.code == "CONFLICT"
    assert (interview.status, interview.cancel_reason) == ("cancelled", "Candidate ill")


def test_a_cancelled_interview_cannot_be_rescheduled(booking, recruiter):
    interview = interview_schedule(**booking)
    interview_cancel(actor=recruiter, interview=interview)

    with pytest.raises(IllegalInterviewTransition):
        interview_reschedule(actor=recruiter, interview=interview, starts_at=_tomorrow(14), ends_at=_tomorrow(15))


def test_an_outsider_may_not_cancel(booking, other_recruiter):
    interview = interview_schedule(**booking)

    with pytest.raises(Forbidden):
        interview_cancel(actor=other_recruiter, interview=interview)

    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_outcome_before_the_start_is_a_conflict(booking, recruiter):
    interview = interview_schedule(**booking)

    with pytest.raises(IllegalInterviewTransition):
        interview_record_outcome(actor=recruiter, interview=interview, status="completed")

    interview.refresh_from_db()
    assert interview.status == "scheduled"


@pytest.mark.parametrize("status", ["completed", "no_show"])
def test_outcome_after_the_start_is_recorded(booking, recruiter, status):
    interview = _started(interview_schedule(**booking))

    interview_record_outcome(actor=recruiter, interview=interview, status=status)

    interview.refresh_from_db()
    assert interview.status == status


@pytest.mark.parametrize("status", ["scheduled", "cancelled", "done"])
def test_an_unknown_outcome_is_invalid(booking, recruiter, status):
    interview = _started(interview_schedule(**booking))

    with pytest.raises(InvalidInterview):
        interview_record_outcome(actor=recruiter, interview=interview, status=status)

    interview.refresh_from_db()
    assert interview.status == "scheduled"


@pytest.fixture
def sat_interview(application, recruiter):
    """An interview that started two hours ago, with the recruiter on the panel."""
    return _started(InterviewFactory(application=application, interviewers=[recruiter]))


def test_an_interviewer_submits_feedback_after_the_start(sat_interview, recruiter):
    feedback = feedback_submit(
        actor=recruiter, interview=sat_interview, rating=4, recommendation="yes", notes="  Strong  "
    )

    feedback.refresh_from_db()
    assert (feedback.interviewer, feedback.rating, feedback.recommendation, feedback.notes) == (
        recruiter,
        4,
        "yes",
        "Strong",
    )


def test_feedback_before_the_start_is_a_conflict(application, recruiter):
    interview = InterviewFactory(application=application, interviewers=[recruiter])

    with pytest.raises(IllegalInterviewTransition):
        feedback_submit(actor=recruiter, interview=interview, rating=4, recommendation="yes")

    assert not Feedback.objects.exists()


@pytest.mark.parametrize("outsider", ["org_admin", "staff", "candidate"])
def test_only_interviewers_submit_feedback(sat_interview, org_admin, staff, candidate, outsider):
    actor = {"org_admin": org_admin, "staff": staff, "candidate": candidate.user}[outsider]

    with pytest.raises(Forbidden):
        feedback_submit(actor=actor, interview=sat_interview, rating=4, recommendation="yes")

    assert not Feedback.objects.exists()


def test_a_second_scorecard_is_refused(sat_interview, recruiter):
    feedback_submit(actor=recruiter, interview=sat_interview, rating=4, recommendation="yes")

    with pytest.raises(FeedbackAlreadySubmitted) as exc_info:
        feedback_submit(actor=recruiter, interview=sat_interview, rating=1, recommendation="strong_no")

    assert exc_info.value.code == "CONFLICT"
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_feedback_on_a_cancelled_or_missed_interview_is_a_conflict(sat_interview, recruiter, status):
    Interview.objects.filter(pk=sat_interview.pk).update(status=status)

    with pytest.raises(IllegalInterviewTransition):
        feedback_submit(actor=recruiter, interview=sat_interview, rating=4, recommendation="yes")

    assert not Feedback.objects.exists()


def test_feedback_on_a_completed_interview_is_accepted(sat_interview, recruiter):
    interview_record_outcome(actor=recruiter, interview=sat_interview, status="completed")

    feedback_submit(actor=recruiter, interview=sat_interview, rating=5, recommendation="strong_yes")

    assert Feedback.objects.count() == 1
