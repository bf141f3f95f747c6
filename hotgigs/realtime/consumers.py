"""The one WebSocket endpoint, ``/ws/``: authenticated subscriptions to domain events.

Protocol (JSON text frames; see README "Realtime"):

* client → server: ``{action: "subscribe" | "unsubscribe" | "ping", channel, params}``;
  ``params.since`` on a subscribe replays the events after that id first.
* server → client: events ``{id, channel, type, data, ts, subscriptions}`` (``subscriptions``:
  the keys of this socket's subscriptions the event belongs to); ``{type: "ack", action, channel,
  params, subscription}``; ``{type: "pong", ts}``; ``{type: "heartbeat", ts}``;
  ``{type: "replay_truncated", channel, params, subscription, reason, last_id}``; and
  ``{type: "error", code, message, details}`` with the API's error codes (plus ``action``,
  ``channel``, ``params`` when the error answers a message); a subscribe the database could not
  answer in time gets ``SERVICE_UNAVAILABLE`` with ``details.retry_after`` and the socket stays open.
* close code 4401: no token, an invalid, expired or revoked one, or a token that expires or
  is revoked while connected (a revoked one noticed at its next subscribe or heartbeat).
* close code 4008: too slow: a send waited longer than REALTIME_SEND_TIMEOUT_SECONDS, or more
  than REALTIME_SOCKET_BACKLOG messages waited for the socket (hotgigs/realtime/layers.py).

Limits per connection: REALTIME_MAX_SUBSCRIPTIONS subscriptions; subscribes that reach the
database (accepted, refused or repeated) from a token bucket (REALTIME_SUBSCRIBES_PER_SECOND);
replays together at most REALTIME_REPLAY_BUDGET events; a repeated subscribe only acks. However
the consumer ends, it leaves its groups and gives its channel back (``__call__``).

What is checked when. At connect: the token (``hotgigs/realtime/auth.py``). At subscribe:
the channel's scope and the access rules (``hotgigs/realtime/subscriptions.py``). Before
each delivery: the token's expiry (a clock compare), and for ``feedback.*`` events the
``feedback:read`` scope. On every heartbeat: the token family and the user are still active,
and every subscription is authorized again (a recruiter removed from an organization stops
receiving it, with an error naming the subscription). Who receives an event at all is
decided when it is published: a group only ever carries events its audience may see (the job
board only open jobs and their closing; feedback only the organization's group).

Order, gaps and duplicates. Subscribes are answered in order, in batches (``_serve_requests``);
while a batch (and its replays) runs, the socket's live events wait for it. A subscription remembers
the last id it delivered: live events at or below it are dropped, and an event whose ``prev``
(the group's previous id) is newer than that mark means one was pushed late or lost, so the
missing ones are read from the outbox and sent first. Ids within a group follow commit order
(``hotgigs/realtime/events.py``), so events reach a client in id order per subscription and
the last id received on a subscription is an exact point to resume it from. Across
subscriptions ids may interleave out of order (two groups commit independently), which is why
an event names its ``subscriptions`` and ``since`` is per subscription. A socket following two
subscriptions that both carry an event receives it once (recent ids are remembered per
connection).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import connection
from django.utils import timezone

from hotgigs import database, tenancy
from hotgigs.accounts.scopes import FEEDBACK_READ
from hotgigs.accounts.selectors import database_identity
from hotgigs.api.errors import database_unavailable
from hotgigs.api.parsers import JSONTooDeep
from hotgigs.api.parsers import loads as json_loads
from hotgigs.errors import DomainError
from hotgigs.realtime.auth import SocketIdentity, authenticate_socket, identity_is_current, token_from_scope
from hotgigs.realtime.errors import InvalidMessage, RealtimeUnavailable, SubscribesRateLimited
from hotgigs.realtime.selectors import Replay, outbox_events, outbox_group_heads, outbox_replay
from hotgigs.realtime.subscriptions import Subscription, parse_since, subscription_parse, subscriptions_authorize

logger = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_SLOW = 4008
ACTIONS = ("subscribe", "unsubscribe", "ping")
MAX_MESSAGE_CHARS = 8192
RECENT_IDS = 2048
# What the server raises for a send to a connection that is gone. The ASGI spec asks for an
# OSError (uvicorn's ClientDisconnected, when the connection drops during the send); uvicorn's
# websockets protocol raises RuntimeError ("Unexpected ASGI message ... after sending
# 'websocket.close'") once it has seen the connection close before the send began: a client
# that drops while events arrive gets either, about one in ten. Left to escape, the
# RuntimeError ended the consumer as a server error, its traceback logged per dropped socket.
_CLIENT_GONE = (OSError, RuntimeError)


@dataclass
class _Following:
    """A live subscription of this socket: what it follows and the last id it delivered."""

    subscription: Subscription
    channel: str
    params: dict[str, Any]
    last_id: int = 0


_DATABASE_THREADS = ThreadPoolExecutor(
    max_workers=settings.REALTIME_DATABASE_THREADS, thread_name_prefix="realtime-database"
)


def _in_database(function: Callable[..., T]) -> Callable[..., Coroutine[Any, Any, T]]:
    """``function`` run on the sockets' own database threads (REALTIME_DATABASE_THREADS).

    Channels' default runs every socket's database work on one thread per process, one call
    after another: a socket waiting on a slow query held up every other socket's subscribe
    and even their pings. Each call here may take any free thread of a bounded pool (the
    calls of one socket still run one after another: its consumer awaits each). With the
    connection pool on (the default), each call hands its connection back when it ends, so
    an idle thread holds none.
    """

    def call(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        finally:
            if "pool" in connection.settings_dict.get("OPTIONS", {}):
                connection.close()

    return database_sync_to_async(call, thread_sensitive=False, executor=_DATABASE_THREADS)  # type: ignore[no-any-return]


@dataclass
class _Request:
    """One subscribe of a batch: its message and, once checked, what it asks for."""

    content: dict[str, Any]
    subscription: Subscription | None = None
    since: int | None = None
    new: bool = False
    error: DomainError | None = None
    replay: Replay | None = None
    budget_spent: bool = False


def _authorize_batch(*, identity: SocketIdentity, requests: list[_Request], budget: int) -> int | None:
    """Decide a batch of subscribes in one trip to a database thread; the replay budget left.

    None when the token family was revoked or the user deactivated. Otherwise each request
    gets its ``error`` (the access rules' DomainError) or its ``replay``: for a new subscription
    without ``since`` the group's head only (all heads in one query), with ``since`` the events
    it missed, charged to ``budget``. A repeated subscription is authorized again, no more.
    """
    user = identity_is_current(identity)
    if user is None:
        return None
    with tenancy.acting_as(database_identity(user)):
        return _authorize_batch_as(user=user, identity=identity, requests=requests, budget=budget)


def _authorize_batch_as(*, user: Any, identity: SocketIdentity, requests: list[_Request], budget: int) -> int:
    answers = subscriptions_authorize(
        actor=user, scopes=identity.scopes, subscriptions=[r.subscription for r in requests if r.subscription]
    )
    for request, error in zip(requests, answers, strict=True):
        request.error = error
    allowed = [(r, r.subscription) for r in requests if r.error is None and r.new and r.subscription is not None]
    heads = outbox_group_heads(groups=[subscription.group for r, subscription in allowed if r.since is None])
    for request, subscription in allowed:
        if request.since is None:
            request.replay = Replay(head=heads[subscription.group])
            continue
        limit = min(settings.REALTIME_REPLAY_LIMIT, budget)
        request.replay = outbox_replay(group=subscription.group, since=request.since, limit=limit)
        budget -= len(request.replay.events)
        request.budget_spent = request.replay.truncated and limit < settings.REALTIME_REPLAY_LIMIT
    return budget


def _reauthorize(*, identity: SocketIdentity, subscriptions: list[Subscription]) -> list[DomainError | None] | None:
    """The heartbeat's check, in one trip: None when the login is gone, else each subscription's refusal."""
    user = identity_is_current(identity)
    if user is None:
        return None
    with tenancy.acting_as(database_identity(user)):
        return subscriptions_authorize(actor=user, scopes=identity.scopes, subscriptions=subscriptions)


def _missed_events(*, user: Any, group: str, after: int, before: int, limit: int) -> list[dict[str, Any]]:
    """Gap repair's read of the outbox, as the socket's user (row-level security)."""
    with tenancy.acting_as(database_identity(user)):
        return outbox_events(group=group, after=after, before=before, limit=limit)


def _now_iso() -> str:
    return timezone.now().isoformat()


def _with_subscriptions(text: str, keys: list[str]) -> str:
    """``json.dumps({**event, "subscriptions": keys})`` (what ``send_json`` sends), given ``text = json.dumps(event)``.

    The publisher encodes each event once (``hotgigs/realtime/events.py``); each socket only
    appends the keys of its own subscriptions, so a client receives the same bytes as before.
    """
    return f'{text[:-1]}, "subscriptions": {json.dumps(keys)}}}'


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/``: one socket, any number of subscriptions (up to ``REALTIME_MAX_SUBSCRIPTIONS``)."""

    identity: SocketIdentity | None = None
    released = False
    gone = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # However the consumer ends (the client's close, a send to a client already gone, an
        # error), its groups, its channel and its timers are given up: a channel left behind
        # stays subscribed in Redis and queues every later event of its groups.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await asyncio.shield(self._release())

    async def connect(self) -> None:
        self.identity = None
        self.following: dict[str, _Following] = {}
        self.recent: OrderedDict[int, None] = OrderedDict()
        self.tasks: list[asyncio.Task[None]] = []
        self.closed = False
        self.replay_budget = settings.REALTIME_REPLAY_BUDGET
        self.subscribe_tokens = float(settings.REALTIME_MAX_SUBSCRIPTIONS)
        self.subscribe_refilled = time.monotonic()
        # Subscribes and unsubscribes wait here for _serve_requests; ``busy`` is held while it
        # changes the subscriptions, and live events wait for it (see _serve_requests).
        self.requests: list[dict[str, Any]] = []
        self.requests_waiting = asyncio.Event()
        self.busy = asyncio.Lock()
        # Accept first: a close before accepting becomes an HTTP 403 and the client never sees 4401.
        await self.accept()
        identity = await _in_database(authenticate_socket)(token_from_scope(self.scope))
        if identity is None:
            await self._unauthorized("A valid access token is required.")
            return
        self.identity = identity
        self.tasks.append(asyncio.create_task(self._background(self._close_at_expiry())))
        self.tasks.append(asyncio.create_task(self._background(self._serve_requests())))
        if settings.REALTIME_HEARTBEAT_SECONDS > 0:
            self.tasks.append(asyncio.create_task(self._background(self._heartbeat())))
        logger.info("realtime.connected", extra={"user_id": identity.user.pk})

    async def disconnect(self, code: int) -> None:
        await self._release()
        if self.identity is not None:
            logger.info("realtime.disconnected", extra={"user_id": self.identity.user.pk, "code": code})

    async def _release(self) -> None:
        """Cancel the timers, leave every group and give the channel back; once, however we got here."""
        self.closed = True
        if self.released:
            return
        self.released = True
        current = asyncio.current_task()
        for task in getattr(self, "tasks", []):
            if task is not current:
                task.cancel()
        following = getattr(self, "following", {})
        for group in list(following):
            following.pop(group, None)
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("realtime.group_discard_failed", extra={"group": group}, exc_info=True)
        release = getattr(self.channel_layer, "release_channel", None)
        if release is not None and getattr(self, "channel_name", None):
            await release(self.channel_name)

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool | int = False
    ) -> None:  # type: ignore[override]
        if self.gone:
            raise StopConsumer()
        # A client that reads too slowly makes every send wait for room in its buffers; a send
        # that waits longer than REALTIME_SEND_TIMEOUT_SECONDS closes it (README "Realtime").
        # The send runs as a task of its own, cancelled on time: the consumer's task is not
        # always the one asyncio reports as current under the server, so asyncio.timeout()
        # would cancel the wrong one.
        sending = asyncio.ensure_future(super().send(text_data=text_data, bytes_data=bytes_data, close=close))
        try:
            done, _ = await asyncio.wait((sending,), timeout=settings.REALTIME_SEND_TIMEOUT_SECONDS)
        except asyncio.CancelledError:
            sending.cancel()
            raise
        if not done:
            sending.cancel()
            await self._too_slow("a send waited too long")
        try:
            sending.result()
        except _CLIENT_GONE:
            # The client is gone: nothing more can reach it. End the consumer; __call__
            # releases what it held.
            self.gone = True
            raise StopConsumer() from None

    async def _too_slow(self, why: str) -> None:
        """Close a socket that cannot keep up: its backlog is given up at once, its client
        resumes with ``since`` (the events are in the outbox)."""
        logger.info(
            "realtime.too_slow", extra={"why": why, "user_id": self.identity.user.pk if self.identity else None}
        )
        self.gone = True
        await self._release()
        # The close frame waits behind what the client has not read; the server gives it up
        # and drops the connection after its own close timeout.
        with contextlib.suppress(*_CLIENT_GONE):
            await super().close(code=CLOSE_TOO_SLOW, reason="too slow: reconnect with since")
        raise StopConsumer()

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if self.gone:
            return
        try:
            await super().close(code=code, reason=reason)
        except _CLIENT_GONE:
            self.gone = True

    # Client messages -------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.identity is None or self.closed:
            return
        if text_data is None:
            await self._error(InvalidMessage("Send JSON text frames."))
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self._error(InvalidMessage(f"A message may hold at most {MAX_MESSAGE_CHARS} characters."))
            return
        try:
            content = await self.decode_json(text_data)
        except JSONTooDeep as error:
            await self._error(error)
            return
        except ValueError:
            await self._error(InvalidMessage("The message is not JSON."))
            return
        await self.receive_json(content)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        # Nesting past API_MAX_JSON_DEPTH would exhaust the decoder's recursion and kill the socket.
        return json_loads(text_data)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self._expired():
            await self._unauthorized("The access token has expired.")
            return
        if not isinstance(content, dict):
            await self._error(InvalidMessage("A message is a JSON object."))
            return
        action = content.get("action")
        unknown = sorted(set(content) - {"action", "channel", "params"})
        if action not in ACTIONS or unknown:
            details: dict[str, list[str]] = {key: ["Unknown field."] for key in unknown}
            if action not in ACTIONS:
                details["action"] = [f"Must be one of: {', '.join(ACTIONS)}."]
            await self._error(InvalidMessage(details=details), content)
            return
        if action == "ping":
            await self.send_json({"type": "pong", "ts": _now_iso()})
            return
        self.requests.append(content)
        self.requests_waiting.set()

    async def _serve_requests(self) -> None:
        """Answer the socket's subscribes and unsubscribes, in order, many subscribes at a time.

        A client that subscribes to 50 topics sends 50 messages at once; answering them one by
        one cost a trip to a database thread and a few queries each, and a reconnect storm of
        such clients took minutes. Here every subscribe that arrived while the previous batch
        was being answered is answered together: one trip, the login and the access rules
        checked for all (one query per kind of row), all heads read in one query.

        While a batch runs, ``busy`` is held and this socket's live events wait for it (as they
        waited when the consumer handled one message at a time), so a subscription's mark (the
        last id it delivered) is set before any live event of its group is looked at. A ping
        is answered during a batch unless a live event of this socket waits ahead of it.
        """
        try:
            await self._serve_requests_forever()
        except (StopConsumer, asyncio.CancelledError):
            raise
        except Exception:
            # A fault here must not leave a socket whose subscribes go unanswered: close it as
            # the server closes a consumer that failed (1011); the client reconnects.
            logger.exception("realtime.requests_failed")
            await self.close(code=1011)

    async def _serve_requests_forever(self) -> None:
        while not self.closed:
            await self.requests_waiting.wait()
            self.requests_waiting.clear()
            batch, self.requests = self.requests, []
            async with self.busy:
                while batch and not self.closed:
                    if batch[0].get("action") == "unsubscribe":
                        content = batch.pop(0)
                        try:
                            await self._unsubscribe(content)
                        except DomainError as error:
                            await self._error(error, content)
                        continue
                    run = 0
                    while run < len(batch) and batch[run].get("action") == "subscribe":
                        run += 1
                    await self._subscribe_many(batch[:run])
                    del batch[:run]

    def _take_subscribe_token(self) -> None:
        """Every subscribe, accepted, refused or repeated, takes a token of the connection's
        bucket: REALTIME_MAX_SUBSCRIPTIONS at once, then REALTIME_SUBSCRIBES_PER_SECOND."""
        now = time.monotonic()
        burst = float(settings.REALTIME_MAX_SUBSCRIPTIONS)
        self.subscribe_tokens = min(
            burst, self.subscribe_tokens + (now - self.subscribe_refilled) * settings.REALTIME_SUBSCRIBES_PER_SECOND
        )
        self.subscribe_refilled = now
        if self.subscribe_tokens < 1:
            retry_after = (1 - self.subscribe_tokens) / max(settings.REALTIME_SUBSCRIBES_PER_SECOND, 1e-9)
            raise SubscribesRateLimited(details={"retry_after": round(retry_after, 3)})
        self.subscribe_tokens -= 1

    def _check(self, contents: list[dict[str, Any]]) -> list[_Request]:
        """Shape, cap and rate limit of each subscribe, in order (no database)."""
        identity = self._who()
        requests: list[_Request] = []
        joining: set[str] = set()
        for content in contents:
            request = _Request(content=content)
            requests.append(request)
            try:
                params = content.get("params") or {}
                subscription = subscription_parse(
                    user_id=identity.user.pk, channel=content.get("channel"), params=params
                )
                since = parse_since(params)
                new = subscription.key not in self.following and subscription.key not in joining
                if new and len(self.following) + len(joining) >= settings.REALTIME_MAX_SUBSCRIPTIONS:
                    raise InvalidMessage(
                        f"At most {settings.REALTIME_MAX_SUBSCRIPTIONS} subscriptions per connection.",
                        details={"subscriptions": [f"At most {settings.REALTIME_MAX_SUBSCRIPTIONS}."]},
                    )
                # What follows reads the database: it is paid for, refused or repeated alike.
                self._take_subscribe_token()
            except DomainError as error:
                request.error = error
                continue
            request.subscription, request.since, request.new = subscription, since, new
            if new:
                joining.add(subscription.key)
        return requests

    async def _subscribe_many(self, contents: list[dict[str, Any]]) -> None:
        """Answer a run of subscribes (see _serve_requests): acks, replays and errors in order."""
        identity = self._who()
        requests = self._check(contents)
        checked = [r for r in requests if r.error is None]
        joined = [r.subscription for r in checked if r.new and r.subscription is not None]
        # Join before reading the outbox: whatever commits from here on is either in the read
        # below or arrives in the queue, and the last-id mark drops the overlap.
        for subscription in joined:
            await self.channel_layer.group_add(subscription.group, self.channel_name)
        try:
            # A token revoked (or a user deactivated) since connecting subscribes to nothing
            # more: checked here, with the access rules, not only at the next heartbeat.
            budget = await _in_database(_authorize_batch)(
                identity=identity, requests=checked, budget=self.replay_budget
            )
        except Exception as exc:
            if not database.is_unavailable(exc):
                raise
            # A lock or the pool kept the database from answering in time: each subscribe is
            # answered SERVICE_UNAVAILABLE with retry_after, and the socket stays open.
            message, details = database_unavailable(exc, "/ws/")
            for request in checked:
                request.error = RealtimeUnavailable(message, details=details)
            budget = self.replay_budget
        if budget is None:
            for subscription in joined:
                await self.channel_layer.group_discard(subscription.group, self.channel_name)
            await self._unauthorized("The token has been revoked.")
            return
        self.replay_budget = budget
        for request in requests:
            if request.error is not None:
                if request.new and request.subscription is not None:
                    await self.channel_layer.group_discard(request.subscription.group, self.channel_name)
                await self._error(request.error, request.content)
                continue
            if request.subscription is not None:
                await self._answer(request, request.subscription)

    async def _answer(self, request: _Request, subscription: Subscription) -> None:
        """Ack an allowed subscribe, then send its replay (a repeated one only acks)."""
        params = request.content.get("params") or {}
        following = self.following.get(subscription.key)
        if following is None:
            replay = request.replay or Replay()
            following = _Following(subscription=subscription, channel=subscription.channel, params=params)
            self.following[subscription.key] = following
            following.last_id = replay.head if request.since is None else request.since
        else:
            # Already following it: live events and gap repair keep it complete; replaying
            # again would only re-read the outbox for what was sent already.
            replay = Replay(head=following.last_id)
        await self.send_json(
            {
                "type": "ack",
                "action": "subscribe",
                "channel": subscription.channel,
                "params": params,
                "subscription": subscription.key,
            }
        )
        for event in replay.events:
            await self._deliver(event, [following])
        if replay.truncated or replay.expired:
            await self.send_json(
                {
                    "type": "replay_truncated",
                    "channel": subscription.channel,
                    "params": params,
                    "subscription": subscription.key,
                    "reason": "budget" if request.budget_spent else "limit" if replay.truncated else "expired",
                    "last_id": replay.events[-1]["id"] if replay.events else request.since,
                }
            )
        if replay.truncated:
            # The client was told what it got; the subscription goes live from the group's head.
            following.last_id = max(following.last_id, replay.head)

    async def _unsubscribe(self, content: dict[str, Any]) -> None:
        identity = self._who()
        params = content.get("params") or {}
        subscription = subscription_parse(user_id=identity.user.pk, channel=content.get("channel"), params=params)
        if self.following.pop(subscription.key, None) is not None:
            await self.channel_layer.group_discard(subscription.group, self.channel_name)
        await self.send_json(
            {
                "type": "ack",
                "action": "unsubscribe",
                "channel": subscription.channel,
                "params": params,
                "subscription": subscription.key,
            }
        )

    # Events from the channel layer -----------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler: one hop to a
        # database thread per message, events and pings included. One event reaches every
        # socket of a process at once, and those hops queued one behind another took most of a
        # broadcast's time. Every handler here reaches the database only through _in_database,
        # which closes them itself, so no message pays that hop.
        if message.get("type") == "event.push":
            await self.event_push(message)
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def event_push(self, message: dict[str, Any]) -> None:
        """An event published to one of this socket's groups (``hotgigs/realtime/events.py``)."""
        if self.identity is None or self.closed:
            return
        if self.busy.locked():
            # A batch of subscribes is setting marks (_serve_requests): look at the event after it.
            async with self.busy:
                await self._event_push(message)
            return
        await self._event_push(message)

    async def _event_push(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        if self._expired():
            await self._unauthorized("The access token has expired.")
            return
        overflowed = getattr(self.channel_layer, "overflowed", None)
        if overflowed is not None and overflowed(self.channel_name):
            await self._too_slow("backlog full")
        event = message["event"]
        event_id = int(event["id"])
        previous: dict[str, int] = message.get("prev") or {}
        targets = [
            self.following[group]
            for group in message.get("groups", ())
            if group in self.following and event_id > self.following[group].last_id
        ]
        for following in targets:
            last = previous.get(following.subscription.group)
            if last is not None and last > following.last_id:
                await self._repair(following, event_id)
        if targets:
            await self._deliver(event, targets, text=message.get("text"))

    async def _repair(self, following: _Following, before: int) -> None:
        """Send the subscription's events that were pushed late or lost, read from the outbox."""
        missed = await _in_database(_missed_events)(
            user=self._who().user,
            group=following.subscription.group,
            after=following.last_id,
            before=before,
            limit=settings.REALTIME_REPLAY_LIMIT,
        )
        logger.info(
            "realtime.gap_repaired",
            extra={"group": following.subscription.group, "missed": len(missed), "before": before},
        )
        for event in missed:
            await self._deliver(event, [following])

    async def _deliver(self, event: dict[str, Any], targets: list[_Following], *, text: str | None = None) -> None:
        """Send ``event`` once, naming the ``targets`` it belongs to; ``text``: its JSON, if encoded already."""
        event_id = int(event["id"])
        for following in targets:
            following.last_id = max(following.last_id, event_id)
        if event_id in self.recent:
            return
        if str(event["type"]).startswith("feedback.") and FEEDBACK_READ not in self._who().scopes:
            return
        self.recent[event_id] = None
        if len(self.recent) > RECENT_IDS:
            self.recent.popitem(last=False)
        keys = [following.subscription.key for following in targets]
        if text is None:
            await self.send_json({**event, "subscriptions": keys})
        else:
            await self.send(text_data=_with_subscriptions(text, keys))

    # Token lifetime, heartbeat ---------------------------------------------------------------

    def _who(self) -> SocketIdentity:
        if self.identity is None:
            raise RuntimeError("The socket is not authenticated.")
        return self.identity

    async def _background(self, work: Any) -> None:
        """Run a timer's ``work``; a send to a client that is gone ends it quietly."""
        with contextlib.suppress(StopConsumer):
            await work

    def _expired(self) -> bool:
        return self.identity is not None and time.time() >= self.identity.expires_at

    async def _close_at_expiry(self) -> None:
        await asyncio.sleep(max(0.0, self._who().expires_at - time.time()))
        await self._unauthorized("The access token has expired.")

    async def _heartbeat(self) -> None:
        while not self.closed:
            await asyncio.sleep(settings.REALTIME_HEARTBEAT_SECONDS)
            identity = self._who()
            async with self.busy:
                following = list(self.following.items())
                answers = await _in_database(_reauthorize)(
                    identity=identity, subscriptions=[f.subscription for _, f in following]
                )
                if answers is None:
                    await self._unauthorized("The token has been revoked.")
                    return
                for (key, lost), error in zip(following, answers, strict=True):
                    if error is None:
                        continue
                    if self.following.pop(key, None) is not None:
                        await self.channel_layer.group_discard(lost.subscription.group, self.channel_name)
                    await self._error(
                        error,
                        {"action": "subscribe", "channel": lost.channel, "params": lost.params},
                        subscription=key,
                    )
            await self.send_json({"type": "heartbeat", "ts": _now_iso()})

    # Replies ---------------------------------------------------------------------------------

    async def _error(self, error: DomainError, content: Any = None, **extra: Any) -> None:
        reply: dict[str, Any] = {
            "type": "error",
            "code": error.code,
            "message": error.message,
            "details": error.details,
        }
        if isinstance(content, dict):
            for key in ("action", "channel", "params"):
                if key in content:
                    reply[key] = content[key]
        reply.update(extra)
        await self.send_json(reply)

    async def _unauthorized(self, message: str) -> None:
        if self.closed:
            return
        self.closed = True
        await self.send_json({"type": "error", "code": "UNAUTHORIZED", "message": message, "details": None})
        await self.close(code=CLOSE_UNAUTHORIZED)
