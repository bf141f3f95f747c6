"""A recruiter in the back office, in a real browser (see conftest.py for the setup)."""

import pytest

from tests.browser.conftest import log_in, wait_for_room

pytestmark = pytest.mark.browser


def test_a_recruiter_logs_in_and_sees_the_index(recruiter, open_job, start_server, page, shot):
    base = start_server()

    page.goto(f"{base}/admin/login/")
    shot("login")
    landed = log_in(page, base, recruiter.email)
    shot("index")

    assert landed.status == 200
    assert page.url == f"{base}/admin/"
    assert page.locator("#site-name").inner_text() == "HotGigs back office"
    assert page.locator("#content h1").inner_text() == "Recruiting"
    assert page.locator("#user-tools").is_visible()
    # The recruiter's apps, not the staff-only ones.
    models = page.locator("#content-main th[scope=row] a").all_inner_texts()
    assert "Jobs" in models
    assert "Users" not in models
    # The admin's own stylesheet arrived (a page without it has a transparent header).
    header = page.locator("#header").evaluate("element => getComputedStyle(element).backgroundColor")
    assert header not in ("", "rgba(0, 0, 0, 0)", "transparent")

    page.click("#content-main th[scope=row] a:text-is('Jobs')")
    shot("jobs")
    assert page.url == f"{base}/admin/jobs/job/"
    assert open_job.title in page.locator("#result_list").inner_text()


def test_past_the_limit_the_back_office_shows_a_page_that_says_when_to_retry(recruiter, start_server, page, shot):
    # Per hour, so that the test's requests fall in one window of the user's counter.
    base = start_server(RATE_LIMIT_ENABLED="true", RATE_LIMIT_BURST="3/h")
    wait_for_room(f"user:{recruiter.pk}", 3600, needed=120)

    # The login page and form count against the address (anonymous: 2 of 3); the index, the
    # first of the recruiter's own 3.
    landed = log_in(page, base, recruiter.email)
    statuses = [landed.status] + [page.reload().status for _ in range(2)]
    refused = page.reload()
    shot("rate-limited")

    assert statuses == [200, 200, 200]
    assert refused.status == 429
    headers = refused.all_headers()
    assert headers["content-type"].startswith("text/html")
    retry_after = int(headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert page.title() == "Too many requests | HotGigs"
    assert page.locator("#site-name").inner_text() == "HotGigs back office"
    text = page.locator("#content").inner_text()
    assert "Try again in" in text
    assert "RATE_LIMITED" not in page.content()
    header = page.locator("#header").evaluate("element => getComputedStyle(element).backgroundColor")
    assert header not in ("", "rgba(0, 0, 0, 0)", "transparent")


def test_another_organizations_job_is_not_found_for_a_recruiter(
    recruiter, open_job, other_open_job, start_server, page, shot
):
    base = start_server()
    log_in(page, base, recruiter.email)

    own = page.goto(f"{base}/admin/jobs/job/{open_job.pk}/change/")
    shot("own-job")
    theirs = page.goto(f"{base}/admin/jobs/job/{other_open_job.pk}/change/")
    shot("other-organizations-job")

    assert own.status == 200
    assert page.url == f"{base}/admin/"
    # Django's answer for a row that does not exist: back to the index with a warning.
    assert theirs.request.redirected_from is not None
    assert theirs.request.redirected_from.response().status == 302
    assert "doesn’t exist" in page.locator(".messagelist").inner_text()
    assert other_open_job.title not in page.content()
