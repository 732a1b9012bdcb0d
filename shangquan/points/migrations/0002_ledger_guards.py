"""The ledger's rules in the database itself, where the engine allows.

PostgreSQL: a deferred constraint trigger refuses, at commit, any posting whose legs do
not sum to zero or that has fewer than two; postings and legs are append-only (UPDATE
and DELETE refused; a correction is a reversal posting). SQLite cannot defer a trigger
to commit, so there the service's check and the nightly audit stand guard; legs and
postings still refuse UPDATE (DELETE stays for test-database flushes, as in core).
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER points_leg_no_update BEFORE UPDATE ON points_leg
       BEGIN SELECT RAISE(ABORT, 'points_leg is append-only'); END""",
    """CREATE TRIGGER points_posting_no_update BEFORE UPDATE ON points_posting
       BEGIN SELECT RAISE(ABORT, 'points_posting is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS points_leg_no_update",
    "DROP TRIGGER IF EXISTS points_posting_no_update",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION points_posting_balanced() RETURNS trigger AS $$
       DECLARE total bigint; legs integer;
       BEGIN
         SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs
           FROM points_leg WHERE posting_id = NEW.posting_id;
         IF total <> 0 OR legs < 2 THEN
           RAISE EXCEPTION 'points posting %% does not balance (sum %%, legs %%)',
             NEW.posting_id, total, legs USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    """CREATE CONSTRAINT TRIGGER points_leg_balanced AFTER INSERT ON points_leg
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION points_posting_balanced()""",
    """CREATE OR REPLACE FUNCTION points_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER points_leg_no_change BEFORE UPDATE OR DELETE ON points_leg
       FOR EACH ROW EXECUTE FUNCTION points_append_only()""",
    """CREATE TRIGGER points_posting_no_change BEFORE UPDATE OR DELETE ON points_posting
       FOR EACH ROW EXECUTE FUNCTION points_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS points_leg_balanced ON points_leg",
    "DROP TRIGGER IF EXISTS points_leg_no_change ON points_leg",
    "DROP TRIGGER IF EXISTS points_posting_no_change ON points_posting",
    "DROP FUNCTION IF EXISTS points_posting_balanced()",
    "DROP FUNCTION IF EXISTS points_append_only()",
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
    dependencies = [("points", "0001_ledger_lots_rules_shop")]
    operations = [migrations.RunPython(forwards, backwards)]
