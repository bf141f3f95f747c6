"""``POST /api/v1/applications/bulk``: each item on its own, idempotent, constant work per item."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, StageChange
from hotgigs.events.models import OutboxEvent
from tests.factories import ApplicationFactory
from tests.factories.applications import rejection_reason_id

URL = "/api/v1/applications/bulk"


def _stages(*applications):  # type: ignore[no-untyped-def]
    return [Application.objects.get(pk=a.pk).stage for a in applications]


def test_a_bulk_reject_lists_what_succeeded_and_what_failed(login, recruiter, open_job, other_open_job):
    applied = ApplicationFactory(job=open_job)
    hired = ApplicationFactory(job=open_job, stage="hired")
    theirs = ApplicationFactory(job=other_open_job)
    why = rejection_reason_id(open_job.organization_id, "position_filled")

    response = login(recruiter).post(
        URL,
        {"action": "reject", "application_ids": [applied.pk, hired.pk, theirs.pk], "rejection_reason_id": why},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["succeeded"] == [applied.pk]
    assert [(item["id"], item["code"]) for item in body["failed"]] == [(hired.pk, "CONFLICT"), (theirs.pk, "NOT_FOUND")]
    assert all(item["message"] for item in body["failed"])
    assert _stages(applied, hired, theirs) == ["rejected", "hired", "applied"]
    assert StageChange.objects.get(application=applied, to_stage="rejected").rejection_reason_id == why
    assert OutboxEvent.objects.filter(type="application.stage_changed").count() == 1


def test_a_bulk_move(login, recruiter, open_job):
    first, second = ApplicationFactory(job=open_job), ApplicationFactory(job=open_job, stage="screening")

    body = (
        login(recruiter)
        .post(URL, {"action": "move", "application_ids": [first.pk, second.pk], "stage": "screening"}, format="json")
        .json()
    )

    assert body["succeeded"] == [first.pk]
    assert body["failed"][0]["id"] == second.pk
    assert _stages(first, second) == ["screening", "screening"]


def test_a_rejection_reason_of_another_organization_fails_every_item(login, recruiter, open_job, other_org):
    application = ApplicationFactory(job=open_job)

    body = (
        login(recruiter)
        .post(
            URL,
            {
                "action": "reject",
                "application_ids": [application.pk],
                "rejection_reason_id": rejection_reason_id(other_org.pk),
            },
            format="json",
        )
        .json()
    )

    assert body["succeeded"] == []
    assert body["failed"][0]["code"] == "VALIDATION_ERROR"
    assert _stages(application) == ["applied"]


def test_a_candidate_may_not_act_in_bulk(login, candidate, open_job):
    own = ApplicationFactory(job=open_job, candidate=candidate)

    response = login(candidate.user).post(
        URL, {"action": "move", "application_ids": [own.pk], "stage": "screening"}, format="json"
    )

    assert response.status_code == 403
    assert _stages(own) == ["applied"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"application_ids": [1], "stage": "screening"}, "action"),
        ({"action": "note", "application_ids": [1]}, "action"),
        ({"action": "move", "application_ids": []}, "application_ids"),
        ({"action": "move", "application_ids": list(range(1, 202)), "stage": "screening"}, "application_ids"),
        ({"action": "move", "application_ids": ["x"], "stage": "screening"}, "application_ids"),
        ({"action": "move", "application_ids": [1]}, "stage"),
        ({"action": "reject", "application_ids": [1]}, "rejection_reason_id"),
        ({"action": "reject", "application_ids": [1], "rejection_reason_id": 1, "stage": "offer"}, "stage"),
        ({"action": "move", "application_ids": [1], "stage": "screening", "extra": True}, "extra"),
    ],
)
def test_bad_input_is_refused_whole(login, recruiter, open_job, body, field):
    application = ApplicationFactory(job=open_job)
    body = {**body, "application_ids": [application.pk if i == 1 else i for i in body.get("application_ids", [])]}

    response = login(recruiter).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert _stages(application) == ["applied"]


def test_a_replay_with_the_same_key_writes_nothing_twice(login, recruiter, open_job):
    applications = [ApplicationFactory(job=open_job) for _ in range(2)]
    body = {"action": "move", "application_ids": [a.pk for a in applications], "stage": "screening"}
    client = login(recruiter)

    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    changes = StageChange.objects.count()
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert StageChange.objects.count() == changes
    other = client.post(URL, {**body, "stage": "rejected"}, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert other.status_code == 409


def test_the_work_per_item_is_constant(login, recruiter, open_job):
    client = login(recruiter)
    why = rejection_reason_id(open_job.organization_id)

    def run(count: int) -> int:
        ids = [ApplicationFactory.create(job=open_job).pk for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            body = client.post(
                URL, {"action": "reject", "application_ids": ids, "rejection_reason_id": why}, format="json"
            ).json()
        assert len(body["succeeded"]) == count
        return len(queries)

    small, large = run(2), run(12)

    per_item = (large - small) / 10
    # a savepoint and its release, the row lock, the reason, the update, the history row, the
    # outbox row and its ordering lock: twelve statements per application (measured), whatever the count
    assert per_item <= 12
    assert small - 2 * per_item <= 25
