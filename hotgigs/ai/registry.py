"""Which provider scores: ``AI_PROVIDER`` = ``local`` (default) or ``openai``.

``openai`` takes effect only with ``OPENAI_API_KEY`` set (a local server that ignores keys
still needs a placeholder value); without it the local provider scores and a warning is
logged once per process, so a missing key never stops matching.
"""

import functools
import logging

from django.conf import settings

from hotgigs.ai.providers.base import MatchProvider
from hotgigs.ai.providers.local import LocalProvider

logger = logging.getLogger(__name__)


@functools.cache
def _warn_no_extra() -> None:
    logger.warning("AI_LOCAL_ENCODER=minilm but the 'embeddings' extra is not installed; scoring with LSA")


def local_provider() -> LocalProvider:
    """The local provider with ``settings.AI_LOCAL_ENCODER`` as its dense part."""
    provider = LocalProvider(encoder=getattr(settings, "AI_LOCAL_ENCODER", "lsa") or "lsa")
    if provider.encoder != provider.requested_encoder:
        _warn_no_extra()
    return provider


@functools.cache
def _warn_no_key() -> None:
    logger.warning("AI_PROVIDER=openai but OPENAI_API_KEY is empty; scoring with the local provider")


def get_provider(name: str | None = None) -> MatchProvider:
    """The provider named ``name`` (default: ``settings.AI_PROVIDER``), configured from settings."""
    name = (name or settings.AI_PROVIDER or "local").lower()
    if name == "openai":
        if not settings.OPENAI_API_KEY:
            _warn_no_key()
            return local_provider()
        from hotgigs.ai.providers.openai_compat import OpenAIProvider

        return OpenAIProvider(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            embedding_model=settings.OPENAI_EMBEDDING_MODEL,
            chat_model=settings.OPENAI_CHAT_MODEL,
            timeout=settings.OPENAI_TIMEOUT,
            rationale=settings.OPENAI_RATIONALE,
            cache_seconds=settings.OPENAI_EMBEDDING_CACHE_SECONDS,
        )
    if name != "local":
        raise ValueError(f"Unknown AI provider {name!r}; use 'local' or 'openai'.")
    return local_provider()
