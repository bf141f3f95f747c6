"""Voluntary self-identification: the candidate states, reads and withdraws their own answers
(``/api/v1/candidates/me/self-identification``); nobody else reads them (API, back office,
matching input, the database's row-level security), and the only way out is counts per group."""

from dataclasses import asdict

import pytest
from django.db import connection
from django.db.models import Count

from applications.matching import candidate_profile
from applications.models import Application
from candidates.models import SelfIdentification
from candidates.selectors import self_identification_get, self_identification_tally
from candidates.services.self_identification import self_identification_set, self_identification_withdraw
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.errors import Forbidden
from tests.conftest import require_service
from tests.factories import ApplicationFactory, CandidateFactory, UserFactory

URL = "/api/v1/candidates/me/self-identification"
ANSWERS = {
    "gender": "non_binary",
    "race_ethnicity": "pacific_islander",
    "veteran_status": "protected_veteran",
    "disability_status": "yes",
}
# Values that appear nowhere else in a candidate's representation.
TELLTALES = ("non_binary", "pacific_islander", "protected_veteran", "race_ethnicity", "self_identification")

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(candidate):  # type: ignore[no-untyped-def]
    self_identification_set(actor=candidate.user, candidate=candidate, **ANSWERS)
    return candidate


def test_the_candidate_states_reads_and_withdraws_their_answers(login, candidate):
    client = login(candidate.user)

    assert client.get(URL).json()["provided"] is False
    stated = client.put(URL, ANSWERS, format="json")
    assert stated.status_code == 200, stated.json()
    assert {key: stated.json()[key] for key in ANSWERS} == ANSWERS
    assert client.get(URL).json()["provided"] is True
    changed = client.put(URL, {**ANSWERS, "gender": "declined"}, format="json").json()
    assert changed["gender"] == "declined"
    assert SelfIdentification.objects.filter(candidate=candidate).count() == 1

    assert client.delete(URL).status_code == 204
    after = client.get(URL).json()
    assert after["provided"] is False
    assert after["gender"] is None
    assert not SelfIdentification.objects.filter(candidate=candidate).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ANSWERS, "gender": "robot"}, "gender"),
        ({**ANSWERS, "race_ethnicity": ""}, "race_ethnicity"),
        ({k: v for k, v in ANSWERS.items() if k != "veteran_status"}, "veteran_status"),
        ({**ANSWERS, "disability_status": 1}, "disability_status"),
        ({**ANSWERS, "religion": "none"}, "religion"),
    ],
)
def test_a_bad_answer_is_refused_in_the_envelope_and_changes_nothing(login, answered, body, field):
    response = login(answered.user).put(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    row = SelfIdentification.objects.get(candidate=answered)
    assert row.gender == "non_binary"


def test_someone_without_a_profile_gets_not_found(login, recruiter):
    client = login(recruiter)

    assert client.get(URL).json()["code"] == "NOT_FOUND"
    assert client.put(URL, ANSWERS, format="json").json()["code"] == "NOT_FOUND"


def test_nobody_but_the_candidate_may_read_or_write_them(answered, recruiter, staff, org):
    for actor in (recruiter, staff):
        with pytest.raises(Forbidden):
            self_identification_get(actor=actor, candidate=answered)
        with pytest.raises(Forbidden):
            self_identification_set(actor=actor, candidate=answered, **ANSWERS)
        with pytest.raises(Forbidden):
            self_identification_withdraw(actor=actor, candidate=answered)
    assert SelfIdentification.objects.filter(candidate=answered).exists()


def test_recruiters_and_staff_never_see_them_through_the_api(login, answered, open_job, recruiter, staff):
    ApplicationFactory(job=open_job, candidate=answered)

    for actor in (recruiter, staff):
        client = login(actor)
        for url in (
            f"/api/v1/candidates/{answered.pk}",
            "/api/v1/candidates",
            f"/api/v1/applications?job={open_job.pk}",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert answered.full_name in text or str(answered.pk) in text
            for telltale in TELLTALES:
                assert telltale not in text, (actor, url, telltale)
    own = login(answered.user).get("/api/v1/candidates/me").content.decode()
    for telltale in TELLTALES:
        assert telltale not in own


def test_the_back_office_candidate_page_shows_none_of_them(client, answered, open_job, recruiter, staff):
    ApplicationFactory(job=open_job, candidate=answered)

    for actor in (recruiter, staff):
        client.force_login(actor)
        response = client.get(f"/admin/candidates/candidate/{answered.pk}/change/")
        assert response.status_code == 200
        text = response.content.decode()
        assert answered.full_name in text
        for telltale in (*TELLTALES, "Self-identification", "Pacific Islander"):
            assert telltale not in text, (actor, telltale)
    # No admin page of the table either.
    assert client.get("/admin/candidates/selfidentification/").status_code == 404


def test_the_matching_input_holds_none_of_them(answered):
    profile = candidate_profile(answered)

    text = repr(asdict(profile)) if hasattr(profile, "__dataclass_fields__") else repr(vars(profile))
    for telltale in (*TELLTALES, "veteran", "disability", "gender"):
        assert telltale not in text


def test_the_database_shows_the_rows_to_the_person_alone(answered, other_candidate, recruiter, staff, open_job):
    require_service("PostgreSQL (row-level security)", connection.vendor == "postgresql")
    ApplicationFactory(job=open_job, candidate=answered)
    self_identification_set(actor=other_candidate.user, candidate=other_candidate, **ANSWERS)

    def visible(user):  # type: ignore[no-untyped-def]
        with tenancy.acting_as(policies.database_identity(user)), connection.cursor() as cursor:
            cursor.execute("SELECT candidate_id FROM candidates_selfidentification")
            return {row[0] for row in cursor.fetchall()}

    assert visible(answered.user) == {answered.pk}
    assert visible(recruiter) == set()
    assert visible(staff) == set()
    assert visible(UserFactory()) == set()
    with tenancy.acting_as(None):
        assert not SelfIdentification.objects.exists()


def test_the_tally_answers_counts_per_group_only(answered, other_candidate, open_job):
    self_identification_set(
        actor=other_candidate.user,
        candidate=other_candidate,
        **{**ANSWERS, "gender": "declined"},
    )
    silent = CandidateFactory()
    for person in (answered, other_candidate, silent):
        ApplicationFactory(job=open_job, candidate=person)

    with tenancy.acting_as(None):
        tally = self_identification_tally(
            rows=Application.objects.filter(job=open_job), dimension="gender", counts={"n": Count("pk")}
        )

    assert tally == {"non_binary": {"n": 1}, "declined": {"n": 1}, "not_provided": {"n": 1}}
