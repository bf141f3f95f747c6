"""Create the application's database role (``DATABASE_URL``'s user) if missing; idempotent.

Runs as the owner (``DATABASE_OWNER_URL``), like ``migrate``, then grants the role the use of
the existing tables.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from hotgigs.tenancy import roles


class Command(BaseCommand):
    help = "Create the application's PostgreSQL role (no superuser, no BYPASSRLS) and grant it the tables."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("app_role: not PostgreSQL; nothing to do")
            return
        role = roles.app_role()
        if not role:
            raise CommandError("DATABASE_URL names no role apart from DATABASE_OWNER_URL's; nothing to create")
        with connection.cursor() as cursor:
            created = roles.create_app_role(cursor, role)
            cursor.execute("SELECT current_database()")
            database = cursor.fetchone()[0]
            from psycopg import sql

            cursor.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}")
                .format(sql.Identifier(database), sql.Identifier(role))
                .as_string()
            )
        roles.grant_app_role(connection)
        self.stdout.write(f"app_role: {role} {'created' if created else 'present'}")
