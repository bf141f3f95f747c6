"""``manage.py export_candidate <id|email> [--output FILE]``: a candidate's personal data as JSON,
for a data-subject request (the same document as the API's export); written to the audit log."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotgigs import tenancy
from hotgigs.audit.choices import AccessChannel
from privacy.management.commands._candidate import add_staff_argument, find_candidate, staff_user
from privacy.services import export_json, personal_data_export


class Command(BaseCommand):
    help = "Print (or write to --output) everything held about one candidate, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("candidate", help="The candidate's id or email address.")
        parser.add_argument("--output", help="Write the JSON to this file instead of standard output.")
        add_staff_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with tenancy.system("staff command: export_candidate"):
            actor = staff_user(options["staff"])
            candidate = find_candidate(options["candidate"])
            document = personal_data_export(actor=actor, candidate=candidate, channel=AccessChannel.COMMAND)
        text = export_json(document)
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as error:
                raise CommandError(f"Cannot write {options['output']}: {error}") from None
            self.stderr.write(f"Wrote the personal data of candidate {candidate.pk} to {options['output']}.")
        else:
            self.stdout.write(text)
