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

from analytics.api.serializers import (
    AdverseImpactQuerySerializer,
    AdverseImpactSerializer,
    AnalyticsQuerySerializer,
    AnalyticsReportQuerySerializer,
    AnalyticsReportSerializer,
    AnalyticsSummarySerializer,
)
from analytics.selectors import ReportFilters, analytics_report, analytics_summary
from analytics.selectors.adverse_impact import CAUTIONS, DEFAULT_TOP, DIMENSIONS, ImpactFilters, adverse_impact_report
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


class AnalyticsReportView(APIView):
    """``GET /analytics/report``: the figures of the daily snapshots, filtered (one object)."""

    required_scopes = {"GET": ANALYTICS_READ}  # noqa: RUF012

    @extend_schema(
        summary="Pipeline analytics from the daily snapshots",
        description="Conversion over decided applications (with the applications still in each stage "
        "alongside), offer acceptance, source of hire, time to hire and time to fill, for a day range "
        "(`from`, `to`, UTC, inclusive; default the last 90 days) and optionally one job, department or "
        "recruiter (the job's creator), for the caller's organizations (`organization` narrows to one). "
        "Read from the daily snapshots (written by beat every ten minutes), so the figures outlive a "
        "candidate's erasure. Answers carry an ETag: a 304 to `If-None-Match` does not count against "
        "the analytics rate limit, so dashboards may poll.",
        parameters=[AnalyticsReportQuerySerializer, IF_NONE_MATCH],
        responses={200: AnalyticsReportSerializer, 304: NOT_MODIFIED, **ERRORS},
    )
    @replica_ok
    def get(self, request: Request) -> Response:
        return cached_read(self, request, analytics_read_scope(request.user), partial(self._report, request))

    def _report(self, request: Request) -> Response:
        query = AnalyticsReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = ReportFilters(
            date_from=data["from"],
            date_to=data["to"],
            job_id=data.get("job"),
            department=data.get("department"),
            recruiter_id=data.get("recruiter"),
        )
        report = analytics_report(actor=request.user, filters=filters, organization_id=data.get("organization"))
        return Response(AnalyticsReportSerializer(asdict(report)).data)


class AdverseImpactView(APIView):
    """``GET /analytics/adverse-impact``: the adverse-impact monitor (one object). Not cached:
    it is read rarely, and only by the organization's admins (a recruiter shares their
    organization's analytics cache)."""

    required_scopes = {"GET": ANALYTICS_READ}  # noqa: RUF012

    @extend_schema(
        summary="Adverse-impact monitor",
        description="Selection rates per self-identified group (gender, race / ethnicity, veteran status, "
        "disability status) for each step of the funnel, with each group's impact ratio against the "
        "highest-rate group (flagged `adverse` under the four-fifths rule, 0.8), Fisher's exact test per "
        "group and for the step (chi-square for more than two groups), and small-sample cautions (a "
        "group under 30, an expected count under 5). The same for the AI match scores: per group, the "
        "share of scored candidates in the `top` ranks of each job. Only candidates who self-identified "
        "are compared; declined and unanswered are counts. Groups under 5 are suppressed. Org admins "
        "(of the organizations in scope) and staff only: 403 FORBIDDEN for anyone else.",
        parameters=[AdverseImpactQuerySerializer],
        responses={200: AdverseImpactSerializer, **ERRORS},
    )
    @replica_ok
    def get(self, request: Request) -> Response:
        query = AdverseImpactQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = ImpactFilters(
            job_id=data.get("job"),
            stage=data.get("stage"),
            date_from=data.get("from"),
            date_to=data.get("to"),
            dimensions=(data["dimension"],) if data.get("dimension") else DIMENSIONS,
            top=data.get("top", DEFAULT_TOP),
        )
        report = adverse_impact_report(actor=request.user, filters=filters, organization_id=data.get("organization"))
        return Response(AdverseImpactSerializer({**asdict(report), "cautions": CAUTIONS}).data)
