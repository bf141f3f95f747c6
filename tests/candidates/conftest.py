"""Fixtures of the candidate tests: a private resume folder per test, and bearer-token clients."""

import pytest
from rest_framework.test import APIClient

from hotgigs.accounts.tokens import token_issue
from tests.factories.accounts import PASSWORD


@pytest.fixture(autouse=True)
def resume_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Resume files of this test go to a folder of its own (the ``resumes`` storage)."""
    folder = tmp_path / "resumes-private"
    settings.RESUME_STORAGE_ROOT = str(folder)
    settings.STORAGES = {
        **settings.STORAGES,
        "resumes": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return folder


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """``login(user, scope=None)`` → an APIClient sending that user's bearer token."""

    def _login(user, scope: str | None = None) -> APIClient:  # type: ignore[no-untyped-def]
        pair = token_issue(email=user.email, password=PASSWORD, scope=scope)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
        return client

    return _login


def stored_files(folder) -> list:  # type: ignore[no-untyped-def]
    """Every file under the resume folder."""
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []
