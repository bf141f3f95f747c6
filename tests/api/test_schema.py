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
