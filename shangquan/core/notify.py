"""Pluggable outbound messages (SMS, WeChat …). The default writes to the log."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("shangquan.notify")

# Messages sent through LogSender, kept for tests and the demo console.
OUTBOX: list[tuple[str, str]] = []


class Sender(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class LogSender:
    def send(self, *, to: str, text: str) -> None:
        OUTBOX.append((to, text))
        del OUTBOX[:-200]
        logger.info("SMS to %s: %s", to, text)


def get_sender() -> Sender:
    return import_string(settings.SHANGQUAN["SMS_SENDER"])()


def send_text(*, to: str, text: str) -> None:
    get_sender().send(to=to, text=text)
