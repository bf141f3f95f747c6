"""Celery tasks act as whoever queued them.

The publisher's identity travels in a message header; a worker acts as it for the task and
restores "no one" afterwards. A task queued by nobody (beat) acts as no one unless its body
declares system access (:func:`hotgigs.tenancy.system`). Tasks run in-process (eager) simply
keep the caller's identity.
"""

from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from hotgigs import tenancy

HEADER = "hotgigs_identity"
_RESET_ATTR = "_hotgigs_tenancy_token"


@before_task_publish.connect(dispatch_uid="hotgigs.tenancy.publish")
def _carry_identity(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    identity = tenancy.current()
    if headers is not None and identity is not None:
        headers[HEADER] = identity.to_header()


def _header(task: Any) -> Any:
    request = task.request
    value = getattr(request, HEADER, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(HEADER)
    return value


@task_prerun.connect(dispatch_uid="hotgigs.tenancy.prerun")
def _act_as_publisher(task: Any = None, **kwargs: Any) -> None:
    if task is None or task.request.is_eager:
        return
    setattr(task.request, _RESET_ATTR, tenancy.act_as(tenancy.Identity.from_header(_header(task))))


@task_postrun.connect(dispatch_uid="hotgigs.tenancy.postrun")
def _act_as_no_one(task: Any = None, **kwargs: Any) -> None:
    token = getattr(task.request, _RESET_ATTR, None) if task is not None else None
    if token is not None:
        setattr(task.request, _RESET_ATTR, None)
        try:
            tenancy.restore(token)
        except ValueError:  # created in another context: fall back to no one
            tenancy.act_as(None)
