"""The person's own export holds their voluntary self-identification; erasure deletes it."""

import pytest

from candidates.models import SelfIdentification
from candidates.services.self_identification import self_identification_set

pytestmark = pytest.mark.django_db

ANSWERS = {"gender": "female", "race_ethnicity": "asian", "veteran_status": "not_veteran", "disability_status": "no"}
ERASE = {"confirm": "ERASE"}


@pytest.fixture
def answered(person):  # type: ignore[no-untyped-def]
    self_identification_set(actor=person.candidate.user, candidate=person.candidate, **ANSWERS)
    return person


def test_the_export_holds_the_persons_own_answers(login, answered):
    document = login(answered.candidate.user).get("/api/v1/candidates/me/export").json()

    assert {key: document["self_identification"][key] for key in ANSWERS} == ANSWERS


def test_the_export_says_null_when_none_were_given(login, person):
    document = login(person.candidate.user).get("/api/v1/candidates/me/export").json()

    assert document["self_identification"] is None


def test_erasure_deletes_the_answers_and_counts_them(login, staff, answered):
    response = login(staff).post(f"/api/v1/candidates/{answered.candidate.pk}/erase", ERASE, format="json")

    assert response.status_code in (200, 201), response.json()
    assert not SelfIdentification.objects.filter(candidate_id=answered.candidate.pk).exists()
    assert response.json()["counts"]["self_identification"] == 1
