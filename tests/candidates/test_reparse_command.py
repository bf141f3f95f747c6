"""``manage.py reparse_resumes`` and the admin's re-parse action: stored files read again."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from candidates.models import Resume
from tests.factories import ApplicationFactory, CandidateFactory

pytestmark = pytest.mark.django_db


def stale_resume(candidate, text: bytes, status: str = "parsed") -> Resume:  # type: ignore[no-untyped-def]
    """A resume whose stored result is out of date (as if an older parser had read it)."""
    resume = Resume(
        candidate=candidate,
        content_type="text/plain",
        size=len(text),
        parse_status=status,
        extracted_text="old parser output" if status == "parsed" else "",
        parse_error="" if status == "parsed" else "old parser failed",
    )
    resume.file.save("cv", ContentFile(text), save=True)
    return resume


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("reparse_resumes", *args, stdout=out)
    return out.getvalue()


def test_every_resume_is_parsed_again_with_progress(candidate, other_candidate):
    first = stale_resume(candidate, b"Python developer")
    second = stale_resume(other_candidate, b"Go developer", status="failed")

    output = run("--now")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.parse_status, first.extracted_text) == ("parsed", "Python developer")
    assert (second.parse_status, second.parse_error, second.extracted_text) == ("parsed", "", "Go developer")
    assert f"[1/2] resume {first.pk} (candidate {candidate.pk}): parsed" in output
    assert f"[2/2] resume {second.pk} (candidate {other_candidate.pk}): parsed" in output
    assert "Re-parsed 2 resumes: 2 parsed." in output


def test_failed_only_leaves_parsed_resumes_alone(candidate):
    good = stale_resume(candidate, b"Python developer")
    bad = stale_resume(candidate, b"Rust developer", status="failed")

    output = run("--failed-only", "--now")

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.extracted_text == "old parser output"
    assert bad.extracted_text == "Rust developer"
    assert "Re-parsed 1 resumes" in output


def test_one_candidate_only(candidate, other_candidate):
    mine = stale_resume(candidate, b"Python developer")
    theirs = stale_resume(other_candidate, b"Go developer")

    run("--candidate", str(candidate.pk), "--now")

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.extracted_text == "Python developer"
    assert theirs.extracted_text == "old parser output"


def test_a_file_that_still_fails_is_reported(candidate):
    resume = stale_resume(candidate, b"  \n ")

    output = run("--now")

    resume.refresh_from_db()
    assert resume.parse_status == "failed"
    assert f"resume {resume.pk} (candidate {candidate.pk}): failed (No text was found" in output


def test_without_now_the_parse_is_queued(candidate, django_capture_on_commit_callbacks):
    resume = stale_resume(candidate, b"Python developer")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        output = run()

    resume.refresh_from_db()
    assert resume.parse_status == "pending"
    assert "queued" in output
    # Committing dispatches the event, whose subscriber queues the parse after its own commit.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    resume.refresh_from_db()
    assert (resume.parse_status, resume.extracted_text) == ("parsed", "Python developer")


def test_an_unknown_candidate_is_an_error(db):
    with pytest.raises(CommandError):
        run("--candidate", "999999")


# --- admin -----------------------------------------------------------------------------------


def test_admin_lists_parse_status_and_error_and_reparses(
    client, recruiter, open_job, django_capture_on_commit_callbacks
):
    applicant = ApplicationFactory(job=open_job, candidate=CandidateFactory()).candidate
    resume = stale_resume(applicant, b"Python developer", status="failed")
    hidden = stale_resume(CandidateFactory(), b"Hidden developer", status="failed")
    client.force_login(recruiter)
    changelist = reverse("admin:candidates_resume_changelist")

    page = client.get(changelist)
    assert page.status_code == 200
    assert b"old parser failed" in page.content
    assert {row.pk for row in page.context["cl"].result_list} == {resume.pk}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "reparse_selected", "_selected_action": [resume.pk, hidden.pk]}, follow=True
        )

    assert response.status_code == 200
    resume.refresh_from_db()
    hidden.refresh_from_db()
    assert (resume.parse_status, resume.extracted_text) == ("parsed", "Python developer")
    assert hidden.parse_status == "failed"


def test_staff_deleting_resumes_in_the_admin_removes_their_files(
    client, staff, candidate, resume_dir, django_capture_on_commit_callbacks
):
    resume = stale_resume(candidate, b"Python developer")
    path = resume_dir / resume.file.name
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:candidates_resume_changelist"),
            {"action": "delete_selected", "_selected_action": [resume.pk], "post": "yes"},
        )

    assert not Resume.objects.filter(pk=resume.pk).exists()
    assert not path.exists()
