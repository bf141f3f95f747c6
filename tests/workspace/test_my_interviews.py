"""The interviewer's view: only their own interviews, and the feedback form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import Feedback
from tests.factories import ApplicationFactory, CandidateFactory, FeedbackFactory, InterviewFactory, MembershipFactory
from tests.workspace.pages import history_of, messages_of

pytestmark = pytest.mark.django_db

MY_INTERVIEWS = "/admin/my-interviews/"


@pytest.fixture
def interviewer(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org).user


@pytest.fixture
def signed_in(client, interviewer):  # type: ignore[no-untyped-def]
    client.force_login(interviewer)
    return client


def interview(job, panel, *, days, name, status="scheduled"):  # type: ignore[no-untyped-def]
    application = ApplicationFactory.create(job=job, candidate=CandidateFactory.create(full_name=name))
    starts = timezone.now() + timedelta(days=days)
    return InterviewFactory.create(
        application=application,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        interviewers=panel,
        status=status,
    )


def feedback_url(row):  # type: ignore[no-untyped-def]
    return reverse("admin:workspace_feedback", args=[row.pk])


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(MY_INTERVIEWS)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_interviewer_sees_only_their_own_interviews(signed_in, interviewer, recruiter, open_job):
    ahead = interview(open_job, [interviewer], days=2, name="Ada Upcoming")
    past = interview(open_job, [interviewer, recruiter], days=-1, name="Ben Awaiting")
    done = interview(open_job, [interviewer], days=-2, name="Cleo Done")
    FeedbackFactory.create(interview=done, interviewer=interviewer)
    interview(open_job, [interviewer], days=-3, name="Dan Cancelled", status="cancelled")
    interview(open_job, [recruiter], days=1, name="Eve Colleagues")
    # A colleague's scorecard does not settle mine.
    FeedbackFactory.create(interview=past, interviewer=recruiter)

    response = signed_in.get(MY_INTERVIEWS)

    html = response.content.decode()
    assert response.status_code == 200
    assert [row["interview"] for row in response.context["upcoming"]] == [ahead]
    assert [row["interview"] for row in response.context["awaiting"]] == [past]
    for hidden in ("Cleo Done", "Dan Cancelled", "Eve Colleagues"):
        assert hidden not in html


def test_the_link_is_in_every_back_office_pages_user_links(signed_in):
    response = signed_in.get("/admin/")

    assert 'id="ws-my-interviews-link"' in response.content.decode()
    assert f'href="{MY_INTERVIEWS}"' in response.content.decode()


def test_submit_feedback(signed_in, interviewer, open_job):
    row = interview(open_job, [interviewer], days=-1, name="Ben Awaiting")

    response = signed_in.post(
        feedback_url(row),
        {f"f{row.pk}-rating": "4", f"f{row.pk}-recommendation": "yes", f"f{row.pk}-notes": "Clear thinker."},
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get(interview=row)
    assert (feedback.interviewer, feedback.rating, feedback.recommendation, feedback.notes) == (
        interviewer,
        4,
        "yes",
        "Clear thinker.",
    )
    assert history_of(row) == ["Feedback submitted: 4/5, Yes."]
    assert messages_of(response) == [f"Thank you: your feedback on Ben Awaiting — {open_job.title} is saved."]
    assert signed_in.get(MY_INTERVIEWS).context["awaiting"] == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": "7", "recommendation": "yes"}, "rating"),
        ({"rating": "", "recommendation": "yes"}, "rating"),
        ({"rating": "3", "recommendation": "maybe"}, "recommendation"),
        ({"rating": "3", "recommendation": "yes", "notes": "x" * 10_001}, "notes"),
    ],
)
def test_bad_feedback_shows_the_problem_and_saves_nothing(signed_in, interviewer, open_job, data, field):
    row = interview(open_job, [interviewer], days=-1, name="Ben Awaiting")

    response = signed_in.post(feedback_url(row), {f"f{row.pk}-{key}": value for key, value in data.items()})

    assert response.status_code == 400
    [awaiting] = response.context["awaiting"]
    assert field in awaiting["form"].errors
    assert messages_of(response) == ["The feedback was not saved: see the problems on the form."]
    assert not Feedback.objects.exists()
    assert history_of(row) == []


@pytest.mark.parametrize("case", ["future", "twice", "not_on_panel"])
def test_feedback_the_service_refuses_is_explained_and_saves_nothing(signed_in, interviewer, recruiter, open_job, case):
    panel = [recruiter] if case == "not_on_panel" else [interviewer]
    row = interview(open_job, panel, days=2 if case == "future" else -1, name="Ben Awaiting")
    if case == "twice":
        FeedbackFactory.create(interview=row, interviewer=interviewer, rating=2)
    before = Feedback.objects.count()

    response = signed_in.post(feedback_url(row), {f"f{row.pk}-rating": "5", f"f{row.pk}-recommendation": "strong_yes"})

    assert response.status_code == 302
    [message] = messages_of(response)
    expected = {
        "future": "Feedback opens when the interview starts",
        "twice": "You have already submitted feedback for this interview.",
        "not_on_panel": "Only the interview's interviewers may submit feedback.",
    }[case]
    assert message.startswith(f"The feedback was not saved: {expected}")
    assert Feedback.objects.count() == before
    assert history_of(row) == []


def test_another_organizations_interview_is_not_found(signed_in, other_open_job, other_recruiter):
    theirs = interview(other_open_job, [other_recruiter], days=-1, name="Zed Elsewhere")

    response = signed_in.post(
        feedback_url(theirs), {f"f{theirs.pk}-rating": "5", f"f{theirs.pk}-recommendation": "yes"}
    )

    assert response.status_code == 404
    assert not Feedback.objects.exists()
