import copy
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from tests.factories import ApplicationFactory, CandidateFactory, CandidateSkillFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/candidates"
ME = f"{URL}/me"

VALID_BODY: dict[str, Any] = {
    "full_name": "Ada Sourced",
    "email": "ada@example.test",
    "phone": "+49 30 1234567",
    "headline": "Compiler engineer",
    "summary": "Rust and OCaml.",
    "years_experience": 9,
    "location": "Hamburg, Germany",
    "open_to_remote": True,
    "discoverable": False,
    "skills": [{"name": "Rust", "level": "expert", "years": 6}, {"name": "OCaml"}],
}


def body(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID_BODY)
    data.update(changes)
    return data


def detail(candidate: Candidate) -> str:
    return f"{URL}/{candidate.pk}"


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def applicant(open_job):  # type: ignore[no-untyped-def]
    """Applied to the recruiter's organization."""
    return ApplicationFactory.create(job=open_job, candidate=CandidateFactory.create()).candidate


@pytest.fixture
def discoverable():  # type: ignore[no-untyped-def]
    return CandidateFactory.create(discoverable=True)


@pytest.fixture
def sourced(recruiter):  # type: ignore[no-untyped-def]
    return CandidateFactory.create(user=None, created_by=recruiter)


# --- list and retrieve -------------------------------------------------------------------


def test_recruiter_lists_applicants_discoverable_and_sourced(
    login, recruiter, applicant, discoverable, sourced, candidate, other_open_job
):
    ApplicationFactory.create(job=other_open_job)  # someone else's applicant

    response = login(recruiter).get(URL)

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted([applicant.pk, discoverable.pk, sourced.pk])


def test_candidate_listing_gets_only_themself(login, candidate, other_candidate, discoverable):
    response = login(candidate.user).get(URL)

    assert ids(response) == [candidate.pk]


def test_retrieve_has_the_documented_shape(login, recruiter, applicant):
    CandidateSkillFactory.create(candidate=applicant, name="Go", level="advanced", years=3)

    response = login(recruiter).get(detail(applicant))

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "id",
        "organization_id",
        "full_name",
        "email",
        "phone",
        "headline",
        "summary",
        "years_experience",
        "location",
        "open_to_remote",
        "discoverable",
        "consent_at",
        "skills",
        "created_at",
        "updated_at",
    }
    assert data["email"] == applicant.email
    assert data["skills"] == [{"name": "Go", "level": "advanced", "years": 3, "source": "profile"}]


def test_another_candidates_profile_is_not_found(login, candidate, other_candidate):
    client = login(candidate.user)

    shown = client.get(detail(other_candidate))
    changed = client.patch(detail(other_candidate), {"headline": "Hacked"}, format="json")

    assert shown.status_code == 404
    assert shown.json()["code"] == "NOT_FOUND"
    assert changed.status_code == 404
    other_candidate.refresh_from_db()
    assert other_candidate.headline != "Hacked"


def test_private_candidate_of_another_organization_is_not_found(login, recruiter, other_open_job):
    private = ApplicationFactory.create(job=other_open_job).candidate

    response = login(recruiter).get(detail(private))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_candidate_sourced_by_another_organization_is_not_found(login, recruiter, other_recruiter):
    theirs = CandidateFactory.create(user=None, created_by=other_recruiter)

    response = login(recruiter).get(detail(theirs))

    assert response.status_code == 404


def test_seed_path_answers_like_v1(login, recruiter, applicant):
    client = login(recruiter)

    assert client.get("/api/candidates").json() == client.get(URL).json()
    assert client.get(f"/api/candidates/{applicant.pk}").json() == client.get(detail(applicant)).json()


# --- me ----------------------------------------------------------------------------------


def test_me_returns_own_profile(login, candidate):
    response = login(candidate.user).get(ME)

    assert response.status_code == 200
    assert response.json()["id"] == candidate.pk
    assert response.json()["email"] == candidate.email


def test_me_is_not_a_detail_lookup(login, candidate):
    assert login(candidate.user).get(f"{ME}/").json()["id"] == candidate.pk


def test_me_without_a_profile_is_not_found(login, recruiter):
    response = login(recruiter).get(ME)

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_patch_me_updates_own_profile(login, candidate):
    response = login(candidate.user).patch(
        ME, {"headline": "Staff engineer", "discoverable": True, "skills": [{"name": "Go"}]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["headline"] == "Staff engineer"
    assert response.json()["skills"] == [{"name": "Go", "level": "intermediate", "years": None, "source": "profile"}]
    candidate.refresh_from_db()
    assert candidate.discoverable is True
    assert candidate.location == "Berlin, Germany"


def test_consent_is_recorded_and_withdrawn(login, candidate):
    client = login(candidate.user)

    given = client.patch(ME, {"consent": True}, format="json")
    withdrawn = client.patch(ME, {"consent": False}, format="json")

    assert given.json()["consent_at"] is not None
    assert withdrawn.json()["consent_at"] is None


def test_user_without_profile_creates_own_via_me(login):
    user = UserFactory.create(full_name="Grace Hopper")

    response = login(user).post(ME, {"headline": "Admiral"}, format="json")

    assert response.status_code == 201
    assert response.json()["full_name"] == "Grace Hopper"
    assert response.json()["email"] == user.email
    assert Candidate.objects.get(pk=response.json()["id"]).user == user


def test_recruiter_creates_own_job_hunting_profile_via_me(login, recruiter):
    response = login(recruiter).post(ME, {}, format="json")

    assert response.status_code == 201
    assert Candidate.objects.get(pk=response.json()["id"]).user == recruiter


def test_second_own_profile_is_a_conflict(login, candidate):
    response = login(candidate.user).post(ME, {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert Candidate.objects.filter(user=candidate.user).count() == 1


# --- create ------------------------------------------------------------------------------


def test_recruiter_adds_a_sourced_candidate(login, recruiter):
    response = login(recruiter).post(URL, body(), format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["full_name"] == "Ada Sourced"
    assert data["years_experience"] == 9
    assert sorted(s["name"] for s in data["skills"]) == ["OCaml", "Rust"]
    row = Candidate.objects.get(pk=data["id"])
    assert row.user is None
    assert row.created_by == recruiter
    assert login(recruiter).get(detail(row)).status_code == 200


def test_candidate_user_posting_creates_own_profile(login):
    user = UserFactory.create()

    response = login(user).post(URL, {"headline": "Junior"}, format="json")

    assert response.status_code == 201
    assert Candidate.objects.get(pk=response.json()["id"]).user == user


def test_duplicate_email_is_a_conflict(login, recruiter):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    response = login(recruiter).post(URL, body(email=sourced.email.upper()), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert "email" in response.json()["details"]


INVALID_BODIES = [
    pytest.param(body(full_name=""), "full_name", id="name-blank"),
    pytest.param(body(full_name="x" * 201), "full_name", id="name-too-long"),
    pytest.param(body(full_name=None), "full_name", id="name-null"),
    pytest.param(body(email="not-an-email"), "email", id="email"),
    pytest.param(body(email=7), "email", id="email-type"),
    pytest.param(body(years_experience=71), "years_experience", id="years-range"),
    pytest.param(body(years_experience="many"), "years_experience", id="years-type"),
    pytest.param(body(years_experience=True), "years_experience", id="years-boolean"),
    pytest.param(body(phone="call me"), "phone", id="phone"),
    pytest.param(body(phone="1" * 33), "phone", id="phone-too-long"),
    pytest.param(body(headline="h" * 201), "headline", id="headline-too-long"),
    pytest.param(body(open_to_remote="yes"), "open_to_remote", id="remote-type"),
    pytest.param(body(consent=None), "consent", id="consent-null"),
    pytest.param(body(skills=[{"name": "Go", "level": "guru"}]), "skills", id="skill-level"),
    pytest.param(body(skills=[{"name": "Go", "years": 71}]), "skills", id="skill-years"),
    pytest.param(body(skills=[{"name": ""}]), "skills", id="skill-name-blank"),
    pytest.param(body(skills=["Go"]), "skills", id="skill-not-an-object"),
    pytest.param(body(skills="Go"), "skills", id="skills-not-a-list"),
    pytest.param(body(skills=[{"name": f"S{i}"} for i in range(101)]), "skills", id="too-many-skills"),
    pytest.param(body(skills=[{"name": "Go"}, {"name": " go"}]), "skills", id="duplicate-skills"),
    pytest.param(body(skills=[{"name": "Go", "source": "resume"}]), "skills", id="protected-skill-source"),
    pytest.param(body(colour="blue"), "colour", id="unknown-field"),
    pytest.param(body(user=1), "user", id="protected-user"),
    pytest.param(body(created_by=1), "created_by", id="protected-created-by"),
    pytest.param(body(role="staff"), "role", id="protected-role"),
    pytest.param(body(id=5), "id", id="protected-id"),
]


@pytest.mark.parametrize(("data", "field"), INVALID_BODIES)
def test_create_rejects_invalid_input(login, recruiter, data, field):
    response = login(recruiter).post(URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Candidate.objects.exists()


def test_sourced_candidate_needs_name_and_email(login, recruiter):
    response = login(recruiter).post(URL, {"headline": "Nameless"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "VALIDATION_ERROR",
        "message": "The candidate profile is not valid.",
        "details": {"full_name": ["This field may not be blank."], "email": ["This field may not be blank."]},
    }
    assert not Candidate.objects.exists()


def test_own_profile_of_a_login_without_a_name_needs_one(login):
    user = UserFactory.create(full_name="")

    nameless = login(user).post(ME, {"headline": "Admiral"}, format="json")
    named = login(user).post(ME, {"headline": "Admiral", "full_name": "Grace Hopper"}, format="json")

    assert nameless.status_code == 400
    assert nameless.json()["details"] == {"full_name": ["This field may not be blank."]}
    assert named.status_code == 201
    assert named.json()["full_name"] == "Grace Hopper"


def test_a_skill_listed_twice_names_the_item(login, recruiter):
    response = login(recruiter).post(URL, body(skills=[{"name": "Go"}, {"name": " go"}]), format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"skills": ["Item 1: 'go' is listed twice."]}
    assert not Candidate.objects.exists()


# --- update ------------------------------------------------------------------------------


def test_recruiter_updates_a_sourced_candidate(login, recruiter, sourced):
    response = login(recruiter).patch(detail(sourced), {"years_experience": 12}, format="json")

    assert response.status_code == 200
    assert response.json()["years_experience"] == 12


def test_candidate_updates_own_profile_by_id(login, candidate):
    response = login(candidate.user).patch(detail(candidate), {"summary": "Open to offers."}, format="json")

    assert response.status_code == 200
    assert response.json()["summary"] == "Open to offers."


UPDATE_INVALID = [
    pytest.param({"full_name": ""}, "full_name", id="name-blank"),
    pytest.param({"email": "nope"}, "email", id="email"),
    pytest.param({"years_experience": -1}, "years_experience", id="years"),
    pytest.param({"skills": [{"name": "A"}, {"name": "a"}]}, "skills", id="duplicate-skills"),
    pytest.param({"skills": [{"level": "expert"}]}, "skills", id="skill-without-a-name"),
    pytest.param({"phone": "call me", "skills": [{"name": "A"}, {"name": "a"}]}, "phone", id="phone-and-duplicates"),
    pytest.param({"consent": "yes"}, "consent", id="consent-type"),
    pytest.param({"colour": "blue"}, "colour", id="unknown-field"),
    pytest.param({"user": 1}, "user", id="protected-user"),
    pytest.param({"created_by": 1}, "created_by", id="protected-created-by"),
]


@pytest.mark.parametrize(("data", "field"), UPDATE_INVALID)
def test_patch_rejects_invalid_input_and_changes_nothing(login, candidate, data, field):
    before = Candidate.objects.filter(pk=candidate.pk).values().get()

    response = login(candidate.user).patch(ME, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert Candidate.objects.filter(pk=candidate.pk).values().get() == before


def test_recruiter_cannot_rewrite_a_profile_they_only_see(login, recruiter, applicant):
    response = login(recruiter).patch(detail(applicant), {"headline": "Rewritten"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    applicant.refresh_from_db()
    assert applicant.headline != "Rewritten"


def test_recruiter_cannot_update_another_organizations_sourced_candidate(login, recruiter, other_recruiter):
    theirs = CandidateFactory.create(user=None, created_by=other_recruiter)

    response = login(recruiter).patch(detail(theirs), {"headline": "Mine"}, format="json")

    assert response.status_code == 404


# --- authentication and scopes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/1"), ("post", ""), ("patch", "/1"), ("get", "/me"), ("patch", "/me"), ("post", "/me")],
)
def test_without_a_token_is_unauthorized(api_client, method, path):
    response = getattr(api_client, method)(URL + path, {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(("method", "path"), [("post", ""), ("patch", "/{id}"), ("patch", "/me"), ("post", "/me")])
def test_write_without_candidates_write_scope_is_forbidden(login, candidate, method, path):
    client = login(candidate.user, scope="candidates:read")

    response = getattr(client, method)(URL + path.format(id=candidate.pk), {"headline": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "candidates:write"}
    candidate.refresh_from_db()
    assert candidate.headline == "Backend developer"


@pytest.mark.parametrize("path", ["", "/me", "/{id}"])
def test_read_without_candidates_read_scope_is_forbidden(login, candidate, path):
    response = login(candidate.user, scope="jobs:read").get(URL + path.format(id=candidate.pk))

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "candidates:read"}


# --- filters, search, ordering, pagination -----------------------------------------------


@pytest.fixture
def pool(recruiter):  # type: ignore[no-untyped-def]
    rust = CandidateFactory.create(
        user=None,
        created_by=recruiter,
        full_name="Rita Rust",
        headline="Systems programmer",
        years_experience=10,
        location="Hamburg, Germany",
        open_to_remote=False,
    )
    CandidateSkillFactory.create(candidate=rust, name="Rust")
    CandidateSkillFactory.create(candidate=rust, name="Python")
    python = CandidateFactory.create(
        discoverable=True,
        full_name="Paul Python",
        headline="Data scientist",
        summary="Pandas and notebooks.",
        years_experience=3,
        location="Paris, France",
    )
    CandidateSkillFactory.create(candidate=python, name="Python", source="resume")
    junior = CandidateFactory.create(
        discoverable=True, full_name="Jo Junior", headline="Graduate", years_experience=0, location="Berlin"
    )
    return {"rust": rust, "python": python, "junior": junior}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("skill=python", ["rust", "python"]),
        ("skill=PYTHON,%20rust%20", ["rust"]),
        ("min_years_experience=3", ["rust", "python"]),
        ("max_years_experience=3", ["python", "junior"]),
        ("min_years_experience=1&max_years_experience=5", ["python"]),
        ("location=germany", ["rust"]),
        ("open_to_remote=false", ["rust"]),
        ("search=pandas", ["python"]),
        ("search=rita%20systems", ["rust"]),
        ("search=graduate", ["junior"]),
    ],
)
def test_filters_and_search(login, recruiter, pool, query, expected):
    response = login(recruiter).get(f"{URL}?{query}")

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(pool[name].pk for name in expected)


@pytest.mark.parametrize("query", ["min_years_experience=abc", "max_years_experience=71", "ordering=email"])
def test_invalid_filter_value_is_a_validation_error(login, recruiter, query):
    response = login(recruiter).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_ordering_by_experience(login, recruiter, pool):
    response = login(recruiter).get(f"{URL}?ordering=-years_experience")

    assert ids(response) == [pool["rust"].pk, pool["python"].pk, pool["junior"].pk]


def test_cursor_pagination_walks_every_candidate_once(login, staff):
    created = CandidateFactory.create_batch(7)
    client = login(staff)
    seen: list[int] = []
    url: str | None = f"{URL}?page_size=3"

    while url:
        response = client.get(url)
        seen.extend(ids(response))
        url = response.json()["next"]

    assert sorted(seen) == sorted(c.pk for c in created)
    assert len(seen) == 7


def test_page_size_is_capped(login, staff, settings):
    settings.API_MAX_PAGE_SIZE = 2
    CandidateFactory.create_batch(4)

    response = login(staff).get(f"{URL}?page_size=500")

    assert len(response.json()["results"]) == 2


@pytest.mark.parametrize("who", ["recruiter", "staff"])
def test_list_runs_a_constant_number_of_queries(request, login, django_assert_num_queries, open_job, who):
    for person in CandidateFactory.create_batch(60, discoverable=True):
        CandidateSkillFactory.create(candidate=person, name="Python")
        CandidateSkillFactory.create(candidate=person, name="SQL")
        ApplicationFactory.create(job=open_job, candidate=person)
    client = login(request.getfixturevalue(who))
    query = "?skill=python&min_years_experience=1&search=backend&ordering=full_name"

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(f"{URL}{query}&page_size=5").json()["results"]) == 5

    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(f"{URL}{query}&page_size=50").json()["results"]) == 50
