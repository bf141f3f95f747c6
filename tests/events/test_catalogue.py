"""The event catalogue is the one place event names are spelled.

The scan reads every Python module of the product (not tests, benches or migrations) and
fails on a string literal, f-string part included, that names an event or a notification
kind of the catalogue anywhere but in ``hotgigs/events/catalogue.py``. Docstrings may
mention events; code must use the constants.
"""

import ast
import re
from pathlib import Path

import pytest

from hotgigs.events import catalogue
from hotgigs.notifications.choices import NotificationKind
from hotgigs.webhooks.choices import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("hotgigs", "jobs", "candidates", "applications", "interviews", "analytics")
CATALOGUE = ROOT / "hotgigs" / "events" / "catalogue.py"
NAME = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(name) for name in sorted(catalogue.ALL_NAMES, key=len, reverse=True))
    + r")(?![\w])"
)


def _product_modules() -> list[Path]:
    modules = []
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts or path == CATALOGUE:
                continue
            modules.append(path)
    return modules


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def bare_event_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of every event name spelled in a string literal of ``source``."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [(node.lineno, match.group(1)) for match in NAME.finditer(node.value)]
    return found


def test_no_event_name_is_a_bare_string_outside_the_catalogue():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in _product_modules()
        for line, name in bare_event_names(path.read_text())
    ]

    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        'kind = "application.stage_changed"',
        'key = f"interview.rescheduled:{pk}"',
        'docs = \'{"email": {"interview.scheduled": false}}\'',
        'def f():\n    """Doc mentions job.opened."""\n    return "job.opened"',
    ],
)
def test_the_scan_finds_a_bare_name(source):
    assert bare_event_names(source)


@pytest.mark.parametrize(
    "source",
    [
        'def f():\n    """Doc mentions job.opened."""\n    return catalogue.JOB_OPENED',
        'source = "application.job"',
        'field = "application.stage_changed_at"',
        'task = "applications.score_application"',
    ],
)
def test_the_scan_leaves_other_strings_alone(source):
    assert bare_event_names(source) == []


def test_every_event_has_a_spec_and_channels_are_the_protocol_ones():
    for name, spec in catalogue.EVENTS.items():
        assert spec.name == name
        assert spec.channel is None or spec.channel in catalogue.CHANNELS
        assert spec.payload, name
        assert spec.audience, name
        # Internal events and private ones never go to webhooks.
        assert not (spec.webhook and spec.channel in (None, catalogue.NOTIFICATIONS)), name


def test_webhooks_and_notifications_take_their_names_from_the_catalogue():
    assert set(EVENT_TYPES) == {name for name, spec in catalogue.EVENTS.items() if spec.webhook}
    assert catalogue.WEBHOOK_TEST not in EVENT_TYPES
    assert set(NotificationKind.values) == set(catalogue.NOTIFICATION_KINDS)
    # A notification kind is an event of the catalogue, or one side of one (declared there too).
    assert set(NotificationKind.values) <= catalogue.ALL_NAMES


def test_the_catalogue_imports_nothing_of_django_or_the_apps():
    tree = ast.parse(CATALOGUE.read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert imported <= {"dataclasses"}
