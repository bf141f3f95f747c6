"""The data migration that gives existing sourced candidates their organization
(candidates/migrations/0004): run on rows written under the schema before it."""

import os

import environ
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor

from hotgigs.tenancy import roles

BEFORE = [("candidates", "0002_resume_storage_and_dedup")]
AFTER = [("candidates", "0004_sourced_candidates_organization")]


def _owner_connection():  # type: ignore[no-untyped-def]
    """The test database as its owner (DATABASE_OWNER_URL), who alone may change its schema
    (the tests' own role owns nothing); the tests' connection when there is no separate owner."""
    owner_url = os.environ.get("DATABASE_OWNER_URL")
    if not owner_url or connection.vendor != "postgresql":
        return connection
    owner = environ.Env.db_url_config(owner_url)
    # A connection of its own, outside the pool: Django keeps one pool per alias, so a wrapper
    # with the pool's options would be handed the pool's connections, logged in as the tests' role.
    options = {key: value for key, value in connection.settings_dict["OPTIONS"].items() if key != "pool"}
    settings = {
        **connection.settings_dict,
        "USER": owner.get("USER", ""),
        "PASSWORD": owner.get("PASSWORD", ""),
        "OPTIONS": options,
    }
    return type(connections[DEFAULT_DB_ALIAS])(settings, alias=DEFAULT_DB_ALIAS)


def _migrate(targets):  # type: ignore[no-untyped-def]
    schema = _owner_connection()
    try:
        executor = MigrationExecutor(schema)
        executor.loader.build_graph()
        executor.migrate(targets)
        if schema is not connection:
            # Tables the migrations dropped and made again are new to the tests' role: grant
            # them as the test database's setup does (tests/conftest.py, django_db_setup).
            roles.grant_app_role(schema)
            with schema.cursor() as cursor:
                cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{settings.DATABASE_APP_ROLE}"')
        return executor.loader.project_state(targets).apps
    finally:
        if schema is not connection:
            schema.close()


@pytest.fixture
def old_schema(transactional_db):  # type: ignore[no-untyped-def]
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())


def _latest():  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_sourced_rows_get_their_creators_organization(old_schema):
    user = old_schema.get_model("accounts", "User")
    organization = old_schema.get_model("accounts", "Organization")
    membership = old_schema.get_model("accounts", "Membership")
    candidate = old_schema.get_model("candidates", "Candidate")
    acme = organization.objects.create(name="Acme", slug="acme")
    globex = organization.objects.create(name="Globex", slug="globex")
    dormant = organization.objects.create(name="Dormant", slug="dormant", is_active=False)
    one_org = user.objects.create(email="one@example.test", full_name="One")
    several = user.objects.create(email="several@example.test", full_name="Several")
    left_dormant = user.objects.create(email="dormant@example.test", full_name="Dormant")
    nobody = user.objects.create(email="staff@example.test", full_name="Staff", is_staff=True)
    membership.objects.create(user=one_org, organization=acme)
    membership.objects.create(user=several, organization=globex)
    membership.objects.create(user=several, organization=acme)
    membership.objects.create(user=left_dormant, organization=dormant)
    membership.objects.create(user=left_dormant, organization=globex)
    rows = {
        "one": candidate.objects.create(full_name="A", email="a@example.test", created_by=one_org),
        "several": candidate.objects.create(full_name="B", email="b@example.test", created_by=several),
        "dormant": candidate.objects.create(full_name="C", email="c@example.test", created_by=left_dormant),
        "staff": candidate.objects.create(full_name="D", email="d@example.test", created_by=nobody),
        "orphan": candidate.objects.create(full_name="E", email="e@example.test", created_by=None),
        "own": candidate.objects.create(full_name="F", email="f@example.test", user=one_org, created_by=one_org),
    }

    new = _migrate(AFTER).get_model("candidates", "Candidate")

    found = {name: new.objects.get(pk=row.pk).organization_id for name, row in rows.items()}
    assert found == {
        "one": acme.pk,
        # The earliest membership wins...
        "several": globex.pk,
        # ...of an active organization.
        "dormant": globex.pk,
        "staff": None,
        "orphan": None,
        # A profile with a login is the person's own.
        "own": None,
    }
