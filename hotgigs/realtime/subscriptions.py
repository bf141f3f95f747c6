"""Which channel-layer group a subscription follows, and whether the actor may follow it.

Each subscription names one group (see ``hotgigs/realtime/events.py``). Parsing checks the
shape only; :func:`subscription_authorize` applies the access
policy (``hotgigs/accounts/policies.py``) for organization channels, and for a channel of one
row (an application) the authorizer its domain app registered with :func:`register_audience`
in its ``AppConfig.ready`` — the same selector the REST API reads that row with. The kernel
imports no domain app; a row kind nobody registered answers NOT_FOUND (fail closed):

=====================  ==========================================  ===========================
channel                 params                                      who may follow it
=====================  ==========================================  ===========================
``job_updates``         ``{scope: "board"}``                        anyone (open jobs only)
``job_updates``         ``{scope: "organization", organization_id}`` the organization's members
``application_status``  ``{application_id}``                        whoever may see it: its
                                                                    candidate, the job's
                                                                    recruiters
``application_status``  ``{scope: "mine"}``                         anyone (their own)
``application_status``  ``{scope: "organization", organization_id}`` the organization's members
``interview_schedule``  ``{scope: "mine"}``                         anyone (as candidate or
                                                                    interviewer)
``interview_schedule``  ``{scope: "organization", organization_id}`` the organization's members
``notifications``       ``{}``                                      anyone (their own)
=====================  ==========================================  ===========================

Staff may follow every organization and application. A token must also carry the channel's
read scope. Refusals use the API's codes: FORBIDDEN for a missing scope or an organization
channel asked for by someone who recruits for no organization; NOT_FOUND for an organization
or application the actor may not see, exactly as the API answers 404 for hidden rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.accounts.scopes import (
    APPLICATIONS_READ,
    INTERVIEWS_READ,
    JOBS_READ,
    NOTIFICATIONS_READ,
)
from hotgigs.accounts.selectors import organization_get
from hotgigs.errors import DomainError, NotFound
from hotgigs.realtime.errors import InvalidMessage, SubscriptionForbidden
from hotgigs.realtime.events import (
    JOB_BOARD,
    channel_group,
    group_for_application,
    group_for_organization,
    group_for_user,
)

CHANNEL_SCOPES: dict[str, str] = {
    "job_updates": JOBS_READ,
    "application_status": APPLICATIONS_READ,
    "interview_schedule": INTERVIEWS_READ,
    "notifications": NOTIFICATIONS_READ,
}
SCOPES_BY_CHANNEL: dict[str, tuple[str, ...]] = {
    "job_updates": ("board", "organization"),
    "application_status": ("mine", "organization"),
    "interview_schedule": ("mine", "organization"),
    "notifications": ("mine",),
}
MAX_ID = 2**63 - 1

APPLICATION = "application"
"""The row kind of ``application_status`` subscriptions that name one ``application_id``."""

AudienceAuthorizer = Callable[[Actor, int], None]
"""Returns quietly when the actor may follow the row's group; raises a DomainError (NOT_FOUND
for a row the actor may not see, as the API answers) otherwise."""

AudienceBatchAuthorizer = Callable[[Actor, list[int]], dict[int, DomainError]]
"""The same decision for many rows at once: the error of each row the actor may not follow
(rows missing from the answer are allowed)."""

_AUDIENCES: dict[str, AudienceAuthorizer] = {}
_BATCH_AUDIENCES: dict[str, AudienceBatchAuthorizer] = {}


def register_audience(
    kind: str, authorize: AudienceAuthorizer, authorize_many: AudienceBatchAuthorizer | None = None
) -> None:
    """Register who may follow the realtime group of one row of ``kind`` (e.g. ``"application"``).

    Called by the domain app that owns the rows, from its ``AppConfig.ready``; registering a
    kind again replaces its authorizer (app registries reload in tests). ``authorize_many``
    decides a batch of rows in one query (a socket that subscribes to 50 applications at once);
    without it a batch asks ``authorize`` row by row.
    """
    _AUDIENCES[kind] = authorize
    if authorize_many is None:
        _BATCH_AUDIENCES.pop(kind, None)
    else:
        _BATCH_AUDIENCES[kind] = authorize_many


def audience_authorize(kind: str, *, actor: Actor, object_id: int) -> None:
    """Ask the registered authorizer of ``kind``; NOT_FOUND when no app registered one."""
    authorize = _AUDIENCES.get(kind)
    if authorize is None:
        raise NotFound()
    authorize(actor, object_id)


@dataclass(frozen=True)
class Subscription:
    """One followed group. ``key`` (the group name) identifies it in acks and unsubscribes."""

    channel: str
    group: str
    organization_id: int | None = None
    application_id: int | None = None

    @property
    def key(self) -> str:
        return self.group


def _positive_id(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InvalidMessage(details={f"params.{field}": ["Must be a positive whole number."]})
    return value


def parse_since(params: dict[str, Any]) -> int | None:
    """``params.since`` as an event id (0 or more), or None when absent."""
    since = params.get("since")
    if since is None:
        return None
    if isinstance(since, bool) or not isinstance(since, int) or not 0 <= since <= MAX_ID:
        raise InvalidMessage(details={"params.since": ["Must be an event id (a whole number, 0 or more)."]})
    return since


def subscription_parse(*, user_id: int, channel: Any, params: Any) -> Subscription:
    """The group a ``{channel, params}`` pair names. Checks the shape only (no database).

    Raises InvalidMessage for an unknown channel, unknown or missing params, or bad ids.
    """
    if not isinstance(channel, str) or channel not in CHANNEL_SCOPES:
        raise InvalidMessage(details={"channel": [f"Must be one of: {', '.join(CHANNEL_SCOPES)}."]})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidMessage(details={"params": ["Must be an object."]})
    allowed = {"scope", "organization_id", "application_id", "since"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidMessage(details={f"params.{key}": ["Unknown field."] for key in unknown})
    parse_since(params)

    if channel == "application_status" and "application_id" in params:
        if set(params) - {"application_id", "since"}:
            raise InvalidMessage(details={"params": ["Give either application_id or scope, not both."]})
        application_id = _positive_id(params["application_id"], "application_id")
        return Subscription(
            channel=channel,
            group=channel_group(channel, group_for_application(application_id)),
            application_id=application_id,
        )
    if "application_id" in params:
        raise InvalidMessage(details={"params.application_id": ["Unknown field."]})

    choices = SCOPES_BY_CHANNEL[channel]
    scope = params.get("scope", "mine" if channel == "notifications" else None)
    if scope not in choices:
        raise InvalidMessage(details={"params.scope": [f"Must be one of: {', '.join(choices)}."]})
    if scope == "organization":
        organization_id = _positive_id(params.get("organization_id"), "organization_id")
        return Subscription(
            channel=channel,
            group=channel_group(channel, group_for_organization(organization_id)),
            organization_id=organization_id,
        )
    if "organization_id" in params:
        raise InvalidMessage(details={"params.organization_id": ["Only with scope organization."]})
    if scope == "board":
        return Subscription(channel=channel, group=channel_group(channel, JOB_BOARD))
    return Subscription(channel=channel, group=channel_group(channel, group_for_user(user_id)))


def subscription_authorize(*, actor: Actor, scopes: tuple[str, ...], subscription: Subscription) -> None:
    """Apply the access rules to a parsed subscription; return quietly when it is allowed.

    Raises SubscriptionForbidden (FORBIDDEN) when the token lacks the channel's scope or a
    non-recruiter asks for an organization channel, OrganizationNotFound or
    ApplicationNotFound (NOT_FOUND) for rows the actor may not see.
    """
    _require_scope(scopes, subscription)
    if subscription.organization_id is not None:
        _organization_authorize(actor, subscription.organization_id)
    if subscription.application_id is not None:
        audience_authorize(APPLICATION, actor=actor, object_id=subscription.application_id)


def subscriptions_authorize(
    *, actor: Actor, scopes: tuple[str, ...], subscriptions: list[Subscription]
) -> list[DomainError | None]:
    """:func:`subscription_authorize` of each subscription (None: allowed), in a few queries.

    A batch of subscribes (``hotgigs/realtime/consumers.py``) costs one query per kind of
    row, not one per subscription: the applications through the batch authorizer their app
    registered, each organization once.
    """
    answers: list[DomainError | None] = [None] * len(subscriptions)
    organizations: dict[int, DomainError | None] = {}
    applications: set[int] = set()
    for n, subscription in enumerate(subscriptions):
        try:
            _require_scope(scopes, subscription)
        except DomainError as error:
            answers[n] = error
            continue
        organization_id = subscription.organization_id
        if organization_id is not None:
            if organization_id not in organizations:
                try:
                    _organization_authorize(actor, organization_id)
                    organizations[organization_id] = None
                except DomainError as error:
                    organizations[organization_id] = error
            answers[n] = organizations[organization_id]
        if subscription.application_id is not None:
            applications.add(subscription.application_id)
    if applications:
        refused = _audience_refusals(APPLICATION, actor=actor, object_ids=sorted(applications))
        for n, subscription in enumerate(subscriptions):
            if subscription.application_id is not None and answers[n] is None:
                answers[n] = refused.get(subscription.application_id)
    return answers


def _require_scope(scopes: tuple[str, ...], subscription: Subscription) -> None:
    required = CHANNEL_SCOPES[subscription.channel]
    if required not in scopes:
        raise SubscriptionForbidden(
            "The token does not carry the scope this channel needs.", details={"required_scope": required}
        )


def _organization_authorize(actor: Actor, organization_id: int) -> None:
    if not policies.may_recruit(actor):
        raise SubscriptionForbidden("Organization channels are for the organization's recruiters.")
    organization_get(actor=actor, organization_id=organization_id)


def _audience_refusals(kind: str, *, actor: Actor, object_ids: list[int]) -> dict[int, DomainError]:
    """The refused rows of ``kind`` among ``object_ids``: the batch authorizer, else one by one."""
    batch = _BATCH_AUDIENCES.get(kind)
    if batch is not None:
        return batch(actor, object_ids)
    refused: dict[int, DomainError] = {}
    for object_id in object_ids:
        try:
            audience_authorize(kind, actor=actor, object_id=object_id)
        except DomainError as error:
            refused[object_id] = error
    return refused
