"""The job board matrix kept per process for match_candidate (applications.open_jobs):
the same scores as building it per call, never stale after a job event, bounded."""

import pytest
from django.db import transaction

from applications import matching
from applications.matching import _match_candidate_by_profiles, candidate_profile, job_profile, match_candidate
from applications.models import Match
from applications.open_jobs import OpenJobsCache, cache_key
from candidates.selectors import candidate_for_matching_get
from hotgigs import tenancy
from hotgigs.accounts.models import Organization
from hotgigs.ai.providers.local import LocalProvider
from jobs.services import job_close, job_update
from tests.factories import ApplicationFactory, CandidateFactory, CandidateSkillFactory, JobFactory, JobSkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(org, recruiter):
    made = []
    for i, (title, skill) in enumerate(
        [("Python developer", "python"), ("Data engineer", "sql"), ("Frontend developer", "react")] * 3
    ):
        job = JobFactory(organization=org, created_by=recruiter, title=f"{title} {i}", min_years_experience=i % 4)
        JobSkillFactory(job=job, name=skill, normalized_name=skill, level="advanced", required=True)
        JobSkillFactory(job=job, name="Docker", normalized_name="docker", required=False)
        made.append(job)
    return made


@pytest.fixture
def person():
    candidate = CandidateFactory(discoverable=True, headline="Python engineer", summary="Django, SQL and Docker")
    CandidateSkillFactory(candidate=candidate, name="Python", normalized_name="python", level="expert")
    CandidateSkillFactory(candidate=candidate, name="SQL", normalized_name="sql", level="intermediate")
    return candidate


def _stored():
    return sorted(Match.objects.values_list("job_id", "candidate_id", "score", "input_hash", "provider", "breakdown"))


def _both_paths(candidate):
    """The rows match_candidate writes through the cached matrix and through profiles built per
    call, each from the same database state (a savepoint rolled back in between)."""
    out = []
    for path in ("cached", "profiles"):
        savepoint = transaction.savepoint()
        if path == "cached":
            run = match_candidate(candidate.pk)
        else:
            row = candidate_for_matching_get(candidate_id=candidate.pk)
            applied = set(row.applications.values_list("job_id", flat=True))
            run = _match_candidate_by_profiles(row, candidate_profile(row), applied, LocalProvider())
        out.append((_stored(), run.as_dict()))
        transaction.savepoint_rollback(savepoint)
    return out


def test_cached_ranking_equals_the_per_call_ranking_before_and_after_jobs_change(recruiter, jobs, person):
    cached, fresh = _both_paths(person)
    assert cached == fresh
    assert len(cached[0]) == len(jobs)

    job_update(actor=recruiter, job=jobs[1], title="Python and SQL engineer", min_years_experience=0)
    job_close(actor=recruiter, job=jobs[2])
    new = JobFactory(organization=jobs[0].organization, title="Senior Python developer")
    JobSkillFactory(job=new, name="python", normalized_name="python", level="expert", required=True)
    ApplicationFactory(job=jobs[5], candidate=person)
    job_close(actor=recruiter, job=jobs[5])  # applied to, then closed: scored off the board

    cached, fresh = _both_paths(person)
    assert cached == fresh
    scored = {job_id for job_id, *_ in cached[0]}
    assert new.pk in scored
    assert jobs[5].pk in scored
    assert jobs[2].pk not in scored


def test_second_run_keeps_unchanged_pairs_and_rewrites_only_the_edited_job(recruiter, jobs, person):
    match_candidate(person.pk)
    before = dict(Match.objects.values_list("job_id", "input_hash"))

    job_update(actor=recruiter, job=jobs[0], description="Now about Kubernetes operators")
    run = match_candidate(person.pk)

    after = dict(Match.objects.values_list("job_id", "input_hash"))
    assert (run.created, run.updated, run.unchanged) == (0, 1, len(jobs) - 1)
    assert run.scored == 1
    assert {job_id for job_id in after if after[job_id] != before[job_id]} == {jobs[0].pk}


def _titles(board):
    return {profile.id: profile.title for profile in board.matrix.profiles}


def test_a_job_event_refreshes_every_process_copy_and_only_the_changed_row(
    settings, django_capture_on_commit_callbacks, recruiter, jobs
):
    # Only the event's generation may tell the copies: the table aggregate is not consulted.
    settings.MATCH_OPEN_JOBS_VERIFY_SECONDS = 3600
    provider = LocalProvider()
    first, second = OpenJobsCache(job_profile), OpenJobsCache(job_profile)  # two worker processes
    first.get(provider)
    second.get(provider)
    first.get(provider)
    assert first.stats.last == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        job_update(actor=recruiter, job=jobs[0], title="Staff Python developer")

    for process in (first, second):
        board = process.get(provider)
        assert process.stats.last == "refresh"
        assert process.stats.rows_built == len(jobs) + 1
        assert _titles(board)[jobs[0].pk] == "Staff Python developer"
        assert len(board.matrix) == len(jobs)

    with django_capture_on_commit_callbacks(execute=True):
        job_close(actor=recruiter, job=jobs[3])
    board = first.get(provider)
    assert jobs[3].pk not in board.row_of
    assert len(board.matrix) == len(jobs) - 1


def test_without_the_event_nor_the_check_a_copy_would_be_stale(settings, recruiter, jobs):
    """The control for the test above: the refresh there is the event's doing."""
    settings.MATCH_OPEN_JOBS_VERIFY_SECONDS = 3600
    provider = LocalProvider()
    process = OpenJobsCache(job_profile)
    process.get(provider)

    job_update(actor=recruiter, job=jobs[0], title="Staff Python developer")  # not committed: no event yet

    assert _titles(process.get(provider))[jobs[0].pk] != "Staff Python developer"
    settings.MATCH_OPEN_JOBS_VERIFY_SECONDS = 0
    assert _titles(process.get(provider))[jobs[0].pk] == "Staff Python developer"
    assert process.stats.last == "refresh"


def test_the_table_check_drops_the_jobs_of_an_organization_deactivated_without_an_event(org, jobs):
    provider = LocalProvider()
    process = OpenJobsCache(job_profile)
    assert len(process.get(provider).matrix) == len(jobs)

    Organization.objects.filter(pk=org.pk).update(is_active=False)

    assert len(process.get(provider).matrix) == 0


def test_a_cache_that_is_down_still_gives_a_current_matrix(monkeypatch, recruiter, jobs):
    from hotgigs import cache

    monkeypatch.setattr(cache, "generations", lambda names: None)
    provider = LocalProvider()
    process = OpenJobsCache(job_profile)
    process.get(provider)
    process.get(provider)
    assert process.stats.last == "hit"

    job_update(actor=recruiter, job=jobs[0], title="Staff Python developer")

    assert _titles(process.get(provider))[jobs[0].pk] == "Staff Python developer"


def test_memory_is_bounded_to_a_few_matrices(jobs):
    process = OpenJobsCache(job_profile, max_entries=2)

    class Version(LocalProvider):
        def __init__(self, version):
            self.version = version

        @property
        def model_version(self):
            return self.version

    for version in ("a", "b", "c", "a"):
        process.get(Version(version))

    assert len(process) == 2
    assert process.stats.builds == 4  # "a" was dropped when "c" came


def test_each_identity_has_its_own_matrix():
    """Row-level security may show another identity other jobs: their copies never mix."""
    provider = LocalProvider()
    with tenancy.acting_as(tenancy.user_identity(user_id=1, organization_ids=[1], staff=False)):
        as_user = cache_key(provider)
    with tenancy.system("matching"):
        as_system = cache_key(provider)

    assert as_user != as_system


def test_match_candidate_uses_the_module_cache(person, jobs):
    matching.OPEN_JOBS.clear()
    match_candidate(person.pk)
    builds = matching.OPEN_JOBS.stats.builds
    match_candidate(person.pk)

    assert matching.OPEN_JOBS.stats.builds == builds
    assert matching.OPEN_JOBS.stats.last == "hit"
