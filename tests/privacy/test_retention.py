# mypy: disable-error-code="attr-defined,arg-type,misc"
"""Retention (issue 17 item 4): each organization's period, the daily purge that erases idle
candidates with receipts, its dry run, the API and the back office page."""

from dataclasses import asdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activity.models import Note
from activity.services import note_create
from analytics.selectors import analytics_summary
from applications.models import Application, StageChange
from applications.services import application_move
from candidates.models import Candidate, Consent, Resume
from hotgigs.accounts.models import User
from hotgigs.audit.models import AccessRecord
from hotgigs.errors import Forbidden
from interviews.models import Feedback, Interview
from privacy import services
from privacy.errors import InvalidRetention
from privacy.models import ErasureReceipt, RetentionSetting
from privacy.selectors import retention_due
from privacy.services import candidate_erase, retention_purge, retention_set
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    FeedbackFactory,
    InterviewFactory,
    JobFactory,
    MembershipFactory,
    ResumeFactory,
)


def backdate(candidate, days: int) -> None:
    """Every trace of activity of the candidate, ``days`` ago (``update`` leaves auto_now alone)."""
    at = timezone.now() - timedelta(days=days)
    Candidate.objects.filter(pk=candidate.pk).update(created_at=at, updated_at=at)
    if candidate.user_id:
        User.objects.filter(pk=candidate.user_id).update(last_login=None)
    applications = Application.objects.filter(candidate=candidate)
    applications.update(created_at=at, updated_at=at, stage_changed_at=at)
    StageChange.objects.filter(application__candidate=candidate).update(changed_at=at)
    Resume.objects.filter(candidate=candidate).update(uploaded_at=at)
    Consent.objects.filter(candidate=candidate).update(given_at=at)
    Interview.objects.filter(application__candidate=candidate).update(
        created_at=at, updated_at=at, starts_at=at, ends_at=at + timedelta(hours=1)
    )
    Feedback.objects.filter(interview__application__candidate=candidate).update(submitted_at=at)
    Note.objects.filter(candidate=candidate).update(created_at=at, edited_at=None)


def keep_for(organization, days: int | None) -> None:
    RetentionSetting.objects.update_or_create(
        organization=organization, defaults={"retention_days": days, "updated_at": timezone.now()}
    )


def sourced(organization, recruiter, *, idle: int, **kwargs):  # type: ignore[no-untyped-def]
    candidate = CandidateFactory(user=None, created_by=recruiter, organization=organization, **kwargs)
    backdate(candidate, idle)
    return candidate


def applicant(job, *, stage: str, idle: int):  # type: ignore[no-untyped-def]
    candidate = CandidateFactory()
    ApplicationFactory(job=job, candidate=candidate, stage=stage)
    backdate(candidate, idle)
    return candidate


def erased(candidate) -> bool:
    return Candidate.objects.get(pk=candidate.pk).erased_at is not None


@pytest.fixture
def world(org, recruiter, open_job):  # type: ignore[no-untyped-def]
    """Acme keeps candidates 365 days: two of its candidates are due, four are not."""
    keep_for(org, 365)
    return {
        "old_sourced": sourced(org, recruiter, idle=400, full_name="Old Sourced"),
        "recent_sourced": sourced(org, recruiter, idle=100, full_name="Recent Sourced"),
        "old_rejected": applicant(open_job, stage="rejected", idle=400),
        "old_in_progress": applicant(open_job, stage="interview", idle=400),
        "old_hired": applicant(open_job, stage="hired", idle=400),
        "old_withdrawn_soon": applicant(open_job, stage="withdrawn", idle=350),
    }


def test_the_dry_run_lists_each_due_candidate_with_why_and_changes_nothing(org, world) -> None:
    out = StringIO()

    call_command("retention_purge", "--dry-run", stdout=out)

    lines = out.getvalue().splitlines()
    due = {world["old_sourced"].pk, world["old_rejected"].pk}
    listed = [line for line in lines if line.startswith("would erase")]
    assert {int(line.split()[3]) for line in listed} == due
    first = next(line for line in listed if f"candidate {world['old_sourced'].pk}\t" in line)
    assert f"organization {org.pk}" in first
    assert "idle 400 days" in first
    assert "sourced by Acme Robotics" in first
    assert "keeps candidates 365 days" in first
    assert lines[-1] == "2 candidate(s) would be erased (dry run: nothing changed)."
    assert not ErasureReceipt.objects.exists()
    assert not Candidate.objects.filter(erased_at__isnull=False).exists()


def test_the_real_run_erases_the_due_ones_with_receipts_and_keeps_the_others(world) -> None:
    out = StringIO()

    call_command("retention_purge", stdout=out)

    assert erased(world["old_sourced"])
    assert erased(world["old_rejected"])
    for kept in ("recent_sourced", "old_in_progress", "old_hired", "old_withdrawn_soon"):
        assert not erased(world[kept]), kept
    receipts = {r.candidate_id: r for r in ErasureReceipt.objects.all()}
    assert set(receipts) == {world["old_sourced"].pk, world["old_rejected"].pk}
    receipt = receipts[world["old_sourced"].pk]
    assert (receipt.reason, receipt.erased_by_id, receipt.erased_by_email, receipt.channel) == (
        "retention",
        None,
        "",
        "command",
    )
    assert not receipt.requested_by_candidate
    assert "no activity for 400 days" in receipt.detail
    assert AccessRecord.objects.filter(
        candidate_id=world["old_sourced"].pk, action="erased", actor_id=None, channel="command"
    ).exists()
    assert "2 due: 2 erased, 0 kept, 0 failed." in out.getvalue()
    # Run again: nothing is due any more (erased profiles are not held).
    again = StringIO()
    call_command("retention_purge", stdout=again)
    assert "0 due: 0 erased" in again.getvalue()
    assert ErasureReceipt.objects.count() == 2


def test_the_purge_keeps_the_anonymous_facts_so_analytics_do_not_change(staff, org, recruiter, open_job) -> None:
    keep_for(org, 365)
    people = []
    for _ in range(2):
        candidate = CandidateFactory()
        application = ApplicationFactory(job=open_job, candidate=candidate)
        application_move(actor=recruiter, application=application, to_stage="screening", reason="Team only.")
        interview = InterviewFactory(application=application, interviewers=[recruiter])
        FeedbackFactory(interview=interview, interviewer=recruiter, notes="Private.")
        application_move(actor=recruiter, application=application, to_stage="withdrawn", reason="Team only.")
        note_create(actor=recruiter, body="Private note.", candidate=candidate, organization_id=org.pk)
        ResumeFactory(candidate=candidate)
        backdate(candidate, 500)
        people.append(candidate)
    now = timezone.now()
    before = asdict(analytics_summary(actor=staff, organization_id=org.pk, now=now))
    facts = [
        sorted(Application.objects.values_list("id", "job_id", "candidate_id", "stage", "source", "created_at")),
        sorted(StageChange.objects.values_list("id", "application_id", "to_stage", "changed_at")),
        sorted(Interview.objects.values_list("id", "application_id", "status", "starts_at")),
    ]

    report = retention_purge(dry_run=False, channel="system")

    assert sorted(c for c, _ in report.erased) == sorted(p.pk for p in people)
    assert asdict(analytics_summary(actor=staff, organization_id=org.pk, now=now)) == before
    assert facts == [
        sorted(Application.objects.values_list("id", "job_id", "candidate_id", "stage", "source", "created_at")),
        sorted(StageChange.objects.values_list("id", "application_id", "to_stage", "changed_at")),
        sorted(Interview.objects.values_list("id", "application_id", "status", "starts_at")),
    ]
    assert not Note.objects.exists()
    assert not Resume.objects.exists()
    assert set(Feedback.objects.values_list("notes", flat=True)) == {""}


def test_any_recent_activity_keeps_a_candidate(org, recruiter, open_job) -> None:
    keep_for(org, 365)
    noted = sourced(org, recruiter, idle=400)
    note_create(actor=recruiter, body="Called again.", candidate=noted, organization_id=org.pk)
    logged_in = applicant(open_job, stage="rejected", idle=400)
    User.objects.filter(pk=logged_in.user_id).update(last_login=timezone.now() - timedelta(days=10))
    uploaded = sourced(org, recruiter, idle=400)
    ResumeFactory(candidate=uploaded)
    interviewed = applicant(open_job, stage="rejected", idle=400)
    InterviewFactory(application=Application.objects.get(candidate=interviewed), interviewers=[recruiter])
    idle = sourced(org, recruiter, idle=400)

    report = retention_purge(dry_run=False, channel="system")

    assert [c for c, _ in report.erased] == [idle.pk]


def test_a_candidate_is_kept_while_another_organization_holding_them_keeps_them(
    org, recruiter, open_job, other_org, other_recruiter, other_open_job
) -> None:
    keep_for(org, 365)
    both = CandidateFactory()
    ApplicationFactory(job=open_job, candidate=both, stage="rejected")
    ApplicationFactory(job=other_open_job, candidate=both, stage="rejected")
    backdate(both, 800)
    other_sourced = sourced(other_org, other_recruiter, idle=800)

    # Globex never set a period: it keeps its candidates, and so one it shares with Acme.
    assert retention_purge(dry_run=True, channel="system").cases == []
    keep_for(other_org, 1000)
    assert retention_purge(dry_run=True, channel="system").cases == []
    keep_for(other_org, 730)
    cases = retention_purge(dry_run=True, channel="system").cases
    assert {c.candidate_id: c.organization_id for c in cases} == {both.pk: other_org.pk, other_sourced.pk: other_org.pk}
    # Limited to Acme: only the candidates Acme holds (decided by Globex's longer period).
    acme_only = retention_purge(dry_run=False, channel="system", organization_id=org.pk)
    assert [c for c, _ in acme_only.erased] == [both.pk]
    assert not erased(other_sourced)


def test_an_admin_sees_only_the_cases_their_own_period_decides(
    org, org_admin, open_job, other_org, other_open_job, staff
) -> None:
    keep_for(org, 365)
    keep_for(other_org, 730)
    both = CandidateFactory()
    ApplicationFactory(job=open_job, candidate=both, stage="rejected")
    ApplicationFactory(job=other_open_job, candidate=both, stage="rejected")
    backdate(both, 800)
    mine = applicant(open_job, stage="withdrawn", idle=400)
    other_admin = MembershipFactory(organization=other_org, role="org_admin").user
    recruiter_only = MembershipFactory(organization=org).user

    assert [c.candidate_id for c in retention_due(actor=org_admin)] == [mine.pk]
    assert [c.candidate_id for c in retention_due(actor=other_admin)] == [both.pk]
    assert retention_due(actor=recruiter_only) == []
    assert {c.candidate_id for c in retention_due(actor=staff)} == {both.pk, mine.pk}
    assert retention_due(actor=org_admin, organization_id=other_org.pk) == []


def test_one_failure_does_not_stop_the_others(org, recruiter, monkeypatch) -> None:
    keep_for(org, 365)
    first, second, third = (sourced(org, recruiter, idle=400) for _ in range(3))
    real = services.candidate_erase

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["candidate"].pk == second.pk:
            raise RuntimeError("storage down")
        return real(**kwargs)

    monkeypatch.setattr(services, "candidate_erase", flaky)

    report = retention_purge(dry_run=False, channel="system")

    assert sorted(c for c, _ in report.erased) == sorted([first.pk, third.pk])
    assert report.failed == [(second.pk, "RuntimeError: storage down")]
    assert erased(first)
    assert erased(third)
    assert not erased(second)
    assert not ErasureReceipt.objects.filter(candidate_id=second.pk).exists()


def test_only_the_purge_erases_without_a_person_acting(candidate) -> None:
    with pytest.raises(Forbidden):
        candidate_erase(actor=None, candidate=candidate, channel="system")
    assert not erased(candidate)


def test_the_beat_runs_the_purge_daily_and_the_task_erases(org, recruiter) -> None:
    from hotgigs.celery import app
    from privacy.tasks import retention_purge_task

    entry = app.conf.beat_schedule["privacy.retention_purge"]
    assert (entry["task"], entry["schedule"]) == ("privacy.retention_purge", 86400.0)
    assert retention_purge_task.name == "privacy.retention_purge"
    keep_for(org, 365)
    due = sourced(org, recruiter, idle=400)

    retention_purge_task.delay()
    assert erased(due)
    assert ErasureReceipt.objects.get(candidate_id=due.pk).channel == "system"


# --- the setting: service, API ------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 29, 3651, -5])
def test_the_service_refuses_a_period_out_of_bounds(org_admin, org, days) -> None:
    with pytest.raises(InvalidRetention):
        retention_set(actor=org_admin, organization_id=org.pk, retention_days=days)
    assert not RetentionSetting.objects.exists()


def test_only_admins_and_staff_set_the_period(org, recruiter, org_admin, staff, other_org) -> None:
    with pytest.raises(Forbidden):
        retention_set(actor=recruiter, organization_id=org.pk, retention_days=365)
    with pytest.raises(Forbidden):
        retention_set(actor=org_admin, organization_id=other_org.pk, retention_days=365)
    retention_set(actor=org_admin, organization_id=org.pk, retention_days=365)
    retention_set(actor=staff, organization_id=other_org.pk, retention_days=90)
    assert dict(RetentionSetting.objects.values_list("organization_id", "retention_days")) == {
        org.pk: 365,
        other_org.pk: 90,
    }


def test_an_admin_reads_and_sets_the_period_through_the_api(login, org, org_admin) -> None:
    client = login(org_admin)
    url = f"/api/v1/organizations/{org.pk}/retention"

    unset = client.get(url)
    put = client.put(url, {"retention_days": 365}, format="json")
    read = client.get(url)
    off = client.put(url, {"retention_days": None}, format="json")

    assert unset.status_code == 200
    assert unset.json() == {"organization_id": org.pk, "retention_days": None, "updated_at": None, "updated_by": None}
    assert put.status_code == 200
    assert put.json()["retention_days"] == 365
    assert put.json()["updated_by"] == org_admin.pk
    assert read.json()["retention_days"] == 365
    assert off.status_code == 200
    assert RetentionSetting.objects.get(organization=org).retention_days is None


@pytest.mark.parametrize(
    "body",
    [
        {"retention_days": 0},
        {"retention_days": 29},
        {"retention_days": 3651},
        {"retention_days": "365"},
        {"retention_days": 365.5},
        {"retention_days": True},
        {},
        {"retention_days": 365, "extra": 1},
        [365],
    ],
)
def test_a_bad_period_answers_the_envelope_and_changes_nothing(login, org, org_admin, body) -> None:
    keep_for(org, 400)

    response = login(org_admin).put(f"/api/v1/organizations/{org.pk}/retention", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert RetentionSetting.objects.get(organization=org).retention_days == 400


def test_others_may_not_read_or_set_the_period(login, org, recruiter, other_recruiter, candidate) -> None:
    url = f"/api/v1/organizations/{org.pk}/retention"
    other_admin = MembershipFactory(role="org_admin").user

    assert login(recruiter).put(url, {"retention_days": 365}, format="json").status_code == 403
    assert login(recruiter).get(url).status_code == 403
    assert login(other_recruiter).get(url).status_code in (403, 404)
    assert login(other_admin).put(url, {"retention_days": 365}, format="json").status_code == 404
    assert login(candidate.user).get(url).status_code in (403, 404)
    assert not RetentionSetting.objects.exists()


# --- the back office -----------------------------------------------------------------------------


def test_the_back_office_page_lists_due_and_soon_due_candidates_of_the_admins_organization(
    client, org, org_admin, recruiter, open_job, other_org, other_recruiter
) -> None:
    keep_for(org, 365)
    keep_for(other_org, 365)
    due = sourced(org, recruiter, idle=400, full_name="Due Person")
    soon = sourced(org, recruiter, idle=350, full_name="Soon Person")
    sourced(org, recruiter, idle=100, full_name="Fresh Person")
    sourced(other_org, other_recruiter, idle=400, full_name="Globex Person")
    client.force_login(org_admin)

    page = client.get(reverse("admin:privacy_retention"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Due Person" in text
    assert "Soon Person" in text
    assert "Fresh Person" not in text
    assert "Globex" not in text
    rows = {row["case"].candidate_id: row["due"] for row in page.context["rows"]}
    assert rows == {due.pk: True, soon.pk: False}
    assert "365 days" in text


def test_an_admin_sets_the_period_in_the_back_office_and_a_bad_one_changes_nothing(client, org, org_admin) -> None:
    client.force_login(org_admin)
    url = reverse("admin:privacy_retention")

    saved = client.post(url, {"organization": org.pk, "retention_days": "180"})
    refused = client.post(url, {"organization": org.pk, "retention_days": "5"}, follow=True)
    elsewhere = client.post(url, {"organization": org.pk + 1000, "retention_days": "180"}, follow=True)

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert elsewhere.status_code == 200
    assert list(RetentionSetting.objects.values_list("organization_id", "retention_days")) == [(org.pk, 180)]
    assert b"greater than or equal to 30" in refused.content


def test_the_back_office_page_is_for_admins_and_staff_only(client, org, recruiter, staff, other_org) -> None:
    keep_for(other_org, 365)
    client.force_login(recruiter)
    assert client.get(reverse("admin:privacy_retention")).status_code == 403

    client.force_login(staff)
    page = client.get(reverse("admin:privacy_retention"))
    assert page.status_code == 200
    assert "Acme Robotics" in page.content.decode()
    assert "Globex" in page.content.decode()


def test_receipts_of_the_purge_say_retention_in_the_api(login, staff, org, recruiter) -> None:
    keep_for(org, 365)
    due = sourced(org, recruiter, idle=400)
    retention_purge(dry_run=False, channel="system")

    body = login(staff).get("/api/v1/erasure-receipts").json()

    receipt = next(r for r in body["results"] if r["candidate_id"] == due.pk)
    assert receipt["reason"] == "retention"
    assert receipt["erased_by"] is None
    assert "keeps candidates 365 days" in receipt["detail"]


def test_a_fresh_job_for_a_due_candidate_is_left_alone_once_rechecked(org, recruiter, monkeypatch) -> None:
    """The rule is checked again inside each candidate's transaction: one that became active
    after the list was read (here: added to a job in between) is kept."""
    keep_for(org, 365)
    candidate = sourced(org, recruiter, idle=400)
    real = services.retention_cases
    calls: list[object] = []

    def listing_then_activity(**kwargs):  # type: ignore[no-untyped-def]
        found = real(**kwargs)
        if not calls:
            ApplicationFactory(job=JobFactory(organization=org), candidate=candidate)
        calls.append(kwargs)
        return found

    monkeypatch.setattr(services, "retention_cases", listing_then_activity)

    report = retention_purge(dry_run=False, channel="system")

    assert report.kept == [candidate.pk]
    assert not erased(candidate)


def test_the_dashboard_links_the_page_for_admins_and_staff_only(client, org_admin, recruiter, staff) -> None:
    for user, linked in ((org_admin, True), (staff, True), (recruiter, False)):
        client.force_login(user)
        page = client.get(reverse("admin:index"))
        assert page.status_code == 200
        assert (reverse("admin:privacy_retention") in page.content.decode()) is linked, user


# --- who is due, through the API -------------------------------------------------------------------


def test_an_admin_lists_who_is_due_and_soon_due_through_the_api(
    login, org, org_admin, recruiter, other_org, other_recruiter
) -> None:
    keep_for(org, 365)
    keep_for(other_org, 365)
    due = sourced(org, recruiter, idle=400)
    soon = sourced(org, recruiter, idle=350)
    later = sourced(org, recruiter, idle=200)
    sourced(other_org, other_recruiter, idle=400)
    client = login(org_admin)
    url = f"/api/v1/organizations/{org.pk}/retention/due"

    default = client.get(url)
    now_only = client.get(url, {"within_days": 0})
    year = client.get(url, {"within_days": 365})

    assert default.status_code == 200
    body = default.json()
    assert (body["organization_id"], body["within_days"], body["count"]) == (org.pk, 30, 2)
    assert [(row["candidate_id"], row["due"]) for row in body["results"]] == [(due.pk, True), (soon.pk, False)]
    first = body["results"][0]
    assert first["idle_days"] == 400
    assert first["retention_days"] == 365
    assert "no activity for 400 days" in first["why"]
    assert [row["candidate_id"] for row in now_only.json()["results"]] == [due.pk]
    assert [row["candidate_id"] for row in year.json()["results"]] == [due.pk, soon.pk, later.pk]


def test_the_due_list_does_not_tell_an_admin_where_else_a_candidate_applied(
    login, org, org_admin, open_job, other_org
) -> None:
    keep_for(org, 365)
    keep_for(other_org, 90)
    candidate = applicant(open_job, stage="rejected", idle=400)
    ApplicationFactory(job=JobFactory(organization=other_org, status="open"), candidate=candidate, stage="rejected")
    backdate(candidate, 400)

    rows = login(org_admin).get(f"/api/v1/organizations/{org.pk}/retention/due").json()["results"]

    assert [row["candidate_id"] for row in rows] == [candidate.pk]
    assert "organizations holding them" not in rows[0]["why"]
    assert "Globex" not in rows[0]["why"]


@pytest.mark.parametrize(
    "query", [{"within_days": ""}, {"within_days": "-1"}, {"within_days": "366"}, {"within_days": "1.5"}, {"days": "3"}]
)
def test_a_bad_due_query_answers_the_envelope(login, org, org_admin, query) -> None:
    response = login(org_admin).get(f"/api/v1/organizations/{org.pk}/retention/due", query)

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()["details"]) == set(query)


def test_only_admins_and_staff_list_who_is_due(login, org, recruiter, staff, candidate, other_org) -> None:
    keep_for(org, 365)
    url = f"/api/v1/organizations/{org.pk}/retention/due"
    other_admin = MembershipFactory(role="org_admin", organization=other_org).user

    assert login(recruiter).get(url).status_code == 403
    assert login(other_admin).get(url).status_code == 404
    assert login(candidate.user).get(url).status_code in (403, 404)
    assert login(staff).get(url).status_code == 200
