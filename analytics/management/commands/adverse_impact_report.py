"""``manage.py adverse_impact_report``: print the adverse-impact monitor as text tables.

* ``--organization ID`` — one organization (default: every organization, as staff see it);
* ``--job ID`` — one job of it (default: every job);
* ``--dimension gender|race|veteran|disability`` — one dimension (default: all four);
* ``--stage applied|screening|interview|offer`` — the step starting there (default: every step);
* ``--from`` / ``--to YYYY-MM-DD`` — applications submitted (matches scored) in these days, UTC;
* ``--top N`` — how many top ranks per job count as top-ranked (default 10).

The same figures as ``GET /api/v1/analytics/adverse-impact`` (``analytics.selectors.adverse_impact``),
counted as the system: a staff command.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.errors import AnalyticsJobNotFound
from analytics.selectors.adverse_impact import (
    CAUTIONS,
    DEFAULT_TOP,
    DIMENSIONS,
    MAX_TOP,
    STEP_FROM_STAGES,
    AdverseImpactReport,
    ImpactFilters,
    ImpactTable,
    adverse_impact_figures,
)
from hotgigs import tenancy
from hotgigs.accounts.models import Organization


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a day (YYYY-MM-DD): {value!r}.") from exc


def _number(value: float | None, places: int = 3) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def table_lines(table: ImpactTable) -> list[str]:
    """One comparison as text: its heading, verdict and cautions, and a row per group."""
    name = (
        "match scores: scored → top-ranked"
        if table.from_stage == "scored"
        else f"{table.from_stage} → {table.to_stage}"
    )
    test = f"{table.test} p={_number(table.p_value, 4)}" if table.test else "no test"
    verdict = "ADVERSE IMPACT FLAGGED" if table.adverse else "no ratio below 0.8"
    lines = [
        f"  {name}: considered {table.considered} (declined {table.declined}, not provided {table.not_provided}); "
        f"{test}; {verdict}",
    ]
    if table.insufficient_sample or table.suppressed_groups:
        reasons = " ".join(CAUTIONS[code] for code in table.cautions)
        label = "INSUFFICIENT SAMPLE" if table.insufficient_sample else "note"
        lines.append(f"    {label}: {reasons}")
    if table.groups:
        lines.append(
            f"    {'group':<20}{'considered':>11}{'selected':>10}{'rate':>8}{'ratio':>8}{'p vs ref':>10}  flag"
        )
    for row in table.groups:
        if row.suppressed:
            lines.append(f"    {row.group:<20}{'suppressed (fewer than 5)':>47}")
            continue
        flag = "reference" if row.group == table.reference_group else ("ADVERSE (< 0.8)" if row.adverse else "")
        lines.append(
            f"    {row.group:<20}{row.considered:>11}{row.selected:>10}{_number(row.rate):>8}"
            f"{_number(row.impact_ratio):>8}{_number(row.p_value, 4):>10}  {flag}"
        )
    return lines


def report_lines(report: AdverseImpactReport, organizations: str) -> list[str]:
    filters = report.filters
    days = f"{filters.date_from or 'the start'} … {filters.date_to or 'today'}"
    lines = [
        f"Adverse-impact report: {organizations}; job {filters.job_id or 'all'}; applications submitted {days}; "
        f"top {filters.top} ranks per job.",
        f"Four-fifths threshold {report.four_fifths}; groups under {report.min_group_size} suppressed; caution under "
        f"{report.caution_group_size} per group or an expected count under 5. Only self-identified candidates are "
        "compared.",
    ]
    for dimension in report.dimensions:
        lines.append("")
        lines.append(f"== {dimension.dimension} ==")
        for table in (*dimension.steps, dimension.match_ranks):
            lines.extend(table_lines(table))
    return lines


class Command(BaseCommand):
    help = "Print the adverse-impact monitor (selection rates per self-identified group, four-fifths rule)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, help="One organization's id (default: every organization).")
        parser.add_argument("--job", type=int, help="One job's id (default: every job).")
        parser.add_argument("--dimension", choices=DIMENSIONS, help="One dimension (default: all).")
        parser.add_argument("--stage", choices=STEP_FROM_STAGES, help="The step starting at this stage.")
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="First submission day (UTC).")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="Last submission day (UTC).")
        parser.add_argument("--top", type=int, default=DEFAULT_TOP, help="Top ranks per job (default 10).")

    @tenancy.system("staff command: adverse_impact_report counts every organization's applications")
    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["top"] <= MAX_TOP:
            raise CommandError(f"--top must be between 1 and {MAX_TOP}.")
        date_from, date_to = _day(options["date_from"]), _day(options["date_to"])
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to.")
        organization_id = options["organization"]
        organization = None
        if organization_id is not None:
            organization = Organization.objects.filter(pk=organization_id).first()
            if organization is None:
                raise CommandError(f"No organization {organization_id}.")
        filters = ImpactFilters(
            job_id=options["job"],
            stage=options["stage"],
            date_from=date_from,
            date_to=date_to,
            dimensions=(options["dimension"],) if options["dimension"] else DIMENSIONS,
            top=options["top"],
        )
        scope = None if organization_id is None else frozenset({organization_id})
        try:
            report = adverse_impact_figures(organization_ids=scope, filters=filters)
        except AnalyticsJobNotFound as exc:
            raise CommandError(f"No job {options['job']} in the organizations named.") from exc
        label = "every organization" if organization is None else f"{organization.name} ({organization.pk})"
        self.stdout.write("\n".join(report_lines(report, label)))
