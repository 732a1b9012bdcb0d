"""A real SMS sender: Aliyun's SendSms (dysmsapi, version 2017-05-25), signed with the
RPC signature (HMAC-SHA1, version 1.0) and sent with the standard library.

Configure ``SHANGQUAN_SMS_SENDER=shangquan.core.sms_aliyun.AliyunSender`` with
``SHANGQUAN_SMS_ACCESS_KEY_ID`` / ``SHANGQUAN_SMS_ACCESS_KEY_SECRET``, the approved
signature (``SHANGQUAN_SMS_SIGN_NAME``) and template codes (``SHANGQUAN_SMS_TEMPLATES``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import urllib.parse
import urllib.request
import uuid

from django.core.exceptions import ImproperlyConfigured

from .notify import SmsMessage

ENDPOINT = "https://dysmsapi.aliyuncs.com/"


class SmsRefused(RuntimeError):
    """The provider did not accept the message (its code and message are kept)."""


def _encode(value: str) -> str:
    # RFC 3986 as Aliyun specifies: space %20, '*' %2A, '~' kept.
    return urllib.parse.quote(str(value), safe="~")


def rpc_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{_encode(k)}={_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{_encode('/')}&{_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def send_sms_query(message: SmsMessage, *, key_id: str, secret: str,
                   now: dt.datetime | None = None, nonce: str | None = None) -> str:
    """The signed query string of one SendSms call."""
    now = now or dt.datetime.now(dt.UTC)
    params = {
        "AccessKeyId": key_id, "Action": "SendSms", "Format": "JSON",
        "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex, "SignatureVersion": "1.0",
        "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "PhoneNumbers": message.to, "SignName": message.sign_name,
        "TemplateCode": message.template_code,
        "TemplateParam": json.dumps(message.params, ensure_ascii=False),
    }
    params["Signature"] = rpc_signature(params, secret)
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


class AliyunSender:
    def __init__(self, endpoint: str | None = None) -> None:
        self.key_id = os.environ.get("SHANGQUAN_SMS_ACCESS_KEY_ID", "")
        self.secret = os.environ.get("SHANGQUAN_SMS_ACCESS_KEY_SECRET", "")
        self.endpoint = endpoint or os.environ.get("SHANGQUAN_SMS_ENDPOINT", ENDPOINT)
        if not (self.key_id and self.secret):
            raise ImproperlyConfigured("AliyunSender needs SHANGQUAN_SMS_ACCESS_KEY_ID and "
                                       "SHANGQUAN_SMS_ACCESS_KEY_SECRET")

    def send(self, message: SmsMessage) -> None:
        query = send_sms_query(message, key_id=self.key_id, secret=self.secret)
        with urllib.request.urlopen(f"{self.endpoint}?{query}", timeout=10) as response:
            answer = json.loads(response.read().decode() or "{}")
        if answer.get("Code") != "OK":
            raise SmsRefused(f"{answer.get('Code')}: {answer.get('Message')}")
