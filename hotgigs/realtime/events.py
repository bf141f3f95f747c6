"""Publishing domain events to WebSocket groups, only after the transaction commits.

Services call :func:`publish_on_commit`; if the surrounding transaction rolls back the
callback never runs, so no client ever hears of a change that did not happen (the
pattern of Zulip's ``send_event_on_commit``).
"""

import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def group_for_organization(organization_id: int) -> str:
    """Group of every connected member of one organization."""
    return f"org.{organization_id}"


def group_for_user(user_id: int) -> str:
    """Group of every connection of one user."""
    return f"user.{user_id}"


def _send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, {"type": "event.push", "event": message})
        except Exception:
            # A realtime push is best effort; the committed change stands either way.
            logger.exception("realtime.publish_failed", extra={"group": group, "event_type": message["type"]})


def publish_on_commit(*, channel: str, type: str, data: dict[str, Any], groups: list[str]) -> None:
    """Push ``{id, channel, type, data, ts}`` to ``groups`` once the current transaction commits."""
    message = {
        "id": str(uuid.uuid4()),
        "channel": channel,
        "type": type,
        "data": data,
        "ts": timezone.now().isoformat(),
    }
    transaction.on_commit(lambda: _send(groups, message))
