"""The application's database role: owns nothing, cannot bypass row-level security.

The application connects with ``DATABASE_URL`` as that role; migrations run with
``DATABASE_OWNER_URL`` as the owner of the tables (see README, "PostgreSQL roles"). After each
``migrate`` the owner grants the application's role the use of every table and sequence
(:func:`grant_app_role`); ``manage.py app_role`` creates the role (idempotent).
"""

import logging
from typing import Any

from django.conf import settings
from psycopg import sql

logger = logging.getLogger(__name__)

DEFINER_FUNCTIONS = ("hotgigs_my_candidate_ids", "hotgigs_outbox_append")
"""The ``SECURITY DEFINER`` functions the application's role may call."""


def app_role() -> str:
    """The role the application connects as (``DATABASE_URL``'s user); empty when none is named
    apart from the owner."""
    return str(getattr(settings, "DATABASE_APP_ROLE", "") or "")


def create_app_role(cursor: Any, role: str) -> bool:
    """Create ``role`` (login, no superuser, no BYPASSRLS, owns nothing) unless it exists;
    make sure an existing one cannot bypass row-level security. True when it was created."""
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    found = cursor.fetchone()
    ident = sql.Identifier(role)
    if found is None:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(ident).as_string()
        )
        return True
    if found[0] or found[1]:
        cursor.execute(sql.SQL("ALTER ROLE {} NOSUPERUSER NOBYPASSRLS").format(ident).as_string())
    return False


def grant_app_role(connection: Any) -> None:
    """Let the application's role read and write every table, use every sequence of the
    schema and call the :data:`DEFINER_FUNCTIONS` (the policies still decide which rows).
    PostgreSQL only; a no-op when the application connects as the owner itself."""
    role = app_role()
    if connection.vendor != "postgresql" or not role:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            return
        ident = sql.Identifier(role).as_string()
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            logger.warning("tenancy: role %s does not exist; run `manage.py app_role` first", role)
            return
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {ident}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {ident}")
        # The functions that work outside the policies for one narrow purpose: the policies' own
        # reader (hotgigs/tenancy/rls.py) and the outbox's writer (hotgigs/events/outbox.py).
        # PUBLIC may call neither.
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname = ANY(%s)"
            " AND p.pronamespace = 'public'::regnamespace",
            [list(DEFINER_FUNCTIONS)],
        )
        for (signature,) in cursor.fetchall():
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {ident}")
