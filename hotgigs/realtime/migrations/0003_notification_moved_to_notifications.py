"""Notification now belongs to ``notifications`` (same table); only Django's state changes here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0002_outbox"),
        ("notifications", "0003_notification_moved_from_realtime"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
