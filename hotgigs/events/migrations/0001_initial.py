"""The outbox moves here from ``realtime``; its tables (``realtime_outbox*``) stay as they are."""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("realtime", "0004_outbox_dispatch"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OutboxEvent',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('channel', models.CharField(max_length=32)),
                        ('type', models.CharField(max_length=64)),
                        ('data', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ('groups', models.JSONField(default=list, encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ('organization_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('context', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('dispatch_due_at', models.DateTimeField(blank=True, null=True)),
                        ('dispatch_pending', models.JSONField(blank=True, null=True)),
                        ('dispatch_attempts', models.PositiveSmallIntegerField(default=0)),
                        ('dispatch_error', models.CharField(blank=True, max_length=500)),
                    ],
                    options={
                        'db_table': 'realtime_outboxevent',
                        'ordering': ('id',),
                        'indexes': [models.Index(condition=models.Q(('dispatch_due_at__isnull', False)), fields=['dispatch_due_at'], name='realtime_outbox_dispatch_due')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('type', ''), _negated=True), name='realtime_outbox_type_set')],
                    },
                ),
                migrations.CreateModel(
                    name='OutboxEventGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('group', models.CharField(max_length=100)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audience', to='events.outboxevent')),
                    ],
                    options={
                        'db_table': 'realtime_outboxeventgroup',
                        'constraints': [models.UniqueConstraint(fields=('group', 'event'), name='realtime_outbox_group_event')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
