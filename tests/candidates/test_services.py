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
    "skills": ["Python", {"name": " Machine  Learning ", "level": "expert", "years": 3}],
}


def _counts() -> tuple[int, int]:
    return Candidate.objects.count(), CandidateSkill.objects.count()


def test_candidate_create_for_self_links_the_user(db):
    user = UserFactory()

    candidate = candidate_create(actor=user, data=VALID)

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
    candidate = candidate_create(actor=UserFactory(), data={**VALID, "consent": False})

    assert candidate.consent_at is None


def test_a_recruiter_sources_a_candidate_without_a_login(recruiter):
    candidate = candidate_create(actor=recruiter, data=VALID, for_self=False)

    assert candidate.user is None
    assert candidate.created_by == recruiter


def test_a_plain_user_may_not_source_a_candidate(candidate):
    before = _counts()

    with pytest.raises(Forbidden) as exc_info:
        candidate_create(actor=candidate.user, data=VALID, for_self=False)

    assert exc_info.value.code == "FORBIDDEN"
    assert _counts() == before


def test_a_user_has_at_most_one_profile(candidate):
    before = _counts()

    with pytest.raises(CandidateAlreadyLinked):
        candidate_create(actor=candidate.user, data=VALID)

    assert _counts() == before


def test_candidate_create_rejects_a_duplicate_email_in_any_case(recruiter):
    CandidateFactory(email="ada@example.test")
    before = _counts()

    with pytest.raises(CandidateEmailTaken) as exc_info:
        candidate_create(actor=recruiter, data={**VALID, "email": " ADA@EXAMPLE.TEST "}, for_self=False)

    assert exc_info.value.code == "CONFLICT"
    assert _counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"email": ""}, "email"),
        ({"email": "ada"}, "email"),
        ({"email": 7}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "1" * 33}, "phone"),
        ({"headline": "h" * 201}, "headline"),
        ({"years_experience": -1}, "years_experience"),
        ({"years_experience": 71}, "years_experience"),
        ({"years_experience": "7"}, "years_experience"),
        ({"years_experience": True}, "years_experience"),
        ({"open_to_remote": "yes"}, "open_to_remote"),
        ({"discoverable": 1}, "discoverable"),
        ({"consent": None}, "consent"),
        ({"skills": "Python"}, "skills"),
        ({"skills": ["Python", " python "]}, "skills"),
        ({"skills": [{"name": "Python", "level": "guru"}]}, "skills"),
        ({"skills": [{"name": "Python", "years": 71}]}, "skills"),
        ({"skills": [{"name": "Python", "years": True}]}, "skills"),
        ({"skills": [{"name": ""}]}, "skills"),
        ({"skills": [42]}, "skills"),
        ({"skills": [f"S{i}" for i in range(101)]}, "skills"),
        ({"user": 1}, "non_field_errors"),
        ({"created_by": 1}, "non_field_errors"),
        ({"consent_at": None}, "non_field_errors"),
    ],
)
def test_candidate_create_rejects_bad_input_and_changes_nothing(recruiter, change, field):
    before = _counts()

    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_create(actor=recruiter, data={**VALID, **change}, for_self=False)

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert set(exc_info.value.details) == {field}
    assert _counts() == before


def test_candidate_updates_own_profile_partially(candidate):
    original_email = candidate.email

    candidate_update(actor=candidate.user, candidate=candidate, data={"headline": " Staff engineer "})

    candidate.refresh_from_db()
    assert candidate.headline == "Staff engineer"
    assert candidate.email == original_email


def test_a_candidate_may_not_update_another_candidate(candidate, other_candidate):
    with pytest.raises(Forbidden):
        candidate_update(actor=candidate.user, candidate=other_candidate, data={"headline": "Hacked"})

    other_candidate.refresh_from_db()
    assert other_candidate.headline != "Hacked"


def test_a_recruiter_may_not_update_a_candidate_with_a_login(recruiter, open_job, candidate):
    ApplicationFactory(job=open_job, candidate=candidate)

    with pytest.raises(Forbidden):
        candidate_update(actor=recruiter, candidate=candidate, data={"headline": "Edited"})

    candidate.refresh_from_db()
    assert candidate.headline != "Edited"


def test_a_recruiter_updates_a_candidate_they_sourced(recruiter):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    candidate_update(actor=recruiter, candidate=sourced, data={"location": "Lisbon"})

    sourced.refresh_from_db()
    assert sourced.location == "Lisbon"


def test_a_recruiter_of_another_org_may_not_update_a_sourced_candidate(recruiter, other_recruiter):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    with pytest.raises(Forbidden):
        candidate_update(actor=other_recruiter, candidate=sourced, data={"location": "Lisbon"})

    sourced.refresh_from_db()
    assert sourced.location != "Lisbon"


def test_a_recruiter_may_not_update_a_discoverable_candidate_another_org_sourced(recruiter, other_recruiter):
    sourced = CandidateFactory(user=None, created_by=other_recruiter, discoverable=True)

    with pytest.raises(Forbidden):
        candidate_update(actor=recruiter, candidate=sourced, data={"email": "mine@example.test"})

    sourced.refresh_from_db()
    assert sourced.email != "mine@example.test"


def test_staff_update_anyone(staff, candidate):
    candidate_update(actor=staff, candidate=candidate, data={"years_experience": 9})

    candidate.refresh_from_db()
    assert candidate.years_experience == 9


def test_candidate_update_replaces_profile_skills_and_keeps_other_resume_suggestions(candidate):
    CandidateSkillFactory(candidate=candidate, name="Cobol")
    CandidateSkillFactory(candidate=candidate, name="Go", source="resume")
    CandidateSkillFactory(candidate=candidate, name="Rust", source="resume")

    candidate_update(actor=candidate.user, candidate=candidate, data={"skills": ["go", "Python"]})

    assert sorted(candidate.skills.values_list("normalized_name", "source")) == [
        ("go", "profile"),
        ("python", "profile"),
        ("rust", "resume"),
    ]


def test_candidate_update_without_skills_keeps_them(candidate):
    CandidateSkillFactory(candidate=candidate, name="Cobol", level="expert", years=30)

    candidate_update(actor=candidate.user, candidate=candidate, data={"headline": "Veteran"})

    assert list(candidate.skills.values_list("name", "level", "years")) == [("Cobol", "expert", 30)]


def test_consent_is_stamped_once_and_cleared_on_withdrawal(candidate):
    candidate_update(actor=candidate.user, candidate=candidate, data={"consent": True})
    candidate.refresh_from_db()
    first = candidate.consent_at

    candidate_update(actor=candidate.user, candidate=candidate, data={"consent": True, "headline": "Again"})
    candidate.refresh_from_db()
    kept = candidate.consent_at

    candidate_update(actor=candidate.user, candidate=candidate, data={"consent": False})
    candidate.refresh_from_db()

    assert first is not None
    assert kept == first
    assert candidate.consent_at is None


def test_candidate_update_rejects_another_candidates_email(candidate, other_candidate):
    with pytest.raises(CandidateEmailTaken):
        candidate_update(actor=candidate.user, candidate=candidate, data={"email": other_candidate.email.upper()})

    candidate.refresh_from_db()
    assert candidate.email != other_candidate.email


def test_candidate_update_accepts_own_email_in_another_case(candidate):
    candidate_update(actor=candidate.user, candidate=candidate, data={"email": candidate.email.upper()})

    candidate.refresh_from_db()
    assert candidate.email == candidate.email.lower()


def test_candidate_update_with_bad_input_changes_nothing(candidate):
    CandidateSkillFactory(candidate=candidate, name="Cobol")
    before = Candidate.objects.values().get(pk=candidate.pk)

    with pytest.raises(InvalidCandidate) as exc_info:
        candidate_update(
            actor=candidate.user, candidate=candidate, data={"headline": "New", "skills": ["A", "a"], "phone": "x"}
        )

    assert set(exc_info.value.details) == {"skills", "phone"}
    assert Candidate.objects.values().get(pk=candidate.pk) == before
    assert list(candidate.skills.values_list("name", flat=True)) == ["Cobol"]
