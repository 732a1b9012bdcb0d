"""Snapshots are append-only in the database itself: a correction is a new version.

UPDATE is refused on SQLite and PostgreSQL; DELETE too on PostgreSQL (SQLite keeps DELETE
for test-database flushes, as points and core do). A district's removal on PostgreSQL
therefore needs the trigger lifted by hand: history is not something the app deletes.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER dashboard_snapshot_no_update BEFORE UPDATE ON dashboard_snapshot
       BEGIN SELECT RAISE(ABORT, 'dashboard_snapshot is append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS dashboard_snapshot_no_update"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION dashboard_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER dashboard_snapshot_no_change BEFORE UPDATE OR DELETE ON dashboard_snapshot
       FOR EACH ROW EXECUTE FUNCTION dashboard_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS dashboard_snapshot_no_change ON dashboard_snapshot",
    "DROP FUNCTION IF EXISTS dashboard_append_only()",
]


# ("%%" is a literal "%" once the driver has formatted the statement)


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE,
                  "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_snapshots_reports_subscriptions")]
    operations = [migrations.RunPython(forwards, backwards)]
