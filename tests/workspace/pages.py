"""Helpers for the tests of the workspace's application, candidate and interviewer pages."""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.db.models import Model
from django.http import HttpResponse
from django.urls import reverse


def application_url(application: Model, action: str = "") -> str:
    if not action:
        return reverse("admin:applications_application_change", args=[application.pk])
    return reverse(f"admin:workspace_{action}", args=[application.pk])


def candidate_url(candidate: Model) -> str:
    return reverse("admin:candidates_candidate_change", args=[candidate.pk])


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def history_of(obj: Model) -> list[str]:
    """The admin History messages of ``obj``, oldest first."""
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("action_time", "id")
        .values_list("change_message", flat=True)
    )


def local(moment: Any) -> str:
    """A time as a datetime-local input sends it."""
    return moment.strftime("%Y-%m-%dT%H:%M")
