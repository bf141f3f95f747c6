"""AI matching of candidates and jobs: rank, store score receipts, keep application scores.

The engine (``hotgigs.ai``) scores plain profiles; this module turns rows into profiles,
decides which pairs to score and keep, and writes :class:`Match` rows:

* :func:`match_job` — when a job opens or changes: rank its candidate pool (discoverable
  candidates and those the job's organization may already see), keep the best
  ``MATCH_TOP_CANDIDATES_PER_JOB``;
* :func:`match_candidate` — when a profile or resume changes: rank the open jobs, keep the
  best ``MATCH_TOP_JOBS_PER_CANDIDATE``;
* :func:`match_application` — when an application is submitted: score that pair and copy
  the score to ``Application.match_score``.

Guarantees, for all three:

* **Receipts.** Every stored match has its score, breakdown, provider, model version and
  input hash (``hotgigs.ai.hashing``). A pair whose stored hash equals the hash of its
  current inputs is left alone ("unchanged"): not rewritten and, where the engine allows
  it (one pair, one candidate against many jobs), not even recomputed.
* **Idempotent.** Writes are upserts on (job, candidate), so running the same call twice,
  or two workers at once, leaves the same rows with the same scores.
* **Always kept.** Pairs that are applications, and pairs already stored, are rescored
  on every run whatever their rank, so no stored score goes stale.
* **No outage errors.** A remote provider that is down falls back to the local one
  inside the engine (the receipt's ``fallback`` says so); these functions do not raise
  for it. They raise ``JobNotFound`` / ``CandidateNotFound`` / ``Application.DoesNotExist``
  only if the row asked for is gone — the tasks treat that as nothing to do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from applications.models import Application, Match
from applications.open_jobs import OpenJobsCache
from candidates.selectors import (
    candidate_for_matching_get,
    candidate_for_matching_list,
    candidate_shared_with,
    latest_resume_texts,
)
from hotgigs.ai import (
    CandidateProfile,
    JobProfile,
    MatchProvider,
    MatchResult,
    evidence,
    get_provider,
    input_hash,
    input_hashes,
)
from hotgigs.ai.redaction import Identity, region
from jobs.choices import JobStatus
from jobs.selectors import job_for_matching_get, job_for_matching_list

if TYPE_CHECKING:
    # Annotations only: the rows come from the jobs and candidates selectors.
    from candidates.models import Candidate
    from jobs.models import Job

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2_000


@dataclass
class MatchRun:
    """What one matching call did: counts of rows created, updated and left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    scored: int = 0
    provider: str = ""
    fallback: str | None = None
    skipped: str | None = None
    match_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain data (also the log fields, hence ``matches_`` names)."""
        return {
            "matches_created": self.created,
            "matches_updated": self.updated,
            "matches_unchanged": self.unchanged,
            "matches_scored": self.scored,
            "provider": self.provider,
            "fallback": self.fallback,
            "skipped": self.skipped,
        }


# Profiles -------------------------------------------------------------------------------


def job_profile(job: Job) -> JobProfile:
    """The engine's view of ``job`` (reads its skills; prefetch them for many jobs).

    Its location is reduced to the region, as the candidate's is (``hotgigs.ai.redaction.region``):
    the location component compares regions, so a move within one never changes a score.
    """
    return JobProfile.build(
        id=job.pk,
        title=job.title,
        description=job.description,
        skills=[(s.name, s.level, s.required) for s in job.skills.all()],
        min_years=job.min_years_experience,
        location=region(job.location),
        remote_policy=job.remote_policy,
    )


# The job board as a matrix, kept per process and refreshed as jobs change (``applications.open_jobs``).
OPEN_JOBS = OpenJobsCache(job_profile)


def candidate_profile(candidate: Candidate, *, resume_text: str | None = None) -> CandidateProfile:
    """The engine's view of ``candidate``: profile fields, skills and latest resume text, redacted.

    Fair by construction (``hotgigs.ai.redaction``): the engine, the input hash and any remote
    provider see the text without the candidate's name, contact details, age, address or
    gendered words, and the location as its region only. Nothing else of the row (the photo-free
    resume file, self-identification) is read.
    """
    if resume_text is None:
        resume_text = latest_resume_texts([candidate.pk]).get(candidate.pk, "")
    identity = Identity(
        names=(candidate.full_name,),
        emails=(candidate.email,),
        phones=(candidate.phone,),
        location=candidate.location,
    )
    return CandidateProfile.build(
        id=candidate.pk,
        skills=[(s.name, s.level) for s in candidate.skills.all()],
        years=candidate.years_experience,
        location=region(candidate.location),
        open_to_remote=candidate.open_to_remote,
        headline=identity.redact(candidate.headline),
        summary=identity.redact(candidate.summary),
        resume_text=identity.redact(resume_text),
    )


def _candidate_profiles(queryset: QuerySet[Candidate]) -> list[CandidateProfile]:
    candidates = list(queryset.prefetch_related("skills").order_by("pk").iterator(chunk_size=CHUNK_SIZE))
    texts = latest_resume_texts(c.pk for c in candidates)
    return [candidate_profile(c, resume_text=texts.get(c.pk, "")) for c in candidates]


def candidate_pool(job: Job) -> QuerySet[Candidate]:
    """The candidates ranked for ``job``.

    For an open job: those its organization's recruiters may see (the access rule of
    ``candidates.selectors.candidate_shared_with``) — discoverable ones, applicants to any of the
    organization's jobs, and the profiles it sourced — plus the job's applicants.
    For any other job: its applicants only.
    """
    applied_here = Q(Exists(Application.objects.filter(candidate_id=OuterRef("pk"), job_id=job.pk)))
    if job.status != JobStatus.OPEN:
        return candidate_for_matching_list(condition=applied_here)
    shared = candidate_shared_with(frozenset({job.organization_id}))
    return candidate_for_matching_list(condition=shared | applied_here)


# Storage --------------------------------------------------------------------------------


def _existing(*, job_id: int | None = None, candidate_id: int | None = None) -> dict[tuple[int, int], tuple[int, str]]:
    qs = Match.objects.all()
    if job_id is not None:
        qs = qs.filter(job_id=job_id)
    if candidate_id is not None:
        qs = qs.filter(candidate_id=candidate_id)
    return {(j, c): (pk, h) for pk, j, c, h in qs.values_list("pk", "job_id", "candidate_id", "input_hash")}


def _row(job: JobProfile, candidate: CandidateProfile, result: MatchResult, rationale: str | None) -> Match:
    assert job.id is not None  # noqa: S101 - profiles built from rows have ids
    assert candidate.id is not None  # noqa: S101
    breakdown = dict(result.breakdown)
    breakdown["evidence"] = evidence.skill_evidence(job, candidate)
    if rationale:
        breakdown["rationale"] = rationale
    return Match(
        job_id=job.id,
        candidate_id=candidate.id,
        score=Decimal(str(result.score)).quantize(Decimal("0.01")),
        breakdown=breakdown,
        provider=result.provider,
        model_version=result.model_version,
        fallback=result.fallback or "",
        rationale=rationale or "",
        input_hash=input_hash(job, candidate, provider=result.provider, model_version=result.model_version),
        computed_at=timezone.now(),
    )


@transaction.atomic
def _upsert(rows: Sequence[Match], run: MatchRun, existing: dict[tuple[int, int], tuple[int, str]]) -> None:
    """Insert or update ``rows`` on (job, candidate) and copy scores to their applications."""
    if not rows:
        return
    Match.objects.bulk_create(
        list(rows),
        update_conflicts=True,
        unique_fields=["job", "candidate"],
        update_fields=[
            "score",
            "breakdown",
            "provider",
            "model_version",
            "fallback",
            "rationale",
            "input_hash",
            "computed_at",
        ],
        batch_size=500,
    )
    for row in rows:
        if (row.job_id, row.candidate_id) in existing:
            run.updated += 1
        else:
            run.created += 1
    score_by_pair = {(row.job_id, row.candidate_id): row.score for row in rows}
    job_ids = {job_id for job_id, _ in score_by_pair}
    candidate_ids = {candidate_id for _, candidate_id in score_by_pair}
    applications = list(
        Application.objects.filter(job_id__in=job_ids, candidate_id__in=candidate_ids).only(
            "pk", "job_id", "candidate_id", "match_score"
        )
    )
    changed = []
    for application in applications:
        score = score_by_pair.get((application.job_id, application.candidate_id))
        if score is not None and application.match_score != score:
            application.match_score = score
            changed.append(application)
    Application.objects.bulk_update(changed, ["match_score"], batch_size=500)


def _rationale(
    provider: MatchProvider, job: JobProfile, candidate: CandidateProfile, result: MatchResult
) -> str | None:
    try:
        return provider.rationale(job, candidate, result)
    except Exception:
        # A rationale is a nicety; never lose the score for it.
        logger.exception("rationale failed", extra={"job_id": job.id, "candidate_id": candidate.id})
        return None


def _min_score() -> float:
    return float(settings.MATCH_MIN_SCORE_TO_STORE)


# The three entry points -----------------------------------------------------------------


def match_job(job_id: int, *, provider: MatchProvider | None = None) -> MatchRun:
    """Rank the candidate pool of job ``job_id`` and store the best matches (see the module docstring).

    Raises ``JobNotFound`` for a missing job.
    """
    provider = provider or get_provider()
    job = job_for_matching_get(job_id=job_id)
    profile = job_profile(job)
    candidates = _candidate_profiles(candidate_pool(job))
    run = MatchRun(provider=provider.name)
    if not candidates:
        run.skipped = "no candidates"
        return run
    ranking = provider.rank(profile, candidates)
    run.provider, run.fallback, run.scored = ranking.provider, ranking.fallback, len(ranking)
    existing = _existing(job_id=job.pk)
    applicants = set(Application.objects.filter(job_id=job.pk).values_list("candidate_id", flat=True))
    keep = {int(i) for i in ranking.top(settings.MATCH_TOP_CANDIDATES_PER_JOB) if ranking.scores[i] >= _min_score()}
    keep |= {i for i, c in enumerate(candidates) if c.id in applicants or (job.pk, c.id) in existing}
    wanted_hash = {
        i: input_hash(profile, candidates[i], provider=provider.name, model_version=provider.model_version)
        for i in keep
    }
    rows = []
    for i in sorted(keep):
        stored = existing.get((job.pk, candidates[i].id or 0))
        if stored is not None and stored[1] == wanted_hash[i]:
            run.unchanged += 1
            continue
        result = ranking.result(i)
        rows.append(_row(profile, candidates[i], result, _rationale(provider, profile, candidates[i], result)))
    _upsert(rows, run, existing)
    logger.info("matched job %s", job.pk, extra={"job_id": job.pk, **run.as_dict()})
    return run


def match_candidate(candidate_id: int, *, provider: MatchProvider | None = None) -> MatchRun:
    """Score the open jobs (and the jobs applied to) for candidate ``candidate_id``; keep the best.

    Pairs whose stored hash is current keep their stored score. With a provider that ranks a
    :class:`~hotgigs.ai.JobMatrix` (the local one), the open jobs come from the process's
    cached matrix (``applications.open_jobs``) and every job is scored in one vectorised call;
    input hashes and receipts are computed only for the pairs stored or kept. Raises
    ``CandidateNotFound``.
    """
    provider = provider or get_provider()
    candidate = candidate_for_matching_get(candidate_id=candidate_id)
    profile = candidate_profile(candidate)
    applied = set(Application.objects.filter(candidate_id=candidate.pk).values_list("job_id", flat=True))
    rank_jobs = getattr(provider, "rank_jobs", None)
    if rank_jobs is None:
        return _match_candidate_by_profiles(candidate, profile, applied, provider)
    import numpy as np

    board = OPEN_JOBS.get(provider)
    off_board = sorted(applied - board.row_of.keys())
    extra = (
        [job_profile(job) for job in job_for_matching_list(also_ids=off_board).filter(pk__in=off_board).order_by("pk")]
        if off_board
        else []
    )
    run = MatchRun(provider=provider.name)
    # (ranking, its rows' job ids) for the board and for the jobs applied to off the board.
    parts = []
    if len(board.matrix):
        parts.append((rank_jobs(profile, board.matrix), board.ids))
    if extra:
        parts.append((rank_jobs(profile, extra), np.asarray([job.id for job in extra], dtype=np.int64)))
    if not parts:
        run.skipped = "no jobs"
        return run
    ids = np.concatenate([part_ids for _, part_ids in parts])
    scores = np.concatenate([ranking.scores for ranking, _ in parts]).astype(np.float64)
    # Position of each ranked job in ``ids``; rows of the second part follow the first's.
    offsets = np.cumsum([0] + [len(part_ids) for _, part_ids in parts])
    extra_row = {job.id: index for index, job in enumerate(extra)}

    def locate(job_id: int) -> tuple[int, int] | None:
        """(part, row) of a job ranked in this call, or None."""
        if job_id in board.row_of and len(board.matrix):
            return 0, board.row_of[job_id]
        if job_id in extra_row:
            return len(parts) - 1, extra_row[job_id]
        return None

    def job_of(part: int, row: int) -> JobProfile:
        return parts[part][0].jobs.profiles[row]

    existing = _existing(candidate_id=candidate.pk)
    stored_scores = dict(Match.objects.filter(candidate_id=candidate.pk).values_list("job_id", "score"))
    stored_here = [(job_id, place) for job_id, _ in existing if (place := locate(job_id)) is not None]
    wanted = input_hashes(
        [job_of(*place) for _, place in stored_here],
        profile,
        provider=provider.name,
        model_version=provider.model_version,
    )
    unchanged: set[int] = set()
    for (job_id, (part, row)), wanted_hash in zip(stored_here, wanted, strict=True):
        if existing[(job_id, candidate.pk)][1] == wanted_hash:
            unchanged.add(job_id)
            scores[offsets[part] + row] = float(stored_scores[job_id])
    run.scored = len(ids) - len(unchanged)
    if run.scored:
        run.provider, run.fallback = parts[0][0].provider, next((r.fallback for r, _ in parts if r.fallback), None)
    order = np.lexsort((ids, -scores))[: settings.MATCH_TOP_JOBS_PER_CANDIDATE]
    keep = {int(ids[index]) for index in order if scores[index] >= _min_score()}
    keep |= applied | {job_id for job_id, _ in existing}
    rows = []
    for job_id in sorted(keep):
        place = locate(job_id)
        if place is None:
            continue
        if job_id in unchanged:
            run.unchanged += 1
            continue
        ranking, job = parts[place[0]][0], job_of(*place)
        result = ranking.result(place[1])
        rows.append(_row(job, profile, result, _rationale(provider, job, profile, result)))
    _upsert(rows, run, existing)
    logger.info("matched candidate %s", candidate.pk, extra={"candidate_id": candidate.pk, **run.as_dict()})
    return run


def _match_candidate_by_profiles(
    candidate: Candidate, profile: CandidateProfile, applied: set[int], provider: MatchProvider
) -> MatchRun:
    """:func:`match_candidate` for a provider that scores lists of profiles (no job matrix)."""
    jobs = list(job_for_matching_list(also_ids=applied).order_by("pk"))
    run = MatchRun(provider=provider.name)
    if not jobs:
        run.skipped = "no jobs"
        return run
    existing = _existing(candidate_id=candidate.pk)
    stored_scores = dict(Match.objects.filter(candidate_id=candidate.pk).values_list("job_id", "score"))
    profiles = [job_profile(job) for job in jobs]
    current: dict[int, float] = {}
    stale: list[JobProfile] = []
    for job in profiles:
        assert job.id is not None  # noqa: S101
        stored = existing.get((job.id, candidate.pk))
        wanted = input_hash(job, profile, provider=provider.name, model_version=provider.model_version)
        if stored is not None and stored[1] == wanted:
            current[job.id] = float(stored_scores[job.id])
        else:
            stale.append(job)
    results = dict(zip([job.id for job in stale], provider.score_jobs(profile, stale), strict=True))
    run.scored = len(results)
    for job_id, result in results.items():
        assert job_id is not None  # noqa: S101
        current[job_id] = result.score
        run.provider, run.fallback = result.provider, result.fallback or run.fallback
    best = sorted(current, key=lambda job_id: (-current[job_id], job_id))[: settings.MATCH_TOP_JOBS_PER_CANDIDATE]
    keep = {job_id for job_id in best if current[job_id] >= _min_score()}
    keep |= applied | {job_id for job_id, _ in existing}
    by_id = {job.id: job for job in profiles}
    rows = []
    for job_id in sorted(keep):
        if job_id not in by_id:
            continue
        if job_id not in results:
            run.unchanged += 1
            continue
        job = by_id[job_id]
        rows.append(_row(job, profile, results[job_id], _rationale(provider, job, profile, results[job_id])))
    _upsert(rows, run, existing)
    logger.info("matched candidate %s", candidate.pk, extra={"candidate_id": candidate.pk, **run.as_dict()})
    return run


def match_application(application_id: int, *, provider: MatchProvider | None = None) -> Match:
    """Score the pair of application ``application_id``, store its receipt and its ``match_score``.

    An unchanged pair is not recomputed (its stored score is copied if the application
    lacks it). Raises ``Application.DoesNotExist``.
    """
    provider = provider or get_provider()
    application = Application.objects.only("pk", "job_id", "candidate_id", "match_score").get(pk=application_id)
    job = job_for_matching_get(job_id=application.job_id)
    job_view = job_profile(job)
    candidate = candidate_for_matching_get(candidate_id=application.candidate_id)
    candidate_view = candidate_profile(candidate)
    existing = _existing(job_id=job.pk, candidate_id=candidate.pk)
    stored = existing.get((job.pk, candidate.pk))
    wanted = input_hash(job_view, candidate_view, provider=provider.name, model_version=provider.model_version)
    run = MatchRun(provider=provider.name)
    if stored is None or stored[1] != wanted:
        (result,) = provider.score_jobs(candidate_view, [job_view])
        row = _row(job_view, candidate_view, result, _rationale(provider, job_view, candidate_view, result))
        # The upsert also copies the score to the pair's application.
        _upsert([row], run, existing)
        if row.pk is None:  # a database that does not return the ids of an upsert
            row = Match.objects.get(job_id=job.pk, candidate_id=candidate.pk)
        return row
    match = Match.objects.get(job_id=job.pk, candidate_id=candidate.pk)
    if application.match_score != match.score:
        Application.objects.filter(pk=application.pk).update(match_score=match.score)
    return match
