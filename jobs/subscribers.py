"""What the jobs app does when its events commit (registered in ``AppConfig.ready``).

* ``jobs.rank`` (Celery): a job that opened or changed asks for candidates to be ranked for
  it (the ranking task skips jobs that are not open; ranking again changes nothing).
* ``jobs.cache`` (after commit, in-process): the organization's job lists and details, the
  job board when the event went there, and analytics (open jobs and titles show there).
"""

from hotgigs import cache
from hotgigs.ai.dispatch import RANK_CANDIDATES_FOR_JOB
from hotgigs.events import catalogue
from hotgigs.events.audiences import JOB_BOARD, channel_group
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import Recorded, after_commit, on_worker
from hotgigs.queueing import enqueue_on_commit

JOB_EVENTS = (
    catalogue.JOB_CREATED,
    catalogue.JOB_UPDATED,
    catalogue.JOB_OPENED,
    catalogue.JOB_CLOSED,
    catalogue.JOB_ARCHIVED,
)
BOARD_GROUP = channel_group(catalogue.JOB_UPDATES, JOB_BOARD)


@on_worker("jobs.rank", types=(catalogue.JOB_OPENED, catalogue.JOB_UPDATED))
def request_ranking(event: OutboxEvent) -> None:
    enqueue_on_commit(RANK_CANDIDATES_FOR_JOB, event.data["id"])


@after_commit("jobs.cache", types=JOB_EVENTS)
def invalidate_job_reads(recorded: list[Recorded]) -> None:
    for item in recorded:
        cache.invalidate(
            organization_id=item.event.data["organization_id"],
            jobs=True,
            board=BOARD_GROUP in item.event.groups,
            analytics=True,
        )
