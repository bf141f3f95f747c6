"""REST view of the audit log: who viewed or changed which candidate's personal data (staff only)."""

from typing import ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from hotgigs.accounts import policies
from hotgigs.accounts.scopes import CANDIDATES_READ
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.views import ERRORS
from hotgigs.audit.api.serializers import AccessQuerySerializer, AccessRecordSerializer
from hotgigs.audit.models import AccessRecord
from hotgigs.audit.selectors import access_list
from hotgigs.errors import Forbidden


class AccessPagination(CursorPagination):
    ordering = ("-at", "-id")


@extend_schema(
    summary="Search the audit log (staff)",
    description="Who viewed, changed, exported or erased a candidate's personal data, newest first, "
    "cursor-paginated. Narrow with `candidate`, `actor` (a user id), `action` and `since` / `until` "
    "(ISO times). Staff only: 403 FORBIDDEN for anyone else. The log is append-only.",
    parameters=[AccessQuerySerializer],
    responses={200: AccessRecordSerializer(many=True), **ERRORS},
)
class AccessRecordListView(generics.ListAPIView):  # type: ignore[type-arg]
    """``GET /audit-records``."""

    serializer_class = AccessRecordSerializer
    pagination_class = AccessPagination
    read_scope = CANDIDATES_READ
    filter_backends = ()
    extra_query_parameters: ClassVar[tuple[str, ...]] = tuple(AccessQuerySerializer().fields)

    def get_queryset(self) -> QuerySet[AccessRecord]:
        if not policies.may_read_audit_log(self.request.user):  # type: ignore[arg-type]
            raise Forbidden("Only staff may read the audit log.")
        query = AccessQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        return access_list(
            actor=self.request.user,  # type: ignore[arg-type]
            candidate_id=filters.get("candidate"),
            actor_id=filters.get("actor"),
            action=filters.get("action"),
            since=filters.get("since"),
            until=filters.get("until"),
        )
