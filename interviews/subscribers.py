"""What the interviews app does when its events commit (registered in ``AppConfig.ready``).

* ``interviews.notify`` (Celery): a scheduled, rescheduled or cancelled interview tells the
  candidate and the panel, in the app and by email with the calendar entry (same ``UID``
  per interview, ``SEQUENCE`` raised each time, ``METHOD:CANCEL`` to remove it). Keyed by
  the interview (and the outbox event, for reschedules), so a retried dispatch tells nobody
  twice.
* ``interviews.cache`` (after commit, in-process): the organization's analytics change.
"""

from hotgigs import cache
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import Recorded, after_commit, on_worker
from hotgigs.notifications.calendar import CalendarEntry
from hotgigs.notifications.choices import NotificationKind, RecipientRole
from hotgigs.notifications.services import notify
from interviews.choices import InterviewKind
from interviews.models import Interview
from interviews.services import interview_when

# Which notification each event sends; the key makes it once per event.
NOTICES = {
    catalogue.INTERVIEW_SCHEDULED: NotificationKind.INTERVIEW_SCHEDULED,
    catalogue.INTERVIEW_RESCHEDULED: NotificationKind.INTERVIEW_RESCHEDULED,
    catalogue.INTERVIEW_CANCELLED: NotificationKind.INTERVIEW_CANCELLED,
}
INTERVIEW_EVENTS = (
    catalogue.INTERVIEW_SCHEDULED,
    catalogue.INTERVIEW_RESCHEDULED,
    catalogue.INTERVIEW_CANCELLED,
    catalogue.INTERVIEW_COMPLETED,
    catalogue.INTERVIEW_NO_SHOW,
)


def _event_key(event: OutboxEvent, interview_id: int) -> str:
    if event.type == catalogue.INTERVIEW_RESCHEDULED:
        # An interview may move several times; each move is its own notice.
        return f"{event.type}:{interview_id}:{event.pk}"
    return f"{event.type}:{interview_id}"


@on_worker("interviews.notify", types=tuple(NOTICES))
def notify_panel_and_candidate(event: OutboxEvent) -> None:
    interview = (
        Interview.objects.select_related("application__job__organization", "application__candidate")
        .filter(pk=event.data["id"])
        .first()
    )
    if interview is None:
        return
    application = interview.application
    panel = list(interview.interviewers.values_list("pk", "email"))
    recipients = dict.fromkeys((pk for pk, _ in panel), RecipientRole.INTERVIEWER)
    attendees = [email for _, email in panel]
    if application.candidate.user_id:
        recipients[application.candidate.user_id] = RecipientRole.CANDIDATE
        attendees.insert(0, application.candidate.email)
    job = application.job
    notify(
        kind=NOTICES[event.type],
        event_key=_event_key(event, interview.pk),
        recipients=recipients,
        context={
            "interview_id": interview.pk,
            "job_title": job.title,
            **event.data,
            "organization_name": job.organization.name,
            "candidate_name": application.candidate.full_name,
            "interview_kind_label": str(InterviewKind(interview.kind).label),
            "location": interview.location,
            "meeting_url": interview.meeting_url,
            "when": interview_when(interview),
            "path": f"/interviews/{interview.pk}",
        },
        calendar=CalendarEntry(
            key=f"interview-{interview.pk}",
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
            summary=f"Interview: {application.candidate.full_name} for {job.title} ({job.organization.name})",
            location=interview.location or interview.meeting_url,
            url=interview.meeting_url,
            cancelled=event.type == catalogue.INTERVIEW_CANCELLED,
            attendees=tuple(attendees),
        ),
    )


@after_commit("interviews.cache", types=INTERVIEW_EVENTS)
def invalidate_analytics(recorded: list[Recorded]) -> None:
    for organization_id in {item.event.organization_id for item in recorded}:
        if organization_id is not None:
            cache.invalidate(organization_id=organization_id, analytics=True)
