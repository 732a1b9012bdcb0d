"""SQLite: writers queue on a lock that wakes the next one at once, not on busy polling.

SQLite lets one writer at a time hold a file's write lock. A connection that finds it
taken waits in SQLite's busy handler, which sleeps and retries (1, 2, 5 … then 100 ms
between tries) and is never woken when the lock frees: under 16 concurrent writes the
lock sits idle between holders while waiters sleep, and an unlucky waiter keeps losing
the race for seconds (p99 of 3–4 s at 40 writes/s in ``bench/bench_writes.py``).

Here every write transaction (``BEGIN IMMEDIATE``, i.e. every ``transaction.atomic()``)
and every write statement outside one first takes an exclusive ``flock`` on
``<database>.writers``, held until the commit or rollback. The kernel hands the lock to
the next waiting connection (threads and processes alike) as soon as it is released, so
writers follow each other without gaps; SQLite's own lock is then always free when asked
for, and its busy timeout only covers writers that do not take part (the ``sqlite3``
shell, another program).

Off for in-memory databases (the test runner's) and on PostgreSQL, which queues lock
waiters itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import Any

from django.db.backends.signals import connection_created

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class _WriterLock:
    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)  # woken by the kernel when it frees
        self.held = True

    def release(self) -> None:
        if self.held and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.held = False

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
        self.fd = None


def _install_on(connection: Any) -> None:
    if getattr(connection, "_shangquan_writers", None) is not None:
        return
    if connection.is_in_memory_db():
        return
    lock = _WriterLock(f"{connection.settings_dict['NAME']}.writers")
    connection._shangquan_writers = lock
    start, commit, rollback, close = (connection._start_transaction_under_autocommit,
                                      connection._commit, connection._rollback,
                                      connection._close)

    def start_transaction() -> None:
        lock.acquire()
        try:
            start()
        except BaseException:
            lock.release()
            raise

    def _commit() -> None:
        try:
            commit()
        finally:
            lock.release()

    def _rollback() -> None:
        try:
            rollback()
        finally:
            lock.release()

    def _close() -> None:
        try:
            close()
        finally:
            lock.close()

    connection._start_transaction_under_autocommit = start_transaction
    connection._commit, connection._rollback, connection._close = _commit, _rollback, _close

    def autocommit_writes(execute, sql, params, many, context):
        """A write statement outside a transaction queues too (a rate-limit count, a
        session save): for the statement's length only."""
        if connection.in_atomic_block or lock.held or \
                not sql.lstrip()[:7].upper().startswith(_WRITES):
            return execute(sql, params, many, context)
        lock.acquire()
        try:
            return execute(sql, params, many, context)
        finally:
            lock.release()

    connection.execute_wrappers.append(autocommit_writes)


def _connected(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        _install_on(connection)


def install() -> None:
    connection_created.connect(_connected, dispatch_uid="shangquan.core.sqlitewriters")
