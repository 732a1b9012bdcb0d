"""The live board's server-sent events.

An async view: under the ASGI server (uvicorn) it yields from an async generator
that polls a cheap signature of the board and sends the whole board when it changes.
Under a WSGI server (the test live server) an async iterator would be buffered to
the end, so the same loop runs as a sync generator there, ending after a while; the
browser's EventSource reconnects by itself (``retry``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import translation

from shangquan.core import policies
from shangquan.core.selectors import access_district

from .selectors import board_data, board_signature

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0
ASGI_LIFETIME = 600.0  # a fresh connection now and then picks up new deployments
WSGI_LIFETIME = 25.0  # a WSGI thread is held for the whole stream


def _event(data: dict) -> bytes:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f"event: board\ndata: {body}\n\n".encode()


def _snapshot(district, last: tuple | None, language: str) -> tuple[tuple, bytes | None]:
    signature = board_signature(district=district)
    if signature == last:
        return signature, None
    # The generator runs after the middleware returned: set the language explicitly.
    with translation.override(language):
        return signature, _event(board_data(district=district))


async def _async_events(district, language: str) -> AsyncIterator[bytes]:
    yield b"retry: 1000\n\n"
    last, started, beat = None, time.monotonic(), time.monotonic()
    snapshot = sync_to_async(_snapshot)
    try:
        while time.monotonic() - started < ASGI_LIFETIME:
            last, chunk = await snapshot(district, last, language)
            if chunk:
                yield chunk
                beat = time.monotonic()
            elif time.monotonic() - beat > HEARTBEAT_SECONDS:
                yield b": ping\n\n"
                beat = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)
    finally:
        await sync_to_async(close_old_connections)()


def _sync_events(district, language: str) -> Iterator[bytes]:
    yield b"retry: 500\n\n"
    last, started = None, time.monotonic()
    try:
        while time.monotonic() - started < WSGI_LIFETIME:
            last, chunk = _snapshot(district, last, language)
            if chunk:
                yield chunk
            time.sleep(POLL_SECONDS)
    finally:
        close_old_connections()


def _authorise(user, code: str):
    district = access_district(user=user, code=code)
    policies.require(user, district, "crowd.view")
    return district


async def board_stream(request: HttpRequest, code: str) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    district = await sync_to_async(_authorise)(user, code)
    language = translation.get_language() or "zh-hans"
    events = (_async_events(district, language) if isinstance(request, ASGIRequest)
              else _sync_events(district, language))
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response
