"""Helpers shared by the webhook tests."""

from typing import Any

from applications.services import application_move
from hotgigs.webhooks.models import WebhookEndpoint
from hotgigs.webhooks.services.endpoints import endpoint_create
from tests.factories import ApplicationFactory


def make_endpoint(
    actor: Any,
    organization: Any,
    receiver: Any,
    *,
    types: tuple[str, ...] = ("application.stage_changed",),
    path: str = "/hook",
) -> WebhookEndpoint:
    endpoint = endpoint_create(actor=actor, organization=organization, url=receiver.url(path), event_types=list(types))
    receiver.secret = endpoint.secret
    return endpoint


def move_application(actor: Any, job: Any, *, to_stage: str = "screening") -> Any:
    """A real stage change through the service: the outbox event webhooks carry."""
    application: Any = ApplicationFactory(job=job)
    return application_move(actor=actor, application=application, to_stage=to_stage)
