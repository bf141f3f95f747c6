"""``ApplicationSerializer`` writes its output out by hand (applications/api/serializers.py), and
its declared fields are the contract the schema publishes: both must give the same answer for
every kind of row, viewer and time zone."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from applications.api.serializers import ApplicationSerializer
from applications.models import Application
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def context_of(user: Any) -> dict[str, Any]:
    raw = APIRequestFactory().get("/api/v1/applications")
    force_authenticate(raw, user=user)
    request = Request(raw)
    request.user = user
    return {"request": request}


def both(application: Application, user: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the hand-written answer, the declared fields' answer) for ``user``."""
    serializer = ApplicationSerializer(application, context=context_of(user))
    declared = serializers.Serializer.to_representation(serializer, application)
    return serializer.data, dict(declared)


@pytest.mark.parametrize(
    ("stage", "source", "score", "cover_letter"),
    [
        ("applied", "career_site", None, ""),
        ("screening", "sourced", Decimal("87.5"), "Dear team,\n  I would like to apply. "),
        ("interview", "referral", Decimal("0"), "ünïcode ✓"),
        ("offer", "career_site", Decimal("100.00"), ""),
        ("hired", "sourced", Decimal("12.34"), ""),
        ("rejected", "career_site", Decimal("99.99"), ""),
        ("withdrawn", "career_site", None, ""),
    ],
)
@pytest.mark.parametrize("viewer", ["recruiter", "candidate", "staff", "other_recruiter"])
def test_the_written_out_answer_is_the_declared_fields_answer(
    request, open_job, candidate, stage, source, score, cover_letter, viewer
):
    application = ApplicationFactory(
        job=open_job, candidate=candidate, stage=stage, source=source, match_score=score, cover_letter=cover_letter
    )
    application.refresh_from_db()  # as read back: a Decimal with its two places, aware datetimes
    user = request.getfixturevalue(viewer)
    user = getattr(user, "user", user)

    written, declared = both(application, user)

    assert written == declared
    assert list(written) == list(declared), "the same keys in the same order"


def test_a_fresh_row_as_the_submission_holds_it_answers_the_same(open_job, candidate, recruiter):
    """The submission answers with the instance it created (an enum stage, no read back)."""
    application = Application.objects.create(
        job=open_job,
        candidate=candidate,
        source="sourced",
        stage="applied",
        stage_changed_at=timezone.now(),
        created_by=recruiter,
    )

    written, declared = both(application, recruiter)

    assert written == declared
    assert written["allowed_moves"], "the hiring team sees its next stages"
    application.match_score = Decimal("87.5")  # as a worker may hold it: one place, not two
    written, declared = both(application, recruiter)
    assert written["match_score"] == declared["match_score"] == "87.50"


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_times_are_rendered_in_the_current_time_zone_as_declared(open_job, candidate, recruiter, zone):
    application = ApplicationFactory(job=open_job, candidate=candidate)
    with timezone.override(zone):
        written, declared = both(application, recruiter)

    assert written["created_at"] == declared["created_at"]
    assert written["stage_changed_at"] == declared["stage_changed_at"]


def test_a_list_uses_the_written_out_answer_for_each_row(open_job, candidate, other_candidate, recruiter):
    rows = [ApplicationFactory(job=open_job, candidate=person) for person in (candidate, other_candidate)]
    listed = ApplicationSerializer(rows, many=True, context=context_of(recruiter)).data

    expected = [both(row, recruiter)[1] for row in rows]
    assert [dict(row) for row in listed] == expected
