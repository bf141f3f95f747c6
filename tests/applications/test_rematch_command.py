"""``manage.py rematch``: one job, one candidate, every open job; counts, progress bar, errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from applications.models import Match
from tests.factories import CandidateFactory, CandidateSkillFactory, JobFactory, JobSkillFactory

pytestmark = pytest.mark.django_db


def _rematch(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rematch", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def jobs(org):
    first = JobFactory(organization=org, title="Python developer")
    JobSkillFactory(job=first, name="Python", normalized_name="python", required=True)
    second = JobFactory(organization=org, title="Data engineer")
    JobSkillFactory(job=second, name="SQL", normalized_name="sql", required=True)
    draft = JobFactory(organization=org, status="draft", title="Draft")
    return first, second, draft


@pytest.fixture
def candidates():
    people = [CandidateFactory(discoverable=True) for _ in range(3)]
    CandidateSkillFactory(candidate=people[0], name="Python", normalized_name="python")
    return people


def test_every_open_job_is_ranked_with_a_progress_bar(jobs, candidates):
    first, second, draft = jobs

    out, err = _rematch()

    assert Match.objects.filter(job=first).count() == 3
    assert Match.objects.filter(job=second).count() == 3
    assert not Match.objects.filter(job=draft).exists()
    assert "Rematched 2 jobs: 6 created, 0 updated, 0 unchanged in" in out
    assert "2/2" in err
    assert "#" * 30 in err


def test_a_second_run_changes_nothing(jobs, candidates):
    _rematch()
    before = sorted(Match.objects.values_list("job_id", "candidate_id", "score", "input_hash", "computed_at"))

    out, _ = _rematch("--no-progress")

    assert "0 created, 0 updated, 6 unchanged" in out
    assert sorted(Match.objects.values_list("job_id", "candidate_id", "score", "input_hash", "computed_at")) == before


def test_one_job(jobs, candidates):
    first, _second, _ = jobs

    out, _ = _rematch("--job", str(first.pk))

    assert set(Match.objects.values_list("job_id", flat=True)) == {first.pk}
    assert "Rematched 1 jobs: 3 created" in out


def test_one_candidate(jobs, candidates):
    first, second, _ = jobs

    out, _ = _rematch("--candidate", str(candidates[0].pk))

    assert set(Match.objects.values_list("job_id", "candidate_id")) == {
        (first.pk, candidates[0].pk),
        (second.pk, candidates[0].pk),
    }
    assert "Rematched 1 candidates: 2 created" in out


def test_a_missing_job_or_candidate_is_a_command_error(db):
    with pytest.raises(CommandError, match="Job 999999 does not exist"):
        _rematch("--job", "999999")
    with pytest.raises(CommandError, match="Candidate 999999 does not exist"):
        _rematch("--candidate", "999999")


def test_job_and_candidate_together_are_refused(jobs, candidates):
    with pytest.raises(CommandError):
        _rematch("--job", str(jobs[0].pk), "--candidate", str(candidates[0].pk))
