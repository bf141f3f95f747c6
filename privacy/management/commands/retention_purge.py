"""``manage.py retention_purge [--dry-run] [--organization ID]``: erase the candidates past their
organizations' retention periods (privacy/selectors.py states the rule), each with a receipt.

``--dry-run`` lists them and changes nothing: one line per candidate with its id, the
organization whose period decides, the last activity, the days idle and the rule. The real run
prints one line per candidate erased (or kept, or failed) and a summary."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotgigs import tenancy
from hotgigs.accounts.models import Organization
from hotgigs.audit.choices import AccessChannel
from privacy.services import retention_purge


class Command(BaseCommand):
    help = "Erase the candidates without activity past their organizations' retention periods (--dry-run lists them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be erased and why; change nothing.")
        parser.add_argument("--organization", type=int, help="Only the candidates this organization (id) holds.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization_id = options["organization"]
        dry_run = options["dry_run"]
        with tenancy.system("staff command: retention_purge"):
            if organization_id is not None and not Organization.objects.filter(pk=organization_id).exists():
                raise CommandError(f"No organization {organization_id}.")
            report = retention_purge(dry_run=dry_run, channel=AccessChannel.COMMAND, organization_id=organization_id)
        for case in report.cases:
            line = (
                f"candidate {case.candidate_id}\torganization {case.organization_id}\t"
                f"last activity {case.last_activity:%Y-%m-%d}\tidle {case.idle_days} days\t{case.why()}"
            )
            self.stdout.write(("would erase " if dry_run else "due ") + line)
        if dry_run:
            self.stdout.write(f"{len(report.cases)} candidate(s) would be erased (dry run: nothing changed).")
            return
        for candidate_id, receipt_id in report.erased:
            self.stdout.write(f"erased candidate {candidate_id}: receipt {receipt_id}")
        for candidate_id in report.kept:
            self.stdout.write(f"kept candidate {candidate_id}: active again")
        for candidate_id, error in report.failed:
            self.stderr.write(f"failed candidate {candidate_id}: {error}")
        self.stdout.write(
            f"{len(report.cases)} due: {len(report.erased)} erased, {len(report.kept)} kept, {len(report.failed)} failed."
        )
