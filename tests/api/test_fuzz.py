"""Property-based fuzzing of the whole API against its own OpenAPI document (issue 3, item 8).

Schemathesis generates requests from the schema for every operation and sends them to a
real server (pytest-django's live server), authenticated once as a recruiter and once as
a candidate. Every response must be non-5xx, carry a documented status code, content type and
headers, and match the documented body schema; schema-violating requests must be refused
and schema-valid ones accepted; undocumented methods answer 405 with ``Allow``.
"""

from datetime import timedelta

import pytest
import requests
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from hotgigs.accounts.tokens import token_issue
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    FeedbackFactory,
    InterviewFactory,
    JobFactory,
    JobSkillFactory,
    MembershipFactory,
    OrganizationFactory,
)
from tests.factories.accounts import PASSWORD

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.missing_required_header,
    schemathesis.checks.unsupported_method,
    schemathesis.checks.allow_header_conformance,
    schemathesis.checks.use_after_free,
    schemathesis.checks.ensure_resource_availability,
    schemathesis.checks.ignored_auth,
    schemathesis.checks.object_level_authorization,
]

FUZZ_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    """A small organization with jobs, candidates, applications, interviews and feedback."""
    org = OrganizationFactory(name="Fuzz Org")
    recruiter = MembershipFactory(organization=org, role="org_admin").user
    job = JobFactory(organization=org, created_by=recruiter)
    JobSkillFactory(job=job, name="Python")
    JobFactory(organization=org, status="draft")
    candidate = CandidateFactory()
    application = ApplicationFactory(job=job, candidate=candidate)
    interview = InterviewFactory(application=application, interviewers=[recruiter])
    past = InterviewFactory(
        application=application,
        interviewers=[recruiter],
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=1),
    )
    FeedbackFactory(interview=past, interviewer=recruiter)
    return {"recruiter": recruiter, "candidate": candidate.user, "interview": interview}


@pytest.fixture
def base_url(live_server) -> str:  # type: ignore[no-untyped-def]
    return str(live_server.url)


@pytest.fixture
def api_schema(live_server, world):  # type: ignore[no-untyped-def]
    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(document)


schema = schemathesis.pytest.from_fixture("api_schema")


def _headers(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    pair = token_issue(email=user.email, password=PASSWORD)
    return {"Authorization": f"Bearer {pair.access_token}"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_recruiter(case, world, base_url):  # type: ignore[no-untyped-def]
    with requests.Session() as session:
        case.call_and_validate(
            base_url=base_url, session=session, headers=_headers(world["recruiter"]), checks=CHECKS, timeout=30
        )


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_candidate(case, world, base_url):  # type: ignore[no-untyped-def]
    with requests.Session() as session:
        case.call_and_validate(
            base_url=base_url, session=session, headers=_headers(world["candidate"]), checks=CHECKS, timeout=30
        )
