"""The OpenAI provider: embeddings for text similarity, any OpenAI-compatible server.

The score keeps the local provider's structured components (skills, experience,
location) and replaces the text-similarity component with the cosine of embeddings
(``OPENAI_EMBEDDING_MODEL``), mapped by ``clip((cosine - 0.2) / 0.5, 0, 1)``, so receipts
have the same breakdown whichever provider scored. With ``OPENAI_RATIONALE`` a chat model
(``OPENAI_CHAT_MODEL``) may add a one-sentence rationale; it never changes the score.

Every request goes through the circuit breaker ``get_breaker("openai")`` inside
``hotgigs.resilience.retry`` (at most ``RETRY_MAX_RETRIES`` retries, exponential backoff,
full jitter). The ``openai`` client's own retries are off (``max_retries=0``) so there is
exactly one retry policy. Timeouts, connection errors, 429 and 5xx answers are
:class:`TransientError` (retried); other 4xx answers are :class:`ProviderError` (not).
When the breaker is open, the retries are spent or the server refuses, the local
provider scores instead and the result says why (``fallback``); nothing is raised.

Embeddings are cached in the Django cache by model and text hash
(``OPENAI_EMBEDDING_CACHE_SECONDS``), so ranking the same candidates again costs no call.
"""

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from hotgigs.ai import scoring
from hotgigs.ai.matrix import CandidateMatrix
from hotgigs.ai.profiles import CandidateProfile, JobProfile
from hotgigs.ai.providers.base import Candidates, ProviderError
from hotgigs.ai.providers.local import LocalProvider, as_matrix
from hotgigs.ai.scoring import MatchResult, Ranking
from hotgigs.resilience import CircuitOpenError, TransientError, get_breaker, retry

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

BREAKER_NAME = "openai"
# Characters of one text sent for embedding (about 2,000 tokens: well inside 8,191).
MAX_EMBEDDING_CHARS = 8_000
EMBEDDING_BATCH = 128
R = TypeVar("R")


class OpenAIProvider:
    """Embeddings from an OpenAI-compatible ``/v1/embeddings``; see the module docstring."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        embedding_model: str = "text-embedding-3-small",
        chat_model: str = "gpt-4o-mini",
        timeout: float = 10.0,
        rationale: bool = False,
        cache_seconds: int = 30 * 24 * 3600,
        local: LocalProvider | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url or None
        self.embedding_model = embedding_model
        self.chat_model = chat_model
        self.timeout = timeout
        self.rationale_enabled = rationale
        self.cache_seconds = cache_seconds
        self.local = local or LocalProvider()
        self._client: Any = None

    @property
    def model_version(self) -> str:
        return f"{self.embedding_model}+local-v{scoring.SCORING_VERSION}"

    # Transport ------------------------------------------------------------------------

    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self.api_key, base_url=self.base_url, timeout=self.timeout, max_retries=0
            )
        return self._client

    def _guarded(self, call: Callable[[], R]) -> R:
        """``call()`` through the breaker and the retry policy, openai errors mapped."""
        import openai

        def attempt() -> R:
            try:
                return call()
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                raise TransientError(f"OpenAI request failed: {type(exc).__name__}") from exc
            except openai.APIStatusError as exc:
                if exc.status_code == 429 or exc.status_code >= 500 or exc.status_code == 408:
                    raise TransientError(f"OpenAI answered {exc.status_code}") from exc
                raise ProviderError(f"OpenAI answered {exc.status_code}") from exc
            except openai.OpenAIError as exc:
                raise ProviderError(f"OpenAI error: {type(exc).__name__}") from exc

        breaker = get_breaker(BREAKER_NAME)
        return retry(lambda: breaker.call(attempt))

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        response = self._guarded(
            lambda: self.client().embeddings.create(model=self.embedding_model, input=texts, encoding_format="float")
        )
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts):
            raise ProviderError(f"Expected {len(texts)} embeddings, got {len(data)}.")
        return [list(item.embedding) for item in data]

    def embed(self, texts: Sequence[str]) -> "np.ndarray[Any, Any]":
        """Unit-length float32 embeddings of ``texts`` (cached); raises the transport's errors."""
        import numpy as np
        from django.core.cache import cache

        clipped = [(text or " ")[:MAX_EMBEDDING_CHARS] for text in texts]
        keys = [f"ai:emb:{self.embedding_model}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}" for text in clipped]
        found: dict[str, Any] = cache.get_many(list(dict.fromkeys(keys)))
        missing = [i for i, key in enumerate(keys) if key not in found]
        unique_missing = list(dict.fromkeys(keys[i] for i in missing))
        text_of = {keys[i]: clipped[i] for i in missing}
        for start in range(0, len(unique_missing), EMBEDDING_BATCH):
            batch_keys = unique_missing[start : start + EMBEDDING_BATCH]
            vectors = self._embed_batch([text_of[key] for key in batch_keys])
            fresh = dict(zip(batch_keys, vectors, strict=True))
            cache.set_many(fresh, timeout=self.cache_seconds)
            found.update(fresh)
        matrix = np.asarray([found[key] for key in keys], dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    # Scoring --------------------------------------------------------------------------

    def rank(self, job: JobProfile, candidates: Candidates) -> Ranking:
        matrix = as_matrix(candidates)
        try:
            vectors = self.embed([job.text, *(profile.text for profile in matrix.profiles)])
        except CircuitOpenError:
            return self._fallback(job, matrix, scoring.FALLBACK_BREAKER_OPEN)
        except TransientError:
            return self._fallback(job, matrix, scoring.FALLBACK_RETRIES_EXHAUSTED)
        except ProviderError:
            logger.exception("OpenAI provider failed; scoring locally", extra={"job_id": job.id})
            return self._fallback(job, matrix, scoring.FALLBACK_PROVIDER_ERROR)
        return self._rank_with(job, matrix, vectors[0], vectors[1:])

    def _rank_with(
        self,
        job: JobProfile,
        matrix: CandidateMatrix,
        job_vector: "np.ndarray[Any, Any]",
        candidate_vectors: "np.ndarray[Any, Any]",
    ) -> Ranking:
        import numpy as np

        components = self.local.structured(job, matrix)
        cosine = np.clip(candidate_vectors @ job_vector, -1.0, 1.0).astype(np.float32)
        components["text_similarity"] = np.clip(
            (cosine - scoring.EMBEDDING_COSINE_FLOOR) / scoring.EMBEDDING_COSINE_SPAN, 0.0, 1.0
        ).astype(np.float32)
        weights = scoring.applicable_weights(job)
        return Ranking(
            job=job,
            matrix=matrix,
            scores=scoring.combine(components, weights),  # type: ignore[arg-type]
            components=components,  # type: ignore[arg-type]
            weights=weights,
            provider=self.name,
            model_version=self.model_version,
            text_method=f"embedding-cosine:{self.embedding_model}",
            raw_text_similarity=cosine,
        )

    def _fallback(self, job: JobProfile, matrix: CandidateMatrix, reason: str) -> Ranking:
        logger.warning(
            "OpenAI provider unavailable (%s); scoring job %s locally", reason, job.id, extra={"fallback": reason}
        )
        return self.local.rank(job, matrix).with_fallback(reason)

    def score_jobs(self, candidate: CandidateProfile, jobs: Sequence[JobProfile]) -> list[MatchResult]:
        if not jobs:
            return []
        matrix = CandidateMatrix.from_profiles([candidate])
        try:
            vectors = self.embed([candidate.text, *(job.text for job in jobs)])
        except CircuitOpenError:
            reason = scoring.FALLBACK_BREAKER_OPEN
        except TransientError:
            reason = scoring.FALLBACK_RETRIES_EXHAUSTED
        except ProviderError:
            logger.exception("OpenAI provider failed; scoring locally", extra={"candidate_id": candidate.id})
            reason = scoring.FALLBACK_PROVIDER_ERROR
        else:
            return [self._rank_with(job, matrix, vectors[i + 1], vectors[:1]).result(0) for i, job in enumerate(jobs)]
        return [self._fallback(job, matrix, reason).result(0) for job in jobs]

    def rationale(self, job: JobProfile, candidate: CandidateProfile, result: MatchResult) -> str | None:
        """One sentence from the chat model when ``OPENAI_RATIONALE`` is on; None on any failure."""
        if not self.rationale_enabled or result.fallback:
            return None
        facts = result.breakdown
        prompt = (
            f"Job: {job.title}. Score {result.score:.0f}/100. "
            f"Required skills matched: {', '.join(facts['required_skills']['matched']) or 'none'}; "
            f"missing: {', '.join(facts['required_skills']['missing']) or 'none'}. "
            f"Candidate has {candidate.years} years of experience (job asks {job.min_years}); "
            f"location fit {facts['location']['fit']:.2f}. "
            "In one short sentence, explain this match score to a recruiter."
        )
        try:
            response = self._guarded(
                lambda: self.client().chat.completions.create(
                    model=self.chat_model,
                    messages=[
                        {
                            "role": "system",
                            "content": "You explain candidate-job match scores in one factual sentence.",
                        },
                        {"role": "user", "content": prompt},
                    ],
                    max_tokens=80,
                    temperature=0,
                )
            )
        except (CircuitOpenError, TransientError, ProviderError):
            return None
        content = response.choices[0].message.content if response.choices else None
        return " ".join(content.split())[:500] if content else None
