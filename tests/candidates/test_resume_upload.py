"""POST /api/v1/candidates/{id}/resume: what is accepted, what is refused, and that a refusal
stores nothing (no row, no file)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.models import Resume
from tests.candidates import resume_samples as samples
from tests.candidates.conftest import stored_files
from tests.factories import ApplicationFactory, CandidateFactory, ResumeFactory

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url(candidate) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/candidates/{candidate.pk}/resume"


def upload(client, candidate, data: bytes, name: str = "cv.pdf", content_type: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return client.post(url(candidate), {"file": SimpleUploadedFile(name, data, content_type)}, format="multipart")


def assert_refused(response, resume_dir, status: int = 400, code: str = "VALIDATION_ERROR") -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert Resume.objects.count() == 0
    assert stored_files(resume_dir) == []
    return body  # type: ignore[no-any-return]


@pytest.fixture
def applicant(open_job):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=CandidateFactory()).candidate


@pytest.mark.parametrize(
    ("data", "name", "expected_type"),
    [
        (samples.pdf(["Python developer"]), "cv.pdf", "application/pdf"),
        (samples.docx_file(["Python developer"]), "cv.docx", DOCX),
        ("Python developer, Zürich\n".encode(), "cv.txt", "text/plain"),
        # The type comes from the content: a PDF named .txt is a PDF.
        (samples.pdf(["Python developer"]), "cv.txt", "application/pdf"),
    ],
    ids=["pdf", "docx", "txt", "pdf-named-txt"],
)
def test_candidate_uploads_own_resume(login, candidate, resume_dir, data, name, expected_type):
    response = upload(login(candidate.user), candidate, data, name)

    assert response.status_code == 201, response.content
    body = response.json()
    resume = Resume.objects.get()
    assert body["id"] == resume.pk
    assert body["content_type"] == expected_type == resume.content_type
    assert body["size"] == len(data)
    assert body["original_filename"] == name
    # Parsed in-process here (tests run Celery eagerly after commit).
    assert resume.candidate == candidate
    with resume.file.open("rb") as handle:
        assert handle.read() == data
    assert [p.name for p in stored_files(resume_dir)] == [resume.file.name.rsplit("/", 1)[1]]
    assert resume.file.name.startswith(f"resumes/{candidate.pk}/")
    assert name not in resume.file.name


def test_upload_queues_parsing_after_commit(login, candidate, django_capture_on_commit_callbacks):
    client = login(candidate.user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, candidate, b"Python and Django developer", "cv.txt")

    assert response.status_code == 201
    resume = Resume.objects.get()
    assert resume.parse_status == "pending"
    # Committing dispatches the event, whose subscriber queues the parse after its own commit.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    resume.refresh_from_db()
    assert resume.parse_status == "parsed"


def test_recruiter_uploads_for_an_applicant(login, recruiter, applicant):
    response = upload(login(recruiter), applicant, b"Go and Kubernetes engineer", "cv.txt")

    assert response.status_code == 201
    assert Resume.objects.get().candidate == applicant


def test_the_same_bytes_again_return_the_existing_resume(login, candidate, resume_dir):
    client = login(candidate.user)
    first = upload(client, candidate, b"Python developer", "one.txt")

    again = upload(client, candidate, b"Python developer", "two.txt")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["original_filename"] == "one.txt"
    assert Resume.objects.count() == 1
    assert len(stored_files(resume_dir)) == 1


def test_the_same_bytes_for_another_candidate_are_a_new_resume(login, candidate, other_candidate):
    upload(login(candidate.user), candidate, b"Python developer", "cv.txt")

    response = upload(login(other_candidate.user), other_candidate, b"Python developer", "cv.txt")

    assert response.status_code == 201
    assert Resume.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        samples.PNG_HEADER + b"\x00" * 64,  # a PNG named cv.pdf
        samples.zip_without_document(),  # a zip that is not a DOCX
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # an executable
        "Caf\xe9".encode("latin-1"),  # text, but not UTF-8
        b"Python\x00developer",  # text with a NUL byte
    ],
    ids=["png-named-pdf", "plain-zip", "exe", "latin-1-text", "binary-control-chars"],
)
def test_a_file_of_another_type_is_refused(login, candidate, resume_dir, data):
    body = assert_refused(upload(login(candidate.user), candidate, data, "cv.pdf", "application/pdf"), resume_dir)

    assert "file" in body["details"]


def test_a_file_over_the_limit_is_refused(login, candidate, resume_dir, settings):
    settings.RESUME_MAX_BYTES = 1000

    body = assert_refused(upload(login(candidate.user), candidate, b"a" * 1001, "cv.txt"), resume_dir)

    assert body["details"]["max_bytes"] == 1000


def test_a_file_at_the_limit_is_accepted(login, candidate, settings):
    settings.RESUME_MAX_BYTES = 1000

    response = upload(login(candidate.user), candidate, b"a" * 1000, "cv.txt")

    assert response.status_code == 201


def test_a_five_megabyte_pdf_gets_through_the_body_limit(login, candidate, settings):
    settings.API_MAX_BODY_BYTES = 1_048_576
    data = samples.pdf(["Python developer"])
    data += b"\n%" + b"x" * (5 * 1024 * 1024 - len(data) - 2)
    assert len(data) == settings.RESUME_MAX_BYTES

    response = upload(login(candidate.user), candidate, data, "big.pdf")

    assert response.status_code == 201, response.content
    assert Resume.objects.get().size == 5 * 1024 * 1024


def test_a_body_far_over_the_upload_limit_is_refused_before_parsing(login, candidate, resume_dir, settings):
    settings.RESUME_MAX_BYTES = 1000
    settings.API_MAX_BODY_BYTES = 1024

    response = upload(login(candidate.user), candidate, b"a" * 200_000, "cv.txt")

    assert_refused(response, resume_dir, status=413)


def test_other_json_endpoints_keep_the_small_body_limit(login, candidate, settings):
    settings.API_MAX_BODY_BYTES = 1024

    response = login(candidate.user).patch("/api/v1/candidates/me", {"summary": "x" * 5000}, format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_an_empty_file_is_refused(login, candidate, resume_dir):
    assert_refused(upload(login(candidate.user), candidate, b"", "cv.txt"), resume_dir)


def test_a_missing_file_field_is_refused(login, candidate, resume_dir):
    response = login(candidate.user).post(url(candidate), {}, format="multipart")

    body = assert_refused(response, resume_dir)
    assert "file" in body["details"]


def test_an_unknown_field_is_refused(login, candidate, resume_dir):
    response = login(candidate.user).post(
        url(candidate),
        {"file": SimpleUploadedFile("cv.txt", b"Python"), "candidate": "7"},
        format="multipart",
    )

    body = assert_refused(response, resume_dir)
    assert "candidate" in body["details"]


def test_a_json_body_is_refused(login, candidate, resume_dir):
    response = login(candidate.user).post(url(candidate), {"file": "UHl0aG9u"}, format="json")

    assert_refused(response, resume_dir, status=415, code="VALIDATION_ERROR")


def test_too_many_resumes_are_refused(login, candidate, resume_dir, monkeypatch):
    from candidates.services import resumes

    monkeypatch.setattr(resumes, "RESUME_MAX_PER_CANDIDATE", 2)
    ResumeFactory.create_batch(2, candidate=candidate, sha256="")
    before = sorted(stored_files(resume_dir))

    response = upload(login(candidate.user), candidate, b"Python developer", "cv.txt")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert Resume.objects.count() == 2
    assert sorted(stored_files(resume_dir)) == before


def test_another_candidate_gets_not_found(login, candidate, other_candidate, resume_dir):
    response = upload(login(other_candidate.user), candidate, b"Python developer", "cv.txt")

    assert_refused(response, resume_dir, status=404, code="NOT_FOUND")


def test_another_organizations_recruiter_gets_not_found(login, other_recruiter, applicant, resume_dir):
    response = upload(login(other_recruiter), applicant, b"Python developer", "cv.txt")

    assert_refused(response, resume_dir, status=404, code="NOT_FOUND")


def test_a_token_without_the_write_scope_is_forbidden(login, candidate, resume_dir):
    response = upload(login(candidate.user, scope="candidates:read"), candidate, b"Python developer", "cv.txt")

    body = assert_refused(response, resume_dir, status=403, code="FORBIDDEN")
    assert body["details"]["required_scope"] == "candidates:write"


def test_without_a_token_it_is_unauthorized(client, candidate, resume_dir):
    response = client.post(url(candidate), {"file": SimpleUploadedFile("cv.txt", b"Python")})

    assert_refused(response, resume_dir, status=401, code="UNAUTHORIZED")


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_of_the_same_bytes_store_one_resume(resume_dir):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    from candidates.services.resumes import resume_upload
    from hotgigs import tenancy
    from hotgigs.accounts import policies
    from tests.conftest import require_service

    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    candidate = CandidateFactory()
    barrier = Barrier(4)

    def attempt(_: int) -> bool:
        barrier.wait()
        try:
            # Each thread acts as the candidate, as the request's middleware would.
            with tenancy.acting_as(policies.database_identity(candidate.user)):
                upload = SimpleUploadedFile("cv.txt", b"Python developer in Lisbon")
                return resume_upload(actor=candidate.user, candidate=candidate, upload=upload).created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))

    assert outcomes == [False, False, False, True]
    assert Resume.objects.filter(candidate=candidate).count() == 1
    assert len(stored_files(resume_dir)) == 1


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\jane\\My CV.pdf", "My CV.pdf"),
        ("../../etc/passwd", "passwd"),
        ("cv\u0000\u202e.txt", "cv.txt"),
    ],
    ids=["windows-path", "traversal", "control-chars"],
)
def test_only_a_clean_base_name_is_kept(login, candidate, sent, kept):
    response = upload(login(candidate.user), candidate, b"Python developer", sent)

    assert response.status_code == 201
    assert response.json()["original_filename"] == kept


def test_after_parsing_the_profile_shows_suggestions_next_to_own_skills(
    login, candidate, django_capture_on_commit_callbacks
):
    client = login(candidate.user)
    client.patch("/api/v1/candidates/me", {"skills": [{"name": "Python", "level": "expert"}]}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, candidate, b"Python, PostgreSQL and Terraform engineer", "cv.txt")

    skills = {s["name"]: (s["level"], s["source"]) for s in client.get("/api/v1/candidates/me").json()["skills"]}
    assert skills["Python"] == ("expert", "profile")
    assert skills["PostgreSQL"] == ("beginner", "resume")
    assert skills["Terraform"] == ("beginner", "resume")
    resume = client.get(f"/api/v1/candidates/{candidate.pk}/resumes").json()[0]
    assert (resume["parse_status"], resume["parse_error"]) == ("parsed", "")
    assert resume["parsed_at"] is not None
