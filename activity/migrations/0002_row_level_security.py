from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Notes are their organization's own: row-level security on PostgreSQL (rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("activity", "0001_initial"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("activity_note"))]
