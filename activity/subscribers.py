"""What the activity app does when its events commit (registered in ``AppConfig.ready``).

* ``activity.notify_mentions`` (Celery): the members a note names for the first time
  (``context.mentioned_ids`` of ``note.created`` / ``note.updated``) get a ``note.mentioned``
  notification: in-app (pushed on their ``notifications`` channel) and by email. Each is keyed
  by the note and the member, so a retried dispatch or a later edit tells nobody twice; a
  member who left the organization meanwhile is not told.
"""

from typing import Any

from activity.models import Note
from hotgigs.accounts import policies
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import on_worker
from hotgigs.notifications.choices import NotificationKind, RecipientRole
from hotgigs.notifications.services import notify

EXCERPT = 280


@on_worker("activity.notify_mentions", types=(catalogue.NOTE_CREATED, catalogue.NOTE_UPDATED))
def notify_mentions(event: OutboxEvent) -> None:
    mentioned = [int(uid) for uid in event.context.get("mentioned_ids") or []]
    if not mentioned:
        return
    note = (
        Note.objects.select_related("author", "candidate", "application__job", "organization")
        .filter(pk=event.data["id"])
        .first()
    )
    if note is None:
        return
    members = policies.organization_member_ids(note.organization_id, among=mentioned) - {note.author_id}
    if not members:
        return
    author = note.author
    context: dict[str, Any] = {
        "note_id": note.pk,
        "candidate_id": note.candidate_id,
        "candidate_name": note.candidate.full_name,
        "application_id": note.application_id,
        "job_title": note.application.job.title if note.application is not None else "",
        "organization_name": note.organization.name,
        "author_name": (author.full_name or author.email) if author is not None else "",
        "excerpt": note.body if len(note.body) <= EXCERPT else note.body[: EXCERPT - 1] + "…",
        "path": f"/applications/{note.application_id}" if note.application_id else f"/candidates/{note.candidate_id}",
    }
    for user_id in sorted(members):
        notify(
            kind=NotificationKind.NOTE_MENTIONED,
            event_key=f"{NotificationKind.NOTE_MENTIONED}:{note.pk}:{user_id}",
            recipients={user_id: RecipientRole.TEAM},
            context=context,
        )
