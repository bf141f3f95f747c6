"""Reads of erasure receipts (staff only: ``policies.may_read_audit_log``, the same people) and of
retention: each organization's period and which candidates it makes due.

**Retention** (issue 17). An organization may set how long it keeps candidates without activity
(:class:`privacy.models.RetentionSetting`; none: until they or staff erase them). A candidate's
*last activity* is the latest of: the profile created or edited, a resume uploaded, a consent
given, the person's last login, an application created or moved (stage changes and undos), an
interview booked, changed or held (one still ahead counts until it ends), feedback submitted, a
note written or edited, anywhere. An organization *holds* a candidate it sourced and one that
applied (or was added) to one of its jobs. A candidate is *due* when

* every organization holding them has a retention period, and the longest of them has passed
  since their last activity (so a candidate is never erased while another organization keeps
  them longer, or for good);
* no application of theirs is in progress (applied, screening, interview, offer), anywhere;
* none of theirs ended in a hire: a hire's record is part of an employment relationship, kept
  under employment and tax law for periods the employer sets, not an idle candidate's;
* the profile is live (not erased already, not merged into another: a merged-away profile
  follows its survivor).

A self-registered candidate is erased whole (login included, unless it also works for an
organization or is staff) once every organization they applied to has let go: their account
exists only for applying, and a login within the period counts as activity. One who never applied
anywhere is held by nobody and is never purged.

:func:`retention_cases` reads across organizations and is called as the system (the purge);
:func:`retention_due` answers an actor with only the organizations they manage, and of those only
the candidates whose deciding rule is their own organization's, so nobody learns where else a
candidate applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone

from activity.selectors import notes_last_activity
from applications.selectors import applicant_ids_of, applications_retention_facts
from candidates.selectors import candidate_ids_sourced_by, candidates_retention_facts
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from interviews.selectors import interviews_last_activity
from privacy.models import ErasureReceipt, RetentionSetting

CHUNK = 1000  # candidate ids per round of reads


def receipt_list(*, actor: Actor, candidate_id: int | None = None) -> QuerySet[ErasureReceipt]:
    """Receipts, newest first (of one candidate when named); none for anyone but staff."""
    if not policies.may_read_audit_log(actor):
        return ErasureReceipt.objects.none()
    receipts = ErasureReceipt.objects.all()
    if candidate_id is not None:
        receipts = receipts.filter(candidate_id=candidate_id)
    return receipts.order_by("-erased_at", "-id")


def retention_setting_get(*, organization_id: int) -> RetentionSetting | None:
    """The organization's retention setting, or None (never set: candidates are kept)."""
    return RetentionSetting.objects.filter(organization_id=organization_id).first()


def retention_periods(*, organization_ids: Iterable[int] | None = None) -> dict[int, tuple[str, int]]:
    """``{organization id: (name, retention days)}`` of the organizations that set a period."""
    settings = RetentionSetting.objects.filter(retention_days__isnull=False).select_related("organization")
    if organization_ids is not None:
        settings = settings.filter(organization_id__in=list(organization_ids))
    return {s.organization_id: (s.organization.name, s.retention_days) for s in settings if s.retention_days}


@dataclass(frozen=True)
class RetentionCase:
    """One candidate the retention rule makes due (or soon due): who holds them, which
    organization's period decides (the longest), their last activity, since when they are idle
    and when they are (or become) due."""

    candidate_id: int
    kind: Literal["sourced", "applicant"]
    holders: frozenset[int]
    organization_id: int
    organization_name: str
    retention_days: int
    last_activity: datetime
    idle_days: int
    due_at: datetime

    def is_due(self, now: datetime) -> bool:
        return self.due_at <= now

    def why(self, *, others: bool = True) -> str:
        """The rule in words; ``others`` adds how many organizations hold the candidate (staff
        only: an organization's admin does not learn where else a candidate applied)."""
        held = "sourced by" if self.kind == "sourced" else "applied to jobs of"
        text = (
            f"{held} {self.organization_name}; no activity for {self.idle_days} days "
            f"(since {self.last_activity:%Y-%m-%d}); {self.organization_name} keeps candidates "
            f"{self.retention_days} days"
        )
        if others and len(self.holders) > 1:
            text += f", the longest period of the {len(self.holders)} organizations holding them"
        return text


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def retention_cases(
    *,
    now: datetime | None = None,
    organization_id: int | None = None,
    candidate_ids: Iterable[int] | None = None,
    within_days: int = 0,
) -> list[RetentionCase]:
    """The candidates due by now (or within ``within_days``), oldest due first; held by
    ``organization_id`` when named, among ``candidate_ids`` when given. The rule is the module's.

    Reads every organization's rows: call it as the system (the purge does; ``retention_due``
    for an actor)."""
    now = now or timezone.now()
    horizon = now + timedelta(days=within_days)
    periods = retention_periods()
    scope = [organization_id] if organization_id is not None else list(periods)
    scope = [org for org in scope if org in periods]
    if not scope:
        return []
    if candidate_ids is not None:
        ids = set(candidate_ids)  # (held by the scope: checked below, per candidate)
    else:
        ids = candidate_ids_sourced_by(organization_ids=scope) | applicant_ids_of(organization_ids=scope)
    cases: list[RetentionCase] = []
    for chunk in _chunks(ids):
        profiles = candidates_retention_facts(candidate_ids=chunk)
        pipelines = applications_retention_facts(candidate_ids=chunk)
        interviews = interviews_last_activity(candidate_ids=chunk)
        notes = notes_last_activity(candidate_ids=chunk)
        for candidate_id, profile in profiles.items():
            pipeline = pipelines.get(candidate_id)
            if pipeline is not None and (pipeline.in_progress or pipeline.hired):
                continue
            holders = set(pipeline.organization_ids) if pipeline is not None else set()
            if profile.organization_id is not None:
                holders.add(profile.organization_id)
            if holders.isdisjoint(scope) or not holders <= periods.keys():
                continue  # held by none of the scope, or by an organization that keeps candidates for good
            deciding = max(sorted(holders), key=lambda org: periods[org][1])
            name, days = periods[deciding]
            times = [profile.last_activity, interviews.get(candidate_id), notes.get(candidate_id)]
            if pipeline is not None:
                times.append(pipeline.last_activity)
            last = max(t for t in times if t is not None)
            due_at = last + timedelta(days=days)
            if due_at > horizon:
                continue
            cases.append(
                RetentionCase(
                    candidate_id=candidate_id,
                    kind="sourced" if profile.organization_id is not None else "applicant",
                    holders=frozenset(holders),
                    organization_id=deciding,
                    organization_name=name,
                    retention_days=days,
                    last_activity=last,
                    idle_days=(now - last).days,
                    due_at=due_at,
                )
            )
    return sorted(cases, key=lambda case: (case.due_at, case.candidate_id))


def retention_due(
    *, actor: Actor, now: datetime | None = None, organization_id: int | None = None, within_days: int = 0
) -> list[RetentionCase]:
    """The cases :func:`retention_cases` finds that the actor may see: staff every one; an
    organization's admin those its own period decides (never another organization's); anyone
    else none."""
    managed = policies.retention_organization_ids(actor)
    if managed is not None and not managed:
        return []
    if organization_id is not None and not policies.may_manage_retention(actor, organization_id):
        return []
    with tenancy.system("retention: the candidates due, for the back office"):
        cases = retention_cases(now=now, organization_id=organization_id, within_days=within_days)
    if managed is None:
        return cases
    return [case for case in cases if case.organization_id in managed]
