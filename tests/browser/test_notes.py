"""Notes in a real browser: a recruiter writes one on an application mentioning a colleague,
sees it in the activity timeline with the mention marked and the markup they typed shown as
text, edits it, and the colleague has been told. ``var/screenshots/activity.png`` is the
section for review."""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from activity.models import Note
from hotgigs.notifications.models import Notification
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.factories import ApplicationFactory, CandidateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def rows(org, open_job):  # type: ignore[no-untyped-def]
    colleague = MembershipFactory(organization=org, user=UserFactory(email="sam@acme.test", full_name="Sam Lee")).user
    application = ApplicationFactory.create(job=open_job, candidate=CandidateFactory.create(full_name="Layla Yilmaz"))
    return {"application": application.pk, "candidate": application.candidate_id, "colleague": colleague.pk}


def test_a_note_with_a_mention_in_the_browser(recruiter, rows, start_server, page, shot):
    # Tasks run in the server's process: the mention's notification is written without a worker.
    base = start_server(CELERY_TASK_ALWAYS_EAGER="true")
    page.set_viewport_size(DESKTOP)
    log_in(page, base, recruiter.email)
    page.goto(f"{base}/admin/applications/application/{rows['application']}/change/")

    section = page.locator("#ws-activity")
    assert "Applied to" in section.inner_text()
    section.locator("textarea[name=body]").fill("Call her back <b>today</b>, @sam@acme.test")
    section.locator("#ws-note-form button[type=submit]").click()

    assert page.locator(".messagelist").inner_text() == "Note saved. 1 colleague will be told."
    note = page.locator("#ws-activity .ws-activity-note").first
    assert note.locator(".ws-mention").inner_text() == "@sam@acme.test"
    assert "<b>today</b>" in note.locator(".ws-note-body").inner_text()  # shown as text, not markup
    assert note.locator(".ws-note-body b").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#ws-activity").screenshot(path=SCREENSHOTS / "activity.png")

    note.locator("summary").click()
    note.locator("textarea[name=body]").fill("Called her: free on Tuesday. @sam@acme.test")
    note.locator("button:text-is('Save changes')").click()
    assert page.locator(".messagelist").inner_text() == "Note changed."
    assert "free on Tuesday" in page.locator("#ws-activity .ws-activity-note").first.inner_text()
    shot("note-edited")

    # The candidate's page shows the same note.
    page.goto(f"{base}/admin/candidates/candidate/{rows['candidate']}/change/")
    assert "free on Tuesday" in page.locator("#ws-activity").inner_text()

    with ThreadPoolExecutor(max_workers=1) as pool:
        body, told = pool.submit(contextvars.copy_context().run, _outcome, rows).result()
    assert body == "Called her: free on Tuesday. @sam@acme.test"
    assert told == 1  # told once: the edit named nobody new


def _outcome(rows: dict[str, Any]) -> tuple[str, int]:
    try:
        body = Note.objects.get(application_id=rows["application"]).body
        told = Notification.objects.filter(user_id=rows["colleague"], kind="note.mentioned").count()
        return body, told
    finally:
        connection.close()
