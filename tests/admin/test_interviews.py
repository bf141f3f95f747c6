"""Interviews in the back office: read-only pages with feedback, cancelled by an action."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interviews.models import Interview
from tests.admin.helpers import action_data, add_url, change_url, changelist_url, listed_pks, messages_of
from tests.factories import ApplicationFactory, FeedbackFactory, InterviewFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(open_job):  # type: ignore[no-untyped-def]
    return ApplicationFactory.create(job=open_job)


def test_cancel_action_cancels_scheduled_and_reports_the_rest(recruiter_client, recruiter, application):
    scheduled = InterviewFactory.create(application=application, interviewers=[recruiter])
    done = InterviewFactory.create(application=application, interviewers=[recruiter], status="completed")

    response = recruiter_client.post(changelist_url(Interview), action_data("cancel_selected", scheduled, done))

    scheduled.refresh_from_db()
    done.refresh_from_db()
    assert (scheduled.status, done.status) == ("cancelled", "completed")
    success, failure = messages_of(response)
    assert success == "1 interview cancelled."
    assert failure.startswith("1 interview could not be changed: ")


def test_change_page_shows_feedback_read_only(recruiter_client, recruiter, application):
    interview = InterviewFactory.create(application=application, interviewers=[recruiter])
    FeedbackFactory.create(interview=interview, interviewer=recruiter, notes="Clear thinker.")

    page = recruiter_client.get(change_url(interview))
    post = recruiter_client.post(change_url(interview), {"status": "completed"})

    assert page.status_code == 200
    assert page.context["title"] == "View interview"
    assert "Clear thinker." in page.content.decode()
    assert post.status_code == 403
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_recruiter_cannot_add_interviews_here(recruiter_client):
    response = recruiter_client.get(add_url(Interview))

    assert response.status_code == 403


def _changelist_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(Interview))
    assert response.status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_rows(recruiter_client, org, open_job, django_assert_max_num_queries):
    panel = [MembershipFactory.create(organization=org).user for _ in range(2)]

    def add_interviews(count: int) -> None:
        for _ in range(count):
            InterviewFactory.create(application=ApplicationFactory.create(job=open_job), interviewers=panel)

    add_interviews(2)
    few = _changelist_queries(recruiter_client)
    add_interviews(6)

    with django_assert_max_num_queries(few):
        response = recruiter_client.get(changelist_url(Interview))

    assert len(listed_pks(response)) == 8
