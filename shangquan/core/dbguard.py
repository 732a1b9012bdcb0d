"""The audit log is append-only on SQLite too: a trigger refuses every DELETE.

The trigger (migration ``0009_auditlog_no_delete_sqlite``) asks the SQL function
``shangquan_audit_maintenance()``, which this module registers on each SQLite
connection and which answers false unless code runs inside :func:`audit_maintenance`
(the test harness's flush of a test database, nothing in the app). A connection that
lacks the function (the ``sqlite3`` shell) fails the DELETE too.

On PostgreSQL the same guard is a row trigger plus privileges: see
``docs/production-database.md`` and ``shangquan db-grants``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.signals import connection_created

_state = threading.local()


def _maintenance() -> int:
    return 1 if getattr(_state, "depth", 0) else 0


@contextmanager
def audit_maintenance() -> Iterator[None]:
    """Let DELETEs through on SQLite (a test database being emptied), in this thread."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("shangquan_audit_maintenance", 0, _maintenance,
                                              deterministic=False)


def install() -> None:
    connection_created.connect(_register, dispatch_uid="shangquan.core.dbguard")
