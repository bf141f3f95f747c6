"""iCalendar (RFC 5545) invitations attached to interview emails.

One calendar entry keeps one ``UID`` for its whole life; every update (reschedule, cancel)
raises its ``SEQUENCE`` (stored in :class:`CalendarSequence`), so calendar clients replace
the entry they hold instead of adding a second one. Times are written in UTC.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from hotgigs.notifications.models import CalendarSequence

PRODID = "-//HotGigs//Interviews//EN"


@dataclass(frozen=True)
class CalendarEntry:
    """What a calendar invitation says. ``key`` is stable per entry (``interview-12``)."""

    key: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    attendees: tuple[str, ...] = field(default_factory=tuple)


def calendar_uid(key: str) -> str:
    """The entry's ``UID``: its key at the deployment's domain, the same on every update."""
    host = urlsplit(settings.FRONTEND_URL).hostname or "hotgigs.localhost"
    return f"{key}@{host}"


def calendar_next_sequence(uid: str) -> int:
    """0 for a new entry, then one more on each call (under a row lock, so never twice the same)."""
    row, created = CalendarSequence.objects.select_for_update().get_or_create(uid=uid)
    if created:
        return 0
    CalendarSequence.objects.filter(pk=row.pk).update(sequence=F("sequence") + 1)
    return row.sequence + 1


def calendar_ics(entry: CalendarEntry, *, sequence: int) -> str:
    """The ``.ics`` text: METHOD:REQUEST for an invitation or update, METHOD:CANCEL to withdraw it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if entry.cancelled else "REQUEST")
    event = Event()
    event.add("uid", calendar_uid(entry.key))
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", entry.starts_at.astimezone(UTC))
    event.add("dtend", entry.ends_at.astimezone(UTC))
    event.add("summary", entry.summary)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    _, organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if organizer:
        who = vCalAddress(f"mailto:{organizer}")
        who.params["cn"] = vText(settings.HOTGIGS_PRODUCT_NAME)
        event.add("organizer", who)
    for email in entry.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical().decode()
