"""``manage.py erase_candidate <id|email> --staff EMAIL --yes``: erase a candidate's personal data
and keep the anonymous figures (privacy/services.py); prints the receipt."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotgigs import tenancy
from hotgigs.audit.choices import AccessChannel
from hotgigs.errors import DomainError
from privacy.management.commands._candidate import add_staff_argument, find_candidate, staff_user
from privacy.services import candidate_erase


class Command(BaseCommand):
    help = "Erase one candidate's personal data (a data-subject request) and print the receipt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("candidate", help="The candidate's id or email address.")
        parser.add_argument("--yes", action="store_true", help="Confirm: erasure cannot be undone.")
        add_staff_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("Erasure cannot be undone: add --yes to confirm.")
        with tenancy.system("staff command: erase_candidate"):
            actor = staff_user(options["staff"])
            candidate = find_candidate(options["candidate"])
            try:
                receipt = candidate_erase(actor=actor, candidate=candidate, channel=AccessChannel.COMMAND)
            except DomainError as error:
                raise CommandError(error.message) from None
        self.stdout.write(
            json.dumps(
                {
                    "receipt": receipt.pk,
                    "candidate_id": receipt.candidate_id,
                    "erased_at": receipt.erased_at.isoformat(),
                    "counts": receipt.counts,
                }
            )
        )
