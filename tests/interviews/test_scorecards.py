"""Scorecards through the services: the plan's rounds and attributes, rated feedback, and the
rule that a panel interviewer reads colleagues' feedback only after submitting their own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events.models import OutboxEvent
from hotgigs.webhooks.models import WebhookDelivery
from interviews.errors import InvalidFeedback
from interviews.models import Feedback, FeedbackRating, Interview, InterviewRound, RoundAttribute
from interviews.selectors import (
    application_feedback_list,
    feedback_list,
    feedback_of_applications,
    feedback_withheld_application_ids,
    scorecard_summary,
)
from interviews.services import AttributeRating, AttributeSpec, RoundSpec, feedback_submit, interview_plan_set
from tests.factories import ApplicationFactory, InterviewFactory, JobFactory, MembershipFactory
from tests.factories.webhooks import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

TECHNICAL = RoundSpec(
    name="Technical",
    attributes=[AttributeSpec("System design", "Designs for scale"), AttributeSpec("Communication")],
)


def _attributes(job, round_name="Technical"):  # type: ignore[no-untyped-def]
    return list(RoundAttribute.objects.filter(round__job=job, round__name=round_name).order_by("position"))


def _plan(job):  # type: ignore[no-untyped-def]
    return [
        (r.name, [(a.name, a.description) for a in RoundAttribute.objects.filter(round=r).order_by("position")])
        for r in InterviewRound.objects.filter(job=job).order_by("position")
    ]


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org).user


@pytest.fixture
def technical(open_job, recruiter):  # type: ignore[no-untyped-def]
    return interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen", TECHNICAL])[1]


@pytest.fixture
def application(open_job, candidate):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=candidate, stage="interview")


@pytest.fixture
def sat(application, technical, recruiter, colleague):  # type: ignore[no-untyped-def]
    """A technical-round interview that started an hour ago, with recruiter and colleague on it."""
    starts = timezone.now() - timedelta(hours=1)
    return InterviewFactory(
        application=application,
        round=technical,
        interviewers=[recruiter, colleague],
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
    )


def _scores(job, design=3, communication=4):  # type: ignore[no-untyped-def]
    design_attr, communication_attr = _attributes(job)
    return [AttributeRating(design_attr.pk, design, "deep"), AttributeRating(communication_attr.pk, communication)]


# --- the plan -----------------------------------------------------------------------------------


def test_a_plan_sets_rounds_with_their_scorecards(open_job, technical):
    assert _plan(open_job) == [
        ("Phone screen", []),
        ("Technical", [("System design", "Designs for scale"), ("Communication", "")]),
    ]


def test_renaming_a_round_by_id_keeps_its_interviews_and_a_bare_name_keeps_its_scorecard(
    open_job, recruiter, technical, sat
):
    phone = InterviewRound.objects.get(job=open_job, name="Phone screen")

    interview_plan_set(
        actor=recruiter,
        job=open_job,
        rounds=[RoundSpec(name="Phone screen", id=technical.pk), RoundSpec(name="Technical", id=phone.pk)],
    )

    # The two rounds swapped names; the interview stays with its row, the scorecard too.
    sat.refresh_from_db()
    assert sat.round_id == technical.pk
    assert InterviewRound.objects.get(pk=technical.pk).name == "Phone screen"
    assert [a.name for a in RoundAttribute.objects.filter(round=technical).order_by("position")] == [
        "System design",
        "Communication",
    ]


def test_attributes_replace_the_scorecard_and_a_dropped_one_keeps_its_ratings_by_name(
    open_job, recruiter, technical, sat
):
    feedback_submit(actor=recruiter, interview=sat, rating=4, recommendation="yes", ratings=_scores(open_job))

    interview_plan_set(
        actor=recruiter,
        job=open_job,
        rounds=[RoundSpec(name="Technical", attributes=[AttributeSpec("Coding"), AttributeSpec("Communication")])],
    )

    assert _plan(open_job) == [("Technical", [("Coding", ""), ("Communication", "")])]
    kept = FeedbackRating.objects.get(attribute_name="System design")
    assert kept.attribute_id is None
    assert kept.score == 3


def test_removing_a_round_leaves_its_interviews_without_one(open_job, recruiter, technical, sat):
    interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen"])

    sat.refresh_from_db()
    assert sat.round_id is None
    assert not RoundAttribute.objects.filter(round__job=open_job).exists()


@pytest.mark.parametrize(
    "rounds",
    [
        [RoundSpec("Technical", attributes=[AttributeSpec("Design"), AttributeSpec("design ")])],
        [RoundSpec("Technical", attributes=[AttributeSpec(" ")])],
        [RoundSpec("Technical", attributes=[AttributeSpec("x" * 81)])],
        [RoundSpec("Technical", attributes=[AttributeSpec("Design", "d" * 301)])],
        [RoundSpec("Technical", attributes=[AttributeSpec(f"A{n}") for n in range(13)])],
        [RoundSpec("Technical", id=10**9)],
        [RoundSpec("Onsite", id=-1), "Technical"],
    ],
    ids=["repeated", "blank", "long-name", "long-description", "too-many", "foreign-id", "unknown-id"],
)
def test_a_bad_scorecard_changes_nothing(open_job, recruiter, technical, rounds):
    before = _plan(open_job)

    with pytest.raises(ValidationFailed) as raised:
        interview_plan_set(actor=recruiter, job=open_job, rounds=rounds)

    assert raised.value.details["rounds"]
    assert _plan(open_job) == before


def test_another_jobs_round_id_is_refused(open_job, org, recruiter, technical):
    other_job_round = interview_plan_set(actor=recruiter, job=JobFactory(organization=org), rounds=["Elsewhere"])[0]

    with pytest.raises(ValidationFailed):
        interview_plan_set(actor=recruiter, job=open_job, rounds=[RoundSpec("Mine", id=other_job_round.pk)])

    assert InterviewRound.objects.get(pk=other_job_round.pk).name == "Elsewhere"


def test_only_the_hiring_team_sets_a_plan(open_job, other_recruiter, technical):
    with pytest.raises(Forbidden):
        interview_plan_set(actor=other_recruiter, job=open_job, rounds=[TECHNICAL])


# --- rated feedback -----------------------------------------------------------------------------


def test_feedback_rates_every_attribute_and_the_event_carries_the_scorecard(open_job, recruiter, sat):
    feedback = feedback_submit(
        actor=recruiter, interview=sat, rating=4, recommendation="yes", notes="Good", ratings=_scores(open_job)
    )

    rows = list(feedback.ratings.order_by("position").values_list("attribute_name", "score", "note"))
    assert rows == [("System design", 3, "deep"), ("Communication", 4, "")]
    event = OutboxEvent.objects.get(type="feedback.submitted")
    design, communication = _attributes(open_job)
    assert event.data == {
        "interview_id": sat.pk,
        "application_id": sat.application_id,
        "feedback_id": feedback.pk,
        "interviewer_id": recruiter.pk,
        "round_id": sat.round_id,
        "rating": 4,
        "recommendation": "yes",
        "scorecard": [
            {"attribute_id": design.pk, "attribute": "System design", "score": 3},
            {"attribute_id": communication.pk, "attribute": "Communication", "score": 4},
        ],
    }


def test_an_interview_without_a_scorecard_takes_feedback_without_ratings(application, recruiter):
    starts = timezone.now() - timedelta(hours=1)
    plain = InterviewFactory(application=application, interviewers=[recruiter], starts_at=starts,
                             ends_at=starts + timedelta(minutes=30))  # fmt: skip

    feedback = feedback_submit(actor=recruiter, interview=plain, rating=3, recommendation="no")

    assert not feedback.ratings.exists()
    assert OutboxEvent.objects.get(type="feedback.submitted").data["scorecard"] == []


def _bad(job, case):  # type: ignore[no-untyped-def]
    design, communication = _attributes(job)
    return {
        "missing": ([AttributeRating(design.pk, 3)], {"missing": [communication.pk]}),
        "none": ([], {"missing": sorted([design.pk, communication.pk])}),
        "unknown": (
            [AttributeRating(design.pk, 3), AttributeRating(communication.pk, 3), AttributeRating(10**9, 2)],
            {"unknown": [10**9]},
        ),
        "repeated": (
            [AttributeRating(design.pk, 3), AttributeRating(design.pk, 2), AttributeRating(communication.pk, 3)],
            {"repeated": [design.pk]},
        ),
        "zero": ([AttributeRating(design.pk, 0), AttributeRating(communication.pk, 3)], {"out_of_range": [design.pk]}),
        "five": (
            [AttributeRating(design.pk, 3), AttributeRating(communication.pk, 5)],
            {"out_of_range": [communication.pk]},
        ),
    }[case]


@pytest.mark.parametrize("case", ["missing", "none", "unknown", "repeated", "zero", "five"])
def test_a_bad_scorecard_saves_nothing(open_job, recruiter, sat, case):
    ratings, details = _bad(open_job, case)

    with pytest.raises(InvalidFeedback) as raised:
        feedback_submit(actor=recruiter, interview=sat, rating=4, recommendation="yes", ratings=ratings)

    assert raised.value.code == "VALIDATION_ERROR"
    assert raised.value.details == {"ratings": details}
    assert not Feedback.objects.exists()
    assert not FeedbackRating.objects.exists()
    assert not OutboxEvent.objects.filter(type="feedback.submitted").exists()


# --- hidden until submitted ---------------------------------------------------------------------


def test_a_panel_interviewer_reads_colleagues_feedback_only_after_submitting(
    open_job, application, recruiter, colleague, sat
):
    feedback_submit(actor=colleague, interview=sat, rating=5, recommendation="strong_yes", ratings=_scores(open_job))

    assert feedback_withheld_application_ids(actor=recruiter, application_ids=[application.pk]) == {application.pk}
    assert not feedback_list(actor=recruiter, interview=sat).exists()
    assert not application_feedback_list(actor=recruiter, application=application).exists()
    assert not feedback_of_applications(actor=recruiter, application_ids=[application.pk]).exists()

    feedback_submit(actor=recruiter, interview=sat, rating=3, recommendation="no", ratings=_scores(open_job, 2, 2))

    assert feedback_withheld_application_ids(actor=recruiter, application_ids=[application.pk]) == set()
    assert feedback_list(actor=recruiter, interview=sat).count() == 2
    assert feedback_of_applications(actor=recruiter, application_ids=[application.pk]).count() == 2


def test_the_own_feedback_on_one_interview_opens_the_whole_application(
    open_job, application, recruiter, colleague, sat
):
    # A second round, later: recruiter sits on both, colleague only on the first.
    later = InterviewFactory(application=application, interviewers=[recruiter])
    feedback_submit(actor=colleague, interview=sat, rating=5, recommendation="yes", ratings=_scores(open_job))
    assert not feedback_list(actor=recruiter, interview=sat).exists()

    feedback_submit(actor=recruiter, interview=sat, rating=4, recommendation="yes", ratings=_scores(open_job))

    assert feedback_withheld_application_ids(actor=recruiter, application_ids=[application.pk, later.pk]) == set()


def test_recruiters_off_the_panel_and_staff_read_everything(open_job, application, org_admin, staff, colleague, sat):
    feedback_submit(actor=colleague, interview=sat, rating=5, recommendation="yes", ratings=_scores(open_job))

    assert feedback_list(actor=org_admin, interview=sat).count() == 1
    assert feedback_list(actor=staff, interview=sat).count() == 1


def test_a_cancelled_interview_puts_nobody_on_the_panel(open_job, application, org_admin, colleague, sat):
    cancelled = InterviewFactory(application=application, interviewers=[org_admin], status="cancelled")
    feedback_submit(actor=colleague, interview=sat, rating=5, recommendation="yes", ratings=_scores(open_job))

    assert feedback_list(actor=org_admin, interview=sat).count() == 1
    assert cancelled.status == "cancelled"


def test_the_withheld_rule_is_per_application(open_job, candidate, recruiter, colleague, sat):
    # recruiter is on sat's panel, not on this other application's.
    other = ApplicationFactory(job=open_job, stage="interview")
    starts = timezone.now() - timedelta(hours=1)
    elsewhere = InterviewFactory(application=other, interviewers=[colleague], starts_at=starts,
                                 ends_at=starts + timedelta(minutes=30))  # fmt: skip
    feedback_submit(actor=colleague, interview=elsewhere, rating=2, recommendation="no")

    assert feedback_list(actor=recruiter, interview=elsewhere).count() == 1


# --- the summary --------------------------------------------------------------------------------


def test_the_summary_gives_each_interviewers_score_the_mean_and_the_tally(
    open_job, application, org_admin, recruiter, colleague, sat
):
    feedback_submit(actor=recruiter, interview=sat, rating=4, recommendation="yes", ratings=_scores(open_job, 2, 4))
    feedback_submit(
        actor=colleague, interview=sat, rating=5, recommendation="strong_yes", ratings=_scores(open_job, 3, 3)
    )
    rows = list(application_feedback_list(actor=org_admin, application=application))

    summary = scorecard_summary(actor=org_admin, application=application, feedback=rows)

    assert summary.feedback_count == 2
    assert summary.withheld is False
    assert summary.rating_mean == 4.5
    assert summary.recommendations == {"strong_no": 0, "no": 0, "mixed": 0, "yes": 1, "strong_yes": 1}
    assert [(a.round_name, a.name, a.mean) for a in summary.attributes] == [
        ("Technical", "System design", 2.5),
        ("Technical", "Communication", 3.5),
    ]
    assert [(s["interviewer"].pk, s["score"]) for s in summary.attributes[0].scores] == [
        (recruiter.pk, 2),
        (colleague.pk, 3),
    ]


def test_the_summary_of_a_withheld_application_holds_nothing_of_the_others(
    open_job, application, recruiter, colleague, sat
):
    feedback_submit(actor=colleague, interview=sat, rating=5, recommendation="yes", ratings=_scores(open_job))
    rows = list(application_feedback_list(actor=recruiter, application=application))

    summary = scorecard_summary(actor=recruiter, application=application, feedback=rows)

    assert summary.withheld is True
    assert summary.feedback_count == 0
    assert summary.attributes == []
    assert Interview.objects.get(pk=sat.pk).feedback.count() == 1


def test_webhooks_get_the_scorecard_and_clients_do_not(
    open_job, org, recruiter, sat, django_capture_on_commit_callbacks
):
    # A panel interviewer following the organization's channel must not read the scores
    # before giving theirs; the organization's webhook receivers get them.
    endpoint = WebhookEndpointFactory(organization=org, event_types=["feedback.submitted"])

    with django_capture_on_commit_callbacks(execute=True):
        feedback_submit(actor=recruiter, interview=sat, rating=4, recommendation="yes", ratings=_scores(open_job))

    event = OutboxEvent.objects.get(type="feedback.submitted")
    assert set(event.as_message()["data"]) == {
        "interview_id",
        "application_id",
        "feedback_id",
        "interviewer_id",
        "round_id",
    }
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert [item["score"] for item in delivery.event_data["scorecard"]] == [3, 4]
    assert delivery.event_data["recommendation"] == "yes"
