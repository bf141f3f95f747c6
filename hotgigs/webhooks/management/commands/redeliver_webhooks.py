"""Staff command: send webhook deliveries again (same webhook-id), by id or by endpoint and time."""

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotgigs import tenancy
from hotgigs.webhooks.services.delivery import deliveries_redeliver


def _since(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--since: not an ISO 8601 date-time: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = "Redeliver webhook deliveries: --delivery ID (repeatable), or --endpoint ID [--since TIME]; --failed-only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delivery", type=int, action="append", dest="deliveries", help="A delivery id.")
        parser.add_argument("--endpoint", type=int, help="Every delivery of this endpoint (with --since: from then).")
        parser.add_argument("--since", type=_since, help="ISO 8601 date-time; deliveries created at or after it.")
        parser.add_argument("--failed-only", action="store_true", help="Only deliveries that failed.")

    @tenancy.system("staff command: redeliver_webhooks for any organization")
    def handle(self, *args: Any, **options: Any) -> None:
        if not options["deliveries"] and options["endpoint"] is None:
            raise CommandError("Give --delivery ID or --endpoint ID.")
        count = deliveries_redeliver(
            delivery_ids=options["deliveries"],
            endpoint_id=options["endpoint"],
            since=options["since"],
            failed_only=options["failed_only"],
        )
        self.stdout.write(f"Queued {count} deliveries for redelivery.")
