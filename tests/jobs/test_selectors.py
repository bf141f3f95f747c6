import pytest
from django.contrib.auth.models import AnonymousUser

from jobs.errors import JobNotFound
from jobs.models import Job
from jobs.selectors import job_board_list, job_get, job_list, job_visible_filter
from tests.factories import JobFactory, OrganizationFactory


@pytest.fixture
def jobs(org, other_org):
    """One job per status in each organization, plus an open job of a deactivated one."""
    mine = {status: JobFactory(organization=org, status=status) for status in ("draft", "open", "closed", "archived")}
    theirs = {
        status: JobFactory(organization=other_org, status=status) for status in ("draft", "open", "closed", "archived")
    }
    dormant = JobFactory(organization=OrganizationFactory(is_active=False), status="open")
    return mine, theirs, dormant


def test_recruiter_sees_every_job_of_their_organization_and_none_of_another(jobs, recruiter):
    mine, _, _ = jobs

    assert set(job_list(actor=recruiter)) == set(mine.values())


def test_candidate_sees_open_jobs_of_active_organizations(jobs, candidate):
    mine, theirs, _ = jobs

    assert set(job_list(actor=candidate.user)) == {mine["open"], theirs["open"]}
    assert set(job_board_list()) == {mine["open"], theirs["open"]}


def test_staff_sees_every_job(jobs, staff):
    assert job_list(actor=staff).count() == Job.objects.count() == 9


def test_anonymous_sees_nothing(jobs):
    assert not job_list(actor=AnonymousUser()).exists()


@pytest.mark.parametrize("actor_name", ["recruiter", "candidate", "staff", "anonymous"])
def test_job_visible_filter_matches_job_list(jobs, recruiter, candidate, staff, actor_name):
    actor = {"recruiter": recruiter, "candidate": candidate.user, "staff": staff, "anonymous": AnonymousUser()}[
        actor_name
    ]

    assert set(Job.objects.filter(job_visible_filter(actor=actor))) == set(job_list(actor=actor))


def test_job_get_returns_a_visible_job(jobs, recruiter):
    mine, _, _ = jobs

    assert job_get(actor=recruiter, job_id=mine["draft"].pk) == mine["draft"]


@pytest.mark.parametrize("key", ["draft", "closed", "archived"])
def test_job_get_hides_unpublished_jobs_from_candidates(jobs, candidate, key):
    mine, _, _ = jobs

    with pytest.raises(JobNotFound) as exc_info:
        job_get(actor=candidate.user, job_id=mine[key].pk)

    assert exc_info.value.code == "NOT_FOUND"


def test_job_get_hides_another_organizations_job_from_a_recruiter(jobs, recruiter):
    _, theirs, _ = jobs

    with pytest.raises(JobNotFound):
        job_get(actor=recruiter, job_id=theirs["open"].pk)


def test_job_get_hides_jobs_of_a_deactivated_organization(jobs, candidate):
    _, _, dormant = jobs

    with pytest.raises(JobNotFound):
        job_get(actor=candidate.user, job_id=dormant.pk)


@pytest.mark.parametrize("job_id", [0, 999_999, "abc", None])
def test_job_get_with_a_bad_id_is_not_found(jobs, staff, job_id):
    with pytest.raises(JobNotFound):
        job_get(actor=staff, job_id=job_id)


def test_job_list_loads_organization_and_skills_in_fixed_queries(jobs, staff, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = list(job_list(actor=staff))
        _ = [(job.organization.name, list(job.skills.all())) for job in rows]
