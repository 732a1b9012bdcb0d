"""The append-only audit trail lets exactly one change through: pseudonymising its actor.

Erasing a person (PIPL art. 47) unlinks their audit rows: ``actor_id`` goes to NULL once
(Django's ``SET_NULL``, or ``core.services.resident_erase``), and the label may become an
``erased-…`` pseudonym. Every other column must stay as it was, a row already unlinked
cannot change again, and DELETE stays refused (PostgreSQL). Anything else still aborts.
"""

from django.db import migrations

COLUMNS = ["id", "district_id", "object_type", "object_id", "object_repr", "action",
           "before", "after", "created_at"]

SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS)
SQLITE = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_update",
    f"""CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
       WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {SQLITE_SAME}
                 AND (NEW.actor_label IS OLD.actor_label OR substr(NEW.actor_label, 1, 7) = 'erased-'))
       BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_update",
    """CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
       BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END""",
]

PG_SAME = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in COLUMNS
                       if c not in ("before", "after"))
# jsonb has equality; compare as text-free jsonb values.
PG_SAME += (" AND NEW.before::jsonb IS NOT DISTINCT FROM OLD.before::jsonb"
            " AND NEW.after::jsonb IS NOT DISTINCT FROM OLD.after::jsonb")
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
            AND {PG_SAME}
            AND (NEW.actor_label = OLD.actor_label OR substr(NEW.actor_label, 1, 7) = 'erased-') THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'core_auditlog is append-only';
       END; $$ LANGUAGE plpgsql""",
]
POSTGRES_REVERSE = [
    """CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'core_auditlog is append-only'; END; $$ LANGUAGE plpgsql""",
]


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
    dependencies = [("core", "0005_audit_sealed_actor")]
    operations = [migrations.RunPython(forwards, backwards)]
