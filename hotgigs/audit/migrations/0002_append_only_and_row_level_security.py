from django.db import migrations

from hotgigs.tenancy import rls

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_accessrecord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'audit records are append-only: ' || TG_OP || ' refused',
    ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS audit_accessrecord_append_only ON audit_accessrecord;
CREATE TRIGGER audit_accessrecord_append_only BEFORE UPDATE OR DELETE ON audit_accessrecord
  FOR EACH ROW EXECUTE FUNCTION audit_accessrecord_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_accessrecord_append_only ON audit_accessrecord;
DROP FUNCTION IF EXISTS audit_accessrecord_append_only();
"""


def _on_postgresql(sql):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    """The audit log is append-only: a trigger refuses UPDATE and DELETE for every role (the app's and
    the owner's); row-level security lets a user write (and read back) only records of their own
    accesses, staff and the system all (rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("audit", "0001_initial"), ("tenancy", "0001_identity_functions")]

    operations = [
        migrations.RunPython(_on_postgresql(APPEND_ONLY), _on_postgresql(DROP_APPEND_ONLY)),
        migrations.RunPython(*rls.apply("audit_accessrecord")),
    ]
