"""Matching services and tasks: receipts, unchanged inputs, idempotency, triggers, fallback."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications import tasks
from applications.matching import match_application, match_candidate, match_job
from applications.models import Application, Match
from applications.selectors import match_list
from applications.services import application_submit
from candidates.services.profiles import candidate_update
from hotgigs.ai.scoring import SCORING_VERSION
from jobs.services import job_open, job_update
from tests.ai.fake_openai import fake_openai, openai_settings  # noqa: F401 - fixtures
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    JobFactory,
    JobSkillFactory,
    MembershipFactory,
    ResumeFactory,
)

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(Match.objects.values_list("job_id", "candidate_id", "score", "input_hash", "provider", "fallback"))


@pytest.fixture
def python_job(org, recruiter):
    job = JobFactory(organization=org, created_by=recruiter, title="Python developer", min_years_experience=3)
    JobSkillFactory(job=job, name="Python", normalized_name="python", level="advanced", required=True)
    JobSkillFactory(job=job, name="PostgreSQL", normalized_name="postgresql", required=True)
    JobSkillFactory(job=job, name="Kubernetes", normalized_name="kubernetes", required=False)
    return job


@pytest.fixture
def pool():
    strong = CandidateFactory(discoverable=True, headline="Python engineer", summary="Django and Postgres APIs")
    CandidateSkillFactory(candidate=strong, name="python", normalized_name="python", level="expert")
    CandidateSkillFactory(candidate=strong, name="Postgres", normalized_name="postgres", level="advanced")
    weak = CandidateFactory(discoverable=True, headline="Accountant", summary="Budgets", years_experience=1)
    CandidateSkillFactory(candidate=weak, name="Excel", normalized_name="excel")
    hidden = CandidateFactory(discoverable=False, headline="Python engineer")
    return strong, weak, hidden


def test_match_job_stores_receipts_for_the_visible_pool_best_first(python_job, pool):
    strong, weak, hidden = pool

    run = match_job(python_job.pk)

    assert (run.created, run.updated, run.unchanged) == (2, 0, 0)
    matches = list(Match.objects.filter(job=python_job).order_by("-score"))
    assert [m.candidate_id for m in matches] == [strong.pk, weak.pk]
    best = matches[0]
    assert Decimal(0) <= best.score <= Decimal(100)
    assert best.provider == "local"
    assert best.fallback == ""
    assert best.model_version.startswith(f"local-v{SCORING_VERSION}+")
    assert len(best.input_hash) == 64
    assert best.breakdown["required_skills"] == {
        "matched": ["Python", "PostgreSQL"],
        "missing": [],
        "below_level": [],
        "from_text": [],
    }
    assert best.breakdown["preferred_skills"]["missing"] == ["Kubernetes"]
    assert {"experience", "location", "text_similarity"} <= set(best.breakdown["components"])
    assert not Match.objects.filter(candidate=hidden).exists()


def test_match_job_twice_gives_the_same_rows_and_skips_unchanged_pairs(python_job, pool):
    match_job(python_job.pk)
    before = _rows()
    computed = dict(Match.objects.values_list("pk", "computed_at"))

    run = match_job(python_job.pk)

    assert _rows() == before
    assert (run.created, run.updated, run.unchanged) == (0, 0, 2)
    assert dict(Match.objects.values_list("pk", "computed_at")) == computed


def test_a_changed_profile_is_rescored(python_job, pool):
    _strong, weak, _ = pool
    match_job(python_job.pk)
    old = Match.objects.get(job=python_job, candidate=weak)

    CandidateSkillFactory(candidate=weak, name="Python", normalized_name="python", level="advanced")
    run = match_job(python_job.pk)

    new = Match.objects.get(job=python_job, candidate=weak)
    assert (run.updated, run.unchanged) == (1, 1)
    assert new.input_hash != old.input_hash
    assert new.score > old.score


def test_a_new_resume_changes_the_hash(python_job, pool):
    _strong, weak, _ = pool
    match_job(python_job.pk)
    old = Match.objects.get(job=python_job, candidate=weak)

    ResumeFactory(candidate=weak, parse_status="parsed", extracted_text="Kubernetes operator in Go and Python.")
    match_job(python_job.pk)

    new = Match.objects.get(job=python_job, candidate=weak)
    assert new.input_hash != old.input_hash
    assert "Kubernetes" in new.breakdown["preferred_skills"]["from_text"]


def test_a_job_that_is_not_open_ranks_only_its_applicants(org, python_job, pool):
    _strong, weak, _ = pool
    python_job.status = "closed"
    python_job.save()
    ApplicationFactory(job=python_job, candidate=weak)

    match_job(python_job.pk)

    assert list(Match.objects.values_list("candidate_id", flat=True)) == [weak.pk]


def test_only_the_top_candidates_are_kept_but_applicants_always_are(settings, python_job, pool):
    strong, weak, _ = pool
    settings.MATCH_TOP_CANDIDATES_PER_JOB = 1
    application = ApplicationFactory(job=python_job, candidate=weak)

    match_job(python_job.pk)

    assert set(Match.objects.values_list("candidate_id", flat=True)) == {strong.pk, weak.pk}
    application.refresh_from_db()
    assert application.match_score == Match.objects.get(candidate=weak).score


def test_match_candidate_ranks_open_jobs_and_recomputes_only_changes(python_job, pool, other_open_job):
    strong, _, _ = pool
    JobFactory(organization=python_job.organization, status="draft")

    first = match_candidate(strong.pk)
    second = match_candidate(strong.pk)

    assert set(Match.objects.filter(candidate=strong).values_list("job_id", flat=True)) == {
        python_job.pk,
        other_open_job.pk,
    }
    assert (first.created, first.scored) == (2, 2)
    assert (second.created, second.updated, second.unchanged, second.scored) == (0, 0, 2, 0)


def test_match_application_fills_match_score_and_skips_when_unchanged(python_job, pool):
    strong, _, _ = pool
    application = ApplicationFactory(job=python_job, candidate=strong)

    match = match_application(application.pk)
    again = match_application(application.pk)

    application.refresh_from_db()
    assert application.match_score == match.score
    assert again.computed_at == match.computed_at
    assert Match.objects.count() == 1


def test_scoring_a_new_application_reads_each_row_once(python_job, pool, django_assert_num_queries):
    strong, _, _ = pool
    application = ApplicationFactory(job=python_job, candidate=strong)

    # The application; the job and its skills; the candidate, their skills and latest resume
    # text; the stored receipt; then the upsert's transaction (a savepoint pair here, BEGIN
    # and COMMIT in a task), the receipt written and returned, the pair's application read
    # and updated. It was 14: the receipt was read again and the application updated twice.
    with django_assert_num_queries(12):
        match = match_application(application.pk)

    assert match.pk == Match.objects.get().pk
    application.refresh_from_db()
    assert application.match_score == match.score


def test_tasks_are_idempotent(python_job, pool):
    strong, _, _ = pool
    application = ApplicationFactory(job=python_job, candidate=strong)

    for _ in range(2):
        tasks.rank_candidates_for_job.delay(python_job.pk)
        tasks.rank_jobs_for_candidate.delay(strong.pk)
        tasks.score_application.delay(application.pk)
        if _ == 0:
            rows = _rows()

    assert _rows() == rows
    assert Match.objects.filter(job=python_job, candidate=strong).count() == 1


def test_tasks_do_nothing_for_rows_that_are_gone():
    assert tasks.rank_candidates_for_job.delay(987654).get() is None
    assert tasks.rank_jobs_for_candidate.delay(987654).get() is None
    assert tasks.score_application.delay(987654).get() is None


def test_submitting_an_application_sets_its_match_score(django_capture_on_commit_callbacks, python_job, pool):
    strong, _, _ = pool

    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(actor=strong.user, job=python_job, candidate=strong)

    application.refresh_from_db()
    assert application.match_score is not None
    assert application.match_score == Match.objects.get(job=python_job, candidate=strong).score


def test_opening_a_job_ranks_candidates(django_capture_on_commit_callbacks, org, recruiter, pool):
    job = JobFactory(organization=org, status="draft", title="Python developer")

    with django_capture_on_commit_callbacks(execute=True):
        job_open(actor=recruiter, job=job)

    assert Match.objects.filter(job=job).count() == 2


def test_changing_a_job_reranks_it(django_capture_on_commit_callbacks, recruiter, python_job, pool):
    match_job(python_job.pk)
    hashes = dict(Match.objects.values_list("candidate_id", "input_hash"))

    with django_capture_on_commit_callbacks(execute=True):
        job_update(actor=recruiter, job=python_job, min_years_experience=10)

    assert dict(Match.objects.values_list("candidate_id", "input_hash")).keys() == hashes.keys()
    assert all(Match.objects.get(candidate_id=c).input_hash != h for c, h in hashes.items())


def test_changing_a_profile_ranks_open_jobs(django_capture_on_commit_callbacks, python_job, candidate):
    with django_capture_on_commit_callbacks(execute=True):
        candidate_update(actor=candidate.user, candidate=candidate, skills=[{"name": "Python"}])

    assert Match.objects.filter(candidate=candidate, job=python_job).exists()


def test_an_openai_outage_falls_back_inside_the_task(openai_settings, fake_openai, python_job, pool):  # noqa: F811
    strong, _, _ = pool
    fake_openai.mode = "500"
    application = ApplicationFactory(job=python_job, candidate=strong)

    tasks.score_application.delay(application.pk)

    match = Match.objects.get(job=python_job, candidate=strong)
    assert (match.provider, match.fallback) == ("local", "retries_exhausted")
    assert match.breakdown["fallback"] == "retries_exhausted"
    assert fake_openai.total() == 4

    tasks.rank_candidates_for_job.delay(python_job.pk)

    assert set(Match.objects.values_list("fallback", flat=True)) == {"breaker_open"}
    assert fake_openai.total() == 4


def test_fallback_rows_are_rescored_by_openai_once_it_is_back(openai_settings, fake_openai, python_job, pool):  # noqa: F811
    strong, _, _ = pool
    application = ApplicationFactory(job=python_job, candidate=strong)
    fake_openai.mode = "400"
    match_application(application.pk)
    fake_openai.mode = "ok"

    match = match_application(application.pk)

    assert (match.provider, match.fallback) == ("openai", "")


def test_match_list_is_scoped_to_the_actor(python_job, pool, other_recruiter, staff):
    strong, _weak, _ = pool
    match_job(python_job.pk)
    colleague = MembershipFactory(organization=python_job.organization).user

    assert match_list(actor=colleague).count() == 2
    assert match_list(actor=other_recruiter).count() == 0
    assert match_list(actor=staff).count() == 2
    assert list(match_list(actor=strong.user).values_list("candidate_id", flat=True)) == [strong.pk]
    assert Application.objects.count() == 0


def test_the_match_admin_is_read_only_and_scoped(client, python_job, pool, other_recruiter):
    match_job(python_job.pk)
    colleague = MembershipFactory(organization=python_job.organization).user
    match = Match.objects.order_by("-score").first()
    changelist = reverse("admin:applications_match_changelist")
    change = reverse("admin:applications_match_change", args=[match.pk])

    client.force_login(colleague)
    listing = client.get(changelist)
    page = client.get(change)
    client.force_login(other_recruiter)
    outsider = client.get(changelist)

    assert listing.status_code == 200
    assert {m.pk for m in listing.context["cl"].result_list} == set(Match.objects.values_list("pk", flat=True))
    assert page.status_code == 200
    assert b"required_skills" in page.content
    assert b'name="_save"' not in page.content
    assert list(outsider.context["cl"].result_list) == []
