"""Helpers for the back-office tests: URLs, messages and the rows a changelist shows."""

from typing import Any

from django.contrib.messages import get_messages
from django.db.models import Model
from django.http import HttpResponse
from django.urls import reverse


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj: Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def listed_pks(response: HttpResponse) -> set[int]:
    """Primary keys of the rows on a changelist page."""
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}  # type: ignore[attr-defined]


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def action_data(action: str, *objs: Model) -> dict[str, Any]:
    return {"action": action, "_selected_action": [obj.pk for obj in objs], "index": 0}
