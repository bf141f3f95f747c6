from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.choices import (
    ApplicationSource,
    ApplicationStage,
    MatchMark,
    OfferDecision,
    RejectionEmailStatus,
    StageChangeKind,
)


class Application(models.Model):
    """A candidate's application to one job: at most one per candidate–job pair.

    ``stage`` moves only through the services, which append a :class:`StageChange` for
    every move; ``stage_changed_at`` is the time of the latest one. ``match_score`` (0–100)
    is filled in by AI matching and is null until then.
    """

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="applications")
    stage = models.CharField(max_length=10, choices=ApplicationStage.choices, default=ApplicationStage.APPLIED)
    source = models.CharField(max_length=12, choices=ApplicationSource.choices, default=ApplicationSource.CAREER_SITE)
    cover_letter = models.TextField(blank=True)
    match_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    stage_changed_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("job", "candidate"), name="applications_one_per_job_candidate"),
            models.CheckConstraint(
                condition=Q(stage__in=ApplicationStage.values), name="applications_application_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ApplicationSource.values), name="applications_application_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(match_score__isnull=True) | Q(match_score__gte=0, match_score__lte=100),
                name="applications_match_score_range",
            ),
        )
        indexes = (
            models.Index(fields=("job", "stage"), name="applications_job_stage"),
            models.Index(fields=("candidate", "-created_at"), name="applications_candidate_recent"),
        )

    def __str__(self) -> str:
        return f"{self.candidate_id} → {self.job_id} ({self.stage})"


class RejectionReason(models.Model):
    """One reason an organization gives for rejecting an application ("skills", "experience"…).

    Each organization keeps its own list (seeded with ``DEFAULT_REJECTION_REASONS``);
    a reason in use is archived (``archived_at``), never deleted, so history keeps it.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("organization", "position", "id")
        constraints = (
            models.UniqueConstraint(fields=("organization", "code"), name="applications_rejection_reason_code"),
        )

    def __str__(self) -> str:
        return self.label


class StageChange(models.Model):
    """One move of an application through the pipeline; time in stage is computed from these.

    The first row of every application has an empty ``from_stage`` (its submission). A move
    to ``rejected`` names one of the organization's ``rejection_reason``s (rows from before
    reasons existed have none); ``reason`` is the free-text note. A row of ``kind`` ``undo``
    takes back the move before it (back to that move's ``from_stage``), its reason required.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=10, choices=ApplicationStage.choices, blank=True)
    to_stage = models.CharField(max_length=10, choices=ApplicationStage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=4, choices=StageChangeKind.choices, default=StageChangeKind.MOVE)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ("application", "changed_at", "id")
        constraints = (
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")), name="applications_stage_change_moves"
            ),
            models.CheckConstraint(
                condition=Q(to_stage__in=ApplicationStage.values), name="applications_stage_change_to_valid"
            ),
            models.CheckConstraint(
                condition=Q(rejection_reason__isnull=True) | Q(to_stage=ApplicationStage.REJECTED),
                name="applications_stage_change_reason_rejects",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StageChangeKind.values), name="applications_stage_change_kind_valid"
            ),
        )
        indexes = (models.Index(fields=("to_stage", "changed_at"), name="applications_change_to_when"),)

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage}"


class Match(models.Model):
    """A score receipt: how well a candidate fits a job (0–100), why, and from what.

    ``breakdown`` holds the components and their weights, the required skills matched and
    missing, the preferred skills matched, experience, location and text similarity (see
    ``hotgigs.ai.scoring``). ``provider`` and ``model_version`` name what scored;
    ``fallback`` is set when the local provider scored because the configured one was
    unavailable (``breaker_open``, ``retries_exhausted``, ``provider_error``).
    ``input_hash`` covers exactly the inputs of the score (``hotgigs.ai.hashing``): the
    row is rewritten only when it changes. One row per job–candidate pair, written only by
    ``applications.matching``.
    """

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="matches")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="matches")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    breakdown = models.JSONField(default=dict)
    provider = models.CharField(max_length=40)
    model_version = models.CharField(max_length=120)
    fallback = models.CharField(max_length=20, blank=True)
    rationale = models.TextField(blank=True)
    input_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ("job", "-score", "candidate")
        constraints = (
            models.UniqueConstraint(fields=("job", "candidate"), name="applications_match_one_per_pair"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="applications_match_score_0_100"),
        )
        indexes = (
            models.Index(fields=("job", "-score"), name="applications_match_job_best"),
            models.Index(fields=("candidate", "-score"), name="applications_match_cand_best"),
        )

    def __str__(self) -> str:
        return f"{self.candidate_id} ↔ {self.job_id}: {self.score}"


class MatchFeedback(models.Model):
    """A recruiter's mark on a match: good or bad, with an optional reason — labelled data.

    One per (match, user); marking again replaces the mark. ``score``, ``components`` and
    ``model_version`` are copied from the match when marked, so an export pairs each label
    with what the recruiter judged even after the match is recomputed. ``organization`` is
    the job's (row-level security). Written only by ``applications.services.match_mark`` /
    ``match_unmark``; exported by ``manage.py export_match_marks``.
    """

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    mark = models.CharField(max_length=4, choices=MatchMark.choices)
    reason = models.TextField(blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    components = models.JSONField(default=dict)
    model_version = models.CharField(max_length=120)
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "match feedback"
        ordering = ("match", "-marked_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("match", "user"), name="applications_matchfeedback_one_per_user"),
            models.CheckConstraint(
                condition=Q(mark__in=MatchMark.values), name="applications_matchfeedback_mark_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.match_id}: {self.mark}"


class RejectionEmailTemplate(models.Model):
    """One of an organization's rejection emails (name, subject, body with placeholders).

    The placeholders are those of ``REJECTION_EMAIL_PLACEHOLDERS`` only (checked by the
    services when saved; ``applications.templating`` fills them in without evaluating
    anything). Each organization starts with one (``DEFAULT_REJECTION_EMAIL_TEMPLATE``);
    a template some email used is archived, never deleted.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("organization", "name", "id")
        constraints = (
            models.UniqueConstraint(fields=("organization", "name"), name="applications_rejection_template_name"),
        )

    def __str__(self) -> str:
        return self.name


class RejectionEmail(models.Model):
    """The email a rejection scheduled for its candidate, rendered when scheduled.

    ``send_at`` is when the worker sends it (``applications.rejection_emails_sweep`` on beat,
    and a task queued with that countdown). Undoing the rejection before then cancels it
    (``cancelled``); once ``sending`` or ``sent`` it cannot be taken back. ``settled_at`` is
    when it was sent, cancelled or given up on (the timeline's time).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rejection_emails")
    stage_change = models.OneToOneField(StageChange, on_delete=models.CASCADE, related_name="rejection_email")
    template = models.ForeignKey(
        RejectionEmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=RejectionEmailStatus.choices, default=RejectionEmailStatus.SCHEDULED
    )
    send_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-send_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(status__in=RejectionEmailStatus.values), name="applications_rejection_email_status_valid"
            ),
        )
        indexes = (
            models.Index(
                fields=("send_at",),
                name="applications_rejection_due",
                condition=Q(status__in=("scheduled", "sending")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.to_email} ({self.status})"


class OfferApproval(models.Model):
    """The job's hiring manager approving (or declining) an offer to an application.

    A move to ``offer`` on a job that has a hiring manager needs the latest decision to be an
    approval (``applications.services``). Rows are only added: the history of decisions.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="offer_approvals")
    decision = models.CharField(max_length=10, choices=OfferDecision.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ("application", "-decided_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(decision__in=OfferDecision.values), name="applications_offer_decision_valid"
            ),
        )
        indexes = (models.Index(fields=("application", "-decided_at"), name="applications_offer_latest"),)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.decision}"
