"""Organization-private candidates: a sourced profile belongs to the organization it was sourced
for, its email is unique within that organization only, and nothing another organization
recorded is ever revealed (no 409 across organizations). Self-registered profiles are the
person's own and belong to no organization."""

import pytest
from django.db import IntegrityError, transaction

from candidates.errors import CandidateEmailTaken, InvalidCandidate
from candidates.models import Candidate
from candidates.selectors import candidate_list
from candidates.services.profiles import candidate_create, candidate_register, candidate_update
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory, UserFactory

SOURCED = {"full_name": "Ada Lovelace", "email": "Ada@Example.test", "headline": "Analyst"}


def test_a_sourced_profile_belongs_to_the_recruiters_organization(org, recruiter):
    candidate = candidate_create(actor=recruiter, for_self=False, **SOURCED)

    assert candidate.organization_id == org.pk
    assert candidate.user_id is None


def test_another_organization_records_the_same_person_separately(org, other_org, recruiter, other_recruiter):
    mine = candidate_create(actor=recruiter, for_self=False, **SOURCED)

    theirs = candidate_create(actor=other_recruiter, for_self=False, **{**SOURCED, "email": "ADA@example.TEST"})

    assert theirs.pk != mine.pk
    assert (theirs.organization_id, theirs.email) == (other_org.pk, "ada@example.test")
    assert list(candidate_list(actor=other_recruiter).filter(email="ada@example.test")) == [theirs]
    assert list(candidate_list(actor=recruiter).filter(email="ada@example.test")) == [mine]


def test_within_one_organization_a_duplicate_email_is_a_conflict(org, recruiter, org_admin):
    candidate_create(actor=recruiter, for_self=False, **SOURCED)
    before = Candidate.objects.count()

    with pytest.raises(CandidateEmailTaken):
        candidate_create(actor=org_admin, for_self=False, **{**SOURCED, "email": "ada@EXAMPLE.test"})

    assert Candidate.objects.count() == before


def test_a_self_registered_profile_does_not_block_sourcing_the_person(recruiter, candidate):
    sourced = candidate_create(actor=recruiter, for_self=False, **{**SOURCED, "email": candidate.email.upper()})

    assert sourced.pk != candidate.pk
    assert candidate.organization_id is None


def test_a_sourced_record_does_not_block_the_person_signing_up(recruiter):
    candidate_create(actor=recruiter, for_self=False, **SOURCED)

    own = candidate_register(email="ada@example.test", password="A-long-enough-passphrase-1", full_name="Ada")

    assert own is not None
    assert own.organization_id is None
    assert own.user is not None


def test_self_registered_profiles_keep_one_per_email(db):
    CandidateFactory(email="grace@example.test")

    with pytest.raises(IntegrityError), transaction.atomic():
        CandidateFactory(email="GRACE@example.test")


def test_the_database_keeps_emails_unique_per_organization(org, other_org):
    Candidate.objects.create(full_name="A", email="x@example.test", organization=org)
    Candidate.objects.create(full_name="A", email="x@example.test", organization=other_org)
    Candidate.objects.create(full_name="A", email="x@example.test")

    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.create(full_name="B", email="X@example.test", organization=org)


def test_a_profile_with_a_login_has_no_organization(org, candidate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.filter(pk=candidate.pk).update(organization=org)


def test_a_member_of_several_organizations_names_one(org, other_org, recruiter):
    MembershipFactory(organization=other_org, user=recruiter)

    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_create(actor=recruiter, for_self=False, **SOURCED)
    assert set(exc_info.value.details) == {"organization"}
    assert not Candidate.objects.exists()

    candidate = candidate_create(actor=recruiter, for_self=False, organization_id=other_org.pk, **SOURCED)
    assert candidate.organization_id == other_org.pk


def test_naming_an_organization_one_does_not_work_for_is_refused(other_org, recruiter):
    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_create(actor=recruiter, for_self=False, organization_id=other_org.pk, **SOURCED)

    assert set(exc_info.value.details) == {"organization"}
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("case", ["missing", "inactive"])
def test_staff_may_not_name_an_organization_that_is_missing_or_inactive(staff, org, case):
    if case == "inactive":
        org.is_active = False
        org.save()
    named = org.pk + 1000 if case == "missing" else org.pk

    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_create(actor=staff, for_self=False, organization_id=named, **SOURCED)

    assert set(exc_info.value.details) == {"organization"}
    assert not Candidate.objects.exists()


def test_staff_without_an_organization_add_a_profile_of_none(staff, org):
    assert candidate_create(actor=staff, for_self=False, **SOURCED).organization_id is None
    assert candidate_create(actor=staff, for_self=False, organization_id=org.pk, **SOURCED).organization_id == org.pk


def test_an_own_profile_names_no_organization(org, recruiter):
    with pytest.raises(InvalidCandidate):
        candidate_create(actor=recruiter, for_self=True, organization_id=org.pk, **SOURCED)

    assert not Candidate.objects.exists()


def test_an_edit_checks_the_email_within_the_profiles_organization(org, recruiter, other_recruiter):
    mine = candidate_create(actor=recruiter, for_self=False, **SOURCED)
    other = candidate_create(actor=recruiter, for_self=False, **{**SOURCED, "email": "other@example.test"})
    theirs = candidate_create(actor=other_recruiter, for_self=False, **{**SOURCED, "email": "theirs@example.test"})

    with pytest.raises(CandidateEmailTaken):
        candidate_update(actor=recruiter, candidate=other, email=mine.email)
    # Another organization's record of the address is not consulted.
    candidate_update(actor=recruiter, candidate=other, email=theirs.email)

    other.refresh_from_db()
    assert other.email == theirs.email


def test_visibility_follows_the_organization_not_the_creator(org, other_org, recruiter, other_recruiter):
    # The creator moves to another organization: the profile stays with the one it was sourced for.
    candidate = CandidateFactory(user=None, created_by=recruiter)
    recruiter.memberships.all().delete()
    MembershipFactory(organization=other_org, user=recruiter)
    colleague = MembershipFactory(organization=org).user

    assert candidate_list(actor=colleague).filter(pk=candidate.pk).exists()
    assert not candidate_list(actor=other_recruiter).filter(pk=candidate.pk).exists()


def test_a_self_registered_profile_is_shared_with_the_organization_it_applies_to(org, recruiter, other_recruiter):
    own = CandidateFactory()
    assert not candidate_list(actor=recruiter).filter(pk=own.pk).exists()

    ApplicationFactory(candidate=own, job=JobFactory(organization=org))

    assert candidate_list(actor=recruiter).filter(pk=own.pk).exists()
    assert not candidate_list(actor=other_recruiter).filter(pk=own.pk).exists()


# --- API ---------------------------------------------------------------------------------------

URL = "/api/v1/candidates"


def test_api_another_organization_gets_a_record_of_its_own_not_a_conflict(login, org, other_org, recruiter):
    mine = CandidateFactory(user=None, created_by=recruiter, email="ada@example.test")
    other_recruiter = MembershipFactory(organization=other_org).user

    response = login(other_recruiter).post(URL, {"full_name": "Ada", "email": "ADA@example.test"}, format="json")

    assert response.status_code == 201
    assert response.json()["organization_id"] == other_org.pk
    assert response.json()["id"] != mine.pk
    assert login(other_recruiter).get(f"{URL}/{mine.pk}").status_code == 404


def test_api_within_the_organization_a_duplicate_is_a_conflict(login, recruiter):
    CandidateFactory(user=None, created_by=recruiter, email="ada@example.test")

    response = login(recruiter).post(URL, {"full_name": "Ada", "email": "ada@example.test"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("organization", "field"),
    [("x", "organization"), (0, "organization"), (None, "organization")],
)
def test_api_a_bad_organization_is_a_validation_error(login, recruiter, organization, field):
    response = login(recruiter).post(
        URL, {"full_name": "Ada", "email": "ada@example.test", "organization": organization}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Candidate.objects.exists()


def test_api_a_member_of_several_organizations_names_one(login, org, other_org, recruiter):
    MembershipFactory(organization=other_org, user=recruiter)
    client = login(recruiter)

    refused = client.post(URL, {"full_name": "Ada", "email": "ada@example.test"}, format="json")
    foreign = client.post(
        URL, {"full_name": "Ada", "email": "ada@example.test", "organization": other_org.pk + 1000}, format="json"
    )
    accepted = client.post(
        URL, {"full_name": "Ada", "email": "ada@example.test", "organization": other_org.pk}, format="json"
    )

    assert refused.status_code == 400
    assert "organization" in refused.json()["details"]
    assert foreign.status_code == 400
    assert accepted.status_code == 201
    assert accepted.json()["organization_id"] == other_org.pk


def test_api_an_own_profile_takes_no_organization(login, org):
    user = UserFactory()

    response = login(user).post(f"{URL}/me", {"organization": org.pk}, format="json")

    assert response.status_code == 400
    assert "organization" in response.json()["details"]
    assert not Candidate.objects.filter(user=user).exists()


def test_api_the_organization_cannot_be_changed(login, org, other_org, recruiter):
    candidate = CandidateFactory(user=None, created_by=recruiter)

    response = login(recruiter).patch(f"{URL}/{candidate.pk}", {"organization": other_org.pk}, format="json")

    assert response.status_code == 400
    candidate.refresh_from_db()
    assert candidate.organization_id == org.pk
