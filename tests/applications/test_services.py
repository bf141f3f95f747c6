import pytest

from applications.choices import STAGE_TRANSITIONS, ApplicationStage
from applications.errors import DuplicateApplication, IllegalStageMove, JobNotOpen
from applications.models import Application, StageChange
from applications.services import application_move, application_submit, application_withdraw
from hotgigs.errors import Forbidden
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.models import Notification
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, OrganizationFactory
from tests.factories.applications import rejection_reason_id

# The pipeline's legal moves, written out here rather than read from STAGE_TRANSITIONS, so a
# change to the code's table fails these tests until this one is changed on purpose too.
# Row: from; column: to. 1 = legal. One step forward, or out (rejected / withdrawn) from any
# active stage; hired, rejected and withdrawn are final.
STAGES = ["applied", "screening", "interview", "offer", "hired", "rejected", "withdrawn"]
# fmt: off
MOVE_TABLE = {
    #             applied screening interview offer hired rejected withdrawn
    "applied":   (0,      1,        0,        0,    0,    1,       1),
    "screening": (0,      0,        1,        0,    0,    1,       1),
    "interview": (0,      0,        0,        1,    0,    1,       1),
    "offer":     (0,      0,        0,        0,    1,    1,       1),
    "hired":     (0,      0,        0,        0,    0,    0,       0),
    "rejected":  (0,      0,        0,        0,    0,    0,       0),
    "withdrawn": (0,      0,        0,        0,    0,    0,       0),
}
# fmt: on
LEGAL_MOVES = [(src, dst) for src in STAGES for dst, legal in zip(STAGES, MOVE_TABLE[src], strict=True) if legal]
ILLEGAL_MOVES = [(src, dst) for src in STAGES for dst, legal in zip(STAGES, MOVE_TABLE[src], strict=True) if not legal]
# What a refused move lists as allowed, in this order.
ALLOWED = {src: [dst for dst in STAGES if (src, dst) in LEGAL_MOVES] for src in STAGES}


def _counts() -> tuple[int, int]:
    return Application.objects.count(), StageChange.objects.count()


def test_a_candidate_applies_to_an_open_job(open_job, candidate):
    application = application_submit(
        actor=candidate.user, job=open_job, candidate=candidate, source="linkedin", cover_letter="  Hello  "
    )

    application.refresh_from_db()
    assert (application.stage, application.source, application.cover_letter) == ("applied", "linkedin", "Hello")
    assert application.created_by == candidate.user
    assert list(application.stage_changes.values_list("from_stage", "to_stage", "actor")) == [
        ("", "applied", candidate.user.pk)
    ]


@pytest.mark.parametrize("status", ["draft", "closed", "archived"])
def test_applying_to_a_job_that_is_not_open_fails(org, candidate, status):
    job = JobFactory(organization=org, status=status)
    before = _counts()

    with pytest.raises(JobNotOpen) as exc_info:
        application_submit(actor=candidate.user, job=job, candidate=candidate)

    assert exc_info.value.code == "CONFLICT"
    assert _counts() == before


def test_applying_to_an_open_job_of_a_deactivated_organization_fails(candidate):
    job = JobFactory(organization=OrganizationFactory(is_active=False), status="open")

    with pytest.raises(JobNotOpen):
        application_submit(actor=candidate.user, job=job, candidate=candidate)

    assert not Application.objects.exists()


def test_a_second_application_to_the_same_job_is_a_duplicate(open_job, candidate):
    application_submit(actor=candidate.user, job=open_job, candidate=candidate)
    before = _counts()

    with pytest.raises(DuplicateApplication) as exc_info:
        application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert exc_info.value.code == "CONFLICT"
    assert _counts() == before


def test_a_recruiter_adds_a_candidate_they_can_see(open_job, recruiter):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    application = application_submit(actor=recruiter, job=open_job, candidate=sourced, source="sourced")

    assert application.created_by == recruiter
    assert application.stage_changes.get().actor == recruiter


def test_a_recruiter_may_not_add_a_candidate_they_cannot_see(open_job, recruiter, candidate):
    with pytest.raises(Forbidden):
        application_submit(actor=recruiter, job=open_job, candidate=candidate)

    assert not Application.objects.exists()


def test_a_recruiter_of_another_organization_may_not_add_candidates(open_job, other_recruiter):
    discoverable = CandidateFactory(discoverable=True)

    with pytest.raises(Forbidden):
        application_submit(actor=other_recruiter, job=open_job, candidate=discoverable)

    assert not Application.objects.exists()


def test_a_candidate_may_not_apply_for_another_candidate(open_job, candidate, other_candidate):
    with pytest.raises(Forbidden):
        application_submit(actor=candidate.user, job=open_job, candidate=other_candidate)

    assert not Application.objects.exists()


def test_the_pipeline_has_exactly_the_stages_of_the_table():
    assert list(ApplicationStage.values) == STAGES


def test_the_codes_move_table_is_the_expected_one():
    assert {src: sorted(targets) for src, targets in STAGE_TRANSITIONS.items()} == {
        src: sorted(ALLOWED[src]) for src in STAGES
    }
    assert len(LEGAL_MOVES) == 12
    assert len(LEGAL_MOVES) + len(ILLEGAL_MOVES) == len(STAGES) ** 2


@pytest.mark.parametrize(("from_stage", "to_stage"), ILLEGAL_MOVES)
def test_every_illegal_move_is_refused_and_changes_nothing(open_job, recruiter, from_stage, to_stage):
    application = ApplicationFactory(job=open_job, stage=from_stage)
    before = _counts()

    with pytest.raises(IllegalStageMove) as exc_info:
        application_move(actor=recruiter, application=application, to_stage=to_stage)

    application.refresh_from_db()
    assert exc_info.value.code == "CONFLICT"
    assert exc_info.value.details["allowed"] == ALLOWED[from_stage]
    assert application.stage == from_stage
    assert _counts() == before
    assert not Notification.objects.exists()


@pytest.mark.parametrize(("from_stage", "to_stage"), LEGAL_MOVES)
def test_every_legal_move_appends_history(open_job, recruiter, from_stage, to_stage):
    application = ApplicationFactory(job=open_job, stage=from_stage)

    why = rejection_reason_id(open_job.organization_id) if to_stage == "rejected" else None
    application_move(
        actor=recruiter, application=application, to_stage=to_stage, reason="  Because.  ", rejection_reason_id=why
    )

    application.refresh_from_db()
    last = application.stage_changes.order_by("-id").first()
    assert application.stage == to_stage
    assert application.stage_changed_at == last.changed_at
    assert (last.from_stage, last.to_stage, last.actor, last.reason) == (from_stage, to_stage, recruiter, "Because.")
    assert application.stage_changes.count() == 2


def test_a_move_notifies_the_candidate(open_job, recruiter, candidate, django_capture_on_commit_callbacks):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    with django_capture_on_commit_callbacks(execute=True):
        application_move(actor=recruiter, application=application, to_stage="screening")

    notification = Notification.objects.get()
    assert notification.user == candidate.user
    assert notification.kind == "application.stage_changed"
    assert notification.payload["application_id"] == application.pk
    assert (notification.payload["from_stage"], notification.payload["to_stage"]) == ("applied", "screening")


def _status_events() -> list[tuple[str, list[str]]]:
    return list(OutboxEvent.objects.filter(channel="application_status").values_list("type", "groups"))


def test_a_move_is_published_to_the_organization_the_application_and_the_candidate(open_job, recruiter, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    application_move(actor=recruiter, application=application, to_stage="screening")

    assert _status_events() == [
        (
            "application.stage_changed",
            sorted(
                [
                    f"application_status.org.{open_job.organization_id}",
                    f"application_status.application.{application.pk}",
                    f"application_status.user.{candidate.user_id}",
                ]
            ),
        )
    ]


@pytest.mark.parametrize(
    ("to_stage", "event_type"),
    [
        ("screening", "application.stage_changed"),
        ("rejected", "application.stage_changed"),
        ("withdrawn", "application.withdrawn"),
    ],
)
def test_a_recruiters_move_names_its_event(open_job, recruiter, to_stage, event_type):
    application = ApplicationFactory(job=open_job)
    why = rejection_reason_id(open_job.organization_id) if to_stage == "rejected" else None

    application_move(actor=recruiter, application=application, to_stage=to_stage, rejection_reason_id=why)

    assert [event_type for event_type, _ in _status_events()] == [event_type]


def test_the_candidates_withdrawal_is_a_withdrawn_event(open_job, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="offer")

    application_withdraw(actor=candidate.user, application=application)

    assert [event_type for event_type, _ in _status_events()] == ["application.withdrawn"]


def test_a_move_of_a_sourced_candidate_notifies_nobody(open_job, recruiter):
    application = ApplicationFactory(job=open_job, candidate=CandidateFactory(user=None, created_by=recruiter))

    application_move(actor=recruiter, application=application, to_stage="screening")

    assert not Notification.objects.exists()


@pytest.mark.parametrize("to_stage", ["", "promoted", "APPLIED", None])
def test_a_stage_outside_the_pipeline_is_no_legal_move(open_job, recruiter, to_stage):
    # Shapes are the API input's (tests/api/test_applications.py); the service's rule is the
    # pipeline, which names no such stage.
    application = ApplicationFactory(job=open_job)
    before = _counts()

    with pytest.raises(IllegalStageMove) as exc_info:
        application_move(actor=recruiter, application=application, to_stage=to_stage)

    application.refresh_from_db()
    assert exc_info.value.details == {"stage": "applied", "allowed": ["screening", "rejected", "withdrawn"]}
    assert application.stage == "applied"
    assert _counts() == before


def test_a_recruiter_of_another_organization_may_not_move(open_job, other_recruiter):
    application = ApplicationFactory(job=open_job)
    before = _counts()

    with pytest.raises(Forbidden):
        application_move(actor=other_recruiter, application=application, to_stage="screening")

    application.refresh_from_db()
    assert application.stage == "applied"
    assert _counts() == before


def test_a_candidate_may_not_move_their_own_application(open_job, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    with pytest.raises(Forbidden):
        application_move(actor=candidate.user, application=application, to_stage="screening")

    application.refresh_from_db()
    assert application.stage == "applied"


def test_staff_may_move_any_application(open_job, staff):
    application = ApplicationFactory(job=open_job)

    application_move(
        actor=staff,
        application=application,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(open_job.organization_id),
    )

    application.refresh_from_db()
    assert application.stage == "rejected"


def test_the_candidate_withdraws_their_application(open_job, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="interview")

    application_withdraw(actor=candidate.user, application=application, reason="Took another offer")

    application.refresh_from_db()
    last = application.stage_changes.order_by("-id").first()
    assert application.stage == "withdrawn"
    assert (last.from_stage, last.to_stage, last.actor) == ("interview", "withdrawn", candidate.user)
    assert not Notification.objects.exists()


def test_another_candidate_may_not_withdraw(open_job, candidate, other_candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    with pytest.raises(Forbidden):
        application_withdraw(actor=other_candidate.user, application=application)

    application.refresh_from_db()
    assert application.stage == "applied"


def test_a_recruiter_may_not_withdraw_for_the_candidate(open_job, recruiter, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    with pytest.raises(Forbidden):
        application_withdraw(actor=recruiter, application=application)

    application.refresh_from_db()
    assert application.stage == "applied"


@pytest.mark.parametrize("stage", ["hired", "rejected", "withdrawn"])
def test_withdrawing_after_the_end_is_illegal(open_job, candidate, stage):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage=stage)
    before = _counts()

    with pytest.raises(IllegalStageMove) as exc_info:
        application_withdraw(actor=candidate.user, application=application)

    application.refresh_from_db()
    assert exc_info.value.details["allowed"] == []
    assert application.stage == stage
    assert _counts() == before


def test_the_default_source_follows_who_submits(recruiter, open_job, candidate):
    from applications.services import application_submit
    from tests.factories import CandidateFactory, JobFactory

    own = application_submit(actor=candidate.user, job=open_job, candidate=candidate)
    sourced_candidate = CandidateFactory(user=None, discoverable=True)
    added = application_submit(
        actor=recruiter, job=JobFactory(organization=open_job.organization), candidate=sourced_candidate
    )

    assert own.source == "career_site"
    assert added.source == "sourced"
