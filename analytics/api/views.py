"""REST view of analytics: pipeline figures for the caller's organizations.

Candidates never hold ``analytics:read`` (403 FORBIDDEN from the scope check). A member
sees their organizations (or the one named with ``?organization``; another one answers
404); staff see every organization, or the one they name.
"""

from dataclasses import asdict
from functools import partial

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.api.serializers import AnalyticsQuerySerializer, AnalyticsSummarySerializer
from analytics.selectors import analytics_summary
from hotgigs.accounts.scopes import ANALYTICS_READ
from hotgigs.api.caching import analytics_read_scope, cached_read
from hotgigs.api.schema import IF_NONE_MATCH, NOT_MODIFIED
from hotgigs.api.views import ERRORS
from hotgigs.replicas import replica_ok


class AnalyticsView(APIView):
    """``GET /analytics``: one summary object (not a paginated list)."""

    required_scopes = {"GET": ANALYTICS_READ}  # noqa: RUF012

    @extend_schema(
        summary="Pipeline analytics",
        description="Open jobs, applications per stage and per source, stage-to-stage conversion, average "
        "time in stage, time to hire and upcoming interviews, for the caller's organizations. "
        "`organization` narrows to one of them; staff may name any organization or omit it for all.",
        parameters=[AnalyticsQuerySerializer, IF_NONE_MATCH],
        responses={200: AnalyticsSummarySerializer, 304: NOT_MODIFIED, **ERRORS},
    )
    @replica_ok
    def get(self, request: Request) -> Response:
        # May be answered by a read replica (hotgigs.replicas). Cached per audience with an ETag (hotgigs.api.caching); application, interview and
        # job writes invalidate the organization's figures.
        return cached_read(self, request, analytics_read_scope(request.user), partial(self._summary, request))

    def _summary(self, request: Request) -> Response:
        query = AnalyticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = analytics_summary(actor=request.user, organization_id=query.validated_data.get("organization"))
        return Response(AnalyticsSummarySerializer(asdict(summary)).data)
