"""REST views of applications: the list, applying, moving through the pipeline; and matches.

Every read goes through the applications selectors (an application the actor may not see
answers 404 NOT_FOUND); every write parses its body with a strict input serializer and
calls a service, which enforces the business rules (403 FORBIDDEN for the wrong role,
409 CONFLICT for an illegal move or a duplicate).
"""

from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.serializers import (
    ApplicationBulkResultSerializer,
    ApplicationBulkSerializer,
    ApplicationCreateSerializer,
    ApplicationMoveSerializer,
    ApplicationSerializer,
    ApplicationUndoSerializer,
    ApplicationWithdrawSerializer,
    BulkAction,
    CandidateMatchSerializer,
    JobMatchSerializer,
    MatchFeedbackSerializer,
    MatchMarkInputSerializer,
    MatchQuerySerializer,
    MatchRecomputeSerializer,
    MatchSerializer,
    OfferApprovalSerializer,
    OfferDecisionInputSerializer,
    RejectionEmailSerializer,
    RejectionEmailTemplateCreateSerializer,
    RejectionEmailTemplateQuerySerializer,
    RejectionEmailTemplateSerializer,
    RejectionEmailTemplateUpdateSerializer,
    RejectionReasonCreateSerializer,
    RejectionReasonQuerySerializer,
    RejectionReasonSerializer,
    RejectionReasonUpdateSerializer,
    StageHistoryEntrySerializer,
    history_entries,
)
from applications.filters import ApplicationFilter
from applications.models import Application, Match
from applications.selectors import (
    actor_is_hiring_team,
    application_get,
    application_history,
    application_list,
    application_time_in_stage,
    match_get,
    match_list,
    rejection_email_list,
    rejection_email_template_get,
    rejection_email_template_list,
    rejection_reason_get,
    rejection_reason_list,
)
from applications.services import (
    SUBMISSION_CANDIDATE_FIELDS,
    application_move,
    application_submit,
    application_undo_move,
    application_withdraw,
    applications_bulk_apply,
    applications_bulk_move,
    match_mark,
    match_unmark,
    offer_decide,
    rejection_email_template_archive,
    rejection_email_template_create,
    rejection_email_template_update,
    rejection_reason_archive,
    rejection_reason_create,
    rejection_reason_update,
)
from candidates.selectors import candidate_for_user, candidate_get
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import (
    APPLICATIONS_READ,
    APPLICATIONS_WRITE,
    CANDIDATES_READ,
    CANDIDATES_WRITE,
    JOBS_READ,
    JOBS_WRITE,
    ORGANIZATION_ADMIN,
)
from hotgigs.ai import dispatch
from hotgigs.api.idempotency import idempotent
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.schema import PATH_ID_PATTERN
from hotgigs.api.views import ERRORS
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.replicas import replica_ok
from jobs.errors import JobNotFound
from jobs.selectors import job_get

ID_PATTERN = PATH_ID_PATTERN


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
        "undo": APPLICATIONS_WRITE,
        "bulk": APPLICATIONS_WRITE,
        "rejection_emails": APPLICATIONS_READ,
        "offer_approval": APPLICATIONS_WRITE,
    }

    def get_queryset(self) -> QuerySet[Application]:
        return application_list(actor=self.request.user)

    def get_object(self) -> Application:
        return application_get(actor=self.request.user, application_id=int(self.kwargs["pk"]))

    def _render(self, application: Application, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(application).data, status=status_code)

    @replica_ok
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A list may be answered by a read replica (hotgigs.replicas); one application never is.
        return super().list(request, *args, **kwargs)

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
    @idempotent
    def create(self, request: Request) -> Response:
        actor: User = request.user  # type: ignore[assignment]
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        # The answer shows neither side's skills, and of the candidate only the name: load no
        # more (a candidate row is wide). The job is read by the service, as the actor sees it,
        # with the lock the submission takes (JobNotFound).
        if "candidate_id" in fields:
            candidate = candidate_get(
                actor=actor, candidate_id=fields["candidate_id"], skills=False, fields=SUBMISSION_CANDIDATE_FIELDS
            )
        else:
            own = candidate_for_user(user=actor, skills=False, fields=SUBMISSION_CANDIDATE_FIELDS)
            if own is None:
                raise ValidationFailed(
                    "You have no candidate profile to apply with; name the candidate you are adding.",
                    details={"candidate_id": ["This field is required."]},
                )
            candidate = own
        application = application_submit(
            actor=actor,
            job_id=fields["job_id"],
            candidate=candidate,
            source=fields.get("source"),
            cover_letter=fields.get("cover_letter", ""),
        )
        return self._render(application, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move an application to another stage",
        description="For the hiring team. Only the pipeline's next stage, rejected or withdrawn are legal; "
        "any other move answers 409 CONFLICT with the current stage and the allowed ones in "
        "`details` (`{stage, allowed}`). Rejecting requires `rejection_reason_id`, one of the "
        "organization's live rejection reasons (400 VALIDATION_ERROR otherwise); `reason` is a free-text note. "
        "A rejection may send the candidate an email: `email_template_id` (one of the organization's "
        "rejection email templates) and `email_delay_minutes` (0 to 10080); see `rejection-emails`.",
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
            rejection_reason_id=data.validated_data.get("rejection_reason_id"),
            email_template_id=data.validated_data.get("email_template_id"),
            email_delay_minutes=data.validated_data.get("email_delay_minutes", 0),
        )
        return self._render(moved)

    @extend_schema(
        summary="Move, reject or add a note to many applications",
        description="For the hiring team: `action` `move` (with `stage`), `reject` (with `rejection_reason_id`) "
        "or `note` (with `body`, the note written on each) on up to 200 `application_ids`; a move or rejection "
        "takes an optional `reason` note. Each application succeeds or fails on its own: the answer lists "
        "`succeeded` ids and `failed` items (`{id, code, message}`; an application the caller may not see fails "
        "NOT_FOUND). Takes `Idempotency-Key`.",
        request=ApplicationBulkSerializer,
        responses={200: ApplicationBulkResultSerializer, **ERRORS},
    )
    @idempotent
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def bulk(self, request: Request) -> Response:
        data = ApplicationBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields["action"] == BulkAction.NOTE:
            outcome = applications_bulk_apply(
                actor=request.user,  # type: ignore[arg-type]
                application_ids=fields["application_ids"],
                action=BulkAction.NOTE,
                params={"body": fields["body"]},
            )
        else:
            outcome = applications_bulk_move(
                actor=request.user,  # type: ignore[arg-type]
                application_ids=fields["application_ids"],
                to_stage=fields["stage"],
                reason=fields.get("reason", ""),
                rejection_reason_id=fields.get("rejection_reason_id"),
                email_template_id=fields.get("email_template_id"),
                email_delay_minutes=fields.get("email_delay_minutes", 0),
            )
        body = {"succeeded": outcome.succeeded, "failed": outcome.failed}
        return Response(ApplicationBulkResultSerializer(body).data)

    @extend_schema(
        summary="Undo the latest move of an application",
        description="For the hiring team: the application goes back to the stage its latest move came from; "
        "`reason` is required (400 otherwise). The history keeps both rows (the correction has `kind: undo`) "
        "and the undo is an event of its own. 409 CONFLICT when there is no move to undo "
        "(only the submission, an undo already, or the candidate's own withdrawal). Undoing a rejection "
        "cancels its email if it has not gone yet; one already sent cannot be taken back (see "
        "`rejection-emails`: it stays `sent`).",
        request=ApplicationUndoSerializer,
        responses={200: ApplicationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str) -> Response:
        application = self.get_object()  # 404 for a hidden row comes before any body check
        data = ApplicationUndoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        undone = application_undo_move(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            reason=data.validated_data["reason"],
        )
        return self._render(undone)

    @extend_schema(
        summary="Rejection emails of an application",
        description="For the hiring team: the emails its rejections scheduled for the candidate, newest first, "
        "as rendered, with `status` `scheduled`, `sending`, `sent`, `cancelled` (the rejection was undone "
        "before it went) or `failed`. Anyone else gets an empty list; the candidate never sees them here.",
        responses={200: RejectionEmailSerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="rejection-emails", pagination_class=None, filterset_class=None)
    def rejection_emails(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        emails = rejection_email_list(actor=request.user, application=application)
        return Response(RejectionEmailSerializer(emails, many=True).data)

    @extend_schema(
        summary="Approve or decline an offer",
        description="For the job's hiring manager (and staff): `decision` is `approve` or `decline`, with an "
        "optional `comment`. On a job with a hiring manager, moving an application to `offer` answers 409 "
        "CONFLICT until the latest decision is an approval. 403 for anyone else who sees the application; 409 "
        "when the job has no hiring manager or the application's next move cannot be `offer`.",
        request=OfferDecisionInputSerializer,
        responses={201: OfferApprovalSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="offer-approval")
    def offer_approval(self, request: Request, pk: str) -> Response:
        application = self.get_object()  # 404 for a hidden row comes before any body check
        data = OfferDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = offer_decide(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            decision=data.validated_data["decision"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(OfferApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)

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


# --- rejection reasons ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List rejection reasons",
        description="The rejection reasons of the caller's organizations (every one for staff), in their order. "
        "`organization` narrows to one; `include_archived=true` lists retired ones too. Not paginated.",
        parameters=[RejectionReasonQuerySerializer],
        responses={200: RejectionReasonSerializer(many=True), **ERRORS},
        filters=False,
    ),
    retrieve=extend_schema(summary="Get a rejection reason", responses={200: RejectionReasonSerializer, **ERRORS}),
)
class RejectionReasonViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """``/rejection-reasons``: each organization's list; org admins (and staff) create, rename,
    reorder and archive. A reason of another organization answers 404."""

    serializer_class = RejectionReasonSerializer
    pagination_class = None
    filter_backends = ()  # type: ignore[assignment]
    lookup_value_regex = ID_PATTERN
    required_scopes = {  # noqa: RUF012
        "list": APPLICATIONS_READ,
        "retrieve": APPLICATIONS_READ,
        "create": ORGANIZATION_ADMIN,
        "partial_update": ORGANIZATION_ADMIN,
        "archive": ORGANIZATION_ADMIN,
    }

    def _actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def get_object(self) -> Any:
        return rejection_reason_get(actor=self._actor(), reason_id=int(self.kwargs["pk"]))

    def list(self, request: Request) -> Response:
        query = RejectionReasonQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        reasons = rejection_reason_list(
            actor=self._actor(),
            organization_id=query.validated_data.get("organization"),
            include_archived=query.validated_data["include_archived"],
        )
        return Response(RejectionReasonSerializer(reasons, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RejectionReasonSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a rejection reason",
        description="For the organization's admins and staff. `code` is a slug unique in the organization "
        "(409 CONFLICT when taken, archived reasons included); an organization the caller is not a member of "
        "answers 400.",
        request=RejectionReasonCreateSerializer,
        responses={201: RejectionReasonSerializer, **ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        actor = self._actor()
        data = RejectionReasonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not policies.may_manage_organization(actor, fields["organization_id"]):
            raise ValidationFailed(details={"organization_id": ["Not one of your organizations."]})
        reason = rejection_reason_create(
            actor=actor,
            organization_id=fields["organization_id"],
            code=fields["code"],
            label=fields["label"],
            position=fields.get("position", 0),
        )
        return Response(RejectionReasonSerializer(reason).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename or reorder a rejection reason",
        description="For the organization's admins and staff; the code never changes.",
        request=RejectionReasonUpdateSerializer,
        responses={200: RejectionReasonSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        reason = self.get_object()
        data = RejectionReasonUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = rejection_reason_update(actor=self._actor(), reason=reason, **data.validated_data)
        return Response(RejectionReasonSerializer(updated).data)

    @extend_schema(
        summary="Archive a rejection reason",
        description="For the organization's admins and staff: no longer offered when rejecting; past "
        "rejections keep it. Archiving twice changes nothing.",
        request=None,
        responses={200: RejectionReasonSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        reason = rejection_reason_archive(actor=self._actor(), reason=self.get_object())
        return Response(RejectionReasonSerializer(reason).data)


# --- rejection email templates ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List rejection email templates",
        description="The rejection email templates of the caller's organizations (every one for staff), by name. "
        "`organization` narrows to one; `include_archived=true` lists retired ones too. Not paginated. "
        "Placeholders: `{candidate_name}`, `{candidate_first_name}`, `{job_title}`, `{organization_name}`.",
        parameters=[RejectionEmailTemplateQuerySerializer],
        responses={200: RejectionEmailTemplateSerializer(many=True), **ERRORS},
        filters=False,
    ),
    retrieve=extend_schema(
        summary="Get a rejection email template", responses={200: RejectionEmailTemplateSerializer, **ERRORS}
    ),
)
class RejectionEmailTemplateViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """``/rejection-email-templates``: each organization's rejection emails; org admins (and
    staff) create, edit and archive. A template of another organization answers 404."""

    serializer_class = RejectionEmailTemplateSerializer
    pagination_class = None
    filter_backends = ()  # type: ignore[assignment]
    lookup_value_regex = ID_PATTERN
    required_scopes = {  # noqa: RUF012
        "list": APPLICATIONS_READ,
        "retrieve": APPLICATIONS_READ,
        "create": ORGANIZATION_ADMIN,
        "partial_update": ORGANIZATION_ADMIN,
        "archive": ORGANIZATION_ADMIN,
    }

    def _actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def get_object(self) -> Any:
        return rejection_email_template_get(actor=self._actor(), template_id=int(self.kwargs["pk"]))

    def list(self, request: Request) -> Response:
        query = RejectionEmailTemplateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        templates = rejection_email_template_list(
            actor=self._actor(),
            organization_id=query.validated_data.get("organization"),
            include_archived=query.validated_data["include_archived"],
        )
        return Response(RejectionEmailTemplateSerializer(templates, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RejectionEmailTemplateSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a rejection email template",
        description="For the organization's admins and staff. `subject` and `body` may use only the documented "
        "placeholders (400 VALIDATION_ERROR naming the unknown ones; `{{` and `}}` write a brace); `name` is "
        "unique in the organization (409 CONFLICT). An organization the caller is not a member of answers 400.",
        request=RejectionEmailTemplateCreateSerializer,
        responses={201: RejectionEmailTemplateSerializer, **ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        actor = self._actor()
        data = RejectionEmailTemplateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not policies.may_manage_organization(actor, fields["organization_id"]):
            raise ValidationFailed(details={"organization_id": ["Not one of your organizations."]})
        template = rejection_email_template_create(actor=actor, **fields)
        return Response(RejectionEmailTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a rejection email template",
        description="For the organization's admins and staff, checked as when created. Emails already "
        "scheduled keep the text they were rendered with.",
        request=RejectionEmailTemplateUpdateSerializer,
        responses={200: RejectionEmailTemplateSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        template = self.get_object()
        data = RejectionEmailTemplateUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = rejection_email_template_update(actor=self._actor(), template=template, **data.validated_data)
        return Response(RejectionEmailTemplateSerializer(updated).data)

    @extend_schema(
        summary="Archive a rejection email template",
        description="For the organization's admins and staff: no longer offered when rejecting; emails it "
        "scheduled still go. Archiving twice changes nothing.",
        request=None,
        responses={200: RejectionEmailTemplateSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        template = rejection_email_template_archive(actor=self._actor(), template=self.get_object())
        return Response(RejectionEmailTemplateSerializer(template).data)


# --- matches ----------------------------------------------------------------------------------


class MatchCursorPagination(CursorPagination):
    """Best first: ``-score, id`` (the cursor stays stable when new matches arrive)."""

    ordering = ("-score", "id")


def _match_filters(request: Request, matches: QuerySet[Match]) -> QuerySet[Match]:
    # An unknown parameter is refused by the pagination (MatchViewSet.extra_query_parameters).
    query = MatchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    fields = query.validated_data
    if fields.get("min_score") is not None:
        matches = matches.filter(score__gte=fields["min_score"])
    complete = Q(breakdown__required_skills__missing=[])
    if fields.get("has_required_skills") is True:
        matches = matches.filter(complete)
    elif fields.get("has_required_skills") is False:
        matches = matches.exclude(complete)
    return matches


JOB_ID = OpenApiParameter("job_id", int, OpenApiParameter.PATH, description="The job's id.")
MATCH_ID = OpenApiParameter("match_id", int, OpenApiParameter.PATH, description="The match's id.")
CANDIDATE_ID = OpenApiParameter("candidate_id", int, OpenApiParameter.PATH, description="The candidate's id.")


class MatchViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Stored matches (score receipts) of one job or one candidate, best first, and recomputing them.

    Mounted at ``jobs/{job_id}/matches`` and ``candidates/{candidate_id}/matches`` (this app
    reads Match rows, so the routes live here: jobs and candidates never import applications).
    Reads go through the selectors: a job or candidate the caller may not see answers 404,
    and the matches listed are those whose job and candidate the caller may both see
    (``applications.selectors.match_list``).
    """

    pagination_class = MatchCursorPagination
    filter_backends = ()  # type: ignore[assignment]
    # The filters _match_filters reads (the pagination refuses any other parameter).
    extra_query_parameters = tuple(MatchQuerySerializer().fields)
    required_scopes: ClassVar[dict[str, str]] = {
        "job_matches": JOBS_READ,
        "candidate_matches": CANDIDATES_READ,
        "job_recompute": JOBS_WRITE,
        "candidate_recompute": CANDIDATES_WRITE,
        "mark": JOBS_WRITE,
        "unmark": JOBS_WRITE,
    }

    def _actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def _page(self, matches: QuerySet[Match], serializer: type[MatchSerializer], *, internal: bool) -> Response:
        page = self.paginate_queryset(_match_filters(self.request, matches))
        assert page is not None  # noqa: S101 - the pagination class is always set
        data = serializer(page, many=True, context={"request": self.request, "internal": internal}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="jobs_matches_list",
        summary="Candidates ranked for a job",
        description="For the job's organization (and staff): the stored matches of the job, best first, "
        "limited to candidates the caller may see. A job the caller may not see, or one of another "
        "organization, answers 404. Filters: `min_score`, `has_required_skills`. Cursor-paginated.",
        parameters=[JOB_ID, MatchQuerySerializer],
        responses={200: JobMatchSerializer(many=True), **ERRORS},
        tags=["jobs"],
    )
    @replica_ok
    def job_matches(self, request: Request, job_id: str) -> Response:
        actor = self._actor()
        job = job_get(actor=actor, job_id=int(job_id))
        if not policies.may_manage_organization(actor, job.organization_id):
            raise JobNotFound()
        return self._page(match_list(actor=actor).filter(job_id=job.pk), JobMatchSerializer, internal=True)

    @extend_schema(
        operation_id="candidates_matches_list",
        summary="Jobs ranked for a candidate",
        description="A candidate sees their own matches with open jobs (without the recruiters' rationale); "
        "a recruiter sees the fit of a candidate they may see with their organization's jobs; staff see all. "
        "A candidate the caller may not see answers 404. Filters: `min_score`, `has_required_skills`. "
        "Cursor-paginated, best first.",
        parameters=[CANDIDATE_ID, MatchQuerySerializer],
        responses={200: CandidateMatchSerializer(many=True), **ERRORS},
        tags=["candidates"],
    )
    @replica_ok
    def candidate_matches(self, request: Request, candidate_id: str) -> Response:
        actor = self._actor()
        candidate = candidate_get(actor=actor, candidate_id=int(candidate_id))
        internal = policies.sees_internal_candidate_view(actor, candidate_user_id=candidate.user_id)
        matches = match_list(actor=actor).filter(candidate_id=candidate.pk)
        return self._page(matches, CandidateMatchSerializer, internal=internal)

    @extend_schema(
        operation_id="jobs_matches_recompute",
        summary="Recompute a job's matches",
        description="For the job's organization (and staff): rank the job's candidate pool again. The work is "
        "queued (it runs at once where tasks run eagerly); pairs whose inputs did not change keep their receipts.",
        parameters=[JOB_ID],
        request=None,
        responses={202: MatchRecomputeSerializer, **ERRORS},
        tags=["jobs"],
    )
    def job_recompute(self, request: Request, job_id: str) -> Response:
        actor = self._actor()
        job = job_get(actor=actor, job_id=int(job_id))
        if not policies.may_manage_organization(actor, job.organization_id):
            raise JobNotFound()
        dispatch.request_job_ranking(job.pk)
        body = {"status": "queued", "task": dispatch.RANK_CANDIDATES_FOR_JOB, "job_id": job.pk, "candidate_id": None}
        return Response(MatchRecomputeSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="candidates_matches_recompute",
        summary="Recompute a candidate's matches",
        description="For recruiters who may see the candidate, and staff: rank the open jobs for the candidate "
        "again (queued, or run at once where tasks run eagerly). A candidate gets 403 FORBIDDEN, even for "
        "their own profile (saving the profile already does this).",
        parameters=[CANDIDATE_ID],
        request=None,
        responses={202: MatchRecomputeSerializer, **ERRORS},
        tags=["candidates"],
    )
    def candidate_recompute(self, request: Request, candidate_id: str) -> Response:
        actor = self._actor()
        candidate = candidate_get(actor=actor, candidate_id=int(candidate_id))
        if not policies.may_recruit(actor):
            raise Forbidden("Only recruiters and staff recompute matches.")
        dispatch.request_candidate_ranking(candidate.pk)
        body = {
            "status": "queued",
            "task": dispatch.RANK_JOBS_FOR_CANDIDATE,
            "job_id": None,
            "candidate_id": candidate.pk,
        }
        return Response(MatchRecomputeSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="matches_mark",
        summary="Mark a match good or bad",
        description="For the job's recruiters and hiring manager (and staff): `mark` is `good` or `bad`, with an "
        "optional `reason`. One mark per match and user; marking again replaces it. The marks are labelled data "
        "for evaluating matching (`manage.py export_match_marks`). A match the caller may not see answers 404; "
        "403 for anyone else who sees it.",
        parameters=[MATCH_ID],
        request=MatchMarkInputSerializer,
        responses={200: MatchFeedbackSerializer, **ERRORS},
        tags=["jobs"],
    )
    def mark(self, request: Request, match_id: str) -> Response:
        actor = self._actor()
        match = match_get(actor=actor, match_id=int(match_id))  # 404 for a hidden row comes before any body check
        data = MatchMarkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = match_mark(
            actor=actor,
            match=match,
            mark=data.validated_data["mark"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(MatchFeedbackSerializer(feedback).data)

    @extend_schema(
        operation_id="matches_unmark",
        summary="Take back one's mark on a match",
        description="404 when the caller has no mark on the match (or may not see it); 403 as for marking.",
        parameters=[MATCH_ID],
        request=None,
        responses={204: None, **ERRORS},
        tags=["jobs"],
    )
    def unmark(self, request: Request, match_id: str) -> Response:
        actor = self._actor()
        match_unmark(actor=actor, match=match_get(actor=actor, match_id=int(match_id)))
        return Response(status=status.HTTP_204_NO_CONTENT)
