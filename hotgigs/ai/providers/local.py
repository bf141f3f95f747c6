"""The local provider: offline, deterministic, the default (rules in ``hotgigs.ai.scoring``).

Its text score is a hybrid (TF-IDF, BM25F over the candidate's fields, dense similarity).
The dense part is the bundled LSA projection, or with ``encoder="minilm"`` (setting
``AI_LOCAL_ENCODER``) the all-MiniLM-L6-v2 sentence model of the optional ``embeddings``
extra; asked for without the extra installed, LSA scores and ``model_version`` says so.
"""

import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from hotgigs.ai import embeddings, scoring, text, vocabulary
from hotgigs.ai.matrix import CandidateMatrix, JobMatrix
from hotgigs.ai.profiles import CandidateProfile, JobProfile
from hotgigs.ai.providers.base import Candidates
from hotgigs.ai.scoring import JobRanking, MatchResult, Ranking


@functools.cache
def data_digest() -> str:
    """First 12 hex digits of the SHA-256 of the bundled vocabulary and IDF files."""
    digest = hashlib.sha256()
    from hotgigs.ai import related

    for path in (
        vocabulary.VOCABULARY_FILE,
        text.IDF_FILE,
        related.RELATED_FILE,
        embeddings.LSA_TERMS_FILE,
        embeddings.LSA_VECTORS_FILE,
    ):
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


def dense_fit(cosine: "Any", encoder: str) -> "Any":
    """Dense cosine → [0, 1] (``scoring.DENSE_COSINE_FLOOR`` / ``SPAN`` of the encoder)."""
    import numpy as np

    floor, span = scoring.DENSE_COSINE_FLOOR[encoder], scoring.DENSE_COSINE_SPAN[encoder]
    return np.clip((cosine - floor) / span, 0.0, 1.0).astype(np.float32)


def hybrid_text(cosine: "Any", bm25f: "Any", dense: "Any", encoder: str) -> "dict[str, Any]":
    """The three parts of the hybrid text score, each in [0, 1]."""
    import numpy as np

    return {
        "tfidf": np.minimum(1.0, cosine / scoring.LOCAL_TEXT_SATURATION).astype(np.float32),
        "bm25f": np.minimum(1.0, bm25f / scoring.BM25F_SATURATION).astype(np.float32),
        "dense": dense_fit(dense, encoder),
    }


class LocalProvider:
    """Skills (with related-skill credit), experience, location and the hybrid text score."""

    name = "local"

    def __init__(self, encoder: str = "lsa") -> None:
        if encoder not in scoring.DENSE_COSINE_FLOOR:
            raise ValueError(f"Unknown encoder {encoder!r}; use 'lsa' or 'minilm'.")
        # Asked for the sentence model without the extra installed: LSA scores (model_version says so).
        self.encoder = encoder if encoder == "lsa" or embeddings.minilm_available() else "lsa"
        self.requested_encoder = encoder

    @property
    def text_method(self) -> str:
        return f"hybrid:tfidf+bm25f+{self.encoder}"

    @property
    def model_version(self) -> str:
        suffix = "" if self.encoder == "lsa" else f"+{self.encoder}"
        return f"local-v{scoring.SCORING_VERSION}+data-{data_digest()}{suffix}"

    def structured(self, job: JobProfile, matrix: CandidateMatrix) -> dict[str, "object"]:
        """The components that do not depend on text: skills, experience, location."""
        return {
            "required_skills": matrix.skill_coverage(job, required=True),
            "preferred_skills": matrix.skill_coverage(job, required=False),
            "experience": matrix.experience_fit(job),
            "location": matrix.location_fit(job),
        }

    def rank(self, job: JobProfile, candidates: Candidates) -> Ranking:
        matrix = as_matrix(candidates)
        components = self.structured(job, matrix)
        cosine = matrix.text_similarity(job)
        parts = hybrid_text(cosine, matrix.bm25f_score(job), matrix.dense_similarity(job, self.encoder), self.encoder)
        components["text_similarity"] = scoring.text_parts(parts, self.encoder)
        weights = scoring.applicable_weights(job)
        return Ranking(
            job=job,
            matrix=matrix,
            scores=scoring.combine(components, weights),  # type: ignore[arg-type]
            components=components,  # type: ignore[arg-type]
            weights=weights,
            provider=self.name,
            model_version=self.model_version,
            text_method=self.text_method,
            raw_text_similarity=cosine,
            text_parts=parts,
            details={"text_parts_weights": scoring.TEXT_PARTS_BY_ENCODER[self.encoder]},
        )

    def rank_jobs(self, candidate: CandidateProfile, jobs: Sequence[JobProfile] | JobMatrix) -> JobRanking:
        """Score ``candidate`` for every job at once (the mirror of :meth:`rank`)."""
        matrix = jobs if isinstance(jobs, JobMatrix) else JobMatrix.from_profiles(jobs)
        components = {
            "required_skills": matrix.skill_coverage(candidate, required=True),
            "preferred_skills": matrix.skill_coverage(candidate, required=False),
            "experience": matrix.experience_fit(candidate),
            "location": matrix.location_fit(candidate),
        }
        cosine = matrix.text_similarity(candidate)
        parts = hybrid_text(
            cosine, matrix.bm25f_score(candidate), matrix.dense_similarity(candidate, self.encoder), self.encoder
        )
        components["text_similarity"] = scoring.text_parts(parts, self.encoder)
        return JobRanking(
            candidate=candidate,
            jobs=matrix,
            scores=scoring.combine(components, job_weights(matrix)),
            components=components,
            provider=self.name,
            model_version=self.model_version,
            text_method=self.text_method,
            raw_text_similarity=cosine,
            text_parts=parts,
            details={"text_parts_weights": scoring.TEXT_PARTS_BY_ENCODER[self.encoder]},
        )

    def score_jobs(self, candidate: CandidateProfile, jobs: Sequence[JobProfile]) -> list[MatchResult]:
        ranking = self.rank_jobs(candidate, jobs)
        return [ranking.result(index) for index in range(len(ranking))]

    def rationale(self, job: JobProfile, candidate: CandidateProfile, result: MatchResult) -> str | None:
        return None
