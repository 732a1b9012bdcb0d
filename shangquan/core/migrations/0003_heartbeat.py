"""Heartbeats of the long-running processes (task worker, MQTT bridge) for /healthz."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_auditlog_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=64, unique=True)),
                ("beat_at", models.DateTimeField()),
            ],
        ),
    ]
