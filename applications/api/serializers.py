"""HTTP shapes of applications: input parsing (types only) and output rendering.

Business rules (who may apply, legal moves, cover-letter limits) live in the services;
the input serializers only check that values have the right type and shape.
"""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.choices import (
    REJECTION_EMAIL_MAX_DELAY_MINUTES,
    STAGE_TRANSITIONS,
    ApplicationSource,
    ApplicationStage,
    MatchMark,
    OfferDecision,
    StageChangeKind,
)
from applications.models import Application, Match
from applications.selectors import StageSpan, match_receipt
from applications.services import (
    MAX_BULK,
    MAX_COVER_LETTER,
    MAX_MARK_REASON,
    MAX_REASON,
    MAX_REASON_LABEL,
    MAX_TEMPLATE_BODY,
    MAX_TEMPLATE_NAME,
    MAX_TEMPLATE_SUBJECT,
)
from hotgigs.accounts import policies
from hotgigs.api.serializers import (
    ApplicationCandidateSerializer,
    ApplicationJobSerializer,
    StrictInputSerializer,
    id_field,
)

# --- input ------------------------------------------------------------------------------------


class ApplicationCreateSerializer(StrictInputSerializer):
    """A candidate sends ``job_id`` (and applies with their own profile); a recruiter also
    names the ``candidate_id`` they are adding."""

    job_id = id_field()
    candidate_id = id_field(required=False)
    source = serializers.ChoiceField(choices=ApplicationSource.choices, required=False)  # type: ignore[assignment]
    cover_letter = serializers.CharField(
        max_length=MAX_COVER_LETTER, required=False, allow_blank=True, trim_whitespace=False
    )


class ApplicationMoveSerializer(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    reason = serializers.CharField(
        max_length=MAX_REASON,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="A free-text note for the hiring team.",
    )
    rejection_reason_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required for `rejected` (and refused otherwise): one of the organization's rejection reasons.",
    )
    email_template_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Only for `rejected`: send the candidate this rejection email template of the organization "
        "(no email without it).",
    )
    email_delay_minutes = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=REJECTION_EMAIL_MAX_DELAY_MINUTES,
        help_text="Send the rejection email this many minutes later (0 to 10080; default 0); undoing the "
        "rejection before then cancels it.",
    )


class BulkAction:
    MOVE = "move"
    REJECT = "reject"
    NOTE = "note"


class ApplicationBulkSerializer(StrictInputSerializer):
    """``move`` takes ``stage`` (and, for ``rejected``, ``rejection_reason_id``); ``reject``
    takes ``rejection_reason_id`` (and optionally ``email_template_id`` and
    ``email_delay_minutes``); ``reason`` is the note of every move. ``note`` takes
    ``body``, the note written on each application (mentions as on one note)."""

    action = serializers.ChoiceField(choices=[BulkAction.MOVE, BulkAction.REJECT, BulkAction.NOTE])
    application_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_BULK
    )
    stage = serializers.ChoiceField(choices=ApplicationStage.choices, required=False)
    rejection_reason_id = serializers.IntegerField(min_value=1, required=False)
    reason = serializers.CharField(max_length=MAX_REASON, required=False, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    email_template_id = serializers.IntegerField(min_value=1, required=False)
    email_delay_minutes = serializers.IntegerField(
        min_value=0, max_value=REJECTION_EMAIL_MAX_DELAY_MINUTES, required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        action = attrs["action"]
        if action == BulkAction.NOTE:
            extra = [
                name
                for name in ("stage", "rejection_reason_id", "reason", "email_template_id", "email_delay_minutes")
                if name in attrs
            ]
            if extra:
                raise serializers.ValidationError({name: ["A note takes only `body`."] for name in extra})
            if "body" not in attrs:
                raise serializers.ValidationError({"body": ["This field is required to add a note."]})
            return attrs
        if "body" in attrs:
            raise serializers.ValidationError({"body": ["Only a note takes a body."]})
        if action == BulkAction.MOVE and "stage" not in attrs:
            raise serializers.ValidationError({"stage": ["This field is required to move."]})
        if action == BulkAction.REJECT:
            if "stage" in attrs:
                raise serializers.ValidationError({"stage": ["A rejection takes no stage."]})
            if "rejection_reason_id" not in attrs:
                raise serializers.ValidationError({"rejection_reason_id": ["This field is required to reject."]})
            attrs["stage"] = ApplicationStage.REJECTED
        return attrs


class BulkFailureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class ApplicationBulkResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    succeeded = serializers.ListField(child=serializers.IntegerField())
    failed = BulkFailureSerializer(many=True)


class ApplicationUndoSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=MAX_REASON, help_text="Why the move is undone (required).")


class ApplicationWithdrawSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=MAX_REASON, required=False, allow_blank=True, trim_whitespace=False)


class OfferDecisionInputSerializer(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=OfferDecision.choices)
    comment = serializers.CharField(max_length=MAX_REASON, required=False, allow_blank=True)


class OfferApprovalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One offer decision by the job's hiring manager."""

    id = serializers.IntegerField()
    application_id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=OfferDecision.choices)
    comment = serializers.CharField()
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True)
    decided_at = serializers.DateTimeField()


# --- output -----------------------------------------------------------------------------------


class ApplicationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An application as the API shows it.

    ``match_score`` is a decimal string with two places ("87.50") or null before matching.
    ``allowed_moves`` lists the stages the viewer may move it to with
    ``POST /applications/{id}/move``: the pipeline's legal next stages for the hiring team,
    empty for the candidate (who can only withdraw).
    """

    id = serializers.IntegerField()
    job = ApplicationJobSerializer()
    candidate = ApplicationCandidateSerializer()
    stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    source = serializers.ChoiceField(choices=ApplicationSource.choices)  # type: ignore[assignment]
    cover_letter = serializers.CharField(allow_blank=True)
    match_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, coerce_to_string=True)
    created_at = serializers.DateTimeField()
    stage_changed_at = serializers.DateTimeField()
    allowed_moves = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ApplicationStage.choices)))
    def get_allowed_moves(self, application: Application) -> list[str]:
        actor = self.context["request"].user
        if policies.may_manage_job(actor, organization_id=application.job.organization_id, job_id=application.job_id):
            return [str(stage) for stage in STAGE_TRANSITIONS[application.stage]]
        return []

    def to_representation(self, instance: Application) -> dict[str, Any]:
        """The declared fields' output, written out. DRF deep-copies a serializer's declared
        fields for every instance it makes, and the nested ones' with them: 0.33 of the 0.38 ms
        this answer cost a submission. The declared fields stay the contract (the schema);
        ``tests/api/test_application_representation.py`` holds this to their output."""
        job, candidate = instance.job, instance.candidate
        return {
            "id": instance.pk,
            "job": {"id": job.pk, "title": str(job.title), "organization_id": job.organization_id},
            "candidate": {"id": candidate.pk, "full_name": str(candidate.full_name)},
            "stage": _STAGE.to_representation(instance.stage),
            "source": _SOURCE.to_representation(instance.source),
            "cover_letter": str(instance.cover_letter),
            "match_score": None if instance.match_score is None else _SCORE.to_representation(instance.match_score),
            "created_at": _MOMENT.to_representation(instance.created_at),
            "stage_changed_at": _MOMENT.to_representation(instance.stage_changed_at),
            "allowed_moves": self.get_allowed_moves(instance),
        }


# Fields used only for their to_representation, which reads nothing a request or a parent sets.
_STAGE = serializers.ChoiceField(choices=ApplicationStage.choices)
_SOURCE = serializers.ChoiceField(choices=ApplicationSource.choices)
_SCORE = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, coerce_to_string=True)
_MOMENT = serializers.DateTimeField()


class StageHistoryEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One move and the time the application then spent in the stage it entered.

    ``left_at`` is null while the application is still in that stage; a final stage
    (hired, rejected, withdrawn) is left the moment it is entered. ``seconds_in_stage``
    counts up to now for the current, still open stage.
    """

    from_stage = serializers.ChoiceField(choices=ApplicationStage.choices, allow_null=True)
    to_stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    reason = serializers.CharField(allow_blank=True, allow_null=True, help_text="Null for the candidate.")
    rejection_reason = serializers.CharField(
        allow_null=True, help_text="The code of the rejection reason; null for other moves and for the candidate."
    )
    actor_id = serializers.IntegerField(allow_null=True, help_text="Null for the candidate.")
    kind = serializers.ChoiceField(
        choices=StageChangeKind.choices, help_text="`undo` for a row that took back the move before it."
    )
    changed_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)
    seconds_in_stage = serializers.FloatField()


def history_entries(changes: list[Any], spans: list[StageSpan], *, internal: bool) -> list[dict[str, Any]]:
    """Pair each stage change with the span it opened (both come oldest first).

    Without ``internal`` (the candidate's own view) the reason and the actor are null:
    a rejection note is written for the hiring team, not for the candidate.

    The two lists come from two reads; a move landing between them only adds a trailing
    span, which ``zip`` drops.
    """
    return [
        {
            "from_stage": change.from_stage or None,
            "to_stage": change.to_stage,
            "reason": change.reason if internal else None,
            "rejection_reason": change.rejection_reason.code if internal and change.rejection_reason else None,
            "actor_id": change.actor_id if internal else None,
            "kind": change.kind,
            "changed_at": change.changed_at,
            "left_at": span.left_at,
            "seconds_in_stage": span.duration.total_seconds(),
        }
        for change, span in zip(changes, spans, strict=False)
    ]


# --- rejection reasons ------------------------------------------------------------------------


class RejectionReasonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One of an organization's rejection reasons; ``archived_at`` is set once it is retired."""

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    code = serializers.SlugField()
    label = serializers.CharField()  # type: ignore[assignment]
    position = serializers.IntegerField()
    archived_at = serializers.DateTimeField(allow_null=True)


class RejectionReasonCreateSerializer(StrictInputSerializer):
    organization_id = serializers.IntegerField(min_value=1)
    code = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=MAX_REASON_LABEL)  # type: ignore[assignment]
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class RejectionReasonUpdateSerializer(StrictInputSerializer):
    label = serializers.CharField(max_length=MAX_REASON_LABEL, required=False)  # type: ignore[assignment]
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class RejectionReasonQuerySerializer(StrictInputSerializer):
    strict_json_types = False
    organization = serializers.IntegerField(min_value=1, required=False)
    include_archived = serializers.BooleanField(required=False, default=False)


# --- rejection emails -------------------------------------------------------------------------


class RejectionEmailTemplateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One of an organization's rejection email templates (for its hiring team only)."""

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    archived_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class RejectionEmailTemplateCreateSerializer(StrictInputSerializer):
    organization_id = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=MAX_TEMPLATE_NAME)
    subject = serializers.CharField(max_length=MAX_TEMPLATE_SUBJECT)
    body = serializers.CharField(max_length=MAX_TEMPLATE_BODY, trim_whitespace=False)


class RejectionEmailTemplateUpdateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=MAX_TEMPLATE_NAME, required=False)
    subject = serializers.CharField(max_length=MAX_TEMPLATE_SUBJECT, required=False)
    body = serializers.CharField(max_length=MAX_TEMPLATE_BODY, required=False, trim_whitespace=False)


class RejectionEmailTemplateQuerySerializer(StrictInputSerializer):
    strict_json_types = False
    organization = serializers.IntegerField(min_value=1, required=False)
    include_archived = serializers.BooleanField(required=False, default=False)


class RejectionEmailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An email a rejection scheduled for the candidate, as rendered, and what became of it."""

    id = serializers.IntegerField()
    template_id = serializers.IntegerField(allow_null=True)
    to_email = serializers.EmailField()
    subject = serializers.CharField()
    body = serializers.CharField()
    status = serializers.CharField()
    send_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)
    cancelled_by_id = serializers.IntegerField(allow_null=True)


# --- matches ----------------------------------------------------------------------------------


# What the score filter accepts: 0 to 100, at most two decimals (the field's own checks).
SCORE_PATTERN = r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": SCORE_PATTERN})
class ScoreFilterField(serializers.DecimalField):
    """A 0–100 score in a query string; an empty value is refused, not read as absent."""

    def get_value(self, dictionary: Any) -> Any:
        return dictionary.get(self.field_name, serializers.empty)


class MatchQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Query-string filters of the match lists (they only narrow what the caller may see)."""

    min_score = ScoreFilterField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        help_text="Only matches scoring at least this (0–100).",
    )
    has_required_skills = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only matches missing no required skill of the job; false: only those missing one or more.",
    )


class MatchCandidateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    headline = serializers.CharField(allow_blank=True)


class MatchOrganizationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class MatchJobSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    title = serializers.CharField()
    organization = MatchOrganizationSerializer()


class MatchEvidenceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One skill of the job and what shows it: ``found`` (the candidate has it); ``source``
    (``resume``, ``summary``, ``headline``, or ``profile`` when only listed; null when not found);
    ``sentence`` (the candidate's own sentence naming it, at most 200 characters, redacted)."""

    skill = serializers.CharField()
    # "required" and "source" are also attributes of a DRF Field; the receipt's keys keep their names.
    required = serializers.BooleanField()  # type: ignore[assignment]
    found = serializers.BooleanField()
    source = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    sentence = serializers.CharField(allow_null=True)


class MatchBreakdownSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Why the score is what it is: the receipt of ``hotgigs.ai.scoring``, flattened.

    Component values are 0–1; a component that did not apply (a job listing no required
    or no preferred skills) is null and has no weight. ``rationale`` is the provider's
    one-sentence explanation for recruiters; it is null in a candidate's own view.
    """

    required_matched = serializers.ListField(child=serializers.CharField())
    required_missing = serializers.ListField(child=serializers.CharField())
    required_below_level = serializers.ListField(child=serializers.CharField())
    preferred_matched = serializers.ListField(child=serializers.CharField())
    preferred_missing = serializers.ListField(child=serializers.CharField())
    required_skills = serializers.FloatField(allow_null=True)
    preferred_skills = serializers.FloatField(allow_null=True)
    experience = serializers.FloatField(allow_null=True)
    location = serializers.FloatField(allow_null=True)
    text_similarity = serializers.FloatField(allow_null=True)
    weights = serializers.DictField(child=serializers.FloatField())
    scoring_version = serializers.IntegerField(allow_null=True)
    rationale = serializers.CharField(allow_null=True)
    evidence = MatchEvidenceSerializer(many=True)


class MatchSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A stored match (score receipt). ``score`` is a decimal string with two places ("87.50").

    ``fallback`` names why the local provider scored instead of the configured one
    (``breaker_open``, ``retries_exhausted``, ``provider_error``), null when it did not.
    Pass ``internal=False`` in the context for a candidate's own view (no rationale).
    """

    id = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    breakdown = serializers.SerializerMethodField()
    provider = serializers.CharField()
    model_version = serializers.CharField()
    fallback = serializers.SerializerMethodField()
    computed_at = serializers.DateTimeField()

    @extend_schema_field(MatchBreakdownSerializer)
    def get_breakdown(self, match: Match) -> dict[str, Any]:
        return match_receipt(match, internal=self.context.get("internal", True))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_fallback(self, match: Match) -> str | None:
        return match.fallback or None


class JobMatchSerializer(MatchSerializer):
    """A candidate ranked for a job."""

    candidate = MatchCandidateSerializer()


class CandidateMatchSerializer(MatchSerializer):
    """A job ranked for a candidate."""

    job = MatchJobSerializer()


class MatchMarkInputSerializer(StrictInputSerializer):
    mark = serializers.ChoiceField(choices=MatchMark.choices, help_text="`good` or `bad`.")
    reason = serializers.CharField(
        max_length=MAX_MARK_REASON, required=False, allow_blank=True, help_text="Why, in a few words (optional)."
    )


class MatchFeedbackSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The caller's mark on a match, with the score and model version it was taken against."""

    match_id = serializers.IntegerField()
    mark = serializers.ChoiceField(choices=MatchMark.choices)
    reason = serializers.CharField(allow_blank=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    model_version = serializers.CharField()
    marked_at = serializers.DateTimeField()


class MatchRecomputeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The ranking was queued (run at once when tasks run eagerly)."""

    status = serializers.ChoiceField(choices=["queued"])
    task = serializers.CharField()
    job_id = serializers.IntegerField(allow_null=True)
    candidate_id = serializers.IntegerField(allow_null=True)
