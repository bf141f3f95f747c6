from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on this app's tables (PostgreSQL only; rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("interviews", "0002_interview_plans"), ("tenancy", "0001_identity_functions")]

    operations = [migrations.RunPython(*rls.apply("interviews_interview", "interviews_interview_interviewers", "interviews_feedback"))]
