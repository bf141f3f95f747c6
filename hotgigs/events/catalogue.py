"""Every domain event HotGigs records, in one place: name, channel, payload, audience, webhooks.

A service records an event by its constant (``catalogue.APPLICATION_SUBMITTED``), never by
a string; realtime pushes it on its channel, webhooks carry it when ``webhook`` is set,
notifications name their kinds after events, and the API documents the same names. A test
(``tests/events/test_catalogue.py``) fails on an event name written as a bare string
anywhere else in the product code.

Each :class:`EventSpec` says:

``channel``
    the WebSocket channel it is pushed on, or None for an internal event that is recorded
    in the outbox for subscribers only and never reaches a client;
``payload``
    the fields of its ``data`` (what clients and webhook receivers get);
``audience``
    who may see it (the channel-layer groups a service names are drawn from these);
``webhook``
    whether an organization's webhook endpoints may subscribe to it;
``webhook_only``
    fields of the payload that webhook receivers get and clients never do (the realtime push
    and its replay leave them out: ``OutboxEvent.as_message``), for what not every member of
    the audience may read yet (a scorecard, hidden from the application's other interviewers
    until they submit their own).

Events may also carry a ``context`` in the outbox (e.g. the actor, the previous stage) for
subscribers; it is never pushed to a client nor sent to a webhook.

This module imports nothing of Django or of any app, so anything (the benches included)
can read it.
"""

from dataclasses import dataclass

# --- channels (the WebSocket protocol's names) -----------------------------------------------

JOB_UPDATES = "job_updates"
APPLICATION_STATUS = "application_status"
INTERVIEW_SCHEDULE = "interview_schedule"
NOTIFICATIONS = "notifications"
CHANNELS: tuple[str, ...] = (JOB_UPDATES, APPLICATION_STATUS, INTERVIEW_SCHEDULE, NOTIFICATIONS)


@dataclass(frozen=True)
class EventSpec:
    """What one event is: see the module docstring."""

    name: str
    channel: str | None
    payload: tuple[str, ...]
    audience: str
    webhook: bool
    description: str
    webhook_only: tuple[str, ...] = ()


EVENTS: dict[str, EventSpec] = {}


def _event(
    name: str,
    *,
    channel: str | None,
    payload: tuple[str, ...],
    audience: str,
    webhook: bool,
    description: str,
    webhook_only: tuple[str, ...] = (),
) -> str:
    if name in EVENTS:
        raise ValueError(f"Event {name} is declared twice.")
    if not set(webhook_only) <= set(payload):
        raise ValueError(f"Event {name}: webhook_only names fields outside its payload.")
    EVENTS[name] = EventSpec(name, channel, payload, audience, webhook, description, webhook_only)
    return name


def client_data(name: str, data: dict[str, object]) -> dict[str, object]:
    """``data`` as clients receive it: without the event's ``webhook_only`` fields."""
    spec = EVENTS.get(name)
    if spec is None or not spec.webhook_only:
        return data
    return {key: value for key, value in data.items() if key not in spec.webhook_only}


_JOB = ("id", "organization_id", "title", "status", "location", "remote_policy")
_JOB_AUDIENCE = "the job's organization; the job board too while the job is open (and when it closes)"
_APPLICATION = ("id", "job_id", "candidate_id", "stage", "stage_changed_at")
_APPLICATION_AUDIENCE = "the job's organization, the application, and its candidate (when they have a login)"
_INTERVIEW = ("id", "application_id", "kind", "status", "starts_at", "ends_at", "timezone")
_INTERVIEW_AUDIENCE = "the job's organization, the interviewers, and the candidate (when they have a login)"

# --- jobs -------------------------------------------------------------------------------------

JOB_CREATED = _event(
    "job.created",
    channel=JOB_UPDATES,
    payload=_JOB,
    audience=_JOB_AUDIENCE,
    webhook=True,
    description="A draft job was created.",
)
JOB_UPDATED = _event(
    "job.updated",
    channel=JOB_UPDATES,
    payload=_JOB,
    audience=_JOB_AUDIENCE,
    webhook=True,
    description="A job's fields changed.",
)
JOB_OPENED = _event(
    "job.opened",
    channel=JOB_UPDATES,
    payload=_JOB,
    audience=_JOB_AUDIENCE,
    webhook=True,
    description="A job was published or reopened.",
)
JOB_CLOSED = _event(
    "job.closed",
    channel=JOB_UPDATES,
    payload=_JOB,
    audience=_JOB_AUDIENCE,
    webhook=True,
    description="A job stopped taking applications.",
)
JOB_ARCHIVED = _event(
    "job.archived",
    channel=JOB_UPDATES,
    payload=_JOB,
    audience=_JOB_AUDIENCE,
    webhook=True,
    description="A job was retired for good.",
)

JOB_TEAM_CHANGED = _event(
    "job.team_changed",
    channel=JOB_UPDATES,
    payload=("id", "organization_id", "user_id", "role", "change"),
    audience="the job's organization",
    webhook=False,
    description="Someone joined a job's hiring team, left it, or took another part on it (`change`: added, removed, changed).",
)

# --- applications ---------------------------------------------------------------------------

APPLICATION_SUBMITTED = _event(
    "application.submitted",
    channel=APPLICATION_STATUS,
    payload=_APPLICATION,
    audience=_APPLICATION_AUDIENCE,
    webhook=True,
    description="A candidate applied, or a recruiter added a candidate to a job.",
)
APPLICATION_STAGE_CHANGED = _event(
    "application.stage_changed",
    channel=APPLICATION_STATUS,
    payload=_APPLICATION,
    audience=_APPLICATION_AUDIENCE,
    webhook=True,
    description="The hiring team moved an application along the pipeline.",
)
APPLICATION_WITHDRAWN = _event(
    "application.withdrawn",
    channel=APPLICATION_STATUS,
    payload=_APPLICATION,
    audience=_APPLICATION_AUDIENCE,
    webhook=True,
    description="An application was withdrawn (by its candidate, or by the team on their behalf).",
)
APPLICATION_MOVE_UNDONE = _event(
    "application.move_undone",
    channel=APPLICATION_STATUS,
    payload=_APPLICATION,
    audience=_APPLICATION_AUDIENCE,
    webhook=True,
    description="The hiring team undid a mistaken move: the application is back in its previous stage.",
)

APPLICATION_OFFER_DECIDED = _event(
    "application.offer_decided",
    channel=APPLICATION_STATUS,
    payload=(*_APPLICATION, "decision"),
    audience="the job's organization (never the candidate)",
    webhook=True,
    description="The job's hiring manager approved or declined making an offer (`decision`); a move to offer needs the approval.",
)

# --- interviews -------------------------------------------------------------------------------

INTERVIEW_SCHEDULED = _event(
    "interview.scheduled",
    channel=INTERVIEW_SCHEDULE,
    payload=_INTERVIEW,
    audience=_INTERVIEW_AUDIENCE,
    webhook=True,
    description="An interview was booked.",
)
INTERVIEW_RESCHEDULED = _event(
    "interview.rescheduled",
    channel=INTERVIEW_SCHEDULE,
    payload=_INTERVIEW,
    audience=_INTERVIEW_AUDIENCE,
    webhook=True,
    description="An interview moved (or its panel changed).",
)
INTERVIEW_CANCELLED = _event(
    "interview.cancelled",
    channel=INTERVIEW_SCHEDULE,
    payload=_INTERVIEW,
    audience=_INTERVIEW_AUDIENCE,
    webhook=True,
    description="An interview was cancelled.",
)
INTERVIEW_COMPLETED = _event(
    "interview.completed",
    channel=INTERVIEW_SCHEDULE,
    payload=_INTERVIEW,
    audience=_INTERVIEW_AUDIENCE,
    webhook=True,
    description="An interview took place.",
)
INTERVIEW_NO_SHOW = _event(
    "interview.no_show",
    channel=INTERVIEW_SCHEDULE,
    payload=_INTERVIEW,
    audience=_INTERVIEW_AUDIENCE,
    webhook=True,
    description="The candidate did not turn up.",
)
FEEDBACK_SUBMITTED = _event(
    "feedback.submitted",
    channel=INTERVIEW_SCHEDULE,
    payload=(
        "interview_id",
        "application_id",
        "feedback_id",
        "interviewer_id",
        "round_id",
        "rating",
        "recommendation",
        "scorecard",
    ),
    audience="the job's organization only (never the candidate)",
    webhook=True,
    description="An interviewer submitted their scorecard.",
    # The application's other interviewers follow the organization's channel too, and may not
    # read a colleague's judgement before giving theirs (interviews.selectors).
    webhook_only=("rating", "recommendation", "scorecard"),
)

# --- notes (the hiring team's; never the candidate's) -----------------------------------------

_NOTE = ("id", "organization_id", "candidate_id", "application_id", "author_id")
_NOTE_AUDIENCE = "the note's organization only (never the candidate)"
NOTE_CREATED = _event(
    "note.created",
    channel=APPLICATION_STATUS,
    payload=_NOTE,
    audience=_NOTE_AUDIENCE,
    webhook=False,
    description="A team member wrote a note on a candidate or an application.",
)
NOTE_UPDATED = _event(
    "note.updated",
    channel=APPLICATION_STATUS,
    payload=_NOTE,
    audience=_NOTE_AUDIENCE,
    webhook=False,
    description="A note's author edited it.",
)
NOTE_DELETED = _event(
    "note.deleted",
    channel=APPLICATION_STATUS,
    payload=_NOTE,
    audience=_NOTE_AUDIENCE,
    webhook=False,
    description="A note's author deleted it.",
)

# --- notifications and webhooks ---------------------------------------------------------------

NOTIFICATION_CREATED = _event(
    "notification.created",
    channel=NOTIFICATIONS,
    payload=("id", "kind", "payload"),
    audience="the one user it is for",
    webhook=False,
    description="An in-app notification was stored for a user.",
)
WEBHOOK_TEST = _event(
    "webhook.test",
    channel=None,
    payload=("endpoint_id", "organization_id", "sent_by"),
    audience="the one webhook endpoint it is sent to (never recorded in the outbox)",
    webhook=False,
    description="Sent by 'send a test event' to one endpoint, whatever it subscribes to.",
)

# --- internal events (outbox subscribers only, never pushed) ----------------------------------

CANDIDATE_PROFILE_CHANGED = _event(
    "candidate.profile_changed",
    channel=None,
    payload=("candidate_id",),
    audience="internal: ranking",
    webhook=False,
    description="A candidate profile was created or edited.",
)
CANDIDATE_RESUMES_CHANGED = _event(
    "candidate.resumes_changed",
    channel=None,
    payload=("candidate_id",),
    audience="internal: ranking",
    webhook=False,
    description="A resume's text or the resume skill suggestions changed, or a resume was removed.",
)
RESUME_PARSE_REQUESTED = _event(
    "resume.parse_requested",
    channel=None,
    payload=("resume_id", "candidate_id"),
    audience="internal: resume parsing",
    webhook=False,
    description="A resume was uploaded, or staff asked for it to be read again.",
)
CANDIDATE_MERGED = _event(
    "candidate.merged",
    channel=None,
    payload=("merge_id", "organization_id", "survivor_id", "duplicate_id"),
    audience="internal: the record of an organization's merges",
    webhook=False,
    description="Two profiles of one organization were merged (the duplicate is hidden, kept for undo).",
)
CANDIDATE_MERGE_UNDONE = _event(
    "candidate.merge_undone",
    channel=None,
    payload=("merge_id", "organization_id", "survivor_id", "duplicate_id"),
    audience="internal: the record of an organization's merges",
    webhook=False,
    description="A merge was undone: both profiles and their applications are back as they were.",
)
CANDIDATE_ERASED = _event(
    "candidate.erased",
    channel=None,
    payload=("candidate_id", "receipt_id"),
    audience="internal: the record of an erasure (its receipt holds what and how much)",
    webhook=False,
    description="A candidate's personal data was erased; the anonymous profile and its applications stay.",
)
ACCOUNT_SIGNUP_ATTEMPT = _event(
    "account.signup_attempt",
    channel=None,
    payload=("user_id",),
    audience="internal: the account holder is told by email",
    webhook=False,
    description="Someone tried to sign up with an address that already has an account.",
)
ANALYTICS_SNAPSHOT_WRITTEN = _event(
    "analytics.snapshot_written",
    channel=None,
    payload=("since", "until", "organization_ids", "stage_rows", "hire_rows"),
    audience="internal: the organizations' cached analytics are refreshed",
    webhook=False,
    description="The daily analytics snapshots of a range of days were written again.",
)

# --- notification kinds that are not events of their own --------------------------------------
# Notifications are named after the event they tell of; these kinds tell one side of an event
# (``application.submitted``) or come from a beat task rather than a write.

APPLICATION_RECEIVED = "application.received"
APPLICATION_NEW = "application.new"
INTERVIEW_FEEDBACK_REMINDER = "interview.feedback_reminder"
NOTE_MENTIONED = "note.mentioned"
NOTIFICATION_KINDS: tuple[str, ...] = (
    APPLICATION_RECEIVED,
    APPLICATION_NEW,
    APPLICATION_STAGE_CHANGED,
    INTERVIEW_SCHEDULED,
    INTERVIEW_RESCHEDULED,
    INTERVIEW_CANCELLED,
    INTERVIEW_FEEDBACK_REMINDER,
    ACCOUNT_SIGNUP_ATTEMPT,
    NOTE_MENTIONED,
)

# --- derived lists ---------------------------------------------------------------------------

# What an organization's webhook endpoints may subscribe to, in catalogue order.
WEBHOOK_EVENT_TYPES: tuple[str, ...] = tuple(name for name, spec in EVENTS.items() if spec.webhook)
# Interview outcomes by the status they record (``interview_record_outcome``).
INTERVIEW_OUTCOME_EVENTS: dict[str, str] = {"completed": INTERVIEW_COMPLETED, "no_show": INTERVIEW_NO_SHOW}
# Every name the product uses for an event or a notification kind.
ALL_NAMES: frozenset[str] = frozenset(EVENTS) | frozenset(NOTIFICATION_KINDS)


def spec(name: str) -> EventSpec:
    """The spec of event ``name``; KeyError for a name the catalogue does not know."""
    return EVENTS[name]
