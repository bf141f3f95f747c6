"""Task routing: matching and resume parsing on their own queue, everything else on the default."""

import pytest
from kombu import Queue

from hotgigs.celery import MATCHING_TASKS, app, route_task


def test_every_routed_name_is_a_registered_task():
    app.loader.import_default_modules()

    assert MATCHING_TASKS.issubset(app.tasks)


@pytest.mark.parametrize("name", sorted(MATCHING_TASKS))
def test_matching_tasks_go_to_the_matching_queue(settings, name):
    settings.CELERY_MATCHING_QUEUE = "matching-here"

    assert route_task(name, (), {}, {}) == {"queue": "matching-here"}


@pytest.mark.parametrize(
    "name", ["notifications.send_email", "notifications.send_emails", "webhooks.deliver", "webhooks.fan_out"]
)
def test_other_tasks_take_the_default_queue(name):
    assert route_task(name, (), {}, {}) is None


def test_a_worker_started_without_queues_consumes_both(settings):
    names = {queue.name for queue in settings.CELERY_TASK_QUEUES if isinstance(queue, Queue)}

    assert names == {settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_MATCHING_QUEUE}
    assert app.amqp.router.route({}, "applications.score_application")["queue"].name == (settings.CELERY_MATCHING_QUEUE)
