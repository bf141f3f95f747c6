"""REST views of candidates: sign-up, and the profiles resource (list, detail, create, edit, ``me``).

Reads go through ``candidates.selectors``: a candidate sees their own profile; recruiters
see applicants to their organizations' jobs, discoverable candidates and those their
organization sourced; staff everyone. Anything else is 404. Writes go through
``candidates.services``, which decide who may edit (403 otherwise).
"""

from typing import Any, ClassVar

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from candidates.api.serializers import CandidateInputSerializer, CandidateSerializer
from candidates.errors import CandidateNotFound
from candidates.filters import CandidateFilter
from candidates.models import Candidate
from candidates.selectors import candidate_for_user, candidate_get, candidate_list
from candidates.services import candidate_create, candidate_register, candidate_update
from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import CANDIDATES_READ, CANDIDATES_WRITE
from hotgigs.accounts.selectors import actor_is_recruiter, actor_is_staff
from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.api.views import ERRORS, PublicAuthView
from jobs.filters import CursorOrderingFilter


class RegisterRequestSerializer(StrictInputSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200)
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    years_experience = serializers.IntegerField(min_value=0, max_value=70, required=False)
    open_to_remote = serializers.BooleanField(required=False)
    discoverable = serializers.BooleanField(required=False)
    consent = serializers.BooleanField(required=False)
    skills = serializers.ListField(child=serializers.JSONField(), required=False, max_length=100)


class RegisterResponseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    user_id = serializers.IntegerField()
    candidate_id = serializers.IntegerField()
    email = serializers.EmailField()


class RegisterView(PublicAuthView):
    """Sign up as a candidate: creates the login and the profile, then log in with /auth/token."""

    @extend_schema(request=RegisterRequestSerializer, responses={201: RegisterResponseSerializer, **ERRORS}, auth=[])
    def post(self, request: Request) -> Response:
        data = RegisterRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        candidate = candidate_register(
            email=fields.pop("email"),
            password=fields.pop("password"),
            full_name=fields.pop("full_name"),
            profile=fields,
        )
        return Response(
            {"user_id": candidate.user_id, "candidate_id": candidate.pk, "email": candidate.email},
            status=status.HTTP_201_CREATED,
        )


def _actor(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _service_data(serializer: CandidateInputSerializer) -> dict[str, Any]:
    data: dict[str, Any] = dict(serializer.validated_data)
    if "skills" in data:
        data["skills"] = [dict(skill) for skill in data["skills"]]
    return data


def _create_own(actor: User, request: Request) -> Response:
    """The caller's own profile; name and email default to the login's."""
    data = CandidateInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = {"full_name": actor.full_name, "email": actor.email, **_service_data(data)}
    candidate = candidate_create(actor=actor, data=fields, for_self=True)
    return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)


def _own_profile(actor: User) -> Candidate:
    candidate = candidate_for_user(user=actor)
    if candidate is None:
        raise CandidateNotFound("You have no candidate profile yet; create it with POST /candidates/me.")
    return candidate


def _update(actor: User, candidate: Candidate, request: Request) -> Response:
    data = CandidateInputSerializer(data=request.data, partial=True)
    data.is_valid(raise_exception=True)
    candidate = candidate_update(actor=actor, candidate=candidate, data=_service_data(data))
    return Response(CandidateSerializer(candidate).data)


ONE: dict[int, Any] = {200: CandidateSerializer, **ERRORS}
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
    lookup_value_regex = r"[0-9]+"
    required_scopes: ClassVar[dict[str, str]] = {
        "list": CANDIDATES_READ,
        "retrieve": CANDIDATES_READ,
        "create": CANDIDATES_WRITE,
        "partial_update": CANDIDATES_WRITE,
        "me": CANDIDATES_READ,
        "update_me": CANDIDATES_WRITE,
        "create_me": CANDIDATES_WRITE,
    }

    def get_queryset(self) -> QuerySet[Candidate]:
        return candidate_list(actor=_actor(self.request))

    def get_object(self) -> Candidate:
        return candidate_get(actor=_actor(self.request), candidate_id=self.kwargs["pk"])

    @extend_schema(
        summary="Add a candidate",
        description=(
            "Recruiters and staff add a sourced candidate (a profile without a login). Anyone else "
            "creates their own profile, as with POST /candidates/me (409 CONFLICT if they have one)."
        ),
        request=CandidateInputSerializer,
        responses=CREATED,
    )
    def create(self, request: Request) -> Response:
        actor = _actor(request)
        if not (actor_is_staff(actor) or actor_is_recruiter(actor)):
            return _create_own(actor, request)
        data = CandidateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = candidate_create(actor=actor, data=_service_data(data), for_self=False)
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change some fields of a profile", request=CandidateInputSerializer, responses=ONE)
    def partial_update(self, request: Request, pk: str) -> Response:
        return _update(_actor(request), self.get_object(), request)

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
        summary="Create your own profile (any role; 409 CONFLICT if you have one)",
        request=CandidateInputSerializer,
        responses=CREATED,
    )
    @me.mapping.post
    def create_me(self, request: Request) -> Response:
        return _create_own(_actor(request), request)
