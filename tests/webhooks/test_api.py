"""The webhook endpoints API: secrets shown once, validation in the envelope, access, actions."""

import pytest
from rest_framework.test import APIClient

from hotgigs.accounts.tokens import token_issue
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories.accounts import PASSWORD
from tests.webhooks.helpers import make_endpoint

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks/endpoints/"


def login(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(email=user.email, password=PASSWORD).access_token}")
    return client


def test_create_shows_the_secret_once(org_admin, receiver):
    client = login(org_admin)

    created = client.post(BASE, {"url": receiver.url(), "event_types": ["job.created"]}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["job.created"]
    assert WebhookEndpoint.objects.get(pk=body["id"]).created_by == org_admin
    assert "secret" not in client.get(f"{BASE}{body['id']}/").json()
    assert all("secret" not in row for row in client.get(BASE).json()["results"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "http://127.0.0.1:9/hook", "event_types": ["job.created"]}, "url"),
        ({"url": "http://169.254.169.254/", "event_types": ["job.created"]}, "url"),
        ({"url": "http://[::1]/", "event_types": ["job.created"]}, "url"),
        ({"url": "http://localhost/", "event_types": ["job.created"]}, "url"),
        ({"url": "ftp://93.184.215.14/", "event_types": ["job.created"]}, "url"),
        ({"url": "https://93.184.215.14/", "event_types": ["notification.created"]}, "event_types"),
        ({"url": "https://93.184.215.14/", "event_types": []}, "event_types"),
        ({"url": "https://93.184.215.14/", "event_types": ["job.created"], "secret": "whsec_x"}, "secret"),
        ({"event_types": ["job.created"]}, "url"),
        ({"url": "   ", "event_types": ["job.created"]}, "url"),
        ({"url": 5, "event_types": ["job.created"]}, "url"),
        ({"url": "https://93.184.215.14/" + "x" * 2000, "event_types": ["job.created"]}, "url"),
        ({"url": "https://93.184.215.14/", "event_types": "job.created"}, "event_types"),
        ({"url": "https://93.184.215.14/", "event_types": [7]}, "event_types"),
        ({"url": "https://93.184.215.14/", "event_types": ["job.created"], "description": None}, "description"),
    ],
)
def test_bad_input_answers_the_envelope_and_writes_nothing(org_admin, settings, payload, field):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = login(org_admin).post(BASE, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert field in body["details"]
    assert WebhookEndpoint.objects.count() == 0


def test_shapes_keep_the_messages_clients_knew(org_admin):
    client = login(org_admin)

    blank = client.post(BASE, {"url": "   ", "event_types": ["job.created"]}, format="json")
    unknown = client.post(
        BASE, {"url": "https://93.184.215.14/", "event_types": ["job.created", "notification.created"]}, format="json"
    )
    long_description = client.post(
        BASE, {"url": "https://93.184.215.14/", "event_types": ["job.created"], "description": "d" * 256}, format="json"
    )

    assert blank.json()["details"] == {"url": ["Give a URL of at most 2000 characters."]}
    assert unknown.json()["details"] == {"event_types": {"1": ['"notification.created" is not a valid choice.']}}
    assert long_description.json()["details"] == {"description": ["Ensure this field has no more than 255 characters."]}
    assert {blank.status_code, unknown.status_code, long_description.status_code} == {400}
    assert WebhookEndpoint.objects.count() == 0


def test_a_refused_url_answers_the_endpoint_envelope(org_admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = login(org_admin).post(
        BASE, {"url": "http://127.0.0.1:9/hook", "event_types": ["job.created"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "VALIDATION_ERROR",
        "message": "The webhook endpoint is not valid.",
        "details": {"url": ["The host is a private, loopback, link-local or reserved address."]},
    }


def test_surrounding_spaces_are_dropped(org_admin, receiver):
    response = login(org_admin).post(
        BASE,
        {"url": f"  {receiver.url()} ", "event_types": ["job.created"], "description": " CRM sync "},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["url"], response.json()["description"]) == (receiver.url(), "CRM sync")


def test_a_bad_update_changes_nothing(recruiter, org, receiver, settings):
    endpoint = make_endpoint(recruiter, org, receiver)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = login(recruiter).patch(
        f"{BASE}{endpoint.pk}/", {"url": "http://10.0.0.1/", "event_types": ["job.created"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url()
    assert endpoint.event_types == ["application.stage_changed"]


def test_update_rotate_enable_and_delete(recruiter, org, receiver):
    endpoint = make_endpoint(recruiter, org, receiver)
    client = login(recruiter)

    patched = client.patch(f"{BASE}{endpoint.pk}/", {"event_types": ["job.created", "job.closed"]}, format="json")
    rotated = client.post(f"{BASE}{endpoint.pk}/rotate-secret/")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason="x")
    enabled = client.post(f"{BASE}{endpoint.pk}/enable/")
    deleted = client.delete(f"{BASE}{endpoint.pk}/")

    assert patched.json()["event_types"] == ["job.created", "job.closed"]
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != endpoint.secret
    assert (enabled.json()["is_active"], enabled.json()["disabled_reason"]) == (True, "")
    assert deleted.status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_send_test_deliveries_and_redeliver(recruiter, org, receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(recruiter, org, receiver)
    client = login(recruiter)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{BASE}{endpoint.pk}/test/")
    log = client.get(f"{BASE}{endpoint.pk}/deliveries/", {"status": "succeeded"})
    delivery_id = sent.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{BASE}{endpoint.pk}/deliveries/{delivery_id}/redeliver/")

    assert sent.status_code == 202
    assert [row["id"] for row in log.json()["results"]] == [delivery_id]
    assert log.json()["results"][0]["response_code"] == 200
    assert again.status_code == 202
    first, second = receiver.requests
    assert first.verified
    assert second.verified
    assert first.json()["type"] == "webhook.test"
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert WebhookDelivery.objects.get(pk=delivery_id).redeliveries == 1


def test_another_organizations_endpoints_are_not_found(recruiter, org, other_recruiter, receiver):
    endpoint = make_endpoint(recruiter, org, receiver)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="job.created", event_timestamp=endpoint.created_at, webhook_id="msg_x"
    )
    client = login(other_recruiter)

    responses = [
        client.get(f"{BASE}{endpoint.pk}/"),
        client.patch(f"{BASE}{endpoint.pk}/", {"description": "mine"}, format="json"),
        client.delete(f"{BASE}{endpoint.pk}/"),
        client.post(f"{BASE}{endpoint.pk}/rotate-secret/"),
        client.post(f"{BASE}{endpoint.pk}/test/"),
        client.get(f"{BASE}{endpoint.pk}/deliveries/"),
        client.post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"),
    ]

    assert [r.status_code for r in responses] == [404] * 7
    assert {r.json()["code"] for r in responses} == {"NOT_FOUND"}
    assert client.get(BASE).json()["results"] == []
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.secret) == ("", receiver.secret)


def test_creating_for_another_organization_is_not_found(recruiter, other_org, receiver):
    response = login(recruiter).post(
        BASE, {"organization": other_org.pk, "url": receiver.url(), "event_types": ["job.created"]}, format="json"
    )

    assert response.status_code == 404
    assert WebhookEndpoint.objects.count() == 0


def test_candidates_are_forbidden(candidate, recruiter, org, receiver):
    endpoint = make_endpoint(recruiter, org, receiver)
    client = login(candidate.user)

    responses = [
        client.get(BASE),
        client.post(BASE, {"url": receiver.url(), "event_types": ["job.created"]}, format="json"),
        client.get(f"{BASE}{endpoint.pk}/"),
    ]

    assert [r.status_code for r in responses] == [403] * 3
    assert all(r.json()["details"]["required_scope"].startswith("webhooks:") for r in responses)
    assert WebhookEndpoint.objects.count() == 1


def _queries(client: APIClient, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_queries_do_not_grow_with_rows(recruiter, org, receiver):
    client = login(recruiter)
    endpoint = make_endpoint(recruiter, org, receiver)

    def add_deliveries(count: int) -> None:
        for n in range(count):
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_type="job.created",
                event_timestamp=endpoint.created_at,
                webhook_id=f"msg_{count}_{n}",
            )

    add_deliveries(1)
    few_endpoints = _queries(client, BASE)
    few_deliveries = _queries(client, f"{BASE}{endpoint.pk}/deliveries/")
    for _ in range(5):
        make_endpoint(recruiter, org, receiver)
    add_deliveries(10)

    assert _queries(client, BASE) <= few_endpoints
    assert _queries(client, f"{BASE}{endpoint.pk}/deliveries/") <= few_deliveries
    assert len(client.get(f"{BASE}{endpoint.pk}/deliveries/").json()["results"]) == 11


def test_staff_see_every_organizations_endpoints(staff, recruiter, org, other_recruiter, other_org, receiver):
    mine = make_endpoint(recruiter, org, receiver)
    theirs = make_endpoint(other_recruiter, other_org, receiver)

    listed = login(staff).get(BASE).json()["results"]

    assert [row["id"] for row in listed] == [mine.pk, theirs.pk]


@pytest.mark.django_db
def test_an_unknown_query_parameter_on_the_endpoint_list_is_a_validation_error(recruiter):
    response = login(recruiter).get(BASE, {"stauts": "failed"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["details"] == {"stauts": ["Unknown field."]}


@pytest.mark.django_db
def test_the_endpoint_list_takes_a_page_size(recruiter):
    assert login(recruiter).get(BASE, {"page_size": "1"}).status_code == 200
