"""Fixed-window counters in the shared cache (Redis or the database cache)."""

from __future__ import annotations

import time

from django.core.cache import cache

from .errors import RateLimited


def hit(bucket: str, *, limit: int, window: int) -> int:
    """Count one attempt; raise RateLimited once more than ``limit`` fall in the window."""
    slot = int(time.time() // window)
    key = f"rl:{bucket}:{slot}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            count = 1
    if count > limit:
        raise RateLimited(details={"retry_after": window - int(time.time()) % window})
    return count


def reset(bucket: str, *, window: int) -> None:
    cache.delete(f"rl:{bucket}:{int(time.time() // window)}")


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
