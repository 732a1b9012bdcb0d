"""Rate-limit counters without Redis: one row per (bucket, window), bumped atomically.

No model: ``core.ratelimit`` bumps a row with one ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` statement (SQLite ≥ 3.35 and PostgreSQL). The ``shangquan_cache`` prefix
makes its writes bookkeeping for ``@audited`` (``audit.NOT_STATE``), like the cache table.
"""

from django.db import migrations

CREATE = """CREATE TABLE shangquan_cache_ratelimit (
    bucket varchar(255) NOT NULL PRIMARY KEY,
    hits integer NOT NULL,
    expires_at bigint NOT NULL
)"""


class Migration(migrations.Migration):
    dependencies = [("core", "0007_resident_usernames_without_phone")]
    operations = [
        migrations.RunSQL(CREATE, "DROP TABLE shangquan_cache_ratelimit"),
        migrations.RunSQL("CREATE INDEX shangquan_cache_ratelimit_expires "
                          "ON shangquan_cache_ratelimit (expires_at)",
                          "DROP INDEX shangquan_cache_ratelimit_expires"),
    ]
