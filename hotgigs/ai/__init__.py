"""The matching engine: scores how well a candidate fits a job, 0–100, with a receipt.

Kernel code: it knows no domain app. Callers describe a job and candidates with
:class:`JobProfile` / :class:`CandidateProfile` (plain dataclasses) and ask a provider::

    from hotgigs.ai import CandidateMatrix, JobProfile, CandidateProfile, get_provider

    provider = get_provider()                      # settings.AI_PROVIDER: "local" | "openai"
    ranking = provider.rank(job, candidates)       # a list of profiles or a CandidateMatrix
    for row in ranking.top(100):                   # row indices, best first
        result = ranking.result(row)               # MatchResult: score, breakdown, provider, …
    results = provider.score_jobs(candidate, jobs) # one candidate against many jobs
    LocalProvider().rank_jobs(candidate, JobMatrix.from_profiles(jobs)).top(50)  # the same, vectorised

* :mod:`hotgigs.ai.scoring` — the formula, weights and receipt breakdown;
* :mod:`hotgigs.ai.providers.local` — offline, deterministic, the default;
* :mod:`hotgigs.ai.providers.openai_compat` — embeddings from any OpenAI-compatible server,
  behind the ``openai`` circuit breaker, falling back to local;
* :mod:`hotgigs.ai.hashing` — the input hash that decides whether a stored score is current;
* :mod:`hotgigs.ai.vocabulary` — skill spellings folded to canonical keys (data in ``data/``);
* :mod:`hotgigs.ai.dispatch` — how the jobs and candidates apps ask for ranking by task name.

numpy, scipy and openai are imported only inside the functions that use them, so importing
this package (or the URLconf) stays cheap.
"""

from hotgigs.ai.hashing import input_hash, input_hashes
from hotgigs.ai.matrix import CandidateMatrix, JobMatrix
from hotgigs.ai.profiles import CandidateProfile, JobProfile, SkillRequirement
from hotgigs.ai.providers.base import MatchProvider, ProviderError
from hotgigs.ai.registry import get_provider
from hotgigs.ai.scoring import SCORING_VERSION, JobRanking, MatchResult, Ranking

__all__ = [
    "SCORING_VERSION",
    "CandidateMatrix",
    "CandidateProfile",
    "JobMatrix",
    "JobProfile",
    "JobRanking",
    "MatchProvider",
    "MatchResult",
    "ProviderError",
    "Ranking",
    "SkillRequirement",
    "get_provider",
    "input_hash",
    "input_hashes",
]
