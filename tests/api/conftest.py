"""API fixtures: a client and a way to log in as anyone and get a bearer token."""

import pytest
from rest_framework.test import APIClient

from hotgigs.accounts.tokens import token_issue
from tests.factories.accounts import PASSWORD


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """``login(user, scope=None)`` → an APIClient sending that user's bearer token."""

    def _login(user, scope: str | None = None) -> APIClient:  # type: ignore[no-untyped-def]
        pair = token_issue(email=user.email, password=PASSWORD, scope=scope)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
        client.token_pair = pair  # type: ignore[attr-defined]
        return client

    return _login
