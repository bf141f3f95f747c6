"""Reads of applications and their history, scoped by the access policy (hotgigs/accounts/policies.py).

A candidate sees their own applications; a full seat those to their organization's jobs; a
limited seat those of their hiring teams' jobs and interview panels; staff all of them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from applications.choices import ACTIVE_STAGES, ApplicationStage
from applications.errors import (
    ApplicationNotFound,
    MatchNotFound,
    RejectionEmailTemplateNotFound,
    RejectionReasonNotFound,
)
from applications.models import (
    Application,
    Match,
    MatchFeedback,
    OfferApproval,
    RejectionEmail,
    RejectionEmailTemplate,
    RejectionReason,
    StageChange,
)
from candidates.selectors import candidate_list
from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.errors import DomainError
from jobs.selectors import job_visible_filter


def application_visible_filter(*, actor: Actor, prefix: str = "") -> Q | None:
    """The access rule as a ``Q`` over a relation to Application, or None for "nothing".

    An application left on a profile merged into another (the survivor applied to the same
    job) is hidden with that profile until the merge is undone."""
    visible = policies.visible_rows(
        actor,
        owner=f"{prefix}candidate__user_id",
        organization=f"{prefix}job__organization_id",
        job=f"{prefix}job_id",
        application=f"{prefix}pk",
    )
    return None if visible is None else visible & Q(**{f"{prefix}candidate__merged_into__isnull": True})


def application_list(*, actor: Actor) -> QuerySet[Application]:
    """Applications the actor may see, with job, organization and candidate loaded."""
    qs = Application.objects.select_related("job", "job__organization", "candidate")
    visible = application_visible_filter(actor=actor)
    return qs.none() if visible is None else qs.filter(visible)


def application_get(*, actor: Actor, application_id: int) -> Application:
    """One visible application; raises ApplicationNotFound otherwise."""
    try:
        return application_list(actor=actor).get(pk=application_id)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise ApplicationNotFound() from None


def actor_is_hiring_team(*, actor: Actor, application: Application) -> bool:
    """Staff, full seats of the job's organization and the job's hiring manager seat: they
    alone act on the application and read internal notes (move reasons, who moved it)."""
    return policies.may_manage_job(actor, organization_id=application.job.organization_id, job_id=application.job_id)


def application_audience_authorize(actor: Actor, application_id: int) -> None:
    """Realtime: the actor may follow the application's events when they may see it (its
    candidate, the job's organization, staff); raises ApplicationNotFound otherwise.

    Registered with the realtime kernel (``register_audience``) in ``ApplicationsConfig.ready``.
    """
    application_get(actor=actor, application_id=application_id)


def application_audience_authorize_many(actor: Actor, application_ids: list[int]) -> dict[int, DomainError]:
    """:func:`application_audience_authorize` of many applications in one query: the error of
    each one the actor may not see (a socket subscribing to many applications at once)."""
    visible = set(application_list(actor=actor).filter(pk__in=application_ids).values_list("pk", flat=True))
    return {
        application_id: ApplicationNotFound() for application_id in application_ids if application_id not in visible
    }


def offer_approval_latest(*, application: Application) -> OfferApproval | None:
    """The latest offer decision on an application (one the caller has fetched), if any."""
    return application.offer_approvals.select_related("decided_by").order_by("-decided_at", "-id").first()


def application_history(*, application: Application) -> QuerySet[StageChange]:
    """The application's stage changes, oldest first, with the actor and rejection reason loaded."""
    return application.stage_changes.select_related("actor", "rejection_reason").order_by("changed_at", "id")


@dataclass(frozen=True)
class StageSpan:
    """A stretch of time an application spent in one stage; ``left_at`` is None if still there."""

    stage: str
    entered_at: datetime
    left_at: datetime | None
    duration: timedelta


def application_time_in_stage(*, application: Application, now: datetime | None = None) -> list[StageSpan]:
    """Time spent in each stage, computed from the stage-change history.

    Terminal stages have no duration to speak of: the last span is open while the
    application is still in an active stage and ends at its own start once it is final.
    """
    now = now or timezone.now()
    changes = list(application_history(application=application))
    spans: list[StageSpan] = []
    for current, following in zip(changes, [*changes[1:], None], strict=True):
        if following is not None:
            left_at: datetime | None = following.changed_at
            end = following.changed_at
        else:
            from applications.choices import TERMINAL_STAGES

            final = current.to_stage in TERMINAL_STAGES
            left_at = current.changed_at if final else None
            end = current.changed_at if final else now
        spans.append(
            StageSpan(
                stage=current.to_stage,
                entered_at=current.changed_at,
                left_at=left_at,
                duration=end - current.changed_at,
            )
        )
    return spans


# --- reporting: every row of a set of organizations, for figures (analytics) whose caller has
# already settled the scope from its actor. None means every organization.


def application_report_list(*, organization_ids: frozenset[int] | None) -> QuerySet[Application]:
    """The applications to these organizations' jobs."""
    applications = Application.objects.all()
    if organization_ids is None:
        return applications
    return applications.filter(job__organization_id__in=sorted(organization_ids))


def stage_change_report_list(*, organization_ids: frozenset[int] | None) -> QuerySet[StageChange]:
    """The stage history of these organizations' applications."""
    changes = StageChange.objects.all()
    if organization_ids is None:
        return changes
    return changes.filter(application__job__organization_id__in=sorted(organization_ids))


def match_report_list(*, organization_ids: frozenset[int] | None) -> QuerySet[Match]:
    """The match scores of these organizations' jobs (every organization's for None), for reports."""
    matches = Match.objects.all()
    if organization_ids is None:
        return matches
    return matches.filter(job__organization_id__in=sorted(organization_ids))


def application_lock(*, application_id: int) -> Application:
    """The application with its job, organization and candidate, locked (``SELECT … FOR
    UPDATE``) until the transaction ends, whoever asks: for another app's write that must
    not see its stage change meanwhile, such as booking an interview. Raises ApplicationNotFound."""
    try:
        return (
            Application.objects.select_for_update(of=("self",))
            .select_related("job__organization", "candidate")
            .get(pk=application_id)
        )
    except Application.DoesNotExist:
        raise ApplicationNotFound() from None


def match_list(*, actor: Actor) -> QuerySet[Match]:
    """Matches the actor may see, best first per job, with job and candidate loaded.

    A pair is visible when both its job and its candidate are: staff see all; recruiters
    the matches of their organizations' jobs for candidates they may see; a candidate their
    own matches on the job board. (The writes are ``applications.matching``'s.)
    """
    return (
        Match.objects.filter(job_visible_filter(actor=actor, prefix="job__"))
        .filter(candidate__in=candidate_list(actor=actor).values("pk"))
        .select_related("job", "job__organization", "candidate")
        .order_by("job_id", "-score", "candidate_id")
    )


def match_get(*, actor: Actor, match_id: int) -> Match:
    """One match the actor may see (``match_list``'s rule), with its job and candidate; raises
    MatchNotFound (404) for any other."""
    try:
        return match_list(actor=actor).get(pk=match_id)
    except Match.DoesNotExist:
        raise MatchNotFound() from None


def match_feedback_get(*, actor: Actor, match: Match) -> MatchFeedback | None:
    """The actor's own mark on ``match`` (which the caller got from ``match_get``), or None."""
    return MatchFeedback.objects.filter(match=match, user_id=actor.pk).first() if actor.pk else None


def match_feedback_export() -> QuerySet[MatchFeedback]:
    """Every mark with its match's job and candidate ids, oldest first, whoever asks: the export
    command (a staff tool that runs as the system) reads it. No personal data is selected."""
    return (
        MatchFeedback.objects.select_related("match")
        .only(
            "id",
            "mark",
            "score",
            "components",
            "model_version",
            "marked_at",
            "match__id",
            "match__job_id",
            "match__candidate_id",
        )
        .order_by("marked_at", "id")
    )


def match_receipt(match: Match, *, internal: bool) -> dict[str, Any]:
    """Why a match scored what it did, flattened for people: skills matched and missing, the
    components and their weights, the evidence (per skill of the job: found or not, and the
    candidate's sentence that shows it; ``hotgigs.ai.evidence``), and (``internal``: the hiring
    team's view) the rationale.

    One reading of a stored breakdown for every screen that shows it (the API's match
    serializers, the back office's application page); tolerant of receipts written by older
    scoring versions.
    """
    breakdown: dict[str, Any] = match.breakdown or {}

    def names(group: str, key: str) -> list[str]:
        value = (breakdown.get(group) or {}).get(key) or []
        return [str(name) for name in value] if isinstance(value, list) else []

    components = breakdown.get("components") or {}
    weights = breakdown.get("weights") or {}

    def component(name: str) -> float | None:
        value = components.get(name)
        return float(value) if isinstance(value, int | float) else None

    version = breakdown.get("scoring_version")
    evidence = breakdown.get("evidence")
    return {
        "required_matched": names("required_skills", "matched"),
        "required_missing": names("required_skills", "missing"),
        "required_below_level": names("required_skills", "below_level"),
        "preferred_matched": names("preferred_skills", "matched"),
        "preferred_missing": names("preferred_skills", "missing"),
        "required_skills": component("required_skills"),
        "preferred_skills": component("preferred_skills"),
        "experience": component("experience"),
        "location": component("location"),
        "text_similarity": component("text_similarity"),
        "weights": {str(k): float(v) for k, v in weights.items() if isinstance(v, int | float)},
        "scoring_version": version if isinstance(version, int) else None,
        "rationale": (match.rationale or None) if internal else None,
        "evidence": [_evidence_entry(e) for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else [],
    }


def _evidence_entry(entry: dict[str, Any]) -> dict[str, Any]:
    sentence, source = entry.get("sentence"), entry.get("source")
    return {
        "skill": str(entry.get("skill") or ""),
        "required": bool(entry.get("required")),
        "found": bool(entry.get("found")),
        "source": str(source) if source else None,
        "sentence": str(sentence) if sentence else None,
    }


def stage_change_list(*, application_ids: list[int]) -> QuerySet[StageChange]:
    """The moves of these applications (whose visibility the caller has settled), with the
    actor and the job loaded: for a timeline."""
    return StageChange.objects.filter(application_id__in=application_ids).select_related("actor", "application__job")


# --- rejection reasons -------------------------------------------------------------------------


def rejection_reason_list(
    *, actor: Actor, organization_id: int | None = None, include_archived: bool = False
) -> QuerySet[RejectionReason]:
    """The rejection reasons of the actor's organizations (every one for staff), in their
    order; live ones only unless ``include_archived``. Candidates see none; every seat of the
    organization reads its list (a hiring manager rejects with one)."""
    rule = policies.visible_rows(actor, organization="organization_id", any_seat=True)
    if rule is None:
        return RejectionReason.objects.none()
    reasons = RejectionReason.objects.filter(rule)
    if organization_id is not None:
        reasons = reasons.filter(organization_id=organization_id)
    if not include_archived:
        reasons = reasons.filter(archived_at__isnull=True)
    return reasons.order_by("organization_id", "position", "id")


def rejection_reason_get(*, actor: Actor, reason_id: int) -> RejectionReason:
    """One reason of the actor's organizations (archived included); RejectionReasonNotFound otherwise."""
    try:
        return rejection_reason_list(actor=actor, include_archived=True).get(pk=reason_id)
    except (RejectionReason.DoesNotExist, ValueError, TypeError):
        raise RejectionReasonNotFound() from None


def rejections_by_reason(*, organization_ids: frozenset[int] | None) -> list[dict[str, Any]]:
    """How many rejections named each reason, for these organizations (None: all), most first:
    ``[{code, label, count}]`` with one entry per code (labels from the newest reason with
    that code); rejections from before reasons existed count under ``code`` None."""
    rows = (
        stage_change_report_list(organization_ids=organization_ids)
        .filter(to_stage=ApplicationStage.REJECTED)
        .values("rejection_reason__code")
        .annotate(n=Count("id"), label=Max("rejection_reason__label"))
        .order_by()
    )
    result = [{"code": row["rejection_reason__code"], "label": row["label"] or "", "count": row["n"]} for row in rows]
    result.sort(key=lambda item: (-item["count"], item["code"] or ""))
    return result


# --- rejection emails ------------------------------------------------------------------------------


def rejection_email_template_list(
    *, actor: Actor, organization_id: int | None = None, include_archived: bool = False
) -> QuerySet[RejectionEmailTemplate]:
    """The rejection email templates of the actor's organizations (every one for staff), by
    name; live ones only unless ``include_archived``. Candidates see none."""
    rule = policies.visible_rows(actor, organization="organization_id")
    if rule is None:
        return RejectionEmailTemplate.objects.none()
    templates = RejectionEmailTemplate.objects.filter(rule)
    if organization_id is not None:
        templates = templates.filter(organization_id=organization_id)
    if not include_archived:
        templates = templates.filter(archived_at__isnull=True)
    return templates.order_by("organization_id", "name", "id")


def rejection_email_template_get(*, actor: Actor, template_id: int) -> RejectionEmailTemplate:
    """One template of the actor's organizations (archived included); RejectionEmailTemplateNotFound otherwise."""
    try:
        return rejection_email_template_list(actor=actor, include_archived=True).get(pk=template_id)
    except (RejectionEmailTemplate.DoesNotExist, ValueError, TypeError):
        raise RejectionEmailTemplateNotFound() from None


def rejection_email_list(*, actor: Actor, application: Application) -> QuerySet[RejectionEmail]:
    """The rejection emails of an application, newest first, for its hiring team only (the
    candidate and anyone else see none)."""
    if not actor_is_hiring_team(actor=actor, application=application):
        return RejectionEmail.objects.none()
    return RejectionEmail.objects.filter(application_id=application.pk).select_related("template", "cancelled_by")


def rejection_emails_settled(*, application_ids: list[int]) -> QuerySet[RejectionEmail]:
    """The sent and cancelled rejection emails of these applications (whose visibility the
    caller has settled): for a timeline."""
    return RejectionEmail.objects.filter(
        application_id__in=application_ids,
        status__in=("sent", "cancelled"),
        settled_at__isnull=False,
    ).select_related("cancelled_by")


def applications_personal_data(*, candidate_id: int) -> list[dict[str, Any]]:
    """The person's applications as JSON-ready data, whoever asks (privacy's export decides who
    may): job, stage, source, cover letter, match score, times, and the stage history (moves and
    their times; never the hiring team's free-text reasons)."""
    applications = (
        Application.objects.filter(candidate_id=candidate_id)
        .select_related("job", "job__organization")
        .prefetch_related("stage_changes")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": a.pk,
            "job": {"id": a.job_id, "title": a.job.title, "organization": a.job.organization.name},
            "stage": a.stage,
            "source": a.source,
            "cover_letter": a.cover_letter,
            "match_score": a.match_score,
            "created_at": a.created_at,
            "stage_changed_at": a.stage_changed_at,
            "history": [
                {"from_stage": c.from_stage, "to_stage": c.to_stage, "kind": c.kind, "changed_at": c.changed_at}
                for c in a.stage_changes.all()
            ],
        }
        for a in applications
    ]


# Retention (privacy.services.retention_purge): whoever asks (the purge runs as the system).


def applicant_ids_of(*, organization_ids: Iterable[int]) -> set[int]:
    """Ids of the profiles that applied (or were added) to a job of these organizations."""
    return set(
        Application.objects.filter(job__organization_id__in=list(organization_ids))
        .order_by()
        .values_list("candidate_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class PipelineFacts:
    """A profile's applications as retention sees them: the organizations whose jobs they are
    to, whether one is still in progress (not hired, rejected or withdrawn) or hired, and the
    latest time one was created or moved (a move, an undo: ``stage_changed_at``)."""

    organization_ids: frozenset[int]
    in_progress: bool
    hired: bool
    last_activity: datetime


def applications_retention_facts(*, candidate_ids: Iterable[int]) -> dict[int, PipelineFacts]:
    """:class:`PipelineFacts` of each profile among ``candidate_ids`` that has applications."""
    rows = (
        Application.objects.filter(candidate_id__in=list(candidate_ids))
        .order_by()
        .values_list("candidate_id", "job__organization_id", "stage", "created_at", "stage_changed_at")
    )
    found: dict[int, list[tuple[int, str, datetime]]] = {}
    for candidate_id, organization_id, stage, created_at, stage_changed_at in rows:
        found.setdefault(candidate_id, []).append((organization_id, stage, max(created_at, stage_changed_at)))
    return {
        candidate_id: PipelineFacts(
            organization_ids=frozenset(org for org, _stage, _at in apps),
            in_progress=any(stage in ACTIVE_STAGES for _org, stage, _at in apps),
            hired=any(stage == ApplicationStage.HIRED for _org, stage, _at in apps),
            last_activity=max(at for _org, _stage, at in apps),
        )
        for candidate_id, apps in found.items()
    }
