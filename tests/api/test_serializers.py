"""JSON bodies must carry the types the schema documents (hotgigs/api/serializers.py).

DRF alone coerces ``0`` to false, ``5`` to "5" and "5" to 5; a schema-driven client can then
not tell which bodies are accepted. Each case below answers 400 naming the field and
changes nothing.
"""

import pytest

from hotgigs.notifications.models import Notification
from jobs.models import Job
from tests.factories import ApplicationFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def test_a_number_is_not_a_boolean(login, recruiter):
    NotificationFactory(user=recruiter)

    response = login(recruiter).post("/api/v1/notifications/read", {"all": 1}, format="json")

    assert response.status_code == 400
    assert "all" in response.json()["details"]
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_a_number_is_not_a_string(login, candidate, open_job):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    response = login(candidate.user).post(
        f"/api/v1/applications/{application.pk}/withdraw", {"reason": 5}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["details"]
    application.refresh_from_db()
    assert application.stage == "applied"


def test_a_string_is_not_a_whole_number(login, candidate, open_job):
    response = login(candidate.user).post("/api/v1/applications", {"job_id": str(open_job.pk)}, format="json")

    assert response.status_code == 400
    assert "job_id" in response.json()["details"]


def test_nested_values_are_checked_too(login, recruiter, org):
    body = {
        "title": "Engineer",
        "description": "Builds things.",
        "requirements": {"skills": [{"name": "Python", "required": 0}]},
    }

    response = login(recruiter).post("/api/v1/jobs", body, format="json")

    assert response.status_code == 400
    assert "required" in str(response.json()["details"])
    assert not Job.objects.filter(title="Engineer").exists()
