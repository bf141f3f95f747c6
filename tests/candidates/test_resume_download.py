"""Resume lists, details and signed download links: who gets them, and which links work."""

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.files.base import ContentFile

from candidates.models import Resume
from hotgigs.accounts.models import Membership
from tests.factories import ApplicationFactory, CandidateFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4 pretend this is a PDF"


@pytest.fixture
def applicant(open_job):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=CandidateFactory()).candidate


def make_resume(candidate, data: bytes = PDF_BYTES, name: str = "Jane CV.final.docx") -> Resume:  # type: ignore[no-untyped-def]
    resume = Resume(
        candidate=candidate,
        content_type="application/pdf",
        size=len(data),
        original_filename=name,
        sha256=hashlib.sha256(data).hexdigest(),
        parse_status="failed",
        parse_error="The file is damaged or not a valid PDF document and could not be read.",
    )
    resume.file.save("cv", ContentFile(data), save=True)
    return resume


def link_url(resume: Resume) -> str:
    return f"/api/v1/candidates/{resume.candidate_id}/resumes/{resume.pk}/link"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def fetch(client, url: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


# --- list and detail -----------------------------------------------------------------------


def test_candidate_lists_own_resumes_with_parse_status(login, candidate):
    older = make_resume(candidate, b"%PDF-1 one")
    newer = make_resume(candidate, b"%PDF-1 two")

    response = login(candidate.user).get(f"/api/v1/candidates/{candidate.pk}/resumes")

    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0]["parse_status"] == "failed"
    assert rows[0]["parse_error"] == newer.parse_error
    assert "extracted_text" not in rows[0]


def test_detail_carries_the_extracted_text(login, recruiter, applicant):
    resume = make_resume(applicant)
    Resume.objects.filter(pk=resume.pk).update(parse_status="parsed", parse_error="", extracted_text="Python")

    response = login(recruiter).get(f"/api/v1/candidates/{applicant.pk}/resumes/{resume.pk}")

    assert response.status_code == 200
    assert response.json()["extracted_text"] == "Python"
    assert response.json()["parse_status"] == "parsed"


def test_a_resume_of_another_candidate_is_not_found_under_this_one(login, candidate, other_candidate):
    theirs = make_resume(other_candidate)

    response = login(candidate.user).get(f"/api/v1/candidates/{candidate.pk}/resumes/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("suffix", ["resumes", "resumes/{rid}", "resumes/{rid}/link"])
def test_other_organizations_recruiter_sees_nothing(login, other_recruiter, applicant, suffix):
    resume = make_resume(applicant)

    response = login(other_recruiter).get(f"/api/v1/candidates/{applicant.pk}/" + suffix.format(rid=resume.pk))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_reading_needs_the_read_scope(login, candidate):
    resume = make_resume(candidate)

    response = login(candidate.user, scope="jobs:read").get(link_url(resume))

    assert response.status_code == 403
    assert response.json()["details"]["required_scope"] == "candidates:read"


# --- signed links --------------------------------------------------------------------------


def test_a_fresh_link_downloads_the_file_as_an_attachment(login, client, recruiter, applicant, settings):
    resume = make_resume(applicant)

    response = login(recruiter).get(link_url(resume))

    assert response.status_code == 200
    body = response.json()
    assert body["url"].startswith("http://testserver/api/v1/resume-file?token=")
    assert body["expires_at"]
    download = fetch(client, body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    # The name is the upload's stem with the extension of the sniffed type.
    assert download["Content-Disposition"] == 'attachment; filename="Jane CV.final.pdf"'
    assert download["Cache-Control"] == "private, no-store"


def test_the_link_needs_no_bearer_token_and_ignores_accept(login, client, candidate):
    resume = make_resume(candidate)
    url = login(candidate.user).get(link_url(resume)).json()["url"]

    download = client.get(urlsplit(url).path, {"token": token_of(url)}, HTTP_ACCEPT="application/pdf")

    assert download.status_code == 200


def test_an_expired_link_is_refused(login, client, candidate, settings, monkeypatch):
    resume = make_resume(candidate)
    issued = signing.time.time() - settings.RESUME_LINK_SECONDS - 5
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: issued)
        url = login(candidate.user).get(link_url(resume)).json()["url"]

    response = fetch(client, url)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"link": "expired"}


def test_a_link_just_within_its_lifetime_works(login, client, candidate, settings, monkeypatch):
    resume = make_resume(candidate)
    issued = signing.time.time() - settings.RESUME_LINK_SECONDS + 30
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: issued)
        url = login(candidate.user).get(link_url(resume)).json()["url"]

    assert fetch(client, url).status_code == 200


def test_a_tampered_link_is_refused(login, client, candidate, other_candidate):
    mine = make_resume(candidate)
    theirs = make_resume(other_candidate, b"%PDF-1 theirs")
    token = token_of(login(candidate.user).get(link_url(mine)).json()["url"])
    value, _, signature = token.rpartition(":")
    forged_value = signing.b64_encode(signing.JSONSerializer().dumps({"r": theirs.pk, "u": candidate.user.pk})).decode()
    forged = forged_value + value[value.index(":") :] + ":" + signature

    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "", "garbage"):
        response = client.get("/api/v1/resume-file", {"token": bad})
        assert response.status_code == 403, bad
        assert response.json()["details"] == {"link": "invalid"}


def test_a_link_signed_for_another_purpose_is_refused(client, candidate):
    resume = make_resume(candidate)
    other_purpose = signing.TimestampSigner(salt="something-else").sign_object({"r": resume.pk, "u": candidate.user.pk})

    response = client.get("/api/v1/resume-file", {"token": other_purpose})

    assert response.status_code == 403
    assert response.json()["details"] == {"link": "invalid"}


def test_another_user_cannot_get_a_link(login, candidate, other_candidate):
    resume = make_resume(candidate)

    response = login(other_candidate.user).get(link_url(resume))

    assert response.status_code == 404


def test_a_link_dies_when_its_user_loses_access(login, client, recruiter, applicant):
    resume = make_resume(applicant)
    url = login(recruiter).get(link_url(resume)).json()["url"]

    Membership.objects.filter(user=recruiter).delete()

    response = fetch(client, url)
    assert response.status_code == 403
    assert response.json()["details"] == {"link": "invalid"}


def test_a_link_to_a_deleted_resume_is_refused(login, client, candidate):
    resume = make_resume(candidate)
    url = login(candidate.user).get(link_url(resume)).json()["url"]

    resume.delete()

    assert fetch(client, url).status_code == 403


# --- delete ----------------------------------------------------------------------------------


def resume_url(resume: Resume) -> str:
    return f"/api/v1/candidates/{resume.candidate_id}/resumes/{resume.pk}"


def test_candidate_deletes_own_resume_and_its_file(login, candidate, resume_dir, django_capture_on_commit_callbacks):
    resume = make_resume(candidate)
    client = login(candidate.user)
    path = resume_dir / resume.file.name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(resume_url(resume))

    assert response.status_code == 204
    assert not Resume.objects.filter(pk=resume.pk).exists()
    assert not path.exists()


def test_deleting_drops_the_suggestions_of_that_resume(login, candidate, django_capture_on_commit_callbacks):
    from candidates.services.resumes import resume_parse

    resume = make_resume(candidate, b"Terraform engineer", name="cv.txt")
    Resume.objects.filter(pk=resume.pk).update(content_type="text/plain", parse_status="pending")
    resume_parse(resume_id=resume.pk)
    assert candidate.skills.filter(source="resume", name="Terraform").exists()
    client = login(candidate.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.delete(resume_url(resume))

    assert not candidate.skills.filter(source="resume").exists()


def test_a_recruiter_who_only_sees_an_applicant_may_not_delete(login, recruiter, applicant, resume_dir):
    resume = make_resume(applicant)

    response = login(recruiter).delete(resume_url(resume))

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert Resume.objects.filter(pk=resume.pk).exists()
    assert (resume_dir / resume.file.name).exists()


def test_another_candidate_gets_not_found_on_delete(login, candidate, other_candidate):
    resume = make_resume(candidate)

    response = login(other_candidate.user).delete(resume_url(resume))

    assert response.status_code == 404
    assert Resume.objects.filter(pk=resume.pk).exists()
