"""The match score: five components in [0, 1], a weighted mean, scaled to 0–100.

========================  ======  ==================================================
component                 weight  value
========================  ======  ==================================================
``required_skills``       0.40    mean credit over the job's required skills
``preferred_skills``      0.10    mean credit over the job's preferred skills
``experience``            0.15    1 if the job asks for no years, else
                                  ``min(1, (years + 1) / (min_years + 1))``
``location``              0.10    see *Location* below
``text_similarity``       0.25    local: ``min(1, cosine / 0.5)`` of the TF-IDF vectors
                                  (``hotgigs.ai.text``; the job title and the candidate
                                  headline count ``TITLE_WEIGHT`` = 3 times); OpenAI: ``clip((cosine - 0.2)
                                  / 0.5, 0, 1)`` of the embeddings
========================  ======  ==================================================

*Skill credit*: 0 when the candidate lacks the skill, else ``1 - 0.2 × levels short`` of
the job's level (levels 1–4, so 1, 0.8, 0.6 or 0.4). A skill only mentioned in the
candidate's text counts at level 1. A job with no required (or no preferred) skills drops
that component and the other weights are rescaled to sum to 1, so a job that lists no
skills is judged on experience, location and text alone.

*Location*: first the place — 1 in the job's city (the first comma-separated part of
the location), 0.6 when another part matches (region, country), 0.5 when either side
names no place, 0.2 elsewhere. Then the policy — remote job: 1 for a candidate open to
remote, else ``max(place, 0.8)``; hybrid job: ``place``, at least 0.5 for a candidate
open to remote; on-site job: ``place``.

``score = round(100 × Σ weightᵢ × componentᵢ / Σ weightᵢ, 2)``.

Change any rule here and bump :data:`SCORING_VERSION`: it is part of every receipt's
input hash, so stored matches are recomputed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from hotgigs.ai.profiles import CandidateProfile, JobProfile

if TYPE_CHECKING:
    import numpy as np

    from hotgigs.ai.matrix import CandidateMatrix, JobMatrix

SCORING_VERSION = 2

WEIGHTS: dict[str, float] = {
    "required_skills": 0.40,
    "preferred_skills": 0.10,
    "experience": 0.15,
    "location": 0.10,
    "text_similarity": 0.25,
}
COMPONENTS = tuple(WEIGHTS)

LEVEL_STEP_PENALTY = 0.2
LOCAL_TEXT_SATURATION = 0.5
EMBEDDING_COSINE_FLOOR = 0.2
EMBEDDING_COSINE_SPAN = 0.5

# location_fit: where the candidate is relative to the job.
SAME_CITY = 1.0
SAME_REGION = 0.6
UNKNOWN_PLACE = 0.5
ELSEWHERE = 0.2
# Remote job: a candidate not marked open to remote still gets at least this.
REMOTE_NOT_OPTED_IN = 0.8
# Hybrid job: a candidate open to remote but living elsewhere gets at least this.
HYBRID_OPEN_TO_REMOTE = 0.5

FALLBACK_BREAKER_OPEN = "breaker_open"
FALLBACK_RETRIES_EXHAUSTED = "retries_exhausted"
FALLBACK_PROVIDER_ERROR = "provider_error"


def applicable_weights(job: JobProfile) -> dict[str, float]:
    """The weights that apply to ``job``, rescaled to sum to 1."""
    return weights_for(has_required=bool(job.required), has_preferred=bool(job.preferred))


def weights_for(*, has_required: bool, has_preferred: bool) -> dict[str, float]:
    """The weights of a job that does (not) list required and preferred skills, summing to 1."""
    weights = dict(WEIGHTS)
    if not has_required:
        del weights["required_skills"]
    if not has_preferred:
        del weights["preferred_skills"]
    total = sum(weights.values())
    return {name: round(value / total, 6) for name, value in weights.items()}


def combine(components: "Mapping[str, np.ndarray[Any, Any]]", weights: Mapping[str, Any]) -> "np.ndarray[Any, Any]":
    """The 0–100 scores (float64, 2 decimals) from component arrays and applicable weights.

    A weight is one number for every row, or an array with one per row (0 where the
    component does not apply to that row's job).
    """
    import numpy as np

    total: np.ndarray[Any, Any] | None = None
    for name, weight in weights.items():
        part = components[name].astype(np.float64) * weight
        total = part if total is None else total + part
    assert total is not None  # noqa: S101 - experience, location and text always apply
    return np.round(np.clip(total, 0.0, 1.0) * 100.0, 2)


@dataclass(frozen=True)
class MatchResult:
    """One scored pair: the score and the receipt's breakdown (JSON-ready)."""

    score: float
    breakdown: dict[str, Any]
    provider: str
    model_version: str
    fallback: str | None = None


@dataclass(kw_only=True)
class _Scores:
    """What both rankings hold: one score and one value per component for each row.

    ``provider`` and ``model_version`` name what actually scored; ``fallback`` says why the
    local provider scored instead of the one asked for (``None`` when it did not).
    """

    scores: "np.ndarray[Any, Any]"
    components: "dict[str, np.ndarray[Any, Any]]"
    provider: str
    model_version: str
    fallback: str | None = None
    text_method: str = "tfidf-cosine"
    raw_text_similarity: "np.ndarray[Any, Any] | None" = None
    details: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    def top(self, k: int | None = None) -> "np.ndarray[Any, Any]":
        """Row indices of the ``k`` best scores (all when None), best first, ties by row order."""
        return best_rows(self.scores, k)


@dataclass(kw_only=True)
class Ranking(_Scores):
    """Scores of one job against many candidates (a :class:`CandidateMatrix`), a row per candidate."""

    job: JobProfile
    matrix: "CandidateMatrix"
    weights: dict[str, float]

    def with_fallback(self, fallback: str) -> "Ranking":
        return replace(self, fallback=fallback)

    def result(self, index: int) -> MatchResult:
        """The score and receipt breakdown of row ``index``."""
        return receipt(self, index, self.job, self.matrix.profiles[index], self.weights)


@dataclass(kw_only=True)
class JobRanking(_Scores):
    """Scores of one candidate against many jobs (a :class:`~hotgigs.ai.matrix.JobMatrix`), a row per job.

    Each job keeps its own applicable weights (a job without preferred skills drops them).
    """

    candidate: CandidateProfile
    jobs: "JobMatrix"

    def result(self, index: int) -> MatchResult:
        """The score and receipt breakdown of job row ``index``."""
        job = self.jobs.profiles[index]
        return receipt(self, index, job, self.candidate, applicable_weights(job))


def best_rows(scores: "np.ndarray[Any, Any]", k: int | None) -> "np.ndarray[Any, Any]":
    """Indices of the ``k`` best ``scores`` (all when None), best first, ties by index."""
    import numpy as np

    n = int(scores.shape[0])
    if k is None or k >= n:
        rows = np.arange(n)
    else:
        # argpartition on -score, then keep every row tied with the k-th so ties break by index.
        kth = np.partition(-scores, k - 1)[k - 1]
        rows = np.flatnonzero(-scores <= kth)
    order = np.lexsort((rows, -scores[rows]))
    return rows[order][: (n if k is None else k)]


def receipt(
    ranking: _Scores,
    index: int,
    job: JobProfile,
    candidate: CandidateProfile,
    weights: dict[str, float],
) -> MatchResult:
    """The MatchResult of one pair of a ranking: its score and the receipt's breakdown."""
    components = {name: round(float(ranking.components[name][index]), 4) for name in COMPONENTS}
    breakdown: dict[str, Any] = {
        "scoring_version": SCORING_VERSION,
        "score": float(ranking.scores[index]),
        "weights": weights,
        "components": {name: components[name] for name in weights},
        "required_skills": skill_lists(job, candidate, required=True),
        "preferred_skills": skill_lists(job, candidate, required=False),
        "experience": {
            "candidate_years": candidate.years,
            "job_min_years": job.min_years,
            "fit": components["experience"],
        },
        "location": {
            "job_location": job.location,
            "job_remote_policy": job.remote_policy,
            "candidate_location": candidate.location,
            "candidate_open_to_remote": candidate.open_to_remote,
            "fit": components["location"],
        },
        "text_similarity": {
            "method": ranking.text_method,
            "similarity": components["text_similarity"],
        },
        "provider": ranking.provider,
        "model_version": ranking.model_version,
        "fallback": ranking.fallback,
    }
    if ranking.raw_text_similarity is not None:
        breakdown["text_similarity"]["cosine"] = round(float(ranking.raw_text_similarity[index]), 4)
    breakdown.update(ranking.details)
    return MatchResult(
        score=float(ranking.scores[index]),
        breakdown=breakdown,
        provider=ranking.provider,
        model_version=ranking.model_version,
        fallback=ranking.fallback,
    )


def skill_credit(job_level: int, candidate_level: int | None) -> float:
    """The credit of one skill (see the module docstring)."""
    if not candidate_level:
        return 0.0
    return 1.0 - LEVEL_STEP_PENALTY * max(0, job_level - candidate_level)


def skill_lists(job: JobProfile, candidate: CandidateProfile, *, required: bool) -> dict[str, list[str]]:
    """Names of the job's required (or preferred) skills the candidate has, lacks, or has below level.

    ``matched`` holds every skill the candidate has (at any level); ``below_level`` the
    matched ones under the job's level; ``from_text`` the matched ones found only in the
    candidate's text.
    """
    matched: list[str] = []
    missing: list[str] = []
    below: list[str] = []
    from_text: list[str] = []
    for skill in job.skills:
        if skill.required != required:
            continue
        level = candidate.skills.get(skill.key)
        if level is None:
            missing.append(skill.name)
            continue
        matched.append(skill.name)
        if level < skill.level:
            below.append(skill.name)
        if skill.key in candidate.inferred:
            from_text.append(skill.name)
    return {"matched": matched, "missing": missing, "below_level": below, "from_text": from_text}
