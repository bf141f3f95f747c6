"""Compiled reads and inserts (hotgigs.compiled): the ORM's statement, built once, answers as the ORM does.

Each read is held to the queryset it was compiled from: the same rows, the same loaded and
deferred fields, the same related rows, the same errors, and the same SQL on the wire. Each
insert is held to ``objects.create``: the same row, the same instance, the same SQL, the same
errors, and ``save()`` itself wherever it would do more than the insert.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.db.models.functions import Now
from django.db.models.signals import pre_save
from django.db.transaction import TransactionManagementError
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, StageChange
from candidates.models import Candidate
from candidates.selectors import candidate_for_user
from hotgigs.accounts.models import Organization
from hotgigs.compiled import Compiled, CompiledCache, CompiledInsert, NotCompilable
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.events.outbox import record
from jobs.errors import JobNotFound
from jobs.models import Job
from jobs.selectors import _visible_jobs, job_lock
from tests.factories import CandidateFactory, JobFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SUBMISSION_FIELDS = ("title", "status", "organization__is_active")


@pytest.fixture
def jobs(org, other_org):
    """One job per status in each organization, plus an open job of a deactivated one."""
    mine = {status: JobFactory(organization=org, status=status) for status in ("draft", "open", "closed")}
    theirs = {status: JobFactory(organization=other_org, status=status) for status in ("draft", "open", "closed")}
    dormant = JobFactory(organization=OrganizationFactory(is_active=False), status="open")
    return [*mine.values(), *theirs.values(), dormant]


def _orm_lock(job_id, actor, fields):  # type: ignore[no-untyped-def]
    """What job_lock answered before its statement was compiled: the queryset, built each time."""
    jobs = (Job.objects if actor is None else _visible_jobs(actor)).select_related("organization")
    if fields:
        jobs = jobs.only("organization_id", *fields)
    try:
        return jobs.select_for_update(of=("self",)).get(pk=job_id)
    except Job.DoesNotExist:
        return None


def _state(job):  # type: ignore[no-untyped-def]
    """Everything a caller can read off a locked job without another query."""
    if job is None:
        return None
    organization = Job.organization.field.get_cached_value(job)  # type: ignore[attr-defined]
    return (
        job.pk,
        sorted(job.get_deferred_fields()),
        {name: getattr(job, name) for name in ("organization_id", "title", "status")},
        (organization.pk, organization.is_active, sorted(organization.get_deferred_fields())),
    )


@pytest.mark.parametrize("fields", [SUBMISSION_FIELDS, ()])
@pytest.mark.parametrize("actor_name", ["recruiter", "other_recruiter", "candidate", "staff", "anyone", "anonymous"])
def test_job_lock_finds_what_the_orm_finds_for_every_actor_and_job(
    jobs, recruiter, other_recruiter, candidate, staff, actor_name, fields
):
    actor = {
        "recruiter": recruiter,
        "other_recruiter": other_recruiter,
        "candidate": candidate.user,
        "staff": staff,
        "anyone": None,
        "anonymous": AnonymousUser(),
    }[actor_name]
    seen = 0
    for job in [*jobs, None]:
        job_id = job.pk if job is not None else max(j.pk for j in jobs) + 1000
        with transaction.atomic():
            expected = _orm_lock(job_id, actor, fields)
            try:
                found = job_lock(job_id=job_id, actor=actor, fields=fields)
            except JobNotFound:
                found = None
        assert _state(found) == _state(expected), job
        seen += found is not None
    # Each actor sees some jobs and not others (anonymous: none; staff and anyone: all).
    assert seen == {"anonymous": 0, "staff": 7, "anyone": 7, "candidate": 2}.get(actor_name, 3)


def test_the_compiled_lock_sends_the_orm_statement(jobs, candidate):
    job = jobs[1]
    with transaction.atomic():
        job_lock(job_id=job.pk, actor=candidate.user, fields=SUBMISSION_FIELDS)  # compiled on first use
        with CaptureQueriesContext(connection) as orm:
            _orm_lock(job.pk, candidate.user, SUBMISSION_FIELDS)
        with CaptureQueriesContext(connection) as compiled:
            job_lock(job_id=job.pk, actor=candidate.user, fields=SUBMISSION_FIELDS)

    assert [q["sql"] for q in compiled.captured_queries] == [q["sql"] for q in orm.captured_queries]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in compiled.captured_queries[0]["sql"]


def test_two_organizations_rules_never_share_a_statement(org, other_org, recruiter, other_recruiter):
    ours = JobFactory(organization=org, status="closed")
    theirs = JobFactory(organization=other_org, status="closed")

    with transaction.atomic():
        assert job_lock(job_id=ours.pk, actor=recruiter).pk == ours.pk
        assert job_lock(job_id=theirs.pk, actor=other_recruiter).pk == theirs.pk
        with pytest.raises(JobNotFound):
            job_lock(job_id=theirs.pk, actor=recruiter)
        with pytest.raises(JobNotFound):
            job_lock(job_id=ours.pk, actor=other_recruiter)


@pytest.mark.parametrize("job_id", ["abc", None, 2**63, -(2**63) - 1, 1.5j])
def test_a_job_id_that_is_not_a_key_is_not_found_and_sends_nothing(jobs, candidate, job_id):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, pytest.raises(JobNotFound):
        job_lock(job_id=job_id, actor=candidate.user)

    assert [q["sql"] for q in queries.captured_queries if "jobs_job" in q["sql"]] == []


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused(jobs):
    if not connection.features.has_select_for_update:
        pytest.skip("this database takes no row locks (SQLite): nothing to refuse")
    with transaction.atomic():
        job_lock(job_id=jobs[0].pk)  # compiled inside a transaction

    with pytest.raises(TransactionManagementError):
        job_lock(job_id=jobs[0].pk)


@pytest.mark.parametrize("fields", [("full_name",), ()])
def test_candidate_for_user_reads_the_profile_as_the_orm_does(fields):
    candidate = CandidateFactory(full_name="Ada Lovelace")

    found = candidate_for_user(user=candidate.user, skills=False, fields=fields)
    expected = Candidate.objects.filter(user_id=candidate.user.pk)
    expected = (expected.only("user_id", *fields) if fields else expected).get()

    assert found is not None
    assert (found.pk, found.user_id, found.full_name) == (expected.pk, expected.user_id, "Ada Lovelace")
    assert found.get_deferred_fields() == expected.get_deferred_fields()


def test_candidate_for_user_without_a_profile_is_none(recruiter):
    assert candidate_for_user(user=recruiter, skills=False, fields=("full_name",)) is None
    assert candidate_for_user(user=AnonymousUser(), skills=False) is None


def test_values_pass_through_the_fields_converters():
    with transaction.atomic():
        event = record(
            catalogue.JOB_OPENED, data={"id": 7, "title": "Nurse", "skills": ["triage"]}, audiences=["org.1"]
        )
    read = Compiled(lambda pk: OutboxEvent.objects.filter(pk=pk))

    found = read.get(event.pk)

    assert found.data == {"id": 7, "title": "Nurse", "skills": ["triage"]}
    assert found.groups == event.groups
    assert found.created_at == OutboxEvent.objects.get(pk=event.pk).created_at


def test_get_raises_as_the_model_does(org):
    first, second = JobFactory(organization=org), JobFactory(organization=org)
    by_organization = Compiled(lambda organization_id: Job.objects.filter(organization_id=organization_id))

    with pytest.raises(Job.MultipleObjectsReturned):
        by_organization.get(org.pk)
    assert {job.pk for job in by_organization.fetch(org.pk)} == {first.pk, second.pk}
    with pytest.raises(Job.DoesNotExist):
        by_organization.get(org.pk + 1000)


def test_a_value_must_appear_once_in_the_statement(org):
    JobFactory(organization=org)
    unused = Compiled(lambda pk: Job.objects.filter(organization_id=org.pk))
    twice = Compiled(lambda pk: Job.objects.filter(pk=pk, organization_id=pk))

    with pytest.raises(NotCompilable, match="appears 0 times"):
        unused.fetch(1)
    with pytest.raises(NotCompilable, match="appears 2 times"):
        twice.fetch(1)
    with pytest.raises(TypeError, match="takes 1 values, got 2"):
        Compiled(lambda pk: Job.objects.filter(pk=pk)).fetch(1, 2)


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Job.objects.filter(pk=pk).prefetch_related("skills"),
        lambda pk: Job.objects.filter(pk=pk).annotate(n=Count("skills")),
        lambda pk: Job.objects.filter(pk=pk).values("title"),
        lambda pk: Job.objects.filter(pk=pk).extra(select={"one": "1"}),
    ],
    ids=["prefetch", "annotate", "values", "extra"],
)
def test_only_a_plain_model_queryset_compiles(org, build):
    with pytest.raises(NotCompilable, match="only a plain model queryset"):
        Compiled(build).fetch(JobFactory(organization=org).pk)


def test_the_cache_drops_the_least_recently_used_read():
    cache = CompiledCache(size=2)

    def build(pk):  # type: ignore[no-untyped-def]
        return Job.objects.filter(pk=pk)

    a, b = cache.read("a", build), cache.read("b", build)
    assert cache.read("a", build) is a  # a used last: b goes next
    cache.read("c", build)

    assert cache.read("a", build) is a
    assert cache.read("b", build) is not b


def test_a_misused_read_is_not_mistaken_for_a_bad_key(org):
    # Callers turn ValueError and TypeError (a key that is not one) into "not found"; a build
    # that misuses its values must surface as the programming error it is.
    twice = Compiled(lambda pk: Job.objects.filter(pk=pk, organization_id=pk))

    try:
        twice.get(1)
    except (ValueError, TypeError):
        pytest.fail("a misused read was raised as a bad key")
    except NotCompilable:
        pass
    else:
        pytest.fail("a misused read ran")


def _row(model, pk):  # type: ignore[no-untyped-def]
    """The stored row, every column, as the ORM reads it."""
    return model.objects.filter(pk=pk).values().get()


def _without(row, *names):  # type: ignore[no-untyped-def]
    return {name: value for name, value in row.items() if name not in names}


def test_an_insert_writes_the_row_create_writes(org, recruiter):
    jobs = [JobFactory(organization=org, status="open") for _ in range(2)]
    candidates = [CandidateFactory() for _ in range(2)]
    changed_at = timezone.now() - timedelta(days=1)

    def values(index):  # type: ignore[no-untyped-def]
        return {
            "job": jobs[index],
            "candidate": candidates[index],
            "source": "referral",
            "cover_letter": "Hello",
            "match_score": Decimal("87.50"),
            "created_by": recruiter,
            "stage_changed_at": changed_at,
        }

    before = timezone.now()
    created = Application.objects.create(**values(0))
    inserted = CompiledInsert(Application).create(**values(1))

    assert inserted.pk is not None
    assert inserted.pk != created.pk
    assert not inserted._state.adding
    assert inserted._state.db == "default"
    ours, theirs = _row(Application, inserted.pk), _row(Application, created.pk)
    assert _without(ours, "id", "job_id", "candidate_id", "created_at", "updated_at") == _without(
        theirs, "id", "job_id", "candidate_id", "created_at", "updated_at"
    )
    assert (ours["job_id"], ours["candidate_id"]) == (jobs[1].pk, candidates[1].pk)
    # auto_now_add and auto_now as save() sets them, on the instance and in the row
    assert before <= ours["created_at"] == inserted.created_at
    assert before <= ours["updated_at"] == inserted.updated_at
    assert model_to_dict(inserted, exclude=["id", "job", "candidate"]) == model_to_dict(
        Application.objects.get(pk=inserted.pk), exclude=["id", "job", "candidate"]
    )


def test_an_insert_leaves_the_defaults_to_the_fields(org, candidate, recruiter):
    application = Application.objects.create(
        job=JobFactory(organization=org), candidate=candidate, stage_changed_at=timezone.now()
    )

    change = CompiledInsert(StageChange).create(
        application=application, to_stage="applied", actor=recruiter, changed_at=application.stage_changed_at
    )

    row = _row(StageChange, change.pk)
    assert (row["from_stage"], row["reason"], row["kind"], row["rejection_reason_id"]) == ("", "", "move", None)
    assert (change.from_stage, change.kind) == ("", "move")


def test_an_insert_sends_the_statement_create_sends(org, recruiter):
    application = Application.objects.create(
        job=JobFactory(organization=org), candidate=CandidateFactory(), stage_changed_at=timezone.now()
    )
    fields = {"application": application, "to_stage": "applied", "actor": recruiter, "changed_at": timezone.now()}
    insert = CompiledInsert(StageChange)
    insert.create(**fields)  # compiled on first use

    with CaptureQueriesContext(connection) as orm:
        StageChange.objects.create(**fields)
    with CaptureQueriesContext(connection) as compiled:
        insert.create(**fields)

    assert [query["sql"] for query in compiled.captured_queries] == [orm.captured_queries[0]["sql"]]


def test_a_refused_insert_raises_and_marks_the_transaction(org):
    job, candidate = JobFactory(organization=org), CandidateFactory()
    Application.objects.create(job=job, candidate=candidate, stage_changed_at=timezone.now())

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            CompiledInsert(Application).create(job=job, candidate=candidate, stage_changed_at=timezone.now())
        needs_rollback = connection.needs_rollback  # as save() leaves it: this block rolls back

    assert needs_rollback

    assert Application.objects.filter(job=job, candidate=candidate).count() == 1


def test_an_unsaved_related_row_is_refused_as_save_refuses_it(org):
    unsaved = Job(organization=org, title="Never saved")

    with pytest.raises(ValueError, match="unsaved related object 'job'"):
        CompiledInsert(Application).create(job=unsaved, candidate=CandidateFactory(), stage_changed_at=timezone.now())
    assert not Application.objects.exists()


def test_a_receiver_of_the_model_gets_its_save(org, candidate):
    heard = []

    def receiver(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
        heard.append((sender, instance.pk is None))

    pre_save.connect(receiver, sender=Application, dispatch_uid="test_compiled_receiver")
    try:
        inserted = CompiledInsert(Application).create(
            job=JobFactory(organization=org), candidate=candidate, stage_changed_at=timezone.now()
        )
    finally:
        pre_save.disconnect(sender=Application, dispatch_uid="test_compiled_receiver")

    assert heard == [(Application, True)]
    assert Application.objects.filter(pk=inserted.pk).exists()


def test_a_model_with_a_save_of_its_own_is_saved_by_it(org, candidate, monkeypatch):
    saved = []
    original = Application.save

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        saved.append(self.pk is None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Application, "save", save)
    inserted = CompiledInsert(Application).create(
        job=JobFactory(organization=org), candidate=candidate, stage_changed_at=timezone.now()
    )

    assert saved == [True]
    assert Application.objects.filter(pk=inserted.pk).exists()


def test_an_expression_value_is_written_by_save(org, candidate):
    insert = CompiledInsert(Application)
    insert.create(job=JobFactory(organization=org), candidate=CandidateFactory(), stage_changed_at=timezone.now())

    with transaction.atomic():
        inserted = insert.create(job=JobFactory(organization=org), candidate=candidate, stage_changed_at=Now())
        database_now = Application.objects.values_list("stage_changed_at", flat=True).get(pk=inserted.pk)

    assert database_now is not None
    # The statement compiled first is untouched: the next plain insert still works.
    assert insert.create(job=JobFactory(organization=org), candidate=candidate, stage_changed_at=timezone.now()).pk


def test_only_a_model_with_a_table_of_its_own_inserts_compiled():
    class Listed(Organization):
        class Meta:
            proxy = True
            app_label = "accounts"

    with pytest.raises(NotCompilable, match="table and key of its own"):
        CompiledInsert(Listed)
