"""One access matrix over every detail route and method of the API (issue 3, item 8).

The routes come from the OpenAPI document, so a new detail route joins the matrix by
existing. Rows of another organization, and of another candidate, must answer 404
NOT_FOUND whatever the method: the API never confirms that a hidden row exists. A 403
is accepted only when the token lacks the endpoint's scope (details.required_scope),
which is decided before any row is looked up and so reveals nothing either.

Every path parameter counts, nested ones included (a candidate's resume, an endpoint's
delivery): a hidden inner row is also asked for under an outer row the viewer does see.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from activity.services import note_create
from applications.models import Match, RejectionEmailTemplate, RejectionReason
from candidates.models import Candidate
from candidates.services.merges import candidate_merge
from hotgigs.accounts.models import User
from hotgigs.accounts.tokens import token_issue_for_user
from jobs.models import HiringTeamMember
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    FeedbackFactory,
    InterviewFactory,
    JobFactory,
    MembershipFactory,
    OrganizationFactory,
    ResumeFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

PARAM = re.compile(r"\{(?P<param>[a-z_]+)\}")


def path_rows(path: str) -> list[tuple[str, str]]:
    """Each parameter of ``path`` with the collection it names a row of, outermost first.

    The collection is the path's literal segments before the parameter:
    ``/api/v1/webhooks/endpoints/{id}/deliveries/{delivery_id}/redeliver/`` gives
    ``[("id", "webhooks/endpoints"), ("delivery_id", "webhooks/endpoints/deliveries")]``.
    """
    rows: list[tuple[str, str]] = []
    literal: list[str] = []
    for segment in path.removeprefix("/api/v1/").strip("/").split("/"):
        param = PARAM.fullmatch(segment)
        if param:
            rows.append((param["param"], "/".join(literal)))
        else:
            literal.append(segment)
    return rows


def _operations() -> list[tuple[str, str]]:
    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


OPERATIONS = _operations()
# Every route that names a row: the routes of the matrix.
DETAIL_OPERATIONS = [(method, path) for method, path in OPERATIONS if path_rows(path)]
# Routes naming a row inside another row (a candidate's resume, an endpoint's delivery).
NESTED_OPERATIONS = [(method, path) for method, path in DETAIL_OPERATIONS if len(path_rows(path)) > 1]


def url_for(path: str, rows: dict[str, int]) -> str:
    """``path`` with every parameter replaced by the id ``rows`` gives its collection."""
    for param, collection in path_rows(path):
        path = path.replace("{" + param + "}", str(rows[collection]), 1)
    assert "{" not in path, path
    return path


def call(client, user, method: str, url: str):  # type: ignore[no-untyped-def]
    token = token_issue_for_user(user=user).access_token
    return client.generic(method, url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_hidden(response) -> None:  # type: ignore[no-untyped-def]
    body = response.json()
    if response.status_code == 403:
        assert "required_scope" in (body["details"] or {}), body
    else:
        assert response.status_code == 404, body
        assert body["code"] == "NOT_FOUND"


@pytest.fixture(autouse=True)
def resume_storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Resume files of these tests go to a folder of their own."""
    folder = tmp_path / "resumes"
    settings.RESUME_STORAGE_ROOT = str(folder)
    settings.STORAGES = {
        **settings.STORAGES,
        "resumes": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }


@pytest.fixture
def hidden_rows(db):  # type: ignore[no-untyped-def]
    """Rows of organization B and of candidate Y, which the viewers below must not see."""
    org_b = OrganizationFactory(name="Hidden Org")
    recruiter_b = MembershipFactory(organization=org_b).user
    job = JobFactory(organization=org_b, status="draft")
    open_job = JobFactory(organization=org_b)
    candidate_y = CandidateFactory(discoverable=False)
    application = ApplicationFactory(job=open_job, candidate=candidate_y)
    interview = InterviewFactory(
        application=application,
        interviewers=[recruiter_b],
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=2),
    )
    FeedbackFactory(interview=interview, interviewer=recruiter_b)
    resume = ResumeFactory(candidate=candidate_y)
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(organization=org_b))
    merge = candidate_merge(
        actor=recruiter_b,
        survivor=CandidateFactory(user=None, created_by=recruiter_b),
        duplicate=CandidateFactory(user=None, created_by=recruiter_b),
    )
    note = note_create(actor=recruiter_b, application=application, body="Hidden note")
    match = Match.objects.create(
        job=open_job,
        candidate=candidate_y,
        score=Decimal("70.00"),
        breakdown={},
        provider="local",
        model_version="v",
        input_hash="h" * 64,
        computed_at=timezone.now(),
    )
    HiringTeamMember.objects.create(job=job, organization=org_b, user=recruiter_b, role="recruiter")
    # Limited seats of organization B itself, on no hiring team and no panel: they too see none
    # of these rows (the rows' own organization is no reason for them).
    MembershipFactory(organization=org_b, role="hiring_manager", user__email="seat-manager@example.test")
    MembershipFactory(organization=org_b, role="interviewer", user__email="seat-interviewer@example.test")
    return {
        "candidate-merges": merge.pk,
        "jobs": job.pk,
        "candidates": candidate_y.pk,
        "candidates/resumes": resume.pk,
        "applications": application.pk,
        "interviews": interview.pk,
        "webhooks/endpoints": delivery.endpoint_id,
        "webhooks/endpoints/deliveries": delivery.pk,
        "notes": note.pk,
        "jobs/team": recruiter_b.pk,
        "rejection-reasons": RejectionReason.objects.filter(organization=org_b).first().pk,  # type: ignore[union-attr]
        "rejection-email-templates": RejectionEmailTemplate.objects.get(organization=org_b).pk,
        # The organization itself (its retention period).
        "organizations": org_b.pk,
        # A match of the hidden application's pair (its recruiters' good/bad marks).
        "matches": match.pk,
    }


@pytest.fixture
def viewers(db):  # type: ignore[no-untyped-def]
    """A recruiter of organization A (with its own job and applicant) and candidate X."""
    org_a = OrganizationFactory(name="Viewer Org")
    recruiter_a = MembershipFactory(organization=org_a, role="org_admin").user
    candidate_x = CandidateFactory()
    ApplicationFactory(job=JobFactory(organization=org_a), candidate=candidate_x)
    return {
        "other organization's recruiter": recruiter_a,
        "another candidate": candidate_x.user,
        "the organization's hiring manager on no team": lambda: User.objects.get(email="seat-manager@example.test"),
        "the organization's interviewer on no panel": lambda: User.objects.get(email="seat-interviewer@example.test"),
    }


LIMITED_SEATS = ["the organization's hiring manager on no team", "the organization's interviewer on no panel"]
# What every seat of an organization reads, limited ones included: its list of rejection reasons.
SEAT_REFERENCE = {"/api/v1/rejection-reasons/{id}/"}


def viewer_of(viewers, viewer):  # type: ignore[no-untyped-def]
    found = viewers[viewer]
    return found() if callable(found) else found


@pytest.fixture
def own_parents(viewers):  # type: ignore[no-untyped-def]
    """Outer rows the viewers do see: candidate X (own profile / own applicant) and org A's endpoint."""
    recruiter_a = viewers["other organization's recruiter"]
    candidate_x = Candidate.objects.get(user=viewers["another candidate"])
    organization = recruiter_a.memberships.get().organization
    endpoint = WebhookEndpointFactory(organization=organization)
    job = JobFactory(organization=organization)
    return {"candidates": candidate_x.pk, "webhooks/endpoints": endpoint.pk, "jobs": job.pk}


def test_matrix_covers_every_resource():
    collections = {collection for _, path in DETAIL_OPERATIONS for _, collection in path_rows(path)}

    assert {
        "jobs",
        "candidates",
        "candidates/resumes",
        "candidate-merges",
        "applications",
        "interviews",
        "webhooks/endpoints",
        "webhooks/endpoints/deliveries",
        "notes",
        "jobs/team",
    } <= collections
    assert {path for _, path in NESTED_OPERATIONS} >= {
        "/api/v1/candidates/{id}/resumes/{resume_id}/",
        "/api/v1/webhooks/endpoints/{id}/deliveries/{delivery_id}/redeliver/",
        "/api/v1/jobs/{id}/team/{user_id}/",
    }


def test_every_route_naming_a_row_is_in_the_matrix(hidden_rows):
    named = {path for _, path in OPERATIONS if "{" in path}

    assert named == {path for _, path in DETAIL_OPERATIONS}
    # A new kind of row needs a hidden row below, or its routes cannot be checked.
    assert {collection for path in named for _, collection in path_rows(path)} <= set(hidden_rows)


def test_the_hidden_rows_exist_for_staff(client, staff, hidden_rows):
    """The matrix's URLs name real rows: staff, who see everything, read them all."""
    for method, path in DETAIL_OPERATIONS:
        if method == "GET":
            response = call(client, staff, method, url_for(path, hidden_rows))
            assert response.status_code == 200, (path, response.content)


@pytest.mark.parametrize("viewer", ["other organization's recruiter", "another candidate", *LIMITED_SEATS])
@pytest.mark.parametrize(("method", "path"), DETAIL_OPERATIONS, ids=[f"{m} {p}" for m, p in DETAIL_OPERATIONS])
def test_hidden_rows_are_not_found(client, hidden_rows, viewers, viewer, method, path):
    response = call(client, viewer_of(viewers, viewer), method, url_for(path, hidden_rows))

    if viewer in LIMITED_SEATS and method == "GET" and path in SEAT_REFERENCE:
        # Every seat of the organization reads its rejection reasons (to reject with one).
        assert response.status_code == 200, response.content
    else:
        assert_hidden(response)


@pytest.mark.parametrize("viewer", ["other organization's recruiter", "another candidate"])
@pytest.mark.parametrize(("method", "path"), NESTED_OPERATIONS, ids=[f"{m} {p}" for m, p in NESTED_OPERATIONS])
def test_hidden_rows_under_a_visible_row_are_not_found(client, hidden_rows, viewers, own_parents, viewer, method, path):
    """Another candidate's resume asked for under one's own candidate id, another organization's
    delivery under one's own endpoint: the inner row is looked up within the outer one."""
    (_, outer), *_ = path_rows(path)

    response = call(
        client, viewer_of(viewers, viewer), method, url_for(path, {**hidden_rows, outer: own_parents[outer]})
    )

    assert_hidden(response)
