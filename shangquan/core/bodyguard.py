"""Slow and oversized request bodies, stopped before Django reads them (ASGI middleware).

The web server (granian, ``shangquan run``) bounds the connections and times out the
request headers; this guard does the same for the body, where Django's ASGI handler would
otherwise wait for it without end and spool all of it, whatever its size:

- a ``Content-Length`` over the limit is answered 413 at once, before any byte is read;
- a body that grows past the limit (chunked, or lying about its length) is answered 413
  when it crosses the limit; the rest is never read and the connection is closed;
- a body whose next chunk does not arrive within ``BODY_READ_TIMEOUT`` seconds is
  answered 408 and the connection is closed.

Limits: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for a JSON or form body,
``SHANGQUAN["REQUEST_MAX_BYTES"]`` for a multipart upload (photos). Answers use the API
error format ``{code, message, details}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger("shangquan.faults")


def body_limit(content_type: bytes) -> int:
    if content_type.lower().startswith(b"multipart/form-data"):
        return int(settings.SHANGQUAN["REQUEST_MAX_BYTES"])
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def read_timeout() -> float:
    return float(settings.SHANGQUAN["BODY_READ_TIMEOUT"])


class BodyGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = body_limit(headers.get(b"content-type", b""))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._answer(send, scope, 413, limit)
            return
        state: dict[str, Any] = {"received": 0, "done": False, "fault": None}
        timeout = read_timeout()

        async def guarded_receive() -> dict:
            if state["done"] or state["fault"]:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                state["fault"] = 408
                return {"type": "http.disconnect"}  # Django drops the request quietly
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["fault"] = 413
                    return {"type": "http.disconnect"}
                if not message.get("more_body", False):
                    state["done"] = True
            return message

        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, guarded_receive, tracking_send)
        if state["fault"] and not started:
            await self._answer(send, scope, state["fault"], limit)

    async def _answer(self, send, scope: dict, status: int, limit: int) -> None:
        if status == 413:
            code, message = "payload_too_large", _("请求内容太大（上限 %(mb)s MB）") % {
                "mb": max(1, limit // (1024 * 1024))}
            details: dict = {"limit": limit}
        else:
            code, message = "request_timeout", _("请求发送太慢，连接已关闭")
            details = {"timeout": read_timeout()}
        logger.warning("%s %s %s: %s", status, scope.get("method"), scope.get("path"), code)
        body = json.dumps({"code": code, "message": message, "details": details},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
