"""The endpoint services' rules: members only, reachable public URLs, event types in the catalogue's order.

Shapes (lengths, a non-empty list of known event types, unknown keys) are the API input's
(tests/webhooks/test_api.py).
"""

import pytest

from hotgigs.errors import NotFound
from hotgigs.webhooks.choices import EVENT_TYPES
from hotgigs.webhooks.errors import InvalidWebhookEndpoint
from hotgigs.webhooks.models import WebhookEndpoint
from hotgigs.webhooks.services.endpoints import endpoint_create, endpoint_update

pytestmark = pytest.mark.django_db
PUBLIC = "https://93.184.215.14/hook"


def test_event_types_are_stored_once_each_in_the_catalogue_order(recruiter, org):
    endpoint = endpoint_create(
        actor=recruiter,
        organization=org,
        url=PUBLIC,
        event_types=["job.closed", "application.submitted", "job.created", "job.closed"],
    )

    endpoint.refresh_from_db()
    assert endpoint.event_types == [
        t for t in EVENT_TYPES if t in {"job.closed", "application.submitted", "job.created"}
    ]
    assert endpoint.event_types.index("job.created") < endpoint.event_types.index("job.closed")


@pytest.mark.parametrize(
    ("event_types", "message"),
    [(["job.created", "job.exploded"], "Unknown event types: job.exploded."), ([], "Give at least one event type.")],
)
def test_event_types_outside_the_catalogue_are_refused_not_dropped(recruiter, org, event_types, message):
    with pytest.raises(InvalidWebhookEndpoint) as refused:
        endpoint_create(actor=recruiter, organization=org, url=PUBLIC, event_types=event_types)
    assert refused.value.details == {"event_types": [message]}
    assert not WebhookEndpoint.objects.exists()

    endpoint = endpoint_create(actor=recruiter, organization=org, url=PUBLIC, event_types=["job.created"])
    with pytest.raises(InvalidWebhookEndpoint):
        endpoint_update(actor=recruiter, endpoint=endpoint, event_types=event_types)
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["job.created"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/hook", "The host is a private, loopback, link-local or reserved address."),
        ("ftp://93.184.215.14/", "Use an http or https URL with a host."),
        ("https://user:pw@93.184.215.14/", "Do not put credentials in the URL."),
    ],
)
def test_a_url_webhooks_may_not_reach_is_refused_and_nothing_is_written(recruiter, org, settings, url, message):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(InvalidWebhookEndpoint) as refused:
        endpoint_create(actor=recruiter, organization=org, url=url, event_types=["job.created"])

    assert refused.value.message == "The webhook endpoint is not valid."
    assert refused.value.details == {"url": [message]}
    assert not WebhookEndpoint.objects.exists()


def test_a_non_member_is_told_nothing(other_recruiter, org):
    with pytest.raises(NotFound):
        endpoint_create(actor=other_recruiter, organization=org, url=PUBLIC, event_types=["job.created"])

    assert not WebhookEndpoint.objects.exists()


def test_update_changes_only_the_given_fields(recruiter, org):
    endpoint = endpoint_create(
        actor=recruiter, organization=org, url=PUBLIC, event_types=["job.created"], description="CRM"
    )

    endpoint_update(actor=recruiter, endpoint=endpoint, event_types=["job.closed", "job.opened"])

    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description) == (PUBLIC, "CRM")
    assert endpoint.event_types == ["job.opened", "job.closed"]


def test_an_update_to_a_refused_url_changes_nothing(recruiter, org, settings):
    endpoint = endpoint_create(actor=recruiter, organization=org, url=PUBLIC, event_types=["job.created"])
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(InvalidWebhookEndpoint):
        endpoint_update(
            actor=recruiter, endpoint=endpoint, url="http://10.0.0.1/", event_types=["job.closed"], description="x"
        )

    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.description) == (PUBLIC, ["job.created"], "")
