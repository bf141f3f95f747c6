from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on consents (hotgigs/tenancy/rls.py), apart from 0007's carried-over rows."""

    dependencies = [("candidates", "0008_candidate_erased_at"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("candidates_consent"))]
