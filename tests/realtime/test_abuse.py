"""Abusive and unlucky clients against one real uvicorn process on the Redis Pub/Sub layer.

Each test starts ``python -m hotgigs.serve`` on the test database and Redis, with a channel-layer
prefix of its own, and drives it with real WebSocket clients (``websockets``). Events are
published straight into the server's channel-layer groups from the test, as the publisher
does after a commit. What is left behind is read from Redis itself (``PUBSUB CHANNELS`` under
the prefix): a socket that is gone must leave no subscription there.
"""

import asyncio
import base64
import contextlib
import json
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import connection
from redis import asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from hotgigs.realtime.consumers import CLOSE_UNAUTHORIZED, MAX_MESSAGE_CHARS
from hotgigs.realtime.events import JOB_BOARD, channel_group
from hotgigs.serve import WS_MAX_MESSAGE_BYTES
from tests import servers
from tests.conftest import require_service
from tests.factories import CandidateFactory, MembershipFactory
from tests.realtime.conftest import token_for
from tests.servers import process_env, uvicorn_servers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

ORIGIN = "http://localhost"
BOARD = channel_group("job_updates", JOB_BOARD)
# Bounds on waiting for a real process, not timing assertions.
ANSWER_SECONDS = 10
SETTLE_SECONDS = 15

T = TypeVar("T")


@dataclass
class Server:
    base: str
    redis_url: str
    prefix: str
    log: Path

    def errors(self) -> list[str]:
        """The server's log records at level ERROR (its log is one JSON object a line)."""
        records = [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]
        return [f"{r['message']} {r.get('exc_info', '')[-300:]}" for r in records if r.get("level") == "ERROR"]

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://") + "/ws/"


def server_env(redis_url: str, prefix: str, **overrides: str) -> dict[str, str]:
    return process_env(
        redis_url,
        CHANNEL_LAYER_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
        REALTIME_HEARTBEAT_SECONDS="0",
        CELERY_TASK_ALWAYS_EAGER="true",
        **overrides,
    )


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def server_factory(redis_url: str, postgres: None, transactional_db: None, tmp_path: Path) -> Callable[..., Any]:
    """``start(**env)``: a context manager running one server with these extra settings."""

    @contextlib.contextmanager
    def start(**overrides: str) -> Iterator[Server]:
        prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"
        log = tmp_path / f"{prefix}.log"
        with uvicorn_servers(server_env(redis_url, prefix, **overrides), count=1, output=log) as (base,):
            yield Server(base=base, redis_url=redis_url, prefix=prefix, log=log)

    return start


@pytest.fixture
def server(server_factory: Callable[..., Any]) -> Iterator[Server]:
    with server_factory() as running:
        yield running


@pytest.fixture
def candidate_token() -> str:
    return token_for(CandidateFactory().user)


async def open_socket(server: Server, token: str) -> ClientConnection:
    return await connect(f"{server.ws}?token={token}", origin=ORIGIN, max_queue=None)  # type: ignore[arg-type]


async def request(client: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await client.send(json.dumps(message))
    return json.loads(await asyncio.wait_for(client.recv(), ANSWER_SECONDS))


async def subscribe_board(client: ClientConnection, **params: Any) -> dict[str, Any]:
    return await request(
        client, {"action": "subscribe", "channel": "job_updates", "params": {"scope": "board", **params}}
    )


def board_event(event_id: int, size: int = 200) -> dict[str, Any]:
    event = {
        "id": event_id,
        "channel": "job_updates",
        "type": "job.updated",
        "data": {"id": 1, "title": "x" * size},
        "ts": "2026-01-01T00:00:00+00:00",
    }
    return {"type": "event.push", "event": event, "text": json.dumps(event), "groups": [BOARD], "prev": {}}


async def publish(
    server: Server, first: int, count: int, *, pause_every: int = 50, pause: float = 0, size: int = 200
) -> None:
    """Send ``count`` board events (ids ``first``…) into the server's group, as the publisher
    does; every ``pause_every`` events, wait ``pause`` seconds (a paced stream)."""
    layer = RedisPubSubChannelLayer(hosts=[server.redis_url], prefix=server.prefix)
    try:
        for event_id in range(first, first + count):
            await layer.group_send(BOARD, board_event(event_id, size))
            if event_id % pause_every == 0:
                await asyncio.sleep(pause)
    finally:
        await layer.flush()


async def layer_channels(server: Server) -> list[str]:
    """The server's channel-layer subscriptions still in Redis (``PUBSUB CHANNELS prefix*``)."""
    client = aioredis.from_url(server.redis_url)
    try:
        return sorted(name.decode() for name in await client.pubsub_channels(f"{server.prefix}*"))
    finally:
        await client.aclose()


async def settle(read: Callable[[], Awaitable[T]], done: Callable[[T], bool], seconds: float = SETTLE_SECONDS) -> T:
    """Read until ``done(value)`` or the time runs out; return the last value (a bound on waiting)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = await read()
        if done(value) or loop.time() >= deadline:
            return value
        await asyncio.sleep(0.2)


# Dead consumers ---------------------------------------------------------------------------


def test_sockets_dropped_while_events_flow_leave_nothing_subscribed(server: Server, candidate_token: str) -> None:
    """A send that fails because the client is gone runs the disconnect path: no group and no
    channel of the dead socket stays subscribed in Redis (and no queue keeps growing)."""

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        clients = [await open_socket(server, candidate_token) for _ in range(40)]
        for client in clients:
            assert (await subscribe_board(client))["type"] == "ack"
        subscribed = await layer_channels(server)
        flood = asyncio.create_task(publish(server, 1, 3000))
        # Let events flow to every socket, then drop each connection without a close handshake.
        await asyncio.wait_for(clients[-1].recv(), ANSWER_SECONDS)
        for client in clients:
            client.transport.abort()
        await flood
        left = await settle(lambda: layer_channels(server), lambda names: not names)
        # The server still works: a new socket subscribes, hears an event, and leaves cleanly.
        probe = await open_socket(server, candidate_token)
        assert (await subscribe_board(probe))["type"] == "ack"
        await publish(server, 10_000, 1)
        heard = json.loads(await asyncio.wait_for(probe.recv(), ANSWER_SECONDS))
        assert heard["id"] == 10_000
        await probe.close()
        after_probe = await settle(lambda: layer_channels(server), lambda names: not names)
        return subscribed, left, after_probe

    subscribed, left, after_probe = asyncio.run(scenario())

    assert any("__group__" in name for name in subscribed)
    assert left == []
    assert after_probe == []


def test_sockets_dropped_while_events_flow_end_without_an_error(server: Server, candidate_token: str) -> None:
    """A socket whose client is gone ends quietly, however the server reports the loss: a send
    after the server saw the connection close (uvicorn answers it with RuntimeError, not an
    OSError) ends the consumer like a failed send. Such an error logged its traceback once
    per dropped socket, and formatting it filled the process' source-line cache during churn."""

    async def scenario() -> list[str]:
        flood = asyncio.create_task(publish(server, 1, 10**6, pause_every=5, pause=0.005))
        for _ in range(4):
            clients = [await open_socket(server, candidate_token) for _ in range(40)]
            for client in clients:
                assert (await subscribe_board(client))["type"] == "ack"
            for client in clients:
                await asyncio.wait_for(client.recv(), ANSWER_SECONDS)
                client.transport.abort()
        flood.cancel()
        return await settle(lambda: layer_channels(server), lambda names: not names)

    left = asyncio.run(scenario())

    assert left == []
    assert server.errors() == []


def test_a_message_larger_than_the_consumer_accepts_closes_the_socket_1009(
    server: Server, candidate_token: str
) -> None:
    """The server reads no WebSocket message larger than the consumer could accept: a 1 MiB one
    (uvicorn alone takes 16 MiB, held whole per socket) ends the socket with 1009."""
    assert WS_MAX_MESSAGE_BYTES >= 4 * MAX_MESSAGE_CHARS  # every message the consumer accepts fits

    async def scenario() -> tuple[int | None, dict[str, Any]]:
        client = await open_socket(server, candidate_token)
        await client.send(json.dumps({"action": "ping", "channel": "x" * 2**20}))
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:  # until the server closes it, or stays quiet (then close_code is None)
                await asyncio.wait_for(client.recv(), ANSWER_SECONDS)
        # The server still serves others.
        other = await open_socket(server, candidate_token)
        answer = await request(other, {"action": "ping"})
        await other.close()
        return client.close_code, answer

    code, answer = asyncio.run(scenario())

    assert code == 1009
    assert answer["type"] == "pong"


# Slow readers ---------------------------------------------------------------------------


class SlowReader:
    """A WebSocket client on a bare socket that subscribes and then never reads: a phone on a
    dead network. Its receive buffer is small, so the server's sends back up at once."""

    def __init__(self, server: Server, token: str) -> None:
        self.raw = socket.socket()
        self.raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        host, port = server.base.removeprefix("http://").split(":")
        self.raw.settimeout(ANSWER_SECONDS)
        self.raw.connect((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        self.raw.sendall(
            f"GET /ws/?token={token} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {ORIGIN}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.raw.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def send_text(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        assert len(payload) < 126
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.raw.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    def drain(self, seconds: float = 45) -> tuple[int, bytes, bool]:
        """Read what is left: the bytes received, the last of them (a close frame names its
        code there), and whether the server ended the connection. ``seconds`` bounds the wait
        for the server to give up on a client that never answers its close frame."""
        self.raw.settimeout(seconds)
        received, tail = 0, b""
        try:
            while chunk := self.raw.recv(65536):
                received += len(chunk)
                tail = (tail + chunk)[-256:]
        except TimeoutError:
            return received, tail, False
        except ConnectionResetError:
            pass
        finally:
            self.raw.close()
        return received, tail, True


def test_slow_readers_are_closed_after_a_bounded_backlog_and_normal_sockets_lose_nothing(
    server_factory: Callable[..., Any], candidate_token: str
) -> None:
    events = 1000

    async def scenario(server: Server) -> tuple[list[tuple[int, bytes, bool]], list[int], list[str]]:
        slow = [SlowReader(server, candidate_token) for _ in range(3)]
        for reader in slow:
            reader.send_text(
                json.dumps({"action": "subscribe", "channel": "job_updates", "params": {"scope": "board"}})
            )
        normal = await open_socket(server, candidate_token)
        assert (await subscribe_board(normal))["type"] == "ack"
        await settle(lambda: layer_channels(server), lambda names: len(names) == 5)
        received: list[int] = []

        async def read_normal() -> None:
            while len(received) < events:
                received.append(json.loads(await asyncio.wait_for(normal.recv(), SETTLE_SECONDS))["id"])

        normal_reading = asyncio.create_task(read_normal())
        # 16 MB in about a second: more than the kernel buffers of a slow socket hold.
        await publish(server, 1, events, pause_every=10, pause=0.01, size=16_000)
        await normal_reading
        # Only the normal socket is left in its group once the slow ones were closed.
        left = await settle(lambda: layer_channels(server), lambda names: len(names) <= 2)
        outcomes = await asyncio.gather(*(asyncio.to_thread(client.drain) for client in slow))
        await normal.close()
        return outcomes, received, left

    with server_factory(
        REALTIME_SEND_TIMEOUT_SECONDS="2", REALTIME_SOCKET_BACKLOG="200", REALTIME_CLOSE_TIMEOUT_SECONDS="1"
    ) as server:
        outcomes, received, left = asyncio.run(scenario(server))

    assert received == list(range(1, events + 1))
    for received_bytes, _tail, closed in outcomes:
        # Ended by the server. Its close frame (code 4008) waits behind what the client never
        # read, so once REALTIME_CLOSE_TIMEOUT_SECONDS pass the connection is aborted and this
        # client, reading only now, never sees it.
        assert closed
        assert received_bytes < events * 16_000 / 2
    assert len(left) == 2, left


def test_a_client_that_stops_reading_is_gone_soon_after_it_is_closed_4008(
    server_factory: Callable[..., Any], candidate_token: str
) -> None:
    """The close handshake of a slow reader is bounded: REALTIME_SEND_TIMEOUT_SECONDS to decide,
    REALTIME_CLOSE_TIMEOUT_SECONDS to give the client its close frame, then the connection is
    aborted. (uvicorn alone waited on the client for about 40 s.)"""

    async def scenario(server: Server) -> tuple[int, bytes, bool]:
        reader = SlowReader(server, candidate_token)
        reader.send_text(json.dumps({"action": "subscribe", "channel": "job_updates", "params": {"scope": "board"}}))
        await settle(lambda: layer_channels(server), lambda names: len(names) == 2)
        # 16 MB: more than the kernel buffers of a slow socket hold, so a send waits.
        await publish(server, 1, 1000, pause_every=10, pause=0.01, size=16_000)
        # The client keeps not reading while the server decides (a send waits 2 s) and
        # closes (1 s): then what it finds is a connection the server already ended, with
        # only what the kernel buffers held. (uvicorn alone kept it open for about 40 s.)
        await asyncio.sleep(5)
        return await asyncio.to_thread(reader.drain, 2)

    with server_factory(
        REALTIME_SEND_TIMEOUT_SECONDS="2", REALTIME_SOCKET_BACKLOG="10000", REALTIME_CLOSE_TIMEOUT_SECONDS="1"
    ) as server:
        received_bytes, _, closed = asyncio.run(scenario(server))

    assert closed
    assert received_bytes < 1000 * 16_000 / 2


# Database work ----------------------------------------------------------------------------


@contextlib.contextmanager
def organizations_locked() -> Iterator[None]:
    """Hold an exclusive lock on the organization table from another connection: a socket
    whose subscription reads it waits, as one stuck on a slow query would."""
    import psycopg

    from hotgigs.accounts.models import Organization

    with psycopg.connect(servers.test_database_url()) as locker:
        locker.execute(f'LOCK TABLE "{Organization._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
        yield
        locker.rollback()


def test_a_socket_stuck_in_the_database_does_not_hold_up_another_users_socket(
    server_factory: Callable[..., Any], org: Any
) -> None:
    recruiter_token = token_for(MembershipFactory(organization=org).user)
    other_token = token_for(CandidateFactory().user)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        server: Server = running
        stuck = await open_socket(server, recruiter_token)
        other = await open_socket(server, other_token)
        for client in (stuck, other):  # authenticated (a pong comes only after that)
            assert (await request(client, {"action": "ping"}))["type"] == "pong"
        with organizations_locked():
            await stuck.send(
                json.dumps(
                    {
                        "action": "subscribe",
                        "channel": "job_updates",
                        "params": {"scope": "organization", "organization_id": org.pk},
                    }
                )
            )
            # While the recruiter's subscription waits on the database, the other user's
            # socket is answered: its ping and its own subscription.
            pong = await request(other, {"action": "ping"})
            ack = await request(other, {"action": "subscribe", "channel": "notifications", "params": {}})
        stuck_ack = json.loads(await asyncio.wait_for(stuck.recv(), ANSWER_SECONDS))
        await stuck.close()
        await other.close()
        return pong, ack, stuck_ack

    # No lock or statement timeout: the stuck subscription waits for as long as the lock is held.
    with server_factory(DATABASE_LOCK_TIMEOUT="0", DATABASE_STATEMENT_TIMEOUT="0") as running:
        pong, ack, stuck_ack = asyncio.run(scenario())

    assert pong["type"] == "pong"
    assert ack["type"] == "ack"
    assert stuck_ack["type"] == "ack"


def test_a_subscribe_that_times_out_on_a_lock_is_answered_and_the_socket_stays_open(
    server_factory: Callable[..., Any], org: Any
) -> None:
    recruiter_token = token_for(MembershipFactory(organization=org).user)
    subscribe = {
        "action": "subscribe",
        "channel": "job_updates",
        "params": {"scope": "organization", "organization_id": org.pk},
    }

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        server: Server = running
        client = await open_socket(server, recruiter_token)
        assert (await request(client, {"action": "ping"}))["type"] == "pong"
        # Another connection holds the lock past the server's lock timeout (2 s, as deployed).
        with organizations_locked():
            refused = await request(client, subscribe)
            pong = await request(client, {"action": "ping"})
        ack = await request(client, subscribe)
        await client.close()
        return refused, pong, ack

    with server_factory() as running:
        refused, pong, ack = asyncio.run(scenario())

    assert refused["type"] == "error"
    assert refused["code"] == "SERVICE_UNAVAILABLE"
    assert refused["details"]["retry_after"] >= 1
    assert refused["channel"] == "job_updates"
    assert refused["params"] == subscribe["params"]
    assert pong["type"] == "pong"
    assert ack["type"] == "ack"


# Replay and subscribe limits --------------------------------------------------------------


async def frames_until_quiet(client: ClientConnection, seconds: float = 1.5) -> list[dict[str, Any]]:
    """Every frame the client gets until none comes for ``seconds`` (a bound on waiting)."""
    frames = []
    with contextlib.suppress(TimeoutError):
        while True:
            frames.append(json.loads(await asyncio.wait_for(client.recv(), seconds)))
    return frames


def test_replay_is_charged_to_a_budget_and_subscribes_are_rate_limited(
    server_factory: Callable[..., Any], candidate_token: str
) -> None:
    from hotgigs.realtime.events import Event, publish_many_on_commit

    publish_many_on_commit(
        [Event(channel="job_updates", type="test.replayed", data={"n": n}, groups=[JOB_BOARD]) for n in range(30)]
    )
    subscribe = {"action": "subscribe", "channel": "job_updates", "params": {"scope": "board", "since": 0}}

    async def scenario(server: Server) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        client = await open_socket(server, candidate_token)
        # The same subscription three times with since=0: one replay, not three.
        for _ in range(3):
            await client.send(json.dumps(subscribe))
        replayed = await frames_until_quiet(client)
        # Refused subscribes count too: a burst past the limit is answered RATE_LIMITED.
        refused_one = {
            "action": "subscribe",
            "channel": "job_updates",
            "params": {"scope": "organization", "organization_id": 1},
        }
        for _ in range(12):
            await client.send(json.dumps(refused_one))
        refused = await frames_until_quiet(client)
        await client.close()
        return replayed, refused

    with server_factory(REALTIME_MAX_SUBSCRIPTIONS="10", REALTIME_REPLAY_BUDGET="100") as server:
        replayed, refused = asyncio.run(scenario(server))

    events = [frame for frame in replayed if "id" in frame]
    assert [frame["type"] for frame in replayed].count("ack") == 3
    assert len(events) == 30
    codes = [frame.get("code") for frame in refused]
    assert "RATE_LIMITED" in codes


def test_replay_past_the_connections_budget_is_truncated(
    server_factory: Callable[..., Any], candidate_token: str
) -> None:
    from hotgigs.realtime.events import Event, publish_many_on_commit

    publish_many_on_commit(
        [Event(channel="job_updates", type="test.replayed", data={"n": n}, groups=[JOB_BOARD]) for n in range(30)]
    )

    async def scenario(server: Server) -> list[dict[str, Any]]:
        client = await open_socket(server, candidate_token)
        await client.send(
            json.dumps({"action": "subscribe", "channel": "job_updates", "params": {"scope": "board", "since": 0}})
        )
        frames = await frames_until_quiet(client)
        await client.close()
        return frames

    with server_factory(REALTIME_REPLAY_BUDGET="20") as server:
        frames = asyncio.run(scenario(server))

    assert len([frame for frame in frames if "id" in frame]) == 20, json.dumps(frames)[:600]
    assert frames[-1]["type"] == "replay_truncated"
    assert frames[-1]["reason"] == "budget"


# Revoked tokens -----------------------------------------------------------------------------


def test_a_revoked_token_can_no_longer_subscribe(server: Server, candidate_token: str) -> None:
    import urllib.request

    async def scenario() -> tuple[int, dict[str, Any], int | None]:
        client = await open_socket(server, candidate_token)
        assert (await subscribe_board(client))["type"] == "ack"
        revoke = urllib.request.Request(  # noqa: S310 (loopback only)
            f"{server.base}/api/v1/auth/revoke",
            data=b"{}",
            method="POST",
            headers={"Authorization": f"Bearer {candidate_token}", "Content-Type": "application/json"},
        )
        with await asyncio.to_thread(urllib.request.urlopen, revoke, timeout=ANSWER_SECONDS) as response:
            status = response.status
        # The heartbeat is off: only the subscribe itself can notice.
        answer = await request(client, {"action": "subscribe", "channel": "notifications", "params": {}})
        with contextlib.suppress(ConnectionClosed):
            await asyncio.wait_for(client.recv(), ANSWER_SECONDS)
        return status, answer, client.close_code

    status, answer, close_code = asyncio.run(scenario())

    assert status == 204
    assert answer["type"] == "error"
    assert answer["code"] == "UNAUTHORIZED"
    assert close_code == CLOSE_UNAUTHORIZED


# Handshake timeout ---------------------------------------------------------------------------


def _closed_by_server(connection: socket.socket, seconds: float) -> bool:
    """Whether the server ends ``connection`` within ``seconds`` (a bound on waiting)."""
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    finally:
        connection.close()
    return True


def test_connections_that_never_complete_the_upgrade_are_closed(server_factory: Callable[..., Any]) -> None:
    with server_factory(HTTP_HEADER_TIMEOUT_SECONDS="1") as server:
        host, port = server.base.removeprefix("http://").split(":")
        bare = [socket.create_connection((host, int(port))) for _ in range(5)]
        half = [socket.create_connection((host, int(port))) for _ in range(5)]
        for connection in half:
            connection.sendall(f"GET /ws/ HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n".encode())
        with ThreadPoolExecutor(max_workers=10) as pool:
            closed = list(pool.map(lambda connection: _closed_by_server(connection, 10), [*bare, *half]))

    assert all(closed), closed


# Deployments sharing a Redis -----------------------------------------------------------------


def test_two_deployments_sharing_a_redis_with_default_prefixes_do_not_hear_each_other(
    postgres: None, transactional_db: None, org: Any
) -> None:
    from tests.factories import ApplicationFactory, JobFactory
    from tests.realtime.test_scale_out import _request

    recruiter = MembershipFactory(organization=org).user
    applicant = CandidateFactory()
    application: Any = ApplicationFactory(job=JobFactory(organization=org, created_by=recruiter), candidate=applicant)
    recruiter_token, applicant_token = token_for(recruiter), token_for(applicant.user)

    def deployment_env(redis_url: str) -> dict[str, str]:
        env = server_env(redis_url, "unused")
        del env["CHANNEL_LAYER_PREFIX"]  # each deployment on its default
        return env

    async def scenario(mine: str, theirs: str) -> tuple[int, int, dict[str, Any], bool]:
        listener = await connect(
            f"{mine.replace('http://', 'ws://')}/ws/?token={applicant_token}",
            origin=ORIGIN,  # type: ignore[arg-type]
        )
        ack = await request(
            listener, {"action": "subscribe", "channel": "application_status", "params": {"scope": "mine"}}
        )
        assert ack["type"] == "ack"
        move = f"/api/v1/applications/{application.pk}/move"
        # A change in the other deployment (another Redis database) must not reach this socket...
        theirs_status, _ = await asyncio.to_thread(
            _request, "POST", theirs + move, recruiter_token, {"stage": "screening"}
        )
        try:
            await asyncio.wait_for(listener.recv(), 2)
            heard_theirs = True
        except TimeoutError:
            heard_theirs = False
        # ...while a change in its own deployment does.
        mine_status, _ = await asyncio.to_thread(_request, "POST", mine + move, recruiter_token, {"stage": "interview"})
        # (Both deployments here share one database, so this socket's gap repair also reads the
        # other's event from the outbox, before its own.)
        event = json.loads(await asyncio.wait_for(listener.recv(), ANSWER_SECONDS))
        while event["data"]["stage"] != "interview":
            event = json.loads(await asyncio.wait_for(listener.recv(), ANSWER_SECONDS))
        await listener.close()
        return theirs_status, mine_status, event, heard_theirs

    with servers.redis_server() as redis:
        base = redis.url.rsplit("/", 1)[0]
        with (
            uvicorn_servers(deployment_env(f"{base}/1"), count=1) as (mine,),
            uvicorn_servers(deployment_env(f"{base}/2"), count=1) as (theirs,),
        ):
            theirs_status, mine_status, event, heard_theirs = asyncio.run(scenario(mine, theirs))

    assert theirs_status == mine_status == 200
    assert not heard_theirs
    assert event["data"]["stage"] == "interview"


# Deeply nested messages ----------------------------------------------------------------------


def test_deeply_nested_messages_are_answered_with_an_error_frame(server: Server, candidate_token: str) -> None:
    deep = "[" * 4000 + "]" * 4000
    deep_in_params = (
        '{"action": "subscribe", "channel": "notifications", "params": {"a": ' + "[" * 990 + "]" * 990 + "}}"
    )

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        client = await open_socket(server, candidate_token)
        answers = []
        for text in (deep, deep_in_params):
            await client.send(text)
            answers.append(json.loads(await asyncio.wait_for(client.recv(), ANSWER_SECONDS)))
        # The socket stays open and usable.
        pong = await request(client, {"action": "ping"})
        await client.close()
        return answers[0], answers[1], pong

    first, second, pong = asyncio.run(scenario())

    for answer in (first, second):
        assert answer["type"] == "error"
        assert answer["code"] == "VALIDATION_ERROR"
        assert "max_depth" in answer["details"]
    assert pong["type"] == "pong"
