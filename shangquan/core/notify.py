"""Outbound SMS, the way Chinese providers take it: a signature, an approved template
code and the template's parameters, never free text.

Aliyun's SendSms takes ``SignName``, ``TemplateCode`` and ``TemplateParam`` (a JSON object
of named values); Tencent Cloud's takes ``SignName``, ``TemplateId`` and
``TemplateParamSet`` (the values in the template's order) beside ``SmsSdkAppId``. So a
message names one of our templates (``TEMPLATES``: its parameters, in order), and the
deployment maps it to the provider's approved code (``SHANGQUAN["SMS_TEMPLATES"]``).

Messages leave through a task (:func:`notice_send_later` enqueues :data:`notice_deliver`
with the notification's id once the transaction commits), never inside the request. The
sender is pluggable (``SHANGQUAN["SMS_SENDER"]``); :class:`LogSender` is for development:
it logs the number masked and the parameters hidden, and production refuses to start with
it (settings).

A one-time code never sits in the task table: :func:`otp_send_later` queues
:data:`otp_deliver` with the code's row id and a random nonce, and the worker derives the
code again (:func:`otp_code`, keyed by ``SECRET_KEY``). The code's row keeps only a hash, so
a dump of the database (tasks, codes, audit) reveals no live code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .masking import phone_mask
from .models import Notification, OneTimeCode, Profile

logger = logging.getLogger("shangquan.notify")


@dataclass(frozen=True)
class SmsTemplate:
    params: tuple[str, ...]  # parameter names, in the template's order (Tencent's set)
    preview: str  # what the approved template says, for the log sender and the docs


# Our templates. Each must be approved with the provider, with the same parameters.
TEMPLATES: dict[str, SmsTemplate] = {
    "otp": SmsTemplate(("code",), "【{sign}】验证码 {code}，5 分钟内有效。"),
    "notice": SmsTemplate(("title",), "【{sign}】{title}，详情请打开商圈共治查看。"),
}
# Providers limit a variable's length (Aliyun: 35 characters for most variables).
PARAM_MAX = 35


@dataclass(frozen=True)
class SmsMessage:
    to: str
    sign_name: str
    template: str  # our template key
    template_code: str  # the provider's approved code (Aliyun SMS_…, Tencent's id)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def param_list(self) -> list[str]:
        """The values in the template's order (Tencent Cloud's TemplateParamSet)."""
        return [self.params[name] for name in TEMPLATES[self.template].params]


class Sender(Protocol):
    def send(self, message: SmsMessage) -> None: ...


# Messages the LogSender handled: (to, preview text), for tests and the demo console.
OUTBOX: list[tuple[str, str]] = []
SENT: list[SmsMessage] = []


class LogSender:
    """Development only: keeps the message in memory and logs it without personal data."""

    def send(self, message: SmsMessage) -> None:
        text = TEMPLATES[message.template].preview.format(sign=message.sign_name,
                                                          **message.params)
        OUTBOX.append((message.to, text))
        SENT.append(message)
        del OUTBOX[:-200], SENT[:-200]
        logger.info("SMS to %s: template %s (%s), parameters %s", phone_mask(message.to),
                    message.template, message.template_code, sorted(message.params))


def get_sender() -> Sender:
    return import_string(settings.SHANGQUAN["SMS_SENDER"])()


def sms_message(*, to: str, template: str, params: dict[str, str]) -> SmsMessage:
    spec = TEMPLATES.get(template)
    if spec is None:
        raise KeyError(f"Unknown SMS template {template!r}; declare it in core.notify.TEMPLATES")
    if set(params) != set(spec.params):
        raise ValueError(f"SMS template {template!r} takes {spec.params}, got {sorted(params)}")
    codes = settings.SHANGQUAN.get("SMS_TEMPLATES", {})
    return SmsMessage(to=to, sign_name=settings.SHANGQUAN.get("SMS_SIGN_NAME", "商圈共治"),
                      template=template, template_code=codes.get(template, template),
                      params={k: str(params[k])[:PARAM_MAX] for k in spec.params})


# --- notices: the number is looked up when the text leaves -----------------------------
def verified_phone(*, user_id: int) -> str | None:
    """The number its holder proved with a code; never one somebody typed."""
    return (Profile.objects.filter(user_id=user_id, phone_verified_at__isnull=False)
            .exclude(phone=None).values_list("phone", flat=True).first())


@task()
def notice_deliver(*, notification_id: int) -> bool:
    """Text a notification's title to its holder. The task carries only the row's id: the
    number is read now, so none sits in the task table, and a number erased or no longer
    verified meanwhile is not texted."""
    row = Notification.objects.filter(pk=notification_id).values_list("user_id", "title").first()
    phone = verified_phone(user_id=row[0]) if row else None
    if phone is None:
        logger.info("notice %s: no verified phone, not texted", notification_id)
        return False
    get_sender().send(sms_message(to=phone, template="notice", params={"title": row[1]}))
    return True


def notice_send_later(*, notification: Notification) -> None:
    """Queue the notification's SMS, sent by the worker after the current transaction
    commits (never inside the request)."""
    transaction.on_commit(lambda: notice_deliver.enqueue(notification_id=notification.pk))


# --- one-time codes: derived, never stored --------------------------------------------
def otp_nonce() -> str:
    return secrets.token_hex(16)


def otp_code(*, otp_id: int, nonce: str) -> str:
    """The six digits for one code row: HMAC(SECRET_KEY, row id, nonce), so neither the
    task's arguments (id, nonce) nor the row (a hash) tell the code without the key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"otp-code:{otp_id}:{nonce}".encode(),
                      hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"


@task()
def otp_deliver(*, otp_id: int, nonce: str) -> bool:
    """Send a code that is still live (a newer code, a login or the expiry void it)."""
    otp = OneTimeCode.objects.filter(pk=otp_id, used_at__isnull=True,
                                     expires_at__gt=timezone.now()).first()
    if otp is None:
        logger.info("SMS code %s no longer live: not sent", otp_id)
        return False
    get_sender().send(sms_message(to=otp.phone, template="otp",
                                  params={"code": otp_code(otp_id=otp.pk, nonce=nonce)}))
    return True


def otp_send_later(*, otp: OneTimeCode, nonce: str) -> None:
    """Queue the code's SMS after the commit, with nothing secret in the task's arguments."""
    transaction.on_commit(lambda: otp_deliver.enqueue(otp_id=otp.pk, nonce=nonce))
