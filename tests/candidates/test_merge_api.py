"""The merge API: POST /candidates/{id}/merge, GET /candidate-merges[/{id}], POST
/candidate-merges/{id}/undo — who may, bad input, and the round trip."""

import pytest
from rest_framework.test import APIClient

from applications.models import Application
from candidates.models import Candidate, CandidateMerge, CandidateSkill, Consent
from tests.factories import ApplicationFactory, CandidateFactory, CandidateSkillFactory, JobFactory

URL = "/api/v1/candidates"
MERGES = "/api/v1/candidate-merges"


@pytest.fixture
def pair(org, recruiter):  # type: ignore[no-untyped-def]
    survivor = CandidateFactory(user=None, created_by=recruiter, email="ada@example.test")
    duplicate = CandidateFactory(user=None, created_by=recruiter, email="ada.l@example.test")
    CandidateSkillFactory(candidate=duplicate, name="Rust")
    ApplicationFactory(candidate=duplicate, job=JobFactory(organization=org))
    return survivor, duplicate


def rows() -> tuple:  # type: ignore[type-arg]
    return (
        list(Candidate.objects.order_by("pk").values_list("pk", "merged_into_id")),
        list(CandidateSkill.objects.order_by("pk").values_list("pk", "candidate_id")),
        list(Application.objects.order_by("pk").values_list("pk", "candidate_id")),
        CandidateMerge.objects.count(),
    )


def merge(client, survivor, duplicate_id):  # type: ignore[no-untyped-def]
    return client.post(f"{URL}/{survivor.pk}/merge", {"duplicate": duplicate_id}, format="json")


def test_merge_and_undo_round_trip(login, pair, recruiter):
    survivor, duplicate = pair
    client = login(recruiter)
    before = rows()

    merged = merge(client, survivor, duplicate.pk)

    assert merged.status_code == 201
    body = merged.json()
    assert (body["survivor_id"], body["duplicate_id"], body["undone_at"]) == (survivor.pk, duplicate.pk, None)
    assert body["moved"] == {"skills": 1, "resumes": 0, "applications": 1}
    assert client.get(f"{URL}/{duplicate.pk}").status_code == 404
    assert [s["name"] for s in client.get(f"{URL}/{survivor.pk}").json()["skills"]] == ["Rust"]
    assert [m["id"] for m in client.get(MERGES).json()["results"]] == [body["id"]]

    undone = client.post(f"{MERGES}/{body['id']}/undo")

    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert rows()[:3] == before[:3]
    assert client.get(f"{URL}/{duplicate.pk}").status_code == 200
    again = client.post(f"{MERGES}/{body['id']}/undo")
    assert again.status_code == 409
    assert again.json()["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "duplicate"),
        ({"duplicate": "x"}, "duplicate"),
        ({"duplicate": 0}, "duplicate"),
        ({"duplicate": None}, "duplicate"),
        ({"duplicate": 2**40}, "duplicate"),
        ({"duplicate": 1, "force": True}, "force"),
    ],
)
def test_bad_input_is_a_validation_error_that_changes_nothing(login, pair, recruiter, payload, field):
    survivor, _ = pair
    before = rows()

    response = login(recruiter).post(f"{URL}/{survivor.pk}/merge", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert rows() == before


def test_merging_into_itself_or_across_organizations_is_refused(login, pair, recruiter, other_recruiter, staff):
    survivor, _ = pair
    theirs = CandidateFactory(user=None, created_by=other_recruiter)
    own = CandidateFactory()
    before = rows()

    responses = [
        merge(login(recruiter), survivor, survivor.pk),
        # Another organization's record answers exactly like one that does not exist.
        merge(login(recruiter), survivor, theirs.pk),
        merge(login(recruiter), survivor, 10**9),
        merge(login(staff), survivor, own.pk),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert responses[1].json() == responses[2].json()
    assert rows() == before


def test_access_matrix(login, pair, recruiter, org_admin, other_recruiter, candidate, staff):
    survivor, duplicate = pair
    before = rows()

    assert merge(APIClient(), survivor, duplicate.pk).status_code == 401
    assert merge(login(candidate.user), survivor, duplicate.pk).status_code == 404
    assert merge(login(other_recruiter), survivor, duplicate.pk).status_code == 404
    assert merge(login(recruiter, scope="candidates:read"), survivor, duplicate.pk).status_code == 403
    Candidate.objects.filter(pk__in=[survivor.pk, duplicate.pk]).update(discoverable=True)
    for profile in (survivor, duplicate):  # in the talent pool: discoverable with the consent
        Consent.objects.create(
            candidate=profile,
            purpose="talent_pool",
            text_version="2026-12",
            given_at=profile.created_at,
            given_source="admin",
        )
    # Seeing both (they are discoverable) is not enough: they are another organization's.
    assert merge(login(other_recruiter), survivor, duplicate.pk).status_code == 403
    assert rows() == before

    assert merge(login(org_admin), survivor, duplicate.pk).status_code == 201
    merge_id = CandidateMerge.objects.get().pk
    assert login(other_recruiter).get(f"{MERGES}/{merge_id}").status_code == 404
    assert login(other_recruiter).get(MERGES).json()["results"] == []
    assert login(other_recruiter).post(f"{MERGES}/{merge_id}/undo").status_code == 404
    assert login(candidate.user).post(f"{MERGES}/{merge_id}/undo").status_code == 404
    assert CandidateMerge.objects.get().undone_at is None
    assert login(staff).get(f"{MERGES}/{merge_id}").status_code == 200
    assert login(recruiter).post(f"{MERGES}/{merge_id}/undo").status_code == 200


def test_unknown_merge_is_not_found(login, recruiter):
    response = login(recruiter).post(f"{MERGES}/999999/undo")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_anonymous_cannot_list_merges():
    assert APIClient().get(MERGES).status_code == 401
