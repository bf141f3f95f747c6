"""The match score: five components in [0, 1], a weighted mean, scaled to 0–100.

========================  ======  ==================================================
component                 weight  value
========================  ======  ==================================================
``required_skills``       0.30    mean credit over the job's required skills
``preferred_skills``      0.075   mean credit over the job's preferred skills
``experience``            0.15    1 if the job asks for no years, else
                                  ``min(1, (years + 1) / (min_years + 1))``
``location``              0.10    see *Location* below
``text_similarity``       0.375   local: the hybrid text score below; OpenAI: ``clip((cosine
                                  - 0.2) / 0.5, 0, 1)`` of the embeddings
========================  ======  ==================================================

*Hybrid text score* (local provider): a weighted mean of three parts, each in [0, 1]
(``TEXT_PARTS_BY_ENCODER``; the receipt's ``text_similarity.parts`` shows each, and
``components_used`` names the parts with a weight):

* ``tfidf`` — ``min(1, cosine / 0.5)`` of the TF-IDF vectors (``hotgigs.ai.text``; the job
  title and the candidate headline count ``TITLE_WEIGHT`` = 3 times);
* ``bm25f`` — ``min(1, score / 0.5)`` of BM25F of the job over the candidate's fields
  (headline, the resume's skills / experience / education sections, the rest;
  ``hotgigs.ai.fields``);
* ``dense`` — ``clip((cosine - floor) / span, 0, 1)`` of dense vectors: the bundled LSA
  projection (``hotgigs.ai.embeddings``, floor 0.2, span 0.6) or, when the provider is
  configured with the optional sentence model, all-MiniLM-L6-v2 (floor 0.1, span 0.5).

*Skill credit*: 0 when the candidate lacks the skill, else ``1 - 0.2 × levels short`` of
the job's level (levels 1–4, so 1, 0.8, 0.6 or 0.4). A skill only mentioned in the
candidate's text counts at level 1. A skill the candidate lacks but for which they have a
related one (``hotgigs.ai.related``: O*NET / ESCO relations) earns ``RELATED_CREDIT`` = 0.2
times the credit of that related skill. A job with no required (or no preferred) skills drops
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

SCORING_VERSION = 4

# Text against skills: half of their 0.75 each (required 4 : preferred 1 within the skills).
# The quality bench's tuning half (``bench/matching_quality/run.py --tune``, 13 categories;
# its resumes list no skills, years or place) prefers more text the more it is given: mean
# nDCG@10 over its variants 0.616 at a half against 0.564 at the third it had before (LSA);
# with the sentence model 0.655 at a half, 0.670 at 0.7. A half is as far as principle
# lets it go: the text as a whole never outweighs the skills the job lists (for a job listing
# both kinds; one that lists only one kind shares the other's weight out, as below).
# Experience and location keep theirs by principle (the bench cannot see them: every resume
# is equal on them there).
WEIGHTS: dict[str, float] = {
    "required_skills": 0.30,
    "preferred_skills": 0.075,
    "experience": 0.15,
    "location": 0.10,
    "text_similarity": 0.375,
}
COMPONENTS = tuple(WEIGHTS)

LEVEL_STEP_PENALTY = 0.2
LOCAL_TEXT_SATURATION = 0.5
BM25F_SATURATION = 0.5
# The hybrid text score's parts and their weights per dense encoder (see the module
# docstring), each from the quality bench's tuning grid on its tuning half at the text share
# above (steps of 0.1). LSA: TF-IDF alone (BM25F and LSA earned no weight; their parts are
# still computed and shown in the receipt). MiniLM: TF-IDF 0.8, the sentence model 0.2
# (0.655 mean nDCG@10 on the tuning half; the even mix it had scored 0.638); BM25F no weight.
TEXT_PARTS_BY_ENCODER: dict[str, dict[str, float]] = {
    "lsa": {"tfidf": 1.0, "bm25f": 0.0, "dense": 0.0},
    "minilm": {"tfidf": 0.8, "bm25f": 0.0, "dense": 0.2},
}
TEXT_PARTS = TEXT_PARTS_BY_ENCODER["lsa"]
# Dense cosine → [0, 1]: clip((cosine - floor) / span), per encoder.
DENSE_COSINE_FLOOR = {"lsa": 0.2, "minilm": 0.1}
DENSE_COSINE_SPAN = {"lsa": 0.6, "minilm": 0.5}
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
    text_parts: "dict[str, np.ndarray[Any, Any]]" = field(default_factory=dict)
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
    part_weights = ranking.details.get("text_parts_weights", {})
    if ranking.text_parts:
        breakdown["text_similarity"]["parts"] = {
            name: round(float(values[index]), 4) for name, values in ranking.text_parts.items()
        }
        breakdown["text_similarity"]["part_weights"] = dict(part_weights)
    # Which signals scored this pair: the components that apply, and the text parts that weigh.
    breakdown["components_used"] = [name for name in COMPONENTS if name in weights] + [
        f"text_similarity.{name}" for name in ranking.text_parts if part_weights.get(name, 1.0) > 0
    ]
    breakdown.update({key: value for key, value in ranking.details.items() if key != "text_parts_weights"})
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


def credit_array(job_levels: Any, candidate_levels: "np.ndarray[Any, Any]") -> "np.ndarray[Any, Any]":
    """:func:`skill_credit` over arrays, for candidate levels > 0 (the caller masks the zeros)."""
    import numpy as np

    short = np.clip(np.asarray(job_levels, dtype=np.float32) - candidate_levels, 0.0, None)
    return (1.0 - LEVEL_STEP_PENALTY * short).astype(np.float32)


def text_parts(parts: "Mapping[str, np.ndarray[Any, Any]]", encoder: str = "lsa") -> "np.ndarray[Any, Any]":
    """The hybrid text score: the ``TEXT_PARTS_BY_ENCODER[encoder]``-weighted mean of the parts present."""
    import numpy as np

    used = {name: weight for name, weight in TEXT_PARTS_BY_ENCODER[encoder].items() if name in parts}
    total = sum(used.values())
    result = sum((parts[name].astype(np.float32) * (weight / total) for name, weight in used.items()))
    return np.clip(np.asarray(result, dtype=np.float32), 0.0, 1.0).astype(np.float32)


def skill_lists(job: JobProfile, candidate: CandidateProfile, *, required: bool) -> dict[str, Any]:
    """Names of the job's required (or preferred) skills the candidate has, lacks, or has below level.

    ``matched`` holds every skill the candidate has (at any level); ``below_level`` the
    matched ones under the job's level; ``from_text`` the matched ones found only in the
    candidate's text; ``related`` (present only when not empty) maps a missing skill to the
    related skill that earned partial credit for it.
    """
    from hotgigs.ai import related as related_skills
    from hotgigs.ai import vocabulary

    matched: list[str] = []
    missing: list[str] = []
    below: list[str] = []
    from_text: list[str] = []
    near: dict[str, str] = {}
    for skill in job.skills:
        if skill.required != required:
            continue
        level = candidate.skills.get(skill.key)
        if level is None:
            missing.append(skill.name)
            best = related_skills.best_related(skill.key, candidate.skills)
            if best is not None:
                near[skill.name] = candidate.names.get(best[0]) or vocabulary.skill_display_name(best[0])
            continue
        matched.append(skill.name)
        if level < skill.level:
            below.append(skill.name)
        if skill.key in candidate.inferred:
            from_text.append(skill.name)
    lists: dict[str, Any] = {"matched": matched, "missing": missing, "below_level": below, "from_text": from_text}
    if near:  # only when a related skill earned credit, so earlier receipts keep their shape
        lists["related"] = near
    return lists
