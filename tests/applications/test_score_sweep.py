"""The score sweep: applications whose scoring task was lost still get a match score."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Application
from applications.subscribers import application_scores_sweep
from applications.tasks import score_sweep
from hotgigs import redis_clients
from hotgigs.celery import app
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def unscored(*, age: timedelta) -> Application:
    application: Application = ApplicationFactory()  # type: ignore[assignment]
    Application.objects.filter(pk=application.pk).update(created_at=timezone.now() - age, match_score=None)
    return application


@pytest.fixture
def broker_marked_down(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    address = redis_clients.url_address(str(app.conf.broker_url))
    redis_clients.mark_down(address)
    yield
    redis_clients._down_until.pop(address or "", None)


def test_the_sweep_scores_applications_older_than_the_lag(settings):
    settings.APPLICATIONS_SCORE_SWEEP_LAG_SECONDS = 120
    lost = unscored(age=timedelta(minutes=5))

    queued = score_sweep()

    lost.refresh_from_db()
    assert queued == 1
    assert lost.match_score is not None


def test_the_sweep_leaves_recent_and_scored_applications_alone(settings):
    settings.APPLICATIONS_SCORE_SWEEP_LAG_SECONDS = 120
    recent = unscored(age=timedelta(seconds=30))
    scored = unscored(age=timedelta(minutes=5))
    Application.objects.filter(pk=scored.pk).update(match_score=42)

    queued = score_sweep()

    assert queued == 0
    assert Application.objects.get(pk=recent.pk).match_score is None
    assert Application.objects.get(pk=scored.pk).match_score == 42


def test_the_sweep_takes_the_oldest_first_up_to_its_limit():
    oldest, _newer = unscored(age=timedelta(hours=2)), unscored(age=timedelta(hours=1))

    queued = application_scores_sweep(older_than=timedelta(minutes=2), limit=1)

    assert queued == 1
    assert Application.objects.get(pk=oldest.pk).match_score is not None
    assert Application.objects.filter(match_score__isnull=True).count() == 1


@pytest.mark.usefixtures("broker_marked_down")
def test_while_the_broker_is_down_the_sweep_queues_nothing_and_fails_nothing():
    lost = unscored(age=timedelta(hours=1))

    queued = application_scores_sweep(older_than=timedelta(minutes=2))

    assert queued == 0
    assert Application.objects.get(pk=lost.pk).match_score is None


def test_beat_runs_the_sweep_every_minute():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["applications.score_sweep"]

    assert entry["task"] == "applications.score_sweep"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0
