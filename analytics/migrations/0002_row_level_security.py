from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """The daily facts are their organization's own: row-level security on PostgreSQL (rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("analytics", "0001_initial"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("analytics_stagedayfact", "analytics_stagedaytotal", "analytics_hirefact"))]
