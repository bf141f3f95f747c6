"""REST views of applications: the list, applying, and moving through the pipeline.

Every read goes through the applications selectors (an application the actor may not see
answers 404 NOT_FOUND); every write parses its body with a strict input serializer and
calls a service, which enforces the business rules (403 FORBIDDEN for the wrong role,
409 CONFLICT for an illegal move or a duplicate).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.serializers import (
    ApplicationCreateSerializer,
    ApplicationMoveSerializer,
    ApplicationSerializer,
    ApplicationWithdrawSerializer,
    StageHistoryEntrySerializer,
    history_entries,
)
from applications.choices import ApplicationSource
from applications.filters import ApplicationFilter
from applications.models import Application
from applications.selectors import (
    actor_is_hiring_team,
    application_get,
    application_history,
    application_list,
    application_time_in_stage,
)
from applications.services import application_move, application_submit, application_withdraw
from candidates.selectors import candidate_for_user, candidate_get
from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import APPLICATIONS_READ, APPLICATIONS_WRITE
from hotgigs.api.views import ERRORS
from hotgigs.errors import ValidationFailed
from jobs.selectors import job_get

# Path ids longer than this cannot be rows (and would overflow SQLite's integers).
ID_PATTERN = r"[0-9]{1,18}"


@extend_schema_view(
    list=extend_schema(
        summary="List applications",
        description="Candidates see their own applications, recruiters their organizations', staff all. "
        "Cursor-paginated, newest first.",
        responses={200: ApplicationSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="Get an application", responses={200: ApplicationSerializer, **ERRORS}),
)
class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """``/applications``: list, retrieve, apply; ``move``, ``withdraw`` and ``history`` per application."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    lookup_value_regex = ID_PATTERN
    required_scopes = {  # noqa: RUF012
        "list": APPLICATIONS_READ,
        "retrieve": APPLICATIONS_READ,
        "history": APPLICATIONS_READ,
        "create": APPLICATIONS_WRITE,
        "move": APPLICATIONS_WRITE,
        "withdraw": APPLICATIONS_WRITE,
    }

    def get_queryset(self) -> QuerySet[Application]:
        return application_list(actor=self.request.user)

    def get_object(self) -> Application:
        return application_get(actor=self.request.user, application_id=int(self.kwargs["pk"]))

    def _render(self, application: Application, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(application).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._render(self.get_object())

    @extend_schema(
        summary="Apply to a job",
        description="A candidate sends `job_id` and applies with their own profile (source defaults to "
        "`career_site`). A recruiter adds a candidate they can see to one of their organization's open jobs "
        "by also sending `candidate_id` (source defaults to `sourced`). A job or candidate the caller cannot "
        "see answers 404; a job that is not open or a second application to the same job answers 409.",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        actor: User = request.user  # type: ignore[assignment]
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        job = job_get(actor=actor, job_id=fields["job_id"])
        if "candidate_id" in fields:
            candidate = candidate_get(actor=actor, candidate_id=fields["candidate_id"])
        else:
            own = candidate_for_user(user=actor)
            if own is None:
                raise ValidationFailed(
                    "You have no candidate profile to apply with; name the candidate you are adding.",
                    details={"candidate_id": ["This field is required."]},
                )
            candidate = own
        default_source = ApplicationSource.CAREER_SITE if candidate.user_id == actor.pk else ApplicationSource.SOURCED
        application = application_submit(
            actor=actor,
            job=job,
            candidate=candidate,
            source=fields.get("source", default_source),
            cover_letter=fields.get("cover_letter", ""),
        )
        return self._render(application, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move an application to another stage",
        description="For the hiring team. Only the pipeline's next stage, rejected or withdrawn are legal; "
        "any other move answers 409 CONFLICT with the current stage and the allowed ones in "
        "`details` (`{stage, allowed}`).",
        request=ApplicationMoveSerializer,
        responses={200: ApplicationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        application = self.get_object()  # 404 for a hidden row comes before any body check
        data = ApplicationMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = application_move(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            to_stage=data.validated_data["stage"],
            reason=data.validated_data.get("reason", ""),
        )
        return self._render(moved)

    @extend_schema(
        summary="Withdraw an application",
        description="For the candidate who applied; 409 CONFLICT once the application has ended.",
        request=ApplicationWithdrawSerializer,
        responses={200: ApplicationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        application = self.get_object()  # 404 for a hidden row comes before any body check
        data = ApplicationWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawn = application_withdraw(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            reason=data.validated_data.get("reason", ""),
        )
        return self._render(withdrawn)

    @extend_schema(
        summary="Stage history of an application",
        description="Every move, oldest first, each with the time then spent in the stage it entered.",
        responses={200: StageHistoryEntrySerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        changes = list(application_history(application=application))
        spans = application_time_in_stage(application=application)
        internal = actor_is_hiring_team(actor=request.user, application=application)
        entries = history_entries(changes, spans, internal=internal)
        return Response(StageHistoryEntrySerializer(entries, many=True).data)
