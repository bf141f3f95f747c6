"""REST views of data-subject requests: a candidate's export and erasure of their own data, the
same for staff by candidate id, and the erasure receipts (staff)."""

import logging
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.errors import CandidateNotFound
from candidates.selectors import candidate_for_user, candidate_get
from hotgigs.accounts import policies
from hotgigs.accounts.scopes import CANDIDATES_READ, CANDIDATES_WRITE, ORGANIZATION_ADMIN
from hotgigs.accounts.selectors import organization_get
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.ratelimit import CounterUnavailable, Rule, count, rate_limited_response
from hotgigs.api.views import ERRORS
from hotgigs.audit.choices import AccessChannel
from hotgigs.errors import Forbidden
from privacy.api.serializers import (
    ErasureReceiptSerializer,
    ErasureRequestSerializer,
    PersonalDataSerializer,
    RetentionDueQuerySerializer,
    RetentionDueSerializer,
    RetentionInputSerializer,
    RetentionSerializer,
)
from privacy.choices import RETENTION_SOON_DAYS
from privacy.models import ErasureReceipt
from privacy.selectors import receipt_list, retention_due, retention_setting_get
from privacy.services import candidate_erase, export_json, personal_data_export, retention_set

logger = logging.getLogger(__name__)


def _own(request: Request) -> Any:
    candidate = candidate_for_user(user=request.user, skills=False)
    if candidate is None:
        raise CandidateNotFound("You have no candidate profile.")
    return candidate


def _as_staff(request: Request, pk: str) -> Any:
    # A profile the caller does not see is not found, as everywhere; one they see is staff's to act on.
    candidate = candidate_get(actor=request.user, candidate_id=int(pk), skills=False)
    if not policies.is_staff(request.user):  # type: ignore[arg-type]
        raise Forbidden("Only staff act on another person's data-subject request.")
    return candidate


def _export_limited(request: Request) -> HttpResponse | None:
    """The export's own limit per user (``RATE_LIMIT_EXPORT``), on top of the middleware's."""
    if not settings.RATE_LIMIT_ENABLED:
        return None
    try:
        usage = count(request, Rule("export", settings.RATE_LIMIT_EXPORT, f"user:{request.user.pk}"))
    except CounterUnavailable:
        logger.warning("export rate limit unavailable", extra={"user_id": request.user.pk})
        return None
    if usage is not None and usage.exceeded:
        return rate_limited_response(usage, request)
    return None


def _export(request: Request, candidate: Any) -> HttpResponse:
    limited = _export_limited(request)
    if limited is not None:
        return limited
    document = personal_data_export(actor=request.user, candidate=candidate, channel=AccessChannel.API)  # type: ignore[arg-type]
    # The same bytes the staff command and the back office write (privacy.services.export_json).
    response = HttpResponse(export_json(document), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{candidate.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


def _erase(request: Request, candidate: Any) -> Response:
    data = ErasureRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    receipt = candidate_erase(actor=request.user, candidate=candidate, channel=AccessChannel.API)  # type: ignore[arg-type]
    return Response(ErasureReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


EXPORT_DESCRIPTION = (
    "Everything HotGigs holds about the person as one JSON document: account, profile, skills, consents, "
    "resumes (metadata, extracted text, and `download`: the route that hands out a file link), applications "
    "with their stage history, interviews (times, kind, place, status) and notifications. Never the hiring "
    "team's notes, interview feedback or reasons. At most RATE_LIMIT_EXPORT (5 an hour) per user: 429 "
    "RATE_LIMITED beyond. Each export is written to the audit log."
)
ERASE_DESCRIPTION = (
    'Erase at once (body `{"confirm": "ERASE"}`; it cannot be undone): the profile\'s name, contact, texts, '
    "skills, consents, resumes and files, cover letters, match scores, notes and written feedback about the "
    "person, their notifications and emails, and the login when it is only theirs. The anonymous facts stay "
    "(applications' stage, source and times, stage history, interview times) so figures do not change. "
    "Answers the receipt: what kinds were erased and how many, when, by whom. 409 CONFLICT if already erased."
)


class MyExportView(APIView):
    """``GET /candidates/me/export``."""

    read_scope = CANDIDATES_READ

    @extend_schema(
        summary="Export your personal data",
        description=EXPORT_DESCRIPTION,
        responses={200: PersonalDataSerializer, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        return _export(request, _own(request))


class MyErasureView(APIView):
    """``POST /candidates/me/erase``."""

    write_scope = CANDIDATES_WRITE

    @extend_schema(
        summary="Erase your personal data",
        description=ERASE_DESCRIPTION,
        request=ErasureRequestSerializer,
        responses={201: ErasureReceiptSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        return _erase(request, _own(request))


class CandidateExportView(APIView):
    """``GET /candidates/{id}/export`` (staff)."""

    read_scope = CANDIDATES_READ

    @extend_schema(
        summary="Export a candidate's personal data (staff)",
        description=EXPORT_DESCRIPTION + " Staff only (403 otherwise), for a data-subject request.",
        responses={200: PersonalDataSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return _export(request, _as_staff(request, pk))


class CandidateErasureView(APIView):
    """``POST /candidates/{id}/erase`` (staff)."""

    write_scope = CANDIDATES_WRITE

    @extend_schema(
        summary="Erase a candidate's personal data (staff)",
        description=ERASE_DESCRIPTION + " Staff only (403 otherwise), for a data-subject request.",
        request=ErasureRequestSerializer,
        responses={201: ErasureReceiptSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        return _erase(request, _as_staff(request, pk))


class ReceiptPagination(CursorPagination):
    ordering = ("-erased_at", "-id")


@extend_schema(
    summary="List erasure receipts (staff)",
    description="Every erasure: candidate id, when, by whom, at whose request, counts per kind. Staff only.",
    responses={200: ErasureReceiptSerializer(many=True), **ERRORS},
)
class ReceiptListView(generics.ListAPIView):  # type: ignore[type-arg]
    """``GET /erasure-receipts``."""

    serializer_class = ErasureReceiptSerializer
    pagination_class = ReceiptPagination
    read_scope = CANDIDATES_READ
    filter_backends = ()
    extra_query_parameters: ClassVar[tuple[str, ...]] = ()

    def get_queryset(self) -> QuerySet[ErasureReceipt]:
        if not policies.may_read_audit_log(self.request.user):  # type: ignore[arg-type]
            raise Forbidden("Only staff may read erasure receipts.")
        return receipt_list(actor=self.request.user)


RETENTION_DESCRIPTION = (
    "How long the organization keeps candidates without activity (`retention_days`, 30–3650; null: kept until "
    "they or staff erase them). Every day the candidates past it are erased with a receipt (reason `retention`): "
    "those it sourced or that applied to its jobs, with no application in progress and none hired, once every "
    "organization holding them has let go. The organization's admins and staff; 403 for its other members, 404 "
    "for anyone else."
)


def _managed_organization_id(request: Request, pk: str) -> int:
    """The organization named in the path: 404 when the caller cannot see it, 403 when they
    see it but do not manage its retention."""
    organization = organization_get(actor=request.user, organization_id=int(pk))
    if not policies.may_manage_retention(request.user, organization.pk):  # type: ignore[arg-type]
        raise Forbidden("Only the organization's admins or staff manage its retention period.")
    return organization.pk


class RetentionView(APIView):
    """``GET`` / ``PUT /organizations/{id}/retention``."""

    read_scope = ORGANIZATION_ADMIN
    write_scope = ORGANIZATION_ADMIN

    @extend_schema(
        summary="Read an organization's retention period",
        description=RETENTION_DESCRIPTION,
        responses={200: RetentionSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        organization_id = _managed_organization_id(request, pk)
        setting = retention_setting_get(organization_id=organization_id)
        return Response(RetentionSerializer(RetentionSerializer.of(organization_id, setting)).data)

    @extend_schema(
        summary="Set an organization's retention period",
        description=RETENTION_DESCRIPTION,
        request=RetentionInputSerializer,
        responses={200: RetentionSerializer, **ERRORS},
    )
    def put(self, request: Request, pk: str) -> Response:
        organization_id = _managed_organization_id(request, pk)
        data = RetentionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        setting = retention_set(
            actor=request.user,  # type: ignore[arg-type]
            organization_id=organization_id,
            retention_days=data.validated_data["retention_days"],
        )
        return Response(RetentionSerializer(RetentionSerializer.of(organization_id, setting)).data)


class RetentionDueView(APIView):
    """``GET /organizations/{id}/retention/due``: who the next purges erase."""

    read_scope = ORGANIZATION_ADMIN

    @extend_schema(
        summary="List the candidates an organization's retention period makes due",
        description="The candidates the daily purge erases next (`due`: true) and those who become due within "
        "`within_days`, oldest due first, each with their last activity and the rule in words. An organization's "
        "admin sees only the candidates whose deciding period is their own organization's (a candidate held "
        "longer elsewhere is not due, and where else they applied is not said); staff see every one. "
        + "Admins and staff; 403 for the organization's other members, 404 for anyone else.",
        parameters=[RetentionDueQuerySerializer],
        responses={200: RetentionDueSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        organization_id = _managed_organization_id(request, pk)
        query = RetentionDueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        within_days = query.validated_data.get("within_days", RETENTION_SOON_DAYS)
        now = timezone.now()
        actor = request.user
        cases = retention_due(actor=actor, now=now, organization_id=organization_id, within_days=within_days)  # type: ignore[arg-type]
        context = {"now": now, "others": policies.sees_every_organization(actor)}  # type: ignore[arg-type]
        body = {"organization_id": organization_id, "within_days": within_days, "count": len(cases), "results": cases}
        return Response(RetentionDueSerializer(body, context=context).data)
