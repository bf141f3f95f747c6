"""Who may follow one row's group is registered by the app that owns the rows.

The realtime kernel imports no domain app: ``applications`` registers the authorizer of
``application_status`` subscriptions by ``application_id`` in its ``AppConfig.ready``.
"""

import ast
from pathlib import Path

import pytest

from applications.selectors import application_audience_authorize
from hotgigs.accounts.scopes import APPLICATIONS_READ
from hotgigs.errors import NotFound
from hotgigs.realtime import subscriptions
from hotgigs.realtime.subscriptions import (
    APPLICATION,
    audience_authorize,
    register_audience,
    subscription_authorize,
    subscription_parse,
)
from tests.factories import ApplicationFactory, JobFactory

DOMAIN_APPS = {"jobs", "candidates", "applications", "interviews", "analytics"}
REALTIME = Path(subscriptions.__file__).parent


def _application_subscription(user_id: int, application_id: int) -> subscriptions.Subscription:
    return subscription_parse(user_id=user_id, channel="application_status", params={"application_id": application_id})


def test_the_applications_app_registers_the_application_audience():
    assert subscriptions._AUDIENCES[APPLICATION] is application_audience_authorize


@pytest.mark.django_db
def test_a_registered_authorizer_decides(candidate, other_candidate, org):
    application = ApplicationFactory(job=JobFactory(organization=org), candidate=candidate)
    subscription = _application_subscription(candidate.user.pk, application.pk)

    subscription_authorize(actor=candidate.user, scopes=(APPLICATIONS_READ,), subscription=subscription)
    with pytest.raises(NotFound) as exc_info:
        subscription_authorize(actor=other_candidate.user, scopes=(APPLICATIONS_READ,), subscription=subscription)

    assert exc_info.value.code == "NOT_FOUND"


def test_a_row_kind_nobody_registered_is_not_found(monkeypatch, staff):
    monkeypatch.delitem(subscriptions._AUDIENCES, APPLICATION)

    with pytest.raises(NotFound) as exc_info:
        subscription_authorize(
            actor=staff, scopes=(APPLICATIONS_READ,), subscription=_application_subscription(staff.pk, 1)
        )

    assert exc_info.value.code == "NOT_FOUND"


def test_register_audience_replaces_and_is_asked_with_the_row_id(monkeypatch, staff):
    asked: list[tuple[object, int]] = []
    monkeypatch.setitem(subscriptions._AUDIENCES, "widget", lambda actor, pk: None)

    register_audience("widget", lambda actor, pk: asked.append((actor, pk)))
    audience_authorize("widget", actor=staff, object_id=7)

    assert asked == [(staff, 7)]


def test_the_realtime_kernel_imports_no_domain_app():
    imported: set[str] = set()
    for path in REALTIME.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])

    assert imported & DOMAIN_APPS == set()
