"""Public pages that a crowd opens at once (the merchant QR page, the station map), built
once and kept briefly in each worker: a hit costs no cache server, no query and no write.

An entry carries a *stamp* (what the page was built from: a merchant's ``updated_at``, a
district's station version); a different stamp or an expired entry is a miss. Anonymous
visitors share one page per key; the page's CSRF token (the language switch) is put in
per visitor.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "__shangquan_csrf__"
_every: weakref.WeakSet[PageCache] = weakref.WeakSet()


class PageCache:
    """A small per-process LRU with expiry, bounded in entries."""

    def __init__(self, *, seconds: float, size: int = 4000) -> None:
        self.seconds, self.size = seconds, size
        self.data: OrderedDict[tuple, tuple[float, Hashable, Any]] = OrderedDict()
        self.lock = threading.Lock()
        _every.add(self)

    def get(self, key: tuple, stamp: Hashable) -> Any | None:
        with self.lock:
            entry = self.data.get(key)
            if entry is None or entry[0] < time.monotonic() or entry[1] != stamp:
                return None
            self.data.move_to_end(key)
            return entry[2]

    def put(self, key: tuple, stamp: Hashable, value: Any) -> None:
        with self.lock:
            self.data[key] = (time.monotonic() + self.seconds, stamp, value)
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def forget(self, first: Hashable) -> None:
        """Drop every entry whose key starts with ``first`` (one merchant, one district)."""
        with self.lock:
            for key in [k for k in self.data if k[0] == first]:
                del self.data[key]


def clear_all() -> None:
    """Forget every page in this process (tests: ids are reused by the next test)."""
    for page_cache in list(_every):
        with page_cache.lock:
            page_cache.data.clear()


def shareable(request: HttpRequest) -> bool:
    """May this visitor get the page another visitor got? Not when signed in (the page
    names them) nor with a message waiting (it would not be shown, nor cleared)."""
    if request.user.is_authenticated or "messages" in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.session_key and "_messages" in session)


def shared_page(request: HttpRequest, cache: PageCache, key: tuple, stamp: Hashable,
                render: Callable[[dict], HttpResponse], *, share: bool = True,
                max_age: int = 30) -> HttpResponse:
    """The page for an anonymous visitor from ``cache`` when it holds ``stamp``, else
    rendered by ``render(extra_context)`` and kept. Signed-in visitors, and pages the
    caller says are this visitor's own (``share=False``), are rendered fresh."""
    if not (share and shareable(request)):
        response = render({})
    else:
        body = cache.get(key, stamp)
        if body is None:
            built = render({"csrf_token": CSRF_PLACEHOLDER})
            if built.status_code != 200:
                return built
            body = built.content
            cache.put(key, stamp, body)
        response = HttpResponse(body.replace(CSRF_PLACEHOLDER.encode(),
                                             get_token(request).encode()))
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response
