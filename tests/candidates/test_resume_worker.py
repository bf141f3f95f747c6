"""Resume parsing on a real Celery worker: an upload through the API is parsed in the
background by another process, and a hostile file fails without taking the worker down."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.models import Resume
from candidates.services.resumes import PARSE_RESUME_TASK
from tests.candidates import resume_samples as samples

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]

# A bound on waiting for another process, not a timing assertion.
WORKER_SECONDS = 60


def finished(resume_id: int) -> Resume | None:
    return Resume.objects.filter(pk=resume_id, parse_status__in=("parsed", "failed")).first()


@pytest.fixture
def worker(live_worker_factory, resume_dir):  # type: ignore[no-untyped-def]
    # The worker reads and writes the same private folder as this test.
    return live_worker_factory(RESUME_STORAGE_ROOT=str(resume_dir))


def upload(client, candidate, data: bytes, name: str):  # type: ignore[no-untyped-def]
    response = client.post(
        f"/api/v1/candidates/{candidate.pk}/resume", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_an_uploaded_resume_is_parsed_by_the_worker(worker, login, candidate):
    data = samples.pdf(["Backend engineer", "Python, PostgreSQL and Kubernetes"])

    resume_id = upload(login(candidate.user), candidate, data, "cv.pdf")

    resume = worker.wait_for(lambda: finished(resume_id), WORKER_SECONDS)
    assert resume.parse_status == "parsed", resume.parse_error
    assert "Python, PostgreSQL and Kubernetes" in resume.extracted_text
    assert {"PostgreSQL", "Kubernetes"} <= set(candidate.skills.filter(source="resume").values_list("name", flat=True))
    assert f"Task {PARSE_RESUME_TASK}" in worker.log()


def test_a_bomb_fails_and_the_worker_keeps_parsing(worker, login, candidate):
    client = login(candidate.user)

    bomb_id = upload(client, candidate, samples.docx_bomb(), "cv.docx")
    bomb = worker.wait_for(lambda: finished(bomb_id), WORKER_SECONDS)
    good_id = upload(client, candidate, b"Python developer", "cv.txt")
    good = worker.wait_for(lambda: finished(good_id), WORKER_SECONDS)

    assert bomb.parse_status == "failed"
    assert "decompression bomb" in bomb.parse_error
    assert good.parse_status == "parsed"
