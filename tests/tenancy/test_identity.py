# mypy: disable-error-code="attr-defined,arg-type,misc"
# (factory-boy factories are typed as the factory class, not the model they create.)
"""The acting identity reaches the database and never outlives the work it belongs to."""

import pytest
from django.db import connection, transaction

from hotgigs import tenancy
from hotgigs.accounts import policies
from tests.conftest import require_service
from tests.factories import JobFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgresql(db) -> None:  # type: ignore[no-untyped-def]
    require_service("PostgreSQL (DATABASE_URL) for row-level security", connection.vendor == "postgresql")


def database_identity() -> tuple[str, str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('hotgigs.actor', true), current_setting('hotgigs.user_id', true),"
            " current_setting('hotgigs.organization_ids', true), current_setting('hotgigs.sees_all', true)"
        )
        return tuple(cursor.fetchone())  # type: ignore[return-value]


def test_the_connection_carries_the_acting_identity_and_restores_the_one_before() -> None:
    member = MembershipFactory()
    identity = policies.database_identity(member.user)
    assert database_identity() == ("system", "", "{}", "on")
    with tenancy.acting_as(identity):
        assert database_identity() == ("user", str(member.user_id), f"{{{member.organization_id}}}", "")
        with tenancy.acting_as(None):
            assert database_identity() == tenancy.NO_ONE
    assert database_identity() == ("system", "", "{}", "on")


def test_a_rolled_back_savepoint_does_not_leave_a_stale_identity() -> None:
    """A setting made inside a transaction that rolls back is undone by PostgreSQL; the backend
    must set it again, not believe the connection still holds it."""
    user = UserFactory()
    with tenancy.acting_as(policies.database_identity(user)):
        try:
            with transaction.atomic():
                assert database_identity()[1] == str(user.pk)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert database_identity()[1] == str(user.pk)


@pytest.mark.django_db(transaction=True)
def test_a_connection_checked_out_again_forgets_what_it_held() -> None:
    """Whatever a pooled connection last held (here a setting made behind the backend's back) is
    replaced on the next checkout, before the first statement, by the identity acting then."""
    user = UserFactory()
    with tenancy.acting_as(policies.database_identity(user)):
        database_identity()
        connection.connection.execute("SELECT set_config('hotgigs.user_id', '999999', false)")
    poisoned = connection.connection.info.backend_pid
    seen = set()
    # The pool hands its sessions out in turn, so the poisoned one comes back; on a busy machine
    # the pool may have opened more sessions meanwhile, hence up to 50 rounds, not a fixed few.
    for _ in range(50):
        connection.close()  # back to the pool
        with tenancy.acting_as(None):
            assert database_identity() == tenancy.NO_ONE
        seen.add(connection.connection.info.backend_pid)
        if poisoned in seen:
            break
    if "pool" in connection.settings_dict["OPTIONS"]:
        assert poisoned in seen, "the pool never handed the same session back; the test proved nothing"


@pytest.mark.django_db(transaction=True)
def test_pooled_connections_start_every_request_as_no_one_but_the_requester(client) -> None:  # type: ignore[no-untyped-def]
    """Across real checkouts from the pool: after a request as a member, the next work on the
    thread's connection runs as whoever acts then."""
    member = MembershipFactory()
    job = JobFactory(organization=member.organization, status="draft")
    other = JobFactory(organization=OrganizationFactory(), status="draft")
    from jobs.models import Job

    with tenancy.acting_as(policies.database_identity(member.user)):
        assert set(Job.objects.order_by().values_list("pk", flat=True)) == {job.pk}
    connection.close()  # back to the pool (or closed without one)
    with tenancy.acting_as(None):
        assert not Job.objects.exists()
    connection.close()
    assert set(Job.objects.order_by().values_list("pk", flat=True)) == {job.pk, other.pk}  # system again


def test_system_access_needs_a_reason_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ValueError, match="reason"), tenancy.system(" "):
        pass
    with caplog.at_level("DEBUG", logger="hotgigs.tenancy"), tenancy.system("nightly sweep"):
        pass
    assert "system access: nightly sweep" in caplog.text


def test_a_worker_connection_kept_across_tasks_carries_no_task_identity_into_the_next() -> None:
    """Workers keep one connection from task to task (hotgigs/celery.py): the next task acts as
    its own publisher, or as no one, never as the task before it."""
    from types import SimpleNamespace

    from hotgigs.tenancy import celery as task_identity

    member = MembershipFactory()
    header = policies.database_identity(member.user).to_header()

    def task(carried: object) -> SimpleNamespace:
        return SimpleNamespace(request=SimpleNamespace(is_eager=False, hotgigs_identity=carried))

    with tenancy.acting_as(None):
        first, second = task(header), task(None)
        task_identity._act_as_publisher(task=first)
        assert database_identity() == ("user", str(member.user_id), f"{{{member.organization_id}}}", "")
        task_identity._act_as_no_one(task=first)
        task_identity._act_as_publisher(task=second)
        assert database_identity() == tenancy.NO_ONE
        task_identity._act_as_no_one(task=second)
        assert tenancy.current() is None
