"""Fixed-window rate limits, counted atomically.

The counter is Redis (``INCR`` in a ``MULTI`` with its ``EXPIRE``) when
``SHANGQUAN_REDIS_URL`` is set, else one row per window in the database, bumped by a
single ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite and PostgreSQL alike):
parallel requests never read the same count, so none slips past the limit.

The client is keyed by :func:`client_ip`: ``REMOTE_ADDR``, unless that is one of the
``SHANGQUAN_TRUSTED_PROXIES`` (addresses or networks), in which case the nearest
address in ``X-Forwarded-For`` that is not a trusted proxy.
"""

from __future__ import annotations

import ipaddress
import random
import threading
import time
from functools import cache

import redis
from django.conf import settings
from django.db import connection

from .errors import RateLimited

TABLE = "shangquan_cache_ratelimit"  # bookkeeping (audit.NOT_STATE: "shangquan_cache…")
_UPSERT = (f"INSERT INTO {TABLE} (bucket, hits, expires_at) VALUES (%s, 1, %s) "
           f"ON CONFLICT (bucket) DO UPDATE SET hits = {TABLE}.hits + 1 RETURNING hits")
_PURGE = f"DELETE FROM {TABLE} WHERE expires_at < %s"


_clients = threading.local()


def _redis(url: str) -> redis.Redis:
    """One client per thread (ASGI runs requests on several threads)."""
    clients = getattr(_clients, "by_url", None)
    if clients is None:
        clients = _clients.by_url = {}
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    return clients[url]


def _count(key: str, ttl: int) -> int:
    """Add one to ``key`` and return the new count, atomically."""
    url = getattr(settings, "REDIS_URL", None)
    if url:
        pipe = _redis(url).pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])
    now = int(time.time())
    with connection.cursor() as cursor:
        if random.random() < 0.01:  # now and then, drop the windows that are over
            cursor.execute(_PURGE, [now])
        cursor.execute(_UPSERT, [key[:255], now + ttl])
        return int(cursor.fetchone()[0])


def hit(bucket: str, *, limit: int, window: int) -> int:
    """Count one attempt; raise RateLimited once more than ``limit`` fall in the window."""
    slot = int(time.time() // window)
    count = _count(f"rl:{bucket}:{slot}", window + 5)
    if count > limit:
        raise RateLimited(details={"retry_after": window - int(time.time()) % window})
    return count


def reset(bucket: str, *, window: int) -> None:
    key = f"rl:{bucket}:{int(time.time() // window)}"
    url = getattr(settings, "REDIS_URL", None)
    if url:
        _redis(url).delete(key)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE bucket = %s", [key[:255]])


# --- who the client is ---------------------------------------------------------------------
@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address a limit is keyed on: the peer, or behind trusted proxies the first
    address (from the right) of ``X-Forwarded-For`` that no trusted proxy wrote."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    peer = _address(remote)
    if not trusted or peer is None or not any(peer in net for net in trusted):
        return remote or "unknown"
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage in the header: stop trusting it here
            break
        if not any(address in net for net in trusted):
            return str(address)
    return remote
