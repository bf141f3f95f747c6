"""``manage.py analytics_snapshot``: write the analytics' daily facts again for a range of days.

* ``--since YYYY-MM-DD`` — the first day (UTC); without it, the first day of the stage history;
* ``--until YYYY-MM-DD`` — the last day (default: today, UTC).

Idempotent (``analytics.services.analytics_snapshot``): a backfill after a deployment, or a
re-run after a fix, writes the same rows as beat would have. The whole range is one
transaction; prints the rows written and the time taken.
"""

import time
from datetime import UTC, date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Min
from django.utils import timezone

from analytics.services import analytics_snapshot
from applications.selectors import stage_change_report_list
from hotgigs import tenancy


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a day (YYYY-MM-DD): {value!r}.") from exc


class Command(BaseCommand):
    help = "Write the analytics' daily snapshots again from the stage history (--since, --until)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="First day (UTC); default: the history's first.")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="Last day (UTC); default: today.")

    @tenancy.system("staff command: analytics_snapshot reads every organization's stage history")
    def handle(self, *args: Any, **options: Any) -> None:
        until = _day(options["until"]) if options["until"] else timezone.now().astimezone(UTC).date()
        if options["since"]:
            since = _day(options["since"])
        else:
            first = stage_change_report_list(organization_ids=None).aggregate(first=Min("changed_at"))["first"]
            since = first.astimezone(UTC).date() if first else until
        if since > until:
            raise CommandError(f"--since {since} is after --until {until}.")
        started = time.perf_counter()
        result = analytics_snapshot(since=since, until=until)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Snapshot {result.since} … {result.until}: {result.stage_rows} stage rows, {result.hire_rows} hires, "
            f"{result.hire_total_rows} hire totals, {len(result.organization_ids)} organizations, {elapsed:.2f} s."
        )
