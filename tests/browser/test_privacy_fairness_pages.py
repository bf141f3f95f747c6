"""The privacy and fairness pages of the back office, in a real browser.

An organization's admin sets how long candidates without activity are kept and sees who is due
(``/admin/privacy/retention/``); reads the adverse-impact monitor with its four-fifths flag
(``/admin/adverse-impact/``); and a recruiter marks a match good on the application page, under
the evidence behind each skill. Screenshots: ``var/screenshots/retention.png``,
``adverse_impact.png`` and ``match_mark.png``.
"""

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from applications.models import Match, MatchFeedback
from candidates.models import Candidate, SelfIdentification
from privacy.models import RetentionSetting
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.factories import ApplicationFactory, CandidateFactory, MembershipFactory, StageChangeFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


def read(query: Callable[[], Any]) -> Any:
    """Run an ORM read beside the browser (Playwright's loop runs in this thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(contextvars.copy_context().run, query).result()


@pytest.fixture
def idle(org, recruiter):  # type: ignore[no-untyped-def]
    """A candidate the organization sourced, untouched for 400 days."""
    candidate = CandidateFactory(user=None, created_by=recruiter, organization=org, full_name="Idris Idle")
    long_ago = timezone.now() - timedelta(days=400)
    Candidate.objects.filter(pk=candidate.pk).update(created_at=long_ago, updated_at=long_ago)
    return candidate


@pytest.fixture
def decided(open_job):  # type: ignore[no-untyped-def]
    """Six women (one advanced) and six men (five advanced) past the first step: ratio 0.2."""
    for gender, selected in (("female", 1), ("male", 5)):
        for number in range(6):
            candidate = CandidateFactory()
            SelfIdentification.objects.create(
                candidate=candidate,
                gender=gender,
                race_ethnicity="declined",
                veteran_status="declined",
                disability_status="declined",
            )
            stage = "screening" if number < selected else "rejected"
            application = ApplicationFactory(job=open_job, candidate=candidate, stage=stage)
            StageChangeFactory(application=application, from_stage="applied", to_stage=stage)


def test_an_org_admin_sets_retention_and_sees_who_is_due(start_server, org, org_admin, idle, page) -> None:
    base = start_server()
    page.set_viewport_size(DESKTOP)
    log_in(page, base, org_admin.email)

    page.goto(f"{base}/admin/privacy/retention/")
    assert page.locator("#retention-none").is_visible()
    days = page.locator("#retention-settings input[name=retention_days]")
    days.fill("5")
    # Under the 30-day floor: the browser itself refuses the form (the server would too).
    too_short = days.evaluate("input => input.validity.rangeUnderflow")
    days.fill("365")
    page.click("#retention-settings button[type=submit]")
    page.wait_for_selector("#retention-due")
    due = page.locator("#retention-due tbody tr").all_inner_texts()
    page.screenshot(path=SCREENSHOTS / "retention.png", full_page=True)
    page.close()

    assert too_short is True
    assert len(due) == 1
    assert "Idris Idle" in due[0]
    assert "due" in due[0]
    assert read(lambda: RetentionSetting.objects.get(organization=org).retention_days) == 365
    # The page lists; the daily purge erases.
    assert read(lambda: Candidate.objects.get(pk=idle.pk).erased_at) is None


def test_an_org_admin_reads_the_adverse_impact_monitor(start_server, org_admin, decided, page) -> None:
    base = start_server()
    page.set_viewport_size(DESKTOP)
    log_in(page, base, org_admin.email)

    page.goto(f"{base}/admin/adverse-impact/?dimension=gender&stage=applied")
    section = page.locator("#ws-impact-gender")
    text = section.inner_text()
    page.screenshot(path=SCREENSHOTS / "adverse_impact.png", full_page=True)
    page.close()

    assert "adverse impact flagged" in text.lower()
    assert "0.2" in text
    assert "insufficient sample" in text.lower()


@pytest.fixture
def matched(org, recruiter, open_job):  # type: ignore[no-untyped-def]
    candidate = CandidateFactory(full_name="Mara Quinn")
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    match = Match.objects.create(
        job=open_job,
        candidate=candidate,
        score=Decimal("77.00"),
        breakdown={
            "required_skills": {"matched": ["Python"], "missing": ["Kubernetes"]},
            "preferred_skills": {"matched": [], "missing": []},
            "evidence": [
                {
                    "skill": "Python",
                    "required": True,
                    "found": True,
                    "source": "resume",
                    "sentence": "Built payment services in Python for six years.",
                },
                {"skill": "Kubernetes", "required": True, "found": False, "source": None, "sentence": None},
            ],
        },
        provider="local",
        model_version="local-v3",
        input_hash="x" * 64,
        computed_at=timezone.now(),
    )
    return application, match


def test_a_recruiter_marks_a_match_under_its_evidence(start_server, recruiter, matched, page) -> None:
    application, match = matched
    base = start_server()
    page.set_viewport_size(DESKTOP)
    log_in(page, base, recruiter.email)

    page.goto(f"{base}/admin/applications/application/{application.pk}/change/")
    receipt = page.locator("#ws-match-mark").inner_text()
    evidence = page.content()
    page.fill("#ws-match-reason", "Strong on the payments work")
    with page.expect_navigation():
        page.click("#ws-match-mark button[value=good]")
    after = page.locator("#ws-match-mark").inner_text()
    page.screenshot(path=SCREENSHOTS / "match_mark.png", full_page=True)
    page.close()

    assert "Is this a good match?" in receipt
    assert "Built payment services in Python" in evidence
    assert "You marked this a good match: Strong on the payments work." in after
    mark = read(lambda: MatchFeedback.objects.values_list("user_id", "mark", "reason").get(match=match))
    assert mark == (recruiter.pk, "good", "Strong on the payments work")


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, role="recruiter").user


def test_a_recruiter_cannot_open_the_adverse_impact_monitor(start_server, colleague, decided, page) -> None:
    recruiter = colleague
    base = start_server()
    log_in(page, base, recruiter.email)

    response = page.goto(f"{base}/admin/adverse-impact/")

    assert response.status == 403
