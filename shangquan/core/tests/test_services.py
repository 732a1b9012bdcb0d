from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from shangquan.core import notify, services
from shangquan.core.actors import SYSTEM
from shangquan.core.errors import NotAuthenticated, RateLimited, ValidationFailed
from shangquan.core.models import ApiToken, AuditLog, OneTimeCode, Profile
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _request(ip="10.0.0.1"):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def _last_code(phone: str) -> str:
    to, text = notify.OUTBOX[-1]
    assert to == phone
    return text.split("验证码 ")[1][:6]


def test_otp_login_creates_resident_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_send(request=_request(), phone="+86 138-0013-8000")
    code = _last_code("13800138000")
    user = services.otp_verify(request=_request(), phone="13800138000", code=code)
    assert Profile.objects.get(user=user).phone == "13800138000"
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_send(request=_request(), phone="13800138000")
    again = services.otp_verify(request=_request(), phone="13800138000",
                                code=_last_code("13800138000"))
    assert again.pk == user.pk
    assert AuditLog.objects.filter(action="core.otp.verified").count() == 2


def test_otp_code_is_single_use_and_expires(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_send(request=_request(), phone="13800138001")
    code = _last_code("13800138001")
    services.otp_verify(request=_request(), phone="13800138001", code=code)
    with pytest.raises(NotAuthenticated):
        services.otp_verify(request=_request(), phone="13800138001", code=code)
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_send(request=_request(), phone="13800138001")
    OneTimeCode.objects.filter(phone="13800138001").update(
        created_at=timezone.now() - timedelta(minutes=10),
        expires_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(NotAuthenticated) as err:
        services.otp_verify(request=_request(), phone="13800138001", code=_last_code("13800138001"))
    assert err.value.code == "otp_expired"


def test_otp_attempts_are_limited(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_send(request=_request(), phone="13800138002")
    code = _last_code("13800138002")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(NotAuthenticated) as err:
            services.otp_verify(request=_request(), phone="13800138002", code=wrong)
        assert err.value.code == "otp_invalid"
    with pytest.raises(NotAuthenticated) as err:
        services.otp_verify(request=_request(), phone="13800138002", code=code)
    assert err.value.code == "otp_locked"


def test_otp_sending_is_rate_limited():
    for _ in range(5):
        services.otp_send(request=_request(), phone="13800138003")
    with pytest.raises(RateLimited):
        services.otp_send(request=_request(), phone="13800138003")


def test_password_login_is_rate_limited(north):
    user = north.people[Role.COMMITTEE]
    for _ in range(10):
        with pytest.raises(NotAuthenticated):
            services.user_authenticate(request=_request(), username=user.username, password="x")
    with pytest.raises(RateLimited):
        services.user_authenticate(request=_request(), username=user.username,
                                   password="test-pass-123")
    assert AuditLog.objects.filter(action="core.login.failed").count() == 10


def test_tokens_resolve_until_revoked(north):
    user = north.people[Role.COMMITTEE]
    token, raw = services.token_issue(actor=user, user=user, name="phone")
    assert services.token_resolve(raw=raw).user == user
    assert raw not in {t.key_hash for t in ApiToken.objects.all()}
    services.token_revoke(actor=user, token=token)
    assert services.token_resolve(raw=raw) is None
    assert AuditLog.objects.filter(action="core.token.revoke", object_id=str(token.pk)).exists()


def test_device_token_belongs_to_device(north):
    device, raw = services.device_create(actor=north.people[Role.COMMITTEE],
                                         district=north.district, name="东门闸机",
                                         kind="gate_counter")
    resolved = services.token_resolve(raw=raw)
    assert resolved.device == device and resolved.user is None


def test_token_must_belong_to_user_xor_device(north):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(prefix="x", key_hash="y")


def test_membership_grant_checks_department(north):
    user = north.people[Role.RESIDENT]
    with pytest.raises(ValidationFailed):
        services.membership_grant(actor=SYSTEM, district=north.district, user=user,
                                  role=Role.DEPARTMENT)


def test_department_create_requires_committee(north):
    from shangquan.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.department_create(actor=north.people[Role.MERCHANT], district=north.district,
                                   code="xf", name="消防")
    dept = services.department_create(actor=north.people[Role.COMMITTEE],
                                      district=north.district, code="xf", name="消防")
    log = AuditLog.objects.get(action="core.department.create", object_id=str(dept.pk))
    assert log.after["name"] == "消防" and log.district == north.district
