"""``POST /api/v1/applications/{id}/undo``: the access matrix and bad input."""

import pytest

from applications.models import Application, StageChange
from applications.services import application_move
from tests.factories import ApplicationFactory, MembershipFactory


@pytest.fixture
def moved(open_job, recruiter, candidate):  # type: ignore[no-untyped-def]
    application = ApplicationFactory(job=open_job, candidate=candidate)
    return application_move(actor=recruiter, application=application, to_stage="screening")


def _undo(client, application, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/applications/{application.pk}/undo", body, format="json")


def test_the_team_undoes_a_move(login, recruiter, moved):
    response = _undo(login(recruiter), moved, {"reason": "Clicked the wrong card"})

    assert response.status_code == 200
    assert response.json()["stage"] == "applied"
    history = login(recruiter).get(f"/api/v1/applications/{moved.pk}/history").json()
    assert [(row["to_stage"], row["kind"]) for row in history][-2:] == [("screening", "move"), ("applied", "undo")]


@pytest.mark.parametrize(("who", "status"), [("other_recruiter", 404), ("stranger", 404), ("candidate", 403)])
def test_others_may_not_undo(request, login, moved, who, status):
    if who == "stranger":
        user = MembershipFactory().user
    elif who == "candidate":
        user = request.getfixturevalue("candidate").user
    else:
        user = request.getfixturevalue(who)

    response = _undo(login(user), moved, {"reason": "Mine"})

    assert response.status_code == status
    assert Application.objects.get(pk=moved.pk).stage == "screening"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": 5}, {"reason": "x" * 2001}, {"reason": "ok", "x": 1}])
def test_bad_input_is_refused(login, recruiter, moved, body):
    before = StageChange.objects.count()

    response = _undo(login(recruiter), moved, body)

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["details"]
    assert StageChange.objects.count() == before
    assert Application.objects.get(pk=moved.pk).stage == "screening"


def test_nothing_to_undo_is_a_conflict(login, recruiter, moved):
    _undo(login(recruiter), moved, {"reason": "Once"})

    response = _undo(login(recruiter), moved, {"reason": "Twice"})

    assert response.status_code == 409
