"""The one interface every scoring provider implements."""

from collections.abc import Sequence
from typing import Protocol

from hotgigs.ai.matrix import CandidateMatrix
from hotgigs.ai.profiles import CandidateProfile, JobProfile
from hotgigs.ai.scoring import MatchResult, Ranking

Candidates = Sequence[CandidateProfile] | CandidateMatrix


class ProviderError(Exception):
    """The provider refused the request for a reason retrying will not fix (4xx, bad answer)."""


class MatchProvider(Protocol):
    """Scores candidates for jobs; see ``hotgigs.ai`` for the guarantees.

    ``name`` and ``model_version`` enter every receipt and its input hash. Neither method
    raises for an outage of an external service: a remote provider falls back to the
    local one and says so in ``Ranking.fallback`` / ``MatchResult.fallback``.
    """

    name: str

    @property
    def model_version(self) -> str: ...

    def rank(self, job: JobProfile, candidates: Candidates) -> Ranking:
        """Score every candidate for ``job`` (vectorised); ``Ranking.top(k)`` orders them."""
        ...

    def score_jobs(self, candidate: CandidateProfile, jobs: Sequence[JobProfile]) -> list[MatchResult]:
        """Score one candidate for each of ``jobs``, in the order given."""
        ...

    def rationale(self, job: JobProfile, candidate: CandidateProfile, result: MatchResult) -> str | None:
        """An optional one-sentence explanation of ``result`` for recruiters (None when off)."""
        ...
