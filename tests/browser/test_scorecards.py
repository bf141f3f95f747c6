"""Interview plans and scorecards in a real browser: a recruiter edits the job's plan (a new
round, an attribute more), finds a colleague's feedback hidden on the application page while
they owe their own, fills in the scorecard in "My interviews", and then reads the scorecard
summary. Screenshots: ``var/screenshots/test_plan_and_scorecard_in_the_browser-<step>.png``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.services import AttributeRating, AttributeSpec, RoundSpec, feedback_submit, interview_plan_set
from tests.browser.conftest import log_in
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def rows(org, open_job, recruiter):  # type: ignore[no-untyped-def]
    colleague = MembershipFactory(organization=org, user=UserFactory(full_name="Sam Lee")).user
    spec = RoundSpec(
        "Technical", attributes=[AttributeSpec("System design", "Designs for scale"), AttributeSpec("Communication")]
    )
    technical = interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen", spec])[1]
    application = ApplicationFactory.create(
        job=open_job, candidate=CandidateFactory.create(full_name="Layla Yilmaz"), stage="interview"
    )
    starts = timezone.now() - timedelta(hours=2)
    sat = InterviewFactory.create(
        application=application,
        round=technical,
        interviewers=[recruiter, colleague],
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    ratings = [AttributeRating(a.pk, 4) for a in technical.attributes.order_by("position")]
    feedback_submit(
        actor=colleague,
        interview=sat,
        rating=5,
        recommendation="strong_yes",
        notes="Sam's private view",
        ratings=ratings,
    )
    return {"job": open_job.pk, "application": application.pk, "interview": sat.pk}


def test_plan_and_scorecard_in_the_browser(recruiter, rows, start_server, page, shot):
    base = start_server()
    page.set_viewport_size(DESKTOP)
    log_in(page, base, recruiter.email)

    # The plan, reached from the job's admin page.
    page.goto(f"{base}/admin/jobs/job/{rows['job']}/change/")
    page.click("a.ws-plan-link")
    assert page.locator("h1").first.inner_text().startswith("Interview plan")
    technical = page.locator("#ws-plan-row-1")
    assert technical.locator("input[name$='-name']").input_value() == "Technical"
    technical.locator("textarea").fill(
        "System design: Designs for scale\nCommunication\nProblem solving: Breaks it down"
    )
    new_row = page.locator("#ws-plan-row-2")
    new_row.locator("input[name$='-name']").fill("Onsite")
    new_row.locator("textarea").fill("Values: Lives our values")
    shot("plan-editing")
    page.click("#ws-plan-form button[type=submit]")
    assert "interview plan of" in page.locator(".messagelist").inner_text()
    assert page.locator("#ws-plan-row-2 input[name$='-name']").input_value() == "Onsite"
    assert "Problem solving: Breaks it down" in page.locator("#ws-plan-row-1 textarea").input_value()
    assert page.locator("#ws-plan-row-1 td").nth(3).inner_text() == "1"  # one interview in the round
    shot("plan-saved")

    # The application page: the round is shown and picked when scheduling; Sam's feedback is hidden.
    page.goto(f"{base}/admin/applications/application/{rows['application']}/change/")
    assert page.locator(f"#ws-interview-{rows['interview']} .ws-round").inner_text() == "Technical"
    options = page.locator("#ws-schedule-form select[name=round] option").all_inner_texts()
    assert options == ["— no round —", "Phone screen", "Technical", "Onsite"]
    assert "Sam's private view" not in page.content()
    assert "once you have submitted your own" in page.locator("#ws-scorecards").inner_text()
    shot("application-withheld")

    # My interviews: the scorecard asks for each attribute; a missing one is refused.
    page.goto(f"{base}/admin/my-interviews/")
    card = page.locator(f"#ws-feedback-{rows['interview']}")
    assert card.locator(".ws-scorecard-attribute").count() == 3
    card.locator("input[name$='-rating'][value='4']").check()
    card.locator("select[name$='-recommendation']").select_option("yes")
    attributes = card.locator(".ws-scorecard-attribute")
    attributes.nth(0).locator("input[value='3']").check()
    attributes.nth(1).locator("input[value='4']").check()
    shot("scorecard-incomplete")
    card.locator("button[type=submit]").click()
    # The browser holds the form back: each attribute's score is required.
    assert attributes.nth(2).locator("input[type=radio]").first.evaluate("e => e.validity.valueMissing")
    assert page.url.endswith("/admin/my-interviews/")
    attributes.nth(2).locator("input[value='2']").check()
    attributes.nth(2).locator("input[name*='-note_']").fill("Needed hints")
    shot("scorecard-filled")
    card.locator("button[type=submit]").click()
    assert "your feedback on Layla Yilmaz" in page.locator(".messagelist").inner_text()

    # Now the application page shows both scorecards and the summary.
    page.goto(f"{base}/admin/applications/application/{rows['application']}/change/")
    assert "Sam's private view" in page.content()
    summary = page.locator("#ws-scorecard-summary").inner_text()
    assert "System design" in summary
    assert "3.5" in summary  # (3 + 4) / 2
    assert "Strong yes: 1" in page.locator("#ws-recommendations").inner_text()
    page.locator("#ws-scorecards").scroll_into_view_if_needed()
    shot("application-summary")
