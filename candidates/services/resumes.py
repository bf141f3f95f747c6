"""Writes of resume files: upload, parse, reparse, delete, and the links that download them.

An upload records ``resume.parse_requested`` (the parse runs on Celery, after commit); a
parse or delete that changes a candidate's text or suggested skills records
``candidate.resumes_changed``.
"""

import hashlib
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from candidates import resume_files
from candidates.choices import ParseStatus, SkillSource
from candidates.errors import InvalidResume
from candidates.links import link_sign
from candidates.models import Candidate, CandidateSkill, Resume
from candidates.services.profiles import may_edit_profile, normalize_skill_name
from candidates.storage import file_delete_on_commit, storage_signs_urls
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.ai.vocabulary import canonical_skill, skill_display_name, skills_in_text
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record

logger = logging.getLogger(__name__)

PARSE_RESUME_TASK = "candidates.parse_resume"
# A candidate keeps at most this many resume files (older ones can be removed by staff).
RESUME_MAX_PER_CANDIDATE = 20
# Skills suggested from resumes, at most; suggestions count as beginner level, as the
# matching engine counts a skill found only in text.
MAX_RESUME_SUGGESTIONS = 50
SUGGESTION_LEVEL = "beginner"
ACCEPTED_TYPES = "PDF, DOCX or plain-text (UTF-8) files"


@dataclass(frozen=True)
class ResumeUpload:
    """The outcome of an upload: the resume, and whether it is new (False: same bytes as before)."""

    resume: Resume
    created: bool


@dataclass(frozen=True)
class ResumeLink:
    """A short-lived download link of a resume and when it stops working."""

    url: str
    expires_at: datetime


def _may_upload(actor: User, candidate: Candidate) -> bool:
    # The caller already sees the candidate (selector); a candidate login sees only itself.
    return policies.may_upload_resume(actor, candidate_user_id=candidate.user_id)


def _invalid_file(message: str, **extra: Any) -> InvalidResume:
    return InvalidResume(details={"file": [message], **extra})


def _clean_filename(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:255]


def _read_upload(upload: UploadedFile | None) -> bytes:
    limit = settings.RESUME_MAX_BYTES
    if upload is None:
        raise _invalid_file('No file was sent; send the resume as the multipart field "file".')
    if upload.size is not None and upload.size > limit:
        raise _invalid_file(f"The file is larger than {limit} bytes.", max_bytes=limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _invalid_file(f"The file is larger than {limit} bytes.", max_bytes=limit)
    if not data:
        raise _invalid_file("The file is empty.")
    return data


@transaction.atomic
def resume_upload(*, actor: User, candidate: Candidate, upload: UploadedFile | None) -> ResumeUpload:
    """Store a resume file for the candidate and queue its parsing.

    The candidate themself, recruiters who may see the candidate and staff may upload
    (Forbidden otherwise). The file must be a PDF, DOCX or UTF-8 text file, judged by its
    content, of at most ``RESUME_MAX_BYTES`` and not empty; otherwise InvalidResume, and
    nothing is stored. The same bytes uploaded again for the same candidate return the
    existing resume (``created`` False) and store nothing. Parsing runs on Celery after
    commit (``candidates.parse_resume``).
    """
    if not _may_upload(actor, candidate):
        raise Forbidden("You may not add resumes to this candidate.")
    data = _read_upload(upload)
    content_type = resume_files.sniff_content_type(data)
    if content_type is None:
        raise _invalid_file(f"Only {ACCEPTED_TYPES} are accepted; the type is read from the content, not the name.")
    digest = hashlib.sha256(data).hexdigest()
    # One upload per candidate at a time: the duplicate check and the count hold until commit.
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    existing = Resume.objects.filter(candidate_id=candidate.pk, sha256=digest).first()
    if existing is not None:
        return ResumeUpload(resume=existing, created=False)
    if Resume.objects.filter(candidate_id=candidate.pk).count() >= RESUME_MAX_PER_CANDIDATE:
        raise _invalid_file(f"A candidate keeps at most {RESUME_MAX_PER_CANDIDATE} resumes.")
    filename = _clean_filename(getattr(upload, "name", "") or "")
    resume = Resume(
        candidate=candidate,
        original_filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        parse_status=ParseStatus.PENDING,
    )
    resume.file.save("resume", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            resume.save()
    except Exception:
        resume.file.storage.delete(resume.file.name)
        raise
    _parse_requested(resume)
    logger.info(
        "resume stored",
        extra={"resume_id": resume.pk, "candidate_id": candidate.pk, "content_type": content_type, "size": len(data)},
    )
    return ResumeUpload(resume=resume, created=True)


def _suggest_skills(candidate_id: int) -> bool:
    """Recompute the resume suggestions of a candidate from all their parsed resumes.

    Profile skills are never touched, and a skill the profile lists under any spelling
    is not suggested. Returns whether the suggestions changed.
    """
    found: dict[str, None] = {}
    texts = Resume.objects.filter(candidate_id=candidate_id, parse_status=ParseStatus.PARSED).order_by(
        "-uploaded_at", "-id"
    )
    for text in texts.values_list("extracted_text", flat=True):
        for key in skills_in_text(text):
            found.setdefault(key, None)
    profile = CandidateSkill.objects.filter(candidate_id=candidate_id, source=SkillSource.PROFILE)
    taken = set()
    for name, normalized in profile.values_list("name", "normalized_name"):
        taken.update({canonical_skill(name), normalized})
    wanted: dict[str, str] = {}
    for key in found:
        display = skill_display_name(key)
        normalized = normalize_skill_name(display)
        if key in taken or normalized in taken or normalized in wanted:
            continue
        wanted[normalized] = display
        if len(wanted) >= MAX_RESUME_SUGGESTIONS:
            break
    current = CandidateSkill.objects.filter(candidate_id=candidate_id, source=SkillSource.RESUME)
    have = set(current.values_list("normalized_name", flat=True))
    stale = have - set(wanted)
    if stale:
        current.filter(normalized_name__in=stale).delete()
    CandidateSkill.objects.bulk_create(
        [
            CandidateSkill(
                candidate_id=candidate_id,
                name=display,
                normalized_name=normalized,
                level=SUGGESTION_LEVEL,
                source=SkillSource.RESUME,
            )
            for normalized, display in wanted.items()
            if normalized not in have
        ],
        ignore_conflicts=True,
    )
    return bool(stale) or bool(set(wanted) - have)


def _begin_parse(resume_id: int) -> Resume | None:
    with transaction.atomic():
        resume = Resume.objects.select_for_update().filter(pk=resume_id).first()
        if resume is None or resume.parse_status in (ParseStatus.PARSED, ParseStatus.FAILED):
            return None
        # A resume left "processing" by a worker that died is taken up again (at-least-once).
        resume.parse_status = ParseStatus.PROCESSING
        resume.save(update_fields=["parse_status"])
        return resume


def _read_stored(resume: Resume) -> bytes:
    with resume.file.open("rb") as handle:
        return handle.read(settings.RESUME_MAX_BYTES + 1)  # type: ignore[no-any-return]


def resume_parse(*, resume_id: int) -> Resume | None:
    """Extract the text of a pending resume, suggest its skills and queue rematching.

    Idempotent: a resume already parsed or failed, or gone, is left alone (None). The
    extraction runs outside any transaction, in a bounded child process
    (``candidates.resume_files``); any failure ends as status ``failed`` with a message for
    the uploader in ``parse_error``. After a parse the candidate's resume suggestions are
    recomputed and, when text or suggestions changed, ranking is queued on commit.
    """
    resume = _begin_parse(resume_id)
    if resume is None:
        return None
    text, error, pages = "", "", 0
    try:
        extracted = resume_files.extract_text(_read_stored(resume), resume.content_type)
        text, pages = extracted.text, extracted.pages
    except resume_files.ExtractionFailed as exc:
        error = exc.message
    except OSError:
        logger.warning("resume file unreadable", extra={"resume_id": resume_id}, exc_info=True)
        error = "The stored file could not be read; upload the resume again."
    with transaction.atomic():
        resume = Resume.objects.select_for_update().filter(pk=resume_id).first()
        if resume is None:
            return None
        had_text = bool(resume.extracted_text)
        resume.extracted_text = text
        resume.parse_status = ParseStatus.FAILED if error else ParseStatus.PARSED
        resume.parse_error = error
        resume.parsed_at = timezone.now()
        resume.save(update_fields=["extracted_text", "parse_status", "parse_error", "parsed_at"])
        suggestions_changed = _suggest_skills(resume.candidate_id)
        if text or had_text or suggestions_changed:
            _resumes_changed(resume.candidate_id)
    logger.info(
        "resume parsed",
        extra={"resume_id": resume_id, "status": resume.parse_status, "chars": len(text), "pages": pages},
    )
    return resume


def resume_reparse(*, resume_id: int, inline: bool = False) -> Resume | None:
    """Parse a resume again from its stored file (None if it is gone).

    For staff tools (admin action, ``reparse_resumes``) after the parser improved: the
    resume goes back to ``pending`` and ``candidates.parse_resume`` is queued after commit,
    or, with ``inline``, the parse runs here and now and its outcome is returned.
    """
    with transaction.atomic():
        resume = Resume.objects.select_for_update().filter(pk=resume_id).first()
        if resume is None:
            return None
        resume.parse_status = ParseStatus.PENDING
        resume.parse_error = ""
        resume.save(update_fields=["parse_status", "parse_error"])
        if not inline:
            _parse_requested(resume)
            return resume
    return resume_parse(resume_id=resume_id)


def _resumes_changed(candidate_id: int) -> None:
    record(catalogue.CANDIDATE_RESUMES_CHANGED, data={"candidate_id": candidate_id})


def _parse_requested(resume: Resume) -> None:
    record(catalogue.RESUME_PARSE_REQUESTED, data={"resume_id": resume.pk, "candidate_id": resume.candidate_id})


@transaction.atomic
def resume_delete(*, actor: User, resume: Resume) -> None:
    """Remove a resume: its row now, its file once the transaction commits.

    Allowed for whoever may edit the profile (the candidate themself, staff, recruiters
    of the organization that sourced a candidate without a login); Forbidden otherwise.
    The candidate's resume suggestions are recomputed and ranking is queued.
    """
    candidate = Candidate.objects.select_for_update().get(pk=resume.candidate_id)
    if not may_edit_profile(actor, candidate):
        raise Forbidden("You may not remove resumes of this candidate.")
    storage, name = resume.file.storage, resume.file.name
    Resume.objects.filter(pk=resume.pk).delete()
    # After commit: a rolled-back delete must still find its file.
    file_delete_on_commit(storage, name)
    _suggest_skills(candidate.pk)
    _resumes_changed(candidate.pk)
    logger.info("resume deleted", extra={"resume_id": resume.pk, "candidate_id": candidate.pk, "actor_id": actor.pk})


def resume_download_filename(resume: Resume) -> str:
    """The name a download is saved under: the uploaded name's stem and the sniffed type's extension."""
    stem = PurePath(resume.original_filename).stem if resume.original_filename else ""
    stem = stem or f"resume-{resume.pk}"
    return f"{stem}.{resume_files.EXTENSIONS.get(resume.content_type, 'bin')}"


def resume_download_link(*, actor: User, resume: Resume, local_url: Callable[[str], str]) -> ResumeLink:
    """A download link valid for ``RESUME_LINK_SECONDS``, for a resume the caller may see.

    With S3 storage it is the bucket's presigned URL; otherwise ``local_url(token)``, our
    own download route with a signed token (see ``candidates.links``). The caller must
    have obtained ``resume`` through ``candidates.selectors.resume_get``.
    """
    seconds = settings.RESUME_LINK_SECONDS
    expires_at = timezone.now() + timedelta(seconds=seconds)
    if storage_signs_urls():
        disposition = f'attachment; filename="{resume_download_filename(resume)}"'
        url = resume.file.storage.url(  # type: ignore[call-arg]
            resume.file.name,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": resume.content_type},
            expire=seconds,
        )
        return ResumeLink(url=url, expires_at=expires_at)
    return ResumeLink(url=local_url(link_sign(resume_id=resume.pk, user_id=actor.pk)), expires_at=expires_at)
