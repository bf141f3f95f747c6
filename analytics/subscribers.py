"""What the analytics app does when its events commit (registered in ``AppConfig.ready``).

* ``analytics.cache`` (after commit, in-process): a snapshot run rewrote the facts of some
  organizations, so their cached figures (``hotgigs.api.caching``) are stale.
"""

from hotgigs import cache
from hotgigs.events import catalogue
from hotgigs.events.registry import Recorded, after_commit


@after_commit("analytics.cache", types=(catalogue.ANALYTICS_SNAPSHOT_WRITTEN,))
def invalidate_analytics(recorded: list[Recorded]) -> None:
    organization_ids = {pk for item in recorded for pk in item.event.data.get("organization_ids", ())}
    for organization_id in sorted(organization_ids):
        cache.invalidate(organization_id=organization_id, analytics=True)
