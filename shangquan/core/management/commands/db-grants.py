"""``shangquan db-grants <app role>``: least privilege for the role the app connects as.

Run it as the database owner after every ``migrate`` (``--print`` only prints the SQL).
The owner (who migrates) and the app's role are different roles; the app's role may read
and write the tables but is not their owner, so it cannot ``ALTER TABLE … DISABLE
TRIGGER``; it has no ``TRUNCATE``, no ``DELETE`` and no ``UPDATE`` on the audit log
except the two columns that erasure pseudonymises (``actor_id``, ``actor_label``, which
the append-only trigger still restricts). See docs/production-database.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

AUDIT = "core_auditlog"


def grant_statements(role: str, *, database: str, owner: str) -> list[str]:
    q = connection.ops.quote_name
    r, o = q(role), q(owner)
    return [
        f"GRANT CONNECT ON DATABASE {q(database)} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE CREATE ON SCHEMA public FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        # the audit log: append-only for the app (revoking UPDATE drops column grants too)
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT} FROM {r}",
        f"GRANT UPDATE (actor_id, actor_label) ON {AUDIT} TO {r}",
        # tables a later migration creates (run by the owner) get the same table rights
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]


class Command(BaseCommand):
    help = "Grant the app's database role least privilege (PostgreSQL; run as the owner)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the app connects as (not the owner)")
        parser.add_argument("--print", action="store_true", dest="print_only",
                            help="print the SQL instead of running it")

    def handle(self, *args, role: str, print_only: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("db-grants is for PostgreSQL; SQLite has no roles (its audit "
                               "log is guarded by triggers alone).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
        if owner == role:
            raise CommandError("the app's role must not be the owner that migrates")
        statements = grant_statements(role, database=database, owner=owner)
        if print_only:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(f"granted least privilege to {role} (owner: {owner})")
