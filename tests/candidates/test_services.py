"""Candidate profile services: who may write, one profile per login, a unique email, consent,
skills normalized and never listed twice. Shapes are the input's (tests/candidates/test_input.py,
tests/api/test_candidates.py, tests/admin/test_candidates.py)."""

import pytest

from candidates.errors import CandidateAlreadyLinked, CandidateEmailTaken, InvalidCandidate
from candidates.models import Candidate, CandidateSkill
from candidates.services.profiles import candidate_create, candidate_update
from hotgigs.errors import Forbidden
from tests.factories import ApplicationFactory, CandidateFactory, CandidateSkillFactory, UserFactory

VALID = {
    "full_name": "Ada Lovelace",
    "email": "Ada@Example.test",
    "phone": "+44 (0) 20-1234.5678",
    "headline": "Analyst",
    "years_experience": 7,
    "location": "London",
    "open_to_remote": True,
    "discoverable": True,
    "consent": True,
    "skills": [{"name": "Python"}, {"name": "Machine  Learning", "level": "expert", "years": 3}],
}


def _counts() -> tuple[int, int]:
    return Candidate.objects.count(), CandidateSkill.objects.count()


def test_candidate_create_for_self_links_the_user(db):
    user = UserFactory()

    candidate = candidate_create(actor=user, **VALID)

    candidate.refresh_from_db()
    assert candidate.user == user
    assert candidate.created_by == user
    assert candidate.email == "ada@example.test"
    assert candidate.consent_at is not None
    assert candidate.discoverable
    assert sorted(candidate.skills.values_list("name", "normalized_name", "level", "years", "source")) == [
        ("Machine Learning", "machine learning", "expert", 3, "profile"),
        ("Python", "python", "intermediate", None, "profile"),
    ]


def test_candidate_create_without_consent_leaves_consent_at_empty(db):
    candidate = candidate_create(actor=UserFactory(), **{**VALID, "consent": False})

    assert candidate.consent_at is None


def test_a_recruiter_sources_a_candidate_without_a_login(recruiter):
    candidate = candidate_create(actor=recruiter, **VALID, for_self=False)

    assert candidate.user is None
    assert candidate.created_by == recruiter


def test_a_plain_user_may_not_source_a_candidate(candidate):
    before = _counts()

    with pytest.raises(Forbidden) as exc_info:
        candidate_create(actor=candidate.user, **VALID, for_self=False)

    assert exc_info.value.code == "FORBIDDEN"
    assert _counts() == before


def test_a_user_has_at_most_one_profile(candidate):
    before = _counts()

    with pytest.raises(CandidateAlreadyLinked):
        candidate_create(actor=candidate.user, **VALID)

    assert _counts() == before


def test_candidate_create_rejects_a_duplicate_email_in_any_case(recruiter):
    CandidateFactory(user=None, created_by=recruiter, email="ada@example.test")
    before = _counts()

    with pytest.raises(CandidateEmailTaken) as exc_info:
        candidate_create(actor=recruiter, **{**VALID, "email": "ADA@EXAMPLE.TEST"}, for_self=False)

    assert exc_info.value.code == "CONFLICT"
    assert _counts() == before


@pytest.mark.parametrize(
    "skills",
    [
        [{"name": "Python"}, {"name": " python "}],
        [{"name": "Machine Learning"}, {"name": "machine  LEARNING", "level": "expert"}],
    ],
)
def test_candidate_create_refuses_a_skill_listed_twice_and_changes_nothing(recruiter, skills):
    before = _counts()

    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_create(actor=recruiter, **{**VALID, "skills": skills}, for_self=False)

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert exc_info.value.details == {"skills": [f"Item 1: {skills[1]['name'].strip()!r} is listed twice."]}
    assert _counts() == before


def test_candidate_create_fills_defaults(recruiter):
    candidate = candidate_create(actor=recruiter, full_name="Grace Hopper", email="grace@example.test", for_self=False)

    assert (candidate.phone, candidate.headline, candidate.years_experience, candidate.consent_at) == ("", "", 0, None)
    assert (candidate.open_to_remote, candidate.discoverable) == (False, False)
    assert not candidate.skills.exists()


def test_candidate_updates_own_profile_partially(candidate):
    original_email = candidate.email

    candidate_update(actor=candidate.user, candidate=candidate, headline="Staff engineer")

    candidate.refresh_from_db()
    assert candidate.headline == "Staff engineer"
    assert candidate.email == original_email


def test_a_candidate_may_not_update_another_candidate(candidate, other_candidate):
    with pytest.raises(Forbidden):
        candidate_update(actor=candidate.user, candidate=other_candidate, headline="Hacked")

    other_candidate.refresh_from_db()
    assert other_candidate.headline != "Hacked"


def test_a_recruiter_may_not_update_a_candidate_with_a_login(recruiter, open_job, candidate):
    ApplicationFactory(job=open_job, candidate=candidate)

    with pytest.raises(Forbidden):
        candidate_update(actor=recruiter, candidate=candidate, headline="Edited")

    candidate.refresh_from_db()
    assert candidate.headline != "Edited"


def test_a_recruiter_updates_a_candidate_they_sourced(recruiter):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    candidate_update(actor=recruiter, candidate=sourced, location="Lisbon")

    sourced.refresh_from_db()
    assert sourced.location == "Lisbon"


def test_a_recruiter_of_another_org_may_not_update_a_sourced_candidate(recruiter, other_recruiter):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    with pytest.raises(Forbidden):
        candidate_update(actor=other_recruiter, candidate=sourced, location="Lisbon")

    sourced.refresh_from_db()
    assert sourced.location != "Lisbon"


def test_a_recruiter_may_not_update_a_discoverable_candidate_another_org_sourced(recruiter, other_recruiter):
    sourced = CandidateFactory(user=None, created_by=other_recruiter, discoverable=True)

    with pytest.raises(Forbidden):
        candidate_update(actor=recruiter, candidate=sourced, email="mine@example.test")

    sourced.refresh_from_db()
    assert sourced.email != "mine@example.test"


def test_staff_update_anyone(staff, candidate):
    candidate_update(actor=staff, candidate=candidate, years_experience=9)

    candidate.refresh_from_db()
    assert candidate.years_experience == 9


def test_candidate_update_replaces_profile_skills_and_keeps_other_resume_suggestions(candidate):
    CandidateSkillFactory(candidate=candidate, name="Cobol")
    CandidateSkillFactory(candidate=candidate, name="Go", source="resume")
    CandidateSkillFactory(candidate=candidate, name="Rust", source="resume")

    candidate_update(actor=candidate.user, candidate=candidate, skills=[{"name": "go"}, {"name": "Python"}])

    assert sorted(candidate.skills.values_list("normalized_name", "source")) == [
        ("go", "profile"),
        ("python", "profile"),
        ("rust", "resume"),
    ]


def test_candidate_update_without_skills_keeps_them(candidate):
    CandidateSkillFactory(candidate=candidate, name="Cobol", level="expert", years=30)

    candidate_update(actor=candidate.user, candidate=candidate, headline="Veteran")

    assert list(candidate.skills.values_list("name", "level", "years")) == [("Cobol", "expert", 30)]


def test_consent_is_stamped_once_and_cleared_on_withdrawal(candidate):
    candidate_update(actor=candidate.user, candidate=candidate, consent=True)
    candidate.refresh_from_db()
    first = candidate.consent_at

    candidate_update(actor=candidate.user, candidate=candidate, consent=True, headline="Again")
    candidate.refresh_from_db()
    kept = candidate.consent_at

    candidate_update(actor=candidate.user, candidate=candidate, consent=False)
    candidate.refresh_from_db()

    assert first is not None
    assert kept == first
    assert candidate.consent_at is None


def test_candidate_update_rejects_another_candidates_email(candidate, other_candidate):
    with pytest.raises(CandidateEmailTaken):
        candidate_update(actor=candidate.user, candidate=candidate, email=other_candidate.email.upper())

    candidate.refresh_from_db()
    assert candidate.email != other_candidate.email


def test_candidate_update_accepts_own_email_in_another_case(candidate):
    candidate_update(actor=candidate.user, candidate=candidate, email=candidate.email.upper())

    candidate.refresh_from_db()
    assert candidate.email == candidate.email.lower()


def test_candidate_update_that_breaks_a_rule_changes_nothing(candidate):
    CandidateSkillFactory(candidate=candidate, name="Cobol")
    before = Candidate.objects.values().get(pk=candidate.pk)

    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_update(
            actor=candidate.user, candidate=candidate, headline="New", skills=[{"name": "A"}, {"name": "a"}]
        )

    assert set(exc_info.value.details) == {"skills"}
    assert Candidate.objects.values().get(pk=candidate.pk) == before
    assert list(candidate.skills.values_list("name", flat=True)) == ["Cobol"]


def test_candidate_update_with_a_taken_email_changes_nothing(candidate, other_candidate):
    before = Candidate.objects.values().get(pk=candidate.pk)

    with pytest.raises(CandidateEmailTaken):
        candidate_update(actor=candidate.user, candidate=candidate, headline="New", email=other_candidate.email)

    assert Candidate.objects.values().get(pk=candidate.pk) == before


def test_candidate_update_stores_the_email_lower_case_and_skill_names_collapsed(candidate):
    candidate_update(
        actor=candidate.user, candidate=candidate, email="New.Address@Example.TEST", skills=[{"name": "Rust  Lang"}]
    )

    candidate.refresh_from_db()
    assert candidate.email == "new.address@example.test"
    assert list(candidate.skills.values_list("name", "normalized_name", "level", "years")) == [
        ("Rust Lang", "rust lang", "intermediate", None)
    ]
