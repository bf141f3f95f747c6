"""The back office's interview plans and scorecards: the plan editor on the job, the round
picked when scheduling, the scorecard form in "My interviews", the application page's summary,
and colleagues' feedback hidden from a panel interviewer until they submit their own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import Feedback, FeedbackRating, Interview, InterviewRound, RoundAttribute
from interviews.services import AttributeRating, AttributeSpec, RoundSpec, feedback_submit, interview_plan_set
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, MembershipFactory, UserFactory
from tests.workspace.pages import application_url, history_of, messages_of
from tests.workspace.test_application_page import schedule_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, user=UserFactory(full_name="Sam Lee")).user


@pytest.fixture
def technical(open_job, recruiter):  # type: ignore[no-untyped-def]
    spec = RoundSpec("Technical", attributes=[AttributeSpec("System design", "Scale"), AttributeSpec("Communication")])
    return interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen", spec])[1]


@pytest.fixture
def application(open_job):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=CandidateFactory(full_name="Layla Yilmaz"), stage="interview")


@pytest.fixture
def sat(application, technical, recruiter, colleague):  # type: ignore[no-untyped-def]
    starts = timezone.now() - timedelta(hours=1)
    return InterviewFactory(
        application=application,
        round=technical,
        interviewers=[recruiter, colleague],
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
    )


def plan_url(job):  # type: ignore[no-untyped-def]
    return reverse("admin:workspace_interview_plan", args=[job.pk])


def plan_post(rows):  # type: ignore[no-untyped-def]
    """The plan form's body: ``rows`` of dicts (id, name, order, remove, attributes)."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "remove" and not value:
                continue
            data[f"form-{index}-{key}"] = "on" if value is True else str(value)
    return data


def _plan(job):  # type: ignore[no-untyped-def]
    return [
        (r.name, [a.name for a in RoundAttribute.objects.filter(round=r).order_by("position")])
        for r in InterviewRound.objects.filter(job=job).order_by("position")
    ]


def _ratings(technical, score=3):  # type: ignore[no-untyped-def]
    return [AttributeRating(a.pk, score) for a in RoundAttribute.objects.filter(round=technical).order_by("position")]


# --- the plan editor ----------------------------------------------------------------------------


def test_the_job_page_links_the_plan_which_shows_rounds_attributes_and_interviews(
    client, recruiter, open_job, technical, sat
):
    client.force_login(recruiter)

    job_page = client.get(reverse("admin:jobs_job_change", args=[open_job.pk]))
    page = client.get(plan_url(open_job))

    assert plan_url(open_job) in job_page.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "System design: Scale" in html
    assert "Its 1 interview will keep no round." in html


def test_another_organizations_plan_is_not_found(client, other_recruiter, open_job):
    client.force_login(other_recruiter)

    assert client.get(plan_url(open_job)).status_code == 404
    assert client.post(plan_url(open_job), plan_post([{"name": "Mine", "order": 1}])).status_code == 404
    assert not InterviewRound.objects.filter(job=open_job).exists()


def test_the_editor_renames_reorders_adds_and_removes(client, recruiter, open_job, technical, sat):
    phone = InterviewRound.objects.get(job=open_job, name="Phone screen")
    client.force_login(recruiter)
    rows = [
        {"id": phone.pk, "name": "Phone screen", "order": 3, "remove": True},
        {"id": technical.pk, "name": "Coding", "order": 2, "attributes": "System design: Scale\nTesting"},
        {"name": "Culture", "order": 1, "attributes": "Values"},
        {"name": "", "order": 4, "attributes": "ignored: a row without a name adds nothing"},
    ]

    response = client.post(plan_url(open_job), plan_post(rows))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _plan(open_job) == [("Culture", ["Values"]), ("Coding", ["System design", "Testing"])]
    sat.refresh_from_db()
    assert sat.round_id == technical.pk
    assert history_of(open_job)[-1] == "Interview plan: Culture → Coding."


def test_a_bad_plan_shows_the_problem_and_changes_nothing(client, recruiter, open_job, technical):
    client.force_login(recruiter)
    before = _plan(open_job)
    rows = [
        {"id": technical.pk, "name": "Technical", "order": 1, "attributes": "Design\ndesign"},
        {"name": "technical", "order": 2},
    ]

    response = client.post(plan_url(open_job), plan_post(rows))

    assert response.status_code == 400
    assert any(m.startswith("The plan was not saved") for m in messages_of(response))
    assert "Each round needs its own name." in response.content.decode()
    assert _plan(open_job) == before


# --- scheduling a round and showing it ----------------------------------------------------------


def test_scheduling_picks_a_round_and_the_page_shows_it(client, recruiter, application, technical, colleague):
    client.force_login(recruiter)

    page = client.get(application_url(application))
    response = client.post(
        application_url(application, "interview_schedule"), schedule_data([colleague], round=str(technical.pk))
    )

    assert [label for _, label in page.context["schedule_form"].fields["round"].choices] == [
        "— no round —",
        "Phone screen",
        "Technical",
    ]
    assert response.status_code == 302
    interview = Interview.objects.get(application=application)
    assert interview.round_id == technical.pk
    assert history_of(application)[-1].startswith("Scheduled a technical: video interview")
    shown = client.get(application_url(application)).content.decode()
    assert '<td class="ws-round">Technical</td>' in shown


def test_another_jobs_round_is_refused_and_nothing_is_booked(
    client, recruiter, application, colleague, other_open_job, other_recruiter
):
    theirs = interview_plan_set(actor=other_recruiter, job=other_open_job, rounds=["Theirs"])[0]
    client.force_login(recruiter)

    response = client.post(
        application_url(application, "interview_schedule"), schedule_data([colleague], round=str(theirs.pk))
    )

    assert response.status_code == 400
    assert not Interview.objects.filter(application=application).exists()


# --- the scorecard form in "My interviews" ------------------------------------------------------


def test_my_interviews_asks_for_each_attribute_and_saves_the_scorecard(client, recruiter, sat, technical):
    design, communication = RoundAttribute.objects.filter(round=technical).order_by("position")
    client.force_login(recruiter)
    page = client.get("/admin/my-interviews/").content.decode()
    assert "System design" in page
    assert "Technical" in page
    url = reverse("admin:workspace_feedback", args=[sat.pk])
    prefix = f"f{sat.pk}"
    incomplete = {f"{prefix}-rating": "4", f"{prefix}-recommendation": "yes", f"{prefix}-score_{design.pk}": "3"}

    refused = client.post(url, incomplete)

    assert refused.status_code == 400
    assert "Rate Communication from 1 to 4." in refused.content.decode()
    assert not Feedback.objects.exists()

    complete = {**incomplete, f"{prefix}-score_{communication.pk}": "4", f"{prefix}-note_{communication.pk}": "Clear"}
    saved = client.post(url, complete)

    assert saved.status_code == 302
    ratings = FeedbackRating.objects.order_by("position").values_list("attribute_name", "score", "note")
    assert list(ratings) == [("System design", 3, ""), ("Communication", 4, "Clear")]
    assert history_of(sat)[-1] == "Feedback submitted: 4/5, Yes, System design 3/4, Communication 4/4."


def test_a_score_out_of_range_is_refused(client, recruiter, sat, technical):
    design, communication = RoundAttribute.objects.filter(round=technical).order_by("position")
    client.force_login(recruiter)
    prefix = f"f{sat.pk}"
    data = {
        f"{prefix}-rating": "4",
        f"{prefix}-recommendation": "yes",
        f"{prefix}-score_{design.pk}": "5",
        f"{prefix}-score_{communication.pk}": "3",
    }

    response = client.post(reverse("admin:workspace_feedback", args=[sat.pk]), data)

    assert response.status_code == 400
    assert not Feedback.objects.exists()


# --- hidden until submitted, and the summary ----------------------------------------------------


def test_the_application_page_hides_colleagues_feedback_from_a_panel_interviewer(
    client, recruiter, colleague, org_admin, application, sat, technical
):
    feedback_submit(
        actor=colleague,
        interview=sat,
        rating=5,
        recommendation="strong_yes",
        notes="Secret",
        ratings=_ratings(technical),
    )
    client.force_login(recruiter)

    hidden = client.get(application_url(application)).content.decode()

    assert "Secret" not in hidden
    assert "feedback shows once you have submitted your own" in hidden

    client.force_login(org_admin)
    shown = client.get(application_url(application))
    assert "Secret" in shown.content.decode()
    assert shown.context["scorecard"].feedback_count == 1

    feedback_submit(actor=recruiter, interview=sat, rating=3, recommendation="no", ratings=_ratings(technical, 2))
    client.force_login(recruiter)
    after = client.get(application_url(application))
    assert "Secret" in after.content.decode()
    summary = after.context["scorecard"]
    assert [(a.name, a.mean) for a in summary.attributes] == [("System design", 2.5), ("Communication", 2.5)]
    assert dict(after.context["recommendation_tally"]) == {
        "Strong no": 0,
        "No": 1,
        "Mixed": 0,
        "Yes": 0,
        "Strong yes": 1,
    }


def test_the_interview_admin_page_hides_colleagues_feedback_from_a_panel_interviewer(
    client, recruiter, colleague, org_admin, sat, technical
):
    feedback_submit(
        actor=colleague, interview=sat, rating=5, recommendation="yes", notes="Secret", ratings=_ratings(technical)
    )
    url = reverse("admin:interviews_interview_change", args=[sat.pk])

    client.force_login(recruiter)
    hidden = client.get(url)
    client.force_login(org_admin)
    shown = client.get(url)

    assert hidden.status_code == shown.status_code == 200
    assert "Secret" not in hidden.content.decode()
    assert "Secret" in shown.content.decode()
