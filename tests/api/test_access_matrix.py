"""One access matrix over every detail route and method of the API (issue 3, item 8).

The routes come from the OpenAPI document, so a new detail route joins the matrix by
existing. Rows of another organization, and of another candidate, must answer 404
NOT_FOUND whatever the method: the API never confirms that a hidden row exists. A 403
is accepted only when the token lacks the endpoint's scope (details.required_scope),
which is decided before any row is looked up and so reveals nothing either.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from hotgigs.accounts.tokens import token_issue_for_user
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    FeedbackFactory,
    InterviewFactory,
    JobFactory,
    MembershipFactory,
    OrganizationFactory,
)

RESOURCE = re.compile(r"^/api/v1/(?P<resource>[a-z-]+)/\{(?P<param>[a-z_]+)\}")


def _detail_operations() -> list[tuple[str, str]]:
    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    operations = []
    for path, item in document["paths"].items():
        if RESOURCE.match(path):
            operations += [
                (method.upper(), path) for method in item if method in {"get", "post", "put", "patch", "delete"}
            ]
    return sorted(operations)


DETAIL_OPERATIONS = _detail_operations()


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
    return {"jobs": job.pk, "candidates": candidate_y.pk, "applications": application.pk, "interviews": interview.pk}


@pytest.fixture
def viewers(db):  # type: ignore[no-untyped-def]
    """A recruiter of organization A (with its own job and applicant) and candidate X."""
    org_a = OrganizationFactory(name="Viewer Org")
    recruiter_a = MembershipFactory(organization=org_a, role="org_admin").user
    candidate_x = CandidateFactory()
    ApplicationFactory(job=JobFactory(organization=org_a), candidate=candidate_x)
    return {"other organization's recruiter": recruiter_a, "another candidate": candidate_x.user}


def test_matrix_covers_every_resource():
    resources = {RESOURCE.match(path)["resource"] for _, path in DETAIL_OPERATIONS}  # type: ignore[index]

    assert {"jobs", "candidates", "applications", "interviews"} <= resources


@pytest.mark.parametrize("viewer", ["other organization's recruiter", "another candidate"])
@pytest.mark.parametrize(("method", "path"), DETAIL_OPERATIONS, ids=[f"{m} {p}" for m, p in DETAIL_OPERATIONS])
def test_hidden_rows_are_not_found(client, hidden_rows, viewers, viewer, method, path):
    match = RESOURCE.match(path)
    assert match is not None
    url = path.replace("{" + match["param"] + "}", str(hidden_rows[match["resource"]]), 1)
    token = token_issue_for_user(user=viewers[viewer]).access_token

    response = client.generic(
        method, url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    body = response.json()
    if response.status_code == 403:
        assert "required_scope" in (body["details"] or {}), body
    else:
        assert response.status_code == 404, body
        assert body["code"] == "NOT_FOUND"
