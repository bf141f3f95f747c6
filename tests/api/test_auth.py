import pytest

from tests.factories import CandidateFactory, UserFactory
from tests.factories.accounts import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
REFRESH_URL = "/api/v1/auth/refresh"
REVOKE_URL = "/api/v1/auth/revoke"

pytestmark = pytest.mark.django_db


def test_token_has_the_contract_shape(api_client, recruiter):
    response = api_client.post(TOKEN_URL, {"email": recruiter.email, "password": PASSWORD, "device_id": "ios-1"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "expires_in", "token_type", "scope", "jti", "device_id"}
    assert body["token_type"] == "Bearer"
    assert body["device_id"] == "ios-1"
    assert "jobs:write" in body["scope"].split()


def test_wrong_password_is_unauthorized(api_client, recruiter):
    response = api_client.post(TOKEN_URL, {"email": recruiter.email, "password": "nope"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_refresh_rotates_and_reuse_revokes_family(api_client, recruiter):
    first = api_client.post(TOKEN_URL, {"email": recruiter.email, "password": PASSWORD}, format="json").json()
    second = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")
    assert second.status_code == 200

    reuse = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")
    after = api_client.post(REFRESH_URL, {"refresh_token": second.json()["refresh_token"]}, format="json")

    assert reuse.status_code == 401
    assert reuse.json()["code"] == "UNAUTHORIZED"
    assert after.status_code == 401


def test_unknown_api_url_is_enveloped(api_client):
    response = api_client.get("/api/v1/nope")

    assert response.status_code == 404
    assert response.json() == {"code": "NOT_FOUND", "message": "No such endpoint or resource.", "details": None}


def test_register_creates_candidate(api_client):
    response = api_client.post(
        "/api/v1/auth/register",
        {"email": "new@example.test", "password": "A-long-passphrase-42", "full_name": "New Person"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["email"] == "new@example.test"
