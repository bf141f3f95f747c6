from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on interview plans and scorecards (PostgreSQL only; rules in hotgigs/tenancy/rls.py)."""

    dependencies = [("interviews", "0004_scorecards")]

    operations = [
        migrations.RunPython(
            *rls.apply("interviews_interviewround", "interviews_roundattribute", "interviews_feedbackrating")
        )
    ]
