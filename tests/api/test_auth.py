"""The token endpoints and the authentication of every request (issue 3, items 1 and 2)."""

import base64
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.db.models import F
from rest_framework.test import APIClient

from hotgigs.accounts.models import TokenFamily, User
from hotgigs.accounts.scopes import RECRUITER_SCOPES
from tests.conftest import require_service
from tests.factories import CandidateFactory, UserFactory
from tests.factories.accounts import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
REFRESH_URL = "/api/v1/auth/refresh"
REVOKE_URL = "/api/v1/auth/revoke"
REGISTER_URL = "/api/v1/auth/register"
PROTECTED_URL = "/api/v1/auth/me"

pytestmark = pytest.mark.django_db


def _issue(api_client, user, **extra):
    response = api_client.post(TOKEN_URL, {"email": user.email, "password": PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _forge(claims: dict, *, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or settings.SIMPLE_JWT["SIGNING_KEY"], algorithm=algorithm)


# --- issuing ---------------------------------------------------------------------------


def test_token_has_the_contract_shape(api_client, recruiter):
    body = _issue(api_client, recruiter, device_id="ios-1")

    assert set(body) == {"access_token", "refresh_token", "expires_in", "token_type", "scope", "jti", "device_id"}
    assert body["token_type"] == "Bearer"
    assert body["device_id"] == "ios-1"
    assert body["expires_in"] == int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())
    assert body["scope"].split() == list(RECRUITER_SCOPES)
    assert _claims(body["access_token"])["jti"] == body["jti"]


def test_access_token_pins_audience_issuer_and_expiry(api_client, recruiter):
    pair = _issue(api_client, recruiter)
    claims = _claims(pair["access_token"])

    assert claims["aud"] == settings.SIMPLE_JWT["AUDIENCE"]
    assert claims["iss"] == settings.SIMPLE_JWT["ISSUER"]
    # simplejwt counts the access token's expiry from the moment its refresh token was made;
    # the access token's own iat may be a second later on a busy machine.
    issued = _claims(pair["refresh_token"])["iat"]
    assert claims["exp"] - issued == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert jwt.get_unverified_header(_issue(api_client, recruiter)["access_token"])["alg"] == "HS256"


def test_candidate_scopes_exclude_recruiting(api_client, candidate):
    scopes = _issue(api_client, candidate.user)["scope"].split()

    assert "jobs:read" in scopes
    assert "jobs:write" not in scopes
    assert "feedback:read" not in scopes
    assert "analytics:read" not in scopes


def test_scope_can_be_narrowed(api_client, recruiter):
    body = _issue(api_client, recruiter, scope="jobs:read applications:read")

    assert body["scope"] == "jobs:read applications:read"


def test_scope_cannot_be_widened(api_client, candidate):
    response = api_client.post(
        TOKEN_URL, {"email": candidate.user.email, "password": PASSWORD, "scope": "jobs:read jobs:write"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "scope" in response.json()["details"]
    assert not TokenFamily.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nobody@example.test", "password": PASSWORD},
        {"email": "{user}", "password": "wrong-password"},
    ],
    ids=["unknown-email", "wrong-password"],
)
def test_bad_credentials_are_unauthorized(api_client, recruiter, body):
    body = {**body, "email": body["email"].replace("{user}", recruiter.email)}

    response = api_client.post(TOKEN_URL, body, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_inactive_user_cannot_log_in(api_client):
    user = UserFactory(is_active=False)

    response = api_client.post(TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json")

    assert response.status_code == 401


def test_email_is_case_insensitive(api_client, recruiter):
    response = api_client.post(TOKEN_URL, {"email": recruiter.email.upper(), "password": PASSWORD}, format="json")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "a@b.test"}, {"password": "x"}, {"email": "a@b.test", "password": "x", "role": "staff"}],
    ids=["empty", "no-password", "no-email", "unknown-field"],
)
def test_token_request_validation(api_client, body):
    response = api_client.post(TOKEN_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


# --- refresh and token families ----------------------------------------------------------


def test_refresh_rotates(api_client, recruiter):
    first = _issue(api_client, recruiter, device_id="web")

    response = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["device_id"] == "web"
    assert second["scope"] == first["scope"]
    assert _claims(second["refresh_token"])["fam"] == _claims(first["refresh_token"])["fam"]


def test_reusing_a_rotated_refresh_token_revokes_the_family(api_client, recruiter):
    first = _issue(api_client, recruiter)
    second = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json").json()
    TokenFamily.objects.update(last_rotated_at=F("last_rotated_at") - timedelta(minutes=5))

    reuse = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    assert reuse.status_code == 401
    assert reuse.json()["code"] == "UNAUTHORIZED"
    family = TokenFamily.objects.get()
    assert family.revoke_reason == "reuse"
    # The legitimate holder's newer tokens die with the family.
    assert api_client.post(REFRESH_URL, {"refresh_token": second["refresh_token"]}, format="json").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access_token']}")
    assert api_client.get(PROTECTED_URL).status_code == 401


def test_a_second_tab_refreshing_the_same_token_gets_the_same_pair(api_client, recruiter):
    first = _issue(api_client, recruiter)
    tab_one = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    tab_two = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    assert tab_two.status_code == 200
    assert tab_two.json() == tab_one.json()
    assert TokenFamily.objects.get().revoked_at is None
    # Both tabs now hold a working pair, and the shared refresh token rotates once more.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tab_two.json()['access_token']}")
    assert api_client.get(PROTECTED_URL).status_code == 200
    api_client.credentials()
    assert (
        api_client.post(REFRESH_URL, {"refresh_token": tab_two.json()["refresh_token"]}, format="json").status_code
        == 200
    )


def test_reuse_after_the_grace_revokes_the_family(api_client, recruiter):
    first = _issue(api_client, recruiter)
    api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")
    TokenFamily.objects.update(last_rotated_at=F("last_rotated_at") - timedelta(seconds=11))

    reuse = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    assert reuse.status_code == 401
    assert TokenFamily.objects.get().revoke_reason == "reuse"


def test_reuse_of_an_older_token_within_the_grace_revokes_the_family(api_client, recruiter):
    """Only the token rotated last is forgiven: the one before it was replaced twice already."""
    first = _issue(api_client, recruiter)
    second = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json").json()
    api_client.post(REFRESH_URL, {"refresh_token": second["refresh_token"]}, format="json")

    reuse = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    assert reuse.status_code == 401
    assert TokenFamily.objects.get().revoke_reason == "reuse"


def test_no_grace_when_it_is_set_to_zero(api_client, recruiter, settings):
    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 0
    first = _issue(api_client, recruiter)
    api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")
    TokenFamily.objects.update(last_rotated_at=F("last_rotated_at") - timedelta(seconds=1))

    reuse = api_client.post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")

    assert reuse.status_code == 401


def test_reuse_revokes_only_that_family(api_client, recruiter):
    phone = _issue(api_client, recruiter, device_id="phone")
    laptop = _issue(api_client, recruiter, device_id="laptop")
    api_client.post(REFRESH_URL, {"refresh_token": phone["refresh_token"]}, format="json")
    TokenFamily.objects.update(last_rotated_at=F("last_rotated_at") - timedelta(minutes=5))

    api_client.post(REFRESH_URL, {"refresh_token": phone["refresh_token"]}, format="json")

    assert TokenFamily.objects.get(device_id="phone").revoke_reason == "reuse"
    assert api_client.post(REFRESH_URL, {"refresh_token": laptop["refresh_token"]}, format="json").status_code == 200


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_refresh_rejects_garbage(api_client, token):
    response = api_client.post(REFRESH_URL, {"refresh_token": token}, format="json")

    assert response.status_code in (400, 401)
    assert response.json()["code"] in ("VALIDATION_ERROR", "UNAUTHORIZED")


def test_access_token_is_not_a_refresh_token(api_client, recruiter):
    body = _issue(api_client, recruiter)

    response = api_client.post(REFRESH_URL, {"refresh_token": body["access_token"]}, format="json")

    assert response.status_code == 401


def _fresh(claims: dict, **changes) -> dict:
    """The claims of a real token with a new ``jti`` and expiry: what a forger would send."""
    now = int(time.time())
    return {**claims, "jti": uuid.uuid4().hex, "iat": now, "exp": now + 3600, **changes}


BAD_REFRESH_TOKENS = {
    "wrong-key": lambda c: _forge(_fresh(c), key="another-secret-key-of-enough-length-000000"),
    "expired": lambda c: _forge(_fresh(c, iat=int(time.time()) - 100, exp=int(time.time()) - 10)),
    "tampered": lambda c: _forge(_fresh(c))[:-4] + ("AAAA" if not _forge(_fresh(c)).endswith("AAAA") else "BBBB"),
    "wrong-audience": lambda c: _forge(_fresh(c, aud="someone-else")),
    "wrong-issuer": lambda c: _forge(_fresh(c, iss="someone-else")),
    "alg-none": lambda c: _unsigned(_fresh(c)),
    "hs512": lambda c: _forge(_fresh(c), algorithm="HS512"),
    "access-type": lambda c: _forge(_fresh(c, token_type="access")),
    "no-family": lambda c: _forge({k: v for k, v in _fresh(c).items() if k != "fam"}),
    "no-expiry": lambda c: _forge({k: v for k, v in _fresh(c).items() if k != "exp"}),
}


@pytest.mark.parametrize("kind", sorted(BAD_REFRESH_TOKENS))
def test_refresh_refuses_forged_expired_and_foreign_tokens(api_client, recruiter, kind):
    real = _issue(api_client, recruiter)
    token = BAD_REFRESH_TOKENS[kind](_claims(real["refresh_token"]))

    response = api_client.post(REFRESH_URL, {"refresh_token": token}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    family = TokenFamily.objects.get()
    assert family.last_rotated_at is None
    assert family.revoked_at is None
    # The real token still works: a refused forgery neither rotates nor revokes anything.
    assert api_client.post(REFRESH_URL, {"refresh_token": real["refresh_token"]}, format="json").status_code == 200


def test_forged_copy_with_the_real_key_refreshes(api_client, recruiter):
    """Guards the test above: the same fresh claims signed with the real key are accepted."""
    real = _issue(api_client, recruiter)

    response = api_client.post(
        REFRESH_URL, {"refresh_token": _forge(_fresh(_claims(real["refresh_token"])))}, format="json"
    )

    assert response.status_code == 200


@pytest.mark.parametrize("kind", sorted(BAD_REFRESH_TOKENS))
def test_revoke_refuses_forged_expired_and_foreign_tokens(api_client, recruiter, kind):
    real = _issue(api_client, recruiter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {real['access_token']}")
    token = BAD_REFRESH_TOKENS[kind](_claims(real["refresh_token"]))

    response = api_client.post(REVOKE_URL, {"refresh_token": token}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert TokenFamily.objects.get().revoked_at is None


# --- revoke ----------------------------------------------------------------------------------


def test_revoke_logs_out_the_family(api_client, recruiter):
    body = _issue(api_client, recruiter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")

    response = api_client.post(REVOKE_URL, {"refresh_token": body["refresh_token"]}, format="json")

    assert response.status_code == 204
    assert api_client.get(PROTECTED_URL).status_code == 401
    api_client.credentials()
    assert api_client.post(REFRESH_URL, {"refresh_token": body["refresh_token"]}, format="json").status_code == 401


def test_revoke_without_body_revokes_the_calling_token(api_client, recruiter):
    body = _issue(api_client, recruiter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")

    assert api_client.post(REVOKE_URL, {}, format="json").status_code == 204
    assert api_client.get(PROTECTED_URL).status_code == 401


def test_cannot_revoke_someone_elses_family(api_client, recruiter, other_recruiter):
    victim = _issue(api_client, other_recruiter)
    attacker = _issue(api_client, recruiter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {attacker['access_token']}")

    response = api_client.post(REVOKE_URL, {"refresh_token": victim["refresh_token"]}, format="json")

    assert response.status_code == 401
    assert TokenFamily.objects.filter(revoked_at__isnull=False).count() == 0


def test_revoke_needs_authentication(api_client, recruiter):
    body = _issue(api_client, recruiter)

    response = api_client.post(REVOKE_URL, {"refresh_token": body["refresh_token"]}, format="json")

    assert response.status_code == 401


# --- bad access tokens ------------------------------------------------------------------------


def _valid_claims(api_client, user) -> dict:
    return _claims(_issue(api_client, user)["access_token"])


def _unsigned(claims: dict) -> str:
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


BAD_TOKENS = {
    "expired": lambda c: _forge({**c, "exp": int(time.time()) - 10, "iat": int(time.time()) - 100}),
    "tampered": lambda c: _forge(c)[:-4] + ("AAAA" if not _forge(c).endswith("AAAA") else "BBBB"),
    "wrong-key": lambda c: _forge(c, key="another-secret-key-of-enough-length-000000"),
    "wrong-audience": lambda c: _forge({**c, "aud": "someone-else"}),
    "wrong-issuer": lambda c: _forge({**c, "iss": "someone-else"}),
    "alg-none": _unsigned,
    "hs512": lambda c: _forge(c, algorithm="HS512"),
    "refresh-as-access": lambda c: _forge({**c, "token_type": "refresh"}),
    "no-family": lambda c: _forge({k: v for k, v in c.items() if k != "fam"}),
    "unknown-family": lambda c: _forge({**c, "fam": "00000000-0000-0000-0000-000000000000"}),
    "garbage": lambda c: "garbage",
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_bad_access_tokens_are_unauthorized(api_client, recruiter, kind):
    token = BAD_TOKENS[kind](_valid_claims(api_client, recruiter))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get(PROTECTED_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db(transaction=True)
def test_a_token_naming_another_user_is_refused_even_with_its_family_cached(api_client, recruiter, other_recruiter):
    """The identity cache is keyed by family; a token whose user is not the family's user must not read it.

    Transactional: identities are cached only outside a transaction.
    """
    claims = _valid_claims(api_client, recruiter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_forge(claims)}")
    assert api_client.get(PROTECTED_URL).status_code == 200  # the family's identity is now cached

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_forge({**claims, 'user_id': other_recruiter.pk})}")

    assert api_client.get(PROTECTED_URL).status_code == 401


def test_valid_forged_copy_is_accepted(api_client, recruiter):
    """Guards the test above: re-signing the real claims with the real key works."""
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_forge(_valid_claims(api_client, recruiter))}")

    assert api_client.get(PROTECTED_URL).status_code == 200


def test_missing_token_is_unauthorized(api_client):
    response = api_client.get(PROTECTED_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_deactivated_user_token_stops_working(api_client, recruiter):
    body = _issue(api_client, recruiter)
    recruiter.is_active = False
    recruiter.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")

    assert api_client.get(PROTECTED_URL).status_code == 401


def test_a_token_accepted_before_is_refused_once_it_expires(api_client, recruiter):
    # Each process remembers the tokens it verified (hotgigs.api.authentication); the expiry
    # must still be checked on every request.
    body = _issue(api_client, recruiter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    accepted = api_client.get(PROTECTED_URL)

    with time_machine.travel(time.time() + body["expires_in"] + 1, tick=False):
        expired = api_client.get(PROTECTED_URL)

    assert accepted.status_code == 200
    assert expired.status_code == 401
    assert expired.json()["code"] == "UNAUTHORIZED"


def test_token_lifetimes_are_settings(api_client, recruiter, settings):
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(seconds=60)}

    body = _issue(api_client, recruiter)

    assert body["expires_in"] == 60


# --- scopes -----------------------------------------------------------------------------------


def test_missing_scope_is_forbidden(login, recruiter):
    client = login(recruiter, scope="applications:read")

    response = client.get("/api/v1/jobs")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "jobs:read"}


# --- register -----------------------------------------------------------------------------------


def test_register_creates_a_candidate_who_can_log_in(api_client):
    response = api_client.post(
        REGISTER_URL,
        {
            "email": "New@Example.test",
            "password": "A-long-passphrase-42",
            "full_name": "New Person",
            "headline": "Data engineer",
            "skills": [{"name": "Python", "level": "advanced"}],
            "consent": True,
        },
        format="json",
    )

    assert response.status_code == 202
    assert response.json()["email"] == "new@example.test"
    token = api_client.post(TOKEN_URL, {"email": "new@example.test", "password": "A-long-passphrase-42"}, format="json")
    assert token.status_code == 200
    assert "jobs:write" not in token.json()["scope"].split()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": "A-long-passphrase-42", "full_name": "X"}, "email"),
        ({"email": "a@example.test", "password": "123", "full_name": "X"}, "password"),
        ({"email": "a@example.test", "password": "A-long-passphrase-42", "full_name": ""}, "full_name"),
        (
            {"email": "a@example.test", "password": "A-long-passphrase-42", "full_name": "X", "is_staff": True},
            "is_staff",
        ),
        (
            {"email": "a@example.test", "password": "A-long-passphrase-42", "full_name": "X", "years_experience": 99},
            "years_experience",
        ),
    ],
    ids=["bad-email", "weak-password", "blank-name", "protected-field", "experience-range"],
)
def test_register_validation_creates_nothing(api_client, body, field, django_user_model):
    response = api_client.post(REGISTER_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert django_user_model.objects.count() == 0


def test_register_with_a_taken_email_answers_like_a_new_one_and_changes_nothing(
    api_client, django_capture_on_commit_callbacks, mailoutbox
):
    existing = CandidateFactory(full_name="Original Owner")
    users_before = User.objects.count()
    body = {"password": "A-long-passphrase-42", "full_name": "Copy", "headline": "Impostor"}

    with django_capture_on_commit_callbacks(execute=True):
        taken = api_client.post(REGISTER_URL, {**body, "email": existing.user.email.upper()}, format="json")
    fresh = api_client.post(REGISTER_URL, {**body, "email": "fresh@example.test"}, format="json")

    assert taken.status_code == fresh.status_code == 202
    assert set(taken.json()) == set(fresh.json()) == {"email", "message"}
    assert taken.json()["message"] == fresh.json()["message"]
    assert User.objects.count() == users_before + 1  # only the fresh address
    existing.refresh_from_db()
    assert existing.full_name == "Original Owner"
    assert existing.user.check_password(PASSWORD)
    # The owner of the address hears that someone tried.
    assert [m.to for m in mailoutbox] == [[existing.user.email]]
    assert "tried to sign up" in mailoutbox[0].subject


def test_register_validates_before_it_looks_the_address_up(api_client):
    """A weak password is refused the same way for a taken address as for a new one."""
    existing = CandidateFactory()
    weak = {"password": "123", "full_name": "X"}

    taken = api_client.post(REGISTER_URL, {**weak, "email": existing.user.email}, format="json")
    fresh = api_client.post(REGISTER_URL, {**weak, "email": "fresh@example.test"}, format="json")

    assert taken.status_code == fresh.status_code == 400
    assert taken.json() == fresh.json()


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"phone": "call me"}, "phone"),
        ({"skills": [{"name": "Go", "level": "guru"}]}, "skills"),
        ({"skills": [{"name": "Go"}, {"name": " go "}]}, "skills"),
    ],
    ids=["bad-phone", "bad-skill-level", "skill-listed-twice"],
)
def test_register_checks_the_profile_before_it_looks_the_address_up(api_client, django_user_model, profile, field):
    """A bad profile field is refused the same way for a taken address as for a new one."""
    existing = CandidateFactory()
    users_before = django_user_model.objects.count()
    body = {"password": "A-long-passphrase-42", "full_name": "X", **profile}

    taken = api_client.post(REGISTER_URL, {**body, "email": existing.user.email}, format="json")
    fresh = api_client.post(REGISTER_URL, {**body, "email": "fresh@example.test"}, format="json")

    assert taken.status_code == fresh.status_code == 400
    assert taken.json() == fresh.json()
    assert field in fresh.json()["details"]
    assert django_user_model.objects.count() == users_before


def test_me_reports_roles_and_scope(login, org_admin, org):
    response = login(org_admin, scope="jobs:read").get(PROTECTED_URL)

    assert response.status_code == 200
    assert response.json()["organizations"] == [{"id": org.pk, "name": org.name, "role": "org_admin"}]
    assert response.json()["scope"] == "jobs:read"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_all_get_the_same_pair(recruiter):
    """Eight tabs refresh at once: the family survives and every tab holds the same pair."""
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    first = _issue(APIClient(), recruiter)

    def refresh(_: int) -> tuple[int, dict]:
        try:
            response = APIClient().post(REFRESH_URL, {"refresh_token": first["refresh_token"]}, format="json")
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(refresh, range(8)))

    assert {status for status, _ in answers} == {200}
    assert len({body["refresh_token"] for _, body in answers}) == 1
    assert TokenFamily.objects.get().revoked_at is None
