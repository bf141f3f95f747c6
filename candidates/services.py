"""Writes for candidate profiles, their skills and their resume files.

Writes record internal domain events in the outbox (``candidate.profile_changed``,
``candidate.resumes_changed``, ``resume.parse_requested``, ``account.signup_attempt``);
ranking, resume parsing and the signup-attempt email are ``candidates/subscribers.py``'s,
after commit.
"""

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates import resume_files
from candidates.choices import ParseStatus, SkillSource
from candidates.errors import CandidateAlreadyLinked, CandidateEmailTaken, InvalidCandidate, InvalidResume
from candidates.links import link_sign
from candidates.models import Candidate, CandidateSkill, Resume
from candidates.storage import storage_signs_urls
from hotgigs.accounts import policies
from hotgigs.accounts.errors import EmailTaken
from hotgigs.accounts.models import User
from hotgigs.accounts.selectors import user_get_by_email
from hotgigs.accounts.services import user_create, user_validate_new
from hotgigs.ai.vocabulary import canonical_skill, skill_display_name, skills_in_text
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "headline",
    "summary",
    "years_experience",
    "location",
    "open_to_remote",
    "discoverable",
    "consent",
    "skills",
)
SKILL_LEVELS = ("beginner", "intermediate", "advanced", "expert")
MAX_SKILLS = 100


def normalize_skill_name(name: str) -> str:
    """Lower-case, trim and collapse whitespace (the same key jobs use)."""
    return " ".join(name.split()).lower()


# ASCII digits, spaces and + - ( ) . only; the API schema states this same pattern.
PHONE_PATTERN = r"^[0-9+\-() .]*$"


def _text(data: Mapping[str, Any], field: str, max_length: int, required: bool, errors: dict[str, list[str]]) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = ["Must be a string."]
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = ["This field may not be blank."]
    elif len(value) > max_length:
        errors[field] = [f"At most {max_length} characters."]
    return value


def _bool(data: Mapping[str, Any], field: str, errors: dict[str, list[str]]) -> bool:
    value = data.get(field, False)
    if not isinstance(value, bool):
        errors[field] = ["Must be true or false."]
        return False
    return value


def _skills(value: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) > MAX_SKILLS:
        errors["skills"] = [f"Must be a list of at most {MAX_SKILLS} {{name, level, years}} objects."]
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            problems.append(f"Item {index}: must be an object or a name.")
            continue
        name = item.get("name")
        level = item.get("level", "intermediate")
        years = item.get("years")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
            problems.append(f"Item {index}: name must be 1 to 100 characters.")
        elif level not in SKILL_LEVELS:
            problems.append(f"Item {index}: level must be one of {', '.join(SKILL_LEVELS)}.")
        elif years is not None and (isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 70):
            problems.append(f"Item {index}: years must be a whole number from 0 to 70.")
        elif normalize_skill_name(name) in seen:
            problems.append(f"Item {index}: {name.strip()!r} is listed twice.")
        else:
            key = normalize_skill_name(name)
            seen.add(key)
            cleaned.append({"name": " ".join(name.split()), "normalized_name": key, "level": level, "years": years})
    if problems:
        errors["skills"] = problems
    return cleaned


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidCandidate(details={"non_field_errors": ["Expected an object of profile fields."]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        errors["non_field_errors"] = [f"Unknown or read-only fields: {', '.join(unknown)}."]
    cleaned: dict[str, Any] = {
        "full_name": _text(data, "full_name", 200, True, errors),
        "email": _text(data, "email", 254, True, errors).lower(),
        "phone": _text(data, "phone", 32, False, errors),
        "headline": _text(data, "headline", 200, False, errors),
        "summary": _text(data, "summary", 20_000, False, errors),
        "location": _text(data, "location", 200, False, errors),
        "open_to_remote": _bool(data, "open_to_remote", errors),
        "discoverable": _bool(data, "discoverable", errors),
        "consent": _bool(data, "consent", errors),
        "skills": _skills(data.get("skills", []), errors),
    }
    if cleaned["email"] and "email" not in errors:
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            errors["email"] = ["Enter a valid email address."]
    years = data.get("years_experience", 0)
    if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 70:
        errors["years_experience"] = ["Must be a whole number from 0 to 70."]
    cleaned["years_experience"] = years
    if cleaned["phone"] and not re.search(PHONE_PATTERN, cleaned["phone"]):
        errors["phone"] = ["Digits, spaces and + - ( ) . only."]
    if errors:
        raise InvalidCandidate(details=errors)
    return cleaned


def _replace_skills(candidate: Candidate, skills: list[dict[str, Any]]) -> None:
    candidate.skills.filter(source=SkillSource.PROFILE).delete()
    # A profile skill supersedes a resume suggestion of the same name, in any spelling the
    # vocabulary knows ("JS" supersedes a suggested "JavaScript").
    candidate.skills.filter(normalized_name__in=[s["normalized_name"] for s in skills]).delete()
    keys = {canonical_skill(s["name"]) for s in skills}
    suggested = candidate.skills.filter(source=SkillSource.RESUME).values_list("pk", "name")
    superseded = [pk for pk, name in suggested if canonical_skill(name) in keys]
    if superseded:
        CandidateSkill.objects.filter(pk__in=superseded).delete()
    CandidateSkill.objects.bulk_create(
        [CandidateSkill(candidate=candidate, source=SkillSource.PROFILE, **skill) for skill in skills]
    )


def _save(candidate: Candidate) -> None:
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise CandidateEmailTaken(details={"email": ["A candidate with this email address already exists."]}) from None


def candidate_current_data(candidate: Candidate) -> dict[str, Any]:
    """The candidate's editable fields as ``candidate_create`` takes them."""
    data: dict[str, Any] = {f: getattr(candidate, f) for f in EDITABLE_FIELDS if f not in ("consent", "skills")}
    data["consent"] = candidate.consent_at is not None
    data["skills"] = [
        {"name": s.name, "level": s.level, "years": s.years}
        for s in candidate.skills.filter(source=SkillSource.PROFILE).order_by("name")
    ]
    return data


@transaction.atomic
def candidate_create(*, actor: User, data: Mapping[str, Any], for_self: bool = True) -> Candidate:
    """Create a candidate profile.

    With ``for_self`` the profile belongs to ``actor`` (a candidate signing up; raises
    CandidateAlreadyLinked if they have one). Otherwise a recruiter or staff member adds a
    sourced candidate without a login (raises Forbidden for anyone else). Raises
    InvalidCandidate for bad input and CandidateEmailTaken for a duplicate email.
    """
    if not for_self and not policies.may_recruit(actor):
        raise Forbidden("Only recruiters may add candidates.")
    if for_self and Candidate.objects.filter(user_id=actor.pk).exists():
        raise CandidateAlreadyLinked()
    cleaned = _clean(data)
    skills = cleaned.pop("skills")
    consent = cleaned.pop("consent")
    if Candidate.objects.filter(email__iexact=cleaned["email"]).exists():
        raise CandidateEmailTaken(details={"email": ["A candidate with this email address already exists."]})
    candidate = Candidate(
        user=actor if for_self else None,
        created_by=actor,
        consent_at=timezone.now() if consent else None,
        **cleaned,
    )
    _save(candidate)
    _replace_skills(candidate, skills)
    _profile_changed(candidate.pk)
    return candidate


def _profile_changed(candidate_id: int) -> None:
    record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": candidate_id})


def _resumes_changed(candidate_id: int) -> None:
    record(catalogue.CANDIDATE_RESUMES_CHANGED, data={"candidate_id": candidate_id})


def _parse_requested(resume: Resume) -> None:
    record(catalogue.RESUME_PARSE_REQUESTED, data={"resume_id": resume.pk, "candidate_id": resume.candidate_id})


def _may_edit(actor: User, candidate: Candidate) -> bool:
    # Recruiters keep the profiles of candidates their organization sourced (no login) up to
    # date; seeing a profile (an applicant, a discoverable one) is not enough to rewrite it.
    return policies.may_edit_candidate(
        actor, candidate_user_id=candidate.user_id, created_by_id=candidate.created_by_id
    )


@transaction.atomic
def candidate_update(*, actor: User, candidate: Candidate, data: Mapping[str, Any]) -> Candidate:
    """Change some fields of a profile (``skills``, when given, replaces the profile skills).

    The candidate edits their own profile; recruiters may edit candidates without a login
    that a member of their organization sourced; staff anyone. Raises Forbidden,
    InvalidCandidate or CandidateEmailTaken, changing nothing.
    """
    if not _may_edit(actor, candidate):
        raise Forbidden("You may not edit this candidate profile.")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    cleaned = _clean({**candidate_current_data(candidate), **data})
    skills = cleaned.pop("skills")
    consent = cleaned.pop("consent")
    if Candidate.objects.filter(email__iexact=cleaned["email"]).exclude(pk=candidate.pk).exists():
        raise CandidateEmailTaken(details={"email": ["A candidate with this email address already exists."]})
    for field, value in cleaned.items():
        setattr(candidate, field, value)
    if consent and candidate.consent_at is None:
        candidate.consent_at = timezone.now()
    elif not consent:
        candidate.consent_at = None
    _save(candidate)
    if "skills" in data:
        _replace_skills(candidate, skills)
    _profile_changed(candidate.pk)
    return candidate


@transaction.atomic
def candidate_register(
    *, email: str, password: str, full_name: str, profile: Mapping[str, Any] | None = None
) -> Candidate | None:
    """Sign up a candidate: a login and its profile, created together or not at all.

    ``profile`` holds optional profile fields (headline, skills, …). Everything is validated
    first (InvalidAccountInput, InvalidCandidate), whether or not the address is in use.
    When a user already has the address, nothing is created and None is returned: that
    user is told by email, at most once an hour, that someone tried to sign up with it, and
    the caller answers exactly as for a new account, so sign-up reveals no account. The
    password is hashed either way, so both take the same time. Raises CandidateEmailTaken
    when a sourced candidate (without a login) already has the address.
    """
    clean_email = user_validate_new(email=email, password=password, full_name=full_name)
    _clean({**(profile or {}), "full_name": full_name, "email": clean_email})
    existing = user_get_by_email(email=clean_email)
    if existing is not None:
        make_password(password)
        # The holder is told by email, at most once an hour (candidates/subscribers.py).
        record(catalogue.ACCOUNT_SIGNUP_ATTEMPT, data={"user_id": existing.pk})
        return None
    try:
        with transaction.atomic():
            user = user_create(email=clean_email, password=password, full_name=full_name)
            return candidate_create(actor=user, data={**(profile or {}), "full_name": full_name, "email": user.email})
    except EmailTaken:  # registered by a concurrent request since the lookup above
        return None


# --- resumes -------------------------------------------------------------------------------

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


def _delete_file_on_commit(storage: Storage, name: str) -> None:
    """Delete a stored file once the transaction commits (a rolled-back delete keeps it). A
    storage error is logged and fails nothing: the row is gone, the file is an orphan."""

    def delete_file() -> None:
        storage.delete(name)

    transaction.on_commit(delete_file, robust=True)


@transaction.atomic
def resume_delete(*, actor: User, resume: Resume) -> None:
    """Remove a resume: its row now, its file once the transaction commits.

    Allowed for whoever may edit the profile (the candidate themself, staff, recruiters
    of the organization that sourced a candidate without a login); Forbidden otherwise.
    The candidate's resume suggestions are recomputed and ranking is queued.
    """
    candidate = Candidate.objects.select_for_update().get(pk=resume.candidate_id)
    if not _may_edit(actor, candidate):
        raise Forbidden("You may not remove resumes of this candidate.")
    storage, name = resume.file.storage, resume.file.name
    Resume.objects.filter(pk=resume.pk).delete()
    # After commit: a rolled-back delete must still find its file.
    _delete_file_on_commit(storage, name)
    _suggest_skills(candidate.pk)
    _resumes_changed(candidate.pk)
    logger.info("resume deleted", extra={"resume_id": resume.pk, "candidate_id": candidate.pk, "actor_id": actor.pk})


@transaction.atomic
def candidate_delete(*, actor: User, candidate: Candidate) -> None:
    """Erase a candidate profile with its skills, resumes and resume files (staff only).

    Rows go now; the files once the transaction commits, so a rolled-back delete keeps
    them. Raises Forbidden for anyone but staff.
    """
    if not policies.is_staff(actor):
        raise Forbidden("Only staff may erase candidate profiles.")
    files = [(resume.file.storage, resume.file.name) for resume in Resume.objects.filter(candidate_id=candidate.pk)]
    Candidate.objects.filter(pk=candidate.pk).delete()
    for storage, name in files:
        _delete_file_on_commit(storage, name)
    logger.info("candidate erased", extra={"candidate_id": candidate.pk, "actor_id": actor.pk, "files": len(files)})


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
