"""HTTP shapes of webhook endpoints and deliveries: the input a client sends and the output.

Input serializers check every shape (a URL of at most MAX_URL characters, a non-empty list
of known event types, a description of at most MAX_DESCRIPTION) and hand
``hotgigs.webhooks.services.endpoints`` typed keyword arguments; the services keep the rules
(a URL must reach a public http(s) address, event types stored in the catalogue's order).
The secret is output only by create and rotate-secret (``EndpointWithSecretSerializer``);
every other response leaves it out.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.webhooks.choices import EVENT_TYPES, DeliveryStatus
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.services.endpoints import MAX_DESCRIPTION, MAX_URL

MAX_ID = 2**63 - 1


def event_types_field(**kwargs: Any) -> serializers.ListField:
    """A non-empty list of the event types an organization may subscribe to."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=len(EVENT_TYPES) * 4, **kwargs
    )


def url_field(**kwargs: Any) -> serializers.CharField:
    """The endpoint's URL; its length counts surrounding spaces, which are then dropped."""
    return serializers.CharField(max_length=MAX_URL, trim_whitespace=False, **kwargs)


def url_trimmed(value: str) -> str:
    """The URL without surrounding spaces; nothing but spaces is refused (the message clients knew)."""
    url = value.strip()
    if not url:
        raise serializers.ValidationError(f"Give a URL of at most {MAX_URL} characters.")
    return url


@extend_schema_serializer(component_name="WebhookEndpointCreate")
class EndpointCreateSerializer(StrictInputSerializer):
    """``organization`` may be omitted by members of exactly one organization."""

    organization = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    url = url_field()
    event_types = event_types_field()
    description = serializers.CharField(max_length=MAX_DESCRIPTION, required=False, allow_blank=True)

    def validate_url(self, value: str) -> str:
        return url_trimmed(value)


@extend_schema_serializer(component_name="WebhookEndpointUpdate")
class EndpointUpdateSerializer(StrictInputSerializer):
    url = url_field(required=False)
    event_types = event_types_field(required=False)
    description = serializers.CharField(max_length=MAX_DESCRIPTION, required=False, allow_blank=True)

    def validate_url(self, value: str) -> str:
        return url_trimmed(value)


class EndpointListQuerySerializer(StrictInputSerializer):
    """Query parameters of the endpoint list: only the pagination's."""

    strict_json_types = False

    cursor = serializers.CharField(required=False, help_text="The `next` or `previous` link's cursor.")
    page_size = serializers.CharField(required=False, help_text="Checked by the pagination.")


class DeliveryFilterSerializer(StrictInputSerializer):
    """Query parameters of the delivery log."""

    strict_json_types = False

    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    cursor = serializers.CharField(required=False, help_text="The `next` or `previous` link's cursor.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=settings.API_MAX_PAGE_SIZE)


@extend_schema_serializer(component_name="WebhookEndpoint")
class EndpointSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization_id = serializers.IntegerField(read_only=True)
    created_by_id = serializers.IntegerField(read_only=True, allow_null=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "id",
            "organization_id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "consecutive_failures",
            "created_by_id",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields


@extend_schema_serializer(component_name="WebhookEndpointWithSecret")
class EndpointWithSecretSerializer(EndpointSerializer):
    """The endpoint with its signing secret: shown once, when created or rotated."""

    secret = serializers.CharField(read_only=True)

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields


@extend_schema_serializer(component_name="WebhookDelivery")
class DeliverySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    endpoint_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "endpoint_id",
            "event_id",
            "event_type",
            "webhook_id",
            "status",
            "attempts",
            "redeliveries",
            "response_code",
            "latency_ms",
            "response_excerpt",
            "error",
            "next_attempt_at",
            "last_attempt_at",
            "completed_at",
            "created_at",
        )
        read_only_fields = fields
