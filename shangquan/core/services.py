"""Writes for the core: accounts, tokens, one-time codes, memberships, departments."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import (
    extensions,
    idempotency,
    notification_kinds,
    notify,
    policies,
    ratelimit,
    tokenuse,
)
from .actors import SYSTEM
from .audit import audit_record, audited, snapshot
from .errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from .models import (
    ApiToken,
    AuditLog,
    AuditSealedActor,
    Department,
    Device,
    District,
    IdempotencyRecord,
    Membership,
    Notification,
    NotificationPreference,
    OneTimeCode,
    Profile,
)
from .pii import phone_mask, phone_normalize
from .roles import Role

User = get_user_model()


# --- passwords and tokens ---------------------------------------------------------
@audited("core.login.succeeded", "core.login.failed")
def user_authenticate(*, request: Any, username: str, password: str):
    """Check a staff password, rate-limited per client and per username."""
    # The rate limit (per address, per username) is the backend's: core.auth.
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        audit_record(actor=SYSTEM, district=None, action="core.login.failed", object_type="auth.user",
                     object_id=username[:64], actor_label=username[:120])
        raise NotAuthenticated(_("用户名或密码错误"), code="invalid_credentials")
    audit_record(actor=user, district=None, obj=user, action="core.login.succeeded")
    return user


def _new_token_key() -> str:
    return "sq_" + secrets.token_urlsafe(32)


@audited("core.token.issue")
@transaction.atomic
def token_issue(*, actor: Any, user=None, device: Device | None = None,
                name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token; the raw key is returned once and never stored."""
    raw = _new_token_key()
    idempotency.secret_in_answer("token")  # nor kept in a replayable idempotent answer
    token = ApiToken.objects.create(user=user, device=device, name=name[:80], prefix=raw[:10],
                                    key_hash=ApiToken.hash_key(raw))
    district = device.district if device else None
    audit_record(actor=actor, district=district, obj=token, action="core.token.issue",
                 after={"user": user.pk if user else None,
                        "device": device.pk if device else None, "name": name})
    return token, raw


@audited("core.token.revoke")
@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, district=token.device.district if token.device_id else None,
                     obj=token, action="core.token.revoke")
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
        # Written by this process's token-use thread within seconds, in one batch: the
        # request itself writes nothing for it (core/tokenuse.py).
        tokenuse.note(token.pk, now)
    return token


# --- one-time codes for residents ----------------------------------------------------
def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(),
                    hashlib.sha256).hexdigest()


@audited("core.otp.send")
@transaction.atomic
def otp_send(*, request: Any, phone: str) -> OneTimeCode:
    phone = phone_normalize(phone)
    limit, window = settings.SHANGQUAN["OTP_SEND_RATE"]
    ratelimit.hit(f"otp:phone:{phone}", limit=limit, window=window)
    ratelimit.hit(f"otp:ip:{ratelimit.client_ip(request)}", limit=limit * 4, window=window)
    now = timezone.now()
    # A new code replaces the older ones.
    OneTimeCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
    otp = OneTimeCode.objects.create(
        phone=phone, code_hash="", created_at=now,
        expires_at=now + timedelta(seconds=settings.SHANGQUAN["OTP_TTL_SECONDS"]))
    # The code is derived from the row and a nonce (notify.otp_code); only its hash is
    # kept, and the SMS task carries the id and the nonce, never the code.
    nonce = notify.otp_nonce()
    otp.code_hash = _code_hash(phone, notify.otp_code(otp_id=otp.pk, nonce=nonce))
    otp.save(update_fields=["code_hash"])
    audit_record(actor=SYSTEM, district=None, obj=otp, action="core.otp.send",
                 actor_label=phone_mask(phone))
    notify.otp_send_later(otp=otp, nonce=nonce)
    return otp


@audited("core.otp.verified", "core.otp.failed")
def otp_verify(*, request: Any, phone: str, code: str):
    """Check a code and return the resident's user, creating one on first login."""
    phone = phone_normalize(phone)
    # Codes have their own limiter, per phone and per address, apart from passwords
    # (LOGIN_RATE): guessing codes for one phone from many addresses, or for many phones
    # from one address, are both stopped.
    limit, window = settings.SHANGQUAN["OTP_VERIFY_RATE"]
    ratelimit.hit(f"otp-verify:ip:{ratelimit.client_ip(request)}", limit=limit * 4,
                  window=window)
    ratelimit.hit(f"otp-verify:phone:{phone}", limit=limit, window=window)
    failure: NotAuthenticated | None = None
    with transaction.atomic():
        otp = (OneTimeCode.objects.select_for_update(of=("self",))
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
            audit_record(actor=SYSTEM, district=None, obj=otp, action="core.otp.failed",
                         actor_label=phone_mask(phone))
            failure = NotAuthenticated(_("验证码不正确"), code="otp_invalid",
                                       details={"attempts_left": max(0, max_attempts
                                                                     - otp.attempts)})
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            user = resident_get_or_create(phone=phone)
            audit_record(actor=user, district=None, obj=otp, action="core.otp.verified")
    if failure is not None:
        raise failure
    return user


def _resident_handle() -> str:
    """A resident's username: a random handle that says nothing about the person (the
    phone stays in ``Profile.phone``, which only those who need it see)."""
    while True:
        name = "r" + secrets.token_hex(5)
        if not User.objects.filter(username=name).exists():
            return name


@audited("core.user.register", "core.user.phone_verify")
def resident_get_or_create(*, phone: str):
    """The person who just proved (by a one-time code) that they hold ``phone``."""
    phone = phone_normalize(phone)
    profile = Profile.objects.select_related("user").filter(phone=phone).first()
    if profile:
        if profile.phone_verified_at is None:
            # A phone staff typed in (or an older account) is proven now: SMS may go to it.
            with transaction.atomic():
                Profile.objects.filter(pk=profile.pk).update(phone_verified_at=timezone.now())
                audit_record(actor=profile.user, district=None, obj=profile.user,
                             action="core.user.phone_verify",
                             after={"phone": phone_mask(phone)})
        return profile.user
    with transaction.atomic():
        user = User.objects.create_user(username=_resident_handle(), password=None)
        Profile.objects.create(user=user, phone=phone, phone_verified_at=timezone.now())
        audit_record(actor=user, district=None, obj=user, action="core.user.register",
                     after={"phone": phone_mask(phone)})
    return user


# --- people and districts ---------------------------------------------------------------
@audited("core.user.create")
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
    audit_record(actor=actor, district=None, obj=user, action="core.user.create",
                 after={"username": username, "display_name": display_name})
    return user


@audited("core.district.create")
@transaction.atomic
def district_create(*, actor: Any, code: str, name: str, **fields: Any) -> District:
    district = District(code=code.upper(), name=name, **fields)
    district.full_clean()
    district.save()
    audit_record(actor=actor, district=district, obj=district, action="core.district.create",
                 after=snapshot(district))
    for seed in extensions.collect("district_created"):  # later apps' per-district defaults
        seed(actor=actor, district=district)
    return district


@audited("core.membership.grant")
@transaction.atomic
def membership_grant(*, actor: Any, district: District, user, role: str,
                     department: Department | None = None) -> Membership:
    policies.require(actor, "membership.manage", district)
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
    audit_record(actor=actor, district=district, obj=membership, action="core.membership.grant",
                 after=snapshot(membership))
    return membership


@audited("core.membership.revoke")
@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    policies.require(actor, "membership.manage", membership.district)
    before = snapshot(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(actor=actor, district=membership.district, obj=membership,
                 action="core.membership.revoke", before=before, after=snapshot(membership))


@audited("core.department.create")
@transaction.atomic
def department_create(*, actor: Any, district: District, code: str, name: str) -> Department:
    policies.require(actor, "department.manage", district)
    if Department.objects.filter(district=district, code=code).exists() or \
            Department.objects.filter(district=district, name=name).exists():
        raise Conflict(_("部门已存在"), code="department_exists")
    department = Department.objects.create(district=district, code=code, name=name)
    audit_record(actor=actor, district=district, obj=department, action="core.department.create",
                 after=snapshot(department))
    return department


@audited("core.department.update")
@transaction.atomic
def department_update(*, actor: Any, department: Department, name: str | None = None,
                      is_active: bool | None = None) -> Department:
    policies.require(actor, "department.manage", department.district)
    before = snapshot(department)
    if name is not None:
        department.name = name
    if is_active is not None:
        department.is_active = is_active
    department.save()
    audit_record(actor=actor, district=department.district, obj=department,
                 action="core.department.update", before=before, after=snapshot(department))
    return department


@audited("core.device.create")
@transaction.atomic
def device_create(*, actor: Any, district: District, name: str, kind: str) -> tuple[Device, str]:
    policies.require(actor, "device.manage", district)
    if kind not in Device.Kind.values:
        raise ValidationFailed(_("未知设备类型"), code="unknown_device_kind")
    if Device.objects.filter(district=district, name=name).exists():
        raise Conflict(_("本商圈已有同名设备：%(name)s") % {"name": name}, code="device_exists")
    device = Device.objects.create(district=district, name=name, kind=kind)
    audit_record(actor=actor, district=district, obj=device, action="core.device.create",
                 after=snapshot(device))
    _token, raw = token_issue(actor=actor, device=device, name=f"device:{name}")
    return device, raw


@audited()  # no action: it may write only bookkeeping (core_notification), never state
def notification_send(*, district: District, user, title: str, body: str = "",
                      link: str = "", sms: bool = False,
                      kind: str = notification_kinds.GENERAL) -> Notification | None:
    """In-app message plus, when asked, the pluggable outbound sender — as the person set
    this kind (``NotificationPreference``): immediately (the default), in-app only, kept
    for the daily digest (no SMS now), or not at all (nothing is written; None)."""
    kind = notification_kinds.kind_of(kind)
    mode = (NotificationPreference.objects.filter(user=user, kind=kind)
            .values_list("mode", flat=True).first() or NotificationPreference.Mode.IMMEDIATE)
    if mode == NotificationPreference.Mode.OFF:
        return None
    digest = mode == NotificationPreference.Mode.DIGEST
    note = Notification.objects.create(district=district, user=user, title=title[:120],
                                       body=body, link=link, kind=kind, digest_pending=digest)
    if sms and mode == NotificationPreference.Mode.IMMEDIATE:
        # Only to a number its holder proved with a code (the worker looks it up again)
        if notify.verified_phone(user_id=user.pk) is not None:
            notify.notice_send_later(notification=note)
    return note


@audited("core.notification.read")
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
                     object_id=",".join(map(str, marked[:20])), action="core.notification.read",
                     after={"count": len(marked)})
    return len(marked)


@audited("core.device.revoke")
@transaction.atomic
def device_revoke(*, actor: Any, device: Device) -> Device:
    """Switch a device off and revoke all its tokens."""
    policies.require(actor, "device.manage", device.district)
    before = snapshot(device)
    device.is_active = False
    device.save(update_fields=["is_active"])
    for token in device.tokens.filter(revoked_at__isnull=True):
        token_revoke(actor=actor, token=token)
    audit_record(actor=actor, district=device.district, obj=device, action="core.device.revoke",
                 before=before, after=snapshot(device))
    return device


# --- retention --------------------------------------------------------------------------
@audited("core.idempotency.purge")
@transaction.atomic
def idempotency_purge(*, actor: Any) -> int:
    """Delete stored answers past their TTL; one audit row per run with the count."""
    cutoff = idempotency.expired_cutoff()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    audit_record(actor=actor, district=None, action="core.idempotency.purge",
                 object_type="core.idempotencyrecord", object_id="*",
                 after={"deleted": deleted, "cutoff": cutoff})
    return deleted


@audited("core.otp.purge")
@transaction.atomic
def otp_purge(*, actor: Any) -> int:
    """Delete login codes a day past expiry (personal data with no further use, PIPL art.
    19, 47); one audit row per run with the count."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _ = OneTimeCode.objects.filter(expires_at__lt=cutoff).delete()
    audit_record(actor=actor, district=None, action="core.otp.purge",
                 object_type="core.onetimecode", object_id="*",
                 after={"deleted": deleted, "cutoff": cutoff})
    return deleted


# --- anonymity and erasure (PIPL art. 47) -----------------------------------------------
def _stated_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationFailed(_("请说明理由（至少 4 个字）"), code="reason_required")
    return reason[:300]


@audited("core.audit.reveal")
@transaction.atomic
def audit_actor_reveal(*, actor: Any, audit: AuditLog, reason: str) -> dict[str, Any]:
    """Who did an anonymous act: for a city admin only, with a stated reason, and the
    look-up is itself audited (in the row's district, so its committee sees that it
    happened and why, but not whom it named)."""
    if not policies.is_city_admin(actor):
        raise PermissionDenied(_("只有市级管理员可以查看匿名行为的实施人"),
                               code="reveal_not_allowed")
    reason = _stated_reason(reason)
    sealed = AuditSealedActor.objects.select_related("user", "user__profile").filter(
        audit=audit).first()
    audit_record(actor=actor, district=audit.district, action="core.audit.reveal",
                 object_type="core.auditlog", object_id=audit.pk,
                 after={"reason": reason, "found": sealed is not None})
    if sealed is None:
        raise NotFound(_("该记录没有可查看的匿名实施人"), code="nothing_sealed")
    user = sealed.user
    profile = getattr(user, "profile", None)
    return {"audit": audit.pk, "user_id": user.pk, "username": user.get_username(),
            "display_name": getattr(profile, "display_name", "") or "",
            "phone": getattr(profile, "phone", "") or ""}


@audited("core.phone.reveal")
@transaction.atomic
def member_phone_reveal(*, actor: Any, district: District, user_id: Any, reason: str) -> str:
    """A district member's full phone, for staff who must call them (committee, street):
    the reason is required and the look-up audited (the row keeps the number masked).
    A person who is not a member here is not found, as in any other district."""
    policies.require(actor, "core.phone_reveal", district)
    reason = _stated_reason(reason)
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    membership = (Membership.objects.filter(district=district, user_id=user_id, is_active=True)
                  .select_related("user").first())
    if membership is None:
        raise NotFound()
    profile = Profile.objects.filter(user_id=user_id).first()
    phone = (profile.phone if profile is not None else "") or ""
    audit_record(actor=actor, district=district, obj=membership.user, action="core.phone.reveal",
                 after={"reason": reason, "phone": phone_mask(phone) if phone else ""})
    return phone


@audited("core.user.erase")
@transaction.atomic
def resident_erase(*, actor: Any, user: Any, reason: str) -> str:
    """Erase a person (PIPL art. 47): their account, profile, codes, tokens and the
    personal data later apps copied (``Contributions.person_erased``) go; their audit
    rows stay, each unlinked and labelled with one fresh pseudonym, which is returned.

    The person themself or a city admin may ask; a city admin account is not erased
    this way."""
    if not (policies.is_city_admin(actor) or getattr(actor, "pk", None) == user.pk):
        raise PermissionDenied(_("只能注销本人账号"), code="erase_not_allowed")
    if user.is_superuser:
        raise ValidationFailed(_("市级管理员账号不能这样注销"), code="erase_superuser")
    reason = _stated_reason(reason)
    pseudonym = "erased-" + secrets.token_hex(5)
    profile = Profile.objects.filter(user=user).first()
    phone = profile.phone if profile is not None and profile.phone else ""
    for hook in extensions.collect("person_erased"):
        hook(actor=actor, user=user, phone=phone)
    # The one change the append-only trigger lets through (core migration 0006).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET actor_id = NULL, actor_label = %s "
                       "WHERE actor_id = %s", [pseudonym, user.pk])
    if phone:
        OneTimeCode.objects.filter(phone=phone).delete()
    policies.forget_memberships(user)
    themself = getattr(actor, "pk", None) == user.pk
    user.delete()  # profile, memberships, tokens, notifications, sealed acts: cascade
    # A person erasing themself is named by their pseudonym, like the rest of their trail.
    audit_record(actor=SYSTEM if themself else actor, district=None, action="core.user.erase",
                 object_type="auth.user", object_id=pseudonym,
                 actor_label=pseudonym if themself else "",
                 after={"reason": reason, "pseudonym": pseudonym})
    return pseudonym


@audited("core.notification.preferences")
@transaction.atomic
def notification_preferences_set(*, actor: Any, user: Any, modes: dict[str, str]) -> int:
    """The person's own choice per kind (``notification_kinds.KINDS``); unknown kinds and
    modes are refused. Returns how many changed."""
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied(_("只能修改本人的通知设置"), code="not_own_settings")
    current = dict(NotificationPreference.objects.filter(user=user)
                   .values_list("kind", "mode"))
    changed = {}
    for kind, mode in modes.items():
        if kind not in notification_kinds.KINDS:
            raise ValidationFailed(_("未知的通知类别"), code="unknown_notification_kind")
        if mode not in NotificationPreference.Mode.values:
            raise ValidationFailed(_("未知的接收方式"), code="unknown_notification_mode")
        if current.get(kind, NotificationPreference.Mode.IMMEDIATE) != mode:
            NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                            defaults={"mode": mode})
            changed[kind] = mode
    if changed:
        audit_record(actor=actor, district=None, object_type="core.notificationpreference",
                     object_id=user.pk, action="core.notification.preferences",
                     before={k: current.get(k, "immediate") for k in changed}, after=changed)
    return len(changed)


@audited("core.notification.digest")
@transaction.atomic
def notification_digest_send(*, actor: Any) -> int:
    """The daily digest: per person and district, one in-app summary and (to a verified
    phone) one SMS for the notifications kept for it. Nobody with nothing kept gets
    anything: an empty digest is never sent. Returns how many digests went out."""
    rows = list(Notification.objects.select_for_update(of=("self",)).filter(digest_pending=True)
                .values_list("pk", "user_id", "district_id"))
    if not rows:
        return 0
    groups: dict[tuple[int, int], list[int]] = {}
    for pk, user_id, district_id in rows:
        groups.setdefault((user_id, district_id), []).append(pk)
    phones = set(Profile.objects.filter(user_id__in={u for u, _d in groups},
                                        phone_verified_at__isnull=False)
                 .exclude(phone=None).values_list("user_id", flat=True))
    for (user_id, district_id), pks in groups.items():
        title = _("今日汇总：您有 %(n)s 条新消息") % {"n": len(pks)}
        digest = Notification.objects.create(district_id=district_id, user_id=user_id,
                                             title=title[:120], kind=notification_kinds.GENERAL)
        if user_id in phones:
            notify.notice_send_later(notification=digest)
    Notification.objects.filter(pk__in=[pk for pk, _u, _d in rows]).update(digest_pending=False)
    audit_record(actor=actor, district=None, object_type="core.notification", object_id="*",
                 action="core.notification.digest",
                 after={"digests": len(groups), "notifications": len(rows)})
    return len(groups)
