"""Live updates without polling per viewer.

A state change publishes its channel once (``publish("crowd:12")``). Every process that
has open event streams keeps one ``Hub``: a version number per channel, bumped when a
publication arrives, and the last rendered event per channel and language. A stream
waits on the hub and, when the version moves, sends the cached rendering; only the
first stream to ask renders, so the database work per change does not grow with the
number of viewers.

How a publication reaches the other processes (app servers, the worker, the MQTT bridge
all publish):

- ``SHANGQUAN_REDIS_URL`` set: Redis pub/sub, one subscriber thread per process;
- PostgreSQL: ``pg_notify`` after the commit, one ``LISTEN`` connection per process;
- SQLite: in-process only. Writes made in another process (the MQTT bridge) are seen
  through the feed's ``signature``, checked once per process every ``local_refresh``
  seconds, not once per viewer.

Every feed also re-checks its signature every ``refresh`` seconds whatever the backend,
so time-driven changes (an override expiring) and a lost publication still show.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections, transaction

log = logging.getLogger("shangquan.live")

PG_CHANNEL = "shangquan_live"
REDIS_CHANNEL = "shangquan:live"


def backend_name() -> str:
    if getattr(settings, "REDIS_URL", None):
        return "redis"
    if connection.vendor == "postgresql":
        return "postgresql"
    return "local"


def publish(channel: str) -> None:
    """Tell every open stream of ``channel`` that it changed, once the write commits
    (never for a rolled-back write). Once per transaction however often it is called."""
    if any(getattr(func, "live_channel", None) == channel
           for _sids, func, *_rest in connection.run_on_commit):
        return

    def send() -> None:
        name = backend_name()
        try:
            if name == "postgresql":
                # Our own process hears it through its LISTEN connection too.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_notify(%s, %s)", [PG_CHANNEL, channel])
            elif name == "redis":
                _redis_publish(channel)
            else:
                hub().deliver(channel)
        except Exception:  # the write is committed: never turn it into an error answer
            log.warning("live: publishing %s failed; its boards refresh on their own", channel)

    send.live_channel = channel  # type: ignore[attr-defined]
    transaction.on_commit(send)


def _redis_publish(channel: str) -> None:
    try:
        _redis().publish(REDIS_CHANNEL, channel)
    except Exception:  # a lost publication is caught by the refresh
        log.warning("live: Redis publish of %s failed; streams refresh on their own", channel)
        hub().deliver(channel)


_redis_client = None


def _redis():
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_client


# --- the per-process hub -----------------------------------------------------------------
class Hub:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._versions: dict[str, int] = {}
        self._async: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._listener: threading.Thread | None = None
        self._listener_lock = threading.Lock()
        self._stopping = threading.Event()
        self.ready = threading.Event()  # the subscriber is subscribed
        self.deliveries = 0

    def version(self, channel: str) -> int:
        return self._versions.get(channel, 0)

    def deliver(self, channel: str) -> None:
        with self._cond:
            self._versions[channel] = self._versions.get(channel, 0) + 1
            self.deliveries += 1
            self._cond.notify_all()
            waiters = list(self._async.get(channel, ()))
        _wake(waiters)

    def resync(self) -> None:
        """The subscriber has just (re)subscribed: what was published before, while it was
        connecting or lost, never reached it. Every feed looks at its signature now
        rather than at its next interval, and sends what changed."""
        with _feeds_lock:
            feeds = list(_feeds.values())
        for f in feeds:
            f._checked = 0.0
        with self._cond:
            self._cond.notify_all()
            waiters = [w for entries in self._async.values() for w in entries]
        _wake(waiters)

    def wait(self, channel: str, seen: int, timeout: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.version(channel) != seen, timeout)
            return self.version(channel)

    async def await_change(self, channel: str, seen: int, timeout: float) -> int:
        if self.version(channel) != seen:
            return self.version(channel)
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._cond:
            self._async.setdefault(channel, set()).add(entry)
        try:
            if self.version(channel) == seen:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout)
        finally:
            with self._cond:
                self._async.get(channel, set()).discard(entry)
        return self.version(channel)

    def ensure_listening(self) -> None:
        """Start this process's one subscriber (Redis or PostgreSQL), once."""
        name = backend_name()
        if name == "local" or (self._listener and self._listener.is_alive()):
            return
        with self._listener_lock:
            if self._listener and self._listener.is_alive():
                return
            target = _listen_redis if name == "redis" else _listen_postgresql
            self._listener = threading.Thread(target=target, args=(self,), daemon=True,
                                              name=f"live-{name}")
            self._stopping.clear()
            self._listener.start()

    def stop_listening(self, timeout: float = 5.0) -> None:
        """End the subscriber (the tests, before their database is dropped)."""
        self._stopping.set()
        if self._listener:
            self._listener.join(timeout)
        self._listener = None
        self.ready.clear()

    @property
    def listening(self) -> bool:
        return bool(self._listener and self._listener.is_alive())

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()


def _wake(waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
    for loop, event in waiters:
        with contextlib.suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(event.set)


_hub = Hub()


def hub() -> Hub:
    return _hub


def _listen_redis(hub: Hub) -> None:
    import redis

    delay = 0.5
    while not hub.stopping:
        try:
            pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub(
                ignore_subscribe_messages=True)
            pubsub.subscribe(REDIS_CHANNEL)
            pubsub.get_message(timeout=1.0)  # the subscription's confirmation
            hub.ready.set()
            hub.resync()
            delay = 0.5
            while not hub.stopping:
                message = pubsub.get_message(timeout=1.0)
                data = message.get("data") if message else None
                if isinstance(data, bytes):
                    hub.deliver(data.decode())
            pubsub.close()
        except Exception:  # Redis restarted: reconnect, streams refresh meanwhile
            hub.ready.clear()
            log.warning("live: Redis subscriber lost; reconnecting in %.1fs", delay)
            time.sleep(delay)
            delay = min(delay * 2, 10)


def _listen_postgresql(hub: Hub) -> None:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    delay = 0.5
    while not hub.stopping:
        try:
            with psycopg.connect(autocommit=True, **params) as conn:
                conn.execute(f"LISTEN {PG_CHANNEL}")
                hub.ready.set()
                hub.resync()
                delay = 0.5
                while not hub.stopping:
                    for notify in conn.notifies(timeout=1.0):
                        hub.deliver(notify.payload)
        except Exception:  # the database restarted: reconnect with backoff
            hub.ready.clear()
            log.warning("live: PostgreSQL LISTEN lost; reconnecting in %.1fs", delay)
            time.sleep(delay)
            delay = min(delay * 2, 10)


# --- feeds: one rendering per change per process -----------------------------------------
@dataclass
class Feed:
    """What a stream of one channel sends. ``render(language)`` builds the event bytes;
    ``signature()`` is a cheap look at whether anything changed (checked at most once per
    refresh interval per process)."""

    channel: str
    render: Callable[[str], bytes]
    signature: Callable[[], Hashable]
    refresh: float = 15.0
    local_refresh: float = 0.5
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # language → (version, when its rendering began, the event bytes)
    _rendered: dict[str, tuple[int, float, bytes]] = field(default_factory=dict)
    _signature: Hashable = None
    _checked: float = 0.0
    _claimed: float = 0.0
    renders: int = 0

    def interval(self) -> float:
        return self.local_refresh if backend_name() == "local" else self.refresh

    def cached(self, version: int, language: str, *, since: float | None = None) -> bytes | None:
        """The rendering of ``version``, if there is one; with ``since``, only one whose
        rendering began at or after that moment (it read the database after it)."""
        entry = self._rendered.get(language)
        if not entry or entry[0] != version or (since is not None and entry[1] < since):
            return None
        return entry[2]

    def event(self, version: int, language: str, *, fresh: bool = False,
              since: float | None = None) -> bytes:
        """The event for ``version``: rendered by the first stream that asks, shared by
        the rest. A stream's first event must not predate the stream (a change made
        elsewhere may not have moved the version yet): it asks with ``since`` (when it
        opened), and a rendering begun after that serves it, so a crowd of viewers
        connecting at once costs one or two renderings, not one each. ``fresh`` alone
        means since now."""
        if fresh and since is None:
            since = time.monotonic()
        if (body := self.cached(version, language, since=since)) is not None:
            return body
        with self._lock:
            if (body := self.cached(version, language, since=since)) is not None:
                return body
            began = time.monotonic()
            # What was rendered is what a later recheck compares against.
            self._signature = self.signature()
            body = self.render(language)
            self.renders += 1
            self._rendered[language] = (version, began, body)
            return body

    def due(self) -> bool:
        return time.monotonic() - self._checked >= self.interval()

    def claim_recheck(self) -> bool:
        """On the event loop: is this stream the one to run the due recheck? The others
        skip it, so hundreds of open streams cost one thread hop per interval, not one
        each (each hop queues behind the requests on the server's sync thread)."""
        now = time.monotonic()
        interval = self.interval()
        if now - self._checked < interval or now - self._claimed < interval:
            return False
        self._claimed = now
        return True

    def recheck(self) -> None:
        """Once per interval per process: bump the version if the signature moved."""
        now = time.monotonic()
        if now - self._checked < self.interval():
            return
        with self._lock:
            if now - self._checked < self.interval():
                return
            self._checked = now
            signature = self.signature()
            changed = self._signature is not None and signature != self._signature
            self._signature = signature
        if changed:
            hub().deliver(self.channel)


_feeds: dict[str, Feed] = {}
_feeds_lock = threading.Lock()


def feed(channel: str, *, render: Callable[[str], bytes],
         signature: Callable[[], Hashable], refresh: float = 15.0) -> Feed:
    with _feeds_lock:
        existing = _feeds.get(channel)
        if existing is None:
            existing = _feeds[channel] = Feed(channel, render, signature, refresh)
        else:  # the latest stream's functions (same channel, same meaning)
            existing.render, existing.signature = render, signature
        return existing


def open_streams() -> int:
    return _open


_open = 0
_open_lock = threading.Lock()


@contextlib.contextmanager
def _counted():
    global _open
    with _open_lock:
        _open += 1
    try:
        yield
    finally:
        with _open_lock:
            _open -= 1


HEARTBEAT_SECONDS = 15.0

# (event loop, channel, version, language) → (when asked, the rendering under way)
_inflight: dict[tuple, tuple[float, asyncio.Future]] = {}


async def _rendering(f: Feed, version: int, language: str, since: float | None,
                     call: Callable) -> bytes:
    """The event for ``version``, one thread hop per process however many streams ask at
    once: the first starts the rendering, the others await the same one (when it began
    late enough for them) instead of queueing a hop each behind it."""
    key = (id(asyncio.get_running_loop()), f.channel, version, language)
    entry = _inflight.get(key)
    if entry is not None and (since is None or entry[0] >= since):
        return await asyncio.shield(entry[1])
    asked = time.monotonic()
    future = asyncio.ensure_future(call(f.event)(version, language, since=since))
    _inflight[key] = (asked, future)
    try:
        return await asyncio.shield(future)
    finally:
        if _inflight.get(key, (0.0, None))[1] is future:
            del _inflight[key]


def give_back_connections() -> None:
    """The thread's database connections given back (closed when Django would at the end
    of a request) — except one inside a transaction: closing it would end a caller's
    atomic block (a test's, on PostgreSQL) instead of returning an idle connection."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def _giving_back(call: Callable) -> Callable:
    """``call`` (``sync_to_async``), and the thread's database connection given back
    after each call: a stream holds none while it waits."""
    def wrapped(fn: Callable) -> Callable:
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            finally:
                give_back_connections()
        return call(run)
    return wrapped


async def async_events(f: Feed, language: str, *, lifetime: float,
                       call: Callable) -> AsyncIterator[bytes]:
    """An ASGI stream: ``call`` runs a sync function off the event loop
    (``sync_to_async``); cache hits never leave the loop."""
    h = hub()
    h.ensure_listening()
    call = _giving_back(call)
    # The view's own queries (session, district, membership) ran on this stream's
    # thread: its connection goes back now, not when the stream ends minutes later (with
    # PostgreSQL's per-process pool, 8 open streams would hold every connection).
    await call(lambda: None)()
    yield b"retry: 1000\n\n"
    started, beat, seen = time.monotonic(), time.monotonic(), -1
    try:
        with _counted():
            while time.monotonic() - started < lifetime:
                version = h.version(f.channel)
                if version != seen:
                    since = started if seen < 0 else None
                    chunk = f.cached(version, language, since=since) or \
                        await _rendering(f, version, language, since, call)
                    seen = version
                    yield chunk
                    beat = time.monotonic()
                elif time.monotonic() - beat > HEARTBEAT_SECONDS:
                    yield b": ping\n\n"
                    beat = time.monotonic()
                if (await h.await_change(f.channel, seen, f.interval()) == seen
                        and f.claim_recheck()):
                    await call(f.recheck)()
    finally:
        # The stream's database work ran on a worker thread: give its connection back.
        await call(give_back_connections)()


def sync_events(f: Feed, language: str, *, lifetime: float, poll: float = 0.25) -> Iterator[bytes]:
    """A WSGI stream (the test live server): the same loop on a thread. It writes a
    comment at every ``poll`` so a browser that went away ends it at once."""
    h = hub()
    h.ensure_listening()
    yield b"retry: 500\n\n"
    started, seen = time.monotonic(), -1
    with _counted():
        while time.monotonic() - started < lifetime:
            version = h.version(f.channel)
            if version != seen:
                chunk = f.event(version, language, fresh=seen < 0)
                seen = version
                yield chunk
            else:
                yield b":\n\n"
            if h.wait(f.channel, seen, poll) == seen:
                f.recheck()


async def authorised(request, check: Callable):
    """For a stream view: ``check(user)`` (the district, or raise) with the signed-in
    user, in one thread hop that gives its database connection back at once; None when
    nobody is signed in. A crowd of viewers opening their streams then holds a pooled
    PostgreSQL connection each only for its own look-ups, not until its stream starts
    (500 at once against a pool of 8 ran out of connections: 503)."""
    from asgiref.sync import sync_to_async

    def run():
        try:
            user = request.user
            return check(user) if user.is_authenticated else None
        finally:
            give_back_connections()

    return await sync_to_async(run)()


def event_bytes(name: str, data: dict) -> bytes:
    """One server-sent event, JSON data (Chinese unescaped)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f"event: {name}\ndata: {body}\n\n".encode()


ASGI_LIFETIME = 600.0  # a fresh connection now and then picks up new deployments
WSGI_LIFETIME = 25.0  # a WSGI thread is held for the whole stream


def stream_response(request, f: Feed):
    """The event-stream response for ``f``: an async generator under ASGI; under a WSGI
    server (the test live server) an async iterator would be buffered to the end, so the
    same loop runs as a sync generator that ends after a while and the browser's
    EventSource reconnects by itself (``retry``)."""
    from asgiref.sync import sync_to_async
    from django.core.handlers.asgi import ASGIRequest
    from django.http import StreamingHttpResponse
    from django.utils import translation

    language = translation.get_language() or "zh-hans"
    events = (async_events(f, language, lifetime=ASGI_LIFETIME, call=sync_to_async)
              if isinstance(request, ASGIRequest)
              else sync_events(f, language, lifetime=WSGI_LIFETIME))
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response
