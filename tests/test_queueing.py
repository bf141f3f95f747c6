"""Lingering batches (hotgigs/queueing.py): the ids of several transactions leave as one task.

A web process sends the outbox's ``events.dispatch`` this way (``EVENTS_DISPATCH_LINGER_MS``);
these tests drive :func:`queueing.batch_on_commit` with a linger of their own, with Celery not
eager (a lingering batch is never sent by an eager app), and watch what
:func:`queueing.send_task_by_name` is asked to send, and from which thread.
"""

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
from django.db import transaction

from hotgigs import queueing
from hotgigs.events.outbox import DISPATCH_TASK
from tests.servers import process_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def task() -> str:
    """A task name of this test's own: a batch a rollback left unsent never reaches another test."""
    return f"tests.lingering.{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sent(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """What the lingering thread asks to send: ``(task, args, thread name, monotonic time)``."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    calls: list[tuple[str, list[object], str, float]] = []

    def send(name, args, **options):  # type: ignore[no-untyped-def]
        calls.append((name, list(args), threading.current_thread().name, time.monotonic()))
        return True

    monkeypatch.setattr(queueing, "send_task_by_name", send)
    yield calls
    queueing.flush_lingering()


def _wait_for(predicate, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_the_ids_of_several_transactions_leave_as_one_message_from_the_lingering_thread(
    task, sent, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    for ids in ([1, 2], [3], [4]):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            queueing.batch_on_commit(task, ids, linger=0.3)
    # Committed, and nothing sent by the committing thread.
    assert sent == []

    _wait_for(lambda: sent)
    [(name, args, thread, at)] = sent
    assert (name, args, thread) == (task, [[1, 2, 3, 4]], "hotgigs-linger")
    assert at - started >= 0.3


def test_a_rolled_back_transaction_lingers_nothing(task, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queueing.batch_on_commit(task, [1], linger=0.05)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert queueing.flush_lingering() == 0
    assert sent == []
    # Its id rides along with the next transaction's (the task finds no row for it), which
    # decides whether they linger: here not.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queueing.batch_on_commit(task, [2], linger=0)
    assert [(name, args, thread) for name, args, thread, _ in sent] == [
        (task, [[1, 2]], threading.current_thread().name)
    ]


def test_without_linger_or_when_eager_the_committing_thread_sends(
    task, sent, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queueing.batch_on_commit(task, [1], linger=0)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queueing.batch_on_commit(task, [2], linger=0.5)

    assert [(name, args, thread) for name, args, thread, _ in sent] == [
        (task, [[1]], threading.current_thread().name),
        (task, [[2]], threading.current_thread().name),
    ]


def test_a_large_batch_leaves_in_messages_of_at_most_the_limit(task, sent, django_capture_on_commit_callbacks):
    ids = list(range(1, 2 * queueing.LINGER_MAX_IDS + 51))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queueing.batch_on_commit(task, ids, linger=0.05)

    _wait_for(lambda: len(sent) == 3)
    assert [len(args[0]) for _, args, _, _ in sent] == [queueing.LINGER_MAX_IDS, queueing.LINGER_MAX_IDS, 50]
    assert [i for _, args, _, _ in sent for i in args[0]] == ids


def test_a_send_that_raises_is_logged_and_the_next_batch_still_leaves(
    task, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    calls: list[list[object]] = []

    def send(name, args, **options):  # type: ignore[no-untyped-def]
        calls.append(list(args))
        if len(calls) == 1:
            raise RuntimeError("serializer exploded")
        return True

    monkeypatch.setattr(queueing, "send_task_by_name", send)
    with django_capture_on_commit_callbacks(execute=True):
        queueing.batch_on_commit(task, [1], linger=0.05)
    _wait_for(lambda: any(record.message == "tasks.linger_failed" for record in caplog.records))
    with django_capture_on_commit_callbacks(execute=True):
        queueing.batch_on_commit(task, [2], linger=0.05)

    _wait_for(lambda: len(calls) == 2)
    assert calls == [[[1]], [[2]]]
    [failed] = [record for record in caplog.records if record.message == "tasks.linger_failed"]
    assert (failed.task, failed.ids) == (task, 1)  # type: ignore[attr-defined]


def test_a_forked_child_holds_none_of_its_parents_ids(task, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queueing.batch_on_commit(task, [1], linger=0.3)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it holds, and leave without running any exit hook
        state = queueing._linger
        os.write(write, json.dumps([state.pending, state.thread is None, state.lock.locked()]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        held = json.loads(pipe.read())
    os.waitpid(pid, 0)

    assert held == [{}, True, False]
    # The parent still sends its own.
    _wait_for(lambda: sent)
    assert sent[0][:2] == (task, [[1]])


CHILD = """
import django
django.setup()
from hotgigs import queueing
# Outside a transaction each call queues at once: both join the lingering batch.
queueing.batch_on_commit("events.dispatch", [7, 8], linger=60.0)
queueing.batch_on_commit("events.dispatch", [9], linger=60.0)
print("held", queueing._linger.pending, flush=True)
"""


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_what_a_process_still_holds_when_it_exits_reaches_the_broker(redis_url):
    queue = f"test-linger-{uuid.uuid4().hex[:12]}"
    env = process_env(redis_url, CELERY_TASK_DEFAULT_QUEUE=queue, CELERY_TASK_ALWAYS_EAGER="false")
    client = redis.Redis.from_url(redis_url)
    try:
        done = subprocess.run(  # noqa: S603 - our own arguments
            [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "held {'events.dispatch': [7, 8, 9]}" in done.stdout
        # Sent at exit: the lingering thread would have waited a minute.
        [message] = client.lrange(queue, 0, -1)
    finally:
        client.delete(queue)
    envelope = json.loads(message)
    args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
    assert envelope["headers"]["task"] == DISPATCH_TASK
    assert (args, kwargs) == ([[7, 8, 9]], {})


@pytest.mark.parametrize(("kind", "linger"), [("web", "100.0"), ("worker", "0.0"), ("command", "0.0")])
def test_only_web_processes_linger_by_default(kind, linger):
    # A Celery worker's child may be ended without its exit hooks: it sends at commit.
    env = {key: value for key, value in os.environ.items() if key != "EVENTS_DISPATCH_LINGER_MS"}
    env.update(DJANGO_SETTINGS_MODULE="hotgigs.settings", HOTGIGS_PROCESS_KIND=kind)
    code = "from django.conf import settings; print(settings.EVENTS_DISPATCH_LINGER_MS)"
    done = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [linger]


KILLED = """
import time
import django
django.setup()
from hotgigs import tenancy
from hotgigs.events import catalogue
from hotgigs.events.outbox import record
with tenancy.system("test: one event, then killed while its dispatch lingers"):
    event = record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 1})
print("recorded", event.pk, flush=True)
time.sleep(60)
"""


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_killed_web_process_loses_its_lingering_ids_to_the_sweep_not_for_good(redis_url, settings):
    from datetime import timedelta

    from hotgigs.events.dispatch import events_dispatch_sweep
    from hotgigs.events.models import OutboxEvent

    queue = f"test-linger-{uuid.uuid4().hex[:12]}"
    env = process_env(
        redis_url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CELERY_TASK_ALWAYS_EAGER="false",
        HOTGIGS_PROCESS_KIND="web",
        EVENTS_DISPATCH_LINGER_MS="30000",
    )
    client = redis.Redis.from_url(redis_url)
    child = subprocess.Popen(  # noqa: S603 - our own arguments
        [sys.executable, "-c", KILLED], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("recorded "), child.stderr.read() if child.stderr else line
        event_id = int(line.split()[1])
        child.kill()  # SIGKILL: no exit hook runs
        child.wait(timeout=30)
        assert client.llen(queue) == 0
    finally:
        if child.poll() is None:
            child.kill()
        client.delete(queue)
    # Committed, its dispatch never sent: still due, so the sweep takes it.
    assert OutboxEvent.objects.filter(pk=event_id, dispatch_due_at__isnull=False).exists()
    settings.EVENTS_DISPATCH_SWEEP_LAG = timedelta(0)

    assert events_dispatch_sweep() == 1
    assert OutboxEvent.objects.filter(pk=event_id, dispatch_due_at__isnull=True).exists()


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "60000", "many"])
def test_a_linger_that_is_negative_not_finite_or_as_long_as_the_sweep_lag_stops_the_process_at_settings_load(value):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="hotgigs.settings", EVENTS_DISPATCH_LINGER_MS=value)
    env["EVENTS_DISPATCH_SWEEP_LAG_SECONDS"] = "60"
    code = "from django.conf import settings; print(settings.EVENTS_DISPATCH_LINGER_MS)"
    done = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "EVENTS_DISPATCH_LINGER_MS" in done.stderr
    assert done.stdout == ""
