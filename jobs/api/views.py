"""REST views of jobs: the list and detail, create and edit, and the status moves.

Reads go through ``jobs.selectors`` (candidates see the job board of open jobs; members
their organizations' jobs; staff all), so a job the caller may not see is 404 for every
action. Writes go through ``jobs.services``, which refuse non-members with 403.
"""

from functools import partial
from typing import Any, ClassVar

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization, User
from hotgigs.accounts.scopes import JOBS_READ, JOBS_WRITE
from hotgigs.accounts.selectors import organization_get, organization_list
from hotgigs.api.caching import cached_read, jobs_read_scope
from hotgigs.api.filters import CursorOrderingFilter
from hotgigs.api.idempotency import idempotent
from hotgigs.api.schema import IF_NONE_MATCH, NOT_MODIFIED, PATH_ID_PATTERN
from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.api.views import ERRORS
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.replicas import replica_ok
from jobs import services
from jobs.api.serializers import (
    HiringTeamInputSerializer,
    HiringTeamMemberSerializer,
    JobCreateSerializer,
    JobInputSerializer,
    JobPatchSerializer,
    JobSerializer,
    nest_service_errors,
)
from jobs.errors import JobNotFound
from jobs.filters import SALARY_SORT, JobFilter
from jobs.models import Job
from jobs.selectors import hiring_team_list, job_get, job_list


class EmptyInputSerializer(StrictInputSerializer):
    """No body expected; any key is refused like every unknown field."""


def _actor(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _organization_for(actor: User, organization_id: int | None) -> Organization:
    """The organization a new job goes to: the named one, or the caller's only one.

    Naming an organization the caller does not belong to is 404, as for any row they may
    not see; staff must always name one.
    """
    if organization_id is not None:
        return organization_get(actor=actor, organization_id=organization_id)
    candidates = list(organization_list(actor=actor).order_by("id")[:2])
    if len(candidates) != 1:
        raise ValidationFailed(details={"organization": ["Name the organization the job belongs to."]})
    return candidates[0]


def _render(actor: User, job: Job, *, status_code: int = status.HTTP_200_OK) -> Response:
    # Reload through the selector so organization and skills come preloaded and scoped.
    fresh = job_get(actor=actor, job_id=job.pk)
    return Response(JobSerializer(fresh).data, status=status_code)


def _call_service(func: Any, **kwargs: Any) -> Job:
    try:
        return func(**kwargs)  # type: ignore[no-any-return]
    except ValidationFailed as exc:
        exc.details = nest_service_errors(exc.details)
        raise


WRITE_RESPONSES: dict[int, Any] = {200: JobSerializer, **ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary="List jobs",
        parameters=[IF_NONE_MATCH],
        responses={200: JobSerializer(many=True), 304: NOT_MODIFIED, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a job", parameters=[IF_NONE_MATCH], responses={200: JobSerializer, 304: NOT_MODIFIED, **ERRORS}
    ),
)
class JobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Jobs the caller may see. Candidates: open jobs; members: their organizations' jobs."""

    serializer_class = JobSerializer
    filter_backends = (DjangoFilterBackend, CursorOrderingFilter)
    filterset_class = JobFilter
    ordering_fields: ClassVar[dict[str, str]] = {
        "created_at": "created_at",
        "title": "title",
        "salary_max": "salary_sort",
    }
    ordering_annotations: ClassVar[dict[str, Any]] = {"salary_sort": SALARY_SORT}
    lookup_value_regex = PATH_ID_PATTERN
    required_scopes: ClassVar[dict[str, str]] = {
        "list": JOBS_READ,
        "retrieve": JOBS_READ,
        "create": JOBS_WRITE,
        "update": JOBS_WRITE,
        "partial_update": JOBS_WRITE,
        "open": JOBS_WRITE,
        "close": JOBS_WRITE,
        "archive": JOBS_WRITE,
        "team": JOBS_READ,
        "team_set": JOBS_WRITE,
        "team_remove": JOBS_WRITE,
    }

    def get_queryset(self) -> QuerySet[Job]:
        return job_list(actor=_actor(self.request))

    def get_object(self) -> Job:
        return job_get(actor=_actor(self.request), job_id=self.kwargs[self.lookup_url_kwarg or self.lookup_field])

    # Reads are cached per audience (staff / the caller's organizations / the board) and carry
    # an ETag; see hotgigs.api.caching. The job writes in jobs.services invalidate them. The
    # list may be answered by a read replica (hotgigs.replicas); a job's detail never is.
    @replica_ok
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        compute = partial(super().list, request, *args, **kwargs)
        return cached_read(self, request, jobs_read_scope(_actor(request)), compute)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        compute = partial(super().retrieve, request, *args, **kwargs)
        return cached_read(self, request, jobs_read_scope(_actor(request)), compute)

    @extend_schema(summary="Create a draft job", request=JobCreateSerializer, responses={201: JobSerializer, **ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        actor = _actor(request)
        # Checked before the body so a candidate learns "not allowed", not "fix your input".
        if not policies.may_recruit(actor):
            raise Forbidden("Only members of an organization may create jobs.")
        data = JobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = _organization_for(actor, data.validated_data.get("organization"))
        job = _call_service(services.job_create, actor=actor, organization=organization, **data.service_data())
        return _render(actor, job, status_code=status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        actor = _actor(request)
        job = self.get_object()
        data = (JobPatchSerializer if partial else JobInputSerializer)(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        job = _call_service(services.job_update, actor=actor, job=job, **data.service_data())
        return _render(actor, job)

    @extend_schema(
        summary="Replace a job's fields (omitted optional fields reset)",
        request=JobInputSerializer,
        responses=WRITE_RESPONSES,
    )
    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    @extend_schema(summary="Change some fields of a job", request=JobPatchSerializer, responses=WRITE_RESPONSES)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _move(self, request: Request, service: Any) -> Response:
        actor = _actor(request)
        job = self.get_object()
        EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        job = service(actor=actor, job=job)
        return _render(actor, job)

    @extend_schema(summary="Publish a draft or reopen a closed job", request=None, responses=WRITE_RESPONSES)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        return self._move(request, services.job_open)

    @extend_schema(summary="Stop taking applications", request=None, responses=WRITE_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._move(request, services.job_close)

    @extend_schema(summary="Retire a draft or closed job for good", request=None, responses=WRITE_RESPONSES)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self._move(request, services.job_archive)

    # --- the hiring team ---------------------------------------------------------------------

    def _team_job(self, request: Request) -> Job:
        """The job, when the caller sees it and its team (every seat of its organization, staff);
        404 otherwise, as for a hidden job (a candidate sees open jobs, not who hires for them)."""
        actor = _actor(request)
        job = self.get_object()
        if not policies.may_see_hiring_team(actor, organization_id=job.organization_id):
            raise JobNotFound()
        return job

    def _team(self, job: Job, *, status_code: int = status.HTTP_200_OK) -> Response:
        members = hiring_team_list(job=job)
        return Response(HiringTeamMemberSerializer(members, many=True).data, status=status_code)

    @extend_schema(
        summary="A job's hiring team",
        description="Its hiring manager, recruiters and interviewers. For the organization's members "
        "(limited seats see the teams of the jobs they are on) and staff; 404 for anyone else.",
        responses={200: HiringTeamMemberSerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="team", pagination_class=None, filterset_class=None)
    def team(self, request: Request, pk: str) -> Response:
        return self._team(self._team_job(request))

    @extend_schema(
        summary="Put someone on a job's hiring team (or change their part)",
        description="For the organization's recruiters and admins, and staff (403 for others who see the "
        "job). `user_id` must be an active member of the job's organization whose seat allows `role` (an "
        "interviewer seat only interviews); a job has one hiring manager (400 otherwise). Answers the team.",
        request=HiringTeamInputSerializer,
        responses={200: HiringTeamMemberSerializer(many=True), **ERRORS},
        filters=False,
    )
    @team.mapping.post
    def team_set(self, request: Request, pk: str) -> Response:
        job = self._team_job(request)
        data = HiringTeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.hiring_team_set(
            actor=_actor(request),
            job=job,
            user_id=data.validated_data["user_id"],
            role=data.validated_data["role"],
        )
        return self._team(job)

    @extend_schema(
        summary="Take someone off a job's hiring team",
        description="As adding; 404 when the person is not on the team. Answers the team.",
        request=None,
        responses={200: HiringTeamMemberSerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"team/(?P<user_id>[0-9]{1,19})",
        pagination_class=None,
        filterset_class=None,
    )
    def team_remove(self, request: Request, pk: str, user_id: str) -> Response:
        job = self._team_job(request)
        services.hiring_team_remove(actor=_actor(request), job=job, user_id=int(user_id))
        return self._team(job)
