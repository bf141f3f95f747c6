"""Every Redis client has time limits, and a Redis that does not answer costs one timeout.

The silent server here is a listening socket that never answers: the kernel accepts the
connection, nothing ever replies (as with a Redis stopped by SIGSTOP). Counting the
connections it was offered shows whether a call reached it or failed at once.
"""

import asyncio
import socket
from collections.abc import Iterator

import pytest
import redis
import redis.asyncio
from celery import current_app
from django.core.cache import caches

from hotgigs import redis_clients
from hotgigs.redis_clients import GuardedAsyncConnection, GuardedConnection, client_options
from hotgigs.resilience.stores import RedisBreakerStore

TIMEOUT = 0.2


@pytest.fixture(autouse=True)
def _no_marks() -> Iterator[None]:
    redis_clients._down_until.clear()
    yield
    redis_clients._down_until.clear()


@pytest.fixture
def silent_redis(settings) -> Iterator[tuple[str, socket.socket]]:  # type: ignore[no-untyped-def]
    """A URL whose server accepts connections and never answers, and its listening socket."""
    settings.REDIS_SOCKET_CONNECT_TIMEOUT = TIMEOUT
    settings.REDIS_SOCKET_TIMEOUT = TIMEOUT
    settings.REDIS_FAIL_FAST_SECONDS = 60
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0", listener
    finally:
        listener.close()


def connections_offered(listener: socket.socket) -> int:
    """Connections the silent server was offered since the last call (accepted and dropped)."""
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_a_silent_redis_costs_one_timeout_then_every_call_fails_at_once(silent_redis):
    url, listener = silent_redis
    client = redis.Redis.from_url(url, **client_options(url))
    other_client = redis.Redis.from_url(url, **client_options(url))

    with pytest.raises(redis.TimeoutError):
        client.ping()
    first = connections_offered(listener)
    failures = []
    for caller in (client, other_client, client):
        with pytest.raises(redis.ConnectionError) as failure:
            caller.get("anything")
        failures.append(str(failure.value))

    assert first == 1
    assert connections_offered(listener) == 0
    assert all("failing fast" in message for message in failures)
    assert redis_clients.is_down(redis_clients.url_address(url))


def test_the_asyncio_client_shares_the_mark(silent_redis):
    url, listener = silent_redis
    redis.Redis.from_url(url, **client_options(url))

    async def calls() -> list[type[redis.RedisError]]:
        pool = redis.asyncio.ConnectionPool.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, connection_class=GuardedAsyncConnection
        )
        client = redis.asyncio.Redis(connection_pool=pool)
        raised = []
        for _ in range(3):
            try:
                await client.ping()
            except redis.RedisError as exc:
                raised.append(type(exc))
        await client.aclose(close_connection_pool=True)
        return raised

    raised = asyncio.run(calls())

    assert raised == [redis.TimeoutError, redis.ConnectionError, redis.ConnectionError]
    assert connections_offered(listener) == 1


def test_after_the_pause_one_call_tries_again(silent_redis, settings):
    url, listener = silent_redis
    settings.REDIS_FAIL_FAST_SECONDS = 0
    client = redis.Redis.from_url(url, **client_options(url))

    for _ in range(2):
        with pytest.raises(redis.TimeoutError):
            client.ping()

    assert connections_offered(listener) == 2


@pytest.mark.redis
def test_an_answer_clears_the_mark(redis_url, settings):
    address = redis_clients.url_address(redis_url)
    client = redis.Redis.from_url(redis_url, **client_options(redis_url))
    redis_clients.mark_down(address)

    with pytest.raises(redis.ConnectionError):
        client.ping()
    with redis_clients.probe():
        assert client.ping()

    assert not redis_clients.is_down(address)
    assert client.ping()


@pytest.mark.redis
def test_every_client_of_the_project_has_the_timeouts(redis_url, settings):
    cache_pool = caches["default"].client.get_client(write=True).connection_pool  # type: ignore[attr-defined]
    (layer_host,) = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    store = RedisBreakerStore.from_url(redis_url)
    broker = current_app.connection_for_write()

    assert cache_pool.connection_class is GuardedConnection
    assert cache_pool.connection_kwargs["socket_timeout"] == settings.REDIS_SOCKET_TIMEOUT
    assert cache_pool.connection_kwargs["socket_connect_timeout"] == settings.REDIS_SOCKET_CONNECT_TIMEOUT
    assert layer_host["connection_class"] is GuardedAsyncConnection
    assert layer_host["socket_timeout"] == settings.REDIS_SOCKET_TIMEOUT
    assert layer_host["socket_connect_timeout"] == settings.REDIS_SOCKET_CONNECT_TIMEOUT
    assert store.client.connection_pool.connection_class is GuardedConnection
    assert store.client.connection_pool.connection_kwargs["socket_timeout"] == settings.REDIS_SOCKET_TIMEOUT
    assert broker.transport_options["socket_timeout"] == settings.REDIS_SOCKET_TIMEOUT
    assert broker.transport_options["socket_connect_timeout"] == settings.REDIS_SOCKET_CONNECT_TIMEOUT
    assert current_app.conf.task_publish_retry_policy["max_retries"] == 1
