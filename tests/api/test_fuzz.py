"""Property-based fuzzing of the whole API against its own OpenAPI document (issue 3, item 8).

Schemathesis generates requests from the schema for every operation and sends them to a
real server (pytest-django's live server), authenticated once as a recruiter and once as
a candidate. Every response must be non-5xx, carry a documented status code, content type and
headers, and match the documented body schema; schema-violating requests must be refused
and schema-valid ones accepted; undocumented methods answer 405 with ``Allow``; an operation
that asks for a token refuses the request without one.

A schema-valid request may still be refused where the rule depends on the caller, on stored
rows, on the clock or on another field: STATE_RULES lists each such rule per operation, and
only a 400 VALIDATION_ERROR naming nothing but that rule's fields is accepted for it.
"""

from datetime import timedelta

import pytest
import requests
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData

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

# A note's text: its @email mentions must be members of the organization (stored rows), and it
# must hold more than white space (trimmed before the length is checked).
NOTE_BODY_RULE = "@email mentions name members of the organization (stored rows); not only white space"
# Rules the schema cannot state, per operation: {field the error names: why the schema cannot}.
STATE_RULES: dict[str, dict[str, str]] = {
    "POST /api/v1/applications/": {
        "candidate_id": "a caller without a candidate profile of their own (a recruiter) must name the candidate",
    },
    "POST /api/v1/auth/register": {
        "password": "Django's password validators: not too similar to the email, not a common password, "
        "not only digits (another field and a word list)",
    },
    "POST /api/v1/candidates/": {
        "full_name": "required when a recruiter sources a candidate; a candidate's own profile defaults to theirs",
        "email": "required when a recruiter sources a candidate; a candidate's own profile defaults to theirs",
        "organization": "one the recruiter works for (named when they work for several); an own profile takes none",
    },
    "POST /api/v1/candidates/{id}/merge/": {
        "duplicate": "another profile the caller sees, sourced by the same organization and not merged away",
    },
    "POST /api/v1/candidates/{id}/resume/": {
        "file": "the type is read from the bytes (PDF, DOCX or UTF-8 text), not from the name or a header",
    },
    "POST /api/v1/jobs/": {"salary": "min <= max (two fields)"},
    "PUT /api/v1/jobs/{id}/": {"salary": "min <= max (two fields)"},
    "PATCH /api/v1/jobs/{id}/": {
        "salary": "merged with the stored salary before min <= max and the currency are checked",
    },
    "POST /api/v1/interviews/": {
        "starts_at": "in the future (the clock)",
        "ends_at": "after starts_at (two fields)",
        "interviewer_ids": "members of the job's organization (stored rows)",
        "round_id": "a round of the application's job's interview plan (stored rows)",
        "timezone": "a zone of the server's IANA database (the schema says string: listing 600 names is no schema)",
    },
    "POST /api/v1/applications/{id}/move/": {
        "rejection_reason_id": "required to reject and refused for other moves (two fields); a live reason of "
        "the application's organization (stored rows)",
    },
    "POST /api/v1/applications/bulk/": {
        "stage": "required to move, refused to reject or for a note (two fields)",
        "rejection_reason_id": "required to reject, refused for a note (two fields)",
        "reason": "refused for a note (two fields)",
        "body": "required for a note, refused otherwise; not blank once trimmed, at most 10,000 characters (two fields)",
        "email_template_id": "only to reject, one of the organization's live templates (two fields, stored rows)",
        "email_delay_minutes": "only with an email template (two fields)",
    },
    "POST /api/v1/jobs/{id}/team/": {
        "user_id": "an active member of the job's organization (stored rows)",
        "role": "one hiring manager per job; a seat's role allows the part (stored rows)",
    },
    # A template's text may use only the documented placeholders, its name once per organization.
    "POST /api/v1/rejection-email-templates/": {
        "subject": "placeholders from the documented set only, braces balanced",
        "body": "placeholders from the documented set only, braces balanced",
        "name": "unique per organization (stored rows); not blank once trimmed",
        "organization_id": "one of the caller's organizations, needed when they have several (stored rows)",
    },
    "PATCH /api/v1/rejection-email-templates/{id}/": {
        "subject": "placeholders from the documented set only, braces balanced",
        "body": "placeholders from the documented set only, braces balanced",
        "name": "unique per organization (stored rows); not blank once trimmed",
    },
    "PUT /api/v1/jobs/{job_id}/interview-plan/": {"rounds": "names unique regardless of case, not blank once trimmed"},
    "POST /api/v1/rejection-reasons/": {
        "organization_id": "one of the caller's organizations (stored rows)",
        "label": "not blank once trimmed",
    },
    "POST /api/v1/interviews/{id}/reschedule/": {
        "starts_at": "in the future (the clock)",
        "ends_at": "after starts_at (two fields)",
    },
    "PATCH /api/v1/notifications/preferences/": {
        "email": "drf-spectacular documents every PATCH body field as optional; this one is required",
    },
    "POST /api/v1/notifications/read/": {"ids": "either ids or all: true, not both and not neither (two fields)"},
    "POST /api/v1/applications/{id}/notes/": {"body": NOTE_BODY_RULE},
    "POST /api/v1/candidates/{id}/notes/": {
        "body": NOTE_BODY_RULE,
        "organization_id": "one of the caller's organizations, needed when they have several (stored rows)",
    },
    "PATCH /api/v1/notes/{id}/": {"body": NOTE_BODY_RULE},
    "GET /api/v1/analytics/report/": {
        "from": "not after to, at most 3660 days before it (two fields), between 1970-01-01 and 9000-12-31",
        "to": "between 1970-01-01 and 9000-12-31 (the default from and the next day must exist)",
    },
    "GET /api/v1/analytics/adverse-impact/": {
        "from": "not after to (two fields), between 1970-01-01 and 9000-12-31",
        "to": "between 1970-01-01 and 9000-12-31",
    },
    "POST /api/v1/webhooks/endpoints/": {"url": "its host must resolve to a public address (DNS)"},
    "PUT /api/v1/webhooks/endpoints/{id}/": {"url": "its host must resolve to a public address (DNS)"},
    "PATCH /api/v1/webhooks/endpoints/{id}/": {"url": "its host must resolve to a public address (DNS)"},
}
# Every list: a cursor is valid only as the server signed it in a next or previous link.
CURSOR_RULE = {"cursor": "only a cursor taken unchanged from a next or previous link is valid (signed)"}


def _state_rule_fields(case) -> set[str]:  # type: ignore[no-untyped-def]
    fields = set(STATE_RULES.get(case.operation.label, {}))
    if any(
        p.name == "cursor" and getattr(p.location, "value", p.location) == "query"
        for p in case.operation.iter_parameters()
    ):
        fields |= set(CURSOR_RULE)
    return fields


@schemathesis.check
def positive_data_acceptance_but_state_rules(ctx, response, case):  # type: ignore[no-untyped-def]
    """schemathesis' positive_data_acceptance, except a 400 that names only a STATE_RULES field."""
    try:
        return schemathesis.checks.positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        fields = _state_rule_fields(case)
        body = response.json() if response.status_code == 400 and fields else None
        details = body.get("details") if isinstance(body, dict) else None
        if isinstance(details, dict) and details and body.get("code") == "VALIDATION_ERROR" and set(details) <= fields:  # type: ignore[union-attr]
            return None
        raise


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
    positive_data_acceptance_but_state_rules,
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
def world(django_db_reset_sequences):  # type: ignore[no-untyped-def]
    """A small organization with jobs, candidates, applications, interviews and feedback.

    Sequences restart at 1, so these rows have the same ids whatever ran before, and the small
    ids schemathesis generates reach them.
    """
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


# Erasure deactivates the login that asks (a candidate erasing their own data) and empties the
# world every later operation of the same test reads: it is tested in tests/privacy instead.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=r"/erase/?$")


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


def test_every_state_rule_names_a_documented_operation_and_field():
    """A misspelt exception would silently excuse nothing; a stale one would excuse too much."""
    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    labels = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    assert set(STATE_RULES) <= labels
    for label, rules in STATE_RULES.items():
        method, path = label.split(" ", 1)
        operation = document["paths"][path][method.lower()]
        if "requestBody" not in operation:  # a GET's rules name its query parameters
            query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            assert set(rules) <= query, label
            continue
        schema = next(iter(operation["requestBody"]["content"].values()))["schema"]
        ref = schema.get("$ref", "")
        component = document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema
        assert set(rules) <= set(component.get("properties", {})), label
