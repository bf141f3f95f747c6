"""REST views of candidates: sign-up, the profiles resource (list, detail, create, edit, ``me``)
and each profile's resumes (upload, list, detail, delete, signed download link).

Reads go through ``candidates.selectors``: a candidate sees their own profile; recruiters
see applicants to their organizations' jobs, discoverable candidates and those their
organization sourced; staff everyone. Anything else is 404, resumes included. Writes go
through ``candidates.services``, which decide who may edit (403 otherwise). The file
download (``ResumeFileView``) takes no bearer token: its signed, short-lived link is the
credential, and following it re-checks that the link's user still sees the candidate.
"""

from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.api.serializers import (
    CandidateInputSerializer,
    CandidateSerializer,
    CandidateSkillInputSerializer,
    ConsentGiveSerializer,
    ConsentSerializer,
    ConsentsSerializer,
    ConsentWithdrawSerializer,
    MergeInputSerializer,
    MergeSerializer,
    ResumeDetailSerializer,
    ResumeLinkSerializer,
    ResumeSerializer,
    ResumeUploadSerializer,
    SelfIdentificationInputSerializer,
    SelfIdentificationSerializer,
    SourcedCandidateInputSerializer,
)
from candidates.choices import CONSENT_TEXTS
from candidates.errors import CandidateNotFound, InvalidCandidate, InvalidMerge, InvalidResume, ResumeNotFound
from candidates.filters import CandidateFilter
from candidates.models import Candidate, CandidateMerge, Resume
from candidates.selectors import (
    candidate_for_user,
    candidate_get,
    candidate_list,
    consent_list,
    merge_get,
    merge_list,
    resume_from_link,
    resume_get,
    resume_list,
    self_identification_get,
)
from candidates.services.consents import consent_give, consent_withdraw
from candidates.services.merges import candidate_merge, candidate_merge_undo
from candidates.services.profiles import (
    MAX_SKILLS,
    PHONE_MESSAGE,
    PHONE_PATTERN,
    candidate_create,
    candidate_register,
    candidate_update,
)
from candidates.services.resumes import resume_delete, resume_download_filename, resume_download_link, resume_upload
from candidates.services.self_identification import self_identification_set, self_identification_withdraw
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import CANDIDATES_READ, CANDIDATES_WRITE
from hotgigs.api.filters import CursorOrderingFilter
from hotgigs.api.idempotency import idempotent
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.schema import PATH_ID_PATTERN
from hotgigs.api.serializers import ErrorEnvelopeSerializer, StrictInputSerializer
from hotgigs.api.views import ERRORS, PublicAuthView
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.services import access_record_by_other
from hotgigs.replicas import replica_ok


class RegisterRequestSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200)
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        validators=[RegexValidator(PHONE_PATTERN, PHONE_MESSAGE)],
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    years_experience = serializers.IntegerField(min_value=0, max_value=70, required=False)
    open_to_remote = serializers.BooleanField(required=False)
    discoverable = serializers.BooleanField(required=False)
    consent = serializers.BooleanField(required=False)
    skills = CandidateSkillInputSerializer(many=True, required=False, max_length=MAX_SKILLS)  # type: ignore[call-arg]


class RegisterResponseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.EmailField()
    message = serializers.CharField()


REGISTER_ACCEPTED = "Registration received. Log in with this email address and your password at /api/v1/auth/token."


class RegisterView(PublicAuthView):
    """Sign up as a candidate, then log in with /auth/token.

    The answer is the same 202 whether the address is new or already has an account (then
    nothing changes and its owner is told by email), so sign-up reveals no account.
    """

    @extend_schema(request=RegisterRequestSerializer, responses={202: RegisterResponseSerializer, **ERRORS}, auth=[])
    def post(self, request: Request) -> Response:
        data = RegisterRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "skills" in fields:
            fields["skills"] = [dict(skill) for skill in fields["skills"]]
        candidate_register(**fields)
        return Response(
            {"email": fields["email"].strip().lower(), "message": REGISTER_ACCEPTED}, status=status.HTTP_202_ACCEPTED
        )


def _actor(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _audit(request: Request, candidate: Candidate, action: AccessAction) -> None:
    """Log someone else's read or change of this profile (hotgigs/audit): one INSERT."""
    access_record_by_other(
        actor=_actor(request),
        candidate_id=candidate.pk,
        candidate_user_id=candidate.user_id,
        action=action,
        channel=AccessChannel.API,
        detail=f"{request.method} {request.path}",
    )


def _audit_resume(request: Request, resume: Resume, action: AccessAction) -> None:
    """Log someone else's read of a resume (its text, a download link) or its removal."""
    access_record_by_other(
        actor=_actor(request),
        candidate_id=resume.candidate_id,
        candidate_user_id=resume.candidate.user_id,
        action=action,
        channel=AccessChannel.API,
        detail=f"{request.method} {request.path}",
    )


def _consents(candidate: Candidate) -> dict[str, Any]:
    history = list(consent_list(candidate=candidate))
    holding = {c.purpose for c in history if c.withdrawn_at is None}
    purposes = [
        {"purpose": purpose, "version": version, "text": text, "holds": purpose in holding}
        for purpose, (version, text) in CONSENT_TEXTS.items()
    ]
    return {"purposes": purposes, "history": history}


def _self_identification(row: Any) -> dict[str, Any]:
    fields = ("gender", "race_ethnicity", "veteran_status", "disability_status", "updated_at")
    data = {"provided": row is not None, **{name: getattr(row, name, None) for name in fields}}
    return SelfIdentificationSerializer(data).data


def _require_name_and_email(fields: dict[str, Any]) -> None:
    """A new profile has a name and an email (a sourced candidate's from the body)."""
    blank = {field: ["This field may not be blank."] for field in ("full_name", "email") if not fields.get(field)}
    if blank:
        raise InvalidCandidate(details=blank)


def _create_own(actor: User, request: Request) -> Response:
    """The caller's own profile; name and email default to the login's."""
    data = CandidateInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = {"full_name": actor.full_name, "email": actor.email, **data.service_data()}
    _require_name_and_email(fields)
    candidate = candidate_create(actor=actor, for_self=True, **fields)
    return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)


def _own_profile(actor: User) -> Candidate:
    candidate = candidate_for_user(user=actor)
    if candidate is None:
        raise CandidateNotFound("You have no candidate profile yet; create it with POST /candidates/me.")
    return candidate


def _update(actor: User, candidate: Candidate, request: Request) -> Response:
    data = CandidateInputSerializer(data=request.data, partial=True)
    data.is_valid(raise_exception=True)
    candidate = candidate_update(actor=actor, candidate=candidate, **data.service_data())
    return Response(CandidateSerializer(candidate).data)


def upload_body_limit() -> int:
    """Largest multipart body of a resume upload: the file limit plus room for the envelope."""
    return int(settings.RESUME_MAX_BYTES) + 64 * 1024


ONE: dict[int, Any] = {200: CandidateSerializer, **ERRORS}
UPLOAD_ERRORS: dict[int, Any] = {
    **ERRORS,
    413: OpenApiResponse(ErrorEnvelopeSerializer, description="The body is larger than the upload limit."),
    415: OpenApiResponse(ErrorEnvelopeSerializer, description="The body is not multipart/form-data."),
}
CREATED: dict[int, Any] = {201: CandidateSerializer, **ERRORS}


@extend_schema_view(
    list=extend_schema(summary="List candidates", responses={200: CandidateSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="Get a candidate", responses=ONE),
)
class CandidateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Candidate profiles the caller may see (a candidate: only their own)."""

    serializer_class = CandidateSerializer
    filter_backends = (DjangoFilterBackend, CursorOrderingFilter)
    filterset_class = CandidateFilter
    ordering_fields: ClassVar[dict[str, str]] = {
        "created_at": "created_at",
        "full_name": "full_name",
        "years_experience": "years_experience",
    }
    lookup_value_regex = PATH_ID_PATTERN
    required_scopes: ClassVar[dict[str, str]] = {
        "list": CANDIDATES_READ,
        "retrieve": CANDIDATES_READ,
        "create": CANDIDATES_WRITE,
        "partial_update": CANDIDATES_WRITE,
        "me": CANDIDATES_READ,
        "update_me": CANDIDATES_WRITE,
        "create_me": CANDIDATES_WRITE,
        "upload_resume": CANDIDATES_WRITE,
        "resumes": CANDIDATES_READ,
        "resume": CANDIDATES_READ,
        "resume_link": CANDIDATES_READ,
        "delete_resume": CANDIDATES_WRITE,
        "merge": CANDIDATES_WRITE,
        "consents": CANDIDATES_READ,
        "give_consent": CANDIDATES_WRITE,
        "withdraw_consent": CANDIDATES_WRITE,
        "self_identification": CANDIDATES_READ,
        "set_self_identification": CANDIDATES_WRITE,
        "withdraw_self_identification": CANDIDATES_WRITE,
    }
    # The resume upload route sets this to take bodies above API_MAX_BODY_BYTES
    # (read by hotgigs.api.middleware.ApiBodySizeMiddleware).
    max_body_bytes: Callable[[], int] | None = None

    def get_queryset(self) -> QuerySet[Candidate]:
        return candidate_list(actor=_actor(self.request))

    def get_object(self) -> Candidate:
        return candidate_get(actor=_actor(self.request), candidate_id=self.kwargs["pk"])

    @replica_ok
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A list may be answered by a read replica (hotgigs.replicas); one profile never is.
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a candidate",
        description=(
            "Recruiters and staff add a sourced candidate (a profile without a login) for `organization`, "
            "which a member of one organization may leave out. The email must be new to that organization "
            "only (409 CONFLICT otherwise): another organization's record of the same person is never "
            "consulted. Anyone else creates their own profile, as with POST /candidates/me (409 CONFLICT "
            "if they have one)."
        ),
        request=SourcedCandidateInputSerializer,
        responses=CREATED,
    )
    @idempotent
    def create(self, request: Request) -> Response:
        actor = _actor(request)
        if not policies.may_recruit(actor):
            return _create_own(actor, request)
        data = SourcedCandidateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.service_data()
        _require_name_and_email(fields)
        candidate = candidate_create(actor=actor, for_self=False, **fields)
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Merge another profile into this one",
        description=(
            "Both must be profiles this organization sourced (400 VALIDATION_ERROR otherwise, also for a "
            "`duplicate` you do not see); staff and the organization's members only (403). The duplicate's "
            "skills, resumes and applications move here, except those that would collide (a skill listed "
            "by both, the same resume, a second application to one job), and the duplicate is hidden. "
            "POST /candidate-merges/{id}/undo puts everything back."
        ),
        request=MergeInputSerializer,
        responses={201: MergeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="merge", filter_backends=[])
    @idempotent
    def merge(self, request: Request, pk: str) -> Response:
        actor = _actor(request)
        survivor = self.get_object()
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            duplicate = candidate_get(actor=actor, candidate_id=data.validated_data["duplicate"], skills=False)
        except CandidateNotFound:
            raise InvalidMerge(details={"duplicate": ["No such candidate."]}) from None
        merge = candidate_merge(actor=actor, survivor=survivor, duplicate=duplicate)
        return Response(MergeSerializer(merge).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        candidate = self.get_object()
        _audit(request, candidate, AccessAction.VIEWED)
        return Response(CandidateSerializer(candidate).data)

    @extend_schema(summary="Change some fields of a profile", request=CandidateInputSerializer, responses=ONE)
    def partial_update(self, request: Request, pk: str) -> Response:
        candidate = self.get_object()
        response = _update(_actor(request), candidate, request)
        _audit(request, candidate, AccessAction.CHANGED)
        return response

    @extend_schema(summary="Your own candidate profile", responses=ONE)
    @action(detail=False, methods=["get"], url_path="me")
    def me(self, request: Request) -> Response:
        return Response(CandidateSerializer(_own_profile(_actor(request))).data)

    @extend_schema(summary="Change your own profile", request=CandidateInputSerializer, responses=ONE)
    @me.mapping.patch
    def update_me(self, request: Request) -> Response:
        actor = _actor(request)
        return _update(actor, _own_profile(actor), request)

    @extend_schema(
        summary="Your consents",
        description="The purposes you may agree to, each with the wording in force, its version and whether "
        "you agree today, and every consent you gave (withdrawn ones included), newest first.",
        responses={200: ConsentsSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"], url_path="me/consents", filter_backends=[])
    def consents(self, request: Request) -> Response:
        return Response(ConsentsSerializer(_consents(_own_profile(_actor(request)))).data)

    @extend_schema(
        summary="Give a consent",
        description="Agree to `purpose` in the wording `text_version` (the one GET /candidates/me/consents "
        "shows; 400 VALIDATION_ERROR for any other). The talent-pool consent puts your profile in "
        "discovery and matching for every organization. Giving it again changes nothing.",
        request=ConsentGiveSerializer,
        responses={201: ConsentSerializer, **ERRORS},
    )
    @consents.mapping.post
    def give_consent(self, request: Request) -> Response:
        actor = _actor(request)
        data = ConsentGiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_give(actor=actor, candidate=_own_profile(actor), **data.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a consent",
        description="Withdraw your consent to `purpose`. Withdrawing the talent-pool consent takes your "
        "profile out of discovery and matching at once. Answers the consents as GET does.",
        request=ConsentWithdrawSerializer,
        responses={200: ConsentsSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="me/consents/withdraw", filter_backends=[])
    def withdraw_consent(self, request: Request) -> Response:
        actor = _actor(request)
        data = ConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = _own_profile(actor)
        consent_withdraw(actor=actor, candidate=candidate, purpose=data.validated_data["purpose"])
        return Response(ConsentsSerializer(_consents(candidate)).data)

    @extend_schema(
        summary="Your voluntary self-identification",
        description="Your answers to the voluntary (EEO-style) questions: gender, race / ethnicity, veteran "
        "status, disability status. Kept apart from your profile: never shown to recruiters or staff, never "
        "used for matching; only counted, per group, to check that hiring treats groups alike (the "
        "adverse-impact monitor). Every field is null while you have not answered.",
        responses={200: SelfIdentificationSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"], url_path="me/self-identification", filter_backends=[])
    def self_identification(self, request: Request) -> Response:
        actor = _actor(request)
        return Response(_self_identification(self_identification_get(actor=actor, candidate=_own_profile(actor))))

    @extend_schema(
        summary="State your voluntary self-identification",
        description="All four answers at once, replacing earlier ones; each may be `declined`. Voluntary: "
        "not answering changes nothing about your applications.",
        request=SelfIdentificationInputSerializer,
        responses={200: SelfIdentificationSerializer, **ERRORS},
    )
    @self_identification.mapping.put
    def set_self_identification(self, request: Request) -> Response:
        actor = _actor(request)
        data = SelfIdentificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = self_identification_set(actor=actor, candidate=_own_profile(actor), **data.validated_data)
        return Response(_self_identification(row))

    @extend_schema(
        summary="Withdraw your voluntary self-identification",
        description="Deletes your answers (204 whether or not there were any).",
        request=None,
        responses={204: None, **ERRORS},
    )
    @self_identification.mapping.delete
    def withdraw_self_identification(self, request: Request) -> Response:
        actor = _actor(request)
        self_identification_withdraw(actor=actor, candidate=_own_profile(actor))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Create your own profile (any role; 409 CONFLICT if you have one)",
        request=CandidateInputSerializer,
        responses=CREATED,
    )
    @me.mapping.post
    def create_me(self, request: Request) -> Response:
        return _create_own(_actor(request), request)

    @extend_schema(
        summary="Upload a resume (multipart field `file`)",
        description=(
            "PDF, DOCX or UTF-8 text up to RESUME_MAX_BYTES (5 MB by default); the type is read from the "
            "content, not the name. 201 with the new resume, parsed in the background (watch `parse_status`). "
            "The same bytes uploaded again for the same candidate answer 200 with the existing resume and "
            "store nothing. Allowed for the candidate themself, recruiters who may see the candidate, and staff."
        ),
        request={"multipart/form-data": ResumeUploadSerializer},
        responses={201: ResumeSerializer, 200: ResumeSerializer, **UPLOAD_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="resume",
        parser_classes=[MultiPartParser],
        max_body_bytes=upload_body_limit,
    )
    def upload_resume(self, request: Request, pk: str) -> Response:
        candidate = self.get_object()
        unknown = sorted(set(request.data) - {"file"})
        if unknown:
            raise InvalidResume(details={key: ["Unknown field."] for key in unknown})
        outcome = resume_upload(actor=_actor(request), candidate=candidate, upload=request.FILES.get("file"))
        _audit(request, candidate, AccessAction.CHANGED)
        return Response(
            ResumeSerializer(outcome.resume).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="A candidate's resumes, newest first", responses={200: ResumeSerializer(many=True), **ERRORS}
    )
    @action(detail=True, methods=["get"], url_path="resumes", pagination_class=None, filter_backends=[])
    def resumes(self, request: Request, pk: str) -> Response:
        rows = resume_list(actor=_actor(request), candidate_id=int(pk))
        return Response(ResumeSerializer(rows, many=True).data)

    @extend_schema(summary="One resume, with its extracted text", responses={200: ResumeDetailSerializer, **ERRORS})
    @action(detail=True, methods=["get"], url_path=rf"resumes/(?P<resume_id>{PATH_ID_PATTERN})", filter_backends=[])
    def resume(self, request: Request, pk: str, resume_id: str) -> Response:
        row = resume_get(actor=_actor(request), candidate_id=int(pk), resume_id=int(resume_id))
        _audit_resume(request, row, AccessAction.VIEWED)
        return Response(ResumeDetailSerializer(row).data)

    @extend_schema(
        summary="Remove a resume and its file",
        description=(
            "For the candidate themself, staff, and recruiters of the organization that sourced a candidate "
            "without a login (403 for other viewers). Suggestions from the resume go with it."
        ),
        responses={204: None, **ERRORS},
    )
    @resume.mapping.delete
    def delete_resume(self, request: Request, pk: str, resume_id: str) -> Response:
        actor = _actor(request)
        row = resume_get(actor=actor, candidate_id=int(pk), resume_id=int(resume_id))
        resume_delete(actor=actor, resume=row)
        _audit_resume(request, row, AccessAction.CHANGED)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A short-lived download link of a resume",
        description="Valid for RESUME_LINK_SECONDS (300 by default); fetch it without a bearer token.",
        responses={200: ResumeLinkSerializer, **ERRORS},
    )
    @action(
        detail=True, methods=["get"], url_path=rf"resumes/(?P<resume_id>{PATH_ID_PATTERN})/link", filter_backends=[]
    )
    def resume_link(self, request: Request, pk: str, resume_id: str) -> Response:
        actor = _actor(request)
        row = resume_get(actor=actor, candidate_id=int(pk), resume_id=int(resume_id))

        def local_url(token: str) -> str:
            namespace = request.resolver_match.namespace if request.resolver_match else "v1"
            path = reverse(f"{namespace}:resume-file") + "?" + urlencode({"token": token})
            return request.build_absolute_uri(path)

        link = resume_download_link(actor=actor, resume=row, local_url=local_url)
        _audit_resume(request, row, AccessAction.VIEWED)
        return Response(ResumeLinkSerializer({"url": link.url, "expires_at": link.expires_at}).data)


class MergePagination(CursorPagination):
    """Merges page by the time they were made, newest first."""

    ordering = ("-merged_at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="List merges of your organizations' profiles", responses={200: MergeSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(summary="Get a merge", responses={200: MergeSerializer, **ERRORS}),
)
class CandidateMergeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Merges of candidate profiles (staff: all; members: their organizations'), newest first."""

    serializer_class = MergeSerializer
    pagination_class = MergePagination
    lookup_value_regex = PATH_ID_PATTERN
    filter_backends = ()
    required_scopes: ClassVar[dict[str, str]] = {
        "list": CANDIDATES_READ,
        "retrieve": CANDIDATES_READ,
        "undo": CANDIDATES_WRITE,
    }

    def get_queryset(self) -> QuerySet[CandidateMerge]:
        return merge_list(actor=_actor(self.request))

    def get_object(self) -> CandidateMerge:
        return merge_get(actor=_actor(self.request), merge_id=self.kwargs["pk"])

    @extend_schema(
        summary="Undo a merge",
        description=(
            "Puts every row the merge moved back on the duplicate and shows it again. 409 CONFLICT when it "
            "was undone already, or while the surviving profile is itself merged into another (undo that "
            "one first)."
        ),
        request=None,
        responses={200: MergeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="undo")
    def undo(self, request: Request, pk: str) -> Response:
        merge = candidate_merge_undo(actor=_actor(request), merge=self.get_object())
        return Response(MergeSerializer(merge).data)


class AnyAccept(BaseContentNegotiation):
    """The download answers whatever the client accepts (a browser following a link)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class ResumeFileView(APIView):
    """Stream a resume file named by a signed download link (the link is the credential)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    scope_exempt = True
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Download a resume through a signed link",
        description=(
            "The URL comes from GET /candidates/{id}/resumes/{resume_id}/link. An expired, altered or "
            "revoked link (its user no longer sees the candidate) answers 403 FORBIDDEN with "
            "`details.link` = `expired` or `invalid`."
        ),
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True)],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiTypes.BINARY,
            (200, "text/plain"): OpenApiTypes.BINARY,
            **ERRORS,
        },
        auth=[],
    )
    def get(self, request: Request) -> FileResponse:
        resume = resume_from_link(token=str(request.query_params.get("token", "")))
        try:
            handle = resume.file.open("rb")
        except OSError:
            raise ResumeNotFound("The file of this resume is no longer stored.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=resume_download_filename(resume),
            content_type=resume.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        return response
