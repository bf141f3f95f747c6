"""The caller's own email preferences: read them, change them per kind."""

from dataclasses import asdict
from typing import ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs.accounts.scopes import NOTIFICATIONS_READ, NOTIFICATIONS_WRITE
from hotgigs.api.views import ERRORS
from hotgigs.events import catalogue
from hotgigs.notifications.api.serializers import PreferencesSerializer, PreferencesUpdateSerializer
from hotgigs.notifications.selectors import preference_list
from hotgigs.notifications.services import preferences_update


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
        preferences_update(actor=request.user, email=data.validated_data["email"])  # type: ignore[arg-type]
        return _render(request)
