from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """A user's notifications, preferences and emails are their own: row-level security on
    PostgreSQL (rules in hotgigs/tenancy/rls.py)."""

    dependencies = [
        ("notifications", "0004_note_mentioned"),
        ("tenancy", "0002_candidate_policies"),
    ]

    operations = [
        migrations.RunPython(
            *rls.apply("realtime_notification", "notifications_notificationpreference", "notifications_emaildelivery")
        )
    ]
