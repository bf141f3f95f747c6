"""The outbox now belongs to ``hotgigs.events`` (same tables); only Django's state changes here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0004_outbox_dispatch"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="outboxeventgroup", name="event"),
                migrations.DeleteModel(name="OutboxEvent"),
                migrations.DeleteModel(name="OutboxEventGroup"),
            ],
            database_operations=[],
        ),
    ]
