"""What the candidates app does when its events commit (registered in ``AppConfig.ready``).

All on Celery, all idempotent:

* ``candidates.rank``: a profile or its resumes changed; open jobs are ranked for the
  candidate again (the ranking task recomputes, so twice is only extra work).
* ``candidates.parse_resume``: a resume was uploaded or sent back for reading; the parse
  task skips a resume that is not pending.
* ``candidates.signup_attempt``: someone tried to sign up with an address that has an
  account; its holder is told once per hour (the notification key holds the hour).
"""

from candidates.services.resumes import PARSE_RESUME_TASK
from hotgigs.ai.dispatch import RANK_JOBS_FOR_CANDIDATE
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import on_worker
from hotgigs.notifications.choices import NotificationKind, RecipientRole
from hotgigs.notifications.services import notify
from hotgigs.queueing import enqueue_on_commit


@on_worker("candidates.rank", types=(catalogue.CANDIDATE_PROFILE_CHANGED, catalogue.CANDIDATE_RESUMES_CHANGED))
def request_ranking(event: OutboxEvent) -> None:
    enqueue_on_commit(RANK_JOBS_FOR_CANDIDATE, event.data["candidate_id"])


@on_worker("candidates.parse_resume", types=(catalogue.RESUME_PARSE_REQUESTED,))
def request_parse(event: OutboxEvent) -> None:
    enqueue_on_commit(PARSE_RESUME_TASK, event.data["resume_id"])


@on_worker("candidates.signup_attempt", types=(catalogue.ACCOUNT_SIGNUP_ATTEMPT,))
def tell_the_account_holder(event: OutboxEvent) -> None:
    user_id = event.data["user_id"]
    hour = event.created_at.strftime("%Y%m%d%H")
    notify(
        kind=NotificationKind.ACCOUNT_SIGNUP_ATTEMPT,
        event_key=f"{NotificationKind.ACCOUNT_SIGNUP_ATTEMPT}:{user_id}:{hour}",
        recipients={user_id: RecipientRole.ACCOUNT_HOLDER},
        context={"path": "/login"},
    )
