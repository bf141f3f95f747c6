from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on endpoints and deliveries (PostgreSQL only; rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("webhooks", "0002_fan_out_sweep_moved_to_events"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("webhooks_webhookendpoint", "webhooks_webhookdelivery"))]
