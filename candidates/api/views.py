"""REST views of candidates."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from candidates.services import candidate_register
from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.api.views import ERRORS, PublicAuthView


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
            email=fields.pop("email"), password=fields.pop("password"), full_name=fields.pop("full_name"), profile=fields
        )
        return Response(
            {"user_id": candidate.user_id, "candidate_id": candidate.pk, "email": candidate.email},
            status=status.HTTP_201_CREATED,
        )
