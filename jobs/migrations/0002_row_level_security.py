from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on this app's tables (PostgreSQL only; rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("jobs", "0001_initial"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("jobs_job", "jobs_jobskill"))]
