"""Celery tasks of the candidates app: thin, idempotent, ids in, calling services.

``candidates.parse_resume`` extracts a resume's text and suggests its skills. The
extraction's own failures (a corrupt, encrypted, empty or oversized file) are a result,
stored on the resume as status ``failed``, not a task error; only transient database
errors are retried (``RETRY_TASK_OPTIONS``).
"""

import logging
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from candidates.services import resumes
from hotgigs import tenancy
from hotgigs.resilience import TransientError
from hotgigs.resilience.celery import RETRY_TASK_OPTIONS

logger = logging.getLogger(__name__)


@shared_task(name=resumes.PARSE_RESUME_TASK, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("resume parsing, queued for any candidate")
def parse_resume(resume_id: int) -> dict[str, Any] | None:
    """Parse one resume (skipped when it is already parsed, failed or gone)."""
    try:
        resume = resumes.resume_parse(resume_id=resume_id)
    except (OperationalError, InterfaceError) as exc:
        raise TransientError(f"database unavailable: {exc}") from exc
    if resume is None:
        return None
    return {"resume_id": resume.pk, "status": resume.parse_status}
