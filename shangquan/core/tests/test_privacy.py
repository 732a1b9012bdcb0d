"""Personal data kept out of where it should not be (issue 11, section 2): usernames,
audit rows of anonymous acts, audit snapshots, the SMS path, and erasure (PIPL art. 47)."""

from __future__ import annotations

import http.server
import importlib
import json
import logging
import re
import subprocess
import sys
import threading
import urllib.parse

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from shangquan.core import notify, services
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record
from shangquan.core.errors import PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog, AuditSealedActor, OneTimeCode, Profile
from shangquan.core.roles import Role
from shangquan.core.sms_aliyun import AliyunSender, rpc_signature
from shangquan.core.tests.audit_guard import unmasked_phones

from .factories import token_for, user_factory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _request():
    return RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")


def _sign_in(phone: str, capture) -> User:
    with capture(execute=True):
        services.otp_send(request=_request(), phone=phone)
    code = notify.SENT[-1].params["code"]
    return services.otp_verify(request=_request(), phone=phone, code=code)


# --- usernames ---------------------------------------------------------------------------
def test_a_resident_signing_in_by_code_gets_a_username_without_their_phone(
        django_capture_on_commit_callbacks):
    user = _sign_in("13800138123", django_capture_on_commit_callbacks)
    assert re.fullmatch(r"r[0-9a-f]{10}", user.username)
    assert "38123" not in user.username
    assert Profile.objects.get(user=user).phone_verified_at is not None
    labels = AuditLog.objects.values_list("actor_label", "object_repr")
    assert not [pair for pair in labels if "13800138123" in "".join(pair)]


def test_the_migration_renames_phone_usernames_and_the_audit_rows_that_named_them():
    migration = importlib.import_module(
        "shangquan.core.migrations.0007_resident_usernames_without_phone")
    old = User.objects.create_user(username="p13800138124", password=None)
    Profile.objects.create(user=old, phone="13800138124")
    staff = user_factory("zhangsan", phone="13800138125")  # a chosen name stays
    # As such rows were written before: the username, phone and all, in the label.
    AuditLog.objects.create(actor=old, actor_label="p13800138124", object_type="auth.user",
                            object_id=str(old.pk), object_repr="p13800138124",
                            action="core.user.register")
    before = AuditLog.objects.count()

    from django.apps import apps

    migration.forwards(apps, type("Editor", (), {"connection": connection})())
    old.refresh_from_db()
    assert re.fullmatch(r"r[0-9a-f]{10}", old.username)
    assert Profile.objects.get(user=old).phone_verified_at is not None
    assert User.objects.get(pk=staff.pk).username == "zhangsan"
    row = AuditLog.objects.filter(actor=old).latest("id")
    assert row.actor_label == old.username and row.object_repr == old.username
    assert AuditLog.objects.count() == before
    # The guard is back: the trail refuses changes again.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET action = 'x' WHERE id = %s", [row.pk])


# --- snapshots ---------------------------------------------------------------------------
def test_audit_rows_mask_phones_and_names_of_private_persons_wherever_they_are(north):
    row = audit_record(actor=SYSTEM, district=north.district, action="core.user.create",
                       object_type="x", object_id="1",
                       before={"phone": "13800138126", "contact_name": "王小明"},
                       after={"reporter_phone": "024-8888-1234", "reporter_name": "李雷",
                              "note": "请回电 13800138126、+8613800138127 或 138-0013-8128",
                              "nested": [{"leader_phone": "13800138128"}]},
                       actor_label="13800138129")
    row.refresh_from_db()
    assert row.before == {"phone": "138****8126", "contact_name": "王**"}
    assert row.after["reporter_name"] == "李*"
    assert row.after["reporter_phone"] == "024****1234"
    assert row.after["note"] == "请回电 138****8126、+86138****8127 或 138****8128"
    assert row.after["nested"] == [{"leader_phone": "138****8128"}]
    assert row.actor_label == "138****8129"
    assert unmasked_phones([AuditLog.objects.values(
        "id", "action", "actor_label", "object_id", "object_repr", "before", "after"
    ).get(pk=row.pk)]) == []


def test_the_suite_guard_finds_a_clear_phone_written_below_the_helpers():
    assert unmasked_phones([{"id": 1, "action": "a", "actor_label": "", "object_id": "",
                             "object_repr": "", "before": None,
                             "after": {"x": "call 13912345678"}}]) == ["#1 a: 13912345678"]
    assert unmasked_phones([{"id": 2, "action": "a", "actor_label": "139****5678",
                             "object_id": "20260101", "object_repr": "", "before": None,
                             "after": {"at": "2026-01-01T10:00:00", "n": 139123456789}}]) == []


# --- anonymous acts ----------------------------------------------------------------------
def test_an_anonymous_act_names_nobody_but_a_city_admin_may_reveal_it_with_a_reason(
        north, city_admin, api_client):
    resident = north.people[Role.RESIDENT]
    row = audit_record(actor=resident, district=north.district, action="core.user.create",
                       object_type="x", object_id="1", anonymous=True)
    assert row.actor_id is None and row.actor_label == "anonymous"
    assert AuditSealedActor.objects.get(audit=row).user == resident

    committee = api_client(north.people[Role.COMMITTEE])
    listed = committee.get(f"/api/v1/districts/{north.district.code}/audit").json()
    mine = next(item for item in listed["items"] if item["id"] == row.pk)
    assert resident.username not in json.dumps(mine)
    url = f"/api/v1/districts/{north.district.code}/audit/{row.pk}/reveal"
    assert committee.post(url, {"reason": "想知道是谁"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.audit_actor_reveal(actor=north.people[Role.STREET], audit=row, reason="核查投诉")

    admin = api_client(city_admin)
    assert admin.post(url, {"reason": "查"}).json()["code"] == "reason_required"
    answer = admin.post(url, {"reason": "公安机关依法调取，案件编号 2026-017"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["username"] == resident.username
    reveal = AuditLog.objects.filter(action="core.audit.reveal").latest("id")
    assert reveal.district == north.district and reveal.object_id == str(row.pk)
    assert reveal.after["reason"] == "公安机关依法调取，案件编号 2026-017"
    assert resident.username not in json.dumps(reveal.after) + reveal.actor_label
    assert reveal.actor == city_admin


# --- SMS ---------------------------------------------------------------------------------
def test_sms_is_a_signed_template_with_parameters_sent_by_a_task_after_commit(
        django_capture_on_commit_callbacks, caplog, settings):
    from django_tasks.signals import task_enqueued

    settings.SHANGQUAN = {**settings.SHANGQUAN, "SMS_SIGN_NAME": "北街夜市",
                          "SMS_TEMPLATES": {"otp": "SMS_123456789"}}
    enqueued = []
    task_enqueued.connect(lambda sender, task_result, **kw: enqueued.append(task_result),
                          weak=False, dispatch_uid="test-sms")
    sent_before = len(notify.SENT)
    try:
        with caplog.at_level(logging.INFO, logger="shangquan.notify"):
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                services.otp_send(request=_request(), phone="13800138130")
            assert len(notify.SENT) == sent_before  # nothing leaves inside the request
            for callback in callbacks:
                callback()
    finally:
        task_enqueued.disconnect(dispatch_uid="test-sms")
    assert [r.task.name for r in enqueued] == ["otp_deliver"]
    message = notify.SENT[-1]
    assert (message.to, message.sign_name, message.template, message.template_code) == (
        "13800138130", "北街夜市", "otp", "SMS_123456789")
    assert set(message.params) == {"code"} and message.param_list == [message.params["code"]]
    logged = caplog.text
    assert "13800138130" not in logged and message.params["code"] not in logged
    assert "138****8130" in logged
    with pytest.raises(ValueError):
        notify.sms_message(to="13800138130", template="otp", params={"text": "free text"})


def test_production_refuses_to_start_with_the_log_sender():
    env = {"SHANGQUAN_ENV": "production", "SHANGQUAN_SECRET_KEY": "x" * 64 + "-Prod-Key-!@#",
           "SHANGQUAN_ALLOWED_HOSTS": "shangquan.example.cn", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True,
                            text=True, env=env)
    assert result.returncode != 0
    assert "SHANGQUAN_SMS_SENDER" in result.stderr


def test_aliyun_signature_matches_the_documented_example():
    # The worked example of Aliyun's RPC signature (secret "testsecret").
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
              "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z",
              "Version": "2014-05-26"}
    assert rpc_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_aliyun_sender_sends_signature_template_code_and_parameters(monkeypatch):
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            received.append(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)))
            body = b'{"Code": "OK", "Message": "OK"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    monkeypatch.setenv("SHANGQUAN_SMS_ACCESS_KEY_ID", "id-1")
    monkeypatch.setenv("SHANGQUAN_SMS_ACCESS_KEY_SECRET", "secret-1")
    sender = AliyunSender(endpoint=f"http://127.0.0.1:{server.server_address[1]}/")
    sender.send(notify.SmsMessage(to="13800138131", sign_name="商圈共治", template="otp",
                                  template_code="SMS_1", params={"code": "123456"}))
    thread.join(5)
    server.server_close()
    (query,) = received
    assert (query["PhoneNumbers"], query["SignName"], query["TemplateCode"]) == (
        "13800138131", "商圈共治", "SMS_1")
    assert json.loads(query["TemplateParam"]) == {"code": "123456"}
    signature = query.pop("Signature")
    assert rpc_signature(query, "secret-1") == signature


def test_notifications_text_only_a_verified_phone(north, django_capture_on_commit_callbacks):
    typed = user_factory(phone="13800138132")  # a phone somebody typed: not verified
    proved = _sign_in("13800138133", django_capture_on_commit_callbacks)
    sent_before = len(notify.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        for user in (typed, proved):
            services.notification_send(district=north.district, user=user,
                                       title="您反映的问题已派单", sms=True)
    assert [m.to for m in notify.SENT[sent_before:]] == ["13800138133"]
    assert notify.SENT[-1].template == "notice"


def test_a_notices_task_carries_no_phone_and_reads_the_number_when_it_sends(
        north, django_capture_on_commit_callbacks, settings):
    """The task row (queued in the database, as in production) holds only the
    notification's id; a number no longer verified when the worker runs is not texted."""
    from django_tasks_db.models import DBTaskResult

    proved = _sign_in("13800138134", django_capture_on_commit_callbacks)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notification_send(district=north.district, user=proved,
                                           title="您反映的问题已办结", sms=True)
    queued = DBTaskResult.objects.get(task_path__endswith="notice_deliver")
    assert queued.args_kwargs["kwargs"] == {"notification_id": note.pk}
    assert "8134" not in json.dumps(queued.args_kwargs)
    sent_before = len(notify.SENT)
    assert notify.notice_deliver.call(notification_id=note.pk) is True
    assert [m.to for m in notify.SENT[sent_before:]] == ["13800138134"]
    assert notify.SENT[-1].params == {"title": "您反映的问题已办结"}
    # the number is no longer verified (or was erased) before the worker ran: no text
    Profile.objects.filter(user=proved).update(phone_verified_at=None)
    assert notify.notice_deliver.call(notification_id=note.pk) is False
    assert len(notify.SENT) == sent_before + 1


# --- erasure (PIPL art. 47) --------------------------------------------------------------
def _trail_of(user) -> list[int]:
    return list(AuditLog.objects.filter(actor=user).values_list("pk", flat=True))


def test_erasure_keeps_the_audit_trail_whole_and_pseudonymised(
        north, city_admin, django_capture_on_commit_callbacks):
    from shangquan.workorders.tests.factories import order_factory

    resident = _sign_in("13800138134", django_capture_on_commit_callbacks)
    token_for(resident)
    order = order_factory(north, actor=resident, reporter_name="赵六")
    anonymous = order_factory(north, actor=resident, anonymous=True)
    rows = _trail_of(resident)
    sealed = AuditSealedActor.objects.get(audit__object_id=str(anonymous.pk),
                                          audit__action="workorders.order.submit")
    assert len(rows) >= 3
    every_row = list(AuditLog.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationFailed):
        services.resident_erase(actor=city_admin, user=resident, reason="")
    with pytest.raises(PermissionDenied):
        services.resident_erase(actor=north.people[Role.COMMITTEE], user=resident,
                                reason="本人申请注销")
    pseudonym = services.resident_erase(actor=city_admin, user=resident, reason="本人申请注销")

    assert not User.objects.filter(pk=resident.pk).exists()
    assert not Profile.objects.filter(phone="13800138134").exists()
    assert not OneTimeCode.objects.filter(phone="13800138134").exists()
    assert not AuditSealedActor.objects.filter(pk=sealed.pk).exists()
    order.refresh_from_db()
    assert (order.reporter_id, order.reporter_name, order.reporter_phone) == (None, "", "")
    # Every row is still there, unlinked and under one pseudonym.
    assert AuditLog.objects.filter(pk__in=every_row).count() == len(every_row)
    kept = AuditLog.objects.filter(pk__in=rows)
    assert kept.count() == len(rows)
    assert set(kept.values_list("actor_id", "actor_label")) == {(None, pseudonym)}
    erase = AuditLog.objects.get(action="core.user.erase")
    assert erase.actor == city_admin and erase.after["reason"] == "本人申请注销"


def test_the_trail_lets_through_only_the_pseudonymising_change(north):
    person = user_factory()
    row = audit_record(actor=person, district=north.district, action="core.user.create",
                       object_type="x", object_id="1", after={"a": 1})

    def refused(sql: str, params: list) -> None:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    refused("UPDATE core_auditlog SET actor_id = NULL, action = 'x' WHERE id = %s", [row.pk])
    refused("UPDATE core_auditlog SET actor_id = NULL, actor_label = 'someone' WHERE id = %s",
            [row.pk])
    # Django's own SET_NULL when a user row is deleted goes through, and nothing else moves.
    person.delete()
    row = AuditLog.objects.get(pk=row.pk)
    assert row.actor_id is None and row.action == "core.user.create" and row.after == {"a": 1}
    # Once unlinked, the row cannot change again, not even its label.
    refused("UPDATE core_auditlog SET actor_label = 'erased-x' WHERE id = %s", [row.pk])
    assert AuditLog.objects.get(pk=row.pk).actor_label == row.actor_label


def test_a_resident_may_erase_themself_over_the_api(north, api_client,
                                                   django_capture_on_commit_callbacks):
    resident = _sign_in("13800138135", django_capture_on_commit_callbacks)
    client = api_client(resident)
    answer = client.post("/api/v1/me/erase", {"reason": "不再使用，申请删除个人信息"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["pseudonym"].startswith("erased-")
    assert not User.objects.filter(pk=resident.pk).exists()
    other = user_factory()
    assert api_client(north.people[Role.COMMITTEE]).post(
        f"/api/v1/users/{other.pk}/erase", {"reason": "替他注销"}).status_code == 404
