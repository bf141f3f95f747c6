"""The dashboard on the admin index (workspace/dashboard.py): figures, links, charts, scope."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, StageChange
from tests.admin.helpers import listed_pks
from tests.factories import ApplicationFactory, InterviewFactory, JobFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


@pytest.fixture
def pipeline(org, other_org, open_job):  # type: ignore[no-untyped-def]
    """Two organizations' applications: stages, sources, hires with their history, interviews."""
    now = timezone.now()
    JobFactory.create(organization=org, status="draft")
    JobFactory.create(organization=other_org)  # another organization's open job
    stages = ["applied", "applied", "screening", "interview", "offer", "rejected"]
    rows = [ApplicationFactory.create(job=open_job, stage=stage) for stage in stages]
    # Older than the week: not counted as recent.
    Application.objects.filter(pk__in=[rows[0].pk, rows[5].pk]).update(created_at=now - timedelta(days=20))
    for days, source in ((10, "referral"), (20, "referral"), (30, "linkedin")):
        hired = ApplicationFactory.create(job=open_job, stage="hired", source=source)
        Application.objects.filter(pk=hired.pk).update(created_at=now - timedelta(days=40))
        StageChange.objects.filter(application=hired).update(changed_at=now - timedelta(days=days + 1))
        StageChange.objects.create(
            application=hired, from_stage="offer", to_stage="hired", changed_at=now - timedelta(days=1)
        )
    InterviewFactory.create(application=rows[3], starts_at=now + timedelta(days=2))
    InterviewFactory.create(application=rows[3], starts_at=now + timedelta(days=9))  # beyond the week
    InterviewFactory.create(application=rows[2], starts_at=now + timedelta(days=1), status="cancelled")
    theirs = ApplicationFactory.create(job=JobFactory.create(organization=other_org), stage="hired", source="agency")
    InterviewFactory.create(application=theirs, starts_at=now + timedelta(days=1))
    return rows


def dashboard(client):  # type: ignore[no-untyped-def]
    response = client.get(INDEX)
    assert response.status_code == 200
    return response, response.context["dashboard"]


def test_a_recruiter_sees_their_organizations_figures(recruiter_client, pipeline):
    response, d = dashboard(recruiter_client)

    assert d["all_organizations"] is False
    assert d["open_jobs"] == 1
    assert d["recent_applications"] == 4
    assert d["upcoming"].count == 1
    assert (d["time_to_hire"].hires, d["time_to_hire"].median_days) == (3, 20.0)
    assert {row["stage"]: row["count"] for row in d["funnel"]} == {
        "applied": 2,
        "screening": 1,
        "interview": 1,
        "offer": 1,
        "hired": 3,
    }
    assert {row["label"]: row["count"] for row in d["ended"]} == {"Rejected": 1, "Withdrawn": 0}
    hires = {row["label"]: row["count"] for row in d["sources"]}
    assert (hires["Referral"], hires["LinkedIn"], hires["Agency"]) == (2, 1, 0)
    html = response.content.decode()
    # The app list stays below the dashboard.
    assert html.index('class="ws-dashboard"') < html.index('id="content-main"')
    assert reverse("admin:jobs_job_changelist") in html


def test_each_figure_links_to_the_list_of_what_it_counts(recruiter_client, pipeline):
    _, d = dashboard(recruiter_client)

    def listed(url: str) -> int:
        return len(listed_pks(recruiter_client.get(url)))

    assert listed(d["open_jobs_url"]) == d["open_jobs"]
    assert listed(d["recent_url"]) == d["recent_applications"]
    assert listed(d["upcoming_url"]) == d["upcoming"].count
    assert listed(d["hires_url"]) == d["time_to_hire"].hires
    for row in d["funnel"] + d["ended"]:
        assert listed(row["href"]) == row["count"], row["label"]
    for row in d["sources"]:
        assert listed(row["href"]) == row["count"], row["label"]


def test_charts_are_svg_with_labels_values_and_a_table_behind_them(recruiter_client, pipeline):
    response, d = dashboard(recruiter_client)
    html = unescape(response.content.decode())

    funnel = html[html.index('id="chart-funnel"') : html.index('id="chart-sources"')]
    assert "<svg" in funnel
    for row in d["funnel"]:
        # Every bar carries its label and value as text, and links to its list.
        assert f">{row['label']}</text>" in funnel
        assert f'href="{row["href"]}"' in funnel
    assert re.findall(r'class="ws-bar-value"[^>]*>(\d+)<', funnel) == ["2", "1", "1", "1", "3"]
    assert "<details>" in funnel
    assert "<table" in funnel
    # Patterns, not colour alone, tell the bars apart.
    assert 'fill="url(#funnel-hatch)"' in funnel
    assert 'fill="url(#funnel-dots)"' in funnel
    sources = html[html.index('id="chart-sources"') :]
    assert re.search(r'class="ws-bar-value"[^>]*>2<', sources)
    # Nothing loaded from another host, and no inline script (the CSP allows neither). Links
    # may lead elsewhere ("View site" opens the frontend); resources may not come from there.
    assert not re.search(r'<(?:link|script|img|image|use|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_staff_see_the_figures_of_every_organization(staff_client, pipeline):
    response, d = dashboard(staff_client)

    assert d["all_organizations"] is True
    assert d["open_jobs"] == 3  # both of the other organization's jobs are open
    assert d["upcoming"].count == 2
    hires = {row["label"]: row["count"] for row in d["sources"]}
    assert hires["Agency"] == 1
    assert "Figures of every organization" in response.content.decode()


def test_an_empty_organization_gets_zeros_not_errors(recruiter_client):
    response, d = dashboard(recruiter_client)

    assert (d["open_jobs"], d["recent_applications"], d["upcoming"].count) == (0, 0, 0)
    assert d["time_to_hire"].median_days is None
    assert "no hires yet" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_dashboard_is_read_in_a_constant_number_of_queries(recruiter_client, org, open_job):
    def queries_for(count: int) -> int:
        for index in range(count):
            application = ApplicationFactory.create(job=open_job, stage=("applied", "hired", "interview")[index % 3])
            InterviewFactory.create(application=application)
        JobFactory.create(organization=org)
        with CaptureQueriesContext(connection) as captured:
            assert recruiter_client.get(INDEX).status_code == 200
        return len(captured.captured_queries)

    assert queries_for(3) == queries_for(27)


def test_the_pipeline_report_reads_the_snapshots(recruiter_client, pipeline):
    from analytics.services import analytics_snapshot

    today = timezone.now().date()
    analytics_snapshot(since=today - timedelta(days=60), until=today)

    response, d = dashboard(recruiter_client)

    report = d["report"]["report"]
    # The three hires moved offer → hired yesterday (their own histories hold no earlier moves).
    assert report.hires == 3
    assert report.offer_acceptance.accepted == 3
    assert report.source_of_hire["referral"] == 2
    html = response.content.decode()
    assert 'id="pipeline-report"' in html
    assert "Conversion over decided applications" in html
    assert "Offer → Hired" in unescape(html)


def test_a_bad_report_filter_is_explained_and_the_default_shown(recruiter_client, pipeline):
    response = recruiter_client.get(INDEX, {"from": "2026-05-02", "to": "2026-05-01"})

    assert response.status_code == 200
    report = response.context["dashboard"]["report"]
    assert report["form"].errors
    assert (report["filters"].date_to - report["filters"].date_from).days == 89
    assert "must not be after" in unescape(response.content.decode())


def test_the_report_filters_by_department(recruiter_client, org, open_job, pipeline):
    from analytics.services import analytics_snapshot

    today = timezone.now().date()
    analytics_snapshot(since=today - timedelta(days=60), until=today)

    response = recruiter_client.get(INDEX, {"department": "Nowhere at all"})

    report = response.context["dashboard"]["report"]
    assert report["filters"].department == "Nowhere at all"
    assert report["report"].hires == 0


@pytest.mark.parametrize("query", [{"to": "0001-01-05"}, {"from": "9999-12-30", "to": "9999-12-31"}, {"from": "soon"}])
def test_report_days_out_of_bounds_are_explained(recruiter_client, query):
    response = recruiter_client.get(INDEX, query)

    assert response.status_code == 200
    assert response.context["dashboard"]["report"]["form"].errors
