"""Writes for the core: accounts, tokens, one-time codes, memberships, departments."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notify, policies, ratelimit
from .audit import audit_record, snapshot
from .errors import Conflict, NotAuthenticated, ValidationFailed
from .models import (
    ApiToken,
    Department,
    Device,
    District,
    Membership,
    Notification,
    OneTimeCode,
    Profile,
)
from .pii import phone_mask, phone_normalize
from .roles import Role

User = get_user_model()


# --- passwords and tokens ---------------------------------------------------------
def user_authenticate(*, request: Any, username: str, password: str):
    """Check a staff password, rate-limited per client and per username."""
    limit, window = settings.SHANGQUAN["LOGIN_RATE"]
    ratelimit.hit(f"login:ip:{ratelimit.client_ip(request)}", limit=limit * 3, window=window)
    ratelimit.hit(f"login:user:{username.lower()}", limit=limit, window=window)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        audit_record(actor=None, district=None, action="login.failed", object_type="auth.user",
                     object_id=username[:64], actor_label=username[:120])
        raise NotAuthenticated(_("用户名或密码错误"), code="invalid_credentials")
    ratelimit.reset(f"login:user:{username.lower()}", window=window)
    audit_record(actor=user, district=None, obj=user, action="login.succeeded")
    return user


def _new_token_key() -> str:
    return "sq_" + secrets.token_urlsafe(32)


@transaction.atomic
def token_issue(*, actor: Any, user=None, device: Device | None = None,
                name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token; the raw key is returned once and never stored."""
    raw = _new_token_key()
    token = ApiToken.objects.create(user=user, device=device, name=name[:80], prefix=raw[:10],
                                    key_hash=ApiToken.hash_key(raw))
    district = device.district if device else None
    audit_record(actor=actor, district=district, obj=token, action="token.issue",
                 after={"user": user.pk if user else None,
                        "device": device.pk if device else None, "name": name})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, district=token.device.district if token.device_id else None,
                     obj=token, action="token.revoke")
    return token


def token_resolve(*, raw: str) -> ApiToken | None:
    """The active token for a raw key, with its user or device (and that device's district)."""
    if not raw:
        return None
    try:
        token = ApiToken.objects.select_related("user", "device__district").get(
            key_hash=ApiToken.hash_key(raw), revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        return None
    if token.user_id and not token.user.is_active:
        return None
    if token.device_id and not token.device.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- one-time codes for residents ----------------------------------------------------
def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(),
                    hashlib.sha256).hexdigest()


@transaction.atomic
def otp_send(*, request: Any, phone: str) -> OneTimeCode:
    phone = phone_normalize(phone)
    limit, window = settings.SHANGQUAN["OTP_SEND_RATE"]
    ratelimit.hit(f"otp:phone:{phone}", limit=limit, window=window)
    ratelimit.hit(f"otp:ip:{ratelimit.client_ip(request)}", limit=limit * 4, window=window)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    # A new code replaces the older ones.
    OneTimeCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
    otp = OneTimeCode.objects.create(
        phone=phone, code_hash=_code_hash(phone, code), created_at=now,
        expires_at=now + timedelta(seconds=settings.SHANGQUAN["OTP_TTL_SECONDS"]))
    audit_record(actor=None, district=None, obj=otp, action="otp.send",
                 actor_label=phone_mask(phone))
    transaction.on_commit(lambda: notify.send_text(
        to=phone, text=_("【商圈共治】验证码 %(code)s，5 分钟内有效。") % {"code": code}))
    return otp


def otp_verify(*, request: Any, phone: str, code: str):
    """Check a code and return the resident's user, creating one on first login."""
    phone = phone_normalize(phone)
    limit, window = settings.SHANGQUAN["LOGIN_RATE"]
    ratelimit.hit(f"otp-verify:ip:{ratelimit.client_ip(request)}", limit=limit * 3, window=window)
    failure: NotAuthenticated | None = None
    with transaction.atomic():
        otp = (OneTimeCode.objects.select_for_update()
               .filter(phone=phone, used_at__isnull=True).order_by("-created_at").first())
        now = timezone.now()
        max_attempts = settings.SHANGQUAN["OTP_MAX_ATTEMPTS"]
        if otp is None or otp.expires_at <= now:
            failure = NotAuthenticated(_("验证码已过期，请重新获取"), code="otp_expired")
        elif otp.attempts >= max_attempts:
            failure = NotAuthenticated(_("尝试次数过多，请重新获取验证码"), code="otp_locked")
        elif not hmac.compare_digest(otp.code_hash, _code_hash(phone, str(code).strip())):
            # The failed attempt must be committed, so it is counted before raising.
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            audit_record(actor=None, district=None, obj=otp, action="otp.failed",
                         actor_label=phone_mask(phone))
            failure = NotAuthenticated(_("验证码不正确"), code="otp_invalid",
                                       details={"attempts_left": max(0, max_attempts
                                                                     - otp.attempts)})
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            user = resident_get_or_create(phone=phone)
            audit_record(actor=user, district=None, obj=otp, action="otp.verified")
    if failure is not None:
        raise failure
    return user


def resident_get_or_create(*, phone: str):
    phone = phone_normalize(phone)
    profile = Profile.objects.select_related("user").filter(phone=phone).first()
    if profile:
        return profile.user
    with transaction.atomic():
        user = User.objects.create_user(username=f"p{phone}", password=None)
        Profile.objects.create(user=user, phone=phone)
        audit_record(actor=user, district=None, obj=user, action="user.register",
                     after={"phone": phone_mask(phone)})
    return user


# --- people and districts ---------------------------------------------------------------
@transaction.atomic
def user_create(*, actor: Any, username: str, password: str | None = None,
                display_name: str = "", phone: str | None = None, is_superuser: bool = False):
    if User.objects.filter(username=username).exists():
        raise Conflict(_("用户名已存在"), code="username_taken")
    user = (User.objects.create_superuser(username=username, password=password, email="")
            if is_superuser else User.objects.create_user(username=username, password=password))
    user.first_name = display_name[:150]
    user.save(update_fields=["first_name"])
    Profile.objects.create(user=user, display_name=display_name,
                           phone=phone_normalize(phone) if phone else None)
    audit_record(actor=actor, district=None, obj=user, action="user.create",
                 after={"username": username, "display_name": display_name})
    return user


@transaction.atomic
def district_create(*, actor: Any, code: str, name: str, **fields: Any) -> District:
    district = District(code=code.upper(), name=name, **fields)
    district.full_clean()
    district.save()
    audit_record(actor=actor, district=district, obj=district, action="district.create",
                 after=snapshot(district))
    return district


@transaction.atomic
def membership_grant(*, actor: Any, district: District, user, role: str,
                     department: Department | None = None) -> Membership:
    if actor is not None:
        policies.require(actor, district, "membership.manage")
    if role not in Role.values:
        raise ValidationFailed(_("未知角色"), code="unknown_role", details={"role": role})
    if (role == Role.DEPARTMENT) != (department is not None):
        raise ValidationFailed(_("只有职能部门角色需要指定部门"), code="department_mismatch")
    if department is not None and department.district_id != district.pk:
        raise ValidationFailed(_("部门不属于该商圈"), code="department_mismatch")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(district=district, user=user, role=role,
                                                   department=department)
    except IntegrityError:
        raise Conflict(_("该成员已有此角色"), code="membership_exists") from None
    policies.forget_memberships(user)
    audit_record(actor=actor, district=district, obj=membership, action="membership.grant",
                 after=snapshot(membership))
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    policies.require(actor, membership.district, "membership.manage")
    before = snapshot(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(actor=actor, district=membership.district, obj=membership,
                 action="membership.revoke", before=before, after=snapshot(membership))


@transaction.atomic
def department_create(*, actor: Any, district: District, code: str, name: str) -> Department:
    if actor is not None:
        policies.require(actor, district, "department.manage")
    if Department.objects.filter(district=district, code=code).exists() or \
            Department.objects.filter(district=district, name=name).exists():
        raise Conflict(_("部门已存在"), code="department_exists")
    department = Department.objects.create(district=district, code=code, name=name)
    audit_record(actor=actor, district=district, obj=department, action="department.create",
                 after=snapshot(department))
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, name: str | None = None,
                      is_active: bool | None = None) -> Department:
    policies.require(actor, department.district, "department.manage")
    before = snapshot(department)
    if name is not None:
        department.name = name
    if is_active is not None:
        department.is_active = is_active
    department.save()
    audit_record(actor=actor, district=department.district, obj=department,
                 action="department.update", before=before, after=snapshot(department))
    return department


@transaction.atomic
def device_create(*, actor: Any, district: District, name: str, kind: str) -> tuple[Device, str]:
    if actor is not None:
        policies.require(actor, district, "device.manage")
    if kind not in Device.Kind.values:
        raise ValidationFailed(_("未知设备类型"), code="unknown_device_kind")
    device = Device.objects.create(district=district, name=name, kind=kind)
    audit_record(actor=actor, district=district, obj=device, action="device.create",
                 after=snapshot(device))
    _token, raw = token_issue(actor=actor, device=device, name=f"device:{name}")
    return device, raw


def notification_send(*, district: District, user, title: str, body: str = "",
                      link: str = "", sms: bool = False) -> Notification:
    """In-app message plus, when asked, the pluggable outbound sender."""
    note = Notification.objects.create(district=district, user=user, title=title[:120],
                                       body=body, link=link)
    if sms:
        phone = getattr(getattr(user, "profile", None), "phone", None)
        if phone:
            transaction.on_commit(lambda: notify.send_text(to=phone, text=f"{title} {body}"))
    return note


@transaction.atomic
def notification_mark_read(*, user, ids: list[int] | None = None,
                           district: District | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if district is not None:
        qs = qs.filter(district=district)
    if ids:
        qs = qs.filter(pk__in=ids)
    marked = list(qs.values_list("pk", flat=True))
    if marked:
        Notification.objects.filter(pk__in=marked).update(read_at=timezone.now())
        audit_record(actor=user, district=district, object_type="core.notification",
                     object_id=",".join(map(str, marked[:20])), action="notification.read",
                     after={"count": len(marked)})
    return len(marked)


@transaction.atomic
def device_revoke(*, actor: Any, device: Device) -> Device:
    """Switch a device off and revoke all its tokens."""
    policies.require(actor, device.district, "device.manage")
    before = snapshot(device)
    device.is_active = False
    device.save(update_fields=["is_active"])
    for token in device.tokens.filter(revoked_at__isnull=True):
        token_revoke(actor=actor, token=token)
    audit_record(actor=actor, district=device.district, obj=device, action="device.revoke",
                 before=before, after=snapshot(device))
    return device
