"""The OpenAI provider through the real ``openai`` client against a loopback server."""

import pytest

from hotgigs.ai import CandidateProfile, JobProfile, get_provider
from hotgigs.ai.providers.local import LocalProvider
from hotgigs.ai.providers.openai_compat import BREAKER_NAME, OpenAIProvider
from hotgigs.ai.scoring import SCORING_VERSION
from hotgigs.resilience import get_breaker

pytestmark = pytest.mark.django_db

JOB = JobProfile.build(
    title="Backend engineer",
    description="Python, Django and PostgreSQL APIs.",
    skills=[("Python", "advanced", True), ("PostgreSQL", "intermediate", False)],
    min_years=3,
    location="Berlin, Germany",
)
CANDIDATES = [
    CandidateProfile.build(
        skills=[("Python", "advanced")], years=5, location="Berlin", summary="Python Django PostgreSQL"
    ),
    CandidateProfile.build(
        skills=[("Excel", "expert")], years=1, location="Lisbon", summary="Spreadsheets and budgets"
    ),
]


def test_settings_select_the_openai_provider_only_with_a_key(openai_settings):
    assert isinstance(get_provider(), OpenAIProvider)
    openai_settings.OPENAI_API_KEY = ""
    assert isinstance(get_provider(), LocalProvider)


def test_embeddings_score_the_text_and_are_cached(openai_settings, fake_openai):
    provider = get_provider()

    ranking = provider.rank(JOB, CANDIDATES)
    again = provider.rank(JOB, CANDIDATES)

    assert ranking.provider == "openai"
    assert ranking.fallback is None
    assert ranking.model_version == f"text-embedding-3-small+local-v{SCORING_VERSION}"
    assert ranking.top().tolist() == [0, 1]
    breakdown = ranking.result(0).breakdown
    assert breakdown["text_similarity"]["method"] == "embedding-cosine:text-embedding-3-small"
    assert breakdown["required_skills"]["matched"] == ["Python"]
    # One batched request for job + candidates; the second ranking is served from the cache.
    assert fake_openai.total() == 1
    assert again.scores.tolist() == ranking.scores.tolist()
    assert fake_openai.bodies[0]["model"] == "text-embedding-3-small"


@pytest.mark.parametrize("mode", ["429", "500"])
def test_transient_errors_are_retried_then_the_local_provider_scores(openai_settings, fake_openai, mode):
    fake_openai.mode = mode
    provider = get_provider()

    ranking = provider.rank(JOB, CANDIDATES)

    assert fake_openai.total() == 4  # one call and three retries
    assert ranking.provider == "local"
    assert ranking.fallback == "retries_exhausted"
    assert ranking.result(0).breakdown["fallback"] == "retries_exhausted"
    assert ranking.scores.tolist() == LocalProvider().rank(JOB, CANDIDATES).scores.tolist()


def test_timeouts_are_retried(openai_settings, fake_openai):
    openai_settings.OPENAI_TIMEOUT = 0.2
    openai_settings.RETRY_MAX_RETRIES = 1
    fake_openai.mode = "slow"
    fake_openai.delay = 1.0

    ranking = get_provider().rank(JOB, CANDIDATES)

    assert fake_openai.total() == 2
    assert ranking.fallback == "retries_exhausted"


def test_the_breaker_opens_and_calls_stop_until_it_recovers(openai_settings, fake_openai):
    fake_openai.mode = "500"
    provider = get_provider()

    first = provider.rank(JOB, CANDIDATES)
    second = provider.rank(JOB, CANDIDATES)
    fake_openai.mode = "ok"
    third = provider.score_jobs(CANDIDATES[0], [JOB])

    assert first.fallback == "retries_exhausted"
    assert get_breaker(BREAKER_NAME).state().state == "open"
    assert second.fallback == "breaker_open"
    assert third[0].fallback == "breaker_open"
    assert third[0].provider == "local"
    assert fake_openai.total() == 4  # nothing reached the server while the circuit was open


def test_a_client_error_is_not_retried_and_falls_back(openai_settings, fake_openai):
    fake_openai.mode = "400"

    ranking = get_provider().rank(JOB, CANDIDATES)

    assert fake_openai.total() == 1
    assert ranking.fallback == "provider_error"


def test_score_jobs_uses_embeddings(openai_settings, fake_openai):
    results = get_provider().score_jobs(
        CANDIDATES[0], [JOB, JobProfile.build(title="Pastry chef", description="Cakes")]
    )

    assert [r.provider for r in results] == ["openai", "openai"]
    assert results[0].score > results[1].score


def test_rationale_comes_from_the_chat_model_when_enabled(openai_settings, fake_openai):
    openai_settings.OPENAI_RATIONALE = True
    provider = get_provider()
    result = provider.rank(JOB, CANDIDATES).result(0)

    text = provider.rationale(JOB, CANDIDATES[0], result)

    assert text == "Strong fit: all required skills match."
    assert fake_openai.total("/v1/chat/completions") == 1
    assert fake_openai.bodies[-1]["model"] == "gpt-4o-mini"


def test_rationale_is_off_by_default_and_silent_on_errors(openai_settings, fake_openai):
    provider = get_provider()
    result = provider.rank(JOB, CANDIDATES).result(0)
    assert provider.rationale(JOB, CANDIDATES[0], result) is None

    openai_settings.OPENAI_RATIONALE = True
    fake_openai.mode = "500"
    assert get_provider().rationale(JOB, CANDIDATES[0], result) is None
