"""API versions: deprecated versions announce Deprecation, Sunset and Link (issue 4, item 6)."""

from datetime import UTC, date, datetime

import pytest

from hotgigs.api.versioning import ApiVersion, api_versions, current_api_version

pytestmark = pytest.mark.django_db

GUIDE = "https://docs.hotgigs.example/api/migrate-v0-to-v1"
V0 = ApiVersion(
    "v0",
    deprecated=True,
    deprecation_date=date(2023, 7, 1),
    sunset=date(2026, 12, 31),
    migration_guide=GUIDE,
)
DEPRECATION_HEADERS = ("Deprecation", "Sunset", "Link")


@pytest.fixture
def with_v0(settings):  # type: ignore[no-untyped-def]
    settings.API_VERSIONS = [V0, ApiVersion("v1")]


@pytest.mark.urls("tests.api.urls_v0")
@pytest.mark.usefixtures("with_v0")
def test_a_deprecated_version_answers_with_deprecation_sunset_and_link(login, recruiter, open_job):
    response = login(recruiter).get("/api/v0/jobs")

    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == open_job.id
    assert response["API-Version"] == "v0"
    assert response["Deprecation"] == f"@{int(datetime(2023, 7, 1, tzinfo=UTC).timestamp())}"
    assert response["Deprecation"] == "@1688169600"
    assert response["Sunset"] == "Thu, 31 Dec 2026 00:00:00 GMT"
    assert response["Link"] == f'<{GUIDE}>; rel="deprecation"; type="text/html"'


@pytest.mark.urls("tests.api.urls_v0")
@pytest.mark.usefixtures("with_v0")
def test_a_deprecated_version_announces_itself_on_errors_too(api_client):
    response = api_client.get("/api/v0/jobs")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert response["Deprecation"] == "@1688169600"


@pytest.mark.urls("tests.api.urls_v0")
@pytest.mark.usefixtures("with_v0")
@pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/jobs"])
def test_the_current_version_carries_no_deprecation_headers(login, recruiter, path):
    response = login(recruiter).get(path)

    assert response.status_code == 200
    assert response["API-Version"] == "v1"
    assert not any(header in response for header in DEPRECATION_HEADERS)


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/jobs", "/api/v1/auth/token"])
def test_every_versioned_route_names_its_version(api_client, path):
    response = api_client.get(path)

    assert response["API-Version"] == "v1"


@pytest.mark.parametrize("path", ["/api/v9/jobs", "/api/v0/jobs", "/api/nope", "/health/live"])
def test_unknown_versions_and_other_routes_carry_no_version_headers(api_client, path):
    response = api_client.get(path)

    assert "API-Version" not in response
    assert not any(header in response for header in DEPRECATION_HEADERS)


@pytest.mark.parametrize("path", ["/api/v9/jobs", "/api/v0/jobs"])
def test_unknown_versions_get_the_not_found_envelope(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_the_default_registry_has_v1_current():
    assert list(api_versions()) == ["v1"]
    assert current_api_version() == ApiVersion("v1")
    assert not current_api_version().deprecated


def test_a_deprecated_version_needs_a_deprecation_date():
    with pytest.raises(ValueError, match="deprecation_date"):
        ApiVersion("v0", deprecated=True)


def test_a_version_cannot_sunset_before_its_deprecation():
    with pytest.raises(ValueError, match="sunset"):
        ApiVersion("v0", deprecated=True, deprecation_date=date(2026, 1, 2), sunset=date(2026, 1, 1))
