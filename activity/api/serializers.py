"""HTTP shapes of notes and the timeline: input parsing (types only) and output rendering."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activity.models import Note
from activity.selectors import Entry
from activity.services import MAX_NOTE
from hotgigs.api.serializers import StrictInputSerializer, id_field


class NoteCreateSerializer(StrictInputSerializer):
    """``body``: the text, as written; ``@email`` mentions a member of the organization."""

    body = serializers.CharField(max_length=MAX_NOTE)


class CandidateNoteCreateSerializer(NoteCreateSerializer):
    """A candidate note also names its ``organization_id``, unless the caller belongs to one only."""

    organization_id = id_field(required=False)


class NoteUpdateSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=MAX_NOTE)


class ActivityActorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class NoteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A note as the hiring team reads it; ``body`` is the text as written (escape it to show it)."""

    author = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = (
            "id",
            "organization_id",
            "candidate_id",
            "application_id",
            "author",
            "body",
            "mentions",
            "created_at",
            "edited_at",
        )
        read_only_fields = fields

    @extend_schema_field(ActivityActorSerializer(allow_null=True))
    def get_author(self, note: Note) -> dict[str, Any] | None:
        author = note.author
        return None if author is None else {"id": author.pk, "name": author.full_name or author.email}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_mentions(self, note: Note) -> list[int]:
        return sorted(user.pk for user in note.mentions.all())


class EntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One line of a timeline: ``kind``, when, who (null for the system), a short summary."""

    id = serializers.CharField(source="key")
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    summary = serializers.CharField()
    detail = serializers.CharField()
    application_id = serializers.IntegerField(allow_null=True)
    note_id = serializers.IntegerField(allow_null=True)

    @extend_schema_field(ActivityActorSerializer(allow_null=True))
    def get_actor(self, entry: Entry) -> dict[str, Any] | None:
        return None if entry.actor_id is None else {"id": entry.actor_id, "name": entry.actor_name}


class ActivityPageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = EntrySerializer(many=True)
