"""Beat task: the readiness check every 30 seconds (schedule in ``hotgigs/celery.py``)."""

from typing import Any

from celery import shared_task

from hotgigs.observability import health


@shared_task(name="observability.record_readiness", ignore_result=True)
def record_readiness() -> dict[str, Any]:
    """Check every component and keep the result (gauges, cache ``health:last``, warnings)."""
    result = health.readiness()
    health.record(result)
    return result.as_dict()
