from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Merges of profiles are their organization's own: row-level security on PostgreSQL."""

    dependencies = [("candidates", "0004_sourced_candidates_organization"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("candidates_candidatemerge"))]
