"""hotgigs/broker.py: kombu's Redis transport, publishing through one Redis client per channel."""

import uuid

import pytest
from celery import Celery
from kombu import Consumer, Producer, Queue

from hotgigs import broker


@pytest.fixture
def celery_app(redis_url: str) -> Celery:
    # A Celery app of its own on the suite's Redis, with the transport production selects.
    # (Not made the current app: the suite's other tests read the project's.)
    app = Celery("broker-test", broker=redis_url, set_as_current=False)
    app.conf.broker_transport = "hotgigs.broker:Transport"
    return app


@pytest.mark.redis
def test_settings_select_the_transport_for_a_redis_broker(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_BROKER_TRANSPORT == "hotgigs.broker:Transport"


@pytest.mark.redis
def test_messages_published_through_the_kept_client_all_arrive_in_order(celery_app):
    queue = Queue(f"broker-test-{uuid.uuid4().hex}")
    received: list[int] = []
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        assert isinstance(channel, broker.Channel)
        producer = Producer(channel)
        clients = set()
        for n in range(5):
            producer.publish({"n": n}, routing_key=queue.name, declare=[queue], serializer="json")
            clients.add(id(channel._kept_client))
        assert len(clients) == 1  # one facade for the five messages

        def take(body, message):  # type: ignore[no-untyped-def]
            received.append(body["n"])
            message.ack()

        with Consumer(channel, queues=[queue], callbacks=[take], accept=["json"]):
            while len(received) < 5:
                connection.drain_events(timeout=5)
        queue(channel).delete()

    assert received == [0, 1, 2, 3, 4]


@pytest.mark.redis
def test_a_new_pool_gets_a_new_client(celery_app):
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        channel._pool = None  # as kombu does when the connection is lost

        second = channel._create_client()

        assert second is not first
        assert second.connection_pool is channel.pool
        assert channel._create_client(asynchronous=True) is not second  # the consumer's stay kombu's
