from django.conf import settings
from django.db import models
from django.db.models import F, Q

from interviews.choices import InterviewKind, InterviewStatus, Recommendation


class InterviewRound(models.Model):
    """One named round of a job's interview plan ("Phone screen", "Technical", "Onsite"), in order.

    Interviews may name the round they belong to. Written only by ``interview_plan_set``.
    """

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("job", "position", "id")
        constraints = (models.UniqueConstraint(fields=("job", "name"), name="interviews_round_name_per_job"),)

    def __str__(self) -> str:
        return self.name


class RoundAttribute(models.Model):
    """One attribute of a round's scorecard ("System design", "Communication"), in order.

    Each interviewer of an interview in the round rates every attribute 1–4 with their
    feedback (``FeedbackRating``). Part of the plan: written only by ``interview_plan_set``.
    """

    round = models.ForeignKey(InterviewRound, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("round", "position", "id")
        constraints = (models.UniqueConstraint(fields=("round", "name"), name="interviews_attribute_name_per_round"),)

    def __str__(self) -> str:
        return self.name


class Interview(models.Model):
    """A scheduled conversation between a candidate and one or more interviewers.

    Times are timezone-aware and stored in UTC; ``timezone`` is the IANA zone the
    interview was arranged in, for display and calendar files. Status moves only
    through the services.
    """

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(max_length=8, choices=InterviewKind.choices, default=InterviewKind.VIDEO)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="UTC")
    location = models.CharField(max_length=255, blank=True)
    meeting_url = models.URLField(max_length=500, blank=True)
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="interviews")
    status = models.CharField(max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED)
    cancel_reason = models.TextField(blank=True)
    round = models.ForeignKey(InterviewRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("starts_at", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="interviews_interview_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(kind__in=InterviewKind.values), name="interviews_interview_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=InterviewStatus.values), name="interviews_interview_status_valid"
            ),
        )
        indexes = (models.Index(fields=("status", "starts_at"), name="interviews_status_start"),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} interview {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"


class Feedback(models.Model):
    """One interviewer's scorecard for one interview; internal, never shown to candidates."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="feedback")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ("interview", "submitted_at", "id")
        verbose_name_plural = "feedback"
        constraints = (
            models.UniqueConstraint(
                fields=("interview", "interviewer"), name="interviews_feedback_one_per_interviewer"
            ),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="interviews_feedback_rating_1_5"),
            models.CheckConstraint(
                condition=Q(recommendation__in=Recommendation.values), name="interviews_feedback_recommendation_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.interviewer_id}: {self.rating}/5 {self.recommendation}"


class FeedbackRating(models.Model):
    """One attribute's score (1–4) on one interviewer's scorecard.

    ``attribute_name`` keeps what was rated when the plan later renames or drops the attribute
    (``attribute`` then becomes null). Written only by ``feedback_submit``.
    """

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="ratings")
    attribute = models.ForeignKey(
        RoundAttribute, null=True, blank=True, on_delete=models.SET_NULL, related_name="ratings"
    )
    attribute_name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("feedback", "position", "id")
        constraints = (
            models.UniqueConstraint(fields=("feedback", "attribute"), name="interviews_rating_one_per_attribute"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=4), name="interviews_rating_score_1_4"),
        )

    def __str__(self) -> str:
        return f"{self.attribute_name}: {self.score}/4"
