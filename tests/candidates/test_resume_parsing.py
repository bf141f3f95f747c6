"""Parsing on Celery (in-process here): text extraction, skill suggestions that never overwrite
the candidate's own skills, rematching, and every failure mode ending as a clear ``failed``."""

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase

from candidates import resume_files
from candidates.models import CandidateSkill, Resume
from candidates.services.resumes import resume_parse, resume_reparse
from candidates.tasks import parse_resume
from hotgigs import queueing
from hotgigs.ai import dispatch
from tests.candidates import resume_samples as samples
from tests.factories import CandidateSkillFactory

pytestmark = pytest.mark.django_db

DOCX = resume_files.DOCX


def make_resume(candidate, data: bytes, content_type: str) -> Resume:  # type: ignore[no-untyped-def]
    resume = Resume(candidate=candidate, content_type=content_type, size=len(data), original_filename="cv")
    resume.file.save("cv", ContentFile(data), save=True)
    return resume


def parsed(resume: Resume) -> Resume:
    """Run the task as the worker would, with what it queues after commit (ranking)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        parse_resume.delay(resume.pk)
    resume.refresh_from_db()
    return resume


def reparsed(resume: Resume) -> Resume:
    with TestCase.captureOnCommitCallbacks(execute=True):
        resume_reparse(resume_id=resume.pk)
    resume.refresh_from_db()
    return resume


def suggestions(candidate) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        candidate.skills.filter(source="resume").values_list("name", "level")  # type: ignore[arg-type]
    )


# --- happy paths ---------------------------------------------------------------------------


def test_pdf_text_of_every_page_is_extracted(candidate):
    data = samples.pdf(["Jane Roe - Backend engineer", "Python and PostgreSQL"], ["Second page: Kubernetes"])

    resume = parsed(make_resume(candidate, data, resume_files.PDF))

    assert resume.parse_status == "parsed"
    assert resume.parse_error == ""
    assert resume.parsed_at is not None
    assert "Python and PostgreSQL" in resume.extracted_text
    assert "Second page: Kubernetes" in resume.extracted_text


def test_docx_paragraphs_and_tables_are_extracted(candidate):
    data = samples.docx_file(["Data engineer", "Built pipelines in Scala"], table=[["Tools", "Apache Spark"]])

    resume = parsed(make_resume(candidate, data, DOCX))

    assert resume.parse_status == "parsed"
    assert resume.extracted_text.splitlines() == ["Data engineer", "Built pipelines in Scala", "Tools", "Apache Spark"]


def test_text_is_read_as_utf8(candidate):
    resume = parsed(make_resume(candidate, "\ufeffRenée — Python in Zürich\r\n\r\n".encode(), resume_files.TEXT))

    assert resume.parse_status == "parsed"
    assert resume.extracted_text == "Renée — Python in Zürich"


def test_an_owner_password_only_pdf_is_read(candidate):
    data = samples.encrypted_pdf(["Rust and Go developer"], user_password="")

    resume = parsed(make_resume(candidate, data, resume_files.PDF))

    assert resume.parse_status == "parsed"
    assert "Rust and Go developer" in resume.extracted_text


def test_long_text_is_cut_at_the_limit(candidate, settings):
    settings.RESUME_MAX_TEXT_CHARS = 50

    resume = parsed(make_resume(candidate, b"Python " * 100, resume_files.TEXT))

    assert resume.parse_status == "parsed"
    assert len(resume.extracted_text) <= 50


# --- skills --------------------------------------------------------------------------------


def test_vocabulary_skills_are_suggested_without_overwriting_the_profile(candidate):
    CandidateSkillFactory(candidate=candidate, name="JS", normalized_name="js", level="expert", years=8)
    CandidateSkillFactory(candidate=candidate, name="Django", normalized_name="django", level="advanced")
    text = b"Full-stack developer: JavaScript, Django, PostgreSQL and Kubernetes."

    parsed(make_resume(candidate, text, resume_files.TEXT))

    own = sorted(candidate.skills.filter(source="profile").values_list("name", "level", "years"))
    assert own == [("Django", "advanced", None), ("JS", "expert", 8)]
    names = [name for name, _ in suggestions(candidate)]
    assert "PostgreSQL" in names
    assert "Kubernetes" in names
    # JavaScript is the candidate's own "JS"; Django is listed already.
    assert "JavaScript" not in names
    assert "Django" not in names
    assert {level for _, level in suggestions(candidate)} == {"beginner"}


def test_suggestions_follow_the_resumes(candidate):
    first = parsed(make_resume(candidate, b"Python and Terraform engineer", resume_files.TEXT))
    assert {"Python", "Terraform"} <= {name for name, _ in suggestions(candidate)}

    first.delete()
    parsed(make_resume(candidate, b"Python engineer", resume_files.TEXT))

    names = {name for name, _ in suggestions(candidate)}
    assert "Python" in names
    assert "Terraform" not in names


def test_saving_profile_skills_keeps_suggestions(candidate):
    from candidates.services.profiles import candidate_update

    parsed(make_resume(candidate, b"Python and Terraform engineer", resume_files.TEXT))

    candidate_update(actor=candidate.user, candidate=candidate, skills=[{"name": "Python", "level": "expert"}])

    assert ("Terraform", "beginner") in suggestions(candidate)
    assert CandidateSkill.objects.get(candidate=candidate, normalized_name="python").source == "profile"


def test_a_profile_skill_supersedes_its_suggestion_in_any_spelling(candidate):
    from candidates.services.profiles import candidate_update

    parsed(make_resume(candidate, b"JavaScript and Terraform engineer", resume_files.TEXT))
    assert ("JavaScript", "beginner") in suggestions(candidate)

    candidate_update(actor=candidate.user, candidate=candidate, skills=[{"name": "JS", "level": "expert"}])

    assert suggestions(candidate) == [("Terraform", "beginner")]
    assert list(candidate.skills.filter(source="profile").values_list("name", flat=True)) == ["JS"]


def test_a_parse_queues_rematching_for_the_candidate(candidate, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    real = queueing.send_task_by_name

    def watch(name, args, **options):  # type: ignore[no-untyped-def]
        queued.append((name, list(args)))
        return real(name, args, **options)

    monkeypatch.setattr(queueing, "send_task_by_name", watch)
    resume = make_resume(candidate, b"Python developer", resume_files.TEXT)

    with django_capture_on_commit_callbacks(execute=True):
        resume_parse(resume_id=resume.pk)

    assert (dispatch.RANK_JOBS_FOR_CANDIDATE, [candidate.pk]) in queued


def test_rematching_scores_with_the_resume_text(candidate, open_job):
    from applications.models import Match

    assert not Match.objects.filter(candidate=candidate, job=open_job).exists()
    parsed(make_resume(candidate, b"Python Django PostgreSQL developer", resume_files.TEXT))

    assert Match.objects.filter(candidate=candidate, job=open_job).exists()


# --- idempotence ---------------------------------------------------------------------------


def test_parsing_twice_changes_nothing(candidate):
    resume = parsed(make_resume(candidate, b"Python developer", resume_files.TEXT))
    before = (resume.parsed_at, resume.extracted_text, suggestions(candidate))

    assert resume_parse(resume_id=resume.pk) is None

    resume.refresh_from_db()
    assert (resume.parsed_at, resume.extracted_text, suggestions(candidate)) == before


def test_a_resume_left_processing_by_a_dead_worker_is_taken_up_again(candidate):
    resume = make_resume(candidate, b"Python developer", resume_files.TEXT)
    Resume.objects.filter(pk=resume.pk).update(parse_status="processing")

    resume = parsed(resume)

    assert resume.parse_status == "parsed"


def test_a_deleted_resume_is_nothing_to_do(candidate):
    resume = make_resume(candidate, b"Python developer", resume_files.TEXT)
    Resume.objects.filter(pk=resume.pk).delete()

    assert parse_resume.delay(resume.pk).get() is None


def test_reparse_reads_the_file_again(candidate):
    resume = parsed(make_resume(candidate, b"Python developer", resume_files.TEXT))
    Resume.objects.filter(pk=resume.pk).update(extracted_text="stale", parse_status="failed", parse_error="old")

    resume = reparsed(resume)

    assert resume.parse_status == "parsed"
    assert resume.extracted_text == "Python developer"
    assert resume.parse_error == ""


# --- failure modes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "words"),
    [
        (samples.encrypted_pdf(["Python developer"]), resume_files.PDF, "password"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 8, resume_files.PDF, "damaged"),
        (samples.pdf(["Python developer"])[:150], resume_files.PDF, "damaged"),
        (samples.pdf([]), resume_files.PDF, "no text"),
        (samples.pdf_bomb(), resume_files.PDF, "decompression bomb"),
        (samples.docx_file([]), DOCX, "no text"),
        (samples.docx_corrupt(), DOCX, "damaged"),
        (samples.docx_bomb(), DOCX, "decompression bomb"),
        (samples.docx_many_members(), DOCX, "decompression bomb"),
        (samples.docx_lying_bomb(), DOCX, "damaged"),
        (b" \n\t \n", resume_files.TEXT, "no text"),
    ],
    ids=[
        "encrypted-pdf",
        "corrupt-pdf",
        "truncated-pdf",
        "pdf-without-text",
        "pdf-bomb",
        "empty-docx",
        "corrupt-docx",
        "docx-bomb",
        "docx-many-members",
        "docx-bomb-lying-about-its-size",
        "blank-text",
    ],
)
def test_bad_files_end_as_a_failed_parse_with_a_reason(candidate, data, content_type, words):
    resume = parsed(make_resume(candidate, data, content_type))

    assert resume.parse_status == "failed"
    assert words in resume.parse_error.lower()
    assert resume.extracted_text == ""
    assert resume.parsed_at is not None
    assert suggestions(candidate) == []


def test_a_pdf_with_too_many_pages_fails(candidate, settings):
    settings.RESUME_MAX_PAGES = 2

    resume = parsed(make_resume(candidate, samples.pdf(["a"], ["b"], ["c"]), resume_files.PDF))

    assert resume.parse_status == "failed"
    assert "3 pages" in resume.parse_error


def test_a_parser_over_its_time_is_stopped(candidate, settings):
    settings.RESUME_PARSE_TIMEOUT_SECONDS = 0.001

    resume = parsed(make_resume(candidate, samples.pdf(["Python developer"]), resume_files.PDF))

    assert resume.parse_status == "failed"
    assert "took longer" in resume.parse_error


def test_a_parser_over_its_memory_is_stopped(candidate, settings):
    settings.RESUME_PARSE_MAX_MEMORY_MB = 16

    resume = parsed(make_resume(candidate, samples.pdf(["Python developer"]), resume_files.PDF))

    assert resume.parse_status == "failed"
    assert "memory" in resume.parse_error


def test_a_missing_file_fails_the_parse(candidate, resume_dir):
    resume = make_resume(candidate, b"Python developer", resume_files.TEXT)
    resume.file.storage.delete(resume.file.name)

    resume = parsed(resume)

    assert resume.parse_status == "failed"
    assert "upload the resume again" in resume.parse_error


def test_a_failed_reparse_drops_the_old_text_and_suggestions(candidate, resume_dir):
    resume = parsed(make_resume(candidate, b"Python developer", resume_files.TEXT))
    assert suggestions(candidate) != []
    resume.file.storage.delete(resume.file.name)

    resume = reparsed(resume)

    assert resume.parse_status == "failed"
    assert resume.extracted_text == ""
    assert suggestions(candidate) == []
