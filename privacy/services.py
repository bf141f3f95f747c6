"""Data-subject requests: the export of everything held about a candidate, and erasure with a receipt.

**Export** (:func:`personal_data_export`): one JSON document of the profile, skills, consents,
voluntary self-identification (theirs: only ever in their own export), resumes (metadata,
extracted text and where to get each file), applications and their stage history, interviews
(times, kind, place, status), the login's notifications: the person's own data, never the hiring team's notes, feedback or free-text reasons. The same document for the
candidate's API, the staff command and the back office's action; each export is written to the
audit log.

**Erasure** (:func:`candidate_erase`): one transaction removes the personal data (the profile's
name, contact, texts, skills, consents, self-identification, resumes and their files once it
commits; cover letters, match scores and receipts, the team's reasons on moves, notes, written feedback, cancellation
reasons; the login's notifications and emails, and the login itself when it is only the
candidate's) and keeps the anonymous facts the analytics are made of: the profile row (as
"Erased candidate"), its applications' job, stage, source and times, every stage change and
its time, interviews' times and outcomes. A receipt (:class:`privacy.models.ErasureReceipt`)
records when, by whom, at whose request and how much of each kind, never the data; the audit
log and ``candidate.erased`` (internal) record it too. The candidate may erase their own data
at once (there is no queue: the request is the instruction, and staff cannot refuse it); staff
erase on a person's request.

Both decide who may (``policies.may_export_candidate`` / ``may_erase_candidate``) and then read
or write as the system, since a person's data spans organizations whose rows only the system
sees at once.

**Retention** (:func:`retention_set`, :func:`retention_purge`): an organization's admins (or
staff) set how long it keeps candidates without activity; the daily purge (beat
``privacy.retention_purge``, ``manage.py retention_purge``) erases each candidate the rule makes
due (``privacy.selectors``, where the rule is stated) with :func:`candidate_erase`, as the
system: the receipt's reason is ``retention``, nobody erased it, and its detail says which rule
applied. One transaction per candidate, the rule checked again inside it; one that fails is
logged and counted and the others go on.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activity.services import notes_personal_data_erase
from applications.selectors import applications_personal_data
from applications.services import applications_personal_data_erase
from candidates.selectors import candidate_by_id_or_email, candidate_personal_data
from candidates.services.profiles import candidate_personal_data_erase
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.accounts.selectors import organization_get
from hotgigs.accounts.services import user_personal_data_erase
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.services import access_record
from hotgigs.errors import Forbidden, NotFound
from hotgigs.events import catalogue
from hotgigs.events.outbox import record
from hotgigs.notifications.selectors import notification_list
from hotgigs.notifications.services import notifications_personal_data_erase
from interviews.selectors import interviews_personal_data
from interviews.services import interviews_personal_data_erase
from privacy.choices import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, ErasureReason
from privacy.errors import InvalidRetention
from privacy.models import ErasureReceipt, RetentionSetting
from privacy.selectors import RetentionCase, retention_cases

if TYPE_CHECKING:
    from candidates.models import Candidate
    from hotgigs.accounts.models import User

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "hotgigs.personal-data/1"


def export_json(document: dict[str, Any]) -> str:
    """The export as the command and the back office write it (the API renders the same data)."""
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _resume_link(candidate_id: int, resume_id: int) -> str:
    # The API route that hands out a short-lived download link for the file (to whoever may see it).
    return reverse("v1:candidate-resume-link", kwargs={"pk": candidate_id, "resume_id": resume_id})


def personal_data_export(*, actor: User, candidate: Candidate, channel: AccessChannel) -> dict[str, Any]:
    """Everything held about the candidate, as one JSON-ready document (see the module docstring).

    The person themself or staff (Forbidden otherwise). The export is written to the audit log.
    """
    if not policies.may_export_candidate(actor, candidate_user_id=candidate.user_id):
        raise Forbidden("Only the person themself or staff may export a candidate's data.")
    with tenancy.system("data-subject export"), transaction.atomic():
        held = candidate_personal_data(candidate_id=candidate.pk)
        for resume in held["resumes"]:
            resume["download"] = _resume_link(candidate.pk, resume["id"])
        user = candidate.user
        account = notifications = None
        if user is not None:
            account = {"email": user.email, "full_name": user.full_name, "date_joined": user.date_joined}
            notifications = list(
                notification_list(actor=user).values("kind", "payload", "created_at", "read_at").order_by("created_at")
            )
        document = {
            "format": EXPORT_FORMAT,
            "generated_at": timezone.now(),
            "candidate_id": candidate.pk,
            "account": account,
            **held,
            "applications": applications_personal_data(candidate_id=candidate.pk),
            "interviews": interviews_personal_data(candidate_id=candidate.pk),
            "notifications": notifications or [],
        }
        access_record(actor=actor, candidate_id=candidate.pk, action=AccessAction.EXPORTED, channel=channel)
    return document


@transaction.atomic
def candidate_erase(
    *,
    actor: User | None,
    candidate: Candidate,
    channel: AccessChannel,
    reason: ErasureReason = ErasureReason.REQUEST,
    detail: str = "",
) -> ErasureReceipt:
    """Erase the candidate's personal data and keep the anonymous facts (see the module docstring).

    The person themself (at once) or staff (Forbidden otherwise); or nobody (``actor`` None) for
    the retention purge only (``reason`` retention). CandidateAlreadyErased for a profile erased
    before (nothing changes). Answers the receipt. Files leave storage once the transaction
    commits, so a rolled-back erasure keeps them.
    """
    if actor is None:
        if reason != ErasureReason.RETENTION:
            raise Forbidden("Only the retention purge erases a candidate's data without a person acting.")
        self_request, actor_id, actor_email = False, None, ""
    else:
        if not policies.may_erase_candidate(actor, candidate_user_id=candidate.user_id):
            raise Forbidden("Only the person themself or staff may erase a candidate's data.")
        self_request = policies.is_self(actor, candidate.user_id)
        actor_id, actor_email = actor.pk, actor.email
    with tenancy.system("erasure of a candidate's personal data"):
        counts, user_id = candidate_personal_data_erase(candidate_id=candidate.pk)
        counts |= applications_personal_data_erase(candidate_id=candidate.pk)
        counts |= interviews_personal_data_erase(candidate_id=candidate.pk)
        counts |= notes_personal_data_erase(candidate_id=candidate.pk)
        if user_id is not None:
            counts |= notifications_personal_data_erase(user_id=user_id)
            counts |= user_personal_data_erase(user_id=user_id)
        receipt = ErasureReceipt.objects.create(
            candidate_id=candidate.pk,
            erased_at=timezone.now(),
            erased_by_id=None if self_request else actor_id,
            erased_by_email="" if self_request else actor_email,
            requested_by_candidate=self_request,
            channel=channel,
            reason=reason,
            detail=detail[:300],
            counts=counts,
        )
        access_record(
            actor=None if self_request else actor,
            candidate_id=candidate.pk,
            action=AccessAction.ERASED,
            channel=channel,
            detail=f"receipt {receipt.pk}" + (" (retention)" if reason == ErasureReason.RETENTION else ""),
        )
        record(catalogue.CANDIDATE_ERASED, data={"candidate_id": candidate.pk, "receipt_id": receipt.pk})
    return receipt


def retention_set(*, actor: User, organization_id: int, retention_days: int | None) -> RetentionSetting:
    """Set how long the organization keeps candidates without activity (None: until they or staff
    erase them). Its admins or staff (Forbidden otherwise; OrganizationNotFound for no such
    organization); InvalidRetention outside
    RETENTION_MIN_DAYS..RETENTION_MAX_DAYS (nothing changes)."""
    if not policies.may_manage_retention(actor, organization_id):
        raise Forbidden("Only the organization's admins or staff may set its retention period.")
    organization_get(actor=actor, organization_id=organization_id)  # OrganizationNotFound (staff: a wrong id)
    if retention_days is not None and not RETENTION_MIN_DAYS <= retention_days <= RETENTION_MAX_DAYS:
        raise InvalidRetention(
            f"The retention period is from {RETENTION_MIN_DAYS} to {RETENTION_MAX_DAYS} days, or empty to keep candidates.",
            details={"retention_days": [f"Between {RETENTION_MIN_DAYS} and {RETENTION_MAX_DAYS}, or null."]},
        )
    setting, _ = RetentionSetting.objects.update_or_create(
        organization_id=organization_id,
        defaults={"retention_days": retention_days, "updated_at": timezone.now(), "updated_by": actor},
    )
    return setting


@dataclass
class PurgeReport:
    """What a purge found (``cases``: due, in due order) and did: ``erased`` (candidate id,
    receipt id), ``kept`` (no longer due when checked again), ``failed`` (candidate id, error)."""

    dry_run: bool
    cases: list[RetentionCase]
    erased: list[tuple[int, int]] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def _erase_if_still_due(case: RetentionCase, *, now: datetime, channel: AccessChannel) -> ErasureReceipt | None:
    with transaction.atomic():
        if not retention_cases(now=now, candidate_ids=[case.candidate_id]):
            return None  # active again since the list was read (a new application, a login)
        candidate = candidate_by_id_or_email(value=str(case.candidate_id))
        if candidate is None:
            raise NotFound(f"Candidate {case.candidate_id} is gone.")
        return candidate_erase(
            actor=None, candidate=candidate, channel=channel, reason=ErasureReason.RETENTION, detail=case.why()
        )


def retention_purge(
    *,
    dry_run: bool,
    channel: AccessChannel,
    organization_id: int | None = None,
    now: datetime | None = None,
) -> PurgeReport:
    """Erase every candidate the retention rule makes due (held by ``organization_id`` when
    named), each in its own transaction with a receipt; ``dry_run`` only lists them. As the
    system: the rule reads every organization holding a candidate."""
    now = now or timezone.now()
    with tenancy.system("retention purge"):
        report = PurgeReport(dry_run=dry_run, cases=retention_cases(now=now, organization_id=organization_id))
        if dry_run:
            return report
        for case in report.cases:
            try:
                receipt = _erase_if_still_due(case, now=now, channel=channel)
            except Exception as error:
                # One candidate's failure is logged and counted; the others are still erased.
                logger.exception("retention: erasing candidate %s failed", case.candidate_id)
                report.failed.append((case.candidate_id, f"{type(error).__name__}: {error}"))
                continue
            if receipt is None:
                report.kept.append(case.candidate_id)
            else:
                report.erased.append((case.candidate_id, receipt.pk))
    logger.info(
        "retention purge: %d due, %d erased, %d kept, %d failed",
        len(report.cases),
        len(report.erased),
        len(report.kept),
        len(report.failed),
    )
    return report
