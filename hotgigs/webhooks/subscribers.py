"""The webhooks' outbox subscriber: an organization's committed event goes to its endpoints.

Runs on Celery (``events.dispatch``) for every event the catalogue lets webhooks carry;
creating the deliveries is idempotent (unique per endpoint and event) and each new one is
queued as its own ``webhooks.deliver`` task after commit.
"""

from hotgigs.events.catalogue import WEBHOOK_EVENT_TYPES
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import on_worker
from hotgigs.webhooks.services.fan_out import committed_event_fan_out


@on_worker("webhooks.fan_out", types=WEBHOOK_EVENT_TYPES)
def fan_out(event: OutboxEvent) -> None:
    committed_event_fan_out(event=event)
