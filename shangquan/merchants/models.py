"""Merchants (商户) and grids (十邻铺): the backbone every other module points at."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictScoped, PublicTokenOwner


def new_public_token() -> str:
    """An unguessable public identifier for QR codes: never the internal id."""
    return secrets.token_urlsafe(9)


class Association(DistrictScoped):
    """商会 / 行业协会 a merchant may belong to."""

    name = models.CharField(_("名称"), max_length=80)
    contact = models.CharField(_("联系人"), max_length=40, blank=True)
    public_phone = models.CharField(_("对外电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("商会协会")
        verbose_name_plural = _("商会协会")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"],
                                    name="association_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Grid(DistrictScoped):
    """十邻铺: about ten neighbouring shops with a grid leader (邻铺长)."""
    # The console page the audit log links to (core/templatetags/audit_tags.audit_link).
    AUDIT_URL = ("merchants:grid_detail", "grid_id")

    name = models.CharField(_("网格名称"), max_length=60)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="led_grids",
                               verbose_name=_("邻铺长"))
    leader_name = models.CharField(_("邻铺长姓名"), max_length=40, blank=True)
    # A contact the leader chose to publish (a work phone, a service desk): the public
    # page never shows personal numbers.
    public_contact = models.CharField(_("对外联系方式"), max_length=60, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="grid_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LicenceKind(models.TextChoices):
    USCC = "uscc", _("统一社会信用代码")
    INDIVIDUAL = "individual", _("个体工商户注册号")


class PartyBadge(models.TextChoices):
    SHOP = "shop", _("党员商铺")
    OPERATOR = "operator", _("党员经营户")


class Merchant(PublicTokenOwner, DistrictScoped):
    # The console page the audit log links to (core/templatetags/audit_tags.audit_link).
    AUDIT_URL = ("merchants:detail", "merchant_id")
    class Status(models.TextChoices):
        OPEN = "open", _("营业")
        SUSPENDED = "suspended", _("停业")
        DEREGISTERED = "deregistered", _("注销")

    LicenceKind = LicenceKind
    PartyBadge = PartyBadge

    public_token = models.CharField(max_length=16, default=new_public_token,
                                    editable=False)
    name = models.CharField(_("商户名称"), max_length=100)
    licence_no = models.CharField(_("营业执照号"), max_length=32)
    category = models.CharField(_("经营类别"), max_length=30)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="merchants", verbose_name=_("网格"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    stall_no = models.CharField(_("摊位号"), max_length=30, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="owned_merchants",
                              verbose_name=_("经营者账号"))
    licence_kind = models.CharField(_("执照类型"), max_length=12, choices=LicenceKind.choices,
                                    default=LicenceKind.USCC)
    contact_name = models.CharField(_("经营者"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)  # normalised; shown masked
    opening_hours = models.CharField(_("营业时间"), max_length=60, blank=True)
    outdoor_area = models.DecimalField(_("外摆面积（㎡）"), max_digits=7, decimal_places=2,
                                       null=True, blank=True)
    association = models.ForeignKey(Association, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="merchants",
                                    verbose_name=_("商会协会"))
    is_party_member = models.BooleanField(_("党员商户"), default=False)
    party_badge = models.CharField(_("党员标识"), max_length=12, choices=PartyBadge.choices,
                                   blank=True)
    party_member = models.ForeignKey("org.PartyMember", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="merchants",
                                     verbose_name=_("党员"))
    commit_identity = models.CharField(_("亮身份"), max_length=200, blank=True)
    commit_duty = models.CharField(_("亮职责"), max_length=200, blank=True)
    commit_promise = models.CharField(_("亮承诺"), max_length=300, blank=True)
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("商户")
        verbose_name_plural = _("商户")
        constraints = [
            # Also reserved city-wide in core.PublicToken (a poster carries only the token).
            models.UniqueConstraint(fields=["district", "public_token"],
                                    name="merchant_public_token_unique"),
            models.UniqueConstraint(fields=["district", "licence_no"],
                                    name="merchant_licence_unique_per_district"),
            models.CheckConstraint(condition=Q(status__in=["open", "suspended", "deregistered"]),
                                   name="merchant_status_valid"),
            models.CheckConstraint(condition=Q(outdoor_area__isnull=True)
                                   | Q(outdoor_area__gte=0),
                                   name="merchant_outdoor_area_not_negative"),
            models.CheckConstraint(condition=Q(party_badge="") | Q(is_party_member=True),
                                   name="merchant_badge_needs_party_member"),
        ]
        indexes = [models.Index(fields=["district", "status"]),
                   models.Index(fields=["district", "category"]),
                   models.Index(fields=["district", "grid"]),
                   # The console list's order: a page of 50 by name reads 50 index
                   # entries instead of sorting the district's 25,000 shops.
                   models.Index(fields=["district", "name", "id"],
                                name="merchant_district_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def party_badge_label(self) -> str:
        if not self.is_party_member:
            return ""
        return self.get_party_badge_display() or str(PartyBadge.SHOP.label)


class MerchantStaff(DistrictScoped):
    """Owner and staff accounts of a shop (the owner also sits on Merchant.owner)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("经营者")
        STAFF = "staff", _("店员")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="merchant_staff")
    role = models.CharField(_("身份"), max_length=8, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("商户人员")
        verbose_name_plural = _("商户人员")
        constraints = [
            models.UniqueConstraint(fields=["district", "merchant", "user"],
                                    name="merchant_staff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} · {self.user}"


def merchant_photo_path(instance: MerchantPhoto, filename: str) -> str:
    return f"merchants/{instance.district_id}/{filename}"


class MerchantPhoto(DistrictScoped):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=merchant_photo_path)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["merchant", "position", "id"]
        verbose_name = _("商户照片")
        verbose_name_plural = _("商户照片")


class GridContact(DistrictScoped):
    """邻铺长+N: property, security and fire contacts that make the grid an emergency unit."""

    AUDIT_PERSON_FIELDS = ("name",)  # often a private person (core.audit masks it)

    class Kind(models.TextChoices):
        PROPERTY = "property", _("物业")
        SECURITY = "security", _("安保")
        FIRE = "fire", _("消防")
        POLICE = "police", _("社区民警")
        OTHER = "other", _("其他")

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("姓名/单位"), max_length=60)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["grid", "kind", "name"]
        verbose_name = _("网格联系人")
        verbose_name_plural = _("网格联系人")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class DutyRoster(DistrictScoped):
    """街区管家: a fair rotation of merchants over a date range (a grid or the whole block)."""

    title = models.CharField(_("名称"), max_length=80)
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="rosters", verbose_name=_("网格"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    closed_weekdays = models.JSONField(_("休市星期"), default=list, blank=True)  # 0 = Monday
    closed_dates = models.JSONField(_("休市日期"), default=list, blank=True)  # ISO dates
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "-starts_on"]
        verbose_name = _("值守排班")
        verbose_name_plural = _("值守排班")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="roster_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class DutyAssignment(DistrictScoped):
    roster = models.ForeignKey(DutyRoster, on_delete=models.CASCADE, related_name="assignments")
    date = models.DateField(_("日期"))
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="duties")

    class Meta:
        ordering = ["roster", "date"]
        verbose_name = _("值守安排")
        verbose_name_plural = _("值守安排")
        constraints = [
            models.UniqueConstraint(fields=["district", "roster", "date"],
                                    name="duty_one_per_day"),
        ]
        indexes = [models.Index(fields=["district", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.merchant}"


class DutySwap(DistrictScoped):
    """A merchant cannot serve on a date; the roster trades it with another's turn."""

    roster = models.ForeignKey(DutyRoster, on_delete=models.CASCADE, related_name="swaps")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("不便值守的日期"))
    partner = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("换班对象"))
    reason = models.CharField(_("原因"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        constraints = [
            models.UniqueConstraint(fields=["district", "roster", "merchant", "date"],
                                    name="duty_swap_unique"),
        ]


class ImportJob(DistrictScoped):
    """A merchant list upload: progress for the web page, the per-row report after."""
    # The console page the audit log links to (core/templatetags/audit_tags.audit_link).
    AUDIT_URL = ("merchants:import_job", "job_id")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    filename = models.CharField(max_length=200)
    data = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{row, messages}]
    # The dry run shown before anything is written (importing.import_preview).
    preview = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
