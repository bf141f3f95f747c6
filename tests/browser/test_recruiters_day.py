"""A recruiter's day in the back office, start to finish, in one browser session.

The other browser tests look at each page closely; this one walks the day issue after issue
in the order a recruiter lives it, with no API call: log in, read the dashboard, open a job's
board from the jobs list, move a card with a reason, reject one with a reason, open an
application from its card and book an interview, find another organization's board answer
404; then, as the interviewer, give feedback on yesterday's interview. What the browser did
is checked in the database afterwards (stages, reasons, the booking, the scorecard, History).
"""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.utils import timezone

from applications.models import Application, StageChange
from interviews.models import Feedback, Interview
from jobs.models import Job
from tests.browser.conftest import log_in
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def office(org, open_job):  # type: ignore[no-untyped-def]
    """One open job with a pipeline, and an interviewer whose interview took place yesterday."""
    open_job.title = "Site Reliability Engineer"
    open_job.save(update_fields=["title"])
    interviewer = MembershipFactory(organization=org, user=UserFactory(full_name="Priya Nair")).user

    def apply(name: str, stage: str, score: str) -> Application:
        candidate = CandidateFactory.create(full_name=name)
        return ApplicationFactory.create(job=open_job, candidate=candidate, stage=stage, match_score=Decimal(score))

    screened = apply("Noah Berg", "screening", "84")
    weak = apply("Eli Stone", "applied", "41")
    apply("Ana Ruiz", "applied", "77")
    interviewed = apply("Kai Tanaka", "interview", "90")
    yesterday = timezone.now() - timedelta(days=1)
    past = InterviewFactory.create(
        application=interviewed, starts_at=yesterday, ends_at=yesterday + timedelta(hours=1), interviewers=[interviewer]
    )
    return {
        "screened": screened.pk,
        "weak": weak.pk,
        "interviewer": interviewer.email,
        "past_interview": past.pk,
        "open_jobs": Job.objects.filter(organization=org, status="open").count(),
    }


def test_a_recruiters_day_without_the_api(recruiter, open_job, other_open_job, office, start_server, page, shot):
    base = start_server()
    page.set_viewport_size(DESKTOP)

    # Morning: the dashboard.
    log_in(page, base, recruiter.email)
    shot("1-dashboard")
    assert page.locator("#figure-open-jobs .ws-figure-value").inner_text().strip() == str(office["open_jobs"])

    # The job's board, from the jobs list.
    page.goto(f"{base}/admin/jobs/job/")
    with page.expect_navigation():
        page.locator("#result_list").get_by_role("link", name="Pipeline board").first.click()
    assert page.url == f"{base}/admin/jobs/job/{open_job.pk}/board/"
    shot("2-board")

    # Move a card with a reason.
    card = page.locator(f"#card-{office['screened']}")
    card.locator("summary").click()
    card.locator("select[name=to_stage]").select_option("interview")
    card.locator("textarea[name=reason]").fill("Solid on-call stories in the screen.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "Screening → Interview" in page.locator(".messagelist").inner_text()
    shot("3-moved")

    # Reject one with a reason.
    card = page.locator(f"#card-{office['weak']}")
    card.locator("summary").click()
    card.locator("select[name=to_stage]").select_option("rejected")
    card.locator("select[name=rejection_reason]").select_option(label="Not enough experience")
    card.locator("textarea[name=reason]").fill("No production Linux experience.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert page.locator(f"#column-rejected #card-{office['weak']}").count() == 1
    shot("4-rejected")

    # Open the moved application from its card and book an interview for tomorrow afternoon.
    with page.expect_navigation():
        page.locator(f"#card-{office['screened']} .ws-card-name").click()
    assert page.locator("#content h1").inner_text() == "Noah Berg — Site Reliability Engineer · Interview"
    starts = (timezone.now() + timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    form = page.locator("#ws-schedule-form")
    form.locator("select[name=kind]").select_option("video")
    form.locator("input[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=timezone]").fill("UTC")
    form.locator("select[name=duration]").select_option("60")
    form.get_by_label("Priya Nair").check()
    form.locator("input[name=meeting_url]").fill("https://meet.example.test/noah")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".messagelist").inner_text().startswith("Booked: Video interview ")
    shot("5-booked")

    # Another organization's board does not exist for this recruiter.
    theirs = page.goto(f"{base}/admin/jobs/job/{other_open_job.pk}/board/")
    assert theirs.status == 404
    shot("6-other-organization")

    # Afternoon, the interviewer: tomorrow's interview is listed, yesterday's waits for feedback.
    page.context.clear_cookies()
    log_in(page, base, office["interviewer"])
    with page.expect_navigation():
        page.click("#ws-my-interviews-link")
    assert "Noah Berg — Site Reliability Engineer" in page.locator("#ws-upcoming").inner_text()
    card = page.locator(f"#ws-feedback-{office['past_interview']}")
    card.get_by_label("5").check()
    card.locator("select").select_option("strong_yes")
    card.locator("textarea").fill("Debugged the outage scenario calmly and fast.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "Nothing waits for your feedback." in page.locator("#ws-awaiting").inner_text()
    shot("7-feedback")

    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(contextvars.copy_context().run, _what_the_day_stored, office).result()
    assert outcome["stages"] == ["interview", "rejected"]
    assert outcome["reasons"] == ["Solid on-call stories in the screen.", "No production Linux experience."]
    assert outcome["booked"] == [starts]
    assert outcome["feedback"] == (5, "strong_yes")
    assert outcome["history"] == 4  # move, rejection, booking, feedback


def _what_the_day_stored(office: dict[str, Any]) -> dict[str, Any]:
    # In a thread of its own: the ORM refuses the test's thread while the browser's loop runs.
    try:
        ids = [office["screened"], office["weak"]]
        feedback = Feedback.objects.get(interview_id=office["past_interview"])
        return {
            "stages": [Application.objects.get(pk=pk).stage for pk in ids],
            "reasons": [StageChange.objects.filter(application_id=pk).latest("id").reason for pk in ids],
            "booked": list(
                Interview.objects.filter(application_id=office["screened"]).values_list("starts_at", flat=True)
            ),
            "feedback": (feedback.rating, feedback.recommendation),
            "history": LogEntry.objects.count(),
        }
    finally:
        connection.close()
