from tests.ai.fake_openai import fake_openai, openai_settings

__all__ = ["fake_openai", "openai_settings"]
