"""Undoing a mistaken move: back to the previous stage, with a reason, kept in the history."""

import pytest

from applications.errors import NothingToUndo
from applications.models import StageChange
from applications.services import application_move, application_undo_move, application_withdraw
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events.models import OutboxEvent
from tests.factories import ApplicationFactory
from tests.factories.applications import rejection_reason_id


def _state(application):  # type: ignore[no-untyped-def]
    application.refresh_from_db()
    return application.stage, StageChange.objects.count(), OutboxEvent.objects.count()


@pytest.fixture
def rejected(open_job, recruiter):  # type: ignore[no-untyped-def]
    application = ApplicationFactory(job=open_job, stage="screening")
    return application_move(
        actor=recruiter,
        application=application,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(open_job.organization_id),
    )


def test_undo_moves_back_and_records_the_correction(rejected, recruiter):
    undone = application_undo_move(actor=recruiter, application=rejected, reason="  Wrong candidate  ")

    assert undone.stage == "screening"
    rows = list(StageChange.objects.filter(application=rejected).order_by("id").values_list("to_stage", "kind"))
    assert rows[-2:] == [("rejected", "move"), ("screening", "undo")]
    last = StageChange.objects.filter(application=rejected).latest("id")
    assert (last.from_stage, last.reason, last.actor) == ("rejected", "Wrong candidate", recruiter)
    event = OutboxEvent.objects.latest("id")
    assert event.type == "application.move_undone"
    assert event.data["stage"] == "screening"
    assert event.context["from_stage"] == "rejected"
    assert event.context["undone_stage_change_id"] == last.pk - 1


def test_after_an_undo_the_pipeline_goes_on(rejected, recruiter):
    application_undo_move(actor=recruiter, application=rejected, reason="Oops")

    moved = application_move(actor=recruiter, application=rejected, to_stage="interview")

    assert moved.stage == "interview"


@pytest.mark.parametrize("reason", ["", "   "])
def test_undo_requires_a_reason(rejected, recruiter, reason):
    before = _state(rejected)

    with pytest.raises(ValidationFailed) as exc_info:
        application_undo_move(actor=recruiter, application=rejected, reason=reason)

    assert "reason" in exc_info.value.details
    assert _state(rejected) == before


def test_an_undo_is_not_undone_again(rejected, recruiter):
    application_undo_move(actor=recruiter, application=rejected, reason="Oops")
    before = _state(rejected)

    with pytest.raises(NothingToUndo):
        application_undo_move(actor=recruiter, application=rejected, reason="Again")

    assert _state(rejected) == before


def test_a_fresh_application_has_nothing_to_undo(open_job, recruiter):
    application = ApplicationFactory(job=open_job)
    StageChange.objects.create(
        application=application, from_stage="", to_stage="applied", changed_at=application.stage_changed_at
    )
    before = _state(application)

    with pytest.raises(NothingToUndo) as exc_info:
        application_undo_move(actor=recruiter, application=application, reason="Nothing")

    assert exc_info.value.code == "CONFLICT"
    assert _state(application) == before


def test_the_candidates_own_withdrawal_is_not_undone_by_the_team(open_job, recruiter, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    application_withdraw(actor=candidate.user, application=application)
    before = _state(application)

    with pytest.raises(NothingToUndo):
        application_undo_move(actor=recruiter, application=application, reason="Please come back")

    assert _state(application) == before


def test_only_the_hiring_team_undoes(rejected, other_recruiter, candidate):
    before = _state(rejected)

    for actor in (other_recruiter, candidate.user):
        with pytest.raises(Forbidden):
            application_undo_move(actor=actor, application=rejected, reason="Mine")

    assert _state(rejected) == before
