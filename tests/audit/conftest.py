import pytest
from rest_framework.test import APIClient

from hotgigs.accounts.tokens import token_issue
from tests.factories.accounts import PASSWORD


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """``login(user)`` → an APIClient sending that user's bearer token."""

    def _login(user) -> APIClient:  # type: ignore[no-untyped-def]
        pair = token_issue(email=user.email, password=PASSWORD)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
        return client

    return _login
