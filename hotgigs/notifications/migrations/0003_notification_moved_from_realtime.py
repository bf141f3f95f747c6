"""The in-app Notification model moves here from ``realtime``; its table stays as it is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_account_signup_attempt"),
        ("realtime", "0002_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=64)),
                        ("payload", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "realtime_notification",
                        "ordering": ("-created_at", "-id"),
                        "indexes": [
                            models.Index(fields=["user", "read_at", "-created_at"], name="realtime_notif_user_unread")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("kind", ""), _negated=True), name="realtime_notification_kind_set"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
