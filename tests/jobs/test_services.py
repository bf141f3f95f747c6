import pytest

from hotgigs.errors import Forbidden
from jobs.errors import IllegalJobTransition, InvalidJob
from jobs.models import Job, JobSkill
from jobs.services import job_archive, job_close, job_create, job_open, job_update
from tests.factories import JobFactory, JobSkillFactory

VALID = {
    "title": "Backend Engineer",
    "description": "Build the hiring pipeline.",
    "location": "Berlin",
    "remote_policy": "remote",
    "employment_type": "contract",
    "min_years_experience": 3,
    "salary_min": 70000,
    "salary_max": 90000,
    "salary_currency": "EUR",
}


def _counts() -> tuple[int, int]:
    return Job.objects.count(), JobSkill.objects.count()


def test_job_create_makes_a_draft_with_ordered_skills(org, recruiter):
    data = {
        **VALID,
        "skills": [
            {"name": "  Python ", "level": "expert"},
            {"name": "Django  REST", "required": False},
        ],
    }

    job = job_create(actor=recruiter, organization=org, **data)

    job.refresh_from_db()
    assert job.status == "draft"
    assert job.organization == org
    assert job.created_by == recruiter
    assert job.salary_currency == "EUR"
    assert job.opened_at is None
    assert list(job.skills.values_list("name", "normalized_name", "level", "required", "position")) == [
        ("Python", "python", "expert", True, 0),
        ("Django REST", "django rest", "intermediate", False, 1),
    ]


def test_job_create_fills_defaults(org, recruiter):
    job = job_create(actor=recruiter, organization=org, title="Analyst", description="Numbers.")

    assert (job.remote_policy, job.employment_type, job.education, job.min_years_experience) == (
        "onsite",
        "full_time",
        "none",
        0,
    )
    assert not job.skills.exists()


def test_job_create_accepts_a_title_of_255_characters(org, recruiter):
    job = job_create(actor=recruiter, organization=org, **{**VALID, "title": "t" * 255})

    assert len(job.title) == 255


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"salary_min": 100_000, "salary_max": 90_000}, "salary_max"),
        ({"salary_currency": ""}, "salary_currency"),
        ({"salary_min": None, "salary_max": 5, "salary_currency": ""}, "salary_currency"),
        ({"skills": [{"name": "Python"}, {"name": " python"}]}, "skills"),
    ],
)
def test_job_create_enforces_business_rules_and_changes_nothing(org, recruiter, change, field):
    before = _counts()

    with pytest.raises(InvalidJob) as exc_info:
        job_create(actor=recruiter, organization=org, **{**VALID, "skills": [{"name": "Go"}], **change})

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert set(exc_info.value.details) == {field}
    assert _counts() == before


def test_job_create_reports_every_broken_rule_at_once(org, recruiter):
    with pytest.raises(InvalidJob) as exc_info:
        job_create(
            actor=recruiter,
            organization=org,
            **{**VALID, "salary_min": 10, "salary_max": 5, "salary_currency": "", "skills": [{"name": "Go"}] * 2},
        )

    assert set(exc_info.value.details) == {"salary_max", "salary_currency", "skills"}


def test_job_create_by_a_non_member_is_forbidden(org, other_recruiter, candidate):
    before = _counts()

    with pytest.raises(Forbidden):
        job_create(actor=other_recruiter, organization=org, **VALID)
    with pytest.raises(Forbidden):
        job_create(actor=candidate.user, organization=org, **VALID)

    assert _counts() == before


def test_staff_may_create_in_any_organization(org, staff):
    job = job_create(actor=staff, organization=org, **VALID)

    assert job.organization == org


def test_job_update_changes_only_the_given_fields(org, recruiter):
    job = JobFactory(organization=org, title="Old", location="Paris", status="draft")
    JobSkillFactory(job=job, name="Rust")

    updated = job_update(actor=recruiter, job=job, title="New title")

    updated.refresh_from_db()
    assert updated.title == "New title"
    assert updated.location == "Paris"
    assert updated.status == "draft"
    assert list(updated.skills.values_list("name", flat=True)) == ["Rust"]


def test_job_update_replaces_skills_when_given(open_job, recruiter):
    JobSkillFactory(job=open_job, name="Rust")

    job_update(actor=recruiter, job=open_job, skills=[{"name": "Go"}, {"name": "SQL"}])

    assert list(open_job.skills.values_list("name", flat=True)) == ["Go", "SQL"]


def test_job_update_validates_against_the_stored_row(open_job, recruiter):
    before = Job.objects.values().get(pk=open_job.pk)

    with pytest.raises(InvalidJob) as exc_info:
        job_update(actor=recruiter, job=open_job, salary_min=open_job.salary_max + 1)

    assert set(exc_info.value.details) == {"salary_max"}
    assert Job.objects.values().get(pk=open_job.pk) == before


def test_job_update_by_another_organization_is_forbidden(open_job, other_recruiter):
    with pytest.raises(Forbidden):
        job_update(actor=other_recruiter, job=open_job, title="Hijacked")

    open_job.refresh_from_db()
    assert open_job.title != "Hijacked"


def test_an_archived_job_is_not_editable(org, recruiter):
    job = JobFactory(organization=org, status="archived")

    with pytest.raises(IllegalJobTransition) as exc_info:
        job_update(actor=recruiter, job=job, title="Revived")

    job.refresh_from_db()
    assert exc_info.value.code == "CONFLICT"
    assert job.title != "Revived"


MOVES = {"open": job_open, "closed": job_close, "archived": job_archive}
LEGAL = {
    ("draft", "open"),
    ("draft", "archived"),
    ("open", "closed"),
    ("closed", "open"),
    ("closed", "archived"),
}
ALLOWED = {"draft": ["open", "archived"], "open": ["closed"], "closed": ["open", "archived"], "archived": []}


@pytest.mark.parametrize(("from_status", "to_status"), sorted(LEGAL))
def test_legal_job_moves(org, recruiter, from_status, to_status):
    job = JobFactory(organization=org, status=from_status, opened_at=None)

    moved = MOVES[to_status](actor=recruiter, job=job)

    moved.refresh_from_db()
    assert moved.status == to_status


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    sorted((f, t) for f in ALLOWED for t in MOVES if (f, t) not in LEGAL),
)
def test_illegal_job_moves_raise_and_change_nothing(org, recruiter, from_status, to_status):
    job = JobFactory(organization=org, status=from_status)

    with pytest.raises(IllegalJobTransition) as exc_info:
        MOVES[to_status](actor=recruiter, job=job)

    job.refresh_from_db()
    assert exc_info.value.details["allowed"] == ALLOWED[from_status]
    assert job.status == from_status


def test_opening_stamps_opened_at_and_closing_stamps_closed_at(org, recruiter):
    job = JobFactory(organization=org, status="draft", opened_at=None)

    job_open(actor=recruiter, job=job)
    job_close(actor=recruiter, job=job)
    job.refresh_from_db()
    closed_at = job.closed_at
    job_open(actor=recruiter, job=job)

    job.refresh_from_db()
    assert closed_at is not None
    assert job.opened_at >= closed_at
    assert job.closed_at is None


def test_job_moves_by_another_organization_are_forbidden(open_job, other_recruiter):
    with pytest.raises(Forbidden):
        job_close(actor=other_recruiter, job=open_job)

    open_job.refresh_from_db()
    assert open_job.status == "open"
