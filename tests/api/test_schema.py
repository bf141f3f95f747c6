"""The OpenAPI document and its interactive docs (issue 3, item 7)."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_with_security_and_errors(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert schema["components"]["schemas"]["ErrorEnvelope"]["required"] == ["code", "message", "details"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    token = schema["paths"]["/api/v1/auth/token"]["post"]
    assert token["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }


def test_every_authenticated_operation_documents_401_and_403(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    secured = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and op.get("security") not in ([{}], [])
    ]

    assert secured
    assert all({"401", "403"} <= set(op["responses"]) for _, _, op in secured)


def test_docs_page_is_served_without_external_assets(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


# --- the schema states what the server really accepts and returns (issue 11, items 7 and 11) ---


@pytest.fixture
def schema(client):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _operations(schema):  # type: ignore[no-untyped-def]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _component(schema, ref_or_schema):  # type: ignore[no-untyped-def]
    ref = ref_or_schema.get("$ref", "")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else ref_or_schema


def test_every_path_id_is_a_positive_integer(schema):
    path_parameters = [
        (path, parameter)
        for path, _, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]

    assert {parameter["name"] for _, parameter in path_parameters} >= {"id", "job_id", "resume_id", "delivery_id"}
    for path, parameter in path_parameters:
        assert parameter["schema"]["type"] == "integer", (path, parameter)
        assert parameter["schema"]["minimum"] == 1, (path, parameter)


def test_id_and_size_query_parameters_state_their_bounds(schema):
    jobs = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/jobs/"]["get"]["parameters"]}
    applications = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/applications/"]["get"]["parameters"]}

    assert jobs["organization"]["minimum"] == 1
    assert jobs["salary_min"]["minimum"] == 0
    assert jobs["page_size"]["minimum"] == 1
    assert applications["job"]["minimum"] == 1


def test_feedback_rating_is_one_to_five(schema):
    rating = schema["components"]["schemas"]["FeedbackSubmitRequest"]["properties"]["rating"]

    assert (rating["minimum"], rating["maximum"]) == (1, 5)


def test_a_salary_needs_a_currency(schema):
    salary = schema["components"]["schemas"]["SalaryInputRequest"]
    ways = salary["anyOf"]

    # Either a currency is given, or no figure is.
    assert {"required": ["currency"]}.items() <= ways[0].items()
    assert ways[0]["properties"]["currency"]["pattern"] == "^[A-Za-z]{3}$"
    assert all(ways[1]["properties"][key] == {"nullable": True, "maximum": -1} for key in ("min", "max"))


def test_me_lists_organizations_with_their_role(schema):
    me = schema["paths"]["/api/v1/auth/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    organizations = _component(schema, me)["properties"]["organizations"]["items"]
    organization = _component(schema, organizations)

    assert set(organization["required"]) == {"id", "name", "role"}
    assert set(_component(schema, organization["properties"]["role"])["enum"]) >= {"recruiter", "org_admin"}


def test_notification_kind_is_an_enum_and_payload_an_object(schema):
    notification = schema["components"]["schemas"]["Notification"]
    kind = _component(schema, notification["properties"]["kind"]["allOf"][0])
    payload = _component(schema, notification["properties"]["payload"]["allOf"][0])

    assert "interview.scheduled" in kind["enum"]
    assert payload["type"] == "object"
    assert {"role", "path"} <= set(payload["required"])


def test_webhook_event_types_are_an_enum(schema):
    for name in ("WebhookEndpointCreateRequest", "WebhookEndpoint"):
        event_types = schema["components"]["schemas"][name]["properties"]["event_types"]
        assert "job.created" in _component(schema, event_types["items"])["enum"], name
    create = schema["components"]["schemas"]["WebhookEndpointCreateRequest"]["properties"]["event_types"]
    assert create["minItems"] == 1


def test_every_response_documents_the_request_id_rate_limit_and_version_headers(schema):
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            headers = response.get("headers", {})
            assert headers["X-Request-ID"]["required"] is True, (path, method, status)
            assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(headers)
            assert {"API-Version", "Deprecation", "Sunset"} <= set(headers), (path, method, status)
        assert operation["responses"]["429"]["headers"]["Retry-After"]["required"] is True


@pytest.mark.parametrize(
    ("path", "method"), [("/api/v1/jobs/", "get"), ("/api/v1/jobs/{id}/", "get"), ("/api/v1/analytics/", "get")]
)
def test_cached_reads_document_etag_and_304(schema, path, method):
    operation = schema["paths"][path][method]

    assert "If-None-Match" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert "ETag" in operation["responses"]["304"]["headers"]
    assert "content" not in operation["responses"]["304"]


def test_request_strings_state_what_drf_refuses(schema):
    components = schema["components"]["schemas"]
    title = components["JobCreateRequest"]["properties"]["title"]
    reason = components["ApplicationWithdrawRequest"]["properties"]["reason"]
    password = components["TokenRequestRequest"]["properties"]["password"]

    # Stripped and not blank: something besides whitespace; never a NUL character.
    assert title["pattern"] == r"^[^\x00]*[^\s\x00][^\x00]*$"
    assert reason["pattern"] == r"^[^\x00]*$"
    assert password["pattern"] == r"^[^\x00]*$"


def test_email_preferences_name_the_kinds(schema):
    email = schema["components"]["schemas"]["PatchedPreferencesUpdateRequest"]["properties"]["email"]

    assert email["additionalProperties"] is False
    assert "interview.scheduled" in email["properties"]


def test_phone_and_device_id_state_the_characters_the_server_accepts(schema):
    """The server checks these fields with the very pattern the document states, so they agree."""
    from candidates.services.profiles import PHONE_PATTERN
    from hotgigs.accounts.tokens import DEVICE_ID_PATTERN

    for name in ("CandidateInputRequest", "PatchedCandidateInputRequest", "RegisterRequestRequest"):
        assert schema["components"]["schemas"][name]["properties"]["phone"]["pattern"] == PHONE_PATTERN
    assert schema["components"]["schemas"]["TokenRequestRequest"]["properties"]["device_id"]["pattern"] == (
        DEVICE_ID_PATTERN
    )


@pytest.mark.parametrize("phone", ["²123", "١٢٣", "+1 555 0100 x2"])
def test_a_phone_outside_the_pattern_is_refused(login, candidate, phone):
    response = login(candidate.user).patch("/api/v1/candidates/me/", {"phone": phone}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "phone" in response.json()["details"]


def test_min_score_states_zero_to_one_hundred(schema):
    """The match filter refuses a negative score or one above 100; its pattern says so."""
    import re

    (parameter,) = [
        p for p in schema["paths"]["/api/v1/jobs/{job_id}/matches/"]["get"]["parameters"] if p["name"] == "min_score"
    ]
    pattern = parameter["schema"]["pattern"]
    assert [v for v in ("0", "7.5", "99.99", "100", "100.00") if not re.search(pattern, v)] == []
    assert [v for v in ("-8", "100.01", "101", "", ".", "1e2") if re.search(pattern, v)] == []
