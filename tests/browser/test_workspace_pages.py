"""A recruiter's application and candidate pages and an interviewer's "My interviews", in a real browser.

As a recruiter: open an application, move it with a reason (confirming it), book an interview
(the service's conflict check names the busy interviewer first), open the candidate's page
(a self-registered candidate's identity is read-only); then, as the interviewer, submit
feedback. The pages are saved as ``var/screenshots/application.png``, ``candidate.png`` and
``my_interviews.png`` at desktop width for review.
"""

import contextvars
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.utils import timezone

from applications.models import Match
from interviews.models import Feedback, Interview
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    JobFactory,
    MembershipFactory,
    ResumeFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def day(org, recruiter, open_job):  # type: ignore[no-untyped-def]
    """An application in screening with its receipt and resume; an interviewer with a busy slot
    and a past interview waiting for their feedback."""
    open_job.title = "Security Administrator"
    open_job.save(update_fields=["title"])
    interviewer = MembershipFactory(organization=org, user=UserFactory(full_name="Sam Lee")).user
    layla = CandidateFactory.create(full_name="Layla Yilmaz", headline="Network security engineer")
    application = ApplicationFactory.create(job=open_job, candidate=layla, stage="screening")
    Match.objects.create(
        job=open_job,
        candidate=layla,
        score=Decimal("81.50"),
        breakdown={
            "required_skills": {"matched": ["Linux", "Firewalls"], "missing": ["SIEM"]},
            "preferred_skills": {"matched": ["Python"], "missing": []},
        },
        provider="local",
        model_version="v2",
        rationale="Strong on networks and firewalls; no SIEM experience yet.",
        input_hash="x" * 64,
        computed_at=timezone.now(),
    )
    network = JobFactory.create(organization=org, title="Network Engineer")
    Match.objects.create(
        job=network,
        candidate=layla,
        score=Decimal("88.00"),
        breakdown={},
        provider="local",
        model_version="v2",
        input_hash="y" * 64,
        computed_at=timezone.now(),
    )
    ResumeFactory.create(
        candidate=layla,
        original_filename="layla-yilmaz.txt",
        parse_status="parsed",
        extracted_text="Layla Yilmaz\nNetwork security engineer, 6 years.\nLinux, firewalls, Python.",
    )
    busy_from = (
        (timezone.now() + timedelta(days=3)).astimezone(BERLIN).replace(hour=10, minute=0, second=0, microsecond=0)
    )
    omar = ApplicationFactory.create(job=open_job, candidate=CandidateFactory.create(full_name="Omar Haddad"))
    InterviewFactory.create(
        application=omar, starts_at=busy_from, ends_at=busy_from + timedelta(hours=1), interviewers=[interviewer]
    )
    past_start = timezone.now() - timedelta(hours=3)
    past = InterviewFactory.create(
        application=ApplicationFactory.create(
            job=open_job, candidate=CandidateFactory.create(full_name="Mina Park"), stage="interview"
        ),
        starts_at=past_start,
        ends_at=past_start + timedelta(hours=1),
        interviewers=[interviewer],
    )
    return {
        "application": application.pk,
        "candidate": layla.pk,
        "interviewer": interviewer.email,
        "busy_from": busy_from,
        "past_interview": past.pk,
    }


def test_a_recruiters_application_and_candidate_pages_and_the_interviewers_feedback(
    recruiter, day, start_server, page, shot
):
    base = start_server()
    page.set_viewport_size(DESKTOP)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    application_page = f"{base}/admin/applications/application/{day['application']}/change/"

    log_in(page, base, recruiter.email)
    page.goto(application_page)
    assert page.locator("#content h1").inner_text() == "Layla Yilmaz — Security Administrator · Screening"
    receipt = page.locator("#ws-match").inner_text()
    assert "Linux, Firewalls" in receipt
    assert "SIEM" in receipt
    assert "Network security engineer, 6 years." in page.locator("#ws-resume").inner_text()

    # Move with a reason; nothing changes until it is confirmed.
    page.select_option("#ws-move-stage", "interview")
    page.fill("#ws-move-reason", "Strong portfolio, clear on firewalls")
    page.click("#ws-move-form button[type=submit]")
    assert "Strong portfolio, clear on firewalls" in page.locator("#ws-confirm-reason").inner_text()
    shot("confirm-move")
    page.click("#ws-confirm")
    assert page.locator(".messagelist").inner_text() == "Layla Yilmaz: moved from Screening to Interview."
    assert page.locator("#content h1").inner_text() == "Layla Yilmaz — Security Administrator · Interview"

    # Book Sam Lee when they are busy: the conflict is named and nothing is booked; then an hour later.
    form = page.locator("#ws-schedule-form")
    form.locator("select[name=kind]").select_option("video")
    form.locator("input[name=starts_at]").fill(day["busy_from"].strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=timezone]").fill("Europe/Berlin")
    form.locator("select[name=duration]").select_option("60")
    form.get_by_label("Sam Lee").check()
    form.locator("input[name=meeting_url]").fill("https://meet.example.test/layla")
    form.locator("button[type=submit]").click()
    conflict = page.locator(".messagelist").inner_text()
    shot("conflict")
    assert conflict.startswith("Not booked: Sam Lee (")
    assert "Omar Haddad for Security Administrator" in conflict
    later = day["busy_from"] + timedelta(hours=2)
    form = page.locator("#ws-schedule-form")
    assert form.get_by_label("Sam Lee").is_checked()  # the form kept what was entered
    form.locator("input[name=starts_at]").fill(later.strftime("%Y-%m-%dT%H:%M"))
    form.locator("button[type=submit]").click()
    assert page.locator(".messagelist").inner_text().startswith("Booked: Video interview ")
    assert "Sam Lee" in page.locator("#ws-interviews tr.ws-interview").first.inner_text()
    page.screenshot(path=SCREENSHOTS / "application.png", full_page=True)

    # The candidate registered themself: a recruiter reads their identity but cannot change it.
    with page.expect_navigation():
        page.click("#content .ws-facts a:text-is('Layla Yilmaz')")
    assert page.locator("#ws-identity-locked").is_visible()
    assert page.locator("input[name=full_name]").count() == 0
    assert page.locator("input[name=email]").count() == 0
    assert "Layla Yilmaz" in page.locator("#content-main").first.inner_text()
    assert "Security Administrator" in page.locator("#ws-applications").inner_text()
    assert "Network Engineer — 88/100" in page.locator("#ws-best-jobs").inner_text()
    page.screenshot(path=SCREENSHOTS / "candidate.png", full_page=True)

    # The interviewer gives feedback on the interview that took place.
    page.context.clear_cookies()
    log_in(page, base, day["interviewer"])
    with page.expect_navigation():
        page.click("#ws-my-interviews-link")
    card = page.locator(f"#ws-feedback-{day['past_interview']}")
    assert "Mina Park — Security Administrator" in card.inner_text()
    upcoming = page.locator("#ws-upcoming").inner_text()
    assert "Layla Yilmaz — Security Administrator" in upcoming
    assert "Omar Haddad — Security Administrator" in upcoming
    card.get_by_label("4").check()
    card.locator("select").select_option("yes")
    card.locator("textarea").fill("Clear on incident response.")
    page.screenshot(path=SCREENSHOTS / "my_interviews.png", full_page=True)
    card.locator("button[type=submit]").click()
    assert page.locator(".messagelist").inner_text() == (
        "Thank you: your feedback on Mina Park — Security Administrator is saved."
    )
    assert "Nothing waits for your feedback." in page.locator("#ws-awaiting").inner_text()
    shot("feedback-saved")

    # What the browser did is in the database and in the History (read in a thread of its
    # own: the ORM refuses this one while the browser's event loop runs).
    with ThreadPoolExecutor(max_workers=1) as pool:
        booked, rating, messages = pool.submit(contextvars.copy_context().run, _outcome, day).result()
    assert booked == later
    assert rating == 4
    assert messages[0] == "Moved from Screening to Interview. Reason: Strong portfolio, clear on firewalls"
    assert messages[1].startswith("Scheduled a video interview ")
    assert messages[2] == "Feedback submitted: 4/5, Yes."


def _outcome(day: dict[str, Any]) -> tuple[Any, int, list[str]]:
    try:
        booked = Interview.objects.filter(application_id=day["application"]).get().starts_at
        rating = Feedback.objects.get(interview_id=day["past_interview"]).rating
        messages = list(LogEntry.objects.order_by("id").values_list("change_message", flat=True))
        return booked, rating, messages
    finally:
        connection.close()
