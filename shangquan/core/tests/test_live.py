"""Live updates: a committed change publishes once, on the database's own backend
(PostgreSQL NOTIFY, or in-process on SQLite) or on Redis; every stream is fed from one
rendering per change."""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest
from django.db import connection, transaction

from shangquan.core import live
from shangquan.core.models import District

pytestmark = pytest.mark.django_db(transaction=True)


def _until(predicate, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _listening() -> live.Hub:
    hub = live.hub()
    hub.ensure_listening()
    if live.backend_name() != "local":
        assert hub.ready.wait(5), "the subscriber never subscribed"
    return hub


def _commit_and_rollback(hub: live.Hub) -> None:
    channel = f"test:{uuid.uuid4().hex}"
    with transaction.atomic():
        live.publish(channel)
        live.publish(channel)  # many changes in one transaction: one publication
        time.sleep(0.2)
        assert hub.version(channel) == 0  # not before the commit
    assert _until(lambda: hub.version(channel) == 1)
    time.sleep(0.3)
    assert hub.version(channel) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        live.publish(channel)
        raise RuntimeError("the write failed")
    time.sleep(0.5)
    assert hub.version(channel) == 1  # a rolled-back write publishes nothing


def test_a_change_is_published_when_it_commits_and_never_when_it_rolls_back():
    assert live.backend_name() == ("postgresql" if connection.vendor == "postgresql"
                                   else "local")
    _commit_and_rollback(_listening())


def test_with_redis_configured_the_publication_goes_through_redis(settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    live._redis_client = None
    try:
        assert live.backend_name() == "redis"
        _commit_and_rollback(_listening())
    finally:
        live.hub().stop_listening()
        live._redis_client = None


def test_one_rendering_per_change_however_many_streams():
    channel = f"test:{uuid.uuid4().hex}"
    rendered = []

    def render(language: str) -> bytes:
        rendered.append(language)
        return f"data: {len(rendered)}\n\n".encode()

    feed = live.feed(channel, render=render, signature=lambda: 0)
    streams = [live.sync_events(feed, "zh-hans", lifetime=30, poll=0.01) for _ in range(50)]
    for stream in streams:
        assert next(stream).startswith(b"retry:")
        next(stream)  # each stream's first event is rendered afresh for it
    first = len(rendered)
    assert first == 50
    live.hub().deliver(channel)
    updates = {next(s) for s in streams}
    assert updates == {b"data: 51\n\n"}  # one rendering, shared by all 50
    assert len(rendered) == 51
    assert live.open_streams() >= 50
    for stream in streams:
        stream.close()
    assert live.open_streams() == 0


def test_a_change_made_elsewhere_shows_through_the_signature_once_per_process():
    channel = f"test:{uuid.uuid4().hex}"
    state = {"n": 0, "checks": 0}

    def signature():
        state["checks"] += 1
        return state["n"]

    feed = live.feed(channel, render=lambda lang: f"data: {state['n']}\n\n".encode(),
                     signature=signature)
    feed.refresh = feed.local_refresh = 0.05
    streams = [live.sync_events(feed, "en", lifetime=30, poll=0.01) for _ in range(20)]
    for stream in streams:
        next(stream), next(stream)
    state["n"] = 7  # another process wrote, and published nowhere we hear
    checks = state["checks"]
    seen = [b""] * len(streams)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not all(s == b"data: 7\n\n" for s in seen):
        for i, stream in enumerate(streams):
            chunk = next(stream)
            if chunk.startswith(b"data"):
                seen[i] = chunk
    assert all(s == b"data: 7\n\n" for s in seen)
    # the 20 streams looked at the signature a few times in all, not 20 times each poll
    assert state["checks"] - checks < 40
    for stream in streams:
        stream.close()


def test_what_was_missed_while_the_subscriber_connected_shows_once_it_listens(monkeypatch):
    """A change committed while this process's LISTEN (or Redis) subscriber was still
    connecting, or lost, was published to nobody here. Once it subscribes, the feeds
    look at their signatures at once, not at their next 15 s re-check."""
    monkeypatch.setattr(live, "backend_name", lambda: "local")  # no real subscriber here
    channel = f"test:{uuid.uuid4().hex}"
    state = {"n": 1}
    feed = live.feed(channel, render=lambda lang: f"data: {state['n']}\n\n".encode(),
                     signature=lambda: state["n"])
    feed.refresh = feed.local_refresh = 120  # only the resync can bring the change now
    stream = live.sync_events(feed, "zh-hans", lifetime=30, poll=0.01)
    assert next(stream).startswith(b"retry:")
    assert next(stream) == b"data: 1\n\n"
    feed.recheck()  # the interval's check has just been made
    state["n"] = 2  # committed and published while nobody here listened
    assert all(next(stream) == b":\n\n" for _ in range(20))
    live.hub().resync()  # what the subscriber does as it (re)subscribes
    chunks = [next(stream) for _ in range(20)]
    assert b"data: 2\n\n" in chunks
    stream.close()


def test_a_failed_publication_never_fails_the_committed_write(monkeypatch, caplog):
    """The database or Redis gone just after the commit: the write stands, the boards
    catch up through their re-check."""
    def down(*args, **kwargs):
        raise OSError("the broker went away")

    monkeypatch.setattr(live.Hub, "deliver", down)
    monkeypatch.setattr(live, "_redis_publish", down)
    monkeypatch.setattr(live, "backend_name", lambda: "local")
    with transaction.atomic():
        live.publish(f"test:{uuid.uuid4().hex}")
    assert "publishing" in caplog.text


@pytest.mark.django_db
def test_giving_back_connections_leaves_an_open_transaction_alone(north):
    """A stream gives its thread's connection back after each look-up; inside a caller's
    transaction (a test's, on PostgreSQL) closing it would end that transaction."""
    live.give_back_connections()
    assert District.objects.filter(pk=north.district.pk).exists()
