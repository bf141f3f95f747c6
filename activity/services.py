"""Writes of notes: create, edit, delete; the ``@mentions`` they carry.

A note is the hiring team's: it belongs to one organization and only that organization's
members (and staff) read it, never the candidate. Only its author edits or deletes it.

Mentions: ``@`` followed by a member's email address (``@ana@acme.example``), anywhere in
the body. Every address mentioned must be a member of the note's organization; a note that
names anybody else is refused whole (VALIDATION_ERROR on ``body``, naming the addresses),
so nobody outside the team is told and the author knows at once. Mentioning oneself is
allowed and tells nobody. Editing a note tells only the members it names for the first
time.

Each write records ``note.created``, ``.updated`` or ``.deleted`` (to the organization
only) and nothing else: ``activity/subscribers.py`` tells the mentioned members (in-app,
email, realtime through ``notification.created``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from activity.models import Note
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events import catalogue
from hotgigs.events.audiences import group_for_organization
from hotgigs.events.outbox import record

if TYPE_CHECKING:
    # Annotations only: the rows come from the applications and candidates selectors.
    from applications.models import Application
    from candidates.models import Candidate

MAX_NOTE = 10_000
# ``@`` + an email address, not inside a word or an address (``x@y`` is no mention of ``y``).
MENTION = re.compile(r"(?<![\w.+%@-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def mentioned_emails(body: str) -> list[str]:
    """The addresses ``body`` mentions, lower-cased, in order, each once."""
    return list(dict.fromkeys(match.lower() for match in MENTION.findall(body)))


def _clean_body(body: str) -> str:
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise ValidationFailed(details={"body": ["Write something."]})
    if len(text) > MAX_NOTE:
        raise ValidationFailed(details={"body": [f"Keep a note to {MAX_NOTE} characters."]})
    return text


def _mentioned_members(*, organization_id: int, job_id: int | None, body: str) -> list[int]:
    """Ids of the members ``body`` mentions; ValidationFailed naming any address that is not one,
    or that is a member who may not read the note (``note_list``'s rule: a full seat; on an
    application, also a hiring manager of its job; never an interviewer seat). A mention is
    an invitation to read: nobody is told of a note they cannot open."""
    emails = mentioned_emails(body)
    if not emails:
        return []
    users = {user.email: user for user in User.objects.filter(email__in=emails, is_active=True)}
    members = policies.organization_member_ids(organization_id, among=[user.pk for user in users.values()])
    unknown = [email for email in emails if email not in users or users[email].pk not in members]
    if unknown:
        raise ValidationFailed(
            "Only members of the organization can be mentioned.",
            details={"body": [f"Not a member of this organization: {', '.join(unknown)}."]},
        )

    def may_read(user: User) -> bool:
        if job_id is None:
            return policies.is_member(user, organization_id)
        return policies.may_manage_job(user, organization_id=organization_id, job_id=job_id)

    unreadable = [email for email in emails if not may_read(users[email])]
    if unreadable:
        raise ValidationFailed(
            "Only members who may read the note can be mentioned.",
            details={"body": [f"May not read notes here: {', '.join(unreadable)}."]},
        )
    return [users[email].pk for email in emails]


def note_event_data(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "organization_id": note.organization_id,
        "candidate_id": note.candidate_id,
        "application_id": note.application_id,
        "author_id": note.author_id,
    }


def _record(note: Note, event: str, *, actor: User, mentioned: list[int]) -> None:
    record(
        event,
        data=note_event_data(note),
        audiences=[group_for_organization(note.organization_id)],
        context={"actor_id": actor.pk, "mentioned_ids": [uid for uid in mentioned if uid != actor.pk]},
    )


def _organization_for_candidate_note(actor: User, organization_id: int | None) -> int:
    if organization_id is not None:
        if not policies.may_manage_organization(actor, organization_id):
            raise ValidationFailed(details={"organization_id": ["You are not a member of this organization."]})
        return organization_id
    own = sorted(policies.organization_ids(actor))
    if len(own) != 1:
        raise ValidationFailed(details={"organization_id": ["Name the organization this note is for."]})
    return own[0]


@transaction.atomic
def note_create(
    *,
    actor: User,
    body: str,
    application: Application | None = None,
    candidate: Candidate | None = None,
    organization_id: int | None = None,
) -> Note:
    """Write a note on ``application`` (for its job's organization) or on ``candidate``.

    A candidate note is for ``organization_id``, which may be left out by a member of exactly
    one organization. The caller has looked the row up through its selector (the actor sees
    it). Raises Forbidden unless the actor is of the hiring team (staff, or a member of the
    organization), ValidationFailed for a blank or over-long body, a mention of anyone but a
    member, or a missing or foreign organization; nothing is written then.
    """
    text = _clean_body(body)
    if application is not None:
        organization = application.job.organization_id
        if not policies.may_manage_job(actor, organization_id=organization, job_id=application.job_id):
            raise Forbidden("Only the hiring team writes notes on an application.")
        candidate_id = application.candidate_id
    elif candidate is not None:
        if not policies.may_recruit(actor):
            raise Forbidden("Only the hiring team writes notes on a candidate.")
        organization = _organization_for_candidate_note(actor, organization_id)
        candidate_id = candidate.pk
    else:
        raise ValueError("Give an application or a candidate.")
    job_id = application.job_id if application is not None else None
    mentioned = _mentioned_members(organization_id=organization, job_id=job_id, body=text)
    note = Note.objects.create(
        organization_id=organization,
        candidate_id=candidate_id,
        application=application,
        author=actor,
        body=text,
        created_at=timezone.now(),
    )
    if mentioned:
        note.mentions.set(mentioned)
    _record(note, catalogue.NOTE_CREATED, actor=actor, mentioned=mentioned)
    return note


def _author_only(actor: User, note: Note) -> None:
    if not policies.may_change_note(actor, author_id=note.author_id):
        raise Forbidden("Only the note's author may change it.")


@transaction.atomic
def note_update(*, actor: User, note: Note, body: str) -> Note:
    """The author rewrites their note; members mentioned for the first time are told.

    Raises Forbidden for anyone but the author, ValidationFailed as :func:`note_create`.
    """
    _author_only(actor, note)
    text = _clean_body(body)
    job_id = note.application.job_id if note.application is not None else None
    mentioned = _mentioned_members(organization_id=note.organization_id, job_id=job_id, body=text)
    note = Note.objects.select_for_update().get(pk=note.pk)
    before = set(note.mentions.values_list("pk", flat=True))
    note.body = text
    note.edited_at = timezone.now()
    note.save(update_fields=["body", "edited_at"])
    note.mentions.set(mentioned)
    _record(note, catalogue.NOTE_UPDATED, actor=actor, mentioned=[uid for uid in mentioned if uid not in before])
    return note


@transaction.atomic
def note_delete(*, actor: User, note: Note) -> None:
    """The author deletes their note. Raises Forbidden for anyone else."""
    _author_only(actor, note)
    data_note = Note.objects.select_for_update().get(pk=note.pk)
    _record(data_note, catalogue.NOTE_DELETED, actor=actor, mentioned=[])
    data_note.delete()


# --- the bulk endpoint's "note" (registered with applications in apps.py) ----------------------


def bulk_note_check(params: dict[str, Any]) -> None:
    """Refuse a blank or over-long note once, before any application is touched."""
    _clean_body(params.get("body", ""))


def bulk_note_run(actor: User, application: Application, params: dict[str, Any]) -> None:
    """Write the bulk note on one application (a mention of a non-member fails that one)."""
    note_create(actor=actor, application=application, body=params["body"])


def notes_personal_data_erase(*, candidate_id: int) -> dict[str, int]:
    """Delete every note on the person and their applications (they are about them). No access
    check (privacy/services.py decides); runs in the caller's transaction."""
    _, deleted = Note.objects.filter(candidate_id=candidate_id).delete()
    return {"notes": deleted.get(Note._meta.label, 0)}
