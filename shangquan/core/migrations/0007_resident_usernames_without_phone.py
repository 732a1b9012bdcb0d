"""Residents who signed in by code were named ``p<phone>``: rename them to a random handle,
and record that their phone is verified (they proved it with a code; SMS goes only to
verified numbers from now on).

Their audit rows named them by that username (actor label, and the object of their own
registration), so those labels are rewritten too: the one deliberate repair of the
append-only trail, done by the database owner with its guard lifted for the statements
(the guard as 0006 left it is put back at once). Only users named exactly ``p`` + their
own profile phone are touched.
"""

import secrets

from django.db import migrations, models
from django.utils import timezone

_COLUMNS = ["id", "district_id", "object_type", "object_id", "object_repr", "action",
            "before", "after", "created_at"]
_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _COLUMNS)
SQLITE_GUARD = f"""CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
       WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {_SAME}
                 AND (NEW.actor_label IS OLD.actor_label OR substr(NEW.actor_label, 1, 7) = 'erased-'))
       BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END"""


def _handle(User) -> str:
    while True:
        name = "r" + secrets.token_hex(5)
        if not User.objects.filter(username=name).exists():
            return name


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Profile = apps.get_model("core", "Profile")
    renamed = []
    for profile in Profile.objects.exclude(phone=None).select_related("user").iterator():
        user = profile.user
        if user.username == f"p{profile.phone}":
            old, user.username = user.username, _handle(User)
            user.save(update_fields=["username"])
            profile.phone_verified_at = timezone.now()
            profile.save(update_fields=["phone_verified_at"])
            renamed.append((old, user.username))
    if not renamed:
        return
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditlog_no_update")
        elif vendor == "postgresql":
            # ALTER TABLE refuses while deferred checks on the table are pending: run them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditlog DISABLE TRIGGER core_auditlog_no_change")
        for old, new in renamed:
            cursor.execute("UPDATE core_auditlog SET actor_label = %s WHERE actor_label = %s",
                           [new, old])
            cursor.execute("UPDATE core_auditlog SET object_repr = %s WHERE object_repr = %s",
                           [new, old])
        if vendor == "sqlite":
            cursor.execute(SQLITE_GUARD)
        elif vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditlog ENABLE TRIGGER core_auditlog_no_change")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_auditlog_pseudonymise_on_erasure"),
                    ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.AddField(
            model_name="profile", name="phone_verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="手机号验证时间")),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
