"""SQLite refuses DELETE on the audit log too, by a trigger (PostgreSQL's trigger of
0002 already refuses UPDATE and DELETE; its TRUNCATE and DISABLE TRIGGER are kept from
the app by privileges, see docs/production-database.md).

The trigger lets a DELETE through only inside ``core.dbguard.audit_maintenance()`` (the
test harness emptying a test database); a connection without our SQL function fails.
"""

from django.db import migrations

SQLITE = """CREATE TRIGGER core_auditlog_no_delete BEFORE DELETE ON core_auditlog
    WHEN NOT shangquan_audit_maintenance()
    BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditlog_no_delete")


class Migration(migrations.Migration):
    dependencies = [("core", "0008_ratelimit_counter")]
    operations = [migrations.RunPython(forwards, backwards)]
