"""Tenancy, memberships, tokens, audit, idempotency and one-time codes."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class District(models.Model):
    """商圈: the tenant. Every domain row belongs to one."""

    code = models.SlugField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    city = models.CharField(_("城市"), max_length=60, blank=True)
    street = models.CharField(_("所属街道"), max_length=60, blank=True)
    description = models.TextField(_("简介"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("商圈")
        verbose_name_plural = _("商圈")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]{2,16}$"), name="district_code_upper_alnum"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DistrictScoped(models.Model):
    """Abstract base: every domain model carries its district."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, db_index=True,
                                 related_name="+", verbose_name=_("商圈"))

    class Meta:
        abstract = True


class PublicToken(models.Model):
    """Reference table: the token a printed QR code carries → the district of its row.

    A poster carries only ``/m/<token>/`` (a merchant) or ``/s/<token>/`` (a liaison
    station), so the token is looked up before any district is known. The row itself is
    unique per ``(district, token)``, which a database distributed by district can check;
    this small table, replicated to every node, keeps the token unique everywhere and
    tells which district (shard) to ask. Written with the row, however it is created
    (:class:`PublicTokenQuerySet`, :meth:`PublicTokenOwner.save`).
    """

    kind = models.CharField(max_length=40)  # the owning model's label, lower case
    token = models.CharField(max_length=24)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "token"], name="public_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.token} → {self.district_id}"


def public_tokens_register(model: type[models.Model], rows: list[models.Model]) -> None:
    """Reserve the tokens of freshly created ``rows`` of ``model`` (a PublicTokenOwner)."""
    field = model.public_token_field
    PublicToken.objects.bulk_create([
        PublicToken(kind=model._meta.label_lower, token=getattr(row, field),
                    district_id=row.district_id) for row in rows])


class PublicTokenQuerySet(models.QuerySet):
    """``bulk_create`` reserves the new rows' tokens in :class:`PublicToken` too."""

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            public_tokens_register(self.model, list(created))
        return created


class PublicTokenOwner(models.Model):
    """Abstract: a district row found by a printed token (see :class:`PublicToken`)."""

    public_token_field = "public_token"

    objects = PublicTokenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using") or "default", savepoint=False):
            super().save(*args, **kwargs)
            public_tokens_register(type(self), [self])


class DistrictOneToOneField(models.OneToOneField):
    """A one-to-one link between two rows of one district.

    For the ORM it is a one-to-one (the reverse accessor returns one row). In the
    database the column alone is not unique: the model declares
    ``UniqueConstraint(fields=["district", <field>])`` instead, because a distributed
    database (Citus, district as distribution key) checks a unique index only within a
    shard. Both rows carry the same district (set from the parent by the service that
    links them), so the pair constraint means the same as the column's.
    ``core/tests/test_distribution.py`` fails a model whose one-to-one has no such
    constraint.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._unique = False


class Department(DistrictScoped):
    """市场监管, 城管执法, 消防 … one row per district, editable."""

    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="department_code_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="department_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Per-person data beside Django's user: a normalised phone for OTP login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="profile")
    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    # When the person proved they hold ``phone`` (a one-time code). SMS goes only to
    # verified numbers; a phone typed by staff or into a form is not.
    phone_verified_at = models.DateTimeField(_("手机号验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class Membership(DistrictScoped):
    """user × district × role [× department]."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="memberships", verbose_name=_("部门"))
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色成员")
        verbose_name_plural = _("角色成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "district", "role"],
                                    condition=Q(department__isnull=True),
                                    name="membership_unique_without_department"),
            models.UniqueConstraint(fields=["user", "district", "role", "department"],
                                    condition=Q(department__isnull=False),
                                    name="membership_unique_with_department"),
            models.CheckConstraint(
                condition=(Q(role="department", department__isnull=False)
                           | (~Q(role="department") & Q(department__isnull=True))),
                name="membership_department_iff_department_role",
            ),
        ]
        indexes = [models.Index(fields=["user", "district"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.district.code} · {self.get_role_display()}"


class Device(DistrictScoped):
    """A machine that talks to the API: gate counter, kiosk."""

    class Kind(models.TextChoices):
        GATE_COUNTER = "gate_counter", _("闸机计数器")
        KIOSK = "kiosk", _("自助终端")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="device_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ApiToken(models.Model):
    """A bearer token for a person or a device. Only the hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="api_tokens")
    # This table is looked up before the district is known (a reference table when the
    # database is distributed by district), so it keeps the device's id without a
    # database foreign key to the distributed device table; Django still cascades.
    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="tokens", db_constraint=False)
    name = models.CharField(_("用途"), max_length=80, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, device__isnull=True)
                           | Q(user__isnull=True, device__isnull=False)),
                name="token_belongs_to_user_xor_device",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'token'})"

    @staticmethod
    def hash_key(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only")

    def delete(self):
        raise TypeError("The audit log is append-only")


class AuditLog(models.Model):
    """Append-only: every state change. Database triggers refuse changes too."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [
            models.Index(fields=["district", "-created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only")


class AuditSealedActor(models.Model):
    """Who did an anonymous act, kept apart from its audit row (which names no actor).

    Nobody reads it but a city admin who states a reason, through
    ``core.services.audit_actor_reveal``, which is itself audited. Erasing the person
    (PIPL art. 47) deletes it with them.
    """

    # A reference table (looked up by a city admin across districts): the audit row's id
    # without a database foreign key to the distributed audit log, which is never deleted.
    audit = models.OneToOneField(AuditLog, on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("匿名行为的实施人")
        verbose_name_plural = _("匿名行为的实施人")

    def __str__(self) -> str:
        return f"sealed actor of audit #{self.audit_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a creating POST, replayed to retries with the same key."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(null=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class OneTimeCode(models.Model):
    """An SMS login code; only its hash is kept."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="otp_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"OTP for {self.phone[:3]}****{self.phone[-4:]}"


class Notification(DistrictScoped):
    """An in-app message; the pluggable sender carries it outside too."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    title = models.CharField(max_length=120)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    # What it is about (``core.notify.KINDS``): the person chooses per kind how it reaches
    # them (NotificationPreference).
    kind = models.CharField(max_length=40, default="general", blank=True)
    # Waiting for the person's daily digest (mode "digest"): shown in-app, sent together.
    digest_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"]),
                   models.Index(fields=["digest_pending", "user"],
                                condition=models.Q(digest_pending=True),
                                name="core_notification_digest")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one kind of notification reaches one person: immediately (in-app, and SMS when
    the sender asks for it), in-app only, in a daily digest, or not at all. No row means
    immediately."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("立即（站内 + 短信）")
        IN_APP = "in_app", _("仅站内消息")
        DIGEST = "digest", _("每日汇总")
        OFF = "off", _("不接收")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    mode = models.CharField(_("接收方式"), max_length=10, choices=Mode.choices,
                            default=Mode.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="core_notification_pref_unique"),
            models.CheckConstraint(condition=models.Q(mode__in=["immediate", "in_app", "digest",
                                                                "off"]),
                                   name="core_notification_pref_mode_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.mode}"


class DistrictSetting(DistrictScoped):
    """One per-district setting value: ``key`` is ``<app>.<name>`` as the app declares it
    (``core.district_settings``); a missing row means the declared default."""

    key = models.CharField(_("设置项"), max_length=80)
    value = models.JSONField(_("值"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "key"]
        verbose_name = _("商圈设置")
        verbose_name_plural = _("商圈设置")
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="district_setting_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.key}={self.value!r}"


class PeriodicJobRun(models.Model):
    """When each periodic job was last enqueued, so several workers enqueue it once."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Heartbeat(models.Model):
    """A long-running process's last sign of life (the task worker, the MQTT bridge).

    /healthz fails a component whose beat is older than HEARTBEAT_STALE_SECONDS.
    """

    name = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
