"""Per-account login protection: back-off after repeated failures, whatever the client address."""

from datetime import timedelta

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from hotgigs.accounts.models import LoginThrottle
from hotgigs.accounts.throttle import login_backoff_seconds, login_throttle_purge
from tests.factories import MembershipFactory, UserFactory
from tests.factories.accounts import PASSWORD

TOKEN_URL = "/api/v1/auth/token"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_waits(settings):  # type: ignore[no-untyped-def]
    """A minute's base wait, so no wait runs out while a test is still guessing."""
    settings.AUTH_LOGIN_BACKOFF_BASE_SECONDS = 60


def _login(email: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json", REMOTE_ADDR=address)


def _wrong_guesses(email: str, count: int) -> list[int]:
    """``count`` wrong passwords, each from another client address."""
    return [_login(email, f"guess-{n}", f"198.51.100.{n % 250 + 1}").status_code for n in range(count)]


def test_forty_guesses_from_rotating_addresses_then_the_right_password_is_refused():
    user = UserFactory()

    statuses = _wrong_guesses(user.email, 40)
    right = _login(user.email, PASSWORD, "203.0.113.9")

    assert statuses[:6] == [401] * 6
    assert set(statuses[6:]) == {429}
    assert right.status_code == 429
    assert right.json()["code"] == "RATE_LIMITED"
    assert right.json()["details"]["scope"] == "account"
    assert int(right.headers["Retry-After"]) >= 1


def test_the_right_password_works_once_the_wait_is_over_and_clears_the_count():
    user = UserFactory()
    _wrong_guesses(user.email, 8)
    LoginThrottle.objects.update(locked_until=F("locked_until") - timedelta(hours=1))

    right = _login(user.email, PASSWORD, "203.0.113.9")

    assert right.status_code == 200
    assert not LoginThrottle.objects.exists()


def test_an_unknown_address_is_answered_exactly_like_a_known_one():
    """No enumeration: the throttle counts addresses, not accounts."""
    known = UserFactory()

    known_statuses = _wrong_guesses(known.email, 10)
    unknown_statuses = _wrong_guesses("nobody@example.test", 10)
    known_next = _login(known.email, "x", "192.0.2.1")
    unknown_next = _login("nobody@example.test", "x", "192.0.2.1")

    assert unknown_statuses == known_statuses == [401] * 6 + [429] * 4
    assert unknown_next.status_code == known_next.status_code == 429
    # The same answer but for the seconds left, which tick on between the two requests.
    known_body, unknown_body = known_next.json(), unknown_next.json()
    assert abs(known_body["details"].pop("retry_after") - unknown_body["details"].pop("retry_after")) <= 2
    assert unknown_body == known_body


def test_the_address_is_normalized_before_counting():
    user = UserFactory()
    _wrong_guesses(user.email.upper(), 7)

    assert _login(f"  {user.email}  ", PASSWORD, "192.0.2.7").status_code == 429


def test_other_accounts_are_not_affected():
    victim, bystander = UserFactory(), UserFactory()
    _wrong_guesses(victim.email, 12)

    assert _login(bystander.email, PASSWORD, "198.51.100.1").status_code == 200


def test_a_success_before_the_limit_resets_the_count():
    user = UserFactory()
    _wrong_guesses(user.email, 5)
    assert _login(user.email, PASSWORD, "192.0.2.1").status_code == 200

    assert _wrong_guesses(user.email, 6) == [401] * 6


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (5, 0), (6, 1), (7, 2), (8, 4), (15, 512), (16, 900), (500, 900)],
)
def test_backoff_doubles_from_the_base_up_to_the_cap(settings, failures, wait):
    settings.AUTH_LOGIN_BACKOFF_BASE_SECONDS = 1
    assert login_backoff_seconds(failures) == wait


def test_failures_older_than_the_window_no_longer_count():
    user = UserFactory()
    _wrong_guesses(user.email, 5)
    LoginThrottle.objects.update(last_failure_at=F("last_failure_at") - timedelta(days=2))

    # Five old failures and one new one: the new one is the first of a new series, no wait.
    assert _wrong_guesses(user.email, 2) == [401, 401]
    assert LoginThrottle.objects.get().failures == 2


def test_old_failures_are_forgotten_and_purged(settings):
    user = UserFactory()
    _wrong_guesses(user.email, 3)
    LoginThrottle.objects.update(last_failure_at=F("last_failure_at") - timedelta(days=2))

    assert login_throttle_purge() == 1
    assert not LoginThrottle.objects.exists()


def test_the_back_office_login_is_throttled_too(client):
    member = MembershipFactory().user
    for n in range(8):
        client.post(
            "/admin/login/", {"username": member.email, "password": f"guess-{n}"}, REMOTE_ADDR=f"198.51.100.{n}"
        )

    response = client.post("/admin/login/", {"username": member.email, "password": PASSWORD})

    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
