"""Issue 11 leftovers: one-time codes are not readable from a database dump, and codes have
their own limiter (per phone and per address), apart from the password login's."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from shangquan.core import notify, services
from shangquan.core.errors import NotAuthenticated, RateLimited
from shangquan.core.models import OneTimeCode

pytestmark = pytest.mark.django_db


def _request(address: str = "10.0.0.9"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def _dump() -> str:
    """Every row of every table, as text: what a leaked backup shows."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            lines.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(lines)


def test_a_database_dump_reveals_no_live_code(settings, django_capture_on_commit_callbacks):
    """The SMS task is queued in the database (as in production) and read back from its
    row, as the worker does; the code it sends appears nowhere in the database."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        otp = services.otp_send(request=_request(), phone="13800138201")
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("otp_deliver")
    dump = _dump()  # before the worker ran: the code is only derivable with the key
    kwargs = queued.args_kwargs["kwargs"]
    assert set(kwargs) == {"otp_id", "nonce"}
    sent_before = len(notify.SENT)
    assert queued.task.call(*queued.args_kwargs["args"], **kwargs) is True  # the worker
    assert len(notify.SENT) == sent_before + 1
    code = notify.SENT[-1].params["code"]
    assert re.fullmatch(r"\d{6}", code)
    for text in (dump, _dump()):
        assert not re.search(rf"(?<![\d.]){code}(?!\d)", text), "a live code in the dump"
    assert "13800138201" not in repr(queued.args_kwargs)  # nor the phone in the task
    # The code the SMS carried is the one that signs in, exactly once.
    user = services.otp_verify(request=_request(), phone="13800138201", code=code)
    assert user.profile.phone == "13800138201"
    assert OneTimeCode.objects.get(pk=otp.pk).used_at is not None


def test_a_code_that_is_no_longer_live_is_not_sent(django_capture_on_commit_callbacks):
    """The worker sends a code only while it can still be used: a newer code voids it."""
    with django_capture_on_commit_callbacks(execute=False) as first:
        services.otp_send(request=_request(), phone="13800138202")
    with django_capture_on_commit_callbacks(execute=False) as second:
        services.otp_send(request=_request(), phone="13800138202")
    sent_before = len(notify.SENT)
    for callback in first + second:  # the worker runs late, both queued tasks at once
        callback()
    assert len(notify.SENT) == sent_before + 1  # only the newer code left
    code = notify.SENT[-1].params["code"]
    assert services.otp_verify(request=_request(), phone="13800138202", code=code)


def test_codes_differ_per_row_and_per_nonce(settings):
    codes = {notify.otp_code(otp_id=i, nonce=notify.otp_nonce()) for i in range(50)}
    assert len(codes) > 45
    same = notify.otp_code(otp_id=7, nonce="ab")
    assert same == notify.otp_code(otp_id=7, nonce="ab")
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert notify.otp_code(otp_id=7, nonce="ab") != same  # nobody derives it without the key


# --- the limiter ---------------------------------------------------------------------------
def _send(phone: str, address: str, capture) -> str:
    with capture(execute=True):
        services.otp_send(request=_request(address), phone=phone)
    return notify.SENT[-1].params["code"]


def test_guessing_codes_for_one_phone_is_limited_across_addresses(
        settings, django_capture_on_commit_callbacks):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "OTP_VERIFY_RATE": (3, 600),
                          "OTP_MAX_ATTEMPTS": 99}
    code = _send("13800138203", "10.1.0.1", django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for i in range(3):  # each guess from another address
        with pytest.raises(NotAuthenticated):
            services.otp_verify(request=_request(f"10.2.0.{i}"), phone="13800138203",
                                code=wrong)
    with pytest.raises(RateLimited):  # even the right code, now: the phone is locked
        services.otp_verify(request=_request("10.2.0.9"), phone="13800138203", code=code)


def test_guessing_codes_for_many_phones_from_one_address_is_limited(
        settings, django_capture_on_commit_callbacks):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "OTP_VERIFY_RATE": (1, 600)}  # 4 per address
    for i in range(4):
        with pytest.raises(NotAuthenticated):
            services.otp_verify(request=_request("10.3.0.1"), phone=f"1380013821{i}",
                                code="000000")
    with pytest.raises(RateLimited):
        services.otp_verify(request=_request("10.3.0.1"), phone="13800138219", code="000000")
    # Another address, another phone: unaffected.
    with pytest.raises(NotAuthenticated):
        services.otp_verify(request=_request("10.3.0.2"), phone="13800138218", code="000000")


def test_the_code_limiter_is_apart_from_the_password_login(settings):
    """Exhausting the password limit of an address leaves its code sign-in working; the
    codes' own limit then stops that address."""
    settings.SHANGQUAN = {**settings.SHANGQUAN, "LOGIN_RATE": (1, 300),
                          "OTP_VERIFY_RATE": (1, 600)}
    client = Client(REMOTE_ADDR="10.4.0.1")
    codes = [client.post("/api/v1/auth/token", {"username": f"n{i}", "password": "x"},
                         content_type="application/json").status_code for i in range(5)]
    assert codes[-1] == 429
    otp = client.post("/api/v1/auth/otp/verify", {"phone": "13800138221", "code": "000000"},
                      content_type="application/json")
    assert otp.status_code == 401, otp.content  # wrong code, not rate-limited
    for _ in range(4):
        client.post("/api/v1/auth/otp/verify", {"phone": "13800138222", "code": "000000"},
                    content_type="application/json")
    limited = client.post("/api/v1/auth/otp/verify",
                          {"phone": "13800138223", "code": "000000"},
                          content_type="application/json")
    assert limited.status_code == 429
