"""The adverse-impact monitor: selection rates per self-identified group, per job and stage, and
the same for the AI match scores' top ranks.

For each step of the funnel (applied → screening → interview → offer → hired) and each group of
a self-identification dimension (gender, race / ethnicity, veteran status, disability status):

* ``considered``: applications the organization decided on at the step's first stage (moved on
  to the next stage, or rejected there); applications still in the stage and those the
  candidate withdrew are no selection decision and are left out;
* ``selected``: of those, the ones that reached the next stage; ``rate`` = selected / considered;
* ``impact_ratio`` = the group's rate / the highest rate among the groups compared, flagged
  ``adverse`` below 0.8 (the four-fifths rule of the US Uniform Guidelines);
* a statistical test of "the rates differ": Fisher's exact test (two-sided) of each group against
  the highest-rate group, and for the step as a whole Fisher's exact test for two groups or
  Pearson's chi-square test of independence for more (``scipy.stats``);
* small-sample caution, shown and never hidden: a compared group under 30, or an expected count
  under 5 in the step's table, marks the step ``insufficient_sample`` with the reasons; the
  ratio and the test stay visible but are not evidence either way.

Only candidates who self-identified are compared. Those who declined the question and those who
never answered are reported as counts of considered applications, never compared. A group with
fewer than ``MIN_GROUP_SIZE`` (5) considered applications is suppressed (its counts and rate are
not shown, and it is not compared), so that a small group's outcomes cannot be read off.

The match scores: among the candidates scored for each job in scope (``applications.Match``),
the ``top`` best-scored per job (ties by candidate id) are "top-ranked"; per group the
top-ranked rate = top-ranked / scored, compared as above (are top ranks shared alike?).

Everything is counted by the database in one query per dimension and table, through
``candidates.selectors.self_identification_tally`` (run as the system, answering counts only).
Org admins (of the organizations in scope) and staff only: ``policies.may_read_adverse_impact``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from analytics.errors import AnalyticsJobNotFound, AnalyticsScopeNotFound
from applications.choices import ApplicationStage
from applications.selectors import application_report_list, match_report_list, stage_change_report_list
from candidates.choices import DECLINED, NOT_PROVIDED, SELF_IDENTIFICATION_DIMENSIONS
from candidates.selectors import self_identification_tally
from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization
from hotgigs.accounts.policies import Actor
from hotgigs.errors import Forbidden
from jobs.selectors import job_report_list

FUNNEL: tuple[str, ...] = (
    ApplicationStage.APPLIED,
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
    ApplicationStage.HIRED,
)
STEP_FROM_STAGES: tuple[str, ...] = FUNNEL[:-1]
DIMENSIONS: tuple[str, ...] = tuple(SELF_IDENTIFICATION_DIMENSIONS)
FOUR_FIFTHS = 0.8
MIN_GROUP_SIZE = 5
"""Groups with fewer considered applications are suppressed (privacy)."""
CAUTION_GROUP_SIZE = 30
"""A compared group smaller than this makes the step's figures an insufficient sample."""
CAUTION_EXPECTED = 5
"""An expected count below this in the step's table makes the test unreliable."""
DEFAULT_TOP = 10
MAX_TOP = 100

CAUTIONS = {
    "fewer_than_two_groups": "Fewer than two groups large enough to compare.",
    "small_group": f"A compared group has fewer than {CAUTION_GROUP_SIZE} people.",
    "small_expected_count": f"An expected count in the table is below {CAUTION_EXPECTED}.",
    "suppressed_groups": f"Groups with fewer than {MIN_GROUP_SIZE} people are suppressed and not compared.",
    "no_selection_variation": "Everyone compared had the same outcome: nothing to test.",
}


@dataclass(frozen=True)
class ImpactFilters:
    """What the monitor covers: one job (or every job of the scope), one step (its first stage,
    or every step), applications submitted / matches scored on ``date_from`` … ``date_to``
    (inclusive, UTC; None: unbounded), the dimensions, and how many top ranks per job count."""

    job_id: int | None = None
    stage: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    dimensions: tuple[str, ...] = DIMENSIONS
    top: int = DEFAULT_TOP


@dataclass(frozen=True)
class GroupRate:
    """One group's figures in one table. ``suppressed``: fewer than MIN_GROUP_SIZE considered;
    its counts, rate, ratio and test are then None. ``p_value``: Fisher's exact test (two-sided)
    of this group against the reference group (None for the reference itself)."""

    group: str
    label: str
    suppressed: bool
    considered: int | None
    selected: int | None
    rate: float | None
    impact_ratio: float | None
    adverse: bool
    p_value: float | None


@dataclass(frozen=True)
class ImpactTable:
    """One comparison: a funnel step (``from_stage`` → ``to_stage``) or the match ranks
    (``from_stage`` "scored", ``to_stage`` "top_ranked"), for one dimension.

    ``reference_group``: the compared group with the highest rate. ``test`` names the test of
    the whole table (``fisher_exact`` for two groups, ``chi_square`` for more; None when fewer
    than two groups are compared) and ``p_value`` its result. ``declined`` / ``not_provided``:
    considered applications of people who declined the question / never answered (counted,
    never compared). ``adverse``: a compared group's ratio is under 0.8. ``cautions``: codes of
    :data:`CAUTIONS`; ``insufficient_sample`` when any but ``suppressed_groups`` is present."""

    from_stage: str
    to_stage: str
    considered: int
    groups: tuple[GroupRate, ...]
    reference_group: str | None
    test: str | None
    p_value: float | None
    declined: int
    not_provided: int
    suppressed_groups: int
    adverse: bool
    insufficient_sample: bool
    cautions: tuple[str, ...]


@dataclass(frozen=True)
class DimensionImpact:
    dimension: str
    steps: tuple[ImpactTable, ...]
    match_ranks: ImpactTable


@dataclass(frozen=True)
class AdverseImpactReport:
    organization_ids: tuple[int, ...] | None
    generated_at: datetime
    filters: ImpactFilters
    four_fifths: float
    min_group_size: int
    caution_group_size: int
    dimensions: tuple[DimensionImpact, ...]


# --- the figures -----------------------------------------------------------------------------


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(float(value), places)


def _fisher(a_selected: int, a_considered: int, b_selected: int, b_considered: int) -> float:
    table = [[a_selected, a_considered - a_selected], [b_selected, b_considered - b_selected]]
    from scipy import stats  # imported where a test runs: servers and workers start without scipy

    return float(stats.fisher_exact(table, alternative="two-sided").pvalue)


def impact_table(*, from_stage: str, to_stage: str, dimension: str, tally: dict[str, tuple[int, int]]) -> ImpactTable:
    """The comparison of one table from its counts: ``tally`` maps each group (the dimension's
    values, ``declined`` and ``not_provided`` included) to (considered, selected). Pure: the
    tests feed it hand-made counts."""
    _, choices = SELF_IDENTIFICATION_DIMENSIONS[dimension]
    declined = tally.get(DECLINED, (0, 0))[0]
    not_provided = tally.get(NOT_PROVIDED, (0, 0))[0]
    answered = {group: counts for group, counts in tally.items() if group not in (DECLINED, NOT_PROVIDED)}
    compared = {group: (n, k) for group, (n, k) in answered.items() if n >= MIN_GROUP_SIZE}
    suppressed = sorted(group for group, (n, _) in answered.items() if 0 < n < MIN_GROUP_SIZE)
    rates = {group: k / n for group, (n, k) in compared.items()}
    reference = max(sorted(rates), key=lambda group: rates[group]) if rates else None
    top_rate = rates[reference] if reference is not None else 0.0

    cautions: list[str] = []
    test_name: str | None = None
    p_value: float | None = None
    if len(compared) < 2:
        cautions.append("fewer_than_two_groups")
    else:
        if any(n < CAUTION_GROUP_SIZE for n, _ in compared.values()):
            cautions.append("small_group")
        selected_total = sum(k for _, k in compared.values())
        total = sum(n for n, _ in compared.values())
        expected = [
            n * column / total for n, _ in compared.values() for column in (selected_total, total - selected_total)
        ]
        if any(value < CAUTION_EXPECTED for value in expected):
            cautions.append("small_expected_count")
        table = [[k, n - k] for n, k in (compared[group] for group in sorted(compared))]
        from scipy import stats  # (see _fisher)

        if selected_total in (0, total):
            cautions.append("no_selection_variation")
            test_name, p_value = ("fisher_exact" if len(compared) == 2 else "chi_square"), 1.0
        elif len(compared) == 2:
            test_name, p_value = "fisher_exact", float(stats.fisher_exact(table, alternative="two-sided").pvalue)
        else:
            test_name = "chi_square"
            p_value = float(stats.chi2_contingency(table, correction=False).pvalue)
    if suppressed:
        cautions.append("suppressed_groups")

    groups: list[GroupRate] = []
    for value, label in choices.choices:
        if value == DECLINED:
            continue
        if value in suppressed:
            groups.append(GroupRate(value, label, True, None, None, None, None, False, None))
            continue
        if value not in compared:
            continue
        n, k = compared[value]
        ratio = rates[value] / top_rate if top_rate > 0 else None
        versus = None
        if reference is not None and value != reference:
            ref_n, ref_k = compared[reference]
            versus = _fisher(k, n, ref_k, ref_n)
        groups.append(
            GroupRate(
                group=value,
                label=label,
                suppressed=False,
                considered=n,
                selected=k,
                rate=_round(rates[value]),
                impact_ratio=_round(ratio),
                adverse=ratio is not None and ratio < FOUR_FIFTHS,
                p_value=_round(versus, 6),
            )
        )
    return ImpactTable(
        from_stage=from_stage,
        to_stage=to_stage,
        considered=sum(n for n, _ in tally.values()),
        groups=tuple(groups),
        reference_group=reference,
        test=test_name,
        p_value=_round(p_value, 6),
        declined=declined,
        not_provided=not_provided,
        suppressed_groups=len(suppressed),
        adverse=any(group.adverse for group in groups),
        insufficient_sample=any(code != "suppressed_groups" for code in cautions),
        cautions=tuple(cautions),
    )


def _index(stage: str) -> int:
    return FUNNEL.index(stage)


def _decided_applications(applications: QuerySet[Any]) -> QuerySet[Any]:
    """Each application with ``furthest``: the furthest funnel stage it reached, and ``rejected``
    / ``withdrawn`` flags. Moves go one step forward at a time (``STAGE_TRANSITIONS``), so the
    current stage, or for a rejected or withdrawn application the stage it left the pipeline
    from (its last move's ``from_stage``; undone moves are already reverted in the stage), is
    the furthest reached."""
    last_move = stage_change_report_list(organization_ids=None).filter(application_id=OuterRef("pk"))
    exit_stage = Subquery(last_move.order_by("-changed_at", "-pk").values("from_stage")[:1])
    out = (ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN)
    return applications.annotate(furthest=Case(When(stage__in=out, then=exit_stage), default=F("stage")))


def _step_counts(from_stage: str, to_stage: str) -> dict[str, Count]:
    reached_next = Q(furthest__in=FUNNEL[_index(to_stage) :])
    rejected_here = Q(stage=ApplicationStage.REJECTED, furthest=from_stage)
    return {
        f"{from_stage}_considered": Count("pk", filter=reached_next | rejected_here),
        f"{from_stage}_selected": Count("pk", filter=reached_next),
    }


def adverse_impact_figures(
    *, organization_ids: frozenset[int] | None, filters: ImpactFilters, now: datetime | None = None
) -> AdverseImpactReport:
    """The monitor's figures for these organizations (None: every one) and ``filters``, whoever
    asks: the API and the back office call :func:`adverse_impact_report`, which decides who
    may; the staff command calls this. Two aggregate queries per dimension (the funnel, the
    match ranks), whatever the number of applications. Raises AnalyticsJobNotFound for a job
    outside the organizations."""
    now = now or timezone.now()
    jobs = job_report_list(organization_ids=organization_ids)
    applications = application_report_list(organization_ids=organization_ids)
    matches = match_report_list(organization_ids=organization_ids)
    if filters.job_id is not None:
        if not jobs.filter(pk=filters.job_id).exists():
            raise AnalyticsJobNotFound()
        applications = applications.filter(job_id=filters.job_id)
        matches = matches.filter(job_id=filters.job_id)
    if filters.date_from is not None:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        applications = applications.filter(created_at__gte=start)
        matches = matches.filter(computed_at__gte=start)
    if filters.date_to is not None:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        applications = applications.filter(created_at__lt=end)
        matches = matches.filter(computed_at__lt=end)

    steps = [(a, b) for a, b in pairwise(FUNNEL) if filters.stage is None or a == filters.stage]
    counts: dict[str, Count] = {}
    for from_stage, to_stage in steps:
        counts |= _step_counts(from_stage, to_stage)
    decided = _decided_applications(applications)

    ranked = matches.annotate(
        rank=Window(RowNumber(), partition_by=[F("job_id")], order_by=[F("score").desc(), F("candidate_id").asc()])
    )
    top_ids = ranked.filter(rank__lte=filters.top).values("pk")
    match_counts = {"scored": Count("pk"), "top": Count("pk", filter=Q(pk__in=top_ids))}

    dimensions = []
    for dimension in filters.dimensions:
        tally = self_identification_tally(rows=decided, dimension=dimension, counts=counts)
        tables = tuple(
            impact_table(
                from_stage=from_stage,
                to_stage=to_stage,
                dimension=dimension,
                tally={
                    group: (row[f"{from_stage}_considered"], row[f"{from_stage}_selected"])
                    for group, row in tally.items()
                },
            )
            for from_stage, to_stage in steps
        )
        ranks = self_identification_tally(rows=matches, dimension=dimension, counts=match_counts)
        match_table = impact_table(
            from_stage="scored",
            to_stage="top_ranked",
            dimension=dimension,
            tally={group: (row["scored"], row["top"]) for group, row in ranks.items()},
        )
        dimensions.append(DimensionImpact(dimension=dimension, steps=tables, match_ranks=match_table))
    return AdverseImpactReport(
        organization_ids=None if organization_ids is None else tuple(sorted(organization_ids)),
        generated_at=now,
        filters=filters,
        four_fifths=FOUR_FIFTHS,
        min_group_size=MIN_GROUP_SIZE,
        caution_group_size=CAUTION_GROUP_SIZE,
        dimensions=tuple(dimensions),
    )


def adverse_impact_scope(*, actor: Actor, organization_id: int | None = None) -> frozenset[int] | None:
    """The organizations whose figures the actor may read (None: every one, staff only).

    Staff: every organization, or the one they name (AnalyticsScopeNotFound if none such). An
    org admin: the organizations they administer, or the one they name among them; naming one
    they are a member of without administering it, or being nobody's admin, raises Forbidden;
    naming one they are not a member of raises AnalyticsScopeNotFound.
    """
    if policies.sees_every_organization(actor):
        if organization_id is None:
            return None
        if not Organization.objects.filter(pk=organization_id).exists():
            raise AnalyticsScopeNotFound()
        return frozenset({organization_id})
    members = policies.member_organization_ids(actor)
    administered = frozenset(pk for pk in members if policies.may_read_adverse_impact(actor, pk))
    if organization_id is not None:
        if organization_id not in members:
            raise AnalyticsScopeNotFound()
        administered &= {organization_id}
    if not administered:
        raise Forbidden("The adverse-impact monitor is for the organization's admins.")
    return administered


def adverse_impact_report(
    *, actor: Actor, filters: ImpactFilters, organization_id: int | None = None, now: datetime | None = None
) -> AdverseImpactReport:
    """The monitor for the actor's scope (:func:`adverse_impact_scope`) and ``filters``: org admins
    and staff. Raises Forbidden, AnalyticsScopeNotFound, AnalyticsJobNotFound (nothing read)."""
    scope = adverse_impact_scope(actor=actor, organization_id=organization_id)
    return adverse_impact_figures(organization_ids=scope, filters=filters, now=now)
