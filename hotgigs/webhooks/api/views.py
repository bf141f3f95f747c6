"""REST views of an organization's webhook endpoints and their delivery log.

Members of the organization (recruiters, org admins) manage its endpoints; another
organization's endpoint answers 404; a candidate's token lacks the ``webhooks:*`` scopes
(403). Input serializers check the shapes (unknown keys or event types, lengths); the
services refuse URLs that are not http(s) or reach a refused address. Either answers 400
VALIDATION_ERROR and writes nothing.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hotgigs.accounts.models import Organization, User
from hotgigs.accounts.scopes import WEBHOOKS_READ, WEBHOOKS_WRITE
from hotgigs.accounts.selectors import organization_get, organization_list
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.schema import PATH_ID_PATTERN
from hotgigs.api.views import ERRORS
from hotgigs.errors import ValidationFailed
from hotgigs.webhooks.api.serializers import (
    DeliveryFilterSerializer,
    DeliverySerializer,
    EndpointCreateSerializer,
    EndpointListQuerySerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    EndpointWithSecretSerializer,
)
from hotgigs.webhooks.choices import TEST_EVENT_TYPE
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.selectors import delivery_get, delivery_list, endpoint_get, endpoint_list
from hotgigs.webhooks.services.delivery import delivery_redeliver
from hotgigs.webhooks.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_enable,
    endpoint_rotate_secret,
    endpoint_send_test,
    endpoint_update,
)

ID_PATTERN = PATH_ID_PATTERN


class EndpointPagination(CursorPagination):
    ordering = ("created_at", "id")


class DeliveryPagination(CursorPagination):
    """The delivery log reads backwards: newest first (the base ordering)."""


def _organization_for(actor: User, organization_id: int | None) -> Organization:
    if organization_id is not None:
        return organization_get(actor=actor, organization_id=organization_id)
    mine = list(organization_list(actor=actor).order_by("id")[:2])
    if len(mine) != 1:
        raise ValidationFailed(details={"organization": ["Name the organization the endpoint belongs to."]})
    return mine[0]


@extend_schema_view(
    list=extend_schema(
        summary="List webhook endpoints",
        description="The endpoints of the caller's organizations (staff: all), oldest first. No secrets.",
        responses={200: EndpointSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="Get a webhook endpoint", responses={200: EndpointSerializer, **ERRORS}),
)
class WebhookEndpointViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """``/webhooks/endpoints``: CRUD, ``rotate-secret``, ``enable``, ``test``, ``deliveries``, redeliver."""

    serializer_class = EndpointSerializer
    pagination_class = EndpointPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = {  # noqa: RUF012
        "list": WEBHOOKS_READ,
        "retrieve": WEBHOOKS_READ,
        "deliveries": WEBHOOKS_READ,
        "create": WEBHOOKS_WRITE,
        "update": WEBHOOKS_WRITE,
        "partial_update": WEBHOOKS_WRITE,
        "destroy": WEBHOOKS_WRITE,
        "rotate_secret": WEBHOOKS_WRITE,
        "enable": WEBHOOKS_WRITE,
        "send_test": WEBHOOKS_WRITE,
        "redeliver": WEBHOOKS_WRITE,
    }

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return endpoint_list(actor=self.request.user)

    def get_object(self) -> WebhookEndpoint:
        return endpoint_get(actor=self.request.user, endpoint_id=int(self.kwargs["pk"]))

    @property
    def extra_query_parameters(self) -> tuple[str, ...]:
        # The delivery log's filter; the pagination refuses any other parameter.
        return ("status",) if self.action == "deliveries" else ()

    @property
    def _actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A misspelt filter answers 400 rather than silently listing everything.
        EndpointListQuerySerializer(data=request.query_params.dict()).is_valid(raise_exception=True)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(EndpointSerializer(self.get_object()).data)

    @extend_schema(
        summary="Register a webhook endpoint",
        description="Subscribes an http(s) URL to event types of one organization. The response carries the "
        "signing `secret` (`whsec_…`), shown this once. URLs on private, loopback or link-local addresses "
        "are refused (400).",
        request=EndpointCreateSerializer,
        responses={201: EndpointWithSecretSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = EndpointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        organization = _organization_for(self._actor, fields.get("organization"))
        endpoint = endpoint_create(
            actor=self._actor,
            organization=organization,
            url=fields["url"],
            event_types=fields["event_types"],
            description=fields.get("description", ""),
        )
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def _update(self, request: Request) -> Response:
        endpoint = self.get_object()  # 404 for a hidden row comes before any body check
        data = EndpointUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = endpoint_update(actor=self._actor, endpoint=endpoint, **data.validated_data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Change a webhook endpoint",
        description="Any of `url`, `event_types`, `description`; same checks as registering.",
        request=EndpointUpdateSerializer,
        responses={200: EndpointSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request)

    @extend_schema(
        summary="Change a webhook endpoint",
        description="Same as PATCH.",
        request=EndpointUpdateSerializer,
        responses={200: EndpointSerializer, **ERRORS},
    )
    def update(self, request: Request, pk: str) -> Response:
        return self._update(request)

    @extend_schema(summary="Delete a webhook endpoint", request=None, responses={204: None, **ERRORS})
    def destroy(self, request: Request, pk: str) -> Response:
        endpoint_delete(actor=self._actor, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate the signing secret",
        description="Returns the new `secret` (shown this once). The old secret keeps signing alongside it "
        "for a grace period (a second signature in `webhook-signature`).",
        request=None,
        responses={200: EndpointWithSecretSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        endpoint = endpoint_rotate_secret(actor=self._actor, endpoint=self.get_object())
        return Response(EndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        summary="Enable a disabled endpoint",
        description="Forgets its failures; its pending deliveries are sent again.",
        request=None,
        responses={200: EndpointSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str) -> Response:
        endpoint = endpoint_enable(actor=self._actor, endpoint=self.get_object())
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Send a test event",
        description=f"Queues a `{TEST_EVENT_TYPE}` event to this endpoint only. 409 when the endpoint is disabled.",
        request=None,
        responses={202: DeliverySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request: Request, pk: str) -> Response:
        delivery = endpoint_send_test(actor=self._actor, endpoint=self.get_object())
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The endpoint's delivery log",
        description="Newest first, cursor-paginated; `status` filters.",
        parameters=[DeliveryFilterSerializer],
        responses={200: DeliverySerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=DeliveryPagination)
    def deliveries(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        query = DeliveryFilterSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        rows: QuerySet[WebhookDelivery] = delivery_list(
            actor=request.user, endpoint=endpoint, status=query.validated_data.get("status")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Redeliver one delivery",
        description="Sends it again from the first attempt, with the same `webhook-id`. 409 when the endpoint "
        "is disabled.",
        request=None,
        responses={202: DeliverySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=rf"deliveries/(?P<delivery_id>{ID_PATTERN})/redeliver")
    def redeliver(self, request: Request, pk: str, delivery_id: str) -> Response:
        delivery = delivery_get(actor=request.user, endpoint=self.get_object(), delivery_id=int(delivery_id))
        delivery = delivery_redeliver(actor=self._actor, delivery=delivery)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
