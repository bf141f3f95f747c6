from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Outbox rows are read by their audience: row-level security on PostgreSQL (rules in
    hotgigs/tenancy/rls.py)."""

    dependencies = [("events", "0001_initial"), ("tenancy", "0002_candidate_policies")]

    operations = [migrations.RunPython(*rls.apply("realtime_outboxevent"))]
