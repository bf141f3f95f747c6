"""REST views of a user's own notifications: list them, mark them read, and the email
preferences per kind.

Nobody reads or marks anyone else's notifications, staff included; another user's ids are
ignored when marking, so the count tells nothing about them.
"""

from dataclasses import asdict
from typing import ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs.accounts.scopes import NOTIFICATIONS_READ, NOTIFICATIONS_WRITE
from hotgigs.api.views import ERRORS
from hotgigs.errors import ValidationFailed
from hotgigs.events import catalogue
from hotgigs.notifications.api.serializers import (
    NotificationMarkReadResultSerializer,
    NotificationMarkReadSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
)
from hotgigs.notifications.choices import NotificationKind
from hotgigs.notifications.models import Notification
from hotgigs.notifications.selectors import notification_list, preference_list
from hotgigs.notifications.services import notification_mark_read, preferences_update

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _unread_filter(request: Request) -> bool | None:
    raw = request.query_params.get("unread")
    if raw is None or raw == "":
        return None
    if raw.lower() not in _BOOLEANS:
        raise ValidationFailed(details={"unread": ["Must be true or false."]})
    return _BOOLEANS[raw.lower()]


@extend_schema(
    summary="List my notifications",
    description="The caller's own notifications, newest first, cursor-paginated. `unread=true` keeps the "
    "unread ones, `unread=false` the read ones. New ones are also pushed on the WebSocket channel "
    "`notifications`.",
    parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, required=False)],
    responses={200: NotificationSerializer(many=True), **ERRORS},
)
class NotificationListView(generics.ListAPIView):  # type: ignore[type-arg]
    """``GET /notifications``."""

    serializer_class = NotificationSerializer
    read_scope = NOTIFICATIONS_READ
    filter_backends = ()
    # Read by _unread_filter; the pagination refuses any other parameter.
    extra_query_parameters = ("unread",)

    def get_queryset(self) -> QuerySet[Notification]:
        return notification_list(actor=self.request.user, unread=_unread_filter(self.request))


class NotificationMarkReadView(APIView):
    """``POST /notifications/read``."""

    write_scope = NOTIFICATIONS_WRITE

    @extend_schema(
        summary="Mark my notifications read",
        description="`{ids: [...]}` marks those of the caller's notifications, `{all: true}` every unread one. "
        "Ids that are not the caller's, or already read, are left alone. Answers how many changed.",
        request=NotificationMarkReadSerializer,
        responses={200: NotificationMarkReadResultSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = NotificationMarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data.get("ids")
        updated = notification_mark_read(user_id=request.user.pk, notification_ids=ids)  # type: ignore[arg-type]
        return Response({"updated": updated})


def _render(request: Request) -> Response:
    return Response({"preferences": [asdict(p) for p in preference_list(actor=request.user)]})  # type: ignore[arg-type]


class NotificationPreferencesView(APIView):
    """``GET`` / ``PATCH /notifications/preferences``."""

    required_scopes: ClassVar[dict[str, str]] = {"GET": NOTIFICATIONS_READ, "PATCH": NOTIFICATIONS_WRITE}

    @extend_schema(
        summary="My notification preferences",
        description="Every kind of notification with whether the caller gets it by email (on unless "
        "switched off). In-app notifications are always stored and pushed.",
        responses={200: PreferencesSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return _render(request)

    @extend_schema(
        summary="Change my notification preferences",
        description=f'`{{"email": {{"{catalogue.INTERVIEW_SCHEDULED}": false}}}}` switches email off for that kind; '
        "kinds not named keep their setting. Answers the full list.",
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer, **ERRORS},
    )
    def patch(self, request: Request) -> Response:
        data = PreferencesUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = {NotificationKind(kind): value for kind, value in data.validated_data["email"].items()}
        preferences_update(actor=request.user, email=email)  # type: ignore[arg-type]
        return _render(request)
