"""When a bearer token was last used, written in batches rather than by the request.

``token_resolve`` used to write ``last_used_at`` on a token's first use (and then every
five minutes): on SQLite a second write transaction beside the request's own, on every
first vote, first redemption or first reading of a fresh token. Now the request only notes
the use in memory; one thread per process writes the noted uses every ``FLUSH_SECONDS``
(one UPDATE per batch), and at exit. ``last_used_at`` is bookkeeping (shown on the token
list): a crash loses at most the last few seconds of it.

Under the test runner the write is immediate, so tests read what they did.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection

from .models import ApiToken

log = logging.getLogger("shangquan.core.tokens")

FLUSH_SECONDS = 10.0
_pending: dict[int, datetime] = {}
_lock = threading.Lock()
_flusher_pid = 0


def note(token_id: int, now: datetime) -> None:
    """Remember that ``token_id`` was used at ``now`` (written within FLUSH_SECONDS)."""
    global _flusher_pid
    if getattr(settings, "TESTING", False):
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        return
    with _lock:
        _pending[token_id] = now
        if _flusher_pid != os.getpid():  # threads do not survive the server's fork
            _flusher_pid = os.getpid()
            threading.Thread(target=_loop, daemon=True, name="token-use").start()


def flush() -> int:
    """Write the noted uses (one UPDATE per distinct minute); how many tokens."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return 0
    by_minute: dict[datetime, list[int]] = {}
    for token_id, at in batch.items():
        by_minute.setdefault(at.replace(second=0, microsecond=0), []).append(token_id)
    try:
        for ids in by_minute.values():
            ApiToken.objects.filter(pk__in=ids).update(last_used_at=max(batch[i] for i in ids))
    except Exception:  # the database is away: keep them for the next round
        log.warning("token use: %d tokens' last use not written yet", len(batch))
        with _lock:
            for token_id, at in batch.items():
                _pending.setdefault(token_id, at)
        return 0
    return len(batch)


def _loop() -> None:
    stop = threading.Event()
    while not stop.wait(FLUSH_SECONDS):
        try:
            flush()
        finally:
            close_old_connections()
            connection.close()


atexit.register(lambda: _pending and flush())
