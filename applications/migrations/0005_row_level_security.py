from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on this app's tables (PostgreSQL only; rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("applications", "0004_stage_change_kind"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("applications_application", "applications_stagechange", "applications_match", "applications_rejectionreason"))]
