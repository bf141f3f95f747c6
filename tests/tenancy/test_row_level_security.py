# mypy: disable-error-code="attr-defined,arg-type,misc,union-attr"
# (factory-boy factories are typed as the factory class, not the model they create.)
"""Proofs that PostgreSQL itself keeps organizations apart (row-level security, hotgigs/tenancy).

Each test reads or writes with the selectors out of the way (raw SQL, unscoped managers) under
one user's identity, as the application's role. Under CI=true they fail on anything but
PostgreSQL (where the policies exist), so SQLite never passes them as if proven.
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from psycopg.types.json import Jsonb

from candidates.models import CandidateMerge
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.tenancy import rls
from interviews.models import Interview
from tests.conftest import require_service
from tests.factories import CandidateFactory, JobFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.applications import ApplicationFactory
from tests.factories.candidates import CandidateSkillFactory, ResumeFactory
from tests.factories.interviews import (
    FeedbackFactory,
    FeedbackRatingFactory,
    InterviewFactory,
    InterviewRoundFactory,
    RoundAttributeFactory,
)
from tests.factories.jobs import JobSkillFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.webhooks import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgresql_as_the_app_role(db) -> None:  # type: ignore[no-untyped-def]
    require_service("PostgreSQL (DATABASE_URL) for row-level security", connection.vendor == "postgresql")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
    if superuser or bypass:
        pytest.fail("the tests connect as a role that bypasses row-level security; set DATABASE_OWNER_URL")


def models_by_table() -> dict[str, type[Model]]:
    return {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}


@dataclass
class Tenant:
    """One organization with rows in every tenant table; ``rows`` maps table → primary keys, and
    of those ``recruiter_sees`` what its recruiter reads, ``candidate_sees`` what its candidate does."""

    recruiter: object
    candidate_user: object
    rows: dict[str, set[int]] = field(default_factory=dict)
    recruiter_sees: dict[str, set[int]] = field(default_factory=dict)
    candidate_sees: dict[str, set[int]] = field(default_factory=dict)

    def add(self, obj: Model, *, recruiter: bool = True, candidate: bool = False) -> None:
        table = obj._meta.db_table
        self.rows.setdefault(table, set()).add(obj.pk)
        self.recruiter_sees.setdefault(table, set())
        self.candidate_sees.setdefault(table, set())
        if recruiter:
            self.recruiter_sees[table].add(obj.pk)
        if candidate:
            self.candidate_sees[table].add(obj.pk)


def build_tenant() -> Tenant:
    """As the system (the suite's default): a draft job (off the public board), an application,
    its history, a match, an interview with its panel, and feedback; the applicant's profile,
    resume and skill, profiles the organization sourced; notifications, an email preference
    and emails of the recruiter and of the candidate."""
    from activity.models import Note
    from applications.models import (
        Match,
        MatchFeedback,
        OfferApproval,
        RejectionEmail,
        RejectionEmailTemplate,
        RejectionReason,
        StageChange,
    )
    from hotgigs.notifications.choices import NotificationKind
    from hotgigs.notifications.models import EmailDelivery, NotificationEvent, NotificationPreference
    from jobs.models import HiringTeamMember

    org = OrganizationFactory()
    recruiter = MembershipFactory(organization=org).user
    candidate_user = UserFactory()
    candidate = CandidateFactory(user=candidate_user)
    tenant = Tenant(recruiter=recruiter, candidate_user=candidate_user)
    tenant.add(candidate, candidate=True)
    tenant.add(ResumeFactory(candidate=candidate), candidate=True)
    tenant.add(CandidateSkillFactory(candidate=candidate), candidate=True)
    job = JobFactory(organization=org, created_by=recruiter, status="draft")
    tenant.add(job)
    tenant.add(JobSkillFactory(job=job))
    application = ApplicationFactory(job=job, candidate=candidate)
    tenant.add(application, candidate=True)
    for change in StageChange.objects.filter(application=application):
        tenant.add(change, candidate=True)
    match = Match.objects.create(
        job=job,
        candidate=candidate,
        score=50,
        provider="test",
        model_version="1",
        input_hash="x",
        computed_at=application.stage_changed_at,
    )
    tenant.add(match, candidate=True)
    # The recruiter's mark on the match: the organization's, never the candidate's.
    tenant.add(
        MatchFeedback.objects.create(
            match=match,
            user=recruiter,
            organization=org,
            mark="good",
            score=50,
            model_version="1",
            marked_at=application.stage_changed_at,
        )
    )
    plan_round = InterviewRoundFactory(job=job)
    attribute = RoundAttributeFactory(round=plan_round)
    tenant.add(plan_round)
    tenant.add(attribute)
    interview = InterviewFactory(application=application, interviewers=[recruiter], round=plan_round)
    tenant.add(interview, candidate=True)
    for through in Interview.interviewers.through.objects.filter(interview=interview):
        tenant.add(through, candidate=True)
    feedback = FeedbackFactory(interview=interview, interviewer=recruiter)
    tenant.add(feedback)
    tenant.add(FeedbackRatingFactory(feedback=feedback, attribute=attribute))
    endpoint = WebhookEndpointFactory(organization=org)
    tenant.add(endpoint)
    tenant.add(WebhookDeliveryFactory(endpoint=endpoint))
    # Its rejection reasons (seeded with the organization) and a note on the application.
    for reason in RejectionReason.objects.filter(organization=org):
        tenant.add(reason)
    # Its rejection email template (seeded too) and an email scheduled for the candidate.
    template = RejectionEmailTemplate.objects.get(organization=org)
    tenant.add(template)
    tenant.add(
        RejectionEmail.objects.create(
            application=application,
            stage_change=StageChange.objects.filter(application=application).first(),
            template=template,
            to_email=candidate.email,
            subject="Your application",
            body="Dear candidate",
            send_at=application.created_at,
        )
    )
    tenant.add(
        Note.objects.create(
            organization=org,
            candidate=candidate,
            application=application,
            author=recruiter,
            body="Strong on the phone.",
            created_at=application.created_at,
        )
    )
    # The job's hiring team, and an offer decision on the application.
    tenant.add(HiringTeamMember.objects.create(job=job, organization=org, user=recruiter, role="hiring_manager"))
    tenant.add(
        OfferApproval.objects.create(
            application=application, decision="approve", decided_by=recruiter, decided_at=job.created_at
        )
    )
    # A merge of two profiles the organization sourced, already undone (so a copy of it breaks
    # no "one active merge per profile" rule and only the policy can refuse it).
    survivor = CandidateFactory(user=None, created_by=recruiter)
    duplicate = CandidateFactory(user=None, created_by=recruiter)
    tenant.add(survivor)
    tenant.add(duplicate)
    tenant.add(ResumeFactory(candidate=survivor))
    tenant.add(CandidateSkillFactory(candidate=survivor))
    tenant.add(
        CandidateMerge.objects.create(
            organization=org, survivor=survivor, duplicate=duplicate, merged_by=recruiter, undone_at=job.created_at
        )
    )
    # The analytics' daily facts of the application (anonymous: no candidate in them).
    from analytics.models import FirstHireFact, HireDayTotal, HireFact, StageDayFact, StageDayTotal

    at = application.created_at
    tenant.add(StageDayFact.objects.create(organization=org, job=job, day=at.date(), stage="applied", entered=1))
    tenant.add(StageDayTotal.objects.create(organization=org, day=at.date(), stage="applied", entered=1))
    tenant.add(
        HireFact.objects.create(
            organization=org,
            job=job,
            application_id=application.pk,
            source=application.source,
            applied_at=at,
            hired_at=at,
            hired_on=at.date(),
            job_opened_at=job.created_at,
        )
    )
    tenant.add(
        HireDayTotal.objects.create(
            organization=org,
            day=at.date(),
            hires=1,
            running_hires=1,
            running_microseconds=0,
            running_by_source={application.source: 1},
            running_by_days={"0": 1},
        )
    )
    tenant.add(FirstHireFact.objects.create(organization=org, job=job, opened_at=at, hired_at=at, hired_on=at.date()))
    # The candidate's (withdrawn) consent, and the recruiter's read of the profile in the audit log.
    from candidates.models import Consent
    from hotgigs.audit.models import AccessRecord

    when = application.created_at
    tenant.add(
        Consent.objects.create(
            candidate=candidate,
            purpose="talent_pool",
            text_version="2026-12",
            given_at=when,
            given_source="api",
            withdrawn_at=when,
        ),
        candidate=True,
    )
    # The candidate's voluntary self-identification: theirs alone (not the recruiter's, not staff's).
    from candidates.models import SelfIdentification

    tenant.add(
        SelfIdentification.objects.create(
            candidate=candidate,
            gender="declined",
            race_ethnicity="declined",
            veteran_status="declined",
            disability_status="declined",
        ),
        recruiter=False,
        candidate=True,
    )
    tenant.add(
        AccessRecord.objects.create(
            at=when,
            actor=recruiter,
            actor_email=recruiter.email,
            candidate_id=candidate.pk,
            action="viewed",
            channel="api",
        )
    )
    # The organization's retention period (privacy): its members read it.
    from privacy.models import RetentionSetting

    tenant.add(RetentionSetting.objects.create(organization=org, retention_days=365, updated_at=when))
    # Each user's own notifications and email preference; an email to the candidate about the
    # application (the organization reads it on the timeline) and one to the recruiter.
    tenant.add(NotificationFactory(user=recruiter))
    tenant.add(NotificationFactory(user=candidate_user), recruiter=False, candidate=True)
    tenant.add(
        NotificationPreference.objects.create(user=recruiter, kind=NotificationKind.APPLICATION_RECEIVED, email=False)
    )
    tenant.add(
        NotificationPreference.objects.create(
            user=candidate_user, kind=NotificationKind.APPLICATION_RECEIVED, email=False
        ),
        recruiter=False,
        candidate=True,
    )
    event = NotificationEvent.objects.create(key=f"test:{application.pk}", kind=NotificationKind.APPLICATION_RECEIVED)
    tenant.add(
        EmailDelivery.objects.create(
            idempotency_key=f"{event.key}:{candidate_user.pk}",
            event=event,
            user=candidate_user,
            kind=event.kind,
            to_email=candidate_user.email,
            context={"application_id": application.pk},
        ),
        candidate=True,
    )
    tenant.add(
        EmailDelivery.objects.create(
            idempotency_key=f"{event.key}:{recruiter.pk}",
            event=event,
            user=recruiter,
            kind=event.kind,
            to_email=recruiter.email,
            context={"job_id": job.pk},
        )
    )
    # Outbox rows by audience: the organization's, the candidate's own, the application's (both
    # read it), and an internal event (the system's only).
    from hotgigs.events.models import OutboxEvent, OutboxEventGroup

    def outbox_event(channel: str, groups: list[str], organization_id: int | None) -> OutboxEvent:
        row = OutboxEvent.objects.create(
            channel=channel, type="test.event", data={}, groups=groups, organization_id=organization_id
        )
        OutboxEventGroup.objects.bulk_create([OutboxEventGroup(event=row, group=group) for group in groups])
        return row

    tenant.add(outbox_event("job_updates", [f"job_updates.org.{org.pk}"], org.pk))
    tenant.add(outbox_event("job_updates", [f"job_updates.org.{org.pk}"], None))
    tenant.add(
        outbox_event("application_status", [f"application_status.user.{candidate_user.pk}"], None),
        recruiter=False,
        candidate=True,
    )
    tenant.add(
        outbox_event("application_status", [f"application_status.application.{application.pk}"], None), candidate=True
    )
    tenant.add(outbox_event("", [], None), recruiter=False)
    return tenant


@pytest.fixture
def tenants() -> tuple[Tenant, Tenant]:
    return build_tenant(), build_tenant()


def as_user(user: object) -> tenancy.Identity:
    return policies.database_identity(user)  # type: ignore[arg-type]


def test_every_table_under_policies_gets_rows(tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    assert set(a.rows) == set(rls.TABLES) == set(b.rows), "the proofs must put a row in every table under policies"


@pytest.mark.parametrize("table", sorted(rls.TABLES))
def test_a_recruiter_reads_none_of_another_organizations_rows(table: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    model = models_by_table()[table]
    with tenancy.acting_as(as_user(a.recruiter)):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table}")  # noqa: S608 (a table name of ours)
            raw = {row[0] for row in cursor.fetchall()}
        unscoped = set(model._base_manager.order_by().values_list("pk", flat=True))
    assert raw == unscoped
    assert raw.isdisjoint(b.rows[table]), f"{table}: organization A read B's rows"
    assert a.recruiter_sees[table] <= raw, f"{table}: organization A does not see its own rows"


@pytest.mark.parametrize("table", sorted(rls.TABLES))
def test_a_recruiter_cannot_change_or_delete_another_organizations_rows(
    table: str, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    target = sorted(b.rows[table])
    with tenancy.acting_as(as_user(a.recruiter)), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET id = id WHERE id = ANY(%s)", [target])  # noqa: S608
        assert cursor.rowcount == 0
        cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [target])  # noqa: S608
        assert cursor.rowcount == 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = ANY(%s)", [target])  # noqa: S608
        assert cursor.fetchone()[0] == len(target)


@pytest.mark.parametrize("table", sorted(rls.TABLES))
def test_the_database_refuses_a_row_written_into_another_organization(
    table: str, tenants: tuple[Tenant, Tenant]
) -> None:
    """A copy of one of B's rows, inserted under A's identity: the policy's check refuses it."""
    a, b = tenants
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [min(b.rows[table])])  # noqa: S608
        columns = [column.name for column in cursor.description if column.name != "id"]
        values = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
    placeholders = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    params = [Jsonb(values[c]) if isinstance(values[c], dict | list) else values[c] for c in columns]
    with (
        tenancy.acting_as(as_user(a.recruiter)),
        pytest.raises(DatabaseError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(insert, params)
    assert "row-level security" in str(refused.value)


def test_an_update_moving_a_row_into_another_organization_is_refused(tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    from jobs.models import Job

    job_id = min(a.rows["jobs_job"])
    other_org = Job.objects.get(pk=min(b.rows["jobs_job"])).organization_id
    with (
        tenancy.acting_as(as_user(a.recruiter)),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        Job.objects.filter(pk=job_id).update(organization_id=other_org)
    assert Job.objects.get(pk=job_id).organization_id != other_org


def test_the_public_job_board_is_the_one_exception(tenants: tuple[Tenant, Tenant]) -> None:
    """Open jobs are public (the job board), to anyone with an identity; their applications are not."""
    from jobs.models import Job

    a, b = tenants
    board_job = JobFactory(organization=Job.objects.get(pk=min(b.rows["jobs_job"])).organization, status="open")
    application = ApplicationFactory(job=board_job)
    with tenancy.acting_as(as_user(a.recruiter)):
        assert Job.objects.filter(pk=board_job.pk).exists()
        assert not type(application).objects.filter(pk=application.pk).exists()
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Job.objects.filter(pk=board_job.pk).update(title="taken over")
    with tenancy.acting_as(None):
        assert not Job.objects.filter(pk=board_job.pk).exists()


@pytest.mark.parametrize("table", sorted(rls.TABLES))
def test_a_candidate_sees_only_their_own_rows(table: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    model = models_by_table()[table]
    with tenancy.acting_as(as_user(a.candidate_user)):
        seen = set(model._base_manager.order_by().values_list("pk", flat=True))
    assert seen.isdisjoint(b.rows[table])
    # Jobs and skills: only the board's (these drafts are not on it). Feedback, notes and the
    # profiles the organization sourced are the hiring team's.
    assert seen == a.candidate_sees[table]


@pytest.mark.parametrize("table", sorted(rls.TABLES))
def test_no_identity_sees_nothing(table: str, tenants: tuple[Tenant, Tenant]) -> None:
    model = models_by_table()[table]
    assert model._base_manager.exists()
    with tenancy.acting_as(None):
        assert not model._base_manager.exists()
    with tenancy.acting_as(tenancy.ANONYMOUS):
        assert not model._base_manager.exists()


def test_staff_see_every_organization(tenants: tuple[Tenant, Tenant]) -> None:
    from jobs.models import Job

    staff = UserFactory(is_staff=True)
    with tenancy.acting_as(as_user(staff)):
        assert Job.objects.count() == 2


def test_every_table_with_an_organization_column_has_policies() -> None:
    """A new table with an organization (or tenant) column fails here until it is under policies
    (rls.TABLES and a migration) or named in rls.EXEMPT with the reason."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name IN ('organization_id', 'tenant_id')"
        )
        with_organization = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relforcerowsecurity"
            " AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname"
            " AND p.cmd = 'SELECT') AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname"
            " AND p.tablename = c.relname AND p.cmd = 'INSERT')"
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert with_organization, "no table with an organization column found: the check itself is broken"
    missing = sorted(with_organization - protected - set(rls.EXEMPT))
    assert not missing, f"tables with an organization column and no row-level security: {missing}"
    assert set(rls.TABLES) <= protected, sorted(set(rls.TABLES) - protected)
    assert not set(rls.EXEMPT) & protected, "a table both exempt and under policies"


# --- candidate profiles: the database's rule is the selectors' rule ------------------------------


def test_the_database_shows_a_recruiter_the_profiles_the_selector_shares(tenants: tuple[Tenant, Tenant]) -> None:
    """On a mixed fixture (own, sourced here and elsewhere, applied here and elsewhere,
    discoverable, a member's own job-hunting profile), raw SQL under each user's identity finds
    exactly the profiles ``candidates.selectors.candidate_shared_with`` (with the owner rule of
    ``policies.visible_rows``) names."""
    from candidates.models import Candidate
    from candidates.selectors import candidate_shared_with
    from jobs.models import Job

    a, b = tenants
    job_a = Job.objects.get(pk=min(a.rows["jobs_job"]))
    job_b = Job.objects.get(pk=min(b.rows["jobs_job"]))
    CandidateFactory(discoverable=True)
    CandidateFactory(user=None, created_by=b.recruiter, discoverable=True)
    both = CandidateFactory()
    ApplicationFactory(job=job_a, candidate=both)
    ApplicationFactory(job=job_b, candidate=both)
    colleague = MembershipFactory(organization=job_a.organization).user
    CandidateFactory(user=colleague)  # a member's own profile: not their colleagues'
    member_of_both = MembershipFactory(organization=job_b.organization).user
    MembershipFactory(user=member_of_both, organization=job_a.organization)
    loner = UserFactory()  # neither a member nor a candidate
    staff = UserFactory(is_staff=True)

    for user in (a.recruiter, b.recruiter, colleague, member_of_both, a.candidate_user, loner, staff):
        visible = policies.visible_rows(user, owner="user_id", organization=candidate_shared_with)
        expected = set() if visible is None else set(Candidate.objects.filter(visible).values_list("pk", flat=True))
        with tenancy.acting_as(as_user(user)), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM candidates_candidate")
            seen = {row[0] for row in cursor.fetchall()}
        assert seen == expected, f"user {user.pk}: the database and the selector disagree"


def test_a_recruiter_rewrites_only_the_profiles_their_organization_sourced(tenants: tuple[Tenant, Tenant]) -> None:
    """An applicant's or a discoverable profile is read by the organization, never rewritten by
    it; a sourced one is its own; the person rewrites theirs."""
    from candidates.models import Candidate

    a, _ = tenants
    applicant = Candidate.objects.get(user=a.candidate_user)
    discoverable = CandidateFactory(discoverable=True)
    sourced = CandidateFactory(user=None, created_by=a.recruiter)
    with tenancy.acting_as(as_user(a.recruiter)):
        for profile in (applicant, discoverable):
            assert Candidate.objects.filter(pk=profile.pk).exists()
            with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                Candidate.objects.filter(pk=profile.pk).update(headline="rewritten")
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM candidates_candidate WHERE id = %s", [profile.pk])
                assert cursor.rowcount == 0
        assert Candidate.objects.filter(pk=sourced.pk).update(headline="Ours") == 1
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Candidate.objects.create(full_name="Someone", email="someone@example.test", user=UserFactory())
    with tenancy.acting_as(as_user(a.candidate_user)):
        assert Candidate.objects.filter(pk=applicant.pk).update(headline="Mine") == 1
        assert not Candidate.objects.filter(pk=discoverable.pk).exists()
        assert not Candidate.objects.filter(pk=sourced.pk).exists()
    assert Candidate.objects.filter(pk__in=[applicant.pk, discoverable.pk]).count() == 2
    assert Candidate.objects.get(pk=applicant.pk).headline == "Mine"
    assert Candidate.objects.get(pk=sourced.pk).headline == "Ours"


def test_a_candidate_sees_the_applications_of_their_own_profile_only() -> None:
    """Applications name the candidate's own profile through hotgigs_my_candidate_ids(): it
    answers the acting user's profile ids, none for anyone else, and is the owner's function
    with a pinned search_path that the application's role may only call."""
    from applications.models import Application

    mine, theirs = ApplicationFactory(), ApplicationFactory()
    user = mine.candidate.user
    with tenancy.acting_as(as_user(user)), connection.cursor() as cursor:
        cursor.execute("SELECT hotgigs_my_candidate_ids()")
        assert cursor.fetchone()[0] == [mine.candidate_id]
        assert set(Application.objects.values_list("pk", flat=True)) == {mine.pk}
        assert not Application.objects.filter(pk=theirs.pk).exists()
    with tenancy.acting_as(as_user(UserFactory())), connection.cursor() as cursor:
        cursor.execute("SELECT hotgigs_my_candidate_ids()")
        assert cursor.fetchone()[0] == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.prosecdef, p.provolatile, p.proconfig, pg_get_userbyid(p.proowner) <> current_user"
            " FROM pg_proc p WHERE p.proname = 'hotgigs_my_candidate_ids'"
        )
        definer, volatility, config, owned_by_another = cursor.fetchone()
    assert definer, "runs as its owner (SECURITY DEFINER)"
    assert volatility == "s", "STABLE"
    assert owned_by_another, "owned by the migrations' role, not the application's"
    assert any(setting.startswith("search_path=") for setting in config)


def test_a_recruiter_reads_the_emails_about_their_applications_only(tenants: tuple[Tenant, Tenant]) -> None:
    """The activity timeline's emails: the organization reads those about its applications
    (sent to the candidate), never another organization's, and no user another's own."""
    from hotgigs.notifications.models import EmailDelivery

    a, b = tenants
    about_a = {
        pk for pk in a.rows["notifications_emaildelivery"] if pk in a.candidate_sees["notifications_emaildelivery"]
    }
    with tenancy.acting_as(as_user(a.recruiter)):
        seen = set(EmailDelivery.objects.values_list("pk", flat=True))
    assert about_a <= seen
    assert seen.isdisjoint(b.rows["notifications_emaildelivery"])
    with tenancy.acting_as(as_user(UserFactory())):
        assert not EmailDelivery.objects.exists()


# --- the outbox: written as the system, read by its audience ------------------------------------


def test_an_actor_records_events_for_an_audience_they_do_not_read(tenants: tuple[Tenant, Tenant]) -> None:
    """A candidate's change is news for the organization: ``outbox.record`` writes the row (as
    the system) although the candidate's identity reads only their own audience's rows."""
    from hotgigs.events import catalogue, outbox
    from hotgigs.events.audiences import group_for_organization, group_for_user
    from hotgigs.events.models import OutboxEvent
    from jobs.models import Job

    a, _ = tenants
    org_id = Job.objects.get(pk=min(a.rows["jobs_job"])).organization_id
    with tenancy.acting_as(as_user(a.candidate_user)), transaction.atomic():
        for_org = outbox.record(catalogue.JOB_UPDATED, data={"id": 1}, audiences=[group_for_organization(org_id)])
        for_me = outbox.record(catalogue.JOB_UPDATED, data={"id": 1}, audiences=[group_for_user(a.candidate_user.pk)])
        visible = set(OutboxEvent.objects.filter(pk__in=[for_org.pk, for_me.pk]).values_list("pk", flat=True))
    assert visible == {for_me.pk}
    assert OutboxEvent.objects.filter(pk__in=[for_org.pk, for_me.pk]).count() == 2
    with tenancy.acting_as(as_user(a.recruiter)):
        assert OutboxEvent.objects.filter(pk=for_org.pk).exists()
        assert not OutboxEvent.objects.filter(pk=for_me.pk).exists()


def test_a_replay_reads_as_the_socket_user_what_the_groups_authorize(tenants: tuple[Tenant, Tenant]) -> None:
    """The socket's replay (outbox_replay, run as its user): a candidate's own group and their
    application's group replay in full; the organization's group shows them nothing. Whether
    the replay expired is judged by the oldest id of any audience, not the oldest they read."""
    from hotgigs.events.models import OutboxEvent
    from hotgigs.realtime.selectors import outbox_replay

    a, b = tenants
    user_group = f"application_status.user.{a.candidate_user.pk}"
    org_group = next(
        g for pk in a.rows["realtime_outboxevent"] for g in OutboxEvent.objects.get(pk=pk).groups if ".org." in g
    )
    expected = {pk for pk in a.rows["realtime_outboxevent"] if user_group in OutboxEvent.objects.get(pk=pk).groups}
    oldest = min(a.rows["realtime_outboxevent"] | b.rows["realtime_outboxevent"])
    with tenancy.acting_as(as_user(a.candidate_user)):
        replay = outbox_replay(group=user_group, since=oldest - 1, limit=100)
        assert {event["id"] for event in replay.events} == expected
        assert not replay.expired
        assert outbox_replay(group=org_group, since=oldest - 1, limit=100).events == []
    with tenancy.acting_as(as_user(a.recruiter)):
        assert outbox_replay(group=org_group, since=oldest - 1, limit=100).events
