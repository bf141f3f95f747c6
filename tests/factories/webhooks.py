import secrets

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories.accounts import OrganizationFactory


class WebhookEndpointFactory(DjangoModelFactory[WebhookEndpoint]):
    """An endpoint row as the service would store it (no URL checks: nothing is sent to it)."""

    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(OrganizationFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.test/{n}")
    event_types = factory.LazyFunction(lambda: ["application.stage_changed"])
    secret = factory.LazyFunction(lambda: "whsec_" + secrets.token_urlsafe(24))


class WebhookDeliveryFactory(DjangoModelFactory[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event_type = "webhook.test"
    event_data = factory.LazyFunction(dict)
    event_timestamp = factory.LazyFunction(timezone.now)
    webhook_id = factory.Sequence(lambda n: f"msg_factory{n}")
    status = "failed"
