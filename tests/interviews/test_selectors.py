import pytest
from django.contrib.auth.models import AnonymousUser

from interviews.errors import InterviewNotFound
from interviews.selectors import feedback_list, interview_get, interview_list
from tests.factories import ApplicationFactory, FeedbackFactory, InterviewFactory


@pytest.fixture
def interview(open_job, candidate, recruiter):
    interview = InterviewFactory(
        application=ApplicationFactory(job=open_job, candidate=candidate), interviewers=[recruiter]
    )
    FeedbackFactory(interview=interview, interviewer=recruiter)
    return interview


@pytest.fixture
def other_interview(other_open_job, other_candidate, other_recruiter):
    return InterviewFactory(
        application=ApplicationFactory(job=other_open_job, candidate=other_candidate), interviewers=[other_recruiter]
    )


def test_a_candidate_sees_own_interviews_only(interview, other_interview, candidate, other_candidate):
    assert list(interview_list(actor=candidate.user)) == [interview]
    assert list(interview_list(actor=other_candidate.user)) == [other_interview]


def test_a_candidate_never_sees_feedback(interview, candidate):
    assert not feedback_list(actor=candidate.user, interview=interview).exists()


def test_the_hiring_team_sees_feedback(interview, org_admin, staff):
    assert feedback_list(actor=org_admin, interview=interview).count() == 1
    assert feedback_list(actor=staff, interview=interview).count() == 1


def test_another_organization_sees_neither_interviews_nor_feedback(interview, other_interview, other_recruiter):
    assert list(interview_list(actor=other_recruiter)) == [other_interview]
    assert not feedback_list(actor=other_recruiter, interview=interview).exists()


def test_staff_sees_every_interview(interview, other_interview, staff):
    assert set(interview_list(actor=staff)) == {interview, other_interview}


def test_anonymous_sees_no_interview(interview):
    assert not interview_list(actor=AnonymousUser()).exists()


def test_interview_get_hides_other_organizations_interviews(interview, other_recruiter):
    with pytest.raises(InterviewNotFound) as exc_info:
        interview_get(actor=other_recruiter, interview_id=interview.pk)

    assert exc_info.value.code == "NOT_FOUND"


def test_interview_get_returns_a_visible_interview(interview, recruiter):
    assert interview_get(actor=recruiter, interview_id=interview.pk) == interview
