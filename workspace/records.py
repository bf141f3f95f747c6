"""Helpers the workspace's pages share: the admin History entry, and people's names.

Every action a workspace page takes is written to the admin's History (``LogEntry``) of the
row it changed, with the words the recruiter would use ("Moved to Interview: strong
portfolio"), so the object's History page tells what happened, by whom, and why.
"""

from datetime import timedelta
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db.models import Model
from django.http import HttpRequest

from applications.choices import ApplicationStage


def log_change(request: HttpRequest, obj: Model, message: str, *, added: bool = False) -> None:
    """Record ``message`` in the History of ``obj``, as the logged-in user."""
    LogEntry.objects.log_actions(  # type: ignore[call-overload]
        user_id=request.user.pk,
        queryset=[obj],
        action_flag=ADDITION if added else CHANGE,
        change_message=message,
        single_object=True,
    )


def stage_label(stage: str) -> str:
    """ "interview" → "Interview"; an unknown value is shown as given."""
    try:
        return str(ApplicationStage(stage).label)
    except ValueError:
        return stage


def person(user: Any) -> str:
    """A user as a colleague names them: their full name, else their email address."""
    return user.get_full_name() or user.email


def in_words(items: list[str], *, conjunction: str = "or") -> str:
    """["a", "b", "c"] → "a, b or c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def duration_words(duration: timedelta | None) -> str:
    """A stretch of time as people say it: "3 days", "5 hours", "12 minutes", "under a minute"."""
    if duration is None:
        return ""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"
