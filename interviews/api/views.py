"""REST views of interviews: the calendar, scheduling, and the hiring team's feedback.

Reads go through the interviews selectors (an interview the actor may not see answers
404 NOT_FOUND); writes parse a strict body and call a service, which enforces the rules
(403 outside the hiring team, 409 CONFLICT for an overlapping booking, a duplicate
scorecard or a change the interview's status does not allow).

Feedback is internal. A candidate's token never carries ``feedback:read``, so the scope
check answers 403 FORBIDDEN; someone holding the scope who is not on the hiring team of
that interview (a recruiter looking at their own job application elsewhere) gets 404.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.errors import ApplicationNotFound
from applications.selectors import application_get
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import (
    FEEDBACK_READ,
    FEEDBACK_WRITE,
    INTERVIEWS_READ,
    INTERVIEWS_WRITE,
    JOBS_READ,
    JOBS_WRITE,
)
from hotgigs.api.idempotency import idempotent
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.schema import PATH_ID_PATTERN
from hotgigs.api.views import ERRORS
from hotgigs.replicas import replica_ok
from interviews.api.serializers import (
    ApplicationFeedbackSerializer,
    FeedbackSerializer,
    FeedbackSubmitSerializer,
    InterviewCancelSerializer,
    InterviewOutcomeSerializer,
    InterviewPlanInputSerializer,
    InterviewPlanSerializer,
    InterviewRescheduleSerializer,
    InterviewScheduleSerializer,
    InterviewSerializer,
    feedback_ratings,
    schedule_arguments,
)
from interviews.errors import InterviewNotFound
from interviews.filters import InterviewFilter
from interviews.models import Interview
from interviews.selectors import (
    actor_may_read_feedback,
    application_feedback_list,
    feedback_list,
    interview_get,
    interview_list,
    interview_plan,
    scorecard_summary,
)
from interviews.services import (
    feedback_submit,
    interview_cancel,
    interview_plan_set,
    interview_record_outcome,
    interview_reschedule,
    interview_schedule,
)
from jobs.errors import JobNotFound
from jobs.selectors import job_get


class InterviewPagination(CursorPagination):
    """A calendar reads forwards: earliest start first."""

    ordering = ("starts_at", "id")


@extend_schema_view(
    list=extend_schema(
        summary="List interviews",
        description="Candidates see their own interviews, recruiters their organizations', staff all. "
        "Cursor-paginated, earliest start first.",
        responses={200: InterviewSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="Get an interview", responses={200: InterviewSerializer, **ERRORS}),
)
class InterviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """``/interviews``: list, retrieve, schedule; ``reschedule``, ``cancel``, ``outcome``, ``feedback``."""

    serializer_class = InterviewSerializer
    filterset_class = InterviewFilter
    pagination_class = InterviewPagination
    lookup_value_regex = PATH_ID_PATTERN
    required_scopes = {  # noqa: RUF012
        "list": INTERVIEWS_READ,
        "retrieve": INTERVIEWS_READ,
        "create": INTERVIEWS_WRITE,
        "reschedule": INTERVIEWS_WRITE,
        "cancel": INTERVIEWS_WRITE,
        "outcome": INTERVIEWS_WRITE,
        "feedback": FEEDBACK_READ,
        "submit_feedback": FEEDBACK_WRITE,
    }

    def get_queryset(self) -> QuerySet[Interview]:
        return interview_list(actor=self.request.user)

    def get_object(self) -> Interview:
        return interview_get(actor=self.request.user, interview_id=int(self.kwargs["pk"]))

    def _render(self, interview: Interview, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(interview).data, status=status_code)

    def _reloaded(self, interview: Interview) -> Interview:
        # Services return the row without the panel and names the output shows.
        return interview_get(actor=self.request.user, interview_id=interview.pk)

    @replica_ok
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A list may be answered by a read replica (hotgigs.replicas); one interview never is.
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._render(self.get_object())

    @extend_schema(
        summary="Schedule an interview",
        description="For the hiring team of the application's job. Times must carry a UTC offset and lie in "
        "the future; interviewers must be members of the job's organization; a video interview needs a "
        "`meeting_url`, an on-site one a `location`. An interviewer already booked at an overlapping time "
        "answers 409 CONFLICT with their ids in `details.interviewer_ids`.",
        request=InterviewScheduleSerializer,
        responses={201: InterviewSerializer, **ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = InterviewScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        application = application_get(actor=request.user, application_id=fields["application_id"])
        interview = interview_schedule(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            **schedule_arguments(fields),
        )
        return self._render(self._reloaded(interview), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reschedule an interview",
        description="Same checks as scheduling; only a scheduled interview can move (409 otherwise).",
        request=InterviewRescheduleSerializer,
        responses={200: InterviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        target = self.get_object()  # 404 for a hidden row comes before any body check
        data = InterviewRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        interview = interview_reschedule(
            actor=request.user,  # type: ignore[arg-type]
            interview=target,
            starts_at=fields["starts_at"],
            ends_at=fields["ends_at"],
            interviewer_ids=fields.get("interviewer_ids"),
        )
        return self._render(self._reloaded(interview))

    @extend_schema(
        summary="Cancel an interview",
        description="Only a scheduled interview can be cancelled (409 otherwise).",
        request=InterviewCancelSerializer,
        responses={200: InterviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        target = self.get_object()  # 404 for a hidden row comes before any body check
        data = InterviewCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview = interview_cancel(
            actor=request.user,  # type: ignore[arg-type]
            interview=target,
            reason=data.validated_data.get("reason", ""),
        )
        return self._render(self._reloaded(interview))

    @extend_schema(
        summary="Record how an interview went",
        description="Marks a scheduled interview that has started as `completed` or `no_show`.",
        request=InterviewOutcomeSerializer,
        responses={200: InterviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        target = self.get_object()  # 404 for a hidden row comes before any body check
        data = InterviewOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview = interview_record_outcome(
            actor=request.user,  # type: ignore[arg-type]
            interview=target,
            status=data.validated_data["status"],
        )
        return self._render(self._reloaded(interview))

    def _team_interview(self) -> Interview:
        interview = self.get_object()
        if not actor_may_read_feedback(actor=self.request.user, interview=interview):
            raise InterviewNotFound()
        return interview

    @extend_schema(
        summary="Feedback on an interview",
        description="The interviewers' scorecards, oldest first. Hiring team only: a candidate's token lacks "
        "`feedback:read` (403); anyone else outside the job's organization gets 404. An interviewer on the "
        "application's panel who has not yet submitted their own feedback sees none of the others'.",
        responses={200: FeedbackSerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def feedback(self, request: Request, pk: str) -> Response:
        interview = self._team_interview()
        rows = feedback_list(actor=request.user, interview=interview)
        return Response(FeedbackSerializer(rows, many=True).data)

    @extend_schema(
        summary="Submit feedback on an interview",
        description="One scorecard per interviewer, once the interview has started; a second one answers "
        "409 CONFLICT. Only the interview's interviewers may submit (403). When the interview's round has "
        "scorecard attributes, `ratings` must score each of them (1–4) once: otherwise 400 VALIDATION_ERROR "
        "with the attribute ids in `details.ratings.missing` / `unknown` / `repeated`, and nothing is saved. "
        "`rating` (1–5) stays the overall rating.",
        request=FeedbackSubmitSerializer,
        responses={201: FeedbackSerializer, **ERRORS},
    )
    @feedback.mapping.post
    def submit_feedback(self, request: Request, pk: str) -> Response:
        interview = self._team_interview()  # 404 for a hidden row comes before any body check
        data = FeedbackSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        actor: User = request.user  # type: ignore[assignment]
        feedback = feedback_submit(
            actor=actor,
            interview=interview,
            rating=fields["rating"],
            recommendation=fields["recommendation"],
            notes=fields.get("notes", ""),
            ratings=feedback_ratings(fields),
        )
        row = feedback_list(actor=actor, interview=interview).get(pk=feedback.pk)
        return Response(FeedbackSerializer(row).data, status=status.HTTP_201_CREATED)


class InterviewPlanView(APIView):
    """``/jobs/{job_id}/interview-plan``: the job's ordered rounds; the hiring team replaces them.

    A job the caller may not see, or one of another organization, answers 404.
    """

    required_scopes = {"GET": JOBS_READ, "PUT": JOBS_WRITE}  # noqa: RUF012

    def _job(self, request: Request, job_id: str) -> Any:
        actor = request.user
        job = job_get(actor=actor, job_id=int(job_id), skills=False)
        if not policies.may_manage_job(actor, organization_id=job.organization_id, job_id=job.pk):
            raise JobNotFound()
        return job

    def _answer(self, job: Any) -> Response:
        rounds = interview_plan(job_id=job.pk)
        return Response(InterviewPlanSerializer({"job_id": job.pk, "rounds": rounds}).data)

    @extend_schema(
        summary="A job's interview plan",
        description="The ordered rounds (e.g. Phone screen, Technical, Onsite) interviews of the job may belong to.",
        responses={200: InterviewPlanSerializer, **ERRORS},
        tags=["jobs"],
    )
    def get(self, request: Request, job_id: str) -> Response:
        return self._answer(self._job(request, job_id))

    @extend_schema(
        summary="Replace a job's interview plan",
        description="`rounds` in order (at most 20, each name unique): each an object `{id?, name, attributes?}` "
        "or just the name. A round given by `id` is renamed; one without keeps the round of the same name; "
        "either keeps its interviews. A round left out is removed and its interviews keep no round (their "
        "feedback keeps its ratings). `attributes` (`[{name, description?}]`, at most 12) replace the round's "
        "scorecard; left out, the scorecard stays as it is.",
        request=InterviewPlanInputSerializer,
        responses={200: InterviewPlanSerializer, **ERRORS},
        tags=["jobs"],
    )
    def put(self, request: Request, job_id: str) -> Response:
        job = self._job(request, job_id)
        data = InterviewPlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview_plan_set(actor=request.user, job=job, rounds=data.validated_data["rounds"])  # type: ignore[arg-type]
        return self._answer(job)


class ApplicationFeedbackView(APIView):
    """``/applications/{application_id}/feedback``: every scorecard on the application's interviews
    and what they add up to (per attribute each interviewer's score and the mean, the
    recommendations tallied). Hiring team only; an interviewer on the panel who has not yet
    submitted their own sees only theirs (``summary.withheld``)."""

    required_scopes = {"GET": FEEDBACK_READ}  # noqa: RUF012

    @extend_schema(
        summary="Feedback and scorecard summary of an application",
        description="The scorecards on the application's interviews, oldest first, and their summary. Hiring "
        "team only (404 otherwise; a candidate's token lacks `feedback:read`: 403). An interviewer on the "
        "application's panel who has not yet submitted feedback sees only their own, and `summary.withheld` "
        "is true.",
        responses={200: ApplicationFeedbackSerializer, **ERRORS},
        tags=["applications"],
    )
    def get(self, request: Request, application_id: str) -> Response:
        actor = request.user
        application = application_get(actor=actor, application_id=int(application_id))
        if not policies.may_manage_organization(actor, application.job.organization_id):
            raise ApplicationNotFound()
        rows = list(application_feedback_list(actor=actor, application=application))
        summary = scorecard_summary(actor=actor, application=application, feedback=rows)
        return Response(
            ApplicationFeedbackSerializer({"application_id": application.pk, "feedback": rows, "summary": summary}).data
        )
