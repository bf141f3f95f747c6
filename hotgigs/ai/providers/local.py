"""The local provider: offline, deterministic, the default (rules in ``hotgigs.ai.scoring``)."""

import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from hotgigs.ai import scoring, text, vocabulary
from hotgigs.ai.matrix import CandidateMatrix, JobMatrix
from hotgigs.ai.profiles import CandidateProfile, JobProfile
from hotgigs.ai.providers.base import Candidates
from hotgigs.ai.scoring import JobRanking, MatchResult, Ranking


@functools.cache
def data_digest() -> str:
    """First 12 hex digits of the SHA-256 of the bundled vocabulary and IDF files."""
    digest = hashlib.sha256()
    for path in (vocabulary.VOCABULARY_FILE, text.IDF_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def as_matrix(candidates: Candidates) -> CandidateMatrix:
    return candidates if isinstance(candidates, CandidateMatrix) else CandidateMatrix.from_profiles(candidates)


def job_weights(matrix: JobMatrix) -> dict[str, Any]:
    """Per job row, each component's weight (0 where it does not apply; see ``applicable_weights``)."""
    import numpy as np

    has_required = np.diff(matrix.required.indptr) > 0
    has_preferred = np.diff(matrix.preferred.indptr) > 0
    weights = {name: np.zeros(len(matrix), dtype=np.float64) for name in scoring.COMPONENTS}
    for required in (False, True):
        for preferred in (False, True):
            rows = (has_required == required) & (has_preferred == preferred)
            for name, value in scoring.weights_for(has_required=required, has_preferred=preferred).items():
                weights[name][rows] = value
    return weights


class LocalProvider:
    """Skills through the vocabulary, experience, location and TF-IDF text similarity."""

    name = "local"

    @property
    def model_version(self) -> str:
        return f"local-v{scoring.SCORING_VERSION}+data-{data_digest()}"

    def structured(self, job: JobProfile, matrix: CandidateMatrix) -> dict[str, "object"]:
        """The components that do not depend on text: skills, experience, location."""
        return {
            "required_skills": matrix.skill_coverage(job, required=True),
            "preferred_skills": matrix.skill_coverage(job, required=False),
            "experience": matrix.experience_fit(job),
            "location": matrix.location_fit(job),
        }

    def rank(self, job: JobProfile, candidates: Candidates) -> Ranking:
        import numpy as np

        matrix = as_matrix(candidates)
        components = self.structured(job, matrix)
        cosine = matrix.text_similarity(job)
        components["text_similarity"] = np.minimum(1.0, cosine / scoring.LOCAL_TEXT_SATURATION).astype(np.float32)
        weights = scoring.applicable_weights(job)
        return Ranking(
            job=job,
            matrix=matrix,
            scores=scoring.combine(components, weights),  # type: ignore[arg-type]
            components=components,  # type: ignore[arg-type]
            weights=weights,
            provider=self.name,
            model_version=self.model_version,
            text_method="tfidf-cosine",
            raw_text_similarity=cosine,
        )

    def rank_jobs(self, candidate: CandidateProfile, jobs: Sequence[JobProfile] | JobMatrix) -> JobRanking:
        """Score ``candidate`` for every job at once (the mirror of :meth:`rank`)."""
        import numpy as np

        matrix = jobs if isinstance(jobs, JobMatrix) else JobMatrix.from_profiles(jobs)
        components = {
            "required_skills": matrix.skill_coverage(candidate, required=True),
            "preferred_skills": matrix.skill_coverage(candidate, required=False),
            "experience": matrix.experience_fit(candidate),
            "location": matrix.location_fit(candidate),
        }
        cosine = matrix.text_similarity(candidate)
        components["text_similarity"] = np.minimum(1.0, cosine / scoring.LOCAL_TEXT_SATURATION).astype(np.float32)
        return JobRanking(
            candidate=candidate,
            jobs=matrix,
            scores=scoring.combine(components, job_weights(matrix)),
            components=components,
            provider=self.name,
            model_version=self.model_version,
            text_method="tfidf-cosine",
            raw_text_similarity=cosine,
        )

    def score_jobs(self, candidate: CandidateProfile, jobs: Sequence[JobProfile]) -> list[MatchResult]:
        ranking = self.rank_jobs(candidate, jobs)
        return [ranking.result(index) for index in range(len(ranking))]

    def rationale(self, job: JobProfile, candidate: CandidateProfile, result: MatchResult) -> str | None:
        return None
