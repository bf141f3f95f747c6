"""Candidates in the back office: visible by the access rules, edited through the services."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from tests.admin.helpers import add_url, change_url, changelist_url, listed_pks
from tests.factories import ApplicationFactory, CandidateFactory, CandidateSkillFactory, ResumeFactory

pytestmark = pytest.mark.django_db


def candidate_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Grace Hopper",
        "email": "Grace@Example.test",
        "phone": "+1 555 0100",
        "headline": "Compiler engineer",
        "summary": "",
        "years_experience": "12",
        "location": "Arlington",
        "open_to_remote": "on",
        "consent": "on",
        "skills-TOTAL_FORMS": "1",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "1000",
        "skills-0-name": "COBOL",
        "skills-0-level": "expert",
        "skills-0-years": "10",
        "resumes-TOTAL_FORMS": "0",
        "resumes-INITIAL_FORMS": "0",
        "resumes-MIN_NUM_FORMS": "0",
        "resumes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_discoverable_candidates_are_visible_to_every_recruiter(recruiter_client, other_open_job):
    discoverable = CandidateFactory.create(discoverable=True)
    ApplicationFactory.create(job=other_open_job, candidate=CandidateFactory.create())

    response = recruiter_client.get(changelist_url(Candidate))

    assert listed_pks(response) == {discoverable.pk}


def test_add_form_creates_a_sourced_candidate_through_the_service(recruiter_client, recruiter):
    response = recruiter_client.post(add_url(Candidate), candidate_form())

    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert (candidate.email, candidate.user, candidate.created_by) == ("grace@example.test", None, recruiter)
    assert candidate.consent_at is not None
    assert list(candidate.skills.values_list("normalized_name", "level", "years", "source")) == [
        ("cobol", "expert", 10, "profile")
    ]


def test_recruiter_edits_a_sourced_candidate(recruiter_client, recruiter):
    candidate = CandidateFactory.create(user=None, created_by=recruiter, email="grace@example.test")
    CandidateSkillFactory.create(candidate=candidate, name="Fortran", normalized_name="fortran", source="resume")

    response = recruiter_client.post(change_url(candidate), candidate_form(headline="Rear admiral"))

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.headline == "Rear admiral"
    # Profile skills are replaced; the resume suggestion stays.
    assert set(candidate.skills.values_list("normalized_name", "source")) == {
        ("cobol", "profile"),
        ("fortran", "resume"),
    }


def test_a_self_registered_candidates_profile_is_read_only_for_a_recruiter(recruiter_client, open_job):
    candidate = CandidateFactory.create(headline="Backend developer")
    ApplicationFactory.create(job=open_job, candidate=candidate)
    data = candidate_form(email=candidate.email, full_name="Renamed", headline="Changed by a recruiter")

    page = recruiter_client.get(change_url(candidate))
    response = recruiter_client.post(change_url(candidate), data)

    # Name, email and the rest are shown, not offered as inputs; a forged POST is refused.
    assert page.status_code == 200
    assert 'name="full_name"' not in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    assert candidate.full_name in page.content.decode()
    assert page.context["workspace_identity_locked"] is True
    assert response.status_code == 403
    candidate.refresh_from_db()
    assert candidate.headline == "Backend developer"
    assert candidate.full_name != "Renamed"


def test_staff_may_still_correct_a_self_registered_candidates_name(staff_client):
    candidate = CandidateFactory.create(full_name="Ada Lovelase")

    page = staff_client.get(change_url(candidate))
    response = staff_client.post(change_url(candidate), candidate_form(email=candidate.email, full_name="Ada Lovelace"))

    assert 'name="full_name"' in page.content.decode()
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.full_name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "call me"}, "phone"),
        ({"phone": "1" * 33}, "phone"),
        ({"years_experience": "71"}, "years_experience"),
        ({"email": "grace"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"summary": "s" * 20_001}, "summary"),
    ],
)
def test_the_form_checks_profile_shapes_and_creates_nothing(recruiter_client, overrides, field):
    response = recruiter_client.post(add_url(Candidate), candidate_form(**overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"skills-0-level": "guru"},
        {"skills-0-years": "71"},
        {"skills-0-name": "x" * 101},
    ],
)
def test_the_form_checks_skill_shapes_and_creates_nothing(recruiter_client, overrides):
    response = recruiter_client.post(add_url(Candidate), candidate_form(**overrides))

    assert response.status_code == 200
    [skills] = [formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "skills"]
    assert skills.formset.errors[0]
    assert not Candidate.objects.exists()


def test_the_form_refuses_more_skills_than_a_profile_holds(recruiter_client):
    rows = {f"skills-{i}-name": f"Skill {i}" for i in range(101)}
    rows |= {f"skills-{i}-level": "beginner" for i in range(101)}

    response = recruiter_client.post(add_url(Candidate), candidate_form(**{"skills-TOTAL_FORMS": "101", **rows}))

    assert response.status_code == 200
    [skills] = [formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "skills"]
    assert skills.formset.non_form_errors()
    assert not Candidate.objects.exists()


def test_a_skill_listed_twice_shows_the_services_reason_and_creates_nothing(recruiter_client):
    data = candidate_form(**{"skills-TOTAL_FORMS": "2", "skills-1-name": " cobol ", "skills-1-level": "beginner"})

    response = recruiter_client.post(add_url(Candidate), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["skills: Item 1: 'cobol' is listed twice."]
    assert not Candidate.objects.exists()


def test_a_bad_edit_changes_nothing(recruiter_client, recruiter):
    candidate = CandidateFactory.create(user=None, created_by=recruiter, email="grace@example.test", phone="")
    CandidateSkillFactory.create(candidate=candidate, name="Fortran", normalized_name="fortran")
    before = Candidate.objects.values().get(pk=candidate.pk)

    response = recruiter_client.post(change_url(candidate), candidate_form(phone="call me", headline="Changed"))

    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors
    assert Candidate.objects.values().get(pk=candidate.pk) == before
    assert list(candidate.skills.values_list("name", flat=True)) == ["Fortran"]


def test_change_page_shows_resume_parse_status(recruiter_client, recruiter):
    candidate = CandidateFactory.create(user=None, created_by=recruiter)
    ResumeFactory.create(candidate=candidate, parse_status="failed", parse_error="Not a PDF")

    response = recruiter_client.get(change_url(candidate))

    assert response.status_code == 200
    assert "Not a PDF" in response.content.decode()


def _changelist_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(Candidate))
    assert response.status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_rows(recruiter_client, open_job, django_assert_max_num_queries):
    def add_candidates(count: int) -> None:
        for _ in range(count):
            candidate = CandidateFactory.create()
            CandidateSkillFactory.create(candidate=candidate)
            ApplicationFactory.create(job=open_job, candidate=candidate)

    add_candidates(2)
    few = _changelist_queries(recruiter_client)
    add_candidates(6)

    with django_assert_max_num_queries(few):
        response = recruiter_client.get(changelist_url(Candidate))

    assert len(listed_pks(response)) == 8
