"""REST views of notes and the activity timeline.

``/applications/{id}/notes`` and ``/candidates/{id}/notes``: list, write; ``/notes/{id}``:
edit, delete (the author only). ``/applications/{id}/activity`` and
``/candidates/{id}/activity``: the timeline. The application or candidate is looked up
through its app's selector first (one the caller may not see answers 404); the hiring team
alone reads notes and timelines (a candidate who sees their application gets 403).
"""

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from activity.api.serializers import (
    ActivityPageSerializer,
    CandidateNoteCreateSerializer,
    EntrySerializer,
    NoteCreateSerializer,
    NoteSerializer,
    NoteUpdateSerializer,
)
from activity.models import Note
from activity.selectors import (
    Cursor,
    application_activity,
    application_notes,
    candidate_activity,
    candidate_notes,
    cursor_decode,
    cursor_encode,
    note_get,
)
from activity.services import note_create, note_delete, note_update
from applications.selectors import application_get
from candidates.selectors import candidate_get
from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import APPLICATIONS_READ, APPLICATIONS_WRITE, CANDIDATES_READ, CANDIDATES_WRITE
from hotgigs.api.pagination import CursorPagination
from hotgigs.api.schema import PATH_ID_PATTERN
from hotgigs.api.views import ERRORS
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.services import access_record_by_other

ID_PATTERN = PATH_ID_PATTERN
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The row's id.")
CURSOR = OpenApiParameter("cursor", str, description="The position: only as a `next` link gives it.")
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1},  # type: ignore[arg-type]
    description="Entries per page, from 1 (default 20); larger sizes are capped at API_MAX_PAGE_SIZE.",
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class NoteViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Notes of an application or a candidate (list, write) and one note (edit, delete)."""

    serializer_class = NoteSerializer
    pagination_class = CursorPagination
    filter_backends = ()  # type: ignore[assignment]
    required_scopes: ClassVar[dict[str, str]] = {
        "application_list": APPLICATIONS_READ,
        "application_create": APPLICATIONS_WRITE,
        "candidate_list": CANDIDATES_READ,
        "candidate_create": CANDIDATES_WRITE,
        "partial_update": APPLICATIONS_WRITE,
        "destroy": APPLICATIONS_WRITE,
    }

    def _list(self, notes: QuerySet[Note]) -> Response:
        page = self.paginate_queryset(notes.prefetch_related("mentions"))
        assert page is not None  # noqa: S101 - the pagination class is always set
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    def _created(self, note: Note) -> Response:
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="applications_notes_list",
        summary="Notes on an application",
        description="For the hiring team (members of the job's organization, staff), newest first; the "
        "candidate gets 403. Cursor-paginated.",
        parameters=[ID],
        responses={200: NoteSerializer(many=True), **ERRORS},
        tags=["notes"],
    )
    def application_list(self, request: Request, pk: str) -> Response:
        application = application_get(actor=_user(self.request), application_id=int(pk))
        return self._list(application_notes(actor=_user(self.request), application=application))

    @extend_schema(
        operation_id="applications_notes_create",
        summary="Write a note on an application",
        description="For the hiring team. `@email` of an organization member mentions them (in-app, email, "
        "realtime); naming anyone else answers 400 and writes nothing. The body is stored as written.",
        parameters=[ID],
        request=NoteCreateSerializer,
        responses={201: NoteSerializer, **ERRORS},
        tags=["notes"],
    )
    def application_create(self, request: Request, pk: str) -> Response:
        application = application_get(actor=_user(self.request), application_id=int(pk))
        data = NoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_create(actor=_user(self.request), application=application, body=data.validated_data["body"])
        return self._created(note)

    @extend_schema(
        operation_id="candidates_notes_list",
        summary="Notes on a candidate",
        description="The notes of the caller's organizations (every one for staff) on the candidate and on "
        "their applications, newest first. For members and staff; a candidate gets 403. Cursor-paginated.",
        parameters=[ID],
        responses={200: NoteSerializer(many=True), **ERRORS},
        tags=["notes"],
    )
    def candidate_list(self, request: Request, pk: str) -> Response:
        candidate = candidate_get(actor=_user(self.request), candidate_id=int(pk), skills=False)
        return self._list(candidate_notes(actor=_user(self.request), candidate=candidate))

    @extend_schema(
        operation_id="candidates_notes_create",
        summary="Write a note on a candidate",
        description="For members and staff. `organization_id` names the organization the note is for; a "
        "member of one organization may leave it out. Mentions as on an application's note.",
        parameters=[ID],
        request=CandidateNoteCreateSerializer,
        responses={201: NoteSerializer, **ERRORS},
        tags=["notes"],
    )
    def candidate_create(self, request: Request, pk: str) -> Response:
        candidate = candidate_get(actor=_user(self.request), candidate_id=int(pk), skills=False)
        data = CandidateNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_create(
            actor=_user(self.request),
            candidate=candidate,
            body=data.validated_data["body"],
            organization_id=data.validated_data.get("organization_id"),
        )
        return self._created(note)

    @extend_schema(
        summary="Edit a note",
        description="The author only (403 for anyone else of the team; 404 for whoever may not read it). "
        "Members mentioned for the first time are told.",
        request=NoteUpdateSerializer,
        responses={200: NoteSerializer, **ERRORS},
        tags=["notes"],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        note = note_get(actor=_user(self.request), note_id=int(pk))
        data = NoteUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_update(actor=_user(self.request), note=note, body=data.validated_data["body"])
        return Response(NoteSerializer(note).data)

    @extend_schema(
        summary="Delete a note",
        description="The author only (403 for anyone else of the team; 404 for whoever may not read it).",
        request=None,
        responses={204: None, **ERRORS},
        tags=["notes"],
    )
    def destroy(self, request: Request, pk: str) -> Response:
        note = note_get(actor=_user(self.request), note_id=int(pk))
        note_delete(actor=_user(self.request), note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ActivityPagination(CursorPagination):
    """The page size and parameter checks of every list; the cursor is the timeline's own."""


class ActivityViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The timeline of an application or a candidate, newest first, cursor-paginated."""

    serializer_class = EntrySerializer
    pagination_class = _ActivityPagination
    filter_backends = ()  # type: ignore[assignment]
    required_scopes: ClassVar[dict[str, str]] = {"application": APPLICATIONS_READ, "candidate": CANDIDATES_READ}

    def _respond(self, page: tuple[list[Any], Cursor | None]) -> Response:
        entries, following = page
        url = self.request.build_absolute_uri()
        body = {
            "next": replace_query_param(url, "cursor", cursor_encode(following)) if following else None,
            "previous": None,
            "results": EntrySerializer(entries, many=True).data,
        }
        return Response(body)

    def _window(self) -> tuple[Cursor | None, int]:
        pagination = _ActivityPagination()
        pagination._refuse_unknown_parameters(self.request, self)
        size = pagination.get_page_size(self.request)
        return cursor_decode(self.request.query_params.get("cursor")), size

    @extend_schema(
        operation_id="applications_activity",
        summary="Activity of an application",
        description="Every stage move, interview booked or changed, feedback, note, email sent, resume and "
        "match score of the application, newest first, each with its actor (null for the system), time, "
        "kind and a short summary. For the hiring team; the candidate gets 403. Follow `next` for more; "
        "`page_size` as on every list.",
        parameters=[ID, CURSOR, PAGE_SIZE],
        responses={200: ActivityPageSerializer, **ERRORS},
        tags=["activity"],
    )
    def application(self, request: Request, pk: str) -> Response:
        application = application_get(actor=_user(self.request), application_id=int(pk))
        cursor, size = self._window()
        return self._respond(
            application_activity(actor=_user(self.request), application=application, cursor=cursor, size=size)
        )

    @extend_schema(
        operation_id="candidates_activity",
        summary="Activity of a candidate",
        description="The timeline of a candidate across the caller's organizations' applications (all for "
        "staff), their notes, resumes and match scores, newest first. For members and staff; the candidate "
        "gets 403. Paginated as the application's.",
        parameters=[ID, CURSOR, PAGE_SIZE],
        responses={200: ActivityPageSerializer, **ERRORS},
        tags=["activity"],
    )
    def candidate(self, request: Request, pk: str) -> Response:
        candidate = candidate_get(actor=_user(self.request), candidate_id=int(pk), skills=False)
        cursor, size = self._window()
        access_record_by_other(
            actor=_user(self.request),
            candidate_id=candidate.pk,
            candidate_user_id=candidate.user_id,
            action=AccessAction.VIEWED,
            channel=AccessChannel.API,
            detail=f"{request.method} {request.path}",
        )
        return self._respond(
            candidate_activity(actor=_user(self.request), candidate=candidate, cursor=cursor, size=size)
        )
